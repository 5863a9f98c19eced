"""The review page through Streamlit's AppTest on a demo database, driven as tests/test_pages.py
drives the other pages (actor in session state, as_of and lang in the URL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from eet.review import decisions
from eet.texts import formatting as fmt
from eet.accounts.access import Actor
from eet.store import get_engine
from eet.store.models import AuditRecord, Decision, ReviewMeeting
from eet.figures.report import build_report
from test_pages import open_page

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
PAGE = "pages/review.py"
MEETING = date(2021, 5, 31)
ADMIN = Actor("test-admin", "admin")


# Every test here runs dashboard.py first, as the server does (conftest.entry_script_every_run).
pytestmark = pytest.mark.usefixtures("entry_script_every_run")




def open_review(actor: Actor, lang: str = "nl", as_of: date = MEETING) -> AppTest:
    return open_page(PAGE, actor, as_of, lang, timeout=90)


def _table(at: AppTest, column: str, holding: str):
    """The table with that column holding that cell (read-only tables carry no key in AppTest)."""
    for df in at.dataframe:
        if column in df.value.columns and holding in list(df.value[column]):
            return df.value
    raise AssertionError(f"no table with {holding!r} in {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def test_review_page_shows_both_dates_with_the_report_figures(demo_url):
    at = open_review(ADMIN)
    with Session(get_engine(demo_url)) as session:
        then, now = build_report(session, date(2021, 1, 15)), build_report(session, MEETING)
    # 31 May lies four days after the meeting of 27 May: it is that meeting, and compares as it did
    # (with the launch), not with the meeting itself (every change about 0). 27 May is still offered.
    compare = at.selectbox(key="review_compare_2021-05-31")
    assert compare.value == date(2021, 1, 15) and any("27 mei 2021" in o for o in compare.options)
    at.selectbox(key="review_compare_2021-05-31").set_value(date(2021, 1, 15)).run()
    assert not at.exception
    dwellings = _table(at, "Cijfer", "Pijplijn")
    row = dwellings[dwellings["Cijfer"] == "Teller"].iloc[0]
    assert row["15-01-2021"] == fmt.number(then["dwellings"]["counter"], "nl")
    assert row["31-05-2021"] == fmt.number(now["dwellings"]["counter"], "nl")
    assert row["Verschil"] == fmt.signed(now["dwellings"]["counter"] - then["dwellings"]["counter"], "nl")
    funnel = _table(at, "Cijfer", "Aangemeld")
    assert list(funnel["31-05-2021"]) == [fmt.number(now["participants"]["funnel"][s], "nl")
                                          for s in now["participants"]["funnel"]]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Teller"] == fmt.number(now["dwellings"]["counter"], "nl")
    assert len(at.get("plotly_chart")) == 6
    _table(at, "Besluit", "Extra zoekinspanning voor 20 woningen in Zeist en Houten")
    _table(at, "Titel", "Kostendelersnorm bij woningdelen")
    assert {b.label for b in at.get("download_button")} == {"Vergaderstuk downloaden (html)",
                                                            "Vergaderstuk downloaden (Excel)"}


def test_review_page_in_english_for_a_viewer_suppresses_small_counts_and_hides_the_register(demo_url):
    at = open_review(Actor("steering", "viewer"), lang="en")
    at.selectbox(key="review_compare_2021-05-31").set_value(date(2021, 1, 15)).run()
    funnel = _table(at, "Figure", "Referred")
    withdrawn = funnel[funnel["Figure"] == "Withdrawn"].iloc[0]
    assert withdrawn["2021-01-15"] == "<5" and withdrawn["Change"] == "–"
    assert any("Only the admin records" in c.value for c in at.caption)
    assert not at.get("form")  # no register forms for a viewer


def test_admin_adds_a_decision_and_a_refused_form_keeps_what_was_typed(demo_url):
    at = open_review(ADMIN)
    # bad: no topic, an empty decision
    at.text_input(key="rd_owner").input("Programmaleider")
    at.text_area(key="rd_decision").input("   ")
    _submit(at, "review_decision")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("is verplicht" in e for e in errors), errors
    assert at.text_input(key="rd_owner").value == "Programmaleider"  # kept
    with Session(get_engine(demo_url)) as session:
        assert len(session.exec(select(Decision)).all()) == 2
    # good
    at.selectbox(key="rd_topic").set_value("initiative")
    at.text_area(key="rd_decision").input("Nieuw initiatief <b>Woerden</b> toelaten")
    at.date_input(key="rd_due_on").set_value(date(2021, 9, 30))
    _submit(at, "review_decision")
    assert not at.exception
    assert any("Opgeslagen" in s.value or "Saved" in s.value for s in at.success), [s.value for s in at.success]
    with Session(get_engine(demo_url)) as session:
        added = session.exec(select(Decision).where(Decision.topic == "initiative")).one()
        assert added.decision == "Nieuw initiatief <b>Woerden</b> toelaten"
        assert added.owner == "Programmaleider" and added.due_on == date(2021, 9, 30)
        audit = session.exec(select(AuditRecord).where(AuditRecord.entity == "decision",
                                                       AuditRecord.entity_id == added.id)).one()
        assert audit.actor == "test-admin" and audit.action == "create"
    # shown as plain text in the register table
    _table(at, "Besluit", "Nieuw initiatief <b>Woerden</b> toelaten")


def test_admin_meeting_form_refuses_a_comparison_after_the_meeting_and_a_taken_date(demo_url):
    at = open_review(ADMIN)
    at.date_input(key="rm_held_on").set_value(date(2021, 5, 27))
    at.text_input(key="rm_title").input("Dubbel")
    _submit(at, "review_meeting")
    assert any("er staat al een evaluatiebijeenkomst op" in e.value for e in at.error), [e.value for e in at.error]
    at.date_input(key="rm_held_on").set_value(date(2021, 11, 25))
    at.date_input(key="rm_compare_with").set_value(date(2021, 12, 1))
    _submit(at, "review_meeting")
    assert any("moet vóór de datum van de bijeenkomst liggen" in e.value for e in at.error)
    assert at.text_input(key="rm_title").value == "Dubbel"
    at.date_input(key="rm_compare_with").set_value(date(2021, 5, 27))
    at.text_input(key="rm_title").input("Evaluatie november 2021")
    _submit(at, "review_meeting")
    assert not at.error, [e.value for e in at.error]
    with Session(get_engine(demo_url)) as session:
        meeting = session.exec(select(ReviewMeeting).where(ReviewMeeting.held_on == date(2021, 11, 25))).one()
        assert meeting.compare_with == date(2021, 5, 27)


@pytest.mark.parametrize("role", ["coordinator", "researcher", "viewer"])
def test_only_the_admin_sees_the_register_forms(demo_url, role):
    at = open_review(Actor(f"test-{role}", role, organisation_id=1 if role == "coordinator" else None))
    assert not [b for b in at.button if "Opslaan" in (b.label or "")]
    assert any("Alleen de beheerder" in c.value for c in at.caption)


def test_non_admin_cannot_add_through_eet_either(demo_url):
    from eet.accounts.access import AccessDenied

    with Session(get_engine(demo_url)) as session:
        meeting = session.exec(select(ReviewMeeting)).first()
        for role in ("coordinator", "researcher", "viewer"):
            with pytest.raises(AccessDenied):
                decisions.add_decision(session, Actor("x", role, organisation_id=1),
                                       {"meeting_id": meeting.id, "topic": "other", "decision": "x"})


def _submit(at: AppTest, form: str) -> None:
    button = next(b for b in at.button if b.form_id == form)
    button.click().run()
