"""Server-side sessions (eet.accounts.sessions) on SQLite and PostgreSQL: a one-time ticket becomes a
token stored only as a hash; the idle (30 min) and absolute (12 h) limits hold on the server; a
sign-out or an admin ends a session, so a stolen token stops working; a deactivated account or a
new password ends every open session at the next run (issues 12 and 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from eet.accounts import administration, sessions
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.accounts.auth import add_user, authenticate
from eet.entry.schemas import RuleError
from eet.store.models import AuditRecord, User, UserSession, utcnow

PASSWORD = "a-long-secret-1"
ADMIN = Actor("test-admin", "admin")


@pytest.fixture()
def anna(engine) -> Actor:
    with Session(engine) as s:
        add_user(s, SYSTEM, "anna", PASSWORD, "researcher")
        s.commit()
    with Session(engine) as s:
        actor = authenticate(s, "anna", PASSWORD)
        s.commit()
    return actor


def signed_in(engine, actor: Actor) -> str:
    with Session(engine) as s:
        ticket = sessions.issue_ticket(s, actor)
        s.commit()
    with Session(engine) as s:
        token = sessions.redeem_ticket(s, ticket)
        s.commit()
    assert token
    return token


def look(engine, token, now=None) -> sessions.Lookup:
    with Session(engine) as s:
        found = sessions.lookup(s, token, now)
        s.commit()
    return found


def test_ticket_becomes_a_token_once_and_only_hashes_are_stored(engine, anna):
    with Session(engine) as s:
        ticket = sessions.issue_ticket(s, anna)
        s.commit()
    with Session(engine) as s:
        token = sessions.redeem_ticket(s, ticket)
        s.commit()
    with Session(engine) as s:
        assert sessions.redeem_ticket(s, ticket) is None  # one use
        s.commit()
        row = s.exec(select(UserSession)).one()
        stored = [str(v) for v in row.model_dump().values()]
    assert len(token) >= 43  # 32 random bytes (256 bits), base64
    assert token not in stored and ticket not in stored
    found = look(engine, token)
    assert found.actor.username == "anna" and found.actor.role == "researcher"
    assert look(engine, "a" * 43).actor is None
    assert look(engine, None).actor is None


def test_a_late_ticket_is_refused(engine, anna):
    with Session(engine) as s:
        ticket = sessions.issue_ticket(s, anna)
        row = s.exec(select(UserSession)).one()
        row.ticket_expires = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    with Session(engine) as s:
        assert sessions.redeem_ticket(s, ticket) is None


def test_idle_limit_is_kept_on_the_server(engine, anna):
    token = signed_in(engine, anna)
    now = utcnow()
    assert look(engine, token, now + timedelta(minutes=29)).actor is not None  # activity at 29 min
    assert look(engine, token, now + timedelta(minutes=29 + 29)).actor is not None
    ended = look(engine, token, now + timedelta(minutes=29 + 29 + 31))
    assert ended.actor is None and ended.ended == "idle"
    # once ended, it stays ended
    assert look(engine, token, now + timedelta(minutes=29 + 29 + 32)).actor is None


def test_absolute_limit_of_twelve_hours(engine, anna):
    token = signed_in(engine, anna)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes, all day
        assert look(engine, token, start + timedelta(minutes=minutes)).actor is not None, minutes
    ended = look(engine, token, start + timedelta(hours=12, minutes=5))
    assert ended.actor is None and ended.ended == "expired"


def test_sign_out_stops_a_stolen_token_and_is_audited(engine, anna):
    token = signed_in(engine, anna)
    stolen = str(token)
    other_browser = signed_in(engine, anna)
    with Session(engine) as s:
        assert sessions.revoke(s, token).username == "anna"
        s.commit()
    assert look(engine, stolen).actor is None
    assert look(engine, stolen).ended == "revoked"
    assert look(engine, other_browser).actor is not None  # another browser of anna's stays in
    with Session(engine) as s:
        actions = s.exec(select(AuditRecord.action).where(AuditRecord.actor == "anna")).all()
    assert actions[-1] == "sign_out"


def test_admin_ends_every_session_of_an_account(engine, anna):
    first, second = signed_in(engine, anna), signed_in(engine, anna)
    with Session(engine) as s:
        with pytest.raises(AccessDenied):
            sessions.end_sessions(s, Actor("v", "viewer"), "anna")
        with pytest.raises(RuleError):
            sessions.end_sessions(s, ADMIN, "nobody")
        assert sessions.open_sessions(s, anna.user_id) == 2
        assert sessions.end_sessions(s, ADMIN, "anna") == 2
        s.commit()
    assert look(engine, first).actor is None and look(engine, second).actor is None
    with Session(engine) as s:
        assert sessions.open_sessions(s, anna.user_id) == 0
        assert s.exec(select(AuditRecord.action).order_by(AuditRecord.id.desc())).first() == "end_sessions"


def test_deactivated_account_loses_its_open_session_at_once(engine, anna):
    token = signed_in(engine, anna)
    with Session(engine) as s:
        administration.set_active(s, ADMIN, "anna", False)
        s.commit()
    found = look(engine, token)
    assert found.actor is None and found.ended == "account"
    with Session(engine) as s:  # reactivated: the old session does not come back
        administration.set_active(s, ADMIN, "anna", True)
        s.commit()
    assert look(engine, token).actor is None


def test_deactivation_written_behind_the_service_ends_the_session_too(engine, anna):
    """Every run re-checks the account itself, not only the revocation the service writes."""
    token = signed_in(engine, anna)
    with Session(engine) as s:
        user = s.get(User, anna.user_id)
        user.active = False
        s.add(user)
        s.commit()
    assert look(engine, token).actor is None


def test_new_password_ends_open_sessions(engine, anna):
    token = signed_in(engine, anna)
    with Session(engine) as s:  # a password changed without the service: the stamp differs
        user = s.get(User, anna.user_id)
        user.password_hash = "$argon2id$changed"
        s.add(user)
        s.commit()
    assert look(engine, token).ended == "account"
    with Session(engine) as s:
        administration.reset_password(s, ADMIN, "anna", "nog een ander wachtwoord")
        s.commit()
    with Session(engine) as s:
        fresh = authenticate(s, "anna", "nog een ander wachtwoord")
        s.commit()
    assert look(engine, signed_in(engine, fresh)).actor is not None


def test_a_changed_role_applies_at_the_next_run(engine, anna):
    token = signed_in(engine, anna)
    with Session(engine) as s:
        user = s.get(User, anna.user_id)
        user.role = "viewer"
        s.add(user)
        s.commit()
    assert look(engine, token).actor.role == "viewer"


@pytest.mark.parametrize("target, expected", [
    ("/woningen?as_of=2021-05-31&lang=en", "/woningen?as_of=2021-05-31&lang=en"),
    ("/", "/"), (None, "/"), ("", "/"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
    ("/x\r\nSet-Cookie: a=b", "/"),
])
def test_next_stays_on_this_site(target, expected):
    assert sessions.safe_next(target) == expected


def test_a_demo_accounts_session_ends_when_real_data_arrive(engine):
    from datetime import date

    from eet.entry import services
    from eet.entry.schemas import DwellingIn
    from tests.test_accounts import _demo_database

    _demo_database(engine)
    with Session(engine) as s:
        demo_viewer = authenticate(s, "stuurgroep", "demo")
        s.commit()
    token = signed_in(engine, demo_viewer)
    assert look(engine, token).actor is not None
    with Session(engine) as s:
        s.info["demo"] = False  # a real row
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="ZST-0901", municipality="Zeist",
                                                       status="searching", status_date=date(2021, 3, 1)))
        s.commit()
    assert look(engine, token).ended == "account"
