#!/usr/bin/env python3
"""Benchmark for `catalog find-column` over N project databases (issue 4, "Speed").

Starts a throwaway PostgreSQL cluster, builds N project databases from one template
(about 30 tables / 360 columns in four schemas, `_metadata` installed and filled by
catalog itself), registers them with catalog in a fresh store, and times in the same run:

  catalog live      catalog find-column email --format json            (cold CLI, live fan-out)
  catalog cached    catalog find-column email --cached --format json
  catalog fresh     catalog find-column email --format json, where the default takes the revision
                    signal (issue 14): one revision query per server, then only changed projects
                    are read; "catalog live" then passes --live (today's per-project read)
  catalog fresh, 10 changed / all changed: the same after an untimed write to the `_metadata` of
                    10 / every project (a label set to itself: the revision moves, the rows do not)
  psql loop         a shell `for` loop of psql over every database
  xargs -P 8 psql   the same with 8 parallel psql processes
  postgres_fdw      a UNION ALL view over one foreign server per database, async_capable on
  dblink            one query that UNION ALLs dblink(connstr, sql) over every database
  floor             N / (new connections per second measured by pgbench -C -c 8 -j 2)

All approaches must return the same (project, schema, table, column) rows, or the run fails.
See bench/README.md. Python 3.11 standard library only; PostgreSQL tools run as subprocesses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRATCH = ".build-bench"
SEARCH_NAME = "email"

# Targets from issue 4 (they apply at N = 100 and N = 1000).
TARGET_LIVE_VS_FLOOR = 1.5
TARGET_CACHED_SECONDS = 0.050
TARGET_RSS_MB = 200
TARGET_SIZES = (100, 1000)

# The per-database query every baseline runs: predicate pushed down, one text column per row.
ROW_SQL = (
    "SELECT concat_ws(E'\\t', current_database(), t.pg_schema, t.table_name, c.pg_column) "
    "FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id "
    f"WHERE c.pg_column = '{SEARCH_NAME}'"
)

# Ground truth from the real catalog (not _metadata): checks that `metadata scan` did its job.
TRUTH_SQL = (
    "SELECT concat_ws(E'\\t', current_database(), n.nspname, c.relname, a.attname) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    f"WHERE a.attname = '{SEARCH_NAME}' AND a.attnum > 0 AND NOT a.attisdropped "
    "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_metadata') "
    "AND n.nspname NOT LIKE 'pg\\_%'"
)

T0 = time.monotonic()


def log(message: str) -> None:
    try:
        print(f"[{time.monotonic() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)
    except OSError:  # stderr closed (e.g. piped into `head`): keep going, so the cleanup still runs
        pass


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Processes


def clean_env() -> dict[str, str]:
    """The environment for every child: no inherited PG* settings, no psqlrc, C locale messages."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PSQLRC"] = "/dev/null"
    env["PGCONNECT_TIMEOUT"] = "20"
    env["LC_MESSAGES"] = "C"
    return env


ENV = clean_env()


def run(argv: list[str], *, input: str | None = None, check: bool = True, env=None,
        timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, input=input, capture_output=True, text=True, env=env or ENV,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise BenchError(
            f"command failed (exit {proc.returncode}): {' '.join(argv)[:300]}\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}")
    return proc


# Fresh-path rows that first change this many projects (untimed).
# "catalog live, all changed" is the fair baseline for "catalog fresh, all changed": after a write to
# every project, the per-project read re-reads every project's mappings into the index too.
CHANGED = {"catalog fresh, 10 changed": lambda n: min(10, n), "catalog fresh, all changed": lambda n: n,
           "catalog live, all changed": lambda n: n}

# Targets from issue 14 (N = 1000): fresh unchanged <= 100 ms, 10 changed <= 300 ms, all changed no
# slower than live, --cached <= 25 ms, peak RSS <= 100 MB.
TARGET_FRESH_SECONDS = 0.100
TARGET_FRESH_10_SECONDS = 0.300

LAST_CPU = [0.0]  # user + system CPU seconds of the last timed() child


def timed(argv: list[str], workdir: Path) -> tuple[float, int, int, str, str]:
    """Runs argv once, returning (wall seconds, exit code, peak RSS in KiB, stdout, stderr).
    The child's own CPU time (user + system) is left in LAST_CPU[0].

    The clock covers fork/exec to reaped exit. Peak RSS comes from wait4() on that very child,
    so it is the process's own maximum resident set (not its grandchildren's).
    """
    out_path, err_path = workdir / "timed.out", workdir / "timed.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    return (elapsed, proc.returncode, usage.ru_maxrss,
            out_path.read_text(errors="replace"), err_path.read_text(errors="replace"))


# --------------------------------------------------------------------------------------------
# The throwaway cluster


def find_pg_bin() -> Path:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    for version in sorted((int(p.name) for p in Path("/usr/lib/postgresql").glob("[0-9]*")), reverse=True):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if (candidate / "initdb").exists():
            return candidate
    raise BenchError("initdb not found: install postgresql and postgresql-contrib, or set PG_BINDIR")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb in a temporary directory, 127.0.0.1 only, trust auth, stopped and deleted by stop()."""

    def __init__(self, root: Path, pg_bin: Path):
        self.pg_bin = pg_bin
        self.dir = root / "pg"
        self.data = self.dir / "data"
        self.socket_dir = self.dir
        self.log_file = self.dir / "server.log"
        self.port = free_port()
        self.started = False
        self.as_root = os.geteuid() == 0

    def _as_postgres(self, tool: str, *args: str, new_session: bool = False) -> None:
        exe = str(self.pg_bin / tool)
        if self.as_root:
            # runuser resets the soft open-files limit to 1024; postgres_fdw and dblink at
            # N = 1000 need one descriptor per remote connection in a single backend.
            argv = ["runuser", "-u", "postgres", "--", "sh", "-c",
                    'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', exe, *args]
        else:
            argv = [exe, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=300,
                              start_new_session=new_session)
        if proc.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-3000:] if self.log_file.exists() else ""
            raise BenchError(f"{tool} failed (exit {proc.returncode}): {proc.stdout}{proc.stderr}\n{tail}")

    def start(self) -> None:
        self.dir.mkdir(parents=True)
        if self.as_root:
            os.chmod(self.dir.parent, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                          "--auth-host=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "1200",
            "shared_buffers": "256MB",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            # postgres_fdw at N = 1000 locks ~2000 foreign tables in one transaction.
            "max_locks_per_transaction": "256",
            # postgres_fdw/dblink take "external" descriptors, capped at a third of max_safe_fds.
            "max_files_per_process": "8000",
            "max_wal_size": "8GB",
            "checkpoint_timeout": "30min",
            # 1000 databases: keep autovacuum workers from wandering through them mid-measurement.
            "autovacuum": "off",
            "log_min_messages": "warning",
            "log_connections": "off",
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# catalog bench/search.py\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")
        # pg_ctl in its own session, so a Ctrl-C on the terminal reaches only this script,
        # which then stops the server itself.
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w", "-t", "120",
                          "start", new_session=True)
        self.started = True

    def stop(self) -> None:
        if self.started:
            try:
                # fast, not immediate: an immediate stop leaves dynamic shared memory in /dev/shm.
                self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
            except Exception as error:  # already down, or stuck: make sure it is gone
                log(f"pg_ctl stop: {str(error).splitlines()[0]}")
                try:
                    self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
                except Exception:
                    pass
                pid_file = self.data / "postmaster.pid"
                deadline = time.monotonic() + 30
                while pid_file.exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
            self.started = False

    # psql helpers --------------------------------------------------------------------------

    def psql_argv(self, db: str, tcp: bool = True) -> list[str]:
        host = "127.0.0.1" if tcp else str(self.socket_dir)
        return [str(self.pg_bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", host, "-p", str(self.port), "-U", "postgres", "-d", db]

    def sql(self, db: str, script: str) -> str:
        """Runs a script through one psql session on the local socket; returns its output."""
        return run(self.psql_argv(db, tcp=False), input=script).stdout

    def dsn(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"


# --------------------------------------------------------------------------------------------
# The project databases

TYPES = ["text", "integer", "timestamptz", "numeric(12,2)", "boolean", "jsonb", "uuid",
         "varchar(80)", "bigint", "date", "text[]"]
FILLER = ["name", "status", "created_at", "updated_at", "amount", "notes", "code", "kind",
          "reference", "owner_id", "region", "priority", "source", "metadata", "external_id",
          "archived", "score", "label", "currency", "due_on", "tags", "version"]

# schema -> [(table, [special columns])]; every table gets an id plus filler up to 12 columns.
LAYOUT = {
    "public": [("users", ["email", "full_name"]), ("accounts", ["billing_email"]),
               ("sessions", ["user_id"]), ("newsletters", ["emails"]), ("settings", []),
               ("api_keys", ["user_id"]), ("files", ["path"]), ("teams", [])],
    "billing": [("customers", ["email", "customer_email"]), ("invoices", ["customer_email"]),
                ("payments", []), ("plans", []), ("subscriptions", ["customer_id"]),
                ("refunds", []), ("coupons", []), ("tax_rates", [])],
    "crm": [("contacts", ["email", "email_address"]), ("companies", []), ("deals", []),
            ("notes", []), ("tasks", []), ("leads_import", ['"Email"', "e_mail"]),
            ("pipelines", []), ("stages", [])],
    "audit": [("logins", ["user_email"]), ("changes", []), ("exports", []), ("jobs", [])],
}
# Plus audit.events (partitioned, two partitions), a view and a materialized view.


def template_sql() -> str:
    lines = ["SET client_min_messages = warning;"]
    tables = 0
    columns = 0
    for schema, specs in LAYOUT.items():
        if schema != "public":
            lines.append(f"CREATE SCHEMA {schema};")
        for index, (table, special) in enumerate(specs):
            cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
            for name in special:
                cols.append(f"{name} text")
            k = index
            while len(cols) < 12:
                name = FILLER[k % len(FILLER)]
                if name not in special and not any(c.split()[0] == name for c in cols):
                    cols.append(f"{name} {TYPES[(k + len(cols)) % len(TYPES)]}")
                k += 1
            lines.append(f"CREATE TABLE {schema}.{table} ({', '.join(cols)});")
            tables += 1
            columns += len(cols)
    lines += [
        "CREATE TABLE audit.events (id bigint, at timestamptz NOT NULL, actor text, action text, "
        "target text, payload jsonb, ip inet, session_id uuid, result text, duration_ms integer, "
        "source text, user_agent text) PARTITION BY RANGE (at);",
        "CREATE TABLE audit.events_2024 PARTITION OF audit.events "
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "CREATE TABLE audit.events_2025 PARTITION OF audit.events "
        "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        "CREATE VIEW public.active_users AS SELECT id, email, full_name FROM public.users "
        "WHERE id > 0;",
        "CREATE MATERIALIZED VIEW crm.contact_directory AS SELECT id, email, email_address "
        "FROM crm.contacts;",
    ]
    return "\n".join(lines) + "\n"


# Fills _metadata from pg_class/pg_attribute: the fallback when `catalog metadata scan` is
# not available in the binary under test. Same facts scan records: schema, name, kind, type,
# nullability, position.
FILL_METADATA_SQL = """
DELETE FROM _metadata.mappings_table;
INSERT INTO _metadata.mappings_table (pg_schema, table_name, relation_kind)
SELECT n.nspname, c.relname,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned_table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized_view' WHEN 'f' THEN 'foreign_table' END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_metadata')
  AND n.nspname NOT LIKE 'pg\\_%';
INSERT INTO _metadata.mappings_column (table_id, pg_column, pg_type, is_nullable, position)
SELECT t.id, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, a.attnum
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN _metadata.mappings_table t ON t.pg_schema = n.nspname AND t.table_name = c.relname
WHERE a.attnum > 0 AND NOT a.attisdropped;
"""


def variation_sql(i: int, allow_drop: bool) -> str | None:
    """DDL that makes database i differ from the template, or None. Cheap and deterministic."""
    parts = []
    if i % 7 == 3:
        parts.append("CREATE TABLE crm.leads (id bigint PRIMARY KEY, email text, source text, "
                     "created_at timestamptz);")
    if i % 11 == 5:
        parts.append("ALTER TABLE audit.events ADD COLUMN email text;")  # also on both partitions
    if allow_drop and i % 13 == 0:
        parts.append("DROP MATERIALIZED VIEW crm.contact_directory; "
                     "ALTER TABLE crm.contacts DROP COLUMN email CASCADE;")
    return "\n".join(parts) if parts else None


def db_name(i: int) -> str:
    return f"bench_{i:04d}"


# --------------------------------------------------------------------------------------------
# catalog


class CatalogCLI:
    def __init__(self, binary: Path, store: Path):
        self.binary = binary
        self.store = store

    def argv(self, *args: str) -> list[str]:
        return [str(self.binary), *args, "--store", str(self.store)]

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(self.argv(*args), check=check)


def catalog_features(binary: Path) -> dict[str, bool]:
    def helps(*args: str) -> str:
        proc = subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True, env=ENV)
        return proc.stdout + proc.stderr if proc.returncode == 0 else ""

    scan_help = helps("metadata", "scan")
    find_help = helps("find-column")
    return {
        "scan": "metadata scan" in scan_help,
        "prune": "--prune" in scan_help,
        "find_column": "find-column" in find_help,
        "cached": "--cached" in find_help,
        "live": "--live" in find_help,
    }


def git_describe() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    head = proc.stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "Sources", "Package.swift"],
                           capture_output=True, text=True).stdout.strip()
    return head + ("+uncommitted-sources" if dirty else "")


# --------------------------------------------------------------------------------------------
# Rows


Row = tuple[str, str, str, str]


def rows_from_lines(text: str) -> list[Row]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise BenchError(f"unexpected output line: {line!r}")
        rows.append(tuple(fields))
    return sorted(rows)


def rows_from_catalog_json(text: str) -> tuple[list[Row], list]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BenchError(f"catalog printed no JSON object ({error}): {text[:500]!r}")
    rows = sorted((m["project"], m["schema"], m["table"], m["column"]) for m in document["matches"])
    return rows, document.get("failures", [])


def describe_difference(name: str, got: list[Row], want: list[Row]) -> str:
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    return (f"{name}: {len(got)} rows, expected {len(want)}; "
            f"missing {len(missing)} e.g. {missing[:5]}; extra {len(extra)} e.g. {extra[:5]}")


# --------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args, root: Path):
        self.args = args
        self.root = root
        self.work = root / "work"
        self.work.mkdir()
        self.cluster = Cluster(root, find_pg_bin())
        self.catalog = CatalogCLI(args.catalog, root / "store.sqlite")
        self.features: dict[str, bool] = {}
        self.built = 0          # databases created so far
        self.registered = 0
        self.fdw_servers = 0
        self.varied: list[int] = []
        self.measured = 0       # projects already in the index from the previous size
        self.results: dict = {}

    # setup -----------------------------------------------------------------------------------

    def setup_cluster(self) -> None:
        self.features = catalog_features(self.args.catalog)
        log(f"catalog {self.args.catalog} features: {self.features}")
        if not self.features["find_column"]:
            log("WARNING: this catalog binary has no `find-column`; timing the baselines only")
        self.cluster.start()
        version = self.cluster.sql("postgres", "SHOW server_version;").strip()
        log(f"cluster up: PostgreSQL {version}, 127.0.0.1:{self.cluster.port}, {self.cluster.dir}")
        self.server_version = version
        self.build_template()
        self.cluster.sql("postgres", "CREATE DATABASE bench_hub;")
        self.cluster.sql("bench_hub", "CREATE EXTENSION postgres_fdw; CREATE EXTENSION dblink;")

    def build_template(self) -> None:
        c = self.cluster
        c.sql("postgres", "CREATE DATABASE tmpl;")
        c.sql("tmpl", template_sql())
        store = CatalogCLI(self.args.catalog, self.root / "template-store.sqlite")
        store("project", "add", "tmpl", "--dsn", c.dsn("tmpl"))
        store("metadata", "install", "tmpl")
        if self.features["scan"]:
            store("metadata", "scan", "tmpl")
            how = "catalog metadata scan"
        else:
            c.sql("tmpl", FILL_METADATA_SQL)
            how = "INSERT ... SELECT from pg_class/pg_attribute (no `metadata scan` in this binary)"
        counts = c.sql("tmpl", """
            SELECT count(*) FILTER (WHERE relation_kind IN ('table','partitioned_table')),
                   count(*), (SELECT count(*) FROM _metadata.mappings_column),
                   (SELECT count(*) FROM _metadata.mappings_column WHERE pg_column = 'email')
            FROM _metadata.mappings_table;""").strip().split("|")
        self.template_counts = dict(zip(["tables", "relations", "columns", "email_columns"], map(int, counts)))
        log(f"template: {self.template_counts}, _metadata filled by {how}")
        self.metadata_filled_by = how

    def grow_to(self, n: int) -> None:
        """Creates, varies, registers and federates databases up to bench_{n}."""
        c = self.cluster
        first = self.built + 1
        varied: list[tuple[int, str]] = []
        if n >= first:
            start = time.monotonic()
            script = "".join(f"CREATE DATABASE {db_name(i)} TEMPLATE tmpl STRATEGY FILE_COPY;\n"
                             for i in range(first, n + 1))
            c.sql("postgres", script)
            log(f"created {n - first + 1} databases from the template in {time.monotonic() - start:.1f}s")

            allow_drop = (not self.features["scan"]) or self.features["prune"]
            varied = [(i, sql) for i in range(first, n + 1)
                      if (sql := variation_sql(i, allow_drop)) is not None]
            if varied:
                script = ""
                for i, sql in varied:
                    script += f"\\connect {db_name(i)}\n{sql}\n"
                    if not self.features["scan"]:
                        script += FILL_METADATA_SQL
                c.sql("postgres", script)
            self.built = n

        start = time.monotonic()
        for i in range(self.registered + 1, n + 1):
            self.catalog("project", "add", db_name(i), "--dsn", c.dsn(db_name(i)))
        if n > self.registered:
            log(f"registered {n - self.registered} projects in {time.monotonic() - start:.1f}s")
            if self.features.get("live"):
                # A copy made with CREATE DATABASE ... TEMPLATE carries no database settings, so it
                # publishes nothing until its first write; `metadata install` (idempotent) publishes
                # its current revision, as it does for a clone. Untimed.
                start = time.monotonic()
                names = [db_name(i) for i in range(self.registered + 1, n + 1)]
                for k in range(0, len(names), 200):
                    self.catalog("metadata", "install", *names[k:k + 200])
                log(f"metadata install (publishes the revision) on {len(names)} projects in {time.monotonic() - start:.1f}s")
        self.registered = max(self.registered, n)

        if varied and self.features["scan"]:
            start = time.monotonic()
            names = [db_name(i) for i, _ in varied]
            extra = ["--prune"] if self.features["prune"] else []
            for k in range(0, len(names), 200):
                self.catalog("metadata", "scan", *names[k:k + 200], *extra)
            log(f"re-scanned {len(names)} varied databases in {time.monotonic() - start:.1f}s")
        self.varied += [i for i, _ in varied]

        # postgres_fdw: one server + two foreign tables per database, and a UNION ALL view per N.
        start = time.monotonic()
        script = "SET client_min_messages = warning;\n"
        for i in range(self.fdw_servers + 1, n + 1):
            d = db_name(i)
            script += (
                f"CREATE SERVER s_{d} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', "
                f"port '{c.port}', dbname '{d}', async_capable 'true');\n"
                f"CREATE USER MAPPING FOR postgres SERVER s_{d} OPTIONS (user 'postgres');\n"
                f"CREATE SCHEMA {d};\n"
                f"CREATE FOREIGN TABLE {d}.mappings_table (id bigint, pg_schema text, table_name text) "
                f"SERVER s_{d} OPTIONS (schema_name '_metadata', table_name 'mappings_table');\n"
                f"CREATE FOREIGN TABLE {d}.mappings_column (table_id bigint, pg_column text) "
                f"SERVER s_{d} OPTIONS (schema_name '_metadata', table_name 'mappings_column');\n")
        branches = "\nUNION ALL ".join(
            f"SELECT '{db_name(i)}'::text AS project, t.pg_schema, t.table_name, c.pg_column "
            f"FROM {db_name(i)}.mappings_column c JOIN {db_name(i)}.mappings_table t ON t.id = c.table_id"
            for i in range(1, n + 1))
        script += f"CREATE VIEW all_columns_{n} AS\n{branches};\n"
        c.sql("bench_hub", script)
        self.fdw_servers = max(self.fdw_servers, n)
        log(f"postgres_fdw view all_columns_{n} over {n} servers ready in {time.monotonic() - start:.1f}s")

    # the approaches --------------------------------------------------------------------------

    def approach_argvs(self, n: int) -> dict[str, list[str]]:
        c = self.cluster
        dbs_file = self.work / f"dbs-{n}.txt"
        dbs_file.write_text("".join(db_name(i) + "\n" for i in range(1, n + 1)))
        psql = " ".join(c.psql_argv("x")[:-2])  # without -d
        loop = (f'while read -r db; do {psql} -d "$db" -c "{ROW_SQL}" || exit 1; done < {dbs_file}')
        xargs = (f'xargs -P 8 -n 1 {psql} -c "{ROW_SQL}" -d < {dbs_file}')

        fdw_file = self.work / f"fdw-{n}.sql"
        fdw_file.write_text(
            "SELECT concat_ws(E'\\t', project, pg_schema, table_name, pg_column) "
            f"FROM all_columns_{n} WHERE pg_column = '{SEARCH_NAME}';\n")

        dblink_file = self.work / f"dblink-{n}.sql"
        remote = ROW_SQL.replace("'", "''")
        dblink_file.write_text("\nUNION ALL ".join(
            f"SELECT r.line FROM dblink('host=127.0.0.1 port={c.port} user=postgres "
            f"dbname={db_name(i)}', '{remote}') AS r(line text)" for i in range(1, n + 1)) + ";\n")

        argvs = {
            "psql loop": ["bash", "-c", "set -o pipefail; " + loop],
            "xargs -P 8 psql": ["bash", "-c", xargs],
            "postgres_fdw": c.psql_argv("bench_hub") + ["-f", str(fdw_file)],
            "dblink": c.psql_argv("bench_hub") + ["-f", str(dblink_file)],
        }
        if self.features["find_column"]:
            live_flag = ["--live"] if self.features.get("live") else []
            fresh_argv = self.catalog.argv("find-column", SEARCH_NAME, "--format", "json", *self.args.catalog_arg)
            argvs = {
                "catalog live": self.catalog.argv("find-column", SEARCH_NAME, "--format", "json", *live_flag,
                                                  *self.args.catalog_arg),
                **({"catalog fresh": fresh_argv, "catalog fresh, 10 changed": fresh_argv,
                    "catalog fresh, all changed": fresh_argv,
                    "catalog live, all changed": self.catalog.argv("find-column", SEARCH_NAME, "--format", "json", *live_flag,
                                                                   *self.args.catalog_arg)} if live_flag else {}),
                **({"catalog cached": self.catalog.argv("find-column", SEARCH_NAME, "--cached",
                                                        "--format", "json")}
                   if self.features["cached"] else {}),
                # Extra live runs with other options (--variant), for information only.
                **{f"catalog live {variant}": self.catalog.argv("find-column", SEARCH_NAME, "--format", "json",
                                                                *variant.split())
                   for variant in self.args.variant},
                **argvs,
            }
        return argvs

    def floor(self, n: int) -> dict:
        script = self.work / "select1.sql"
        script.write_text("SELECT 1;\n")
        argv = [str(self.cluster.pg_bin / "pgbench"), "-n", "-C", "-c", "8", "-j", "2",
                "-T", str(self.args.pgbench_seconds), "-f", str(script),
                "-h", "127.0.0.1", "-p", str(self.cluster.port), "-U", "postgres", db_name(1)]
        out = run(argv).stdout
        match = re.search(r"tps = ([0-9.]+)", out)
        connect = re.search(r"average connection time = ([0-9.]+) ms", out)
        if not match:
            raise BenchError(f"could not read tps from pgbench:\n{out}")
        rate = float(match.group(1))
        return {"connections_per_second": rate,
                "average_connection_ms": float(connect.group(1)) if connect else None}

    def measure(self, n: int) -> dict:
        argvs = self.approach_argvs(n)
        slow = {"psql loop", "xargs -P 8 psql", "postgres_fdw", "dblink"}
        reps = {name: (self.args.slow_reps if (n >= 1000 and name in slow) else self.args.reps)
                for name in argvs}
        runs: dict[str, list[float]] = {name: [] for name in argvs}
        rss: dict[str, list[int]] = {name: [] for name in argvs}
        cpu: dict[str, list[float]] = {name: [] for name in argvs}
        rows: dict[str, list[Row]] = {}
        reference: list[Row] | None = None
        reference_name = ""

        floors: list[dict] = []
        load_before = os.getloadavg()

        first_live = None
        if "catalog live" in argvs:  # one untimed run (the default search) fills the index for --cached
            first_argv = argvs.get("catalog fresh", argvs["catalog live"])
            elapsed, code, maxrss, out, err = timed(first_argv, self.work)
            log(f"N={n}: first catalog search (index empty for the new projects) {elapsed:.2f}s exit {code}, "
                f"rss {maxrss / 1024:.0f} MB")
            if code != 0:
                raise BenchError(f"catalog live exited {code} at N={n}: {err[-2000:]}")
            first_live = {"seconds": elapsed, "peak_rss_mb": maxrss / 1024, "cpu_seconds": LAST_CPU[0],
                          "new_projects": n - self.measured}

        # Round-robin over the approaches so drift in the machine spreads evenly.
        for rep in range(max(reps.values())):
            # The floor is measured inside the same round, so it sees the same machine.
            floors.append(self.floor(n))
            log(f"N={n} rep {rep + 1}: {'floor':16s} {floors[-1]['connections_per_second']:8.0f} "
                f"connections/s (pgbench -C -c 8 -j 2 -T {self.args.pgbench_seconds})")
            for name, argv in argvs.items():
                if rep >= reps[name]:
                    continue
                if name in CHANGED:
                    self.touch(n, CHANGED[name](n))
                elapsed, code, maxrss, out, err = timed(argv, self.work)
                if name.startswith("catalog"):
                    if code != 0:
                        raise BenchError(f"{name} exited {code} at N={n}: {err[-2000:]}")
                    got, failures = rows_from_catalog_json(out)
                    if failures:
                        raise BenchError(f"{name} reported failures at N={n}: {failures[:5]}")
                else:
                    if code != 0:
                        raise BenchError(f"{name} exited {code} at N={n}: {err[-2000:]}")
                    got = rows_from_lines(out)
                if reference is None:
                    reference, reference_name = got, name
                if got != reference:
                    raise BenchError("ROWS DIFFER at N=%d: %s (reference: %s)"
                                     % (n, describe_difference(name, got, reference), reference_name))
                rows.setdefault(name, got)
                runs[name].append(elapsed)
                rss[name].append(maxrss)
                cpu[name].append(LAST_CPU[0])
                log(f"N={n} rep {rep + 1}: {name:16s} {elapsed:8.3f}s  {len(got)} rows  "
                    f"rss {maxrss / 1024:.0f} MB")

        rate = statistics.median(f["connections_per_second"] for f in floors)

        # Untimed: the same rows straight from pg_attribute, so _metadata itself is checked too.
        dbs_file = self.work / f"dbs-{n}.txt"
        psql = " ".join(self.cluster.psql_argv("x")[:-2])
        truth_argv = ["bash", "-c", f'xargs -P 8 -n 1 {psql} -c "{TRUTH_SQL}" -d < {dbs_file}']
        _, code, _, out, err = timed(truth_argv, self.work)
        if code != 0:
            raise BenchError(f"pg_attribute check failed: {err[-2000:]}")
        truth = rows_from_lines(out)
        if truth != reference:
            raise BenchError("_metadata DISAGREES WITH pg_attribute at N=%d: %s"
                             % (n, describe_difference("every approach", reference or [], truth)))

        self.measured = n
        expected_projects = {db_name(i) for i in range(1, n + 1)}
        seen = {r[0] for r in reference or []}
        if not seen <= expected_projects or len(seen) < n * 0.9:
            raise BenchError(f"N={n}: rows came from {len(seen)} databases, expected ~{n}")

        result = {
            "n": n,
            "rows": len(reference or []),
            "databases_with_rows": len(seen),
            "varied_databases": len([i for i in self.varied if i <= n]),
            "first_live_run": first_live,
            "floor": {"runs": floors, "connections_per_second": rate, "seconds": n / rate,
                      "method": f"median over {len(floors)} runs of pgbench -n -C -c 8 -j 2 "
                                f"-T {self.args.pgbench_seconds} -f (SELECT 1)"},
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "approaches": {},
        }
        for name in argvs:
            result["approaches"][name] = {
                "median_seconds": statistics.median(runs[name]),
                "min_seconds": min(runs[name]),
                "runs_seconds": [round(x, 4) for x in runs[name]],
                "peak_rss_mb": max(rss[name]) / 1024,
                # CPU of the process itself (for shell baselines: only the shell, not its psql children)
                "median_cpu_seconds": statistics.median(cpu[name]),
                "command": " ".join(argvs[name]) if len(" ".join(argvs[name])) < 400 else None,
            }
        return result

    def touch(self, n: int, count: int) -> None:
        """Untimed: one counted write to `_metadata` in `count` projects spread over 1..n (the rows
        stay the same; the revision moves, so the fresh path must read those projects)."""
        step = max(1, n // count)
        dbs = [db_name(i) for i in range(1, n + 1, step)][:count]
        dbs_file = self.work / "touch.txt"
        dbs_file.write_text("".join(db + "\n" for db in dbs))
        psql = " ".join(self.cluster.psql_argv("x")[:-2])
        sql = "UPDATE _metadata.mappings_table SET label = label WHERE id = (SELECT min(id) FROM _metadata.mappings_table)"
        run(["bash", "-c", f'xargs -P 8 -n 1 {psql} -c "{sql}" -d < {dbs_file}'])

    def spawn_overhead(self) -> dict:
        """How long this harness takes to start and reap a trivial process, and catalog --version."""
        out = {}
        for name, argv in [("/bin/true", ["/bin/true"]), ("catalog --version", [str(self.args.catalog), "--version"])]:
            samples = [timed(argv, self.work)[0] for _ in range(9)]
            out[name] = statistics.median(samples)
        return out


# --------------------------------------------------------------------------------------------
# Report


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def evaluate(result: dict) -> list[dict]:
    n = result["n"]
    a = result["approaches"]
    checks = []
    live = a.get("catalog live", {}).get("median_seconds")
    floor = result["floor"]["seconds"]
    applies = n in TARGET_SIZES
    baselines = {k: v["median_seconds"] for k, v in a.items() if not k.startswith("catalog")}
    if live is None:
        checks.append({"target": "catalog live measured", "value": "no find-column", "ok": False})
        return checks
    checks.append({"target": f"live <= {TARGET_LIVE_VS_FLOOR}x floor",
                   "value": f"{live / floor:.2f}x ({live:.3f}s vs {floor:.3f}s)",
                   "ok": live <= TARGET_LIVE_VS_FLOOR * floor, "applies": applies})
    fastest_name, fastest = min(baselines.items(), key=lambda kv: kv[1])
    checks.append({"target": "live faster than every baseline",
                   "value": f"{live:.3f}s vs best baseline {fastest_name} {fastest:.3f}s",
                   "ok": live < fastest, "applies": applies})
    if "catalog cached" in a:
        cached = a["catalog cached"]["median_seconds"]
        checks.append({"target": f"cached < {TARGET_CACHED_SECONDS * 1000:.0f} ms",
                       "value": f"{cached * 1000:.1f} ms", "ok": cached < TARGET_CACHED_SECONDS,
                       "applies": applies})
    if "catalog fresh" in a:
        fresh = a["catalog fresh"]["median_seconds"]
        checks.append({"target": f"fresh, unchanged <= {TARGET_FRESH_SECONDS * 1000:.0f} ms",
                       "value": f"{fresh * 1000:.1f} ms ({live / fresh:.1f}x faster than live)",
                       "ok": fresh <= TARGET_FRESH_SECONDS, "applies": n == 1000})
        ten = a["catalog fresh, 10 changed"]["median_seconds"]
        checks.append({"target": f"fresh, 10 changed <= {TARGET_FRESH_10_SECONDS * 1000:.0f} ms",
                       "value": f"{ten * 1000:.1f} ms", "ok": ten <= TARGET_FRESH_10_SECONDS, "applies": n == 1000})
        every = a["catalog fresh, all changed"]["median_seconds"]
        live_every = a.get("catalog live, all changed", {}).get("median_seconds", live)
        checks.append({"target": "fresh, all changed <= live, all changed",
                       "value": f"{every:.3f}s vs live {live_every:.3f}s", "ok": every <= live_every * 1.05,
                       "applies": applies})
        first_search = result.get("first_live_run") or {}
        fresh_rss = max([a[k]["peak_rss_mb"] for k in a if k.startswith("catalog")]
                        + [first_search.get("peak_rss_mb", 0)])
        checks.append({"target": "every catalog search peak RSS <= 100 MB (1st included)", "value": f"{fresh_rss:.1f} MB",
                       "ok": fresh_rss <= 100, "applies": n == 1000})
        if "catalog cached" in a:
            cached = a["catalog cached"]["median_seconds"]
            checks.append({"target": "cached <= 25 ms (issue 14)", "value": f"{cached * 1000:.1f} ms ({result['rows']} rows)",
                           "ok": cached <= 0.025, "applies": n == 1000})
    rss = a["catalog live"]["peak_rss_mb"]
    checks.append({"target": f"live peak RSS < {TARGET_RSS_MB} MB", "value": f"{rss:.1f} MB",
                   "ok": rss < TARGET_RSS_MB, "applies": applies})
    first = result.get("first_live_run")
    if first:  # the very first live query, which also fills the index, is a live query too
        checks.append({"target": f"1st live run peak RSS < {TARGET_RSS_MB} MB",
                       "value": f"{first['peak_rss_mb']:.1f} MB ({first['seconds']:.2f}s, "
                                f"index empty for {first['new_projects']} projects)",
                       "ok": first["peak_rss_mb"] < TARGET_RSS_MB, "applies": applies})
    return checks


def report(results: list[dict]) -> str:
    lines = []
    w = max([18] + [len(name) for r in results for name in r["approaches"]])
    header = (f"{'approach':{w}s} {'N':>5s} {'median s':>9s} {'min s':>8s} {'runs':>4s} {'x live':>7s} "
              f"{'rss MB':>7s} {'cpu s':>6s}")
    lines.append(header)
    lines.append("-" * len(header))
    for result in results:
        n = result["n"]
        a = result["approaches"]
        live = a.get("catalog live", {}).get("median_seconds")
        for name, m in a.items():
            ratio = f"{m['median_seconds'] / live:6.2f}x" if live else "     -"
            rss = (f"{m['peak_rss_mb']:7.1f} {m.get('median_cpu_seconds', 0):6.2f}"
                   if name.startswith("catalog") else "      -      -")
            lines.append(f"{name:{w}s} {n:5d} {m['median_seconds']:9.3f} {m['min_seconds']:8.3f} "
                         f"{len(m['runs_seconds']):4d} {ratio:>7s} {rss}")
            first = result.get("first_live_run")
            if name == "catalog live" and first:
                lines.append(f"{'  1st search':{w}s} {n:5d} {first['seconds']:9.3f} {'':8s} {1:4d} "
                             f"{first['seconds'] / live:6.2f}x {first['peak_rss_mb']:7.1f} "
                             f"{first.get('cpu_seconds', 0):6.2f}"
                             f"  (untimed; index empty for {first['new_projects']} projects)")
        f = result["floor"]
        ratio = f"{f['seconds'] / live:6.2f}x" if live else "     -"
        lines.append(f"{'floor (N/rate)':{w}s} {n:5d} {f['seconds']:9.3f} {'':8s} {len(f['runs']):4d} {ratio:>7s}"
                     f"          ({f['connections_per_second']:.0f} conn/s, pgbench -C -c 8 -j 2)")
        lines.append(f"{'':{w}s} {'':5s} rows: {result['rows']} from {result['databases_with_rows']} "
                     f"databases ({result['varied_databases']} varied), identical across all approaches "
                     f"and equal to pg_attribute")
        lines.append("")
    lines.append("Targets (issue 4; they apply at N = 100 and N = 1000):")
    for result in results:
        for check in result["checks"]:
            mark = verdict(check["ok"]) if check.get("applies", True) else f"({verdict(check['ok'])}, info)"
            lines.append(f"  N={result['n']:<5d} {check['target']:34s} {mark:12s} {check['value']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def swift_build(package_dir: Path, scratch: Path) -> None:
    swift = shutil.which("swift") or "/opt/swift/usr/bin/swift"
    log(f"building: (cd {package_dir} && swift build -c release --product catalog --scratch-path {scratch})")
    started = time.monotonic()
    proc = subprocess.run([swift, "build", "-c", "release", "--product", "catalog", "--scratch-path", str(scratch)],
                          cwd=package_dir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"swift build failed in {package_dir}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}\n"
                         "(while others are mid-edit, try --source head to build the last commit)")
    log(f"built in {time.monotonic() - started:.0f}s")


def export_head(destination: Path) -> str:
    """Mirrors the committed tree (HEAD) into destination, rewriting only files that changed so
    SwiftPM's incremental build still works. Returns the commit."""
    commit = run(["git", "-C", str(REPO), "rev-parse", "HEAD"]).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="catalog-head-") as staging:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", staging], input=archive, check=True)
        staging_path = Path(staging)
        wanted = {p.relative_to(staging_path) for p in staging_path.rglob("*") if p.is_file()}
        destination.mkdir(parents=True, exist_ok=True)
        for existing in [p for p in destination.rglob("*") if p.is_file()]:
            if existing.relative_to(destination) not in wanted:
                existing.unlink()
        for relative in wanted:
            source, target = staging_path / relative, destination / relative
            if not target.exists() or target.read_bytes() != source.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    resolved = REPO / "Package.resolved"  # not committed; pins the same dependency versions
    if resolved.exists() and (not (destination / "Package.resolved").exists()
                              or (destination / "Package.resolved").read_bytes() != resolved.read_bytes()):
        shutil.copy2(resolved, destination / "Package.resolved")
    return commit


def prepare_catalog(args) -> None:
    """Sets args.catalog (and args.catalog_source) according to --source / --catalog / --no-build."""
    if args.catalog is not None:
        args.catalog_source = f"given binary {args.catalog}"
    elif args.source == "head":
        base = REPO / f"{SCRATCH}-head"
        commit = export_head(base / "src")
        args.catalog = base / "scratch" / "release" / "catalog"
        args.catalog_source = f"committed HEAD {commit[:12]}"
        if not args.no_build:
            swift_build(base / "src", base / "scratch")
    else:
        args.catalog = REPO / SCRATCH / "release" / "catalog"
        args.catalog_source = f"working tree at {git_describe()}"
        if not args.no_build:
            swift_build(REPO, REPO / SCRATCH)
    args.catalog = args.catalog.resolve()
    if not args.catalog.exists():
        raise BenchError(f"{args.catalog} not found; build it with "
                         f"`swift build -c release --product catalog --scratch-path {SCRATCH}`")


def choose_workdir(args) -> str | None:
    """tmpfs when it fits: 1000 databases are ~480k files and ~9 GB, and on disk deleting them
    waits for minutes of writeback. Everything is thrown away, so memory is the right place."""
    if args.workdir is not None:
        return str(args.workdir)
    need = 1_000_000_000 + args.sizes[-1] * 12_000_000
    try:
        usage = shutil.disk_usage("/dev/shm")
    except OSError:
        return None
    return "/dev/shm" if usage.free > need else None


def parse_args(argv: list[str]):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10,100,1000",
                   help="comma-separated numbers of project databases (default 10,100,1000)")
    p.add_argument("--reps", type=int, default=5, help="timed repetitions per approach (default 5)")
    p.add_argument("--slow-reps", type=int, default=3,
                   help="repetitions for the psql/fdw/dblink baselines at N >= 1000 (default 3)")
    p.add_argument("--pgbench-seconds", type=int, default=3,
                   help="length of each pgbench floor run; one per repetition (default 3)")
    p.add_argument("--source", choices=["worktree", "head"], default="worktree",
                   help=f"build catalog from the working tree (scratch path {SCRATCH}), or from the "
                        f"last commit exported to {SCRATCH}-head/ (for when others are mid-edit)")
    p.add_argument("--no-build", action="store_true", help="use the last build as it is")
    p.add_argument("--catalog", type=Path, default=None,
                   help="use this catalog binary instead of building one")
    p.add_argument("--catalog-arg", action="append", default=[],
                   help="extra argument for the live find-column run, e.g. --catalog-arg=--concurrency=32")
    p.add_argument("--variant", action="append", default=[],
                   help="also time `find-column` live with these extra options, for information, "
                        "e.g. --variant='--concurrency 8' (repeatable)")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the throwaway cluster lives (default /dev/shm when it has room for "
                        "~10 MB per database, else the system temp directory)")
    p.add_argument("--save-store", type=Path, default=None,
                   help="copy the catalog store here at the end (to replay --cached without a cluster)")
    p.add_argument("--hold", type=Path, default=None,
                   help="after measuring, write the cluster's port and the store's path to this file "
                        "and keep both until the file is removed (for profiling by hand)")
    p.add_argument("--results", type=Path, default=None,
                   help="where to write the JSON results (default bench/results/search-DATE.json; "
                        "runs with non-default sizes get a -sizes-... suffix)")
    args = p.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not args.sizes or args.sizes[0] < 1 or args.sizes[-1] > 1100:
        p.error("--sizes must be between 1 and 1100 (max_connections is 1200)")
    if args.reps < 1 or args.slow_reps < 1:
        p.error("--reps and --slow-reps must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # SIGINT (even when started in the background with SIGINT ignored), SIGTERM and SIGHUP all
    # unwind through the finally that stops and removes the cluster.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    prepare_catalog(args)

    started = dt.datetime.now(dt.timezone.utc)
    root = Path(tempfile.mkdtemp(prefix="catalog-bench-", dir=choose_workdir(args)))
    bench = Bench(args, root)
    results: list[dict] = []
    try:
        bench.setup_cluster()
        overhead = bench.spawn_overhead()
        log(f"spawn overhead: /bin/true {overhead['/bin/true'] * 1000:.1f} ms, "
            f"catalog --version {overhead['catalog --version'] * 1000:.1f} ms")
        for n in args.sizes:
            bench.grow_to(n)
            result = bench.measure(n)
            result["checks"] = evaluate(result)
            results.append(result)
        if args.hold:
            args.hold.write_text(json.dumps({"port": bench.cluster.port, "store": str(bench.catalog.store),
                                             "touch": "UPDATE _metadata.mappings_table SET label = label "
                                                      "WHERE id = (SELECT min(id) FROM _metadata.mappings_table)"}) + "\n")
            log(f"holding the cluster and store: remove {args.hold} to stop")
            while args.hold.exists():
                time.sleep(1)
    finally:
        if args.save_store and bench.catalog.store.exists():
            for suffix in ("", "-wal", "-shm"):
                source = Path(str(bench.catalog.store) + suffix)
                if source.exists():
                    shutil.copy2(source, str(args.save_store) + suffix)
        # Ignore further Ctrl-C while cleaning up, so the cluster is never left half-removed.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            bench.cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
            signal.signal(signal.SIGINT, previous)
        log("cluster stopped and deleted")

    table = report(results)
    table += (f"\n\nStart-up (median of 9): /bin/true {overhead['/bin/true'] * 1000:.1f} ms, "
              f"catalog --version {overhead['catalog --version'] * 1000:.1f} ms")
    print(table)

    document = {
        "benchmark": "catalog find-column email (bench/search.py)",
        "started_at": started.isoformat(timespec="seconds"),
        "duration_seconds": round(time.monotonic() - T0, 1),
        "catalog": {"binary": str(args.catalog), "source": args.catalog_source, "features": bench.features,
                    "extra_live_args": args.catalog_arg},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "postgresql": {"version": bench.server_version,
                       "settings": "127.0.0.1, trust auth, max_connections=1200, shared_buffers=256MB, "
                                   "fsync/synchronous_commit/full_page_writes off, autovacuum off"},
        "template": {**bench.template_counts, "metadata_filled_by": bench.metadata_filled_by},
        "reps": args.reps, "slow_reps": args.slow_reps,
        "spawn_overhead_seconds": overhead,
        "results": results,
        "table": table.splitlines(),
    }
    path = args.results
    if path is None:
        suffix = "" if args.sizes == [10, 100, 1000] else "-sizes-" + "-".join(map(str, args.sizes))
        path = REPO / "bench" / "results" / f"search-{started.date().isoformat()}{suffix}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nresults written to {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    failed = [c for r in results for c in r["checks"] if c.get("applies", True) and not c["ok"]]
    return 3 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        print(f"bench/search.py: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench/search.py: interrupted; the cluster was stopped and deleted", file=sys.stderr)
        sys.exit(130)
