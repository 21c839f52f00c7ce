"""A throwaway PostgreSQL cluster for the tests and the benchmark: initdb, pg_ctl start, stop, remove.

Rules:
- The binaries come from FRONTDESK_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin, else the PATH.
- The cluster lives in a new temporary folder (data, Unix socket, log) and listens on a free loopback port.
- initdb refuses to run as root: as root, every binary runs as the `postgres` system user (runuser), and the
  folder is handed to that user.
- Durability settings are off (fsync, full_page_writes, synchronous_commit) unless `durable=True`: the
  test cluster is disposable and its crash is never tested, only the crash of its clients. The benchmark
  starts a durable one, so that its commit rates mean something.
- `pg_ctl start -w` returns once the server accepts connections: no polling, no sleeping here.
- `halt()` stops the server and keeps its data, `resume()` starts it again on the same port (a database
  restart, as its clients see one); `stop()` stops it for good and removes the folder.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

SUPERUSER = "frontdesk"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    configured = os.environ.get("FRONTDESK_PG_BINDIR")
    if configured:
        return Path(configured)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[-3].split(".")[0])
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    """A port of 127.0.0.1 free right now, for a server the tests start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    as_postgres_user: bool
    options: str = ""

    @classmethod
    def start(cls, bindir: Path, *, durable: bool = False) -> "PostgresServer":
        root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
        as_root = os.geteuid() == 0
        if as_root:
            shutil.chown(root, user="postgres", group="postgres")
        server = cls(bindir=bindir, root=root, port=free_port(), as_postgres_user=as_root)
        try:
            server._run(
                "initdb", "-D", str(server.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync", "--no-instructions",
            )  # fmt: skip
            server.options = f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
            if not durable:
                server.options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            server.resume()
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bindir / program), *arguments]
        if self.as_postgres_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.root)
        if result.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")

    def execute(self, sql: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE) as the superuser."""
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def resume(self) -> None:
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", self.options, "-w", "-t", "60", "start")

    def halt(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self.halt()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
