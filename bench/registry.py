#!/usr/bin/env python3
"""Benchmark for the store in PostgreSQL (issue 15, "Speed"): the same commands on an SQLite store
and on a PostgreSQL registry holding the same N projects, timed in one run.

The fleet is the lint benchmark's (bench/lint.py: the search benchmark's ~30 tables and 378
columns per project, written straight into a fresh SQLite store's index), so no project database
is needed: every command timed reads only the store. The registry is a throwaway cluster on
127.0.0.1 (TCP, trust authentication), filled by `catalog store copy` from the SQLite store.

Timed, each a cold CLI process, median of --repeat runs, on both stores:

  project list            catalog project list --format json
  find-column --cached    catalog find-column email --cached --format json
  sql --cached            catalog sql "select project, count(*) from columns where pg_column like '%email%' group by 1" --cached

and once: `catalog store copy` SQLite -> PostgreSQL (the whole store, one transaction, verified), and
a second copy killed with SIGKILL while it inserts the index rows: the target must hold no row, and the
next copy must succeed.

Target (issue 15): the PostgreSQL store within 2x of SQLite for project list and a cached search.
Python 3 standard library only. Run as root or as a user that can run initdb.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lint  # noqa: E402  (the store builder)
import search  # noqa: E402  (the cluster)

COMMANDS = {
    "project list": ["project", "list", "--format", "json"],
    "find-column --cached": ["find-column", "email", "--cached", "--format", "json"],
    "sql --cached": ["sql", "select project, count(*) from columns where pg_column like '%email%' group by 1", "--cached",
                     "--format", "json"],
}
TARGET_RATIO = 2.0


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    return time.monotonic() - start, proc


def registry_rows(cluster, database: str) -> int:
    """Every row in the registry's tables (0 when the schema is not there yet)."""
    script = """
        SELECT coalesce(sum((xpath('/row/n/text()',
            query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), 0)
        FROM information_schema.tables WHERE table_schema = 'catalog' AND table_name <> 'registry_migration';
    """
    return int(cluster.sql(database, script).strip() or 0)


def killed_copy(catalog: Path, sqlite: Path, cluster, env: dict[str, str], full_seconds: float) -> dict:
    """A copy killed with SIGKILL while it loads leaves the target empty, and the next copy fills it."""
    cluster.sql("postgres", "CREATE DATABASE killed;")
    target = cluster.dsn("killed")
    proc = subprocess.Popen([str(catalog), "store", "copy", "--from", str(sqlite), "--to", target], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it while it loads the index rows: after the registry's schema exists, before the commit.
    started = time.monotonic()
    watch = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed' AND state = 'active' AND query LIKE 'INSERT INTO index_column%';"
    while time.monotonic() - started < full_seconds * 2 and proc.poll() is None:
        if cluster.sql("postgres", watch).strip() not in ("", "0"):
            break
        time.sleep(0.05)
    killed_at = time.monotonic() - started
    proc.kill()
    proc.wait()
    rows_after_kill = registry_rows(cluster, "killed")
    again = subprocess.run([str(catalog), "store", "copy", "--from", str(sqlite), "--to", target], env=env,
                           capture_output=True, text=True)
    result = {"killed_after_s": round(killed_at, 2), "rows_after_kill": rows_after_kill,
              "next_copy_ok": again.returncode == 0, "rows_after_next_copy": registry_rows(cluster, "killed")}
    search.log(f"killed copy: {result}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=Path(".build-release/release/catalog"))
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args()
    catalog = args.catalog.resolve()
    with tempfile.TemporaryDirectory(prefix="catalog-registry-bench-") as scratch:
        root = Path(scratch)
        os.chmod(root, 0o755)
        env = {**os.environ, "CATALOG_STORE": "", "XDG_DATA_HOME": str(root / "data")}
        sqlite = root / "catalog.sqlite"
        columns = lint.build_store(catalog, sqlite, args.projects)
        search.log(f"SQLite store: {args.projects} projects, {columns} index columns")
        cluster = search.Cluster(root, search.find_pg_bin())
        cluster.start()
        try:
            cluster.sql("postgres", "CREATE DATABASE registry;")
            registry = cluster.dsn("registry")
            seconds, proc = timed([str(catalog), "store", "copy", "--from", str(sqlite), "--to", registry], env)
            if proc.returncode != 0:
                raise search.BenchError(f"store copy failed: {proc.stderr}")
            copy = {"seconds": round(seconds, 3), "last_line": proc.stdout.strip().splitlines()[-1]}
            search.log(f"store copy: {seconds:.2f} s")
            copy["killed"] = killed_copy(catalog, sqlite, cluster, env, seconds)
            results = {}
            for name, arguments in COMMANDS.items():
                times = {"sqlite": [], "postgresql": []}
                outputs = {}
                for _ in range(args.repeat):
                    for kind, store in (("sqlite", str(sqlite)), ("postgresql", registry)):
                        seconds, proc = timed([str(catalog), *arguments, "--store", store], env)
                        if proc.returncode not in (0, 1):
                            raise search.BenchError(f"{name} on {kind} failed: {proc.stderr}")
                        times[kind].append(seconds)
                        outputs[kind] = proc.stdout
                same = name == "find-column --cached" or outputs["sqlite"] == outputs["postgresql"]
                sqlite_median = statistics.median(times["sqlite"])
                postgres_median = statistics.median(times["postgresql"])
                results[name] = {
                    "sqlite_s": round(sqlite_median, 3), "postgresql_s": round(postgres_median, 3),
                    "ratio": round(postgres_median / sqlite_median, 2), "same_output": same,
                }
                search.log(f"{name}: SQLite {sqlite_median:.3f} s, PostgreSQL {postgres_median:.3f} s, "
                           f"ratio {postgres_median / sqlite_median:.2f}")
        finally:
            cluster.stop()
    print(f"\nN = {args.projects}, median of {args.repeat} cold CLI runs, load average {os.getloadavg()[0]:.1f}\n")
    print(f"{'command':<24}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}  target <= {TARGET_RATIO}")
    for name, row in results.items():
        print(f"{name:<24}{row['sqlite_s']:>9.3f}s{row['postgresql_s']:>11.3f}s{row['ratio']:>8.2f}")
    print(f"\nstore copy SQLite -> PostgreSQL: {copy['seconds']:.2f} s ({copy['last_line']})")
    killed = copy["killed"]
    print(f"store copy killed (SIGKILL) after {killed['killed_after_s']} s: {killed['rows_after_kill']} rows in the target; "
          f"the next copy {'succeeded' if killed['next_copy_ok'] else 'FAILED'} ({killed['rows_after_next_copy']} rows)")
    if args.results:
        args.results.write_text(json.dumps({"projects": args.projects, "copy": copy, "commands": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
