"""A change made outside eet is seen by the next report and by every running dashboard at its next
page run (issue 25: after SQL typed in psql or sqlite3, the report kept saying referred 114 where the
database said 111, until `python -m eet refresh`). The SQL here goes through a bare DB-API
connection (sqlite3, psycopg), as psql and sqlite3 do: nothing of eet's in this process sees it.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from eet.entry import data_entry
from eet.accounts.access import SYSTEM
from eet.figures.report import build_report
from eet.figures import timeline
from eet.store import outside
from eet.store.engine import session_scope
from eet.store.models import AuditRecord
from import_helpers import load_base

AS_OF = date(2021, 6, 30)


def _referred(engine) -> int:
    with Session(engine) as s:
        return build_report(s, AS_OF)["participants"]["funnel"]["referred"]


def _by_hand(engine, sql: str) -> None:
    """`sql` committed through a connection of the driver itself, as psql or sqlite3 would."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        connection = sqlite3.connect(url.database)
    else:
        import psycopg

        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        connection.execute(sql)
        connection.commit()
    finally:
        connection.close()


def _refreshes(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(AuditRecord.source).where(AuditRecord.entity == timeline.REFRESH)).all())


def test_a_change_typed_by_hand_is_seen_by_the_next_report_and_page_run(engine, tmp_path):
    load_base(engine, tmp_path)
    before = _referred(engine)
    assert before == 2
    with engine.connect() as c:
        version, changed = outside.version_checked(c)
    assert not changed  # eet's own writes are eet's
    _by_hand(engine, "DELETE FROM participant_event WHERE participant_id IN "
                     "(SELECT id FROM participant WHERE code = 'P-0002')")
    _by_hand(engine, "DELETE FROM participant_version WHERE participant_id IN "
                     "(SELECT id FROM participant WHERE code = 'P-0002')")
    _by_hand(engine, "DELETE FROM participant WHERE code = 'P-0002'")
    assert _referred(engine) == 1  # the next report, in a process that had the old figures kept
    # The next page run (ui.current_version) catches up once: a new data version, audited.
    assert outside.current_version(engine) == version + 1
    assert outside.current_version(engine) == version + 1
    assert _refreshes(engine) == ["outside"]
    assert _referred(engine) == 1
    # eet's own write afterwards is not taken for an outside one.
    with session_scope(engine) as s:
        data_entry.register(s, SYSTEM, {"code": "P-0003", "referrer": "Zeist", "referred_on": "2021-03-01"})
    with engine.connect() as c:
        assert outside.version_checked(c) == (version + 2, False)
    assert _referred(engine) == 2


def test_the_page_runs_version_follows_a_change_typed_by_hand(engine, tmp_path, monkeypatch):
    """ui.current_version, the key of every cached figure of a page: a change typed by hand gives
    a new version at the next page run, so no page draws the old figures from its cache."""
    import ui

    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    load_base(engine, tmp_path)
    first = ui.current_version()
    assert ui.current_version() == first
    _by_hand(engine, "UPDATE participant SET referred_on = '2021-01-21' WHERE code = 'P-0001'")
    assert ui.current_version() == first + 1
