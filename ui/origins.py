"""Only the dashboard's own pages may talk to it (issue 25: a page on another port of the same host
opened /_stcore/stream with the signed-in admin's cookie and received the admin's overview).

Streamlit admits a websocket from any localhost origin, and a cookie is not bound to a port, so a
page served anywhere on the same host (or on a host Streamlit thinks is its own) could drive a
signed-in person's session. This ASGI middleware, which app.py puts in front of Streamlit, refuses:
- a websocket handshake (`/_stcore/stream`) whose Origin is missing or is not admitted;
- an HTTP request whose Origin header is present and not admitted (every cross-origin fetch, form
  post and XHR of a browser sends one);
- an HTTP request that carries the session cookie and that the browser marks as coming from
  another site (`Sec-Fetch-Site: same-site` or `cross-site`, which a page on another port is),
  unless it is a top-level navigation (a link to the monitor from elsewhere still opens it).

Admitted origins: the dashboard's own, the scheme, host and port the request was sent to (its Host
header and the connection's scheme), and those an admin lists in `EET_ALLOWED_ORIGINS` for a
reverse proxy that changes them (comma-separated, e.g. `https://monitor.example.org`; a default port
may be left out). A refused request is answered 403 before Streamlit sees it, so Streamlit's own
origin check, which looks up the machine's external IP on the internet for an unknown origin, never
runs for it (issue 25, part 4).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from starlette.requests import cookie_parser

from eet.accounts.sessions import COOKIE as SESSION_COOKIE

SETTING = "EET_ALLOWED_ORIGINS"
DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}

Origin = tuple[str, str, int]


def parse_origin(text: str | None) -> Origin | None:
    """("https", "monitor.example.org", 443) for "https://Monitor.example.org"; None when `text` is
    no origin a browser sends (missing, "null", another scheme, a path, user info)."""
    if not text:
        return None
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password \
            or parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def configured_origins(raw: str | None = None) -> frozenset[Origin]:
    """The origins listed in EET_ALLOWED_ORIGINS (or `raw`); an entry that is no origin is ignored."""
    raw = os.environ.get(SETTING, "") if raw is None else raw
    found = (parse_origin(item) for item in raw.replace(";", ",").split(","))
    return frozenset(origin for origin in found if origin is not None)


def _headers(scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        name = key.decode("latin-1").lower()
        if name not in headers:  # the first of repeated headers, as Starlette reads them
            headers[name] = value.decode("latin-1")
    return headers


def own_origin(scope, headers: dict[str, str]) -> Origin | None:
    """The origin this request was addressed to: the connection's scheme and the Host header."""
    scheme = WEB_SCHEMES.get(scope.get("scheme", "http"), "http")
    return parse_origin(f"{scheme}://{headers['host']}") if headers.get("host") else None


def _carries_session(headers: dict[str, str]) -> bool:
    """Read as Starlette reads cookies (for the session lookup), so no spelling slips past."""
    return SESSION_COOKIE in cookie_parser(headers.get("cookie", ""))


def admitted(scope, headers: dict[str, str], allowed: frozenset[Origin]) -> bool:
    """Whether this request (an ASGI http or websocket scope) may reach the dashboard."""
    origin_header = headers.get("origin")
    origin = parse_origin(origin_header)
    own = own_origin(scope, headers)
    known = origin is not None and (origin == own or origin in allowed)
    if scope["type"] == "websocket":
        return known
    if origin_header is not None and not known:
        return False
    site = headers.get("sec-fetch-site", "").lower()
    if site in ("same-site", "cross-site") and _carries_session(headers) and not known:
        return headers.get("sec-fetch-mode", "").lower() == "navigate" and scope.get("method") in ("GET", "HEAD")
    return True


class OwnOrigin:
    """ASGI middleware: refuses what `admitted` refuses, with 403 (a websocket: its handshake)."""

    def __init__(self, app, allowed: frozenset[Origin] | None = None):
        self.app = app
        self.allowed = configured_origins() if allowed is None else allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and not admitted(scope, _headers(scope), self.allowed):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            else:
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"cache-control", b"no-store")]})
                await send({"type": "http.response.body", "body": b"request from another origin refused"})
            return
        await self.app(scope, receive, send)
