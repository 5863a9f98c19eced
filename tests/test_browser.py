"""A real browser: `streamlit run dashboard.py` on a free port against a temporary demo database,
headless Chromium signs in and opens every page at ?as_of=2021-01-15. Screenshots go to
$EET_SCREENSHOTS (default /tmp/eet-screens) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, demo_dashboard

SHOTS = Path(os.environ.get("EET_SCREENSHOTS", "/tmp/eet-screens"))
PAGES = {"overzicht": "Overzicht", "woningen": "Woningen", "deelnemers": "Deelnemers", "onderzoek": "Onderzoek"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_dashboard(tmp_path_factory, "browser")


def settle(page) -> None:
    """Wait until Streamlit has finished the run (no running indicator) and charts have drawn."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(1500)


def test_sign_in_and_every_page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/?as_of=2021-01-15")
        page.get_by_role("textbox", name="Gebruikersnaam").fill("onderzoeker")
        page.get_by_role("textbox", name="Wachtwoord").fill("demo")
        page.screenshot(path=str(SHOTS / "0-inloggen.png"), full_page=True)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_selector("h1:has-text('Overzicht')", timeout=30000)
        # Move through the sidebar, as a person does.
        for number, (slug, title) in enumerate(PAGES.items(), start=1):
            # Exact title: "Onderzoek" must not also match "Registers onderzoek".
            page.locator("[data-testid='stSidebarNav'] a").filter(
                has=page.get_by_text(title, exact=True)).click()
            page.wait_for_selector(f"h1:has-text('{title} · 15 januari 2021')", timeout=30000)
            settle(page)
            assert "as_of=2021-01-15" in page.url
            page.screenshot(path=str(SHOTS / f"{number}-{slug}.png"), full_page=True)
            assert page.locator("[data-testid='stException']").count() == 0, slug
            if slug == "overzicht":
                text = page.inner_text("[data-testid='stMain']")
                assert "De teller staat op 132 woningen, 45 woningen in de pijplijn" in text
        # A tablet in portrait: another browser (a sign-in is kept per browser, in a cookie).
        page = browser.new_context().new_page()
        page.set_viewport_size({"width": 820, "height": 1180})
        page.goto(f"{server}/?as_of=2021-05-31&lang=en")
        page.get_by_role("textbox", name="User name").fill("stuurgroep")
        page.get_by_role("textbox", name="Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("h1:has-text('Overview · 31 May 2021')", timeout=30000)
        settle(page)
        page.screenshot(path=str(SHOTS / "5-tablet-overview-en.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        browser.close()
