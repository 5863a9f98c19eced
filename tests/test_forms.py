"""Every data-entry form through Streamlit's AppTest: with good values it writes, with bad values the
field is marked, the input is kept and nothing is written."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from eet.entry import services
from eet.accounts.access import SYSTEM, Actor
from eet.bootstrap import initialise
from eet.store import get_engine, session_scope
from eet.store.models import (
    AuditRecord, Bottleneck, CostParameter, Dwelling, DwellingStatusChange, Factor, Organisation, Participant,
    ParticipantEvent, Target, User,
)
from eet.entry import DwellingIn, EventIn, ParticipantIn

ROOT = Path(__file__).resolve().parent.parent
D = date(2021, 3, 1)


def fresh_database(tmp_path, monkeypatch):
    """A new SQLite database with the coalition and the targets, that the pages under test open."""
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    monkeypatch.setenv("EET_DATABASE_URL", url)
    engine = get_engine(url)
    initialise(engine)
    return engine


@pytest.fixture()
def db(tmp_path, monkeypatch):
    engine = fresh_database(tmp_path, monkeypatch)
    with session_scope(engine) as s:
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="UTR-0001", municipality="Utrecht", status="available",
                                                       status_date=D))
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="ZST-0001", municipality="Zeist", status="available",
                                                       status_date=D))
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0001", referrer="Utrecht", referred_on=D))
    yield engine
    engine.dispose()


def actor(engine, role: str, org: str | None = "Utrecht") -> Actor:
    with Session(engine) as s:
        org_id = s.exec(select(Organisation.id).where(Organisation.name == org)).one() if org else None
    return Actor(f"test-{role}", role, organisation_id=org_id)


def page(path: str, who: Actor, lang: str = "nl") -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state["actor"] = who
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def snapshot(engine) -> tuple:
    return tuple(count(engine, m) for m in (Dwelling, DwellingStatusChange, Participant, ParticipantEvent,
                                            AuditRecord, Bottleneck, Factor, CostParameter, Target, User,
                                            Organisation))


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def submit(at: AppTest, form_key: str) -> AppTest:
    """Click the submit button of one form (form_submit_button's id carries the form's key)."""
    buttons = [b for b in at.button if b.form_id == form_key]
    assert buttons, f"no submit button in form {form_key}"
    buttons[0].click().run()
    assert not at.exception, at.exception
    return at


def shown(markdown: str) -> str:
    """What a reader sees of escaped markdown text."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors_text(at: AppTest) -> str:
    return shown("\n".join(e.value for e in at.error))


# --- dwellings -----------------------------------------------------------------------------------

def test_new_dwelling_good_and_bad(db):
    at = page("pages/entry_dwellings.py", actor(db, "coordinator"))
    before = snapshot(db)
    # A ref not in use is proposed, and the coordinator's only municipality is chosen already.
    assert at.text_input(key="nd_ref").value == "UTR-0002"
    assert at.selectbox(key="nd_municipality").value == "Utrecht"
    # bad: a ref that exists, another organisation's municipality
    at.text_input(key="nd_ref").input("UTR-0001")
    at.selectbox(key="nd_municipality").select("Utrecht")
    at.text_input(key="nd_site").input("<script>alert(1)</script>")
    at.date_input(key="nd_status_date").set_value(date(2021, 4, 1))
    submit(at, "new_dwelling")
    assert "'UTR-0001' bestaat al; kies een ander kenmerk of bewerk die woning" in errors_text(at)
    assert at.text_input(key="nd_ref").value == "UTR-0001"  # input kept
    assert at.text_input(key="nd_site").value == "<script>alert(1)</script>"
    assert snapshot(db) == before
    # Another organisation's municipality is not offered (issue 14: only what the role may choose;
    # the service still refuses it, tests/test_access_rows.py).
    assert at.selectbox(key="nd_municipality").options == ["–", "Utrecht"]
    # missing status date: marked on the field
    at.selectbox(key="nd_municipality").select("Utrecht")
    at.text_input(key="nd_ref").input("UTR-0002")
    at.date_input(key="nd_status_date").set_value(None)
    submit(at, "new_dwelling")
    assert "is verplicht" in errors_text(at)
    assert snapshot(db) == before
    # a date in the future: its real reason under the field, in Dutch, not "is verplicht"
    future = date.today().replace(year=date.today().year + 3)
    at.date_input(key="nd_status_date").set_value(future)
    submit(at, "new_dwelling")
    assert "ligt in de toekomst" in errors_text(at) and "is verplicht" not in errors_text(at)
    assert at.date_input(key="nd_status_date").value == future  # kept, as typed
    assert snapshot(db) == before
    # good
    at.date_input(key="nd_status_date").set_value(date(2021, 4, 1))
    submit(at, "new_dwelling")
    assert not at.error
    assert "UTR-0002" in shown(at.success[0].value)
    with Session(db) as s:
        d = s.exec(select(Dwelling).where(Dwelling.ref == "UTR-0002")).one()
        assert d.site == "<script>alert(1)</script>"
    assert at.text_input(key="nd_ref").value == "UTR-0003"  # a saved form is cleared: the next free ref


def test_batch_good_and_bad(db):
    at = page("pages/entry_dwellings.py", actor(db, "coordinator"))
    before = snapshot(db)
    at.text_input(key="bt_prefix").input("UTR")
    at.number_input(key="bt_count").set_value(3)
    at.number_input(key="bt_first_number").set_value(1)  # UTR-0001 exists
    at.selectbox(key="bt_municipality").select("Utrecht")
    at.text_input(key="bt_site").input("Complex A")
    at.date_input(key="bt_status_date").set_value(date(2021, 4, 1))
    submit(at, "batch")
    assert "UTR-0001 bestaat al; begin daarna of laat het nummer leeg" in errors_text(at)
    assert at.number_input(key="bt_count").value == 3 and at.text_input(key="bt_site").value == "Complex A"
    assert snapshot(db) == before
    at.number_input(key="bt_first_number").set_value(None)
    submit(at, "batch")
    assert not at.error
    with Session(db) as s:
        refs = s.exec(select(Dwelling.ref).where(Dwelling.site == "Complex A").order_by(Dwelling.ref)).all()
    assert refs == ["UTR-0002", "UTR-0003", "UTR-0004"]


def test_status_change_good_bad_and_version_conflict(db):
    coord = actor(db, "coordinator")
    at = page("pages/entry_dwellings.py", coord)
    assert at.selectbox(key="st_ref").options == ["–", "UTR-0001"]  # own organisation only
    at.selectbox(key="st_ref").select("UTR-0001").run()
    before = snapshot(db)
    at.selectbox(key="st_status").select("withdrawn")
    at.date_input(key="st_effective_on").set_value(date(2021, 2, 1))  # before the latest change
    submit(at, "status")
    assert "ligt vóór de laatst vastgelegde wijziging (beschikbaar op 01-03-2021)" in errors_text(at)
    assert at.date_input(key="st_effective_on").value == date(2021, 2, 1)
    assert snapshot(db) == before
    # Someone else saves the dwelling in between: this form is told, its input kept.
    from eet.entry import data_entry
    with session_scope(db) as s:
        data_entry.change_status(s, Actor("other", "admin"), {"ref": "UTR-0001", "status": "occupied",
                                                             "effective_on": "2021-03-10"}, expected_version=1)
    before = snapshot(db)
    at.date_input(key="st_effective_on").set_value(date(2021, 3, 20))
    submit(at, "status")
    assert "Iemand anders heeft dit record intussen opgeslagen" in errors_text(at)
    assert at.selectbox(key="st_status").value == "withdrawn"
    assert snapshot(db) == before
    at.button(key="st_reload").click().run()
    submit(at, "status")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        assert s.exec(select(Dwelling.version).where(Dwelling.ref == "UTR-0001")).one() == 3


def test_edit_dwelling_good_and_conflict(db):
    coord = actor(db, "coordinator")
    first, second = page("pages/entry_dwellings.py", coord), page("pages/entry_dwellings.py", coord)
    for at in (first, second):  # both open version 1
        at.selectbox(key="ed_ref").select("UTR-0001").run()
        assert at.selectbox(key="ed_municipality").value == "Utrecht"
    first.text_input(key="ed_site").input("Complex B")
    submit(first, "edit_dwelling")
    assert not first.error
    before = snapshot(db)
    second.text_input(key="ed_site").input("Complex C")
    submit(second, "edit_dwelling")
    assert "Iemand anders" in errors_text(second)
    assert second.text_input(key="ed_site").value == "Complex C"
    assert snapshot(db) == before
    with Session(db) as s:
        assert s.exec(select(Dwelling.site).where(Dwelling.ref == "UTR-0001")).one() == "Complex B"


# --- participants --------------------------------------------------------------------------------

def test_register_participant_good_and_bad(db):
    at = page("pages/entry_participants.py", actor(db, "coordinator"))
    before = snapshot(db)
    at.text_input(key="np_code").input("123456789")  # a BSN's shape
    at.selectbox(key="np_referrer").select("Utrecht")
    at.date_input(key="np_referred_on").set_value(date(2021, 3, 1))
    submit(at, "new_participant")
    assert "lijkt op een burgerservicenummer (BSN)" in errors_text(at)
    assert at.text_input(key="np_code").value == "123456789"
    assert snapshot(db) == before
    at.text_input(key="np_code").input("P-0001")  # registered already
    submit(at, "new_participant")
    assert "is al geregistreerd" in errors_text(at)
    at.text_input(key="np_code").input("P-0002")
    at.selectbox(key="np_referrer").select("Zeist")  # not the coordinator's organisation
    submit(at, "new_participant")
    assert "eigen organisatie" in errors_text(at)
    assert snapshot(db) == before
    at.selectbox(key="np_referrer").select("Stadsteam Back Up")
    at.selectbox(key="np_municipality").select("Utrecht")
    at.selectbox(key="np_age_band").select("23-29")
    submit(at, "new_participant")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        p = s.exec(select(Participant).where(Participant.code == "P-0002")).one()
        assert (p.age_band, p.referred_on) == ("23-29", date(2021, 3, 1))


def choose_kind(at: AppTest, prefix: str, event: str) -> AppTest:
    """The kind of step sits above the form: choosing it reruns the page, so the form shows the fields
    of that kind."""
    at.selectbox(key=f"{prefix}_event").select(event).run()
    assert not at.exception, at.exception
    return at


def choose_participant(at: AppTest, code: str) -> AppTest:
    """The participant comes first: the kinds of step offered are what can follow their step."""
    at.selectbox(key="sp_code").select(code).run()
    assert not at.exception, at.exception
    return at


def offered(at: AppTest, prefix: str = "sp") -> list[str]:
    return at.selectbox(key=f"{prefix}_event").options


def set_outcome(at: AppTest, prefix: str, event: str, outcome: str | None) -> None:
    """An assessment's or exit's outcome is a choice, a withdrawal's reason is typed, a match or a
    move-in has no outcome field at all."""
    key = f"{prefix}_outcome_{event}"
    if event in ("assessed", "exited"):
        at.radio(key=key).set_value(outcome)
    elif event == "withdrawn":
        at.text_input(key=key).input(outcome or "")
    else:
        assert outcome is None
        assert not [w for w in [*at.radio, *at.text_input] if w.key and w.key.startswith(f"{prefix}_outcome")]


def test_the_outcome_field_follows_the_kind_of_step(db):
    at = page("pages/entry_participants.py", actor(db, "coordinator"))
    choose_participant(at, "P-0001")
    assert offered(at) == ["beoordeeld", "uitgevallen"]  # only what can follow a referral
    assert at.radio(key="sp_outcome_assessed").options == ["geschikt", "niet geschikt"]
    assert at.radio(key="sp_outcome_assessed").value is None  # nothing chosen for the coordinator
    assert not any(s.key == "sp_dwelling_ref" for s in at.selectbox)
    choose_kind(at, "sp", "withdrawn")
    assert at.text_input(key="sp_outcome_withdrawn").label == "Reden van uitval"
    at = page("pages/entry_participants.py", actor(db, "coordinator"), lang="en")
    choose_participant(at, "P-0001")
    assert at.radio(key="sp_outcome_assessed").options == ["eligible", "not eligible"]


def test_every_step_good_and_bad_offering_only_what_can_follow(db):
    at = page("pages/entry_participants.py", actor(db, "coordinator"))
    assert at.selectbox(key="sp_code").options == ["–", "P-0001"]
    choose_participant(at, "P-0001")

    def step(event, day, outcome=None, ref=None, note=None):
        choose_kind(at, "sp", event)
        at.date_input(key="sp_date").set_value(day)
        set_outcome(at, "sp", event, outcome)
        if ref is not None:
            at.selectbox(key="sp_dwelling_ref").select(ref)
        at.text_area(key="sp_note").input(note or "")
        return submit(at, "step")

    def refused(event, day, field_text, **kw):
        before = snapshot(db)
        step(event, day, **kw)
        assert field_text in errors_text(at), errors_text(at)
        assert at.selectbox(key="sp_event").value == event and at.date_input(key="sp_date").value == day
        assert snapshot(db) == before

    def accepted(event, day, **kw):
        before = count(db, ParticipantEvent)
        step(event, day, **kw)
        assert not at.error, errors_text(at)
        assert count(db, ParticipantEvent) == before + 1

    def situation() -> str:
        return shown(at.info[0].value)

    assert situation() == "P-0001 is aangemeld op 01-03-2021: leg eerst de beoordeling vast"
    refused("assessed", date(2021, 3, 2), "is verplicht bij de stap 'beoordeeld': geschikt, niet geschikt")
    refused("assessed", date(2021, 2, 1), "01-02-2021 ligt vóór de aanmelding van P-0001 op 01-03-2021",
            outcome="eligible")
    assert at.radio(key="sp_outcome_assessed").value == "eligible"  # the refused form keeps the choice
    accepted("assessed", date(2021, 3, 2), outcome="eligible")
    # Eligible and not housed: a match first, into an available dwelling of the coordinator's own.
    assert offered(at) == ["gematcht", "beoordeeld", "uitgevallen"]
    assert at.selectbox(key="sp_event").value == "matched"
    assert at.selectbox(key="sp_dwelling_ref").options == ["–", "UTR-0001"]
    accepted("matched", date(2021, 3, 5), ref="UTR-0001")
    # Matched: the move-in comes first, into the matched dwelling, chosen already.
    assert offered(at)[0] == "gehuisvest (inhuizing)"
    assert situation() == "P-0001 is sinds 05-03-2021 gematcht aan UTR-0001: leg de inhuizing in UTR-0001 vast"
    assert at.selectbox(key="sp_dwelling_ref").options == ["–", "UTR-0001"]
    assert at.selectbox(key="sp_dwelling_ref").value == "UTR-0001"
    accepted("housed", date(2021, 3, 10), note="<script>alert(1)</script>")
    # Housed: only the exit; the sentence says so.
    assert offered(at) == ["uitgestroomd"]
    assert situation() == "P-0001 woont sinds 10-03-2021 in UTR-0001: leg eerst de uitstroom vast"
    refused("exited", date(2021, 3, 12), "is verplicht bij de stap 'uitgestroomd'")  # no outcome chosen
    accepted("exited", date(2021, 3, 12), outcome="positive")
    assert offered(at) == ["gematcht", "beoordeeld"]  # no withdrawal after a move-in
    with Session(db) as s:
        kinds = s.exec(select(ParticipantEvent.kind, ParticipantEvent.outcome).order_by(ParticipantEvent.id)).all()
        note = s.exec(select(ParticipantEvent.note).where(ParticipantEvent.kind == "housed")).one()
    assert kinds == [("assessed", "eligible"), ("matched", None), ("housed", None), ("exited", "positive")]
    assert note == "<script>alert(1)</script>"


def test_withdrawal_step(db):
    at = page("pages/entry_participants.py", actor(db, "coordinator"))
    choose_participant(at, "P-0001")
    choose_kind(at, "sp", "withdrawn")
    at.date_input(key="sp_date").set_value(date(2021, 3, 4))
    at.text_input(key="sp_outcome_withdrawn").input("Verhuisd buiten de regio")
    submit(at, "step")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        assert s.exec(select(ParticipantEvent.kind, ParticipantEvent.outcome)).all() == [
            ("withdrawn", "Verhuisd buiten de regio")]
    assert "er kan geen stap meer volgen" in shown(at.info[0].value)
    assert not any(s.key == "sp_event" for s in at.selectbox)  # nothing can follow a withdrawal


def test_correct_and_void_a_step(db):
    with session_scope(db) as s:
        services.record_event(s, SYSTEM, EventIn(code="P-0001", event="assessed", date=date(2021, 3, 2),
                                                 outcome="not_eligible", note="<b>vet</b>"))
    at = page("pages/entry_participants.py", actor(db, "coordinator"))
    at.selectbox(key="cr_code").select("P-0001").run()
    table = at.dataframe[0].value
    assert list(table.iloc[:, 5]) == ["<b>vet</b>"]  # a note is a cell of text
    assert list(table.iloc[:, 3]) == ["niet geschikt"]  # the outcome in words
    before = snapshot(db)
    # The form starts from the chosen step: its kind (fixed), date and outcome.
    assert at.selectbox(key="cr_event").value == "assessed" and at.selectbox(key="cr_event").disabled
    assert at.date_input(key="cr_date").value == date(2021, 3, 2)
    assert at.radio(key="cr_outcome_assessed").value == "not_eligible"
    # bad: no reason
    at.radio(key="cr_outcome_assessed").set_value("eligible")
    submit(at, "correct")
    assert "geef aan waarom deze stap vervalt" in errors_text(at)
    assert at.radio(key="cr_outcome_assessed").value == "eligible"
    assert snapshot(db) == before
    at.text_input(key="cr_reason").input("verkeerde uitkomst")
    submit(at, "correct")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        rows = s.exec(select(ParticipantEvent).order_by(ParticipantEvent.id)).all()
    assert [(r.outcome, r.voided_at is not None, r.corrects_id) for r in rows] == [
        ("not_eligible", True, None), ("eligible", False, rows[0].id)]
    # void the corrected one: it stays, voided
    at.selectbox(key="cr_code").select("P-0001").run()
    at.text_input(key="cr_reason").input("dubbel ingevoerd")
    buttons = [b for b in at.button if b.form_id == "correct"]
    buttons[1].click().run()
    assert not at.error, errors_text(at)
    with Session(db) as s:
        assert all(r.voided_at is not None for r in s.exec(select(ParticipantEvent)).all())
        assert count(db, ParticipantEvent) == 2


# --- the refusals in the page's language -----------------------------------------------------------

DASHBOARD = ROOT / "dashboard.py"


def dashboard_page(path: str, who: Actor, lang: str) -> AppTest:
    """A page reached through dashboard.py with ?lang= in the URL, as a shared link opens it."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=30)
    at.session_state["actor"] = who
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def refuse_a_step(at: AppTest) -> AppTest:
    """An assessment without its outcome, dated before the referral (2021-03-01)."""
    choose_participant(at, "P-0001")
    choose_kind(at, "sp", "assessed")
    at.date_input(key="sp_date").set_value(date(2021, 2, 1))
    return submit(at, "step")


STEP_REFUSED = {
    # the field named first (issue 26), then the labels of the form's choice
    "nl": ("Uitkomst: is verplicht bij de stap 'beoordeeld': geschikt, niet geschikt",
           "01-02-2021 ligt vóór de aanmelding van P-0001 op 01-03-2021",
           "Niet opgeslagen. Verbeter de gemarkeerde velden"),
    "en": ("Outcome: is required for assessed: eligible, not eligible",
           "2021-02-01 lies before P-0001's referral on 2021-03-01",
           "Not saved"),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_refused_form_speaks_the_language_of_the_page(db, entry_script_every_run, lang):
    at = dashboard_page("pages/entry_participants.py", actor(db, "coordinator"), lang)
    before = snapshot(db)
    refuse_a_step(at)
    outcome, date_rule, summary = STEP_REFUSED[lang]
    other = STEP_REFUSED["en" if lang == "nl" else "nl"]
    shown_errors = [shown(e.value) for e in at.error]
    assert outcome in shown_errors  # under the outcome field
    assert summary in errors_text(at)  # the summary below the form
    assert other[0] not in errors_text(at) and other[2] not in errors_text(at)
    assert snapshot(db) == before
    # the date rule of the services (a later check, once the outcome is given), in the same language
    at.radio(key="sp_outcome_assessed").set_value("eligible")
    submit(at, "step")
    assert date_rule in errors_text(at), errors_text(at)
    assert snapshot(db) == before


def test_a_refusal_follows_a_change_of_language(db):
    """The refusal is kept as a catalogue key, so switching the language shows it in the other one
    without submitting again."""
    at = page("pages/entry_participants.py", actor(db, "coordinator"), lang="nl")
    refuse_a_step(at)
    assert STEP_REFUSED["nl"][0] in errors_text(at)
    at.session_state["lang"] = "en"
    at.run()
    assert STEP_REFUSED["en"][0] in errors_text(at)
    assert STEP_REFUSED["nl"][0] not in errors_text(at)


@pytest.mark.parametrize("lang, expected", [
    ("nl", "Niet toegestaan: test-coordinator mag alleen gegevens van de eigen organisatie wijzigen"),
    ("en", "Not allowed: test-coordinator may only change rows of their own organisation"),
])
def test_access_denied_in_the_language_of_the_page(db, lang, expected):
    # A corporation's coordinator may choose any municipality, and must then name their corporation:
    # a dwelling without it is refused, in the page's language.
    at = page("pages/entry_dwellings.py", actor(db, "coordinator", org="Mitros"), lang=lang)
    before = snapshot(db)
    at.text_input(key="nd_ref").input("ZST-0002")
    at.selectbox(key="nd_municipality").select("Zeist")
    at.date_input(key="nd_status_date").set_value(date(2021, 4, 1))
    submit(at, "new_dwelling")
    assert expected in errors_text(at), errors_text(at)
    assert snapshot(db) == before
