#!/usr/bin/env python3
"""Times `catalog generate` (all four formats) on one generated 500-table project.

    bench/codegen.py                          # debug build at .build/debug/catalog, 500 tables
    bench/codegen.py --catalog PATH --tables 500 --reps 5

A throwaway cluster (bench/search.py's Cluster) holds one database: N tables in five schemas (12
columns each, of every mapped type, an enum, a domain, a composite and an array among them), every
tenth table a view; `_metadata` is installed and scanned by catalog, then every table gets a
label, a description, and validation rules on two columns. Timed, wall clock from fork to exit,
median of --reps, round-robin:

  baselines   `catalog project list` (process start and store open, no database) and psql
              running the statements an index refresh runs (mappings, columns, user types)
  generate    each format live (the index's copy confirmed in one round trip that also reads the
              user types and partitions), and each format --cached

Each row also gives the process's own CPU time (user + system, from wait4), which a loaded
machine inflates far less than the wall clock.

The goal is all four formats under 1 s for 500 tables (the sum of the four live medians).
"""
import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import LAST_CPU, BenchError, CatalogCLI, Cluster, find_pg_bin, log, timed  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FORMATS = ["graphql", "typescript", "jsonschema", "openapi"]
SCHEMAS = ["public", "billing", "crm", "ops", "audit"]
COLUMNS = [
    ("name", "varchar(120) NOT NULL"), ("status", "status_kind NOT NULL"), ("email", "email_address"),
    ("amount", "numeric(12,2)"), ("created_at", "timestamptz NOT NULL DEFAULT now()"), ("due_on", "date"),
    ("payload", "jsonb"), ("external_id", "uuid"), ("tags", "text[]"), ("owner_id", "bigint"),
    ("address", "postal_address"), ("blob", "bytea"),
]


def project_sql(tables: int) -> str:
    lines = [
        "CREATE TYPE status_kind AS ENUM ('new', 'active', 'closed', 'on-hold');",
        "CREATE DOMAIN email_address AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');",
        "CREATE TYPE postal_address AS (street text, city text);",
    ]
    lines += [f"CREATE SCHEMA {schema};" for schema in SCHEMAS if schema != "public"]
    for i in range(tables):
        schema = SCHEMAS[i % len(SCHEMAS)]
        name = f"{schema}.t{i:04d}"
        if i % 10 == 9:
            source = f"{SCHEMAS[(i - 1) % len(SCHEMAS)]}.t{i - 1:04d}"
            lines.append(f"CREATE VIEW {name} AS SELECT * FROM {source};")
        else:
            columns = ", ".join(f"{column} {kind}" for column, kind in COLUMNS)
            lines.append(f"CREATE TABLE {name} (id bigserial PRIMARY KEY, {columns});")
    return "\n".join(lines) + "\n"


METADATA_SQL = """
UPDATE _metadata.mappings_table SET label = 'Table ' || table_name, description = 'Generated table ' || pg_schema || '.' || table_name;
UPDATE _metadata.mappings_column SET label = initcap(replace(pg_column, '_', ' ')),
    validation_rules = CASE pg_column WHEN 'email' THEN '{"format": "email", "max_length": 200}'::jsonb
                                      WHEN 'name' THEN '{"min_length": 1, "x-ui": "text"}'::jsonb END;
"""


def median_run(argv: list[str], workdir: Path, reps: int) -> tuple[float, str]:
    times = []
    output = ""
    for _ in range(reps):
        elapsed, code, _, out, err = timed(argv, workdir)
        if code != 0:
            raise BenchError(f"{' '.join(argv[:4])} exited {code}: {err[-500:]}")
        times.append(elapsed)
        output = out
    return statistics.median(times), output


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO / ".build" / "debug" / "catalog")
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running and print how to reach it (for perf)")
    args = parser.parse_args(argv)
    if not args.catalog.exists():
        raise BenchError(f"{args.catalog} not found: run 'swift build' (or pass --catalog)")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    started = dt.datetime.now(dt.timezone.utc)
    root = Path(tempfile.mkdtemp(prefix="catalog-bench-codegen-"))
    cluster = Cluster(root, find_pg_bin())
    rows: dict[str, float] = {}
    cpu: dict[str, float] = {}
    sizes: dict[str, int] = {}
    try:
        cluster.start()
        log(f"cluster on port {cluster.port}; creating {args.tables} tables")
        cluster.sql("postgres", "CREATE DATABASE big;")
        cluster.sql("big", project_sql(args.tables))
        catalog = CatalogCLI(args.catalog, root / "catalog.sqlite")
        catalog("project", "add", "big", "--dsn", cluster.dsn("big"))
        catalog("metadata", "install", "big")
        catalog("metadata", "scan", "big")
        cluster.sql("big", METADATA_SQL)
        codegen = (REPO / "Sources/CatalogCore/Codegen/CodegenRead.swift").read_text()
        live_read = (REPO / "Sources/CatalogCore/Search/LiveRead.swift").read_text()
        types_sql = codegen.split('static let typesDocument = """', 1)[1].split('"""', 1)[0]

        def statement(source: str, name: str) -> str:
            return source.split(f'static let {name} = Query(\n        """', 1)[1].split('"""', 1)[0].replace("\\\\", "\\")

        dumps = [statement(live_read, "tablesDump"), statement(live_read, "columnsDump"), f"SELECT {types_sql}::text AS types"]
        argvs = {
            "baseline: catalog project list": catalog.argv("project", "list"),
            "baseline: psql runs an index refresh's reads": cluster.psql_argv("big") + [arg for sql in dumps for arg in ("-c", sql)],
        }
        for format in FORMATS:
            argvs[f"generate {format}"] = catalog.argv("generate", format, "--project", "big")
            argvs[f"generate {format} --cached"] = catalog.argv("generate", format, "--project", "big", "--cached")
        catalog("generate", "graphql", "--project", "big")  # warms the index for --cached
        times: dict[str, list[float]] = {name: [] for name in argvs}
        cpus: dict[str, list[float]] = {name: [] for name in argvs}
        for _ in range(args.reps):
            for name, command in argvs.items():
                elapsed, code, _, out, err = timed(command, root)
                if code != 0:
                    raise BenchError(f"{name} exited {code}: {err[-500:]}")
                times[name].append(elapsed)
                cpus[name].append(LAST_CPU[0])
                sizes[name] = len(out.encode())
        rows = {name: statistics.median(values) for name, values in times.items()}
        cpu = {name: statistics.median(values) for name, values in cpus.items()}
        if args.keep:
            log(f"kept: store {root / 'catalog.sqlite'}, dsn {cluster.dsn('big')}; stop with pg_ctl -D <data dir under {root}> stop")
            return 0
    finally:
        if args.keep:
            return 0
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
            signal.signal(signal.SIGINT, previous)
        log("cluster stopped and deleted")

    floor = rows["baseline: catalog project list"]
    lines = [f"{'what':48} {'median':>9} {'× project list':>14} {'CPU':>9} {'output':>10}"]
    for name, seconds in rows.items():
        lines.append(f"{name:48} {seconds * 1000:7.1f}ms {seconds / floor:13.1f}× {cpu[name] * 1000:7.1f}ms {sizes.get(name, 0):9d}B")
    live = sum(rows[f"generate {f}"] for f in FORMATS)
    cached = sum(rows[f"generate {f} --cached"] for f in FORMATS)
    live_cpu = sum(cpu[f"generate {f}"] for f in FORMATS)
    lines.append(f"all four formats, live: {live * 1000:.0f} ms (CPU {live_cpu * 1000:.0f} ms); --cached: {cached * 1000:.0f} ms "
                 f"(goal: under 1000 ms for {args.tables} tables) -> {'ok' if live < 1 else 'SLOW'}")
    table = "\n".join(lines)
    print(table)
    path = args.results or REPO / "bench" / "results" / f"codegen-{started.date().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "benchmark": "catalog generate, four formats (bench/codegen.py)", "started_at": started.isoformat(timespec="seconds"),
        "catalog": str(args.catalog), "tables": args.tables, "reps": args.reps, "cpus": os.cpu_count(),
        "median_seconds": rows, "median_cpu_seconds": cpu, "output_bytes": sizes, "four_formats_live_seconds": live,
        "four_formats_cached_seconds": cached, "table": lines,
    }, indent=2) + "\n")
    print(f"results written to {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0 if live < 1 else 3


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        print(f"bench/codegen.py: {error}", file=sys.stderr)
        sys.exit(2)
