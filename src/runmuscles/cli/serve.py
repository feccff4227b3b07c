"""``runmuscles serve``: the local web app (upload runs, reports, weekly load, explore).

Binds 127.0.0.1 unless ``--host`` says otherwise; needs the ``web`` extra (FastAPI, uvicorn,
SQLAlchemy). Heavy imports happen inside the handler so that ``runmuscles --help`` stays fast.
"""

from __future__ import annotations

import importlib.util
import sys

import click

from runmuscles.errors import InputError

__all__ = ["COMMANDS", "serve"]

EXAMPLES = """\b
examples:
  runmuscles serve                          http://127.0.0.1:8000, history in your data folder
  runmuscles serve --port 8080 --db sqlite:///runs.sqlite3
  runmuscles serve --db postgresql://me@localhost/runmuscles"""

LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: What the 'web' extra installs, by import name.
WEB_MODULES = ("fastapi", "uvicorn", "sqlalchemy")


@click.command(
    short_help="Local web app: upload runs, reports, weekly muscle load.",
    epilog=EXAMPLES,
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (127.0.0.1: only this computer).",
)
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port.")
@click.option(
    "--db",
    metavar="URL",
    default=None,
    help="Database URL (default: a SQLite file in your data folder; "
    "postgresql://user@host/dbname for PostgreSQL).",
)
@click.option(
    "--max-upload-mb",
    type=float,
    default=32.0,
    show_default=True,
    metavar="MB",
    help="Largest upload, MB.",
)
def serve(host: str, port: int, db: str | None, max_upload_mb: float) -> None:
    """Start the local web app. Runs are analysed on this computer and kept in a SQLite file in
    your data folder (or the database given by --db)."""
    if not 0 < port < 65536:
        raise InputError(f"--port {port} is not a TCP port; use 1..65535, e.g. 8000")
    if not max_upload_mb > 0:
        raise InputError(f"--max-upload-mb {max_upload_mb} must be positive, e.g. 32")
    missing = [m for m in WEB_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"the web app needs the 'web' extra ({', '.join(missing)} missing); install it "
            "with pip install 'runmuscles[web]'"
        )
    import uvicorn

    from runmuscles.web.app import create_app

    if host not in LOOPBACK:
        print(
            f"runmuscles: warning: serving on {host}: other computers can reach your run "
            "history; there is no login",
            file=sys.stderr,
        )
    app = create_app(db, max_upload_bytes=int(max_upload_mb * 2**20))
    print(f"runmuscles: history in {app.state.store.url}", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info")


COMMANDS = (serve,)
