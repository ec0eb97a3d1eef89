"""What the `catalog serve` checks share: a throwaway PostgreSQL cluster, the sample projects,
and a running `catalog serve` with a token. Used by bench/serve.py, scripts/browser-check.py and
scripts/schemathesis.py. Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "check-token-" + os.urandom(8).hex()
T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "CATALOG_STORE"}
    env["PSQLRC"] = "/dev/null"
    env["LC_MESSAGES"] = "C"
    return env


ENV = clean_env()


def run(argv: list[str], *, input: str | None = None, timeout: int = 600) -> str:
    proc = subprocess.run(argv, input=input, capture_output=True, text=True, env=ENV, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv[:3])} … failed (exit {proc.returncode}): {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pg_bin() -> Path:
    for version in sorted((int(p.name) for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit()), reverse=True):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if (candidate / "initdb").exists():
            return candidate
    raise BenchError("initdb not found; apt-get install -y postgresql")


class Cluster:
    """initdb in a temporary directory, 127.0.0.1 only, trust auth; stopped by stop()."""

    def __init__(self, root: Path):
        self.bin = find_pg_bin()
        self.dir = root / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False

    def tool(self, name: str, *args: str) -> str:
        exe = str(self.bin / name)
        if os.geteuid() == 0:
            # runuser resets the soft open-files limit; 1000 backends want more.
            return run(["runuser", "-u", "postgres", "--", "sh", "-c", 'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', exe, *args])
        return run([exe, *args])

    def start(self) -> None:
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            os.chmod(self.dir.parent, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        self.tool("initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust", "--auth-host=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        settings = {
            "listen_addresses": "'127.0.0.1'", "port": str(self.port), "unix_socket_directories": f"'{self.dir}'",
            "max_connections": "1200", "shared_buffers": "256MB", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "autovacuum": "off", "log_min_messages": "warning",
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# catalog bench/serve.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
        self.tool("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "120", "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            self.tool("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False

    def sql(self, database: str, script: str) -> str:
        return run([str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir),
                    "-p", str(self.port), "-U", "postgres", "-d", database], input=script)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


class Server:
    """`catalog serve` on a free port with a token file, its log in the work directory."""

    def __init__(self, binary: Path, store: Path, work: Path, extra: list[str]):
        self.port = free_port()
        token_file = work / "token"
        token_file.write_text(TOKEN + "\n")
        token_file.chmod(0o600)
        self.log_path = work / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [str(binary), "serve", "--store", str(store), "--port", str(self.port), "--token-file", str(token_file),
             "--allow-hosts", "127.0.0.1", "--log-level", "warning", *extra],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"), env=ENV)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                if self.get("/healthz", auth=False)[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise BenchError(f"catalog serve did not come up; see {self.log_path}")

    def request(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if auth:
            request.add_header("Authorization", f"Bearer {TOKEN}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def get(self, path: str, auth: bool = True) -> tuple[int, dict]:
        return self.request("GET", path, auth=auth)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=60)


def sample_fleet(cluster: Cluster, catalog: Path, store: Path) -> None:
    """The three sample projects (fixtures/projects), registered, installed and scanned with the CLI,
    and a shared definition `users` (shop's users table) attached to saas and shop."""
    for name in ("saas", "shop", "crm"):
        cluster.sql("postgres", f"CREATE DATABASE {name}_db;")
        cluster.sql(f"{name}_db", (REPO / f"fixtures/projects/{name}.sql").read_text())
        run([str(catalog), "project", "add", name, "--dsn", cluster.dsn(f"{name}_db"), "--tag", "internal" if name == "crm" else "prod",
             "--store", str(store)])
    for args in (["metadata", "install", "--all"], ["metadata", "scan", "--all"], ["shared", "add", "users", "--from", "shop:public.users"],
                 ["shared", "attach", "users", "--project", "saas", "--project", "shop"]):
        run([str(catalog), *args, "--store", str(store)])
