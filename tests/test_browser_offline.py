"""Nothing from outside: a real browser (headless Chromium) loads the sign-in page and, signed in,
the overview, and records every request the page makes. Every one must go to the dashboard's own
host: the monitor works offline and sends nothing anywhere (no font server, no CDN, no statistics)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, demo_dashboard

SHOTS = Path(os.environ.get("EET_SCREENSHOTS", "/tmp/eet-screens"))

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_dashboard(tmp_path_factory, "offline")


def test_a_page_load_requests_nothing_from_another_host(server):
    own = urlsplit(server).netloc
    requested: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        # Anything to another host is refused, so a test machine with network behaves like one without.
        page.route(lambda url: urlsplit(url).scheme in ("http", "https", "ws", "wss")
                   and urlsplit(url).netloc != own, lambda route: route.abort())
        page.goto(server + "/?as_of=2021-01-15")
        page.get_by_role("textbox", name="Gebruikersnaam").wait_for(timeout=30000)
        page.wait_for_timeout(1500)
        signed_out = len(requested)
        page.get_by_role("textbox", name="Gebruikersnaam").fill("stuurgroep")
        page.get_by_role("textbox", name="Wachtwoord").fill("demo")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_selector("h1:has-text('Overzicht')", timeout=30000)
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
        page.wait_for_timeout(2500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "offline-overview.png"), full_page=True)
        # Streamlit's menu holds English only items (Print, Record screen, "Made with Streamlit"): none.
        assert page.locator('[data-testid="stMainMenu"]').count() == 0
        # A mistyped address: the overview, saying so in Dutch, and the address cleaned up.
        page.goto(server + "/woning?as_of=2021-01-15")
        page.get_by_text("Het adres /woning is geen pagina van de monitor").wait_for(timeout=30000)
        assert "niet_gevonden" not in page.url and "as_of=2021-01-15" in page.url
        page.get_by_role("heading", name="Overzicht").first.wait_for(timeout=30000)
        browser.close()
    assert signed_out > 0 and len(requested) > signed_out  # the recorder saw both loads
    outside = sorted({url for url in requested
                      if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own})
    assert outside == [], outside


def test_a_web_address_that_is_no_page_goes_to_the_overview(server):
    """Streamlit answers an unknown page with an English-only "Page not found" dialog; the monitor
    sends a mistyped or old link to the overview instead, with its language and date kept, and
    leaves the pages and Streamlit's own addresses alone."""
    import urllib.error
    import urllib.request

    class NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoFollow)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(server + "/woning?lang=en&as_of=2021-01-15", timeout=30)
    assert answer.value.code == 303
    assert answer.value.headers["location"] == "/?lang=en&as_of=2021-01-15&niet_gevonden=woning"
    for path in ("/woningen", "/Woningen", "/audittrail", "/_stcore/health", "/"):
        assert opener.open(server + path, timeout=30).status == 200, path


def test_only_addresses_shaped_as_pages_count_as_unknown():
    from ui.navigation import is_unknown_page

    assert [p for p in ("/woning", "/beheerr/", "/x") if not is_unknown_page(p)] == []
    assert [p for p in ("/", "/woningen", "/DEELNEMERS", "/_stcore/health", "/static/app.js", "/favicon.png",
                        "/oauth2callback", "/auth/login", "/_eet/session", "/media/abc.png", "/odata", "/odata/")
            if is_unknown_page(p)] == []
