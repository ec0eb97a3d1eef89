"""A long unattended run of `catalog serve`'s scheduler (issue 16): a backup schedule every 30 s over
20 projects, two `catalog serve` processes on one store (only one may run jobs), failures injected
and cleared, and a local webhook that counts the alerts. Prints (and writes to bench/results-ops.json)
the runs, the failures injected, the alerts received and any slot that ran twice.

    python3 bench/ops_soak.py [--seconds 600] [--projects 20]

Python 3.11 standard library only; reuses bench/serve_fleet.py's throwaway cluster and server.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_fleet import REPO, Cluster, Server, log, run  # noqa: E402

RECEIVED: list[dict] = []


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RECEIVED.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--every", default="30s")
    args = parser.parse_args()
    catalog = REPO / ".build/debug/catalog"
    work = Path(tempfile.mkdtemp(prefix="catalog-ops-soak-"))
    store = work / "catalog.sqlite"
    cluster = Cluster(work)
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    servers: list[Server] = []
    injected: list[str] = []
    try:
        cluster.start()
        names = [f"p{i:02d}" for i in range(1, args.projects + 1)]
        missing = names[-3:]  # registered on databases that do not exist yet: failures from the start
        for name in names:
            if name not in missing:
                cluster.sql("postgres", f"CREATE DATABASE {name};")
                cluster.sql(name, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g;")
            run([str(catalog), "project", "add", name, "--dsn", cluster.dsn(name), "--store", str(store)])
        injected += [f"{name}: database missing from the start" for name in missing]
        secret = f"http://127.0.0.1:{hook.server_address[1]}/hooks/T000/B000/SECRETSECRET"
        run([str(catalog), "alert", "add", "--webhook", secret, "--on", "failure,stale,size-change,drift", "--store", str(store)])
        run([str(catalog), "schedule", "add", "backup", "--all", "--every", args.every, "--keep-last", "3", "--name", "soak",
             "--store", str(store)])
        backups = work / "backups"
        servers = [Server(catalog, store, work, ["--backup-dir", str(backups), "--max-jobs", "2", "--public-url", "http://127.0.0.1:1"])
                   for _ in range(2)]
        log(f"two servers on one store, {args.projects} projects, every {args.every}, for {args.seconds} s")
        start = time.monotonic()
        events = [
            (args.seconds * 0.3, "drop", names[0]),
            (args.seconds * 0.5, "create", missing[0]),
            (args.seconds * 0.5, "create", missing[1]),
            (args.seconds * 0.6, "grow", names[1]),
            (args.seconds * 0.7, "restore", names[0]),
        ]
        while time.monotonic() - start < args.seconds:
            elapsed = time.monotonic() - start
            while events and events[0][0] <= elapsed:
                _, action, name = events.pop(0)
                if action == "drop":
                    cluster.sql("postgres", f"DROP DATABASE {name} WITH (FORCE);")
                    injected.append(f"{name}: database dropped at {elapsed:.0f} s")
                elif action in ("create", "restore"):
                    cluster.sql("postgres", f"CREATE DATABASE {name};")
                    cluster.sql(name, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g;")
                    log(f"{name}: database created at {elapsed:.0f} s")
                elif action == "grow":
                    cluster.sql(name, "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g*3)::text) AS v FROM generate_series(1, 300000) g;")
                    injected.append(f"{name}: grown about 20-fold at {elapsed:.0f} s (size change)")
            time.sleep(1)
        for server in servers:
            server.stop()
        servers = []
        time.sleep(2)
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        runs = dict(db.execute("SELECT outcome, count(*) FROM schedule_run GROUP BY outcome").fetchall())
        slots = db.execute("SELECT count(*), count(DISTINCT slot), count(DISTINCT epoch) FROM schedule_run").fetchone()
        project_outcomes = dict(db.execute("SELECT outcome, count(*) FROM schedule_run_project GROUP BY outcome").fetchall())
        backup_rows = db.execute("SELECT count(*) FROM backup").fetchone()[0]
        incidents = db.execute("SELECT kind, count(*), sum(resolved_at IS NULL) FROM incident GROUP BY kind").fetchall()
        alerts: dict[str, int] = {}
        for payload in RECEIVED:
            key = f"{payload.get('kind')}/{payload.get('state')}"
            alerts[key] = alerts.get(key, 0) + 1
        leaks = [p for p in RECEIVED if "SECRET" in json.dumps(p)]
        result = {
            "seconds": args.seconds, "projects": args.projects, "every": args.every, "servers": 2,
            "runs_by_outcome": runs, "runs": slots[0], "distinct_slots": slots[1], "lease_epochs": slots[2],
            "project_outcomes": project_outcomes, "backups_kept": backup_rows, "failures_injected": injected,
            "incidents": {kind: {"opened": count, "still_open": still} for kind, count, still in incidents},
            "alerts_received": alerts, "alerts_with_secret": len(leaks),
            "example_alert": RECEIVED[0] if RECEIVED else None,
        }
        print(json.dumps(result, indent=2))
        (REPO / "bench/results-ops.json").write_text(json.dumps(result, indent=2) + "\n")
        return 0 if slots[0] == slots[1] and not leaks else 1
    finally:
        for server in servers:
            server.stop()
        cluster.stop()
        hook.shutdown()


if __name__ == "__main__":
    sys.exit(main())
