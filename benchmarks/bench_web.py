"""Web app and history benchmarks on this machine, with the shipped muscle atlas.

    python benchmarks/bench_web.py memory     # peak memory of the server under 6 x 30 MB uploads
    python benchmarks/bench_web.py latency    # upload-to-report time of real files
    python benchmarks/bench_web.py import N   # `runmuscles import` of an N-activity export

Every figure is printed with its baseline measured in the same run (memory: the same burst with
as many workers as uploads, i.e. no bound; latency: the report of a small file; import: seconds
per activity). The files come from ../shared/data/activities (time-shifted copies built here, never
stored in the repository); the script stops with a message when that folder is absent.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tests.history_files import real, shifted, start_of, strava_zip  # noqa: E402
from tests.web.servers import free_port  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "activities"
for _up in ROOT.parents:
    if not SHARED.exists() and (_up / "shared" / "data" / "activities").is_dir():
        SHARED = _up / "shared" / "data" / "activities"


def _need_data() -> None:
    if not SHARED.exists():
        sys.exit(f"shared data not found at {SHARED}: nothing to measure")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``runmuscles serve`` in a subprocess on a free loopback port."""

    def __init__(self, db: str, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [
            sys.executable,
            "-m",
            "runmuscles",
            "serve",
            "--port",
            str(self.port),
            "--db",
            db,
            *args,
        ]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/api/runs", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def long_gpx(megabytes: float, day: int) -> bytes:
    """A GPX of about ``megabytes`` MB: the real Strava GPX export's track repeated end to end in
    time (a multi-day ultra), moved by ``day`` days so every file is distinct."""
    base = real("strava.gpx")
    head, _, rest = base.partition(b"<trkseg>")
    seg, _, tail = rest.partition(b"</trkseg>")
    t0 = start_of(base)
    span = dt.timedelta(seconds=5200)
    parts = [head, b"<trkseg>"]
    k = 0
    while sum(len(p) for p in parts) < megabytes * 2**20:
        parts.append(shifted(seg, span * k))
        k += 1
    parts += [b"</trkseg>", tail]
    out = b"".join(parts)
    return shifted(out, dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day) - t0)


def _burst(files: list[bytes], *args: str) -> tuple[float, float, float, float, list[int]]:
    """(idle RSS, sampled max RSS, peak RSS (VmHWM) MB, wall s, statuses) of one server taking
    ``files`` at once."""
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(f"sqlite:///{tmp}/h.sqlite3", "--max-upload-mb", "40", *args)
        try:
            # warm: the atlas and the analysis code loaded by one small upload
            httpx.post(
                srv.url + "/api/runs", files={"file": ("w.tcx", real("fr620.tcx"))}, timeout=300
            )
            idle = _rss_mb(srv.proc.pid)
            samples: list[float] = []
            stop = threading.Event()
            out: list[int] = []

            def watch() -> None:
                while not stop.is_set():
                    samples.append(_rss_mb(srv.proc.pid))
                    time.sleep(0.05)

            def send(i: int) -> None:
                r = httpx.post(
                    srv.url + "/api/runs", files={"file": (f"{i}.gpx", files[i])}, timeout=900
                )
                out.append(r.status_code)

            w = threading.Thread(target=watch)
            w.start()
            t0 = time.monotonic()
            ts = [threading.Thread(target=send, args=(i,)) for i in range(len(files))]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            wall = time.monotonic() - t0
            stop.set()
            w.join()
            return idle, max(samples), _peak_rss_mb(srv.proc.pid), wall, sorted(out)
        finally:
            srv.close()


def memory() -> None:
    _need_data()
    files = [long_gpx(30, d) for d in range(6)]
    print(f"6 uploads of {[round(len(f) / 2**20, 1) for f in files]} MB (GPX, distinct runs)")
    results = {
        "bounded (default: 2 workers, 8 waiting)": _burst(files),
        "unbounded baseline (6 workers)": _burst(files, "--workers", "6"),
    }
    for label, (idle, top, peak, wall, codes) in results.items():
        print(
            f"{label}: RSS idle {idle:.0f} MB, peak {peak:.0f} MB (sampled max {top:.0f} MB), "
            f"burst {wall:.1f} s, statuses {codes}"
        )
    (b_idle, _, b_peak, b_wall, _), (u_idle, _, u_peak, u_wall, _) = results.values()
    print(
        f"ratio bounded/unbounded: peak growth {(b_peak - b_idle) / (u_peak - u_idle):.2f}, "
        f"wall time {b_wall / u_wall:.2f}"
    )


def latency() -> None:
    _need_data()
    cases = [
        ("small TCX 2.2 km (baseline)", "tcx/runpandas_fr620_run_garmin.tcx"),
        ("hilly FIT 5.8 km", "fit/runpandas_fr645m_hilly_run.fit"),
        ("Strava GPX 12.6 km", "gpx/runpandas_strava_export.gpx"),
        ("trail FIT 12.2 km", "fit/gc_fenix6x_trailrun_4077461142.fit"),
        ("Suunto FIT 20 km", "fit/gc_suunto_Move_2019_03_17_10_24_32_Running.fit"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(f"sqlite:///{tmp}/h.sqlite3")
        try:
            httpx.get(srv.url + "/explore", timeout=120)  # load the atlas first
            times = []
            for label, rel in cases:
                data = (SHARED / rel).read_bytes()
                t0 = time.monotonic()
                r = httpx.post(
                    srv.url + "/api/runs", files={"file": (Path(rel).name, data)}, timeout=300
                )
                t1 = time.monotonic()
                page = httpx.get(srv.url + r.json()["report_url"], timeout=300)
                t2 = time.monotonic()
                assert r.status_code == 201 and page.status_code == 200, (r.text, page.status_code)
                times.append((label, t1 - t0, t2 - t1))
            base = times[0][1] + times[0][2]
            for label, up, rep in times:
                print(
                    f"{label}: upload+analysis {up:.2f} s, report page {rep:.2f} s, total "
                    f"{up + rep:.2f} s ({(up + rep) / base:.1f}x the baseline)"
                )
        finally:
            srv.close()


def import_export(n: int) -> None:
    _need_data()
    names = ("fr620.tcx", "tomtom.gpx", "strava.gpx", "polar.tcx")
    start = dt.datetime(2022, 1, 3, 7, tzinfo=dt.UTC)
    files = []
    for i in range(n):
        base = real(names[i % len(names)])
        files.append(
            (
                f"{i}.{names[i % 4].rsplit('.', 1)[1]}",
                shifted(base, start + dt.timedelta(days=i * 1.5) - start_of(base)),
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "export.zip"
        archive.write_bytes(strava_zip(files))
        print(
            f"{n} activities, archive {archive.stat().st_size / 2**20:.1f} MB "
            f"({sum(len(gzip.compress(b)) for _, b in files[:4]) / 4 / 1024:.0f} kB each)"
        )
        db = f"sqlite:///{tmp}/h.sqlite3"
        t0 = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "runmuscles", "import", str(archive), "--db", db],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first = time.monotonic() - t0
        t0 = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "runmuscles", "import", str(archive), "--db", db],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        again = time.monotonic() - t0
        print(
            f"import: {first:.0f} s ({first / n:.2f} s per activity); the same export again "
            f"(all duplicates): {again:.1f} s (ratio {again / first:.3f})"
        )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "latency"
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if what == "memory":
        memory()
    elif what == "latency":
        latency()
    elif what == "import":
        import_export(int(sys.argv[2]) if len(sys.argv) > 2 else 500)
    else:
        sys.exit(__doc__)
