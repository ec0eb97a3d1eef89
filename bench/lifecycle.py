#!/usr/bin/env python3
"""Project lifecycle figures (issue 17), on one throwaway cluster:

1. `catalog project create` x N at once against one server (default 20): failures, and the median and
   p95 wall time per create, against one create alone and a bare `CREATE DATABASE … TEMPLATE template0`
   by psql measured in the same run. Creates on one server take turns at CREATE DATABASE (the
   server's create lock), so 55006 "source database is being accessed by other users" must never appear.
2. `catalog project clone` of a fixture project with ~200k rows (`_metadata` installed and scanned):
   same-server template copy against the pg_dump/pg_restore snapshot path (`--snapshot`), medians of
   --reps runs each, with the ratio, and a bare `CREATE DATABASE … TEMPLATE` by psql as the baseline.

Usage: bench/lifecycle.py [--catalog .build-release/release/catalog] [--creates 20] [--rows 200000] [--reps 3]
Python 3.11 standard library only; PostgreSQL 15. Prints one JSON object on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_fleet import ENV, REPO, BenchError, Cluster, log, run  # noqa: E402

FIXTURE_SQL = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric(12, 2) NOT NULL,
                     note text, placed_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX orders_by_customer ON orders (customer_id);
INSERT INTO customers (id, email, name) SELECT i, 'user' || i || '@example.com', 'Customer ' || i FROM generate_series(1, {customers}) i;
INSERT INTO orders (id, customer_id, total, note)
SELECT i, 1 + (i % {customers}), (i % 1000) / 7.0, repeat('x', i % 40) FROM generate_series(1, {orders}) i;
ANALYZE;
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed(argv: list[str]) -> tuple[float, int, str]:
    """Wall seconds, exit status, and stdout (stderr too when it failed)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=900)
    return time.perf_counter() - start, proc.returncode, proc.stdout if proc.returncode == 0 else proc.stdout + proc.stderr


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = REPO / ".build-release/release/catalog"
    parser.add_argument("--catalog", type=Path, default=default if default.exists() else REPO / ".build/debug/catalog")
    parser.add_argument("--creates", type=int, default=20)
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the fixture project (a quarter customers, the rest orders)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    catalog = str(args.catalog.resolve())
    root = Path(tempfile.mkdtemp(prefix="catalog-lifecycle-"))
    root.chmod(0o755)
    cluster = Cluster(root)
    store = root / "store.sqlite"
    cli = lambda *a: [catalog, *a, "--store", str(store)]  # noqa: E731
    result: dict = {"catalog": catalog, "build": "release" if "release" in catalog else "debug"}
    try:
        cluster.start()
        server = cluster.dsn("postgres")
        log(f"cluster on port {cluster.port}; catalog {catalog}")

        # Baselines: a bare CREATE DATABASE by psql, and one catalog create alone.
        psql = [str(cluster.bin / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", "postgres", "-c"]
        bare = []
        for i in range(args.reps):
            seconds, status, output = timed(psql + [f"CREATE DATABASE bare_{i} TEMPLATE template0"])
            if status != 0:
                raise BenchError(output)
            bare.append(seconds)
        alone = []
        for i in range(args.reps):
            seconds, status, output = timed(cli("project", "create", f"alone_{i}", "--server", server, "--format", "json"))
            if status != 0:
                raise BenchError(output)
            alone.append(seconds)

        # N creates at once against the one server.
        log(f"{args.creates} concurrent project create")
        processes = []
        start = time.perf_counter()
        for i in range(args.creates):
            processes.append((time.perf_counter(), subprocess.Popen(
                cli("project", "create", f"many_{i}", "--server", server, "--format", "json"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)))
        walls, lock_waits, failures = [], [], []
        for began, process in processes:
            out, err = process.communicate(timeout=900)
            walls.append(time.perf_counter() - began)
            if process.returncode != 0:
                failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {process.returncode}")
                continue
            lock_waits.append(json.loads(out)["lock_wait_seconds"])
        total = time.perf_counter() - start
        result["concurrent_create"] = {
            "creates": args.creates, "failures": len(failures), "failure_messages": failures[:5],
            "median_seconds": statistics.median(walls), "p95_seconds": percentile(walls, 95), "total_seconds": total,
            "median_lock_wait_seconds": statistics.median(lock_waits) if lock_waits else None,
            "alone_median_seconds": statistics.median(alone), "bare_create_database_median_seconds": statistics.median(bare),
        }
        c = result["concurrent_create"]
        log(f"concurrent create: {c['failures']} failures of {args.creates}; median {c['median_seconds']:.2f} s, p95 {c['p95_seconds']:.2f} s "
            f"(alone {c['alone_median_seconds']:.2f} s = {c['median_seconds'] / c['alone_median_seconds']:.1f}x; "
            f"bare CREATE DATABASE {c['bare_create_database_median_seconds']:.3f} s)")

        # Clone of a fixture project: template (idle source, same server) against snapshot.
        customers = args.rows // 4
        cluster.sql("postgres", "CREATE DATABASE fixture_db;")
        cluster.sql("fixture_db", FIXTURE_SQL.format(customers=customers, orders=args.rows - customers))
        run(cli("project", "add", "fixture", "--dsn", cluster.dsn("fixture_db")))
        run(cli("metadata", "install", "fixture"))
        run(cli("metadata", "scan", "fixture"))
        size = cluster.sql("postgres", "SELECT pg_size_pretty(pg_database_size('fixture_db'));").strip()
        log(f"fixture: {args.rows} rows, {size}")
        times: dict[str, list[float]] = {"template": [], "snapshot": [], "bare_template": []}
        for i in range(args.reps):
            for path, extra in (("template", []), ("snapshot", ["--snapshot"])):
                seconds, status, output = timed(cli("project", "clone", "fixture", f"copy_{path}_{i}", *extra, "--format", "json"))
                if status != 0:
                    raise BenchError(output)
                if json.loads(output)["path"] != path:
                    raise BenchError(f"the clone took another path than {path}: {output}")
                times[path].append(seconds)
            seconds, status, output = timed(psql + [f"CREATE DATABASE bare_copy_{i} TEMPLATE fixture_db"])
            if status != 0:
                raise BenchError(output)
            times["bare_template"].append(seconds)
        template, snapshot, bare_template = (statistics.median(times[k]) for k in ("template", "snapshot", "bare_template"))
        result["clone"] = {
            "rows": args.rows, "size": size, "reps": args.reps, "template_median_seconds": template,
            "snapshot_median_seconds": snapshot, "snapshot_over_template": snapshot / template,
            "bare_create_database_template_median_seconds": bare_template, "template_over_bare": template / bare_template,
        }
        log(f"clone of {args.rows} rows ({size}): template {template:.2f} s, snapshot {snapshot:.2f} s "
            f"(snapshot/template {snapshot / template:.1f}x; bare CREATE DATABASE TEMPLATE {bare_template:.2f} s, catalog/bare {template / bare_template:.1f}x)")
        print(json.dumps(result, indent=2))
        return 1 if failures else 0
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        sys.exit(f"lifecycle: {error}")
