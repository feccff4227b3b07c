"""``runmuscles serve`` as a real process: it starts, binds 127.0.0.1 and answers."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
import httpx

from tests.web.servers import free_port


def test_serve_starts_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "h.sqlite3"
    argv = [sys.executable, "-m", "runmuscles", "serve", "--port", str(port), "--db",
            f"sqlite:///{db}"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/runs", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "runmuscles serve did not answer in 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json() == []
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert db.exists()
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "Uvicorn running on http://127.0.0.1" in out
    assert "Traceback" not in out
