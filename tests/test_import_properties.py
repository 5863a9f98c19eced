"""Property: any valid history imported from files (rows in any order, monthly dwelling lists)
gives the same report as the same history entered through the services, and importing it again
changes nothing. Both backends."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.bootstrap import initialise
from eet.entry.imports import import_file
from eet.figures.report import build_report
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn
from import_helpers import counts, write_csv
from eet.write.guard import maintenance

START = date(2021, 1, 15)
MUNICIPALITIES = ("Utrecht", "Zeist", "Houten")
REFERRERS = ("Stadsteam Back Up", "Regionale Toegang", "Lister")
REPORT_DATES = (date(2021, 2, 1), date(2021, 6, 1), date(2022, 3, 1), date(2023, 1, 1))


@st.composite
def histories(draw):
    """Dwellings with a few monthly statuses, and participants who each may move into a dwelling
    of their own (so no two share one), with steps at least a day apart."""
    seed = draw(st.integers(0, 10**6))
    rng = random.Random(seed)
    n_dwellings = draw(st.integers(1, 5))
    n_participants = draw(st.integers(0, n_dwellings + 2))
    dwellings, snapshots = [], [[], [], []]
    for i in range(n_dwellings):
        ref, municipality = f"D-{i:03d}", rng.choice(MUNICIPALITIES)
        ready = START + timedelta(days=rng.randint(0, 60))
        path = rng.choice([["searching", "location_found", "available"], ["location_found", "available"],
                           ["available"], ["searching", "withdrawn"]])
        for month, status in enumerate(path):
            snapshots[month].append(DwellingIn(ref=ref, municipality=municipality, status=status,
                                               status_date=ready + timedelta(days=31 * month)))
        dwellings.append((ref, ready + timedelta(days=31 * (len(path) - 1)), path[-1]))
    homes = [(ref, ready) for ref, ready, last in dwellings if last == "available"]
    participants, events = [], []
    for i in range(n_participants):
        code = f"P-{i:04d}"
        referred = START + timedelta(days=rng.randint(0, 90))
        participants.append(ParticipantIn(code=code, referrer=rng.choice(REFERRERS), referred_on=referred,
                                          central_waiting_list=rng.choice([True, False, None])))
        day = referred + timedelta(days=rng.randint(1, 30))
        fate = rng.choice(["referred", "assessed", "withdrawn", "housed", "housed", "exited"])
        if fate == "referred":
            continue
        if fate == "withdrawn":
            events.append(EventIn(code=code, event="withdrawn", date=day, outcome="moved away"))
            continue
        eligible = fate != "assessed" or rng.random() < 0.5
        events.append(EventIn(code=code, event="assessed", date=day,
                              outcome="eligible" if eligible else "not_eligible"))
        if fate == "assessed" or not homes:
            continue
        ref, ready = homes.pop()
        matched = max(day, ready) + timedelta(days=rng.randint(1, 20))
        housed = matched + timedelta(days=rng.randint(1, 40))
        events.append(EventIn(code=code, event="matched", date=matched, dwelling_ref=ref))
        events.append(EventIn(code=code, event="housed", date=housed, dwelling_ref=ref))
        if fate == "exited":
            events.append(EventIn(code=code, event="exited", date=housed + timedelta(days=rng.randint(1, 500)),
                                  outcome=rng.choice(["positive", "negative", "deceased"])))
    rng.shuffle(events)  # a coordinator's file is in any order
    return snapshots, participants, events


def _reset(engine) -> None:
    with engine.begin() as conn, maintenance("test: an emptied database"):
        tables = list(reversed(SQLModel.metadata.sorted_tables))
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(repr_(t) for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    initialise(engine)


def repr_(table) -> str:  # a quoted table name
    return f'"{table.name}"'


def _reports(engine) -> list[dict]:
    with Session(engine) as session:
        return [build_report(session, day) for day in REPORT_DATES]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else str(value)


def _files(tmp_path, snapshots, participants, events):
    files = []
    for month, rows in enumerate(snapshots):
        if rows:
            files.append(("dwellings", write_csv(tmp_path / f"woningen-{month}.csv", [
                ["kenmerk", "gemeente", "status", "statusdatum"],
                *[[d.ref, d.municipality, d.status, _cell(d.status_date)] for d in rows]], delimiter=";")))
    if participants:
        files.append(("participants", write_csv(tmp_path / "deelnemers.csv", [
            ["code", "referrer", "central_waiting_list", "referred_on"],
            *[[p.code, p.referrer, _cell(p.central_waiting_list), p.referred_on.isoformat()] for p in participants]])))
    if events:
        files.append(("events", write_csv(tmp_path / "stappen.csv", [
            ["code", "event", "date", "outcome", "dwelling_ref"],
            *[[e.code, e.event, e.date.isoformat(), e.outcome or "", e.dwelling_ref or ""] for e in events]])))
    return files


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_imported_history_reports_as_entered_history(engine, tmp_path, history):
    snapshots, participants, events = history
    _reset(engine)
    with Session(engine) as session:
        for rows in snapshots:
            for row in rows:
                services.upsert_dwelling(session, SYSTEM, row)
        for row in participants:
            services.register_participant(session, SYSTEM, row)
        for row in sorted(events, key=lambda e: (e.date, ["assessed", "matched", "housed", "exited",
                                                          "withdrawn"].index(e.event))):
            services.record_event(session, SYSTEM, row)
        session.commit()
    entered = _reports(engine)

    _reset(engine)
    files = _files(tmp_path, snapshots, participants, events)
    for kind, path in files:
        result = import_file(engine, kind, path)
        assert result.ok, [str(e) for e in result.errors]
    assert _reports(engine) == entered
    before = counts(engine)
    for kind, path in files:
        result = import_file(engine, kind, path)
        assert result.ok and result.counts["created"] == result.counts["changed"] == 0
    assert counts(engine) == before
