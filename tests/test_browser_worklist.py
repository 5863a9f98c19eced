"""Issue 23 in a real browser (headless Chromium against `streamlit run app.py` on a demo database
with a few participants of Utrecht's coordinator added): a move-in recorded from the by-name list in
at most 6 clicks; a correction of a move-in's date keeps it a move-in; a change of kind has to be
chosen and is named; the step form offers no step that cannot follow. Screenshots go to
$EET_SCREENSHOTS (default /tmp/shots-23)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from eet.accounts.access import Actor
from eet.bootstrap import initialise
from eet.entry import data_entry
from eet.store.engine import get_engine, session_scope
from eet.store.models import Organisation, Participant, ParticipantEvent
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard

SHOTS = Path(os.environ.get("EET_SCREENSHOTS", "/tmp/shots-23"))
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worklist")
    url = f"sqlite:///{folder / 'eet.db'}"
    engine = get_engine(url)
    initialise(engine, demo=True)
    with Session(engine) as s:
        utrecht = s.exec(select(Organisation.id).where(Organisation.name == "Utrecht")).one()
    me = Actor("coordinator.utrecht", "coordinator", organisation_id=utrecht)
    with session_scope(engine) as s:
        def person(code, referred, *steps):
            data_entry.register(s, me, {"code": code, "referrer": "Utrecht", "referred_on": referred})
            for event, day, extra in steps:
                data_entry.record_step(s, me, {"code": code, "event": event, "date": day, **extra})

        data_entry.add_dwelling(s, me, {"ref": "UTR-9001", "municipality": "Utrecht", "status": "available",
                                        "status_date": "2019-05-01"})
        for ref in ("UTR-9003", "UTR-9005"):
            data_entry.add_dwelling(s, me, {"ref": ref, "municipality": "Utrecht", "status": "available",
                                            "status_date": "2021-04-01"})
        eligible = ("assessed", "2021-03-05", {"outcome": "eligible"})
        # Matched two years ago: the longest waiting, the list's first row.
        person("P-9001", "2019-04-01", ("assessed", "2019-04-15", {"outcome": "eligible"}),
               ("matched", "2019-06-01", {"dwelling_ref": "UTR-9001"}))
        person("P-9002", "2021-03-01", ("withdrawn", "2021-04-01", {"outcome": "geen contact"}))
        person("P-9003", "2021-03-01", eligible, ("matched", "2021-04-10", {"dwelling_ref": "UTR-9003"}),
               ("housed", "2021-05-01", {"dwelling_ref": "UTR-9003"}))
        person("P-9004", "2021-03-01", eligible)
        person("P-9005", "2021-03-01", eligible, ("matched", "2021-04-10", {"dwelling_ref": "UTR-9005"}),
               ("housed", "2021-05-02", {"dwelling_ref": "UTR-9005"}))
    with running_dashboard(url, folder / "streamlit.log") as base:
        yield base, engine
    engine.dispose()


class Clicks:
    """Every click a person makes, counted."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def on(self, locator) -> None:
        locator.click()
        self.n += 1

    def at(self, x: float, y: float) -> None:
        self.page.mouse.click(x, y)
        self.n += 1


def settle(page) -> None:
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(800)


def signed_in(browser, base: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(base + "/?as_of=2021-05-31")
    page.get_by_role("textbox", name="Gebruikersnaam").fill("coordinator.utrecht")
    page.get_by_role("textbox", name="Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("h1:has-text('Overzicht')", timeout=30000)
    settle(page)
    return page


@contextmanager
def entry_tab(base: str, tab: str):
    """Utrecht's coordinator signed in, on Invoer deelnemers with `tab` chosen; the page."""
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = signed_in(browser, base)
        page.goto(base + "/invoer-deelnemers?as_of=2021-05-31")
        settle(page)
        page.get_by_role("tab", name=tab).click()
        settle(page)
        yield page
        browser.close()


def visible(page, testid: str):
    return page.locator(f"[data-testid='{testid}']").filter(visible=True)


def choose(page, label: str, option: str, clicks: Clicks | None = None) -> None:
    """A select box: opened, the option typed and clicked (two clicks)."""
    box = page.get_by_label(label, exact=True).filter(visible=True).first
    (clicks.on if clicks else lambda loc: loc.click())(box)
    box.fill(option)
    option_row = page.get_by_role("option", name=option, exact=True).first
    (clicks.on if clicks else lambda loc: loc.click())(option_row)
    settle(page)


def offered(page, label: str) -> list[str]:
    """The options a select box offers (opened and closed again)."""
    box = page.get_by_label(label, exact=True).filter(visible=True).first
    box.click()
    page.get_by_role("option").first.wait_for(timeout=10000)
    options = [o.inner_text().strip() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return options


def type_date(page, form, text: str, clicks: Clicks) -> None:
    """The date field: clicked at its day, the digits typed (DD MM YYYY), the calendar closed."""
    clicks.on(form.get_by_role("spinbutton").first)
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def live_steps(engine, code: str) -> list[tuple]:
    with Session(engine) as s:
        pid = s.exec(select(Participant.id).where(Participant.code == code)).one()
        return [(e.kind, e.occurred_on, e.outcome) for e in s.exec(
            select(ParticipantEvent).where(ParticipantEvent.participant_id == pid,
                                           ParticipantEvent.voided_at.is_(None)).order_by(ParticipantEvent.id))]


def test_a_coordinator_records_a_move_in_from_the_by_name_list_in_at_most_six_clicks(server):
    base, engine = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = signed_in(browser, base)
        clicks = Clicks(page)
        clicks.on(page.locator("[data-testid='stSidebarNav'] a").filter(
            has=page.get_by_text("Mijn deelnemers", exact=True)))
        page.wait_for_selector("h1:has-text('Mijn deelnemers')", timeout=30000)
        settle(page)
        page.screenshot(path=str(SHOTS / "worklist-coordinator-1280.png"), full_page=True)
        grid = visible(page, "stDataFrame").first.bounding_box()
        clicks.at(grid["x"] + 16, grid["y"] + 36 + 20)  # the first row's box: P-9001, matched 730 days ago
        page.wait_for_selector("h1:has-text('Invoer deelnemers')", timeout=30000)
        settle(page)
        assert "code=P-9001" in page.url and "stap=housed" in page.url
        main = page.inner_text("[data-testid='stMain']")
        assert "P-9001 is sinds 01-06-2019 gematcht aan UTR-9001: leg de inhuizing in UTR-9001 vast" in main
        form = visible(page, "stForm").first
        type_date(page, form, "20052021", clicks)
        page.screenshot(path=str(SHOTS / "worklist-move-in-form-1280.png"), full_page=True)
        clicks.on(form.get_by_role("button", name="Opslaan"))
        settle(page)
        page.get_by_text("Opgeslagen").first.wait_for(timeout=30000)
        assert clicks.n <= 6, clicks.n
        assert live_steps(engine, "P-9001")[-1] == ("housed", date(2021, 5, 20), None)
        browser.close()


def test_a_correction_of_a_move_ins_date_keeps_it_a_move_in(server):
    base, engine = server
    with entry_tab(base, "Stap corrigeren of vervallen") as page:
        clicks = Clicks(page)
        choose(page, "Deelnemer", "P-9003")
        form = visible(page, "stForm").first
        kind = page.get_by_label("Soort stap", exact=True).filter(visible=True).first
        # The form starts from the chosen step, the move-in: its kind, date and dwelling filled in.
        assert kind.input_value() == "gehuisvest (inhuizing)" and kind.is_disabled()
        assert form.get_by_label("Woning (kenmerk)", exact=True).input_value() == "UTR-9003"
        assert "01-05-2021" in form.get_by_role("group", name="Datum").inner_text().replace("\n", "")
        type_date(page, form, "03052021", clicks)
        form.get_by_label("Reden").fill("verkeerde datum")
        clicks.on(form.get_by_role("button", name="Corrigeren"))
        settle(page)
        page.get_by_text("Opgeslagen").first.wait_for(timeout=30000)
        page.screenshot(path=str(SHOTS / "correction-date-1280.png"), full_page=True)
    steps = live_steps(engine, "P-9003")
    assert steps[-1] == ("housed", date(2021, 5, 3), None)
    assert [k for k, _, _ in steps].count("housed") == 1


def test_a_change_of_kind_has_to_be_chosen_and_is_named(server):
    base, engine = server
    with entry_tab(base, "Stap corrigeren of vervallen") as page:
        choose(page, "Deelnemer", "P-9002")
        kind = page.get_by_label("Soort stap", exact=True).filter(visible=True).first
        assert kind.is_disabled()  # the withdrawal stays a withdrawal unless a change is chosen
        page.get_by_text("Soort stap wijzigen", exact=True).click()
        settle(page)
        choose(page, "Soort stap", "beoordeeld")
        form = visible(page, "stForm").first
        form.get_by_text("niet geschikt", exact=True).click()
        form.get_by_label("Reden").fill("was een beoordeling")
        form.get_by_role("button", name="Corrigeren").click()
        settle(page)
        page.get_by_text("soort gewijzigd van 'uitgevallen' in 'beoordeeld'").first.wait_for(timeout=30000)
        page.screenshot(path=str(SHOTS / "correction-kind-named-1280.png"), full_page=True)
    assert live_steps(engine, "P-9002") == [("assessed", date(2021, 4, 1), "not_eligible")]


def test_the_step_form_offers_no_step_that_cannot_follow(server):
    base, _ = server
    with entry_tab(base, "Stap vastleggen") as page:
        choose(page, "Deelnemer", "P-9005")
        page.screenshot(path=str(SHOTS / "step-form-housed-1280.png"), full_page=True)
        assert offered(page, "Soort stap") == ["uitgestroomd"]  # housed: only the exit
        assert "P-9005 woont sinds 02-05-2021 in UTR-9005: leg eerst de uitstroom vast" in \
            page.inner_text("[data-testid='stMain']")
        choose(page, "Deelnemer", "P-9004")
        assert offered(page, "Soort stap") == ["gematcht", "beoordeeld", "uitgevallen"]  # eligible, not housed
        dwellings = offered(page, "Woning (kenmerk)")
        assert "UTR-9005" not in dwellings and "UTR-9003" not in dwellings  # occupied: not offered
        page.screenshot(path=str(SHOTS / "step-form-offers-1280.png"), full_page=True)
