"""A tablet and a printer in real Chromium (issue 14): at 820 px the sidebar starts collapsed and
opens with its button; at 1280 px it stands open; every chart shows its PNG button without hovering
(only that button, titled in the page's language); printed, a page loses the sidebar, toolbars and
buttons and its content takes the paper's width."""

from __future__ import annotations

from pathlib import Path

import pytest

from eet.texts import t
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, demo_dashboard

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

SIDEBAR = "[data-testid='stSidebar']"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_dashboard(tmp_path_factory, "tablet")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def settle(page) -> None:
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(1000)


def signed_in(browser, server: str, width: int, path: str = "", user: str = "onderzoeker"):
    """A fresh browser (no remembered sidebar state) at `width`, signed in as `user`, on `path`."""
    page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
    page.goto(f"{server}/{path}?as_of=2021-05-31&lang=nl")
    page.get_by_role("textbox", name="Gebruikersnaam").fill(user)
    page.get_by_role("textbox", name="Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("[data-testid='stSidebarNav']", state="attached", timeout=30000)
    page.wait_for_selector("h1:not(:has-text('Eerst een Thuis'))", timeout=30000)
    settle(page)
    return page


def sidebar_right(page) -> float:
    return page.evaluate(f"document.querySelector(\"{SIDEBAR}\").getBoundingClientRect().right")


def test_on_a_tablet_the_sidebar_starts_collapsed_and_opens(server, browser):
    page = signed_in(browser, server, 820)
    assert sidebar_right(page) <= 1, "the sidebar covers the page on a tablet"
    main_left = page.evaluate("document.querySelector(\"[data-testid='stMain']\").getBoundingClientRect().left")
    assert main_left < 50
    page.locator("[data-testid='stExpandSidebarButton']").click()
    page.wait_for_timeout(800)
    assert sidebar_right(page) >= 250  # open, and usable: its links move to another page
    page.locator("[data-testid='stSidebarNav'] a").filter(has=page.get_by_text("Deelnemers", exact=True)).click()
    page.wait_for_selector("h1:has-text('Deelnemers')", timeout=30000)
    page.context.close()


def test_on_a_laptop_the_sidebar_stands_open(server, browser):
    page = signed_in(browser, server, 1280)
    assert sidebar_right(page) >= 250
    assert page.locator("[data-testid='stSidebarNav'] a").first.is_visible()
    page.context.close()


def test_every_chart_offers_its_png_without_hovering_and_the_page_prints(server, browser):
    page = signed_in(browser, server, 820, "onderzoek")
    page.mouse.move(5, 5)  # nowhere near a chart: a tablet has no hover
    page.wait_for_timeout(500)
    charts = page.locator("[data-testid='stPlotlyChart']").count()
    buttons = page.locator(".modebar-btn")
    assert charts >= 4 and buttons.count() == charts  # one button a chart: the PNG
    drawn = page.locator("[data-testid='stPlotlyChart']")
    for i in range(charts):
        button = buttons.nth(i)
        if not drawn.nth(i).is_visible():  # a chart on a tab not chosen (outcomes by group, issue 29)
            continue
        assert button.is_visible()
        assert page.evaluate("b => getComputedStyle(b.closest('.modebar')).opacity", button.element_handle()) == "1"
        assert button.get_attribute("data-title") == t("chart_png", "nl")
    page.emulate_media(media="print")
    page.wait_for_timeout(500)
    hidden = page.evaluate("""() => [
        "[data-testid='stSidebar']", "header[data-testid='stHeader']", ".modebar-container",
        "[data-testid='stExpandSidebarButton']"].map(s => [...document.querySelectorAll(s)]
        .every(e => getComputedStyle(e).display === 'none'))""")
    assert all(hidden), hidden
    block = page.evaluate("document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().width")
    assert block >= 800  # the content over the paper's width, not a centred column
    page.context.close()


def after(page, selector: str) -> str:
    """What a ::after writes over an element of Streamlit's own."""
    return page.evaluate(f"getComputedStyle(document.querySelector(\"{selector}\"), '::after').content")


def test_streamlits_own_widget_texts_read_dutch_on_a_dutch_page(server, browser):
    """An empty date said dd-mm-yyyy and the upload button 'Upload' with '20MB per file' on Dutch
    pages: neither widget has an option for them, a stylesheet writes them in Dutch."""
    page = signed_in(browser, server, 1280, "uploaden", user="beheerder")
    assert after(page, "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p") \
        == '"Bestand kiezen"'
    assert "Hoogstens 20 MB per bestand" in after(page, "[data-testid='stFileUploaderDropzoneInstructions'] span")
    page.goto(page.url.split("/uploaden")[0] + "/audittrail?lang=nl")
    settle(page)
    year = "[data-testid='stMain'] [data-testid='stDateInput'] span[data-type='year'][data-placeholder='true']"
    page.wait_for_selector(year, timeout=30000)
    assert after(page, year) == '"jjjj"'
    page.context.close()
