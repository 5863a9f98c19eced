"""Launcher of the dashboard: `streamlit run app.py` (what `make run` does) or `uvicorn app:app`.

Streamlit serves dashboard.py; this file adds what a script run cannot do, setting and deleting the
sign-in cookie:
- POST /_eet/session (ticket, next): turns the one-time ticket of a checked sign-in into a session
  token in an HttpOnly, SameSite=Lax cookie (Secure over https) and continues to `next`, the page
  and query the person asked for (a path on this site only);
- POST /_eet/logout (next): ends the session of the cookie on the server and deletes the cookie;
- the return from the organisation's provider (st.login) goes back to the page the person started
  on, not to "/";
- /odata/…: the data feed for Excel and Power BI (eet.feed.service; issue 27).
Before serving, it migrates the database and imports every module the pages use, so the first
sign-in after a start never meets a half-imported module (issue 18), and does once what the first
visitor's script runs would otherwise do lazily (issue 15: the texts, the language data, Plotly's
figure code, Streamlit's emoji table; measured with bench/browser.py --first-sign-ins).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import streamlit as st
from streamlit import net_util
from streamlit.runtime.pages_manager import PagesManager
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

import eet
from eet.accounts import sessions
from eet.bootstrap import initialise
from eet.store.engine import get_engine, session_scope
from eet.texts import LANGUAGES, t
from eet.texts import formatting as fmt
from ui.navigation import NOT_FOUND, is_unknown_page
from ui.origins import OwnOrigin
from ui.page_language import PageLanguage

ROOT = Path(__file__).resolve().parent

# The monitor sends nothing anywhere (issue 25). Streamlit asks checkip.amazonaws.com for the
# machine's external IP (and "connects" a UDP socket to 8.8.8.8 for its internal one) to print its
# start banner and to judge a websocket from an unknown origin. .streamlit/config.toml names the
# address (browser.serverAddress), so the banner asks nothing; the origin check is OwnOrigin's, which
# refuses an unknown origin before Streamlit's runs; and should any other path still ask, it gets
# these answers (an empty external IP is "none", as when the lookup fails) without a connection.
# Checked by tests/test_doors.py, which records every connection the server attempts.
net_util._external_ip = ""
net_util._internal_ip = "127.0.0.1"
NEXT_COOKIE = "eet_next"  # where the provider's return continues to (10 minutes, HttpOnly)
STREAMLIT_USER_COOKIES = ("_streamlit_user", "_streamlit_user_tokens")


def _same_origin(request: Request) -> bool:
    """A POST from a page of this site (Streamlit's XSRF check does not cover these routes)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body())[:8192].decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


def _redirect(target: str) -> RedirectResponse:
    response = RedirectResponse(sessions.safe_next(target), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _redeem(ticket: str | None) -> str | None:
    with session_scope(get_engine()) as session:
        return sessions.redeem_ticket(session, ticket)


def _revoke(token: str | None) -> None:
    with session_scope(get_engine()) as session:
        sessions.revoke(session, token)


async def session_route(request: Request) -> Response:
    if not _same_origin(request):
        return Response("cross-site request refused", status_code=403)
    form = await _form(request)
    token = await run_in_threadpool(_redeem, form.get("ticket"))
    response = _redirect(form.get("next", "/"))
    if token:
        response.set_cookie(sessions.COOKIE, token, path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https",
                            max_age=int(sessions.ABSOLUTE_LIMIT.total_seconds()))
        for name in STREAMLIT_USER_COOKIES:  # the provider's sign-in now lives in our session
            response.delete_cookie(name, path="/")
    return response


async def logout_route(request: Request) -> Response:
    if not _same_origin(request):
        return Response("cross-site request refused", status_code=403)
    form = await _form(request)
    await run_in_threadpool(_revoke, request.cookies.get(sessions.COOKIE))
    response = _redirect(form.get("next", "/"))
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    for name in STREAMLIT_USER_COOKIES:
        response.delete_cookie(name, path="/")
    return response


async def feed_route(request: Request) -> Response:
    """The OData feed for Excel and Power BI (eet.feed.service): HTTP Basic with a personal access
    token; the sign-in cookie is not passed on."""
    from eet.feed import service

    reply = await run_in_threadpool(service.handle, get_engine(), service.Request(
        method=request.method, path=request.url.path, query=dict(request.query_params),
        authorization=request.headers.get("authorization"),
        base=f"{request.url.scheme}://{request.url.netloc}", prefer=request.headers.get("prefer")))
    return Response(reply.body if request.method != "HEAD" else b"", status_code=reply.status, headers=reply.headers)


class ProviderReturn(BaseHTTPMiddleware):
    """st.login's callback always returns to "/": remember the page the person left for the
    provider (/auth/login is opened from it) and continue there."""

    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        path = request.url.path
        if path == "/auth/login":
            referer = urlsplit(request.headers.get("referer", ""))
            if f"{referer.scheme}://{referer.netloc}" == f"{request.url.scheme}://{request.url.netloc}":
                target = sessions.safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
                if target != "/":
                    response.set_cookie(NEXT_COOKIE, target, max_age=600, path="/", httponly=True,
                                        samesite="lax", secure=request.url.scheme == "https")
        elif path == "/oauth2callback" and response.status_code in (302, 303, 307):
            target = sessions.safe_next(request.cookies.get(NEXT_COOKIE))
            if target != "/" and response.headers.get("location") == "/":
                response.headers["location"] = target
            response.delete_cookie(NEXT_COOKIE, path="/")
        return response


class UnknownPage(BaseHTTPMiddleware):
    """A mistyped or old link (/woning) goes to the overview, its query (language, date) kept and
    the address named (?niet_gevonden=woning: the overview says so in the page's language), rather
    than to Streamlit's "Page not found" dialog, which is in English only."""

    async def dispatch(self, request: Request, call_next):
        if request.method == "GET" and is_unknown_page(request.url.path):
            query = [(k, v) for k, v in parse_qsl(request.url.query) if k != NOT_FOUND]
            query.append((NOT_FOUND, request.url.path.strip("/")[:80]))
            return _redirect("/?" + urlencode(query))
        return await call_next(request)


def import_everything() -> None:
    """Import every module of eet and the charting libraries the pages use, once, before the first
    request (a page run on one thread met a module half imported by another)."""
    for module in pkgutil.walk_packages(eet.__path__, "eet."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    # The charting and table libraries, with what Streamlit imports of them at its first chart or
    # table; streamlit.emojis compiles a 0.2 s regular expression at the first non-ASCII alert.
    for name in ("plotly.graph_objects", "plotly.express", "plotly.io", "plotly.tools", "pandas", "pyarrow",
                 "streamlit.emojis", "ui", "ui.forms"):
        importlib.import_module(name)


def warm_up() -> None:
    """What the first runs after a start would otherwise do lazily, each once per process (0.6 s
    of the first sign-in's server time under load, and the overview's SQL compiled at its first
    run, cProfile through bench/served.py): read the text catalogue, load each language's number
    and date data (Babel), compute the overview's figures at its opening date (SQLAlchemy compiles
    each statement once) and serialise its chart as st.plotly_chart does, and let Streamlit make
    its one-time check of how it was started (a walk of the whole call stack at the first element
    drawn). A failure here is logged, never a reason not to serve."""
    import plotly.io
    from streamlit import delta_generator, runtime

    from eet.accounts.access import Actor
    from eet.charts import viewer as viewer_charts
    from eet.figures import progress
    from eet.store import contents

    try:
        for lang in LANGUAGES:
            t("app_title", lang)
            fmt.long_date(date.today(), lang)
            fmt.number(1234.5, lang, 1)
            fmt.percent(0.5, lang)
            fmt.euro(1, lang)
        with session_scope(get_engine()) as session:
            day = contents.opening_date(session, date.today())
            viewer = Actor("warm-up", "viewer")  # no account: the figures are computed, nothing is written
            head = progress.headline(session, viewer, day)
            progress.outlook(session, viewer, day)
            progress.changes_since(session, viewer, day, progress.default_since(day))
        for lang in LANGUAGES:
            plotly.io.to_json(viewer_charts.counter_bar(head, lang), validate=False)
    except Exception:  # the pages will meet the same again and show it; serving is what matters here
        logging.getLogger(__name__).exception("warming up before serving failed")
    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if check is not None and runtime.exists():  # under a server it only notes that it was checked
        check()


@asynccontextmanager
async def lifespan(_app):
    # Streamlit decides on the first run of a fresh server whether the app is a pages/ folder app
    # (the old multipage mode) and, since this project has a pages/ folder, would run the first
    # link's page file by its file name ("Page not found" for /woningen) until dashboard.py's
    # st.navigation has run once. This app navigates only through st.navigation: say so up front.
    PagesManager.uses_pages_directory = False
    await run_in_threadpool(import_everything)
    await run_in_threadpool(initialise, get_engine())
    await run_in_threadpool(warm_up)
    yield


app = st.App(str(ROOT / "dashboard.py"), lifespan=lifespan,
             routes=[Route("/_eet/session", session_route, methods=["POST"]),
                     Route("/_eet/logout", logout_route, methods=["POST"]),
                     Route("/odata", feed_route, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
                     Route("/odata/{rest:path}", feed_route, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])],
             middleware=[Middleware(OwnOrigin), Middleware(ProviderReturn), Middleware(UnknownPage),
                         Middleware(PageLanguage)])
