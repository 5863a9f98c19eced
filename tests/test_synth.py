"""Synthetic histories pass the rules: replayed through the service layer into a fresh database, they
are accepted row by row and give the same report; the same seed gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conftest import _dispose, _new_database
from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.bootstrap import initialise
from eet.store.engine import get_engine
from eet.write.guard import maintenance
from eet.store.models import DwellingVersion, ParticipantVersion
from eet.store.models import Dwelling, DwellingStatusChange, Organisation, Participant, ParticipantEvent
from eet.figures.report import build_report
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, StatusChangeIn
from eet.demo.synth import SynthRefused, synthesise

END = date(2024, 6, 30)
SIZE = 300


@pytest.fixture()
def other_engine(backend_url, tmp_path_factory):
    """A second clean database on the same backend as `engine`."""
    url = _new_database("postgresql" if backend_url.startswith("postgresql") else "sqlite", tmp_path_factory)
    engine = get_engine(url)
    initialise(engine)
    yield engine
    _dispose(url)


def _history(engine) -> dict[str, list[tuple]]:
    """Every dwelling, participant, event and status change by its keys, not its ids."""
    with Session(engine) as s:
        org = {i: n for i, n in s.execute(select(Organisation.id, Organisation.name))}
        ref = {i: r for i, r in s.execute(select(Dwelling.id, Dwelling.ref))}
        code = {i: c for i, c in s.execute(select(Participant.id, Participant.code))}
        events = {e.id: e for e in s.execute(select(ParticipantEvent)).scalars()}
        return {
            "dwellings": sorted(
                (d.ref, org[d.municipality_id], org.get(d.corporation_id), org.get(d.care_provider_id),
                 d.site, d.building_type, d.route, d.is_demo) for d in s.execute(select(Dwelling)).scalars()),
            "participants": sorted(
                (p.code, org[p.referrer_id], org.get(p.care_provider_id), org.get(p.municipality_id),
                 p.central_waiting_list, p.referred_on, p.age_band, p.is_demo)
                for p in s.execute(select(Participant)).scalars()),
            "events": sorted(
                (code[e.participant_id], e.occurred_on, e.kind, e.outcome or "", ref.get(e.dwelling_id) or "")
                for e in events.values()),
            "changes": sorted(
                (ref[c.dwelling_id], c.effective_on, c.status,
                 (events[c.event_id].kind, code[events[c.event_id].participant_id]) if c.event_id else ())
                for c in s.execute(select(DwellingStatusChange)).scalars()),
        }


def _replay(source, target) -> int:
    """Write the source's histories into the target through the services, in date order; every
    write is checked by the same rules as a form or an import. Returns the number of writes."""
    with Session(source) as s:
        org = {i: n for i, n in s.execute(select(Organisation.id, Organisation.name))}
        dwellings = {d.id: d for d in s.execute(select(Dwelling)).scalars()}
        people = {p.id: p for p in s.execute(select(Participant)).scalars()}
        actions = []
        seen: set[int] = set()
        for c in s.execute(select(DwellingStatusChange).where(DwellingStatusChange.event_id.is_(None))
                           .order_by(DwellingStatusChange.effective_on, DwellingStatusChange.id)).scalars():
            d = dwellings[c.dwelling_id]
            if d.id in seen:
                write = (services.change_dwelling_status,
                         StatusChangeIn(ref=d.ref, status=c.status, effective_on=c.effective_on))
            else:
                seen.add(d.id)
                write = (services.upsert_dwelling, DwellingIn(
                    ref=d.ref, municipality=org[d.municipality_id], corporation=org.get(d.corporation_id),
                    care_provider=org.get(d.care_provider_id), site=d.site, building_type=d.building_type,
                    route=d.route, status=c.status, status_date=c.effective_on))
            actions.append((c.effective_on, 0, c.id, write))
        for p in people.values():
            actions.append((p.referred_on, 1, p.id, (services.register_participant, ParticipantIn(
                code=p.code, referrer=org[p.referrer_id], care_provider=org.get(p.care_provider_id),
                municipality=org.get(p.municipality_id), central_waiting_list=p.central_waiting_list,
                referred_on=p.referred_on, age_band=p.age_band))))
        for e in s.execute(select(ParticipantEvent)).scalars():
            actions.append((e.occurred_on, 2, e.id, (services.record_event, EventIn(
                code=people[e.participant_id].code, event=e.kind, date=e.occurred_on, outcome=e.outcome,
                dwelling_ref=dwellings[e.dwelling_id].ref if e.dwelling_id else None))))
    actions.sort(key=lambda a: a[:3])
    with Session(target) as session:
        session.info["demo"] = True
        for *_, (write, data) in actions:
            # "unchanged" would mean a duplicate row the services would not have written.
            assert write(session, SYSTEM, data, source="replay") in ("created", "changed"), data
        session.commit()
    return len(actions)


def test_synthetic_histories_pass_the_rules_and_give_the_same_report(engine, other_engine):
    counts = synthesise(engine, participants=SIZE, seed=11, end=END)
    assert counts["participants"] == SIZE and counts["dwellings"] == SIZE // 2
    writes = _replay(engine, other_engine)
    assert writes > counts["participants"] + counts["dwellings"] + counts["events"] // 2
    synthetic, replayed = _history(engine), _history(other_engine)
    for part in ("dwellings", "participants", "events", "changes"):
        assert synthetic[part] == replayed[part], part
    for as_of in (END, END - timedelta(days=200), END - timedelta(days=3 * 365), END - timedelta(days=2000)):
        with Session(engine) as a, Session(other_engine) as b:
            assert build_report(a, as_of) == build_report(b, as_of)


def test_histories_cover_every_kind_of_step(engine):
    synthesise(engine, participants=SIZE, seed=3, end=END)
    with Session(engine) as s:
        kinds = {(k, o) for k, o in s.execute(select(ParticipantEvent.kind, ParticipantEvent.outcome).distinct())}
        statuses = set(s.execute(select(DwellingStatusChange.status).distinct()).scalars())
        reassessed = s.execute(select(func.count()).select_from(
            select(ParticipantEvent.participant_id).where(ParticipantEvent.kind == "assessed")
            .group_by(ParticipantEvent.participant_id).having(func.count() > 1).subquery())).scalar()
        rehoused = s.execute(select(func.count()).select_from(
            select(ParticipantEvent.participant_id).where(ParticipantEvent.kind == "housed")
            .group_by(ParticipantEvent.participant_id).having(func.count() > 1).subquery())).scalar()
    assert {("assessed", "eligible"), ("assessed", "not_eligible"), ("matched", None), ("housed", None),
            ("exited", "positive"), ("exited", "negative")} <= kinds
    assert any(k == "withdrawn" for k, _ in kinds)
    assert statuses == {"searching", "location_found", "available", "occupied", "withdrawn"}
    assert reassessed > 0 and rehoused > 0


def test_same_seed_same_rows_other_seed_other_rows(engine, other_engine):
    synthesise(engine, participants=SIZE, seed=5, end=END)
    synthesise(other_engine, participants=SIZE, seed=5, end=END)
    first = _history(engine)
    assert first == _history(other_engine)
    with Session(other_engine) as s, maintenance("test: a cleared database"):  # then a different seed
        for table in (DwellingStatusChange, ParticipantEvent, ParticipantVersion, Participant, DwellingVersion,
                      Dwelling):
            s.execute(table.__table__.delete())
        s.commit()
    synthesise(other_engine, participants=SIZE, seed=6, end=END)
    assert _history(other_engine)["events"] != first["events"]


def test_funnel_narrows_step_by_step(engine):
    synthesise(engine, participants=SIZE, seed=8)
    yesterday = date.today() - timedelta(days=1)
    with Session(engine) as s:
        last = max(s.execute(select(func.max(ParticipantEvent.occurred_on))).scalar(),
                   s.execute(select(func.max(DwellingStatusChange.effective_on))).scalar(),
                   s.execute(select(func.max(Participant.referred_on))).scalar())
        assert last <= yesterday  # every date lies in the past
        for as_of in (yesterday, yesterday - timedelta(days=500), yesterday - timedelta(days=1500)):
            f = build_report(s, as_of)["participants"]["funnel"]
            assert f["referred"] >= f["assessed"] >= f["eligible"] >= f["matched"] >= f["housed"] \
                >= f["housed_now"] > 0, (as_of, f)
            assert f["withdrawn"] <= f["referred"] - f["housed"]


def test_refuses_real_data_and_a_second_run(engine, session):
    synthesise(engine, participants=20, seed=1, end=END)
    with pytest.raises(SynthRefused, match="synthetic data already"):
        synthesise(engine, participants=20, seed=2, end=END)
    # Ids continue after the synthetic rows (PostgreSQL's sequences were moved on).
    services.register_participant(session, SYSTEM, ParticipantIn(
        code="P-0001", referrer="Regionale Toegang", referred_on=date(2024, 1, 2)))
    session.commit()
    with pytest.raises(SynthRefused, match="real"):
        synthesise(engine, participants=20, seed=3, end=END)
