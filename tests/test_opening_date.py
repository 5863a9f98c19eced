"""The date the dashboard opens at: a demo database at its last data date (its latest dated row),
a real or empty database at today (issue 14)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from eet.accounts.access import Actor
from eet.store import contents
from eet.store.engine import get_engine, session_scope
from eet.store.models import DwellingStatusChange, Participant, ParticipantEvent

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
FAR = date(2099, 1, 1)


def latest(session: Session) -> date:
    """The newest date over the dated tables, read independently of contents.last_data_date."""
    found = [session.execute(select(func.max(column))).scalar() for column in
             (Participant.referred_on, ParticipantEvent.occurred_on, DwellingStatusChange.effective_on)]
    return max(date.fromisoformat(str(v)[:10]) for v in found if v is not None)


def test_a_demo_opens_at_its_last_data_date(demo_engine):
    with Session(demo_engine) as s:
        expected = latest(s)
        assert contents.is_demo(s)
        assert contents.last_data_date(s) == expected
        assert contents.opening_date(s, FAR) == expected
        assert expected < date.today()  # the demo's story ended years ago; today would be misleading
        # Never after the day it is: a demo read on a day within its data opens at that day.
        assert contents.opening_date(s, expected - timedelta(days=3)) == expected - timedelta(days=3)


def test_a_real_or_empty_database_opens_at_today(engine, actors):
    with Session(engine) as s:
        assert contents.last_data_date(s) is None
        assert contents.opening_date(s, FAR) == FAR
    from eet.entry import data_entry
    with session_scope(engine) as s:
        data_entry.register(s, actors["admin"], {"code": "P-0001", "referrer": "Utrecht", "referred_on": "2022-03-04"})
    with Session(engine) as s:
        assert contents.last_data_date(s) == date(2022, 3, 4)
        assert not contents.is_demo(s)
        assert contents.opening_date(s, FAR) == FAR




@pytest.mark.usefixtures("entry_script_every_run")
def test_the_dashboard_without_a_date_opens_a_demo_at_its_last_data_date(demo_url):
    with Session(get_engine(demo_url)) as s:
        expected = latest(s)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["actor"] = Actor("stuurgroep", "viewer")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["as_of"] == expected
    assert at.query_params["as_of"] == expected.isoformat()
    # A date in the URL still wins.
    at2 = AppTest.from_file(str(APP), default_timeout=60)
    at2.session_state["actor"] = Actor("stuurgroep", "viewer")
    at2.query_params["as_of"] = "2021-01-15"
    at2.run()
    assert at2.session_state["as_of"] == date(2021, 1, 15)
