"""Real servers for the web tests: a throwaway PostgreSQL cluster and uvicorn on loopback.

Nothing here installs anything: when the PostgreSQL binaries (Debian ``postgresql``) or Chromium
(Debian ``chromium``) are absent, the fixtures using them skip with the reason and the fix
(``.ci/system-deps.sh`` installs both).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIX = "run .ci/system-deps.sh (apt-get install -y postgresql chromium) to run these tests"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl (or on PATH)."""

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.parent.name)) or (0,)

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


class PostgresCluster:
    """initdb + pg_ctl in a temporary folder, listening on 127.0.0.1:<free port> only.

    As root the server runs as the ``postgres`` system user (PostgreSQL refuses root) through
    ``runuser``; otherwise as the current user. Trust authentication, fsync off: a test server.
    """

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            pytest.skip(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {FIX}")
        self.bin = bindir
        self.prefix: list[str] = []
        self.uid: int | None = None
        if os.geteuid() == 0:
            try:
                self.uid = pwd.getpwnam("postgres").pw_uid
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL")
            if not shutil.which("runuser"):
                pytest.skip("running as root without runuser to drop to the 'postgres' user")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="runmuscles-pg-"))
        if self.uid is not None:
            os.chown(self.dir, self.uid, -1)
        os.chmod(self.dir, 0o700)
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False

    def _run(self, *args: str, timeout: float = 120) -> None:
        out = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if out.returncode != 0:
            log = self.dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {out.stderr[-2000:]}\n{tail}")

    def start(self) -> str:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "runmuscles",
            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
            "-w", "-t", "60", "-o", opts, "start",
        )  # fmt: skip
        self.started = True
        return f"postgresql+psycopg://runmuscles@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(Exception):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                          "-w", "stop")  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_database(self, name: str) -> str:
        """Create an empty database; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="runmuscles", dbname="postgres",
            autocommit=True,
        ) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://runmuscles@127.0.0.1:{self.port}/{name}"


class LiveServer:
    """A real uvicorn server on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as srv:
        yield srv
