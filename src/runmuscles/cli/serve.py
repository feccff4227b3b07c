"""``runmuscles serve``: the local web app (upload runs, reports, weekly load, explore).

Binds 127.0.0.1 unless ``--host`` says otherwise; needs the ``web`` extra (FastAPI, uvicorn,
SQLAlchemy). Heavy imports happen inside the handler so that ``runmuscles --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from runmuscles.errors import InputError

__all__ = ["register"]

EXAMPLES = """\
examples:
  runmuscles serve                          http://127.0.0.1:8000, history in your data folder
  runmuscles serve --port 8080 --db sqlite:///runs.sqlite3
  runmuscles serve --db postgresql://me@localhost/runmuscles
"""

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="local web app: upload runs, see reports, weekly muscle load, explore",
        description="Start the local web app. Runs are analysed on this computer and kept in a "
        "SQLite file in your data folder (or the database given by --db).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1: only you)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (8000)")
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL (default: a SQLite file in your data folder; "
        "postgresql://user@host/dbname for PostgreSQL)",
    )
    p.add_argument(
        "--max-upload-mb", type=float, default=32.0, metavar="MB", help="largest upload (32 MB)"
    )
    p.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port} is not a TCP port; use 1..65535, e.g. 8000")
    if not args.max_upload_mb > 0:
        raise InputError(f"--max-upload-mb {args.max_upload_mb} must be positive, e.g. 32")
    try:
        import uvicorn

        from runmuscles.web.app import create_app
    except ImportError as exc:
        raise InputError(
            f"the web app needs the 'web' extra ({exc.name} is missing); install it with "
            "pip install 'runmuscles[web]'"
        ) from None
    if args.host not in LOOPBACK:
        print(
            f"runmuscles: warning: serving on {args.host}: other computers can reach your run "
            "history; there is no login",
            file=sys.stderr,
        )
    app = create_app(args.db, max_upload_bytes=int(args.max_upload_mb * 2**20))
    print(f"runmuscles: history in {app.state.store.url}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
