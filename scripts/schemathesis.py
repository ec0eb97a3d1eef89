#!/usr/bin/env python3
"""Schemathesis against a live `catalog serve` (issue 8): no 5xx, and every response matches /openapi.json.

Starts a throwaway cluster with the three sample projects and `catalog serve` with a token,
then runs `schemathesis run http://…/openapi.json` with the bearer token and every check, and
exits with schemathesis's status. The run's JUnit report goes to --out.

Extra arguments after `--` go to schemathesis (for example `-- --max-examples 200`).
Needs: pip install schemathesis (the script offers a virtual environment under ~/.cache/catalog-checks).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from serve_fleet import REPO, TOKEN, BenchError, Cluster, Server, log, sample_fleet  # noqa: E402

VENV = Path.home() / ".cache/catalog-checks"


def schemathesis_binary() -> str:
    found = shutil.which("schemathesis") or (str(VENV / "bin/schemathesis") if (VENV / "bin/schemathesis").exists() else None)
    if not found:
        raise BenchError(f"schemathesis is missing: python3 -m venv {VENV} && {VENV}/bin/pip install schemathesis")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO / ".build-serve/debug/catalog", help="the catalog binary")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "catalog-schemathesis", help="where the report goes")
    parser.add_argument("--max-examples", type=int, default=100, help="test cases per operation (default 100)")
    parser.add_argument("extra", nargs="*", help="more schemathesis arguments, after --")
    args = parser.parse_args(argv)
    binary = schemathesis_binary()
    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="catalog-schemathesis-"))
    root.chmod(0o755)
    cluster = Cluster(root)
    server = None
    try:
        cluster.start()
        store = root / "store.sqlite"
        sample_fleet(cluster, args.catalog, store)
        server = Server(args.catalog, store, root, ["--query-timeout", "5"])
        log(f"serving {server.base}")
        command = [
            binary, "--config-file", str(Path(__file__).with_suffix(".toml")), "run", f"{server.base}/openapi.json",
            "--header", f"Authorization: Bearer {TOKEN}",
            "--checks", "all", "--max-examples", str(args.max_examples), "--workers", "2",
            "--request-timeout", "30", "--seed", "8", "--no-color",
            "--report", "junit", "--report-junit-path", str(args.out / "junit.xml"),
            *args.extra,
        ]
        status = subprocess.run(command).returncode
        log(f"schemathesis exited {status}; report in {args.out}")
        log(f"catalog serve exited {server.stop()} on SIGTERM; its log: {server.log_path}")
        shutil.copy(server.log_path, args.out / "serve.log")
        server = None
        return status
    finally:
        if server:
            server.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        sys.exit(f"schemathesis: {error}")
