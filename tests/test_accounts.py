"""Accounts: a database is either a demo or real, and the demo accounts (published password) sign
in only while it holds no real data; usernames hold letters, digits and . _ - only and are shown
escaped."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.accounts.auth import add_user, authenticate, demo_accounts_open
from eet.entry.imports import import_file
from eet.store.models import Dwelling
from eet.store.contents import has_real_data
from eet.entry.schemas import DwellingIn, RuleError

CSV = b"ref,municipality,status,status_date\nZST-0900,Zeist,searching,2021-03-01\n"


def _demo_database(engine) -> None:
    """A demo database in miniature: a demo account and one demo dwelling."""
    with Session(engine) as session:
        add_user(session, SYSTEM, "stuurgroep", "demo", "viewer", is_demo=True)
        session.info["demo"] = True
        services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="UTR-0001", municipality="Utrecht",
                                                             status="searching", status_date=date(2021, 1, 15)))
        session.commit()


def test_import_into_a_demo_database_by_a_demo_account_writes_demo_rows_and_the_demo_accounts_stay(engine):
    """A demo account may play with the demo, uploads included; what it writes is demo data. (A real
    import while the demo accounts are open is refused: tests/test_demo_removal.py.)"""
    from eet.accounts.access import Actor
    from eet.store.models import User

    _demo_database(engine)
    with Session(engine) as session:
        demo_user = session.exec(select(User).where(User.username == "stuurgroep")).one()
    actor = Actor("stuurgroep", "admin", user_id=demo_user.id)
    result = import_file(engine, "dwellings", CSV, "woningen.csv", actor=actor)
    assert result.ok, [str(e) for e in result.errors]
    with Session(engine) as session:
        imported = session.exec(select(Dwelling).where(Dwelling.ref == "ZST-0900")).one()
        assert imported.is_demo  # the database stays a demo
        assert not has_real_data(session) and demo_accounts_open(session)
        assert authenticate(session, "stuurgroep", "demo").role == "viewer"


def test_demo_accounts_refused_once_any_real_row_exists(engine):
    _demo_database(engine)
    with Session(engine) as session:
        session.info["demo"] = False  # a real row, e.g. imported before imports marked demo rows
        services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="ZST-0901", municipality="Zeist",
                                                             status="searching", status_date=date(2021, 3, 1)))
        session.commit()
    with Session(engine) as session:
        assert not demo_accounts_open(session)
        assert authenticate(session, "stuurgroep", "demo") is None


def test_real_database_imports_real_rows_and_lists_no_demo_accounts(engine):
    assert import_file(engine, "dwellings", CSV, "woningen.csv").ok
    with Session(engine) as session:
        assert has_real_data(session) and not demo_accounts_open(session)


@pytest.mark.parametrize("name", ["Jan Jansen <script>", "**vet**", "a b", "x" * 65, "jan]", "j(a)n", "ja\nn"])
def test_usernames_with_other_characters_are_refused_through_the_catalogue(session, name):
    with pytest.raises(RuleError) as refused:
        add_user(session, SYSTEM, name, "a-long-secret-1", "viewer")
    error = refused.value.errors[0]
    assert (error.field, error.key) == ("username", "username_characters")
    assert "letters, digits" in error.text("en") and "letters, cijfers" in error.text("nl")


@pytest.mark.parametrize("name", ["jan.jansen", "anna_b", "coordinator-utrecht", "josé", "user42"])
def test_usernames_of_letters_digits_dot_underscore_dash_are_accepted(session, name):
    assert add_user(session, SYSTEM, name, "a-long-secret-1", "viewer").username == name


def test_sidebar_shows_the_username_escaped(engine, monkeypatch):
    """An account made before names were restricted is shown as typed, never as Markdown."""
    from streamlit.testing.v1 import AppTest

    from eet.accounts.access import Actor
    from tests.test_pages import APP

    if engine.dialect.name != "sqlite":
        pytest.skip("the page is the same on both backends")
    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["actor"] = Actor("**Jan** <b>x</b>", "viewer")
    at.run()
    shown = [m.value for m in at.sidebar.markdown]
    assert any("\\*\\*Jan\\*\\*" in text and "\\<b\\>" in text for text in shown), shown
