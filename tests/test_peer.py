"""Our report against the analyst's peer (bench/peer.py): every figure of the report computed a
second time, in pandas, from the definitions of DESIGN.md, on SQLite and PostgreSQL. The peer reads
the database without `eet`, so a wrong definition in eet.figures shows up as a difference here.

Histories: the demo at the launch, in March and at the May review; a synthetic history of pilot
size, then the same history with voided rows and same-day ties (which synth never makes) added."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select, update
from sqlmodel import Session

from bench import peer
from eet.demo.synth import synthesise
from eet.report import build_report
from eet.store.models import DwellingStatusChange, ParticipantEvent
from eet.write.guard import maintenance

END = date(2024, 12, 31)
SYNTH_DATES = [date(2019, 6, 30), date(2020, 3, 31), date(2021, 1, 15), date(2021, 12, 31), date(2022, 7, 1),
               date(2023, 2, 28), date(2024, 6, 30), END]
CHANGES, EVENTS = DwellingStatusChange.__table__, ParticipantEvent.__table__


def compare(engine, dates) -> list[dict]:
    """Asserts ours == peer at each date; returns the peer's reports (to check they say something)."""
    tables = peer.load(engine)
    reports = []
    for as_of in dates:
        with Session(engine) as session:
            ours = build_report(session, as_of)
        theirs = peer.compute(tables, as_of)
        assert peer.differences(ours, theirs) == [], (engine.dialect.name, as_of)
        reports.append(theirs)
    return reports


def test_the_peer_agrees_with_ours_on_the_demo(demo_engine):
    reports = compare(demo_engine, [date(2021, 1, 15), date(2021, 3, 1), date(2021, 5, 31)])
    launch = reports[0]["dwellings"]
    assert (launch["counter"], launch["pipeline"]) == (132, 45)  # the newsletter's counter, from the peer too
    assert all(r["participants"]["funnel"]["referred"] > 0 for r in reports)


def _add_voids_and_ties(engine) -> None:
    """Rows synth never writes: voided events and status changes, and a second event or status
    change on the same date as an existing one (the later recorded must win)."""
    now = datetime.now(timezone.utc)
    with engine.begin() as conn, maintenance("test: rows synth never writes"):
        conn.execute(update(EVENTS).where(EVENTS.c.id % 13 == 0).values(voided_at=now, voided_by="test"))
        conn.execute(update(CHANGES).where(CHANGES.c.id % 11 == 0).values(voided_at=now, voided_by="test"))
        live = EVENTS.c.voided_at.is_(None)
        ties = []
        for pid, on, outcome in conn.execute(select(EVENTS.c.participant_id, EVENTS.c.occurred_on, EVENTS.c.outcome)
                                             .where(live, EVENTS.c.kind == "assessed", EVENTS.c.id % 5 == 1)):
            ties.append({"participant_id": pid, "kind": "assessed", "occurred_on": on,
                         "outcome": "not_eligible" if outcome == "eligible" else "eligible"})
        for pid, on in conn.execute(select(EVENTS.c.participant_id, EVENTS.c.occurred_on)
                                    .where(live, EVENTS.c.kind == "exited", EVENTS.c.id % 2 == 0)):
            ties.append({"participant_id": pid, "kind": "housed", "occurred_on": on, "outcome": None})
        conn.execute(EVENTS.insert(), [{**row, "recorded_at": now} for row in ties])
        changes = [{"dwelling_id": d, "status": "available" if s != "available" else "searching",
                    "effective_on": on, "recorded_at": now}
                   for d, s, on in conn.execute(select(CHANGES.c.dwelling_id, CHANGES.c.status, CHANGES.c.effective_on)
                                                .where(CHANGES.c.voided_at.is_(None), CHANGES.c.id % 7 == 3))]
        conn.execute(CHANGES.insert(), changes)
        assert len(ties) > 20 and len(changes) > 20


def test_the_peer_agrees_with_ours_on_a_synthetic_history(engine):
    synthesise(engine, participants=300, seed=15, end=END)
    reports = compare(engine, SYNTH_DATES)
    last = reports[-1]["participants"]
    # The dates reach every figure: a retention cohort, exits, lead times, withdrawals.
    assert last["retention_12m"]["cohort"] > 20 and last["lead_time_days"]["n"] > 50
    assert last["funnel"]["housed_now"] < last["funnel"]["housed"] and last["funnel"]["withdrawn"] > 0

    _add_voids_and_ties(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(EVENTS.c.voided_at.is_not(None))).scalar() > 10
    after = compare(engine, SYNTH_DATES)
    assert after[-1] != reports[-1]  # the voids and ties changed the figures, and both agree again


def test_differences_names_what_differs():
    theirs = {"dwellings": {"counter": 3, "by_status": {"searching": 1}},
              "participants": {"lead_time_days": {"median": 10.5, "n": 2}}}
    ours = {"dwellings": {"counter": 3, "by_status": {"searching": 2}},
            "participants": {"lead_time_days": {"median": 10.5 + 1e-12, "n": 2}}, "known_at": None}
    assert peer.differences(ours, theirs) == ["dwellings.by_status.searching: ours 2, peer 1"]
    assert peer.differences({"dwellings": {"counter": 3}}, theirs)[0] == "dwellings.by_status: missing in ours"
    assert peer.differences({**ours, "participants": {"lead_time_days": {"median": 11.0, "n": 2}}}, theirs)[-1] \
        == "participants.lead_time_days.median: ours 11.0, peer 10.5"
