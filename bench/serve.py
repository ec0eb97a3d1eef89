#!/usr/bin/env python3
"""Load test for `catalog serve` (issues 8 and 14): wrk against column search, from memory, fresh=request and live.

Starts a throwaway PostgreSQL cluster (max_connections 1200), builds N project databases from
one template (the `saas` sample project, `_metadata` installed and scanned by catalog itself),
registers them through the HTTP API of a running `catalog serve`, warms the pool with one
search, then runs wrk for the given duration against

    GET /api/v1/search/columns?name=email            (memory, the default: the index held in
                                                      memory, kept fresh by a background check)
    GET /api/v1/search/columns?name=email&fresh=request
                                                     (the baseline: one revision query per server
                                                      at request time, then the store's index)
    GET /api/v1/search/columns?name=email&live=true  (live: every project is asked)

and counts the connections the service holds on the (one) server between requests.

while sampling the server's resident memory once a second. It reports throughput, p50, p90,
p99, errors and RSS (start, peak, end, drift over the run) for each N, checks every answer of a
final request against the expected rows, and writes a JSON and a Markdown summary.

Targets (issue 8): p50 under 150 ms at N = 1000, zero errors, flat memory over 60 s.
Issue 14: p50 <= 10 ms at N = 1000 under wrk -c1, at most 4 connections held per server.
See bench/README-serve.md. Python 3.11 standard library, wrk from Debian, PostgreSQL tools.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serve_fleet import REPO, TOKEN, BenchError, Cluster, Server, log, run


def build_databases(cluster: Cluster, catalog: Path, work: Path, first: int, last: int) -> None:
    if first == 1:
        cluster.sql("postgres", "CREATE DATABASE tmpl;")
        cluster.sql("tmpl", (REPO / "fixtures/projects/saas.sql").read_text())
        store = str(work / "template.sqlite")
        for args in (["project", "add", "tmpl", "--dsn", cluster.dsn("tmpl")], ["metadata", "install", "tmpl"], ["metadata", "scan", "tmpl"]):
            run([str(catalog), *args, "--store", store])
    start = time.monotonic()
    cluster.sql("postgres", "".join(f"CREATE DATABASE bench_{i:04d} TEMPLATE tmpl STRATEGY FILE_COPY;\n" for i in range(first, last + 1)))
    log(f"created databases {first}..{last} from the template in {time.monotonic() - start:.1f}s")


def register(server: Server, cluster: Cluster, first: int, last: int, catalog: Path, store: Path) -> None:
    start = time.monotonic()
    for i in range(first, last + 1):
        status, body = server.request("POST", "/api/v1/projects", {"name": f"bench_{i:04d}", "dsn": cluster.dsn(f"bench_{i:04d}"), "tags": ["bench"]})
        if status != 201:
            raise BenchError(f"registering bench_{i:04d}: {status} {body}")
    log(f"registered projects {first}..{last} through POST /api/v1/projects in {time.monotonic() - start:.1f}s")
    # Copies made from a template carry no database settings, so they publish nothing until their
    # first write; `metadata install` (idempotent) publishes the current revision, as for a clone.
    start = time.monotonic()
    names = [f"bench_{i:04d}" for i in range(first, last + 1)]
    for k in range(0, len(names), 200):
        run([str(catalog), "metadata", "install", *names[k:k + 200], "--store", str(store)])
    log(f"metadata install (publishes each revision) on {len(names)} projects in {time.monotonic() - start:.1f}s")


def held_connections(cluster: Cluster) -> dict:
    """What catalog serve holds on the server between requests, by database kind (after 1 s, so
    connections closed at the end of the last request have left pg_stat_activity)."""
    time.sleep(1)
    out = cluster.sql("postgres", "SELECT count(*), count(*) FILTER (WHERE datname = 'postgres') FROM pg_stat_activity "
                                  "WHERE application_name = 'catalog serve';").strip()
    total, maintenance = (int(x) for x in out.split("|"))
    return {"held_connections": total, "held_on_postgres_db": maintenance}


# memory: the default path of `catalog serve` (answers from the index held in memory, kept fresh by
# the background check every --refresh-interval, 1 s); request: `fresh=request`, the previous default
# (one revision query per server at request time, then the store's index), the baseline measured in
# the same run; live: every project read.
PATHS = [("memory", "/api/v1/search/columns?name=email"), ("request", "/api/v1/search/columns?name=email&fresh=request"),
         ("live", "/api/v1/search/columns?name=email&live=true")]


def wait_for_memory(server: Server, n: int, limit: float = 120) -> float:
    """Waits until a default search answers from memory for all n projects; returns the seconds it took."""
    start = time.monotonic()
    while True:
        status, answer = server.get("/api/v1/search/columns?name=email")
        projects = {m["project"] for m in answer.get("matches", [])}
        if status == 200 and answer.get("checked") == "background" and not answer.get("failures") and len(projects) == n:
            return time.monotonic() - start
        if time.monotonic() - start > limit:
            raise BenchError(f"N={n}: memory never answered for every project: checked {answer.get('checked')}, "
                             f"{len(projects)} projects, failures {answer.get('failures', [])[:3]}")
        time.sleep(0.2)


def parse_wrk(text: str) -> dict:
    def seconds(value: str, unit: str) -> float:
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    result: dict = {}
    for percentile in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        if match:
            result[f"p{percentile}_ms"] = round(seconds(*match.groups()) * 1000, 1)
    match = re.search(r"(\d+) requests in ([\d.]+)(s|m)", text)
    if match:
        result["requests"] = int(match.group(1))
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result["throughput_rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    result["socket_errors"] = sum(map(int, match.groups())) if match else 0
    return result


def run_wrk(server: Server, path: str, duration: int, connections: int, threads: int) -> tuple[dict, list[tuple[float, int]]]:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
            "-H", f"Authorization: Bearer {TOKEN}", server.base + path]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    start = time.monotonic()
    while process.poll() is None:
        samples.append((round(time.monotonic() - start, 1), server.rss_kib()))
        time.sleep(1)
    out, err = process.communicate()
    if process.returncode != 0:
        raise BenchError(f"wrk failed: {out}{err}")
    result = parse_wrk(out)
    result["wrk_output"] = out
    return result, samples


def memory_summary(samples: list[tuple[float, int]]) -> dict:
    rss = [kib for _, kib in samples]
    # Drift: the mean of the last quarter against the mean of the second quarter (after warm-up).
    quarter = max(1, len(rss) // 4)
    early = sum(rss[quarter:2 * quarter]) / len(rss[quarter:2 * quarter]) if len(rss) >= 2 * quarter else rss[0]
    late = sum(rss[-quarter:]) / quarter
    return {"rss_start_mib": round(rss[0] / 1024, 1), "rss_peak_mib": round(max(rss) / 1024, 1),
            "rss_end_mib": round(rss[-1] / 1024, 1), "rss_drift_mib": round((late - early) / 1024, 1),
            "samples": samples}


def cli_baseline(catalog: Path, store: Path, runs: int = 3) -> float:
    """The same search through the CLI, which opens a connection per project: median ms of `runs`."""
    times = []
    for _ in range(runs):
        start = time.monotonic()
        run([str(catalog), "find-column", "email", "--live", "--store", str(store), "--format", "json"])
        times.append((time.monotonic() - start) * 1000)
    return round(sorted(times)[len(times) // 2], 1)


def check_answer(server: Server, n: int, path: str = "/api/v1/search/columns?name=email") -> None:
    status, answer = server.get(path)
    projects = {m["project"] for m in answer.get("matches", [])}
    if status != 200 or answer.get("failures") or len(projects) != n:
        raise BenchError(f"N={n}: expected matches from {n} projects and no failures, got {len(projects)} projects, "
                         f"failures {answer.get('failures', [])[:3]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO / ".build-serve/release/catalog", help="the catalog binary")
    parser.add_argument("--sizes", default="100,1000", help="project counts, ascending (default 100,1000)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of wrk per size (default 60)")
    parser.add_argument("--connections", default="1,4", help="wrk connections, one run each (default 1,4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--modes", default="memory,request,live", help="which searches: memory (the default path), request (fresh=request), live")
    parser.add_argument("--max-fanouts", type=int, default=2, help="catalog serve --max-fanouts (default 2)")
    parser.add_argument("--out", type=Path, default=REPO / "bench/results-serve.json", help="where the JSON summary goes")
    args = parser.parse_args(argv)
    if not args.catalog.exists():
        raise BenchError(f"{args.catalog} not found; build it with: swift build -c release --scratch-path .build-serve")
    if shutil.which("wrk") is None:
        raise BenchError("wrk not found; apt-get install -y wrk")
    sizes = [int(s) for s in args.sizes.split(",")]

    root = Path(tempfile.mkdtemp(prefix="catalog-bench-serve-"))
    os.chmod(root, 0o755)
    cluster = Cluster(root)
    server = None
    results = []
    try:
        cluster.start()
        log(f"cluster up on 127.0.0.1:{cluster.port}")
        server = Server(args.catalog, root / "store.sqlite", root, ["--max-fanouts", str(args.max_fanouts)])
        built = 0
        for n in sizes:
            build_databases(cluster, args.catalog, root, built + 1, n)
            register(server, cluster, built + 1, n, args.catalog, root / "store.sqlite")
            built = n
            start = time.monotonic()
            status, warm = server.get("/api/v1/search/columns?name=email")
            log(f"N={n}: warm-up search {status} in {time.monotonic() - start:.2f}s, {len(warm.get('failures', []))} failure(s)")
            log(f"N={n}: memory answers for every project after {wait_for_memory(server, n):.1f}s more")
            check_answer(server, n)
            check_answer(server, n, PATHS[1][1])
            baseline = cli_baseline(args.catalog, root / "store.sqlite")
            log(f"N={n}: baseline `catalog find-column email --live` (new connections): median {baseline} ms of 3")
            for connections, (mode, path) in [(int(c), m) for c in args.connections.split(",") for m in PATHS
                                              if m[0] in args.modes.split(",")]:
                log(f"N={n}: running wrk -c{connections} -d{args.duration}s {mode} (load average {os.getloadavg()[0]:.1f})")
                load = os.getloadavg()[0]
                result, samples = run_wrk(server, path, args.duration, connections, min(args.threads, connections))
                result["mode"] = mode
                # The answer check waits out a request wrk left running, so what follows is held
                # between requests.
                check_answer(server, n, path)
                result.update(held_connections(cluster))
                result.update(memory_summary(samples))
                result["cli_live_median_ms"] = baseline
                result["p50_vs_cli"] = round(result["p50_ms"] / baseline, 3) if result.get("p50_ms") else None
                result.update({"projects": n, "connections": connections, "duration_s": args.duration, "max_fanouts": args.max_fanouts,
                               "load_average_before": round(load, 1), "load_average_after": round(os.getloadavg()[0], 1)})
                log(f"N={n} c={connections} {mode}: {result['throughput_rps']} req/s, held {result['held_connections']}, p50 {result.get('p50_ms')} ms, p99 {result.get('p99_ms')} ms, "
                    f"errors {result['non_2xx'] + result['socket_errors']}, RSS {result['rss_start_mib']} → {result['rss_end_mib']} MiB "
                    f"(peak {result['rss_peak_mib']}, drift {result['rss_drift_mib']})")
                results.append(result)
        status = server.stop()
        log(f"catalog serve exited {status} on SIGTERM")
        server = None
    finally:
        if server:
            server.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)

    summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": f"{os.cpu_count()} cores", "results": results}
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    lines = ["| projects | search | wrk -c | req/s | p50 ms | p90 ms | p99 ms | CLI ms | p50 / CLI | errors | held conns | RSS start → end MiB (peak, drift) | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['projects']} | {r['mode']} | {r['connections']} | {r['throughput_rps']:.1f} | {r.get('p50_ms')} | {r.get('p90_ms')} | {r.get('p99_ms')} | "
                     f"{r['cli_live_median_ms']} | {r['p50_vs_cli']}x | {r['non_2xx'] + r['socket_errors']} | {r['held_connections']} | {r['rss_start_mib']} → {r['rss_end_mib']} ({r['rss_peak_mib']}, {r['rss_drift_mib']:+}) | "
                     f"{r['load_average_before']} → {r['load_average_after']} |")
    # The memory path against the request-time path, measured in this run at the same N and -c.
    for r in results:
        if r["mode"] != "memory":
            continue
        base = next((b for b in results if b["mode"] == "request" and b["projects"] == r["projects"] and b["connections"] == r["connections"]), None)
        if base and r.get("p50_ms") and base.get("p50_ms"):
            lines.append(f"\nN={r['projects']} c={r['connections']}: memory p50 {r['p50_ms']} ms vs fresh=request {base['p50_ms']} ms "
                         f"({base['p50_ms'] / r['p50_ms']:.1f}x faster); p99 {r.get('p99_ms')} vs {base.get('p99_ms')} ms")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        print(f"bench/serve.py: {error}", file=sys.stderr)
        sys.exit(1)
