"""An import decides without the writers' lock and holds it only for its write (issue 18): while a
slow file is being checked (also a dry run), forms and sign-ins write at once; a writer that waits
too long hears a message, not an error page."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.entry import imports, services
from eet.entry.schemas import ParticipantIn, RuleError
from eet.store.engine import _sqlite_pragmas, session_scope
from eet.store.models import Dwelling, Participant

D = date(2021, 3, 1)
FILE = ("ref,municipality,status,status_date\n"
        + "".join(f"UTR-{i:04d},Utrecht,searching,2021-03-01\n" for i in range(1, 6))).encode()


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_form_saves_at_once_while_an_import_is_being_checked(engine, monkeypatch, dry_run):
    checking, form_done = threading.Event(), threading.Event()
    original = services.upsert_dwelling

    def slow(*args, **kwargs):
        checking.set()
        form_done.wait(60)  # the file is checked slowly: the form's save comes in meanwhile
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "upsert_dwelling", slow)
    outcome = {}
    importer = threading.Thread(target=lambda: outcome.setdefault(
        "result", imports.import_file(engine, "dwellings", FILE, "list.csv", dry_run=dry_run)))
    importer.start()
    assert checking.wait(60)
    started = time.perf_counter()
    with session_scope(engine) as s:
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0001", referrer="Utrecht", referred_on=D))
    waited = time.perf_counter() - started
    form_done.set()
    importer.join(120)
    assert waited < 5, f"the form waited {waited:.1f} s for the import"
    assert _count(engine, Participant) == 1
    result = outcome["result"]
    if dry_run:
        assert result.ok and result.counts["created"] == 5 and _count(engine, Dwelling) == 0
    else:
        # decided on data that changed before its write: nothing written, and it says so
        assert not result.ok and "import the file again" in str(result.errors[0])
        assert _count(engine, Dwelling) == 0
        monkeypatch.setattr(services, "upsert_dwelling", original)
        again = imports.import_file(engine, "dwellings", FILE, "list.csv")
        assert again.ok and _count(engine, Dwelling) == 5


def test_an_import_without_writes_in_between_writes(engine):
    result = imports.import_file(engine, "dwellings", FILE, "list.csv")
    assert result.ok and result.written and _count(engine, Dwelling) == 5


def test_a_writer_that_waits_too_long_gets_a_message(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    impatient = create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 0.3})
    from sqlalchemy import event

    event.listen(impatient, "connect", _sqlite_pragmas)
    holder = engine.raw_connection()
    try:
        holder.driver_connection.execute("BEGIN IMMEDIATE")
        with pytest.raises(RuleError) as refused:
            with session_scope(impatient) as s:
                services.register_participant(s, SYSTEM, ParticipantIn(code="P-0002", referrer="Utrecht",
                                                                        referred_on=D))
        assert refused.value.errors[0].key == "database_busy"
        assert "try again" in refused.value.errors[0].message
    finally:
        holder.driver_connection.rollback()
        holder.close()
        impatient.dispose()
