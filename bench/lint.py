#!/usr/bin/env python3
"""Benchmark for `catalog lint` over N projects from the index (issue 19, "Speed").

The fleet is the search benchmark's (bench/search.py: about 30 tables and 378 columns in four
schemas per project, the same layout, types and variations), but it is written straight into a
fresh store's index with sqlite3 instead of through N real databases: lint reads only the index, so
the databases would add minutes of setup and nothing to the time measured. The store is created and
migrated by catalog itself (`catalog project list`), and the rows have the shape a live read writes.
A few divergences are planted on top (a length mismatch, a nullability outlier, a label).

Timed in the same run, each a cold CLI process, median of --repeat runs:

  catalog lint (table)        catalog lint                    the command people run
  catalog lint (json)         catalog lint --format json
  catalog lint (sarif)        catalog lint --format sarif
  find-column --cached        catalog find-column email --cached --format json   (an index read)
  floor (rows)                python3 sqlite3: SELECT every index_column row into Python tuples
  floor (scan)                python3 sqlite3: SQLite alone reads the columns lint reads from every row
                              (one aggregate, no row leaves SQLite: the least any reader can spend)

With --compare PATH, `catalog lint` of another build (such as the previous release) is timed on the same
store in the same run, and the ratio printed.

The CPU time (user + system) of the lint run is printed beside its wall time: on a machine shared
with other work the wall time includes waiting for a core, and the load average is printed too.

Target: catalog lint end to end under 2 s at N = 1000. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search  # noqa: E402  (the fleet layout and the build helpers)

TARGET_SECONDS = 2.0
REPO = Path(__file__).resolve().parent.parent


def metadata_version() -> int:
    """The newest `_metadata` version this checkout installs (schema/postgres/NNNN_*.sql), so the fleet is
    current and lint's missing-metadata rule reports none of it."""
    return max(int(path.name[:4]) for path in (REPO / "schema" / "postgres").glob("[0-9][0-9][0-9][0-9]_*.sql")
               if not path.name.endswith(".down.sql"))


def columns_of_template() -> list[tuple[str, str, str, str, bool, int]]:
    """(schema, table, kind, column, type, nullable, position) as format_type prints the types,
    following search.template_sql() exactly."""
    printed = {"timestamptz": "timestamp with time zone", "varchar(80)": "character varying(80)"}
    rows = []
    for schema, specs in search.LAYOUT.items():
        for index, (table, special) in enumerate(specs):
            cols = [("id", "bigint", False)]
            for name in special:
                cols.append((name.strip('"'), "text", True))
            k = index
            while len(cols) < 12:
                name = search.FILLER[k % len(search.FILLER)]
                if name not in special and not any(c[0] == name for c in cols):
                    kind = search.TYPES[(k + len(cols)) % len(search.TYPES)]
                    cols.append((name, printed.get(kind, kind), True))
                k += 1
            for position, (name, kind, nullable) in enumerate(cols, start=1):
                rows.append((schema, table, "table", name, kind, nullable, position))
    events = [("id", "bigint"), ("at", "timestamp with time zone"), ("actor", "text"), ("action", "text"),
              ("target", "text"), ("payload", "jsonb"), ("ip", "inet"), ("session_id", "uuid"), ("result", "text"),
              ("duration_ms", "integer"), ("source", "text"), ("user_agent", "text")]
    for table, kind in [("events", "partitioned_table"), ("events_2024", "table"), ("events_2025", "table")]:
        for position, (name, type_) in enumerate(events, start=1):
            rows.append(("audit", table, kind, name, type_, name != "at", position))
    for position, (name, type_) in enumerate([("id", "bigint"), ("email", "text"), ("full_name", "text")], start=1):
        rows.append(("public", "active_users", "view", name, type_, True, position))
    for position, (name, type_) in enumerate([("id", "bigint"), ("email", "text"), ("email_address", "text")], start=1):
        rows.append(("crm", "contact_directory", "materialized_view", name, type_, True, position))
    return rows


def project_rows(i: int, template):
    """The template with search.variation_sql's variations, and a few planted divergences."""
    rows = list(template)
    if i % 7 == 3:
        for position, (name, type_) in enumerate(
                [("id", "bigint"), ("email", "text"), ("source", "text"), ("created_at", "timestamp with time zone")], start=1):
            rows.append(("crm", "leads", "table", name, type_, name != "id", position))
    if i % 11 == 5:
        for table in ("events", "events_2024", "events_2025"):
            rows.append(("audit", table, "partitioned_table" if table == "events" else "table", "email", "text", True, 13))
    if i % 13 == 0:
        rows = [r for r in rows if not (r[1] == "contact_directory" or (r[1] == "contacts" and r[3] == "email"))]
    out = []
    for schema, table, kind, name, type_, nullable, position in rows:
        label = None
        if (schema, table, name) == ("public", "users", "email"):
            type_ = "character varying(100)" if i % 50 == 7 else type_        # planted: a length mismatch
            label = "E-mail" if i % 97 == 1 else "Email"                       # planted: a label outlier
        if (schema, table, name) == ("public", "users", "full_name") and i % 40 == 9:
            nullable = False                                                   # planted: a nullability outlier
        out.append((schema, table, kind, name, type_, nullable, position, label))
    return out


def build_store(catalog: Path, path: Path, n: int) -> int:
    subprocess.run([str(catalog), "project", "list", "--store", str(path), "--format", "json"], check=True,
                   capture_output=True, env={**os.environ, "CATALOG_STORE": ""})
    template = columns_of_template()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")
    version = metadata_version()
    db = sqlite3.connect(path)
    total = 0
    with db:
        for i in range(n):
            name = search.db_name(i)
            cur = db.execute("INSERT INTO project (name, dsn, status, created_at) VALUES (?, ?, 'ok', ?)",
                             (name, f"postgresql://bench@127.0.0.1:1/{name}", now))
            pid = cur.lastrowid
            db.execute("INSERT INTO project_tag (project_id, tag) VALUES (?, ?)", (pid, "even" if i % 2 == 0 else "odd"))
            rows = project_rows(i, template)
            tables = sorted({(r[0], r[1], r[2]) for r in rows})
            db.executemany(
                "INSERT INTO index_table (project_id, pg_schema, table_name, name_folded, relation_kind) VALUES (?, ?, ?, ?, ?)",
                [(pid, s, t, t.lower(), k) for s, t, k in tables])
            db.executemany(
                "INSERT INTO index_column (project_id, pg_schema, table_name, relation_kind, pg_column, name_folded, pg_type, "
                "label, is_nullable, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(pid, s, t, k, c, c.lower(), ty, label, 1 if nullable else 0, pos)
                 for s, t, k, c, ty, nullable, pos, label in rows])
            db.execute("INSERT INTO index_state (project_id, revision, incarnation, metadata_version, fetched_at, ctype) "
                       "VALUES (?, 1, ?, ?, ?, 'C.UTF-8')", (pid, f"1/{name}", version, now))
            total += len(rows)
    db.close()
    return total


CPU: dict[str, float] = {}


def timed(argv: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess]:
    """Median wall time of `repeat` cold runs; the median CPU time (user + system) goes to CPU[argv[1]...]:
    on a shared machine the wall time includes waiting for a core, the CPU time does not."""
    times = []
    cpu = []
    last = None
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        last = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "CATALOG_STORE": ""})
        times.append(time.monotonic() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if last.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {last.returncode}: {last.stderr[-2000:]}")
    CPU[" ".join(argv[1:2] + argv[-2:])] = statistics.median(cpu)
    return statistics.median(times), last


FLOORS = {
    "rows": "SELECT p.name, c.* FROM index_column c JOIN project p ON p.id = c.project_id",
    "scan": "SELECT count(*), sum(length(pg_schema) + length(table_name) + length(relation_kind) + length(pg_column)"
            " + length(pg_type) + length(label) + length(description) + length(validation_rules) + is_nullable + project_id)"
            " FROM index_column",
}


def floor(path: Path, repeat: int, which: str) -> float:
    times = []
    for _ in range(repeat):
        started = time.monotonic()
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.execute(FLOORS[which]).fetchall()
        db.close()
        times.append(time.monotonic() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--catalog", type=Path, help="the catalog binary (default: build release like bench/search.py)")
    parser.add_argument("--source", choices=["worktree", "head"], default="worktree")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--compare", type=Path, help="another catalog binary whose `catalog lint` is timed in the same run")
    args = parser.parse_args()
    search.prepare_catalog(args)
    results = []
    with tempfile.TemporaryDirectory(prefix="catalog-lint-bench-") as scratch:
        for n in args.sizes:
            store = Path(scratch) / f"lint-{n}.sqlite"
            started = time.monotonic()
            columns = build_store(args.catalog, store, n)
            search.log(f"N={n}: {columns} index columns written in {time.monotonic() - started:.1f}s")
            base = [str(args.catalog), "--store", str(store)]
            lint_table, answer = timed([str(args.catalog), "lint", "--store", str(store)], args.repeat)
            lint_json, answer_json = timed([str(args.catalog), "lint", "--store", str(store), "--format", "json"], args.repeat)
            lint_sarif, _ = timed([str(args.catalog), "lint", "--store", str(store), "--format", "sarif"], args.repeat)
            cached, _ = timed([str(args.catalog), "find-column", "email", "--cached", "--format", "json", "--store", str(store)],
                              args.repeat)
            before = before_cpu = None
            if args.compare:
                before, _ = timed([str(args.compare), "lint", "--store", str(store), "--format", "table"], args.repeat)
                before_cpu = CPU[" ".join(["lint", "--format", "table"])]
            read = floor(store, args.repeat, "rows")
            scan = floor(store, args.repeat, "scan")
            document = json.loads(answer_json.stdout)
            del base
            lint_cpu = CPU[" ".join(["lint", "--store", str(store)])]
            results.append({
                "lint_table_cpu_s": round(lint_cpu, 3), "load_average": round(os.getloadavg()[0], 1),
                "n": n, "columns": columns, "findings": len(document["findings"]), "summary": document["summary"],
                "lint_table_s": round(lint_table, 3), "lint_json_s": round(lint_json, 3), "lint_sarif_s": round(lint_sarif, 3),
                "find_column_cached_s": round(cached, 3), "floor_sqlite_read_s": round(read, 3),
                "floor_sqlite_scan_s": round(scan, 3),
                "compare": str(args.compare) if args.compare else None,
                "compare_lint_s": round(before, 3) if before else None, "compare_lint_cpu_s": round(before_cpu, 3) if before_cpu else None,
                "target_s": TARGET_SECONDS, "ok": lint_table < TARGET_SECONDS and lint_json < TARGET_SECONDS,
            })
            search.log(f"N={n}: lint {lint_table:.3f}s (json {lint_json:.3f}s, sarif {lint_sarif:.3f}s), "
                       f"find-column --cached {cached:.3f}s, floor {read:.3f}s (scan {scan:.3f}s); {len(document['findings'])} findings; "
                f"lint CPU {lint_cpu:.3f}s, load average {os.getloadavg()[0]:.1f}")
    print(f"catalog lint from the index ({args.catalog_source}), median of {args.repeat} cold runs")
    print(f"{'N':>6s} {'columns':>9s} {'findings':>8s} {'lint':>8s} {'cpu':>8s} {'json':>8s} {'sarif':>8s} {'cached':>8s}"
          f" {'floor':>8s} {'scan':>8s} {'lint/cached':>11s} {'lint/floor':>10s}  target < {TARGET_SECONDS:.0f} s")
    for r in results:
        print(f"{r['n']:>6d} {r['columns']:>9d} {r['findings']:>8d} {r['lint_table_s']:>8.3f} {r['lint_table_cpu_s']:>8.3f}"
              f" {r['lint_json_s']:>8.3f}"
              f" {r['lint_sarif_s']:>8.3f} {r['find_column_cached_s']:>8.3f} {r['floor_sqlite_read_s']:>8.3f}"
              f" {r['floor_sqlite_scan_s']:>8.3f}"
              f" {r['lint_table_s'] / r['find_column_cached_s']:>11.1f} {r['lint_table_s'] / r['floor_sqlite_read_s']:>10.1f}"
              f"  {'ok' if r['ok'] else 'MISSED'}")
    for r in results:
        if r["compare_lint_s"]:
            print(f"N={r['n']}: {r['compare']} lint {r['compare_lint_s']:.3f} s (CPU {r['compare_lint_cpu_s']:.3f} s); this build "
                  f"{r['lint_table_s']:.3f} s (CPU {r['lint_table_cpu_s']:.3f} s): {r['compare_lint_s'] / r['lint_table_s']:.1f}x wall, "
                  f"{r['compare_lint_cpu_s'] / r['lint_table_cpu_s']:.1f}x CPU")
        print(f"load average at the end of N={r['n']}: {r['load_average']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
