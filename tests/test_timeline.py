"""The histories kept per data version (eet.figures.timeline, issue 15): a write through eet is
patched in without reading every history again, and the figures after it equal those of a fresh
read; a timeline survives the process in its file; what the audit trail cannot place (SQL typed by
hand, a restore, a damaged file) makes everything be read again. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date

import numpy as np
import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from eet.accounts.access import SYSTEM
from eet.demo.synth import synthesise
from eet.entry import services
from eet.entry.measurements import MeasurementIn, record_measurement
from eet.figures import timeline, timeline_file
from eet.report import build_report
from eet.store import backup
from eet.store.models import ParticipantEvent, utcnow
from tests.test_figures import dwelling, event, participant, status

DATES = [date(2019, 6, 30), date(2021, 5, 31), date(2022, 12, 31), date.today()]


@pytest.fixture()
def history(engine, tmp_path, monkeypatch):
    """A synthetic pilot-size history, its timeline file in tmp_path (PostgreSQL's goes to the user's
    cache folder otherwise)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    synthesise(engine, participants=150, seed=3, dwellings=80)
    timeline.forget_timelines()
    return engine


def _reports(engine) -> list[dict]:
    with Session(engine) as s:
        return [build_report(s, day) for day in DATES]


def _fresh_reports(engine) -> list[dict]:
    """The same reports from histories read again from the tables, in memory and on file."""
    timeline.forget_timelines()
    path = timeline_file.path_for(str(engine.url))
    if path is not None:
        path.unlink(missing_ok=True)
    return _reports(engine)


def _no_full_read(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("every history was read again where a patch was due")
    monkeypatch.setattr(timeline, "read_histories", refuse)


def test_writes_through_eet_are_patched_in_and_give_the_figures_of_a_fresh_read(history, monkeypatch):
    before = _reports(history)
    with Session(history) as s:
        dwelling(s, "TL-1", "available", date(2021, 3, 1))
        participant(s, "TL-P1", date(2021, 2, 1))
        event(s, "TL-P1", "assessed", date(2021, 2, 10), "eligible")
        event(s, "TL-P1", "matched", date(2021, 3, 2), dwelling_ref="TL-1")
        s.commit()
    with monkeypatch.context() as m:
        _no_full_read(m)
        after_first = _reports(history)  # patched: the new participant and dwelling only
    with Session(history) as s:
        event(s, "TL-P1", "housed", date(2021, 4, 1), dwelling_ref="TL-1")
        status(s, "TL-1", "occupied", date(2021, 4, 1))
        s.commit()
        record_measurement(s, SYSTEM, MeasurementIn.parse({"code": "TL-P1", "date": date(2021, 4, 2),
                                                           "finances": 2}))
        s.commit()
        someone_housed = s.exec(select(ParticipantEvent).where(ParticipantEvent.kind == "housed")
                                .order_by(ParticipantEvent.id)).first()
        services.void_event(s, SYSTEM, someone_housed.id, "entered for the wrong participant")
        s.commit()
    with monkeypatch.context() as m:
        _no_full_read(m)
        patched = _reports(history)
    assert after_first != before
    assert patched == _fresh_reports(history)


def test_a_new_process_reads_the_timeline_from_its_file(history, monkeypatch):
    expected = _reports(history)
    timeline.files_written()
    path = timeline_file.path_for(str(history.url))
    assert path is not None and path.exists()
    assert path.stat().st_mode & 0o077 == 0  # like the database: its owner's only
    timeline.forget_timelines()  # as a new process
    with monkeypatch.context() as m:
        _no_full_read(m)
        assert _reports(history) == expected
    kept = timeline_file.load(str(history.url))
    with Session(history) as s:
        fresh = timeline.read_histories(s, None)
    for name in ("id", "referred", "housed", "negative_exit"):
        assert np.array_equal(getattr(kept.participants, name), getattr(fresh[0], name))
    assert dataclasses.asdict(kept.dwellings.status).keys() == {"owner", "start", "end", "kind"}


def test_a_damaged_file_is_read_again_not_trusted(history):
    expected = _reports(history)
    timeline.files_written()
    path = timeline_file.path_for(str(history.url))
    path.write_bytes(b"not a timeline")
    timeline.forget_timelines()
    assert timeline_file.load(str(history.url)) is None
    assert _reports(history) == expected


def test_sql_typed_by_hand_is_seen_after_its_commit(history):
    before = _reports(history)
    with history.begin() as conn:  # no audit record, no data version: not through eet
        conn.execute(update(ParticipantEvent.__table__).where(ParticipantEvent.__table__.c.kind == "housed")
                     .values(voided_at=utcnow()))
    after = _reports(history)
    assert after != before
    assert after[-1]["participants"]["funnel"]["housed"] == 0
    assert after == _fresh_reports(history)


def test_a_file_being_written_does_not_outlive_sql_typed_by_hand(history, monkeypatch):
    """The race CI met once: the file of the timeline read before a hand-typed write was still being
    written when that write's commit forgot the timelines, and landed after it, so the next read
    took the old rows from it. A forget now waits for a file under way, then removes it."""
    real_save, started, gate = timeline_file.save, threading.Event(), threading.Event()

    def slow_save(*args):
        started.set()
        gate.wait(30)
        real_save(*args)
    monkeypatch.setattr(timeline_file, "save", slow_save)
    before = _reports(history)
    assert started.wait(30)

    def hand_typed_write():
        with history.begin() as conn:
            conn.execute(update(ParticipantEvent.__table__).where(ParticipantEvent.__table__.c.kind == "housed")
                         .values(voided_at=utcnow()))
    writer = threading.Thread(target=hand_typed_write)
    writer.start()
    writer.join(0.5)
    assert writer.is_alive(), "the forget did not wait for the file being written"
    gate.set()
    writer.join(30)
    timeline.files_written()
    assert not timeline_file.path_for(str(history.url)).exists()
    after = _reports(history)
    assert after != before and after[-1]["participants"]["funnel"]["housed"] == 0
    assert after == _fresh_reports(history)


def test_a_restore_reads_every_history_again(history, tmp_path):
    saved = tmp_path / "backup.json.gz"
    backup.backup(history, saved)
    expected = _reports(history)
    with Session(history) as s:
        participant(s, "TL-R1", date(2021, 2, 1))
        s.commit()
    assert _reports(history) != expected
    backup.restore(history, saved, replace=True)
    assert _reports(history) == expected
