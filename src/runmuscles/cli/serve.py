"""``runmuscles serve``: the local web app (upload runs, reports, weekly load, explore).

Binds 127.0.0.1 unless ``--host`` says otherwise; answers only to the Host names localhost,
127.0.0.1 and ::1 plus those given with ``--allowed-host`` (and the address given to ``--host``);
``--auth HASH`` (from ``--hash-password``) requires a login. Needs the ``web`` extra (FastAPI,
uvicorn, SQLAlchemy). Heavy imports happen inside the handler so that ``runmuscles --help`` stays
fast.

On a shared machine or a LAN, either start it with ``--auth`` or put it behind a reverse proxy
that authenticates (nginx ``auth_basic``, Caddy ``basicauth``) and forwards the Host header; then
pass the public name with ``--allowed-host`` (README, "Serving on a network").
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
  runmuscles serve --db postgresql://me@localhost/runmuscles
  runmuscles serve --hash-password          prints a hash for --auth (asks for the password)
  runmuscles serve --host 0.0.0.0 --allowed-host 192.168.1.20 --auth 'scrypt$...'
  RUNMUSCLES_AUTH='scrypt$...' runmuscles serve --host 0.0.0.0 --allowed-host runs.lan"""

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
    help="Largest upload of one activity, MB.",
)
@click.option(
    "--max-import-mb",
    type=float,
    default=4096.0,
    show_default=True,
    metavar="MB",
    help="Largest export archive uploaded for import, MB.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer to this Host name or address (repeatable; '.example.org' for a domain "
    "and its sub-domains). Localhost names are always allowed.",
)
@click.option(
    "--auth",
    metavar="HASH",
    envvar="RUNMUSCLES_AUTH",
    default=None,
    help="Require a login with the password of this hash (from --hash-password); also read "
    "from $RUNMUSCLES_AUTH, which keeps it out of the process list.",
)
@click.option(
    "--hash-password",
    is_flag=True,
    help="Ask for a password, print its hash for --auth, and exit.",
)
@click.option(
    "--workers", type=int, default=2, show_default=True, help="Analyses run at the same time."
)
@click.option(
    "--queue",
    type=int,
    default=8,
    show_default=True,
    help="Analyses that may wait for a worker; beyond them uploads get 503 and Retry-After.",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    max_upload_mb: float,
    max_import_mb: float,
    allowed_hosts: tuple[str, ...],
    auth: str | None,
    hash_password: bool,
    workers: int,
    queue: int,
) -> None:
    """Start the local web app. Runs are analysed on this computer and kept in a SQLite file in
    your data folder (or the database given by --db)."""
    if hash_password:
        from runmuscles.web.security import hash_password as make_hash

        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
        click.echo(make_hash(password))
        return
    if not 0 < port < 65536:
        raise InputError(f"--port {port} is not a TCP port; use 1..65535, e.g. 8000")
    if not max_upload_mb > 0:
        raise InputError(f"--max-upload-mb {max_upload_mb} must be positive, e.g. 32")
    if not max_import_mb > 0:
        raise InputError(f"--max-import-mb {max_import_mb} must be positive, e.g. 4096")
    if not (1 <= workers <= 64 and 0 <= queue <= 10_000):
        raise InputError(f"--workers {workers} / --queue {queue}: give 1..64 workers, 0..10000")
    missing = [m for m in WEB_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"the web app needs the 'web' extra ({', '.join(missing)} missing); install it "
            "with pip install 'runmuscles[web]'"
        )
    import uvicorn

    from runmuscles.web.app import create_app
    from runmuscles.web.security import LOCAL_HOSTS

    hosts = tuple(dict.fromkeys((*LOCAL_HOSTS, *allowed_hosts)))
    if host not in LOOPBACK and host not in ("0.0.0.0", "::"):
        hosts = (*hosts, host)  # the address it was started on answers too
    if host not in LOOPBACK and not auth:
        print(
            f"runmuscles: warning: serving on {host}: other computers can reach your run "
            "history and there is no login; use --auth (see --hash-password) or a reverse "
            "proxy that authenticates",
            file=sys.stderr,
        )
    if host in ("0.0.0.0", "::") and not allowed_hosts:
        print(
            "runmuscles: note: only localhost names are allowed in the Host header; add the "
            "name or address other computers use with --allowed-host",
            file=sys.stderr,
        )
    app = create_app(
        db,
        max_upload_bytes=int(max_upload_mb * 2**20),
        max_archive_bytes=int(max_import_mb * 2**20),
        allowed_hosts=hosts,
        auth=auth,
        workers=workers,
        queue=queue,
    )
    print(f"runmuscles: history in {app.state.store.url}", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info")


COMMANDS = (serve,)
