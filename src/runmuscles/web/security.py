"""Locked doors of the web app (pure ASGI middleware, outermost first):

1. :class:`SecurityHeaders`: every response carries a Content-Security-Policy (scripts and styles
   from this server only, no framing: ``frame-ancestors 'none'``), ``X-Content-Type-Options:
   nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin`` and
   ``Cross-Origin-Opener-Policy``/``-Resource-Policy: same-origin``.
2. :class:`HostCheck`: the ``Host`` header must name this server (:data:`LOCAL_HOSTS` by default,
   more with ``--allowed-host``): a page on another site that rebinds its DNS name to 127.0.0.1
   reaches the server with its own name in ``Host`` and is refused (400), so it can read nothing.
3. :class:`SameOrigin`: POST, PUT, PATCH and DELETE from a browser must come from this origin:
   ``Sec-Fetch-Site`` cross-site/same-site is refused, else ``Origin`` (or ``Referer``) must name
   the same host and port as ``Host`` (403). Requests without these headers do not come from a
   web page (curl, scripts) and pass; a cross-site form POST always carries them.
4. :class:`Login` (only with ``--auth``): a session cookie from ``/login`` (HttpOnly,
   SameSite=Strict, signed with a per-process key) or HTTP Basic credentials (any user name, the
   password) on every request except the login page, static files and the icon; pages redirect
   to ``/login``, the API answers 401. Passwords are checked against a scrypt hash
   (:func:`hash_password`, ``runmuscles serve --hash-password``); 5 failures a minute from one
   address get 429.

GET and HEAD never change state (the routes are written so; tests check it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote, urlsplit

from runmuscles.errors import InputError

__all__ = [
    "CSP",
    "LOCAL_HOSTS",
    "SESSION_COOKIE",
    "Auth",
    "HostCheck",
    "Login",
    "SameOrigin",
    "SecurityHeaders",
    "hash_password",
    "host_allowed",
    "verify_password",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
#: (scope, status, message, extra headers) -> an ASGI response app
ErrorFactory = Callable[[Scope, int, str, dict[str, str]], ASGIApp]

#: Host names a local server answers to by default.
LOCAL_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "runmuscles_session"


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return bytes(v).decode("latin-1")
    return None


def _split_host(value: str) -> tuple[str, int | None] | None:
    """(host name lower-case, port or None) of a Host header or URL netloc; None if malformed."""
    value = value.strip()
    if not value or any(c in value for c in "/@ \t\\"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = value.partition(":")
        if ":" in port_text:
            return None
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        return None
    return host.lower().rstrip("."), int(port_text) if port_text else None


def host_allowed(host_header: str | None, allowed: tuple[str, ...]) -> bool:
    """True when the Host header names an allowed host: exact names or addresses, ``.example.org``
    for a domain and its sub-domains, ``*`` for any (only behind a proxy that checks it)."""
    if "*" in allowed:
        return True
    parts = _split_host(host_header or "")
    if parts is None or not parts[0]:
        return False
    host = parts[0]
    for a in allowed:
        a = a.lower().rstrip(".")
        if a.startswith("."):
            if host == a[1:] or host.endswith(a):
                return True
        elif host == a.strip("[]"):
            return True
    return False


def check_allowed_hosts(hosts: tuple[str, ...]) -> tuple[str, ...]:
    """Validated allow-list entries (InputError naming a bad one)."""
    out = []
    for h in hosts:
        h = h.strip().lower()
        ok = h == "*" or (h.startswith(".") and _split_host(h[1:]) is not None)
        if not ok and h:
            try:
                ipaddress.ip_address(h.strip("[]"))
                ok = True
            except ValueError:
                ok = _split_host(h) is not None and ":" not in h
        if not ok:
            raise InputError(
                f"allowed host {h!r} is not a host name or address; give e.g. "
                "--allowed-host runs.example.org or --allowed-host 192.168.1.20"
            )
        out.append(h)
    return tuple(out)


class SecurityHeaders:
    """Adds the security headers (module docstring) to every response; a response that set its
    own Content-Security-Policy keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                names = {bytes(k).lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k, v) for k, v in HEADERS if k not in names]
                msg["headers"] = headers
            await send(msg)

        await self.app(scope, receive, with_headers)


class HostCheck:
    """400 unless the Host header is on the allow-list (DNS-rebinding defence)."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...], error: ErrorFactory) -> None:
        self.app = app
        self.allowed = allowed
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = _header(scope, b"host")
            if not host_allowed(host, self.allowed):
                msg = (
                    f"this server does not answer to the host name {host!r}; open it as "
                    "http://127.0.0.1:PORT (or start it with --allowed-host NAME to add a name)"
                )
                await self.error(scope, 400, msg, {})(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _origin_host(value: str) -> tuple[str, int | None] | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    hp = _split_host(parts.netloc)
    if hp is None:
        return None
    port = hp[1] or (443 if parts.scheme == "https" else 80)
    return hp[0], port


def cross_origin_reason(scope: Scope) -> str | None:
    """Why an unsafe request looks cross-origin, or None when it may pass (module docstring)."""
    site = _header(scope, b"sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return f"the request came from another site (Sec-Fetch-Site: {site})"
    host = _split_host(_header(scope, b"host") or "")
    origin = _header(scope, b"origin")
    referer = _header(scope, b"referer")
    claimed, what = (origin, "Origin") if origin is not None else (referer, "Referer")
    if claimed is None:
        return None
    if claimed == "null":
        return "the request came from an opaque origin (Origin: null)"
    theirs = _origin_host(claimed)
    if host is None or theirs is None:
        return f"the request's {what} {claimed!r} cannot be checked against this server"
    # a Host without a port is the scheme's default port; behind a TLS proxy the app may see
    # http while the page was https, so either default port matches a port-less Host
    port_ok = theirs[1] in (80, 443) if host[1] is None else theirs[1] == host[1]
    if theirs[0] != host[0] or not port_ok:
        return f"the request came from {claimed} ({what}), not from this server"
    return None


class SameOrigin:
    """403 for a state-changing request that a page on another origin sent."""

    def __init__(self, app: ASGIApp, error: ErrorFactory) -> None:
        self.app = app
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            why = cross_origin_reason(scope)
            if why is not None:
                msg = f"refused: {why}; runmuscles only accepts changes from its own pages"
                await self.error(scope, 403, msg, {})(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------------- passwords
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode().rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def hash_password(password: str, *, n: int = _SCRYPT["n"]) -> str:
    """A salted scrypt hash ``scrypt$N$r$p$salt$key`` (base64) of ``password``."""
    if len(password) < 8:
        raise InputError("the password is too short: use at least 8 characters")
    salt = secrets.token_bytes(16)
    r, p = _SCRYPT["r"], _SCRYPT["p"]
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.strip().split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
        if n < 2**10 or n & (n - 1) or not (1 <= r <= 32 and 1 <= p <= 16) or len(key) < 16:
            raise ValueError
    except ValueError:
        raise InputError(
            "the --auth value is not a password hash from `runmuscles serve --hash-password` "
            "(expected scrypt$N$r$p$salt$key)"
        ) from None
    return n, r, p, salt, key


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the scrypt hash ``stored`` (constant-time compare)."""
    n, r, p, salt, key = _parse_hash(stored)
    got = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(key), maxmem=256 * n * r + 2**20
    )
    return hmac.compare_digest(got, key)


class Auth:
    """Password check, signed session tokens and a failure limit for one server process."""

    SESSION_S = 12 * 3600
    MAX_FAILURES, WINDOW_S = 5, 60.0

    def __init__(self, password_hash: str) -> None:
        _parse_hash(password_hash)
        self.password_hash = password_hash.strip()
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}
        self._basic_ok: set[bytes] = set()

    def _sign(self, text: str) -> str:
        mac = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def new_session(self) -> str:
        """A signed token ``expiry.nonce.signature`` (cookie-safe characters only)."""
        expires = int(time.time()) + self.SESSION_S
        nonce = secrets.token_urlsafe(12)
        body = f"{expires}.{nonce}"
        return f"{body}.{self._sign(body)}"

    def session_ok(self, token: str | None) -> bool:
        if not token or token.count(".") != 2:
            return False
        body, _, sig = token.rpartition(".")
        if not hmac.compare_digest(sig, self._sign(body)):
            return False
        expires = body.split(".", 1)[0]
        return expires.isdigit() and int(expires) > time.time()

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if now - t < self.WINDOW_S]
            self._failures[client] = recent
            if len(recent) < self.MAX_FAILURES:
                return 0
            return int(self.WINDOW_S - (now - recent[0])) + 1

    def check(self, password: str, client: str) -> bool:
        """Verify a password, counting failures per client address."""
        ok = verify_password(password, self.password_hash)
        if not ok:
            with self._lock:
                self._failures.setdefault(client, []).append(time.monotonic())
        return ok

    def basic_ok(self, header: str | None, client: str) -> bool:
        """HTTP Basic credentials with the right password (any user name)."""
        if not header or not header.lower().startswith("basic "):
            return False
        digest = hmac.new(self._key, header.encode(), hashlib.sha256).digest()
        if digest in self._basic_ok:
            return True
        try:
            _, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        if self.retry_after(client) or not self.check(password, client):
            return False
        with self._lock:
            if len(self._basic_ok) > 1000:
                self._basic_ok.clear()
            self._basic_ok.add(digest)
        return True


def session_cookie(scope: Scope) -> str | None:
    raw = _header(scope, b"cookie") or ""
    for part in raw.split(";"):
        k, _, v = part.strip().partition("=")
        if k == SESSION_COOKIE:
            return v.strip('"')
    return None


def client_of(scope: Scope) -> str:
    c = scope.get("client")
    return str(c[0]) if c else "?"


class Login:
    """Requires a session or HTTP Basic credentials when the server runs with ``--auth``."""

    def __init__(self, app: ASGIApp, auth: Auth, error: ErrorFactory) -> None:
        self.app = app
        self.auth = auth
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        scope.setdefault("state", {})["authenticated"] = False
        if path in ("/login", "/favicon.ico") or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        client = client_of(scope)
        if self.auth.session_ok(session_cookie(scope)) or self.auth.basic_ok(
            _header(scope, b"authorization"), client
        ):
            scope["state"]["authenticated"] = True
            await self.app(scope, receive, send)
            return
        if path.startswith("/api"):
            wait = self.auth.retry_after(client)
            if wait:
                msg = f"too many wrong passwords from {client}; try again in {wait} s"
                await self.error(scope, 429, msg, {"Retry-After": str(wait)})(scope, receive, send)
                return
            msg = "log in first: open /login in a browser, or send HTTP Basic credentials"
            headers = {"WWW-Authenticate": 'Basic realm="runmuscles"'}
            await self.error(scope, 401, msg, headers)(scope, receive, send)
            return
        qs = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{qs}" if qs else "")
        location = "/login?next=" + quote(target, safe="")
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", location.encode()), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in ("/" unless ``target`` is a path on this site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
