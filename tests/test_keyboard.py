"""Keyboard only (WCAG 2.1.1, 2.4.7, 3.3.1; issue 26), in real Chromium: the admin signs in, reaches
every page through the sidebar with Tab and Enter (each step's focus visible), and saves a form; its
first, empty submit is refused with messages that name their fields and are tied to them
(aria-invalid, aria-describedby). No mouse event is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from eet.texts import t
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, demo_dashboard
from ui.navigation import PAGES

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

MAX_TABS = 150


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_dashboard(tmp_path_factory, "keyboard")


def settle(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(500)


def tab_to(page, test: str, what: str) -> None:
    """Press Tab until the focused element passes `test` (JavaScript on `el`), or else Shift+Tab
    (the sidebar comes before a long page); the element reached shows its focus (an outline or a
    box shadow)."""
    for key in ["Tab"] * MAX_TABS + ["Shift+Tab"] * (2 * MAX_TABS):
        page.keyboard.press(key)
        found = page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()")
        if found:
            visible = page.evaluate("""(() => {
                const el = document.activeElement;
                for (let e = el, i = 0; e && i < 6; e = e.parentElement, i++) {
                  const s = getComputedStyle(e);
                  if ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none') return true;
                }
                return false; })()""")
            assert visible, f"no visible focus on {what}"
            return
    raise AssertionError(f"Tab never reached {what}")


def test_keyboard_alone_signs_in_reaches_every_page_and_saves_a_form(server):
    from playwright.sync_api import sync_playwright

    lang = "nl"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server}/?as_of=2021-05-31&lang={lang}")
        page.get_by_role("textbox", name=t("username", lang)).wait_for(timeout=60000)
        settle(page)
        tab_to(page, f"el.getAttribute('aria-label') === {t('username', lang)!r}", "the user name")
        page.keyboard.type("beheerder")
        page.keyboard.press("Tab")
        page.keyboard.type("demo")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"h1:has-text('{t('page_overview', lang)}')", timeout=60000)
        settle(page)

        for _, title, _, path, roles in PAGES:
            if "admin" not in roles or not path:
                continue
            tab_to(page, f"el.matches(\"[data-testid='stSidebarNav'] a[href*='/{path}']\")", f"the link to /{path}")
            page.keyboard.press("Enter")
            page.wait_for_selector(f"h1:has-text('{t(title, lang)}')", timeout=60000)
            settle(page)
            assert f"/{path}" in page.url
            assert page.locator("[data-testid='stException']").count() == 0, path

        # Registers, first tab: a bottleneck. Saved empty, then filled in.
        tab_to(page, "el.matches(\"[data-testid='stSidebarNav'] a[href*='/registers']\")", "the link to /registers")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"h1:has-text('{t('page_registers', lang)}')", timeout=60000)
        settle(page)
        save = f"el.tagName === 'BUTTON' && el.innerText.trim() === {t('save', lang)!r}"
        tab_to(page, save, "the save button")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60000)
        settle(page)
        refusals = page.locator("[data-testid='stMain'] [data-testid='stAlertContentError']").all_inner_texts()
        assert any(text.strip().endswith(f"{t('title', lang)}: is verplicht") for text in refusals), refusals
        title_box = page.get_by_role("textbox", name=t("title", lang), exact=True).first
        page.wait_for_function("""(el) => el.getAttribute('aria-invalid') === 'true'
                                  && !!document.getElementById(el.getAttribute('aria-describedby'))""",
                               arg=title_box.element_handle(), timeout=10000)
        described = page.evaluate("(el) => document.getElementById(el.getAttribute('aria-describedby')).innerText",
                                  title_box.element_handle())
        assert described.strip().endswith(f"{t('title', lang)}: is verplicht")

        tab_to(page, f"el.getAttribute('aria-label') === {t('title', lang)!r}", "the title field")
        page.keyboard.type("Toetsenbord alleen")
        tab_to(page, f"(el.getAttribute('aria-label') || '').startsWith('dag, {t('raised_on', lang)}')"
                     f" || (el.getAttribute('aria-label') || '').startsWith('day, {t('raised_on', lang)}')",
               "the day of 'raised on'")
        page.keyboard.type("01052021")
        tab_to(page, save, "the save button")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stMain'] [data-testid='stAlertContentSuccess']", timeout=60000)
        settle(page)
        assert page.locator("[data-testid='stMain'] [data-testid='stAlertContentError']").count() == 0
        assert page.evaluate("(el) => el.hasAttribute('aria-invalid')", title_box.element_handle()) is False
        browser.close()
