"""WCAG 2.1 AA (issue 26): axe-core from npm (tests/axe.py) injected by Chromium into every page the
admin, a coordinator and the viewer see, in Dutch and in English, into the sign-in page and into the
meeting pack (html), finds nothing serious or critical. One server and one browser; each role signs
in once per language and moves through the sidebar as a person does.

Every finding, of any impact, is written to $EET_AXE_REPORT (JSON) when that is set, for the audit's
before and after (bench/FINDINGS-issue26.md)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from eet.texts import t
from tests import axe
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard
from ui.navigation import PAGES

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

AS_OF = "2021-05-31"
ROLES = {"admin": "beheerder", "coordinator": "coordinator.utrecht", "viewer": "stuurgroep"}
LANGS = ("nl", "en")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A demo database (SQLite: what is tested here is the browser's side)."""
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('accessibility') / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    get_engine(url).dispose()
    return url


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    with running_dashboard(database, tmp_path_factory.mktemp("accessibility-log") / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    axe.ensure_axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report():
    found: dict[str, list[dict]] = {}
    yield found
    if os.environ.get("EET_AXE_REPORT"):
        Path(os.environ["EET_AXE_REPORT"]).write_text(json.dumps(found, indent=1, ensure_ascii=False))


def settle(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(600)


def pages_of(role: str) -> list[tuple[str, str]]:
    """(url path, title key) of every page `role` sees, in the sidebar's order."""
    return [(path, title) for _, title, _, path, roles in PAGES if role in roles]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_has_no_serious_axe_finding(server, browser, report, role, lang):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server}/?as_of={AS_OF}&lang={lang}")
    user_box = page.get_by_role("textbox", name=t("username", lang))
    user_box.wait_for(timeout=60000)
    settle(page)
    problems = {}
    if role == "admin":  # the sign-in page once per language
        found = axe.findings(page)
        report[f"sign-in {lang}"] = found
        if axe.blocking(found):
            problems["sign-in"] = axe.summary(axe.blocking(found))
    user_box.fill(ROLES[role])
    page.get_by_role("textbox", name=t("password_sign_in", lang)).fill("demo")
    page.get_by_role("button", name=t("sign_in", lang), exact=True).click()
    page.wait_for_selector("[data-testid='stSidebarNav']", state="attached", timeout=60000)
    for path, title in pages_of(role):
        if path:  # the overview is where signing in lands
            page.locator(f"[data-testid='stSidebarNav'] a[href*='/{path}']").first.click()
        page.wait_for_selector(f"h1:has-text('{t(title, lang)}')", timeout=60000)
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0, path
        found = axe.findings(page)
        report[f"{role} {lang} /{path}"] = found
        if axe.blocking(found):
            problems["/" + path] = axe.summary(axe.blocking(found))
    page.context.close()
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_the_meeting_pack_has_no_serious_axe_finding(database, browser, report, tmp_path, role, lang):
    from sqlmodel import Session

    from eet.accounts.access import Actor
    from eet.review.pack import write_pack
    from eet.store.engine import get_engine

    out = tmp_path / f"pack-{role}-{lang}.html"
    with Session(get_engine(database)) as session:
        write_pack(session, Actor(ROLES[role], role), out, date(2021, 5, 31), lang=lang)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(out.as_uri())
    page.wait_for_selector(".js-plotly-plot", timeout=30000)
    found = axe.findings(page)
    report[f"pack {role} {lang}"] = found
    page.context.close()
    assert not axe.blocking(found), axe.summary(axe.blocking(found))
