"""The way out of a demo (issue 18): while the demo accounts (published password) are open, the
first real account and a real import are refused with a message naming `python -m eet demo remove`;
that command deletes the demo data and accounts, audited, and `make run` does not bring the demo
back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.accounts.auth import add_user, authenticate
from eet.bootstrap import initialise
from eet.entry.imports import import_file
from eet.entry.schemas import RuleError
from eet.store.contents import demo_accounts_open, has_real_data, is_demo, remove_demo
from eet.store.engine import session_scope
from eet.accounts.access import Actor
from eet.store.models import (
    AuditRecord, Dwelling, DwellingStatusChange, Measurement, Participant, ParticipantEvent, User,
)
from eet.write.guard import maintenance
from eet.store.models import DwellingVersion

ROOT = Path(__file__).resolve().parent.parent
CSV = b"ref,municipality,status,status_date\nZST-0900,Zeist,searching,2021-03-01\n"


def _count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_demo_blocks_real_accounts_and_imports_until_removed(engine):
    initialise(engine, demo=True)
    with Session(engine) as s:
        demo_rows = (_count(s, Dwelling), _count(s, Participant), _count(s, ParticipantEvent))
    result = import_file(engine, "dwellings", CSV, "woningen.csv")
    assert not result.ok and "python -m eet demo remove" in str(result.errors[0])
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            add_user(s, SYSTEM, "programmaleider", "a-long-secret-1", "admin")
    assert refused.value.errors[0].key == "demo_accounts_open"
    assert "python -m eet demo remove" in refused.value.errors[0].text("nl")
    with Session(engine) as s:
        assert (_count(s, Dwelling), _count(s, Participant), _count(s, ParticipantEvent)) == demo_rows
        assert _count(s, User, User.username == "programmaleider") == 0

    with session_scope(engine) as s:  # a demo account signed in, and the demo's ZRM measurements
        from eet.accounts import sessions
        viewer = s.execute(select(User).where(User.username == "stuurgroep")).scalar_one()
        token = sessions.redeem_ticket(s, sessions.issue_ticket(s, Actor(
            username=viewer.username, role=viewer.role, organisation_id=viewer.organisation_id, user_id=viewer.id)))
        assert _count(s, Measurement) > 0
    with session_scope(engine) as s:
        counts = remove_demo(s, SYSTEM)
    assert counts["dwellings"] == demo_rows[0] and counts["participants"] == demo_rows[1]
    assert counts["demo_accounts"] > 0
    with Session(engine) as s:
        assert not is_demo(s) and not demo_accounts_open(s)
        assert (_count(s, Dwelling), _count(s, Participant), _count(s, ParticipantEvent)) == (0, 0, 0)
        assert _count(s, AuditRecord, AuditRecord.entity == "demo", AuditRecord.action == "remove") == 1
        assert authenticate(s, "stuurgroep", "demo") is None
        assert _count(s, Measurement) == 0 and sessions.lookup(s, token).actor is None
    # now real data and real accounts come in, as real
    assert import_file(engine, "dwellings", CSV, "woningen.csv").ok
    with session_scope(engine) as s:
        add_user(s, SYSTEM, "programmaleider", "a-long-secret-1", "admin")
    with Session(engine) as s:
        assert has_real_data(s) and not is_demo(s)
    # and `make run` (init --demo-if-empty) does not load the demo again, not even into an empty one
    with session_scope(engine) as s, maintenance("test: an emptied list"):
        s.execute(DwellingStatusChange.__table__.delete())
        s.execute(DwellingVersion.__table__.delete())
        s.execute(Dwelling.__table__.delete())
    initialise(engine, demo_if_empty=True)
    with Session(engine) as s:
        assert not is_demo(s) and _count(s, Dwelling) == 0


def test_demo_remove_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    env = {**os.environ, "EET_DATABASE_URL": url}

    def eet(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "eet", *args], cwd=ROOT, env=env, input=stdin,
                              capture_output=True, text=True, timeout=300)

    assert eet("init", "--demo").returncode == 0
    refused = eet("user", "add", "programmaleider", "--role", "admin", stdin="a-long-secret-1\n")
    assert refused.returncode == 1 and "demo remove" in refused.stderr and "Traceback" not in refused.stderr
    removed = eet("demo", "remove")
    assert removed.returncode == 0, removed.stderr
    assert "demo removed" in removed.stdout
    added = eet("user", "add", "programmaleider", "--role", "admin", stdin="a-long-secret-1\n")
    assert added.returncode == 0, added.stderr
    assert eet("init", "--demo-if-empty").returncode == 0
    report = eet("report", "--format", "json")
    assert '"demo": false' in report.stdout
