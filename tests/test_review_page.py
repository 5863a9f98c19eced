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

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
PAGE = "pages/review.py"
MEETING = date(2021, 5, 31)
ADMIN = Actor("test-admin", "admin")


# Every test here runs dashboard.py first, as the server does (conftest.entry_script_every_run).
pytestmark = pytest.mark.usefixtures("entry_script_every_run")




def open_review(actor: Actor, lang: str = "nl", as_of: date = MEETING, meeting: date | None = MEETING) -> AppTest:
    """The review page at `as_of`, its meeting date set to `meeting` (None: the page's own choice)."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = actor
    if meeting is not None:
        at.session_state["review_date"] = meeting
    at.query_params["as_of"] = as_of.isoformat()
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("as_of, opens_on", [(date(2021, 1, 15), date(2021, 5, 27)),  # none before: the last
                                             (date(2021, 5, 31), date(2021, 5, 27)),
                                             (date(2021, 5, 20), date(2021, 5, 27))])
def test_the_review_page_opens_on_the_last_recorded_meeting(demo_url, as_of, opens_on):
    """Issue 26: at the launch date the page took the as-of date as its meeting date, showed
    nothing and offered no pack."""
    at = open_review(ADMIN, as_of=as_of, meeting=None)
    assert at.date_input(key="review_date").value == opens_on
    assert {b.label for b in at.get("download_button")} == {"Vergaderstuk downloaden (html)",
                                                            "Vergaderstuk downloaden (Excel)"}


def test_without_a_recorded_meeting_the_review_page_opens_on_the_as_of_date(engine):
    from eet.review.comparison import opening_meeting_date

    with Session(engine) as session:
        assert opening_meeting_date(session, date(2021, 3, 1)) == date(2021, 3, 1)


def _tables(at: AppTest) -> list:
    """Every table of the page (st.table since issue 14, or a data grid) as a data frame."""
    return [element.value for element in (*at.table, *at.dataframe)]


def _table(at: AppTest, column: str, holding: str):
    """The table with that column holding that cell (read-only tables carry no key in AppTest)."""
    for frame in _tables(at):
        if column in frame.columns and holding in list(frame[column]):
            return frame
    raise AssertionError(f"no table with {holding!r} in {column!r}: {[list(f.columns) for f in _tables(at)]}")


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
    # Headline, status, funnel, per municipality (the breakdown shown first) and one forecast: the
    # other forecast and the other breakdowns are drawn when chosen (issue 15).
    assert len(at.get("plotly_chart")) == 5
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
    assert "Record meetings and decisions" not in [h.value for h in at.header]
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
    # No heading over nothing (issue 14): a role that cannot record meetings does not see the section.
    assert "Vergaderingen en besluiten vastleggen" not in [h.value for h in at.header]
    assert not at.tabs
    assert "Vergaderingen en besluiten vastleggen" in [h.value for h in open_review(ADMIN).header]


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


def test_a_viewer_reads_every_withheld_cell_in_words_in_the_tables_and_beside_the_bars(demo_url):
    """Issue 14: for a viewer occupied and available are shown only in their sum, and some funnel
    steps are withheld. No bar may go missing without a word where it would be, and no table cell
    is left empty: each says "<5", "–" (explained under the table) or the words."""
    import json

    at = open_review(Actor("steering", "viewer"))
    at.selectbox(key="review_compare_2021-05-31").set_value(date(2021, 1, 15)).run()
    for frame in _tables(at):
        assert not [(column, i) for column in frame.columns for i, cell in enumerate(frame[column])
                    if cell is None or not str(cell).strip()], frame
    status = _table(at, "Cijfer", "Bewoond of beschikbaar")
    occupied = status[status["Cijfer"] == "Bewoond"].iloc[0]
    assert occupied["31-05-2021"] == "in bewoond of beschikbaar"
    captions = " ".join(c.value for c in at.caption)
    assert "samen als één getal" in captions and "niet getoond" in captions

    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]

    def bars(category: str) -> list[tuple]:
        """(date, text, where) of the bars of the chart whose categories hold `category`."""
        spec = next(c for c in charts if any(category in (tr.get("y") or []) for tr in c["data"]))
        out = []
        for trace in spec["data"]:
            positions = trace["textposition"] if isinstance(trace["textposition"], list) else \
                [trace["textposition"]] * len(trace["y"])
            out += [(trace["name"], text, where, x) for name, text, where, x in
                    zip(trace["y"], trace["text"], positions, trace["x"]) if name == category]
        return out

    # Status: the later date's occupied bar is the words, written beside the axis; the earlier one a bar.
    occupied_bars = bars("Bewoond")
    assert ("31 mei 2021", "in bewoond of beschikbaar", "outside", 0) in occupied_bars
    assert any(name == "15 januari 2021" and x > 0 for name, _, _, x in occupied_bars)
    # The funnel: a withheld step is "niet getoond" beside the axis at each date, never a silent gap.
    assessed = bars("Beoordeeld")
    assert len(assessed) == 2 and all(text == "niet getoond" and where == "outside" for _, text, where, _ in assessed)
    # Every bar of both charts has a text: a number, "<5" or words.
    for category in ("Aangemeld", "Gematcht", "Woont nu", "Uitgevallen", "Beschikbaar", "Vervallen"):
        assert all(text not in (None, "") for _, text, _, _ in bars(category)), category


def test_the_review_page_does_not_load_the_pack_writer_until_a_download(demo_url):
    """Issue 15: eet.review.pack (plotly.io, openpyxl) loads in the download's callable only."""
    import subprocess
    import sys

    code = ("import sys, importlib; importlib.import_module('eet.review.files'); "
            "import eet.charts.review, eet.review.tables; print('eet.review.pack' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"
    page = (Path(__file__).resolve().parent.parent / PAGE).read_text()
    assert "from eet.review import pack" not in page and "import eet.review.pack" not in page
