"""Every fact is versioned and every write passes one gate (issue 22).

- A recorded meeting comes back as presented after ordinary corrections of details (a referral date,
  a dwelling's municipality, a cost parameter, replaced ZRM measurements), and the corrections list
  each of them.
- A signed-off month stays closed through every side door: a participant's care provider moved
  away, a dwelling's corporation changed without a status, a ZRM measurement (form and import), a
  void of a move-in in the dwelling owner's month, the waiting-list flag.
- No code of eet writes a fact table around the gate: the guard refuses it, and only the gate and
  the store's maintenance open it (found by reading the source, not from a list of doors).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from eet.accounts.access import SYSTEM
from eet.entry import living_lab, services
from eet.entry.measurements import MeasurementIn, record_measurement
from eet.entry.schemas import DwellingIn, ParticipantIn, RuleError
from eet.figures.report import build_report
from eet.quality import signoff
from eet.review.comparison import build_review
from eet.review.pack import meeting_pack
from eet.store.models import (
    CostParameter, Dwelling, DwellingVersion, Measurement, Organisation, Participant, ParticipantEvent,
    ParticipantVersion, Target, utcnow,
)
from eet.write.guard import FACT_TABLES, GateClosed
from tests.test_figures import D, dwelling, event, participant

ROOT = Path(__file__).resolve().parents[1]
SCORES = {"finances": 2, "housing": 2, "mental_health": 2}


def _cost(session, amount: float) -> int:
    return living_lab.save_cost_parameter(session, SYSTEM, {
        "model": "shelter", "category": "shelter", "label": "Opvangplek", "amount_eur": amount,
        "unit": "per_participant_year", "source": "Rekenmodel", "valid_from": "2021-01-01", "payer": "gemeente"})


def _history(session) -> None:
    """Utrecht: P-1 referred 2021-02-02, housed in UTR-1 on 2021-03-01; P-2 referred 2021-05-02."""
    dwelling(session, "UTR-1", "available", D(2021, 2, 1), corporation="Mitros", care_provider="Lister")
    dwelling(session, "UTR-2", "location_found", D(2021, 2, 1))
    participant(session, "P-1", D(2021, 2, 2), municipality="Utrecht", care_provider="Lister")
    event(session, "P-1", "assessed", D(2021, 2, 3), "eligible")
    event(session, "P-1", "matched", D(2021, 2, 4), dwelling_ref="UTR-1")
    event(session, "P-1", "housed", D(2021, 3, 1), dwelling_ref="UTR-1")
    participant(session, "P-2", D(2021, 5, 2), municipality="Utrecht", care_provider="Lister")
    record_measurement(session, SYSTEM, MeasurementIn.parse({"code": "P-1", "date": "2021-03-02", **SCORES}))
    _cost(session, 35000)
    session.commit()


def _meeting_moment(session):
    """K: just after everything so far, as a meeting's moment."""
    session.commit()
    return utcnow()


# --- a recorded meeting comes back as presented -------------------------------------------------

def _recorded_meeting(session, moment, as_of=D(2021, 5, 31)):
    from eet.review import decisions

    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": as_of, "title": "Mei"})
    decisions.mark_presented(session, SYSTEM, meeting.id, at=moment)
    session.commit()


def _as_presented(session, correct, kind: str):
    """(pack made at the meeting, pack made again after `correct`, the review's correction kinds)."""
    _history(session)
    moment = _meeting_moment(session)
    _recorded_meeting(session, moment)
    first = meeting_pack(session, SYSTEM, D(2021, 5, 31), exact=True)
    correct(session)
    session.commit()
    again = meeting_pack(session, SYSTEM, D(2021, 5, 31), exact=True)
    assert again.reports == first.reports and again.research == first.research
    assert kind in {c.kind for c in again.corrections}
    return first, again


def _lines(review) -> list[tuple[str, str, str, str]]:
    """The exact review's every-change table (eet.review.changes) as (record, field, before, after)."""
    from eet.review.changes import change_rows

    return [(record, field, before, after) for _, _, record, _, field, before, after in change_rows(review.changes, "nl")]


def test_a_referral_date_corrected_after_a_meeting(session):
    def correct(s):
        services.register_participant(s, SYSTEM, ParticipantIn(
            code="P-2", referrer="Stadsteam Back Up", referred_on=D(2021, 6, 1), municipality="Utrecht",
            care_provider="Lister"))
    first, again = _as_presented(session, correct, "details.participant")
    assert ("deelnemer P-2", "Aangemeld op", "02-05-2021", "01-06-2021") in _lines(again)
    assert first.reports["now"]["participants"]["funnel"]["referred"] == 2
    assert build_report(session, D(2021, 5, 31))["participants"]["funnel"]["referred"] == 1


def test_a_dwelling_s_municipality_corrected_after_a_meeting(session):
    def correct(s):
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="UTR-2", municipality="Zeist",
                                                       status="location_found", status_date=D(2021, 2, 1)))
    first, again = _as_presented(session, correct, "details.dwelling")
    assert ("woning UTR-2", "Gemeente", "Utrecht", "Zeist") in _lines(again)
    assert first.reports["now"]["dwellings"]["by_municipality"]["Utrecht"]["counter"] == 2
    assert build_report(session, D(2021, 5, 31))["dwellings"]["by_municipality"]["Utrecht"]["counter"] == 1


def test_a_cost_parameter_changed_after_a_meeting(session):
    def correct(s):
        old = s.exec(select(CostParameter).where(CostParameter.voided_at.is_(None))).one()
        living_lab.save_cost_parameter(s, SYSTEM, {**old.model_dump(include={
            "model", "category", "label", "unit", "source", "valid_from", "payer"}), "amount_eur": 20000},
            parameter_id=old.id)
    _, again = _as_presented(session, correct, "cost")
    assert ("kostenparameter Opvangplek", "Bedrag (€)", "35.000", "20.000") in _lines(again)
    from eet.figures import business_case as costs

    amounts = [p["amount_eur"] for p in costs.cost_parameters(session, D(2021, 5, 31))]
    assert amounts == [20000]


def test_zrm_measurements_replaced_after_a_meeting(session):
    def correct(s):
        record_measurement(s, SYSTEM, MeasurementIn.parse({"code": "P-1", "date": "2021-03-02",
                                                           "finances": 5, "housing": 5}))
    _, again = _as_presented(session, correct, "void.measurement")
    lines = [line for line in _lines(again) if line[0].endswith("P-1")]
    assert ("ZRM-meting P-1", "", "02-03-2021", "") in lines and ("ZRM-meting P-1", "", "", "02-03-2021") in lines
    voided = session.exec(select(Measurement).where(Measurement.voided_at.is_not(None))).all()
    assert len(voided) == 1 and voided[0].void_reason.startswith("replaced")


def test_a_viewer_cannot_read_a_late_correction_of_one_person(session, actors):
    """The review's main table shows what the meeting showed (8 referred); the 'as known then / now'
    table beside it must not show 7 now: together they would give one person's correction away."""
    _history(session)
    for n in range(10, 16):
        participant(session, f"P-{n}", D(2021, 4, n), municipality="Utrecht")
    moment = _meeting_moment(session)
    _recorded_meeting(session, moment)
    presented = build_report(session, D(2021, 5, 31), known_at=moment)["participants"]["funnel"]["referred"]
    assert presented == 8
    participant(session, "P-10", D(2021, 6, 1), municipality="Utrecht")
    session.commit()
    review = build_review(session, actors["viewer"], D(2021, 5, 31))
    referred = next(f for f in review.known_now if (f.group, f.item) == ("funnel", "referred"))
    assert referred.now is None or not 1 <= abs(int(referred.now) - presented) <= 4, referred
    assert referred.then == presented  # what the meeting showed stays shown


def test_a_change_of_details_keeps_the_old_version_voided_with_who_and_when(session):
    _history(session)
    services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="UTR-2", municipality="Zeist", status="location_found",
                                                         status_date=D(2021, 2, 1)))
    session.commit()
    dwelling_id = session.exec(select(Dwelling.id).where(Dwelling.ref == "UTR-2")).one()
    versions = session.exec(select(DwellingVersion).where(DwellingVersion.dwelling_id == dwelling_id)
                            .order_by(DwellingVersion.id)).all()
    zeist = session.exec(select(Organisation.id).where(Organisation.name == "Zeist")).one()
    assert [v.municipality_id == zeist for v in versions] == [False, True]
    assert versions[0].voided_at == versions[1].recorded_at and versions[0].voided_by == "system"
    assert versions[1].voided_at is None
    people = session.exec(select(ParticipantVersion)).all()
    assert len(people) == 2 and all(v.voided_at is None for v in people)


# --- a signed-off month stays closed ------------------------------------------------------------

def _lister(session) -> int:
    return session.exec(select(Organisation.id).where(Organisation.name == "Lister")).one()


def _signed(session, org_id: int, month: str = "2021-03") -> None:
    signoff.sign_off(session, SYSTEM, month, organisation_id=org_id)
    session.commit()


def test_moving_a_participant_away_from_a_signed_off_care_provider_is_refused(session):
    _history(session)
    _signed(session, _lister(session))
    with pytest.raises(RuleError, match="signed off for Lister") as refused:
        services.register_participant(session, SYSTEM, ParticipantIn(
            code="P-1", referrer="Stadsteam Back Up", referred_on=D(2021, 2, 2), municipality="Utrecht",
            care_provider="Kwintes"))
    assert refused.value.errors[0].field == "care_provider"
    session.rollback()


def test_a_dwelling_s_corporation_changed_without_a_status_is_refused_in_a_signed_off_month(session):
    _history(session)
    mitros = session.exec(select(Organisation.id).where(Organisation.name == "Mitros")).one()
    _signed(session, mitros)
    with pytest.raises(RuleError, match="signed off for Mitros"):
        services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="UTR-1", municipality="Utrecht", corporation="Portaal",
                                                             status="occupied", status_date=D(2021, 3, 1)))
    session.rollback()


def test_a_measurement_dated_in_a_signed_off_month_is_refused(session, tmp_path):
    _history(session)
    _signed(session, _lister(session))
    with pytest.raises(RuleError, match="signed off"):
        record_measurement(session, SYSTEM, MeasurementIn.parse({"code": "P-1", "date": "2021-03-20", **SCORES}))
    session.rollback()
    from eet.entry.imports import import_file
    from tests.import_helpers import write_csv

    path = write_csv(tmp_path / "zrm.csv", [["code", "date", "finances"], ["P-1", "2021-03-21", "3"]])
    result = import_file(session.get_bind(), "measurements", path)
    assert not result.ok and "signed off" in " ".join(str(e) for e in result.errors)
    assert session.exec(select(Measurement).where(Measurement.measured_on == D(2021, 3, 21))).all() == []


def test_voiding_a_move_in_is_refused_in_the_dwelling_owner_s_signed_off_month(session):
    _history(session)
    mitros = session.exec(select(Organisation.id).where(Organisation.name == "Mitros")).one()
    _signed(session, mitros)
    move_in = session.exec(select(ParticipantEvent).where(ParticipantEvent.kind == "housed")).one()
    with pytest.raises(RuleError, match="signed off for Mitros"):
        services.void_event(session, SYSTEM, move_in.id, "wrong date")
    session.rollback()


def test_the_waiting_list_flag_is_refused_in_a_signed_off_month(session):
    _history(session)
    utrecht = session.exec(select(Organisation.id).where(Organisation.name == "Utrecht")).one()
    _signed(session, utrecht, "2021-05")
    with pytest.raises(RuleError, match="signed off for Utrecht"):
        services.register_participant(session, SYSTEM, ParticipantIn(
            code="P-2", referrer="Stadsteam Back Up", referred_on=D(2021, 5, 2), municipality="Utrecht",
            care_provider="Lister", central_waiting_list=True))
    session.rollback()
    # A month after the last one signed off stays open.
    participant(session, "P-3", D(2021, 6, 2), municipality="Utrecht")
    session.commit()


def test_signoff_on_the_command_line(engine, tmp_path):
    env = {"EET_DATABASE_URL": str(engine.url.render_as_string(hide_password=False)), "PATH": "/usr/bin:/bin"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "eet", *args], cwd=ROOT, env=env, capture_output=True, text=True)

    done = cli("signoff", "2021-03", "--org", "Lister")
    assert done.returncode == 0 and "signed off for Lister" in done.stdout
    again = cli("signoff", "2021-03", "--org", "Lister")
    assert again.returncode == 1 and "2021-03" in again.stderr
    reopened = cli("signoff", "2021-03", "--org", "Lister", "--reopen")
    assert reopened.returncode == 0 and "reopened" in reopened.stdout
    unknown = cli("signoff", "2021-03", "--org", "Nergens")
    assert unknown.returncode == 1


# --- no write around the gate -------------------------------------------------------------------

def _fact_rows(session) -> dict:
    """One new row per fact table, each valid but for the gate."""
    org = session.exec(select(Organisation.id)).first()
    return {"target": Target(key="dwellings", value=1, valid_from=D(2021, 1, 1)),
            "organisation": Organisation(name="Nieuw", kind="referral")}


def test_the_guard_refuses_a_fact_written_around_the_gate(session):
    for row in _fact_rows(session).values():
        session.add(row)
        with pytest.raises(GateClosed):
            session.flush()
        session.rollback()
    from sqlalchemy import update
    with pytest.raises(GateClosed):
        session.execute(update(Participant).values(age_band="65+"))
    session.rollback()


def _opens_the_guard(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) in ("opened", "maintenance"))


# Where the guard may be opened: the gate itself, and the store's own work that is no write of a
# fact by an actor (schema migration, restoring a backup, removing the demo, a synthetic bulk load).
MAY_OPEN = {"eet/write/gate.py": "opened", "eet/write/guard.py": "opened", "eet/store/engine.py": "maintenance",
            "eet/store/backup.py": "maintenance", "eet/store/contents.py": "maintenance",
            "eet/demo/synth.py": "maintenance"}


def test_only_the_gate_opens_the_fact_tables():
    """Read every module of eet: a call of guard.opened or maintenance anywhere else is a door around
    the gate."""
    found = {}
    for path in sorted((ROOT / "eet").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [node for node in ast.walk(tree) if _opens_the_guard(node)]
        if calls:
            found[str(path.relative_to(ROOT))] = calls
    assert set(found) <= set(MAY_OPEN), f"the fact tables opened outside the gate in {sorted(set(found) - set(MAY_OPEN))}"
    assert "eet/write/gate.py" in found


def test_every_fact_table_is_guarded():
    """Every table a figure, a sign-off or a meeting reads is in the guard's list: the tables with a
    date of a fact or a version (found from the models, not listed by hand)."""
    from sqlmodel import SQLModel

    outside = {"user", "user_session", "sign_in_failure", "audit_record", "data_version", "alembic_version"}
    tables = set(SQLModel.metadata.tables) - outside
    assert tables <= FACT_TABLES | {t for t in tables if t.endswith("_token")}, sorted(tables - FACT_TABLES)


def test_a_recorded_meeting_s_data_quality_reads_as_it_was(session, actors):
    """What looked stuck at the meeting, and which months were signed off then, as known at its moment."""
    from eet.quality import stuck

    _history(session)
    moment = _meeting_moment(session)
    _signed(session, _lister(session))
    event(session, "P-2", "assessed", D(2021, 5, 10), "eligible")  # entered after the meeting
    session.commit()
    then = stuck.stuck_records(session, SYSTEM, D(2021, 7, 31), known_at=moment)
    now = stuck.stuck_records(session, SYSTEM, D(2021, 7, 31))
    assert [s.key for s in then["referral_without_assessment"]] == ["P-2"]
    assert now["referral_without_assessment"] == []
    assert signoff.signed_off(session, known_at=moment) == []
    assert [m["month"] for m in signoff.signed_off(session)] == [D(2021, 3, 1)]


def test_every_change_is_listed_for_exact_roles_only_and_not_past_the_meeting_date(session, actors):
    """Issue 22: the exact review lists each change since the meeting's moment that can move a figure
    at its date, a line per field; a registration dated after the meeting date is no such change;
    a viewer's review, counts only, has no such table."""
    from eet.review.known import known_tables

    _history(session)
    moment = _meeting_moment(session)
    _recorded_meeting(session, moment)
    participant(session, "P-3", D(2021, 7, 1), municipality="Utrecht")  # after the meeting date
    event(session, "P-1", "exited", D(2021, 5, 20), "negative")
    session.commit()
    exact = build_review(session, SYSTEM, D(2021, 5, 31))
    lines = _lines(exact)
    assert [line[0] for line in lines] == ["stap deelnemer P-1"]
    assert lines[0][3] == "uitgestroomd · 20-05-2021 · negatief"
    assert "changes" in {table.key for table in known_tables(exact, "nl")}
    viewer = build_review(session, actors["viewer"], D(2021, 5, 31))
    assert viewer.changes is None and "changes" not in {table.key for table in known_tables(viewer, "nl")}
