#!/usr/bin/env python3
"""Benchmark for a fleet metadata edit (issue 20): one column label over N projects.

Starts a throwaway PostgreSQL cluster, builds N project databases from bench/search.py's template
(about 30 tables / 360 columns, `_metadata` installed and scanned by catalog itself, one or more
`email` columns per database), registers them in a fresh store, and times in the same run:

  catalog plan     catalog metadata set --all --column email --label L --plan
  catalog apply    catalog metadata set --all --column email --label L --expect-plan HASH
                   (plans again, then one transaction per project under the _metadata lock, and
                   every field written goes into the audit history)
  psql read        xargs -P 8 psql: the plan's SELECT on every database (the read baseline)
  psql write       xargs -P 8 psql: a bare UPDATE of the same rows on every database (the write
                   baseline: no plan, no lock, no check that nothing moved, no audit)

The label is reset between runs, and every database is checked to hold the new label afterwards.
Usage: bench/curate.py --catalog .build/debug/catalog [--projects 1000]
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import BenchError, CatalogCLI, Cluster, choose_workdir, db_name, find_pg_bin, log, run, template_sql  # noqa: E402

LABEL = "Email address"
SELECT_SQL = ("SELECT t.pg_schema, t.table_name, c.pg_column, c.label FROM _metadata.mappings_column c "
              "JOIN _metadata.mappings_table t ON t.id = c.table_id WHERE c.pg_column = 'email'")
UPDATE_SQL = "UPDATE _metadata.mappings_column SET label = 'Email address', updated_at = now() WHERE pg_column = 'email'"
RESET_SQL = "UPDATE _metadata.mappings_column SET label = NULL WHERE pg_column = 'email'"


def xargs_psql(cluster: Cluster, n: int, sql: str) -> float:
    names = "\n".join(db_name(i) for i in range(1, n + 1)) + "\n"
    argv = ["xargs", "-P", "8", "-I", "{}", str(cluster.pg_bin / "psql"), "-X", "-q", "-A", "-t", "-h", "127.0.0.1",
            "-p", str(cluster.port), "-U", "postgres", "-d", "{}", "-c", sql]
    start = time.perf_counter()
    run(argv, input=names)
    return time.perf_counter() - start


def reset(cluster: Cluster, n: int) -> None:
    xargs_psql(cluster, n, RESET_SQL)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, required=True, help="the catalog binary")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    args.sizes = [args.projects]
    n = args.projects
    root = Path(tempfile.mkdtemp(prefix="catalog-curate-", dir=choose_workdir(args)))
    cluster = Cluster(root, find_pg_bin())
    catalog = CatalogCLI(args.catalog.resolve(), root / "store.sqlite")
    try:
        cluster.start()
        cluster.sql("postgres", "CREATE DATABASE tmpl;")
        cluster.sql("tmpl", template_sql())
        template = CatalogCLI(args.catalog.resolve(), root / "template.sqlite")
        template("project", "add", "tmpl", "--dsn", cluster.dsn("tmpl"))
        template("metadata", "install", "tmpl")
        template("metadata", "scan", "tmpl")
        emails = int(cluster.sql("tmpl", "SELECT count(*) FROM _metadata.mappings_column WHERE pg_column = 'email';").strip())
        start = time.monotonic()
        cluster.sql("postgres", "".join(f"CREATE DATABASE {db_name(i)} TEMPLATE tmpl STRATEGY FILE_COPY;\n" for i in range(1, n + 1)))
        log(f"created {n} databases ({emails} email columns each) in {time.monotonic() - start:.1f}s")
        start = time.monotonic()
        for i in range(1, n + 1):
            catalog("project", "add", db_name(i), "--dsn", cluster.dsn(db_name(i)))
        log(f"registered {n} projects in {time.monotonic() - start:.1f}s")

        edit = ["metadata", "set", "--all", "--column", "email", "--label", LABEL, "--concurrency", "16", "--timeout", "60"]
        start = time.perf_counter()
        planned = catalog(*edit, "--plan")
        plan_seconds = time.perf_counter() - start
        plan_hash = planned.stdout.strip().splitlines()[-1].split()[-1]
        start = time.perf_counter()
        applied = catalog(*edit, "--expect-plan", plan_hash)
        apply_seconds = time.perf_counter() - start
        done = int(cluster.sql(db_name(n), f"SELECT count(*) FROM _metadata.mappings_column WHERE pg_column = 'email' AND label = '{LABEL}';"))
        if done != emails:
            raise BenchError(f"{db_name(n)} has {done} of {emails} labels after the apply: {applied.stderr[-500:]}")
        audited = run(["sqlite3", str(catalog.store), "SELECT count(*) FROM audit_log WHERE action = 'metadata set'"], check=False).stdout.strip()

        read_seconds = xargs_psql(cluster, n, SELECT_SQL)
        reset(cluster, n)
        write_seconds = xargs_psql(cluster, n, UPDATE_SQL)

        print(f"fleet edit of one column label over {n} projects ({n * emails} rows), catalog {args.catalog}")
        print(f"  catalog plan   {plan_seconds:7.2f} s   psql read  (xargs -P 8) {read_seconds:7.2f} s   ratio {plan_seconds / read_seconds:5.2f}")
        print(f"  catalog apply  {apply_seconds:7.2f} s   psql write (xargs -P 8) {write_seconds:7.2f} s   ratio {apply_seconds / write_seconds:5.2f}")
        print(f"  apply = plan again + {n} transactions under the _metadata lock; audit entries written: {audited or '?'}")
    finally:
        cluster.stop()
        import shutil
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        sys.exit(f"curate bench: {error}")
