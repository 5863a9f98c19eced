"""Saves at the same moment (issue 18), on SQLite and PostgreSQL, with threads as in
test_concurrency.py: two move-ins into one dwelling, at most one saved; a new key saved twice, the
loser hears "exists already", not an IntegrityError."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.entry import data_entry, route, services
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, RuleError
from eet.store.engine import session_scope
from eet.store.models import Dwelling, Participant, ParticipantEvent

D = date(2021, 3, 1)
MEET = 3  # seconds a thread waits at the meeting point for the other one


def _run_together(*jobs) -> list[str]:
    """Each job in a thread of its own; what each ended in: 'saved' or the refusal's key or the
    exception's type."""
    results: list[str] = [""] * len(jobs)

    def run(index, job):
        try:
            job()
            results[index] = "saved"
        except RuleError as exc:
            results[index] = exc.errors[0].key
        except Exception as exc:  # noqa: BLE001  (what the test looks for)
            results[index] = type(exc).__name__

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return results


def _meeting_point(monkeypatch, module, name: str) -> None:
    """Both threads stop in `module.name` until the other is there too (or MEET seconds passed):
    without a lock, both decide on the same state; with one, the second waits before deciding."""
    original = getattr(module, name)
    barrier = threading.Barrier(2)

    def wrapped(*args, **kwargs):
        try:
            barrier.wait(MEET)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def test_two_move_ins_into_one_dwelling_at_once_save_one(engine, actors, monkeypatch):
    with session_scope(engine) as s:
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="UTR-0001", municipality="Utrecht", status="available",
                                                       status_date=D))
        for code in ("P-0001", "P-0002"):
            services.register_participant(s, SYSTEM, ParticipantIn(code=code, referrer="Utrecht", referred_on=D))
            services.record_event(s, SYSTEM, EventIn(code=code, event="assessed", date=D, outcome="eligible"))
            services.record_event(s, SYSTEM, EventIn(code=code, event="matched", date=D, dwelling_ref="UTR-0001"))
    _meeting_point(monkeypatch, route, "_check_route")
    coord = actors["coordinator"]

    def move_in(code):
        def job():
            with session_scope(engine) as s:
                data_entry.record_step(s, coord, {"code": code, "event": "housed", "date": "2021-03-02",
                                                  "dwelling_ref": "UTR-0001"})
        return job

    results = _run_together(move_in("P-0001"), move_in("P-0002"))
    assert sorted(results) == ["dwelling_taken", "saved"], results
    with Session(engine) as s:
        housed = s.execute(select(func.count()).select_from(ParticipantEvent)
                           .where(ParticipantEvent.kind == "housed")).scalar_one()
    assert housed == 1


def test_a_new_key_saved_twice_at_once_tells_the_loser_it_exists(engine, actors, monkeypatch):
    _meeting_point(monkeypatch, services, "apply")  # both decided "created", neither wrote yet
    coord = actors["coordinator"]

    def add(site):
        def job():
            with session_scope(engine) as s:
                data_entry.add_dwelling(s, coord, {"ref": "UTR-0100", "municipality": "Utrecht", "site": site,
                                                   "status": "searching", "status_date": "2021-03-01"})
        return job

    results = _run_together(add("A"), add("B"))
    assert sorted(results) == ["ref_exists", "saved"], results
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Dwelling)).scalar_one() == 1


def test_a_new_participant_saved_twice_at_once_tells_the_loser_it_exists(engine, actors, monkeypatch):
    _meeting_point(monkeypatch, services, "apply")
    coord = actors["coordinator"]

    def register():
        with session_scope(engine) as s:
            data_entry.register(s, coord, {"code": "P-0100", "referrer": "Utrecht", "referred_on": "2021-03-01"})

    results = _run_together(register, register)
    assert sorted(results) == ["code_registered", "saved"], results
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Participant)).scalar_one() == 1
