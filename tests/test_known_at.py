"""Figures as known at a moment K (DESIGN.md, issue 16): a back-dated event, a back-dated status
change, a participant registered late and a void, all recorded after K, leave the report at (D, K)
as it was and change the report at D. On SQLite and PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from eet import figures
from eet.accounts.access import SYSTEM
from eet.entry import services
from eet.figures import dwelling_table, business_case
from eet.figures.query import MEMO_KEY, as_known_at, known_at_of
from eet.figures.report import PROGRAMME_ZONE, build_report, parse_known_at
from eet.store.models import (
    DwellingStatusChange, DwellingVersion, Participant, ParticipantEvent, ParticipantVersion, utcnow,
)
from eet.write.guard import maintenance
from tests.test_figures import D, dwelling, event, housed_person, participant, status

AS_OF = D(2021, 5, 31)


def _moment() -> datetime:
    """A moment strictly between the writes before and after it."""
    time.sleep(0.01)
    moment = utcnow()
    time.sleep(0.01)
    return moment


def _history(session) -> None:
    """Two housed participants, one eligible only, a dwelling searching."""
    housed_person(session, "P-1", "U-1", D(2021, 1, 20), D(2021, 2, 15))
    housed_person(session, "P-2", "U-2", D(2021, 2, 1), D(2021, 3, 20))
    participant(session, "P-3", D(2021, 3, 1))
    event(session, "P-3", "assessed", D(2021, 3, 10), "eligible")
    dwelling(session, "U-3", "searching", D(2021, 2, 1))
    session.commit()


def test_back_dated_rows_recorded_after_k_leave_the_report_at_d_k_unchanged(session):
    _history(session)
    k = _moment()
    at_k = build_report(session, AS_OF)
    # Back-dated corrections recorded after K: a match (dated in April), a status change (May),
    # a participant registered late with a referral in March.
    dwelling(session, "U-4", "available", D(2021, 3, 1))
    event(session, "P-3", "matched", D(2021, 4, 2), dwelling_ref="U-4")
    status(session, "U-3", "location_found", D(2021, 5, 1))
    participant(session, "P-4", D(2021, 3, 15))
    session.commit()

    now = build_report(session, AS_OF)
    known = build_report(session, AS_OF, known_at=k)
    assert now["participants"]["funnel"]["matched"] == at_k["participants"]["funnel"]["matched"] + 1
    assert now["participants"]["funnel"]["referred"] == at_k["participants"]["funnel"]["referred"] + 1
    assert now["dwellings"]["counter"] == at_k["dwellings"]["counter"] + 2  # U-4 available, U-3 found
    assert now["dwellings"]["pipeline"] == at_k["dwellings"]["pipeline"] - 1
    assert known["known_at"] is not None and at_k["known_at"] is None and now["known_at"] is None
    assert {**known, "known_at": None} == at_k
    # The trend, the dwelling table and the business case's years follow K too.
    with as_known_at(session, k):
        trend = figures.dwelling_trend(session, AS_OF)
        rows = dwelling_table.dwelling_rows(session, SYSTEM, AS_OF)
        assert dwelling_table.dwelling_count(session, SYSTEM, AS_OF) == 3
    assert trend[-1]["counter"] == at_k["dwellings"]["counter"]
    assert {r["ref"] for r in rows} == {"U-1", "U-2", "U-3"}
    assert next(r for r in rows if r["ref"] == "U-3")["status"] == "searching"
    assert known_at_of(session) is None  # the block restored the session


def test_a_void_after_k_leaves_the_report_at_d_k_unchanged(session):
    _history(session)
    k = _moment()
    at_k = build_report(session, AS_OF)
    move_in = session.exec(select(ParticipantEvent).join(Participant).where(
        Participant.code == "P-2", ParticipantEvent.kind == "housed")).one()
    services.void_event(session, SYSTEM, move_in.id, "entered for the wrong participant")
    session.commit()

    now = build_report(session, AS_OF)
    assert now["participants"]["funnel"]["housed"] == at_k["participants"]["funnel"]["housed"] - 1
    assert now["dwellings"]["by_status"]["occupied"] == at_k["dwellings"]["by_status"]["occupied"] - 1
    assert now["participants"]["lead_time_days"] != at_k["participants"]["lead_time_days"]
    assert {**build_report(session, AS_OF, known_at=k), "known_at": None} == at_k
    with as_known_at(session, k):
        years_k = business_case.participant_years(session, AS_OF)
    assert years_k > business_case.participant_years(session, AS_OF)


def test_retention_and_kaplan_meier_as_known_at_k(session):
    housed_person(session, "P-1", "U-1", D(2020, 1, 10), D(2020, 2, 1))
    housed_person(session, "P-2", "U-2", D(2020, 1, 10), D(2020, 2, 1))
    session.commit()
    k = _moment()
    before = figures.retention_12m(session, D(2021, 5, 31))
    event(session, "P-2", "exited", D(2020, 8, 1), "negative")  # back-dated, recorded after K
    session.commit()
    assert figures.retention_12m(session, D(2021, 5, 31)).rate == 0.5
    assert before.rate == 1.0
    with as_known_at(session, k):
        assert figures.retention_12m(session, D(2021, 5, 31)) == before
        assert figures.kaplan_meier(session, D(2021, 5, 31)).events == 0
    assert figures.kaplan_meier(session, D(2021, 5, 31)).events == 1


def test_the_memo_keeps_d_and_d_k_apart(session):
    _history(session)
    k = _moment()
    participant(session, "P-4", D(2021, 3, 15))
    session.commit()
    session.info[MEMO_KEY] = {}
    try:
        now = figures.funnel(session, AS_OF)["referred"]
        with as_known_at(session, k):
            then = figures.funnel(session, AS_OF)["referred"]
        assert (now, then) == (4, 3)
        assert figures.funnel(session, AS_OF)["referred"] == 4
    finally:
        session.info.pop(MEMO_KEY)


def test_known_at_parses_days_and_moments_in_amsterdam_time():
    end = parse_known_at("2021-05-31")
    assert end.tzinfo is PROGRAMME_ZONE and (end.hour, end.minute, end.second) == (23, 59, 59)
    assert end.astimezone(timezone.utc).hour == 21  # summer time: UTC+2
    winter = parse_known_at("2021-01-15T14:30")
    assert winter.astimezone(timezone.utc) == datetime(2021, 1, 15, 13, 30, tzinfo=timezone.utc)
    assert parse_known_at("2021-06-01T09:15:30").second == 30
    for bad in ("31-05-2021", "2021-02-30", "2021-05-31 12:00", "yesterday", ""):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_known_at(bad)


def test_command_line_report_known_at(tmp_path):
    from eet.store.engine import get_engine
    from eet.bootstrap import initialise
    from tests.test_cli import run_eet

    url = f"sqlite:///{tmp_path / 'eet.db'}"
    engine = get_engine(url)
    initialise(engine)
    with Session(engine) as session:
        _history(session)
    # Everything so far was recorded on 1 June 2021 at noon (Amsterdam); a correction follows.
    first = datetime(2021, 6, 1, 12, 0, tzinfo=PROGRAMME_ZONE)
    with engine.begin() as conn, maintenance("test: a history recorded in the past"):
        for table in (ParticipantEvent, DwellingStatusChange, ParticipantVersion, DwellingVersion):
            conn.execute(update(table).values(recorded_at=first))
        conn.execute(update(Participant).values(created_at=first))
    with Session(engine) as session:
        status(session, "U-3", "location_found", D(2021, 5, 1))
        session.commit()

    def report(*extra):
        result = run_eet(url, "report", "--as-of", "2021-05-31", "--format", "json", *extra)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    now, known = report(), report("--known-at", "2021-06-01")
    assert now["known_at"] is None and known["known_at"] == "2021-06-01T23:59:59+02:00"
    assert (now["dwellings"]["counter"], known["dwellings"]["counter"]) == (3, 2)
    assert report("--known-at", "2021-06-01T11:59")["participants"]["funnel"]["referred"] == 0
    assert report("--known-at", "2021-06-01T12:00")["participants"]["funnel"]["referred"] == 3
    text = run_eet(url, "report", "--as-of", "2021-05-31", "--known-at", "2021-06-01")
    assert "as known at 2021-06-01T23:59:59+02:00" in text.stdout
    bad = run_eet(url, "report", "--known-at", "1 June")
    assert bad.returncode == 2 and "YYYY-MM-DDTHH:MM[:SS]" in bad.stderr and "Traceback" not in bad.stderr
    get_engine(url).dispose()
