"""Properties of the versioned facts and the one write gate (issue 22), over random sequences of
writes by random actors through the public write functions, on SQLite and PostgreSQL:

(a) after a meeting is recorded, its figures made again equal the first in every figure (the pack's
    research section included), and when what the meeting's date shows now differs, the corrections
    since its moment are not empty;
(b) after an organisation signs off a month, every figure of that organisation at every date in
    that month stays the same until a reopen.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from eet.accounts.access import AccessDenied, Actor, SYSTEM
from eet.entry import data_entry, living_lab, services
from eet.entry.measurements import save_measurement
from eet.entry.schemas import DwellingIn, ParticipantIn, RuleError
from eet.figures.dwellings import dwelling_counts
from eet.figures.participants import funnel, lead_time, retention_12m
from eet.figures.query import DwellingFilter, ParticipantFilter
from eet.figures.report import build_report
from eet.quality import signoff
from eet.review.known import corrections_since
from eet.review.pack import research_figures
from eet.figures.query import as_known_at
from eet.store.models import CostParameter, Organisation, Participant, ParticipantEvent, utcnow
from tests.conftest import emptied
from tests.test_write_gate import _cost, _history

D = date(2021, 5, 31)
MARCH = [date(2021, 3, 1), date(2021, 3, 15), date(2021, 3, 31)]
CODES = ["P-1", "P-2", "P-3", "P-4"]
REFS = ["UTR-1", "UTR-2", "UTR-3"]
DAYS = st.dates(min_value=date(2021, 1, 20), max_value=date(2021, 7, 31))


def _ids(session) -> dict[str, int]:
    return {name: oid for oid, name in session.exec(select(Organisation.id, Organisation.name))}


def _actors(session) -> list[Actor]:
    ids = _ids(session)
    return [SYSTEM, Actor("c-utrecht", "coordinator", organisation_id=ids["Utrecht"]),
            Actor("c-lister", "coordinator", organisation_id=ids["Lister"]),
            Actor("c-mitros", "coordinator", organisation_id=ids["Mitros"]),
            Actor("r", "researcher"), Actor("v", "viewer")]


# --- the writes: each draws its values and calls a public write function ------------------------

def _participant(session, actor, draw):
    code = draw(st.sampled_from(CODES))
    services.register_participant(session, actor, ParticipantIn(
        code=code, referrer="Stadsteam Back Up", referred_on=draw(DAYS),
        municipality=draw(st.sampled_from(["Utrecht", "Zeist"])),
        care_provider=draw(st.sampled_from(["Lister", "Kwintes"])),
        central_waiting_list=draw(st.sampled_from([None, True, False]))))


def _dwelling(session, actor, draw):
    services.upsert_dwelling(session, actor, DwellingIn(
        ref=draw(st.sampled_from(REFS)), municipality=draw(st.sampled_from(["Utrecht", "Zeist"])),
        corporation=draw(st.sampled_from(["Mitros", "Portaal"])),
        status=draw(st.sampled_from(["searching", "location_found", "available"])), status_date=draw(DAYS)))


def _step(session, actor, draw):
    kind = draw(st.sampled_from(["assessed", "matched", "housed", "exited"]))
    values = {"code": draw(st.sampled_from(CODES)), "event": kind, "date": draw(DAYS).isoformat()}
    if kind == "assessed":
        values["outcome"] = "eligible"
    elif kind in ("matched", "housed"):
        values["dwelling_ref"] = draw(st.sampled_from(REFS))
    else:
        values["outcome"] = draw(st.sampled_from(["positive", "negative"]))
    data_entry.record_step(session, actor, values)


def _void(session, actor, draw):
    steps = session.exec(select(ParticipantEvent.id).where(ParticipantEvent.voided_at.is_(None))
                         .order_by(ParticipantEvent.id)).all()
    if steps:
        data_entry.void_step(session, actor, draw(st.sampled_from(steps)), "fout")


def _measurement(session, actor, draw):
    save_measurement(session, actor, {"code": draw(st.sampled_from(CODES)), "date": draw(DAYS).isoformat(),
                                      "finances": draw(st.integers(1, 5)), "housing": draw(st.integers(1, 5))})


def _cost_change(session, actor, draw):
    row = session.exec(select(CostParameter).where(CostParameter.voided_at.is_(None))).first()
    living_lab.save_cost_parameter(session, actor, {
        **row.model_dump(include={"model", "category", "label", "unit", "source", "valid_from", "payer"}),
        "amount_eur": draw(st.sampled_from([20000, 35000, 50000]))}, parameter_id=row.id)


WRITES = [_participant, _dwelling, _step, _void, _measurement, _cost_change]


def _run(engine, data, steps: int) -> None:
    """`steps` random writes by random actors, each committed or (refused) rolled back."""
    with Session(engine, expire_on_commit=False) as session:
        actors = _actors(session)
    for _ in range(steps):
        write = data.draw(st.sampled_from(WRITES))
        actor = data.draw(st.sampled_from(actors))
        with Session(engine, expire_on_commit=False) as session:
            try:
                write(session, actor, data.draw)
                session.commit()
            except (RuleError, AccessDenied):
                session.rollback()


def _base(engine) -> None:
    emptied(engine)
    with Session(engine, expire_on_commit=False) as session:
        _history(session)
        participant_3 = ParticipantIn(code="P-3", referrer="Stadsteam Back Up", referred_on=date(2021, 2, 10),
                                      municipality="Zeist", care_provider="Kwintes")
        services.register_participant(session, SYSTEM, participant_3)
        session.commit()


PROPERTY = settings(max_examples=10, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(data=st.data())
def test_a_recorded_meeting_is_shown_again_exactly_and_every_change_is_listed(backend_url, data):
    from eet.store.engine import get_engine

    engine = get_engine(backend_url)
    _base(engine)
    moment = utcnow()
    with Session(engine) as session:
        first = build_report(session, D, known_at=moment)
        with as_known_at(session, moment):
            research = research_figures(session, D)
    _run(engine, data, data.draw(st.integers(1, 6)))
    with Session(engine) as session:
        assert build_report(session, D, known_at=moment) == first
        with as_known_at(session, moment):
            assert research_figures(session, D) == research
        now = build_report(session, D)
        changed = {k: v for k, v in now.items() if k not in ("known_at", "generated_at")} != \
            {k: v for k, v in first.items() if k not in ("known_at", "generated_at")}
        if changed:
            assert corrections_since(session, D, moment), "a figure at D changed and no correction is listed"


def _lister_figures(session) -> list:
    lister = _ids(session)["Lister"]
    people, homes = ParticipantFilter(organisation_id=lister), DwellingFilter(organisation_id=lister)
    return [(funnel(session, day, scope=people), dwelling_counts(session, day, scope=homes),
             lead_time(session, day, scope=people), retention_12m(session, day, scope=people)) for day in MARCH]


@PROPERTY
@given(data=st.data())
def test_a_signed_off_month_keeps_every_figure_of_its_organisation(backend_url, data):
    from eet.store.engine import get_engine

    engine = get_engine(backend_url)
    _base(engine)
    with Session(engine) as session:
        signoff.sign_off(session, SYSTEM, "2021-03", organisation_id=_ids(session)["Lister"])
        session.commit()
        before = _lister_figures(session)
    _run(engine, data, data.draw(st.integers(1, 6)))
    with Session(engine) as session:
        assert _lister_figures(session) == before
