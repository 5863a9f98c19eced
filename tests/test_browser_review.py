"""The review page in a real browser (issue 14): a meeting date typed into the field is the date
of the pack downloaded right after it, without leaving the field first (the field applies a typed
date only when one clicks elsewhere); Enter applies it; the exact pack has a file name of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eet.texts import t
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, demo_dashboard

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_dashboard(tmp_path_factory, "browser_review")


def settle(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(800)


def open_review(browser, server: str, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    page.goto(server + "/?as_of=2021-05-31")
    page.get_by_role("textbox", name="Gebruikersnaam").fill(username)
    page.get_by_role("textbox", name="Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("h1:has-text('Overzicht')", timeout=60000)
    page.locator("[data-testid='stSidebarNav'] a").filter(has=page.get_by_text(t("page_review", "nl"), exact=True)).click()
    page.wait_for_selector(f"h1:has-text('{t('page_review', 'nl')}')", timeout=60000)
    page.wait_for_selector("[data-testid='stDownloadButton']", timeout=60000)
    settle(page)
    return page


def type_meeting_date(page, digits: str) -> None:
    """Type a date into the meeting date's day, month and year, as a person does (no click elsewhere)."""
    page.locator(".st-key-review_date [role=spinbutton]").first.click()
    page.keyboard.type(digits, delay=40)


def subtitle(page) -> str:
    return page.locator("[data-testid='stCaptionContainer']", has_text="stand op").first.inner_text()


def download(page, key: str) -> tuple[str, str]:
    with page.expect_download(timeout=90000) as done:
        page.locator(f".st-key-{key} button").click()
    text = Path(done.value.path()).read_bytes()
    return done.value.suggested_filename, text.decode("utf-8", errors="replace") if key.endswith("html") else ""


def test_a_typed_meeting_date_is_the_date_of_the_pack_and_enter_applies_it(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = open_review(browser, server, "stuurgroep")
        assert "stand op 27 mei 2021" in subtitle(page)  # the last recorded meeting (issue 26)
        # Typed, then straight to the download: the pack is that of the typed date.
        type_meeting_date(page, "15042021")
        name, html = download(page, "download_html")
        assert name == "vergaderstuk-2021-04-15.html"
        assert re.search(r'class="subtitle">[^<]*stand op 15 april 2021', html)
        settle(page)
        assert "stand op 15 april 2021" in subtitle(page)
        # Enter applies a typed date without leaving the field.
        type_meeting_date(page, "01032021")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('.eet-applied-date')?.dataset.date === '2021-03-01'",
                               timeout=60000)
        settle(page)
        assert "stand op 1 maart 2021" in subtitle(page)
        name, _ = download(page, "download_xlsx")
        assert name == "vergaderstuk-2021-03-01.xlsx"
        browser.close()


def test_the_exact_pack_has_a_file_name_of_its_own(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = open_review(browser, server, "beheerder")
        name, html = download(page, "download_html")
        assert name == "vergaderstuk-2021-05-27.html" and t("pack_exact", "nl") not in html  # the meeting
        page.get_by_text(t("pack_exact_choice", "nl")).click()
        settle(page)
        name, html = download(page, "download_html")
        assert name == "vergaderstuk-2021-05-27-exacte-aantallen.html" and t("pack_exact", "nl") in html
        name, _ = download(page, "download_xlsx")
        assert name == "vergaderstuk-2021-05-27-exacte-aantallen.xlsx"
        browser.close()
