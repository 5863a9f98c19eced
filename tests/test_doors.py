"""Doors a browser or a script can knock on (issue 25), tried against the served dashboard (app.py):
- a page on another origin (another port of the same host, or another host) opens the dashboard's
  websocket with a signed-in person's cookie: refused, while the dashboard's own page is served;
- the server sends nothing anywhere: every connection it attempts and every name it looks up is
  recorded (an audit hook, tests/connect_log/sitecustomize.py) and its sockets are watched in
  /proc while Chromium walks the pages and while foreign handshakes are refused; only this machine
  may be reached;
- Markdown from the address: `/?niet_gevonden=...` with a link and an image to another host shows,
  after sign-in, no link and loads no image from elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import urllib.error
import urllib.request

from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard

import websockets  # noqa: E402  (Streamlit requires it: constraints.txt)
HERE = Path(__file__).resolve().parent
# The address of the issue: a notice that would carry a link to another site and an image from another host.
HOSTILE = ("x **Sessie verlopen:** [klik hier](https://evil.example/login) "
           "![t](http://other-host/track.png)")


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def _address(hex_text: str) -> str:
    ip, port = hex_text.split(":")
    raw = bytes.fromhex(ip)
    if len(raw) == 4:
        host = ".".join(str(b) for b in raw[::-1])
    else:  # four little-endian 32-bit words
        words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
        host = ":".join(b"".join(words)[i:i + 2].hex() for i in range(0, 16, 2))
    return f"{host}:{int(port, 16)}"


def remote_peers(pid: int) -> set[str]:
    """The remote addresses of the sockets process `pid` holds (tcp, udp; IPv4 and IPv6)."""
    inodes = _socket_inodes(pid)
    peers = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                peers.add(_address(fields[2]))
    return peers


def _outside(peer: str) -> bool:
    host = peer.rsplit(":", 1)[0]
    loopback = host.startswith("127.") or host in ("0.0.0.0", "0000:0000:0000:0000:0000:0000:0000:0001",
                                                   "0000:0000:0000:0000:0000:0000:0000:0000") \
        or host.startswith("0000:0000:0000:0000:0000:ffff:7f")
    return not loopback


class Watch:
    """Polls the server's sockets every 20 ms in a thread; `outside` are the non-local peers seen."""

    def __init__(self, pid: int):
        self.pid, self.outside, self.polls = pid, set(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.outside |= {p for p in remote_peers(self.pid) if _outside(p)}
            self.polls += 1
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The dashboard on a demo database, with its connection log; yields (base URL, pid, log, url)."""
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine

    folder = tmp_path_factory.mktemp("doors")
    url = f"sqlite:///{folder / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    get_engine(url).dispose()
    log = folder / "connections.log"
    log.write_text("")
    env = {"PYTHONPATH": os.pathsep.join([str(HERE / "connect_log"), os.environ.get("PYTHONPATH", "")]),
           "EET_CONNECT_LOG": str(log)}
    with running_dashboard(url, folder / "streamlit.log", extra_env=env) as base:
        pid = _server_pid(base)
        yield base, pid, log, url


def _server_pid(base: str) -> int:
    """The pid of the process listening on the base URL's port."""
    port = urlsplit(base).port
    listening = {line.split()[9] for table in ("tcp", "tcp6")
                 for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]
                 if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if _socket_inodes(int(proc.name)) & listening:
                    return int(proc.name)
            except OSError:
                continue
    raise RuntimeError("no process listens on " + base)


def _token(database_url: str, username: str = "beheerder") -> str:
    """A signed-in session of the demo account `username`, as the sign-in routes make it."""
    from sqlmodel import select

    from eet.accounts import sessions
    from eet.accounts.access import Actor
    from eet.store.engine import get_engine, session_scope
    from eet.store.models import User

    with session_scope(get_engine(database_url)) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        ticket = sessions.issue_ticket(session, Actor(user.username, user.role, user.organisation_id, user.id))
    with session_scope(get_engine(database_url)) as session:
        return sessions.redeem_ticket(session, ticket)


async def _handshake(base: str, origin: str | None, token: str) -> int:
    """The HTTP status of a websocket handshake to /_stcore/stream (101: opened)."""
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, origin=origin, additional_headers={"Cookie": f"eet_sid={token}"},
                                      subprotocols=["streamlit"], open_timeout=20) as ws:
            await ws.close()
            return 101
    except websockets.exceptions.InvalidStatus as refused:
        return refused.response.status_code


def handshake(base: str, origin: str | None, token: str) -> int:
    """_handshake on a thread of its own (Playwright's sync API holds an event loop on this one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _handshake(base, origin, token)).result()


def _foreign_origins(base: str) -> list[str]:
    port = urlsplit(base).port
    return [f"http://127.0.0.1:{port + 1}", f"http://localhost:{port}", f"https://127.0.0.1:{port}",
            "http://evil.example", f"http://evil.example:{port}", "null"]


def test_a_websocket_from_another_origin_is_refused_and_the_own_page_is_served(served):
    base, _pid, _log, url = served
    token = _token(url)
    own = handshake(base, base, token)
    foreign = {origin: handshake(base, origin, token) for origin in _foreign_origins(base)}
    missing = handshake(base, None, token)
    assert own == 101
    assert foreign == {origin: 403 for origin in foreign}
    assert missing == 403


def test_a_fetch_from_another_origin_with_the_session_is_refused(served):
    base, _pid, _log, url = served
    token = _token(url)

    def status(headers: dict) -> int:
        request = urllib.request.Request(base + "/_stcore/host-config", headers={"Cookie": f"eet_sid={token}", **headers})
        try:
            return urllib.request.urlopen(request, timeout=20).status
        except urllib.error.HTTPError as answer:
            return answer.code

    port = urlsplit(base).port
    assert status({"Origin": base}) == 200
    assert status({}) == 200  # a script or a same-origin load without Origin
    assert status({"Origin": f"http://127.0.0.1:{port + 1}"}) == 403
    assert status({"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"}) == 403
    assert status({"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate"}) == 200  # a link from elsewhere


def test_an_origin_the_admin_configured_for_a_proxy_is_admitted():
    from ui.origins import admitted, configured_origins

    allowed = configured_origins("https://Monitor.example.org, not an origin, http://10.0.0.5:8080")
    assert allowed == {("https", "monitor.example.org", 443), ("http", "10.0.0.5", 8080)}

    def scope(origin):
        headers = [(b"host", b"127.0.0.1:8501")] + ([(b"origin", origin.encode())] if origin else [])
        return {"type": "websocket", "scheme": "ws", "headers": headers}

    from ui.origins import _headers
    for origin, expected in (("https://monitor.example.org", True), ("https://monitor.example.org:443", True),
                             ("http://monitor.example.org", False), ("http://127.0.0.1:8501", True),
                             ("http://127.0.0.1:8502", False), (None, False)):
        assert admitted(scope(origin), _headers(scope(origin)), allowed) is expected, origin


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_markdown_from_the_address_shows_no_link_and_fetches_nothing_and_nothing_leaves_the_server(served):
    """Chromium signs in and opens the issue's address, then walks three pages; foreign websockets
    are refused meanwhile. No link to another site, no image from another host, and the server
    attempts no connection beyond this machine."""
    playwright = pytest.importorskip("playwright.sync_api")
    base, pid, log, url = served
    own = urlsplit(base).netloc
    requested: list[str] = []
    token = _token(url)
    with Watch(pid) as watch:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.route(lambda u: urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own,
                       lambda route: route.abort())
            page.goto(base + "/")
            page.get_by_role("textbox", name="Gebruikersnaam").wait_for(timeout=30000)
            page.get_by_role("textbox", name="Gebruikersnaam").fill("beheerder")
            page.get_by_role("textbox", name="Wachtwoord").fill("demo")
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_selector("h1:has-text('Overzicht')", timeout=30000)
            page.goto(base + "/?niet_gevonden=" + quote(HOSTILE))
            notice = page.locator('[data-testid="stAlert"]').filter(has_text="Sessie verlopen")
            notice.first.wait_for(timeout=30000)
            text = notice.first.inner_text()
            links = [a for a in page.locator('[data-testid="stMain"] a').evaluate_all("all => all.map(a => a.href)")
                     if urlsplit(a).netloc != own]
            images = page.locator('img[src*="other-host"]').count()
            for path in ("/woningen", "/deelnemers", "/"):
                page.goto(base + path)
                page.wait_for_selector("h1", timeout=30000)
                page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
                for origin in _foreign_origins(base)[:4]:
                    assert handshake(base, origin, token) == 403
            browser.close()
    assert "[klik hier](https://evil.example/login)" in text.replace("\u2060", "")  # shown as typed
    assert links == [] and images == 0
    assert not [u for u in requested if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != own]
    assert watch.polls > 20
    assert watch.outside == set()
    assert log.read_text() == ""
