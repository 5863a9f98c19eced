"""`make serve` in a real browser (issue 28): several dashboard processes behind nginx. A process
killed mid-session (kill -9, as a crash) loses the person nothing: the browser reconnects through
the proxy to a process that is alive, signed in (the session is a row in the database), on the same
page at the same date (both in the address)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from eet.texts import t
from tests.dashboard_server import (CHROMIUM, CHROMIUM_ARGS, ROOT, dashboard_processes, free_port, open_connections,
                                    serving)

NGINX = Path("/usr/sbin/nginx")
pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
              pytest.mark.skipif(not NGINX.exists(), reason="needs Debian's nginx")]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """serve.py (what `make serve` runs) with two processes on a fresh demo database; yields
    (base URL, serve.py's process)."""
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine

    folder = tmp_path_factory.mktemp("proxy")
    url = f"sqlite:///{folder / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    get_engine(url).dispose()
    port = free_port()
    env = {**os.environ, "EET_DATABASE_URL": url, "EET_LANG": "nl"}
    command = [sys.executable, str(ROOT / "serve.py"), "--port", str(port), "--workers", "2",
               "--address", "127.0.0.1", "--run-folder", str(folder / "run")]
    with serving(command, f"http://127.0.0.1:{port}/_stcore/health", folder / "serve.log", env=env,
                 timeout=120, cwd=ROOT) as process:
        yield f"http://127.0.0.1:{port}", process


def serving_process(serve_pid: int, timeout: float = 60) -> tuple[int, int]:
    """(port, pid) of the one dashboard process holding the browser's websocket (nginx keeps no
    other connection open to a dashboard process)."""
    deadline = time.time() + timeout
    while True:
        processes = dashboard_processes(serve_pid)
        connected = set(open_connections(set(processes)))
        if len(connected) == 1:
            port = connected.pop()
            return port, processes[port]
        if time.time() > deadline:
            raise AssertionError(f"no single process holds the websocket: {connected} of {processes}")
        time.sleep(0.2)


def drawn(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(500)


def subtitle(page) -> str:
    return page.locator("[data-testid='stCaptionContainer']", has_text="stand op").first.inner_text(timeout=60000)


def test_a_process_killed_mid_session_keeps_the_person_signed_in_on_the_same_page_and_date(proxy):
    from playwright.sync_api import sync_playwright

    base, serve = proxy
    review = t("page_review", "nl")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(base + "/evaluatie?as_of=2021-05-31&meeting=2021-04-15")
        page.get_by_role("textbox", name="Gebruikersnaam").fill("stuurgroep")
        page.get_by_role("textbox", name="Wachtwoord").fill("demo")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_selector(f"h1:has-text('{review}')", timeout=60000)
        drawn(page)
        assert "stand op 15 april 2021" in subtitle(page)

        port, pid = serving_process(serve.pid)
        os.kill(pid, signal.SIGKILL)
        # The browser notices, reconnects through nginx and runs the page again on a live process.
        deadline = time.time() + 90
        while True:
            now_port, now_pid = serving_process(serve.pid, timeout=90)
            if now_pid != pid:
                break
            assert time.time() < deadline, "the browser did not reconnect to another process"
            time.sleep(0.2)
        page.wait_for_selector(f"h1:has-text('{review}')", timeout=60000)
        drawn(page)
        assert page.locator("input[type='password']").count() == 0  # not asked to sign in again
        assert "stand op 15 april 2021" in subtitle(page)
        assert "/evaluatie" in page.url and "meeting=2021-04-15" in page.url
        # A choice on the page is answered by the live process, for the same person and date.
        page.locator(".st-key-review_basis label").filter(has_text=t("basis_launch", "nl")).click()
        page.wait_for_function("(name) => document.querySelector('.st-key-review_basis input[type=radio]:checked')"
                               "?.closest('label')?.innerText.includes(name)", arg=t("basis_launch", "nl"),
                               timeout=60000)
        drawn(page)
        assert page.locator("input[type='password']").count() == 0
        assert "stand op 15 april 2021" in subtitle(page)
        assert serving_process(serve.pid)[1] != pid
        assert "stuurgroep" in page.locator("[data-testid='stSidebar']").inner_text()
        browser.close()
