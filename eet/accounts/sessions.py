"""Server-side sign-in sessions: the rules, without Streamlit.

A browser that signed in holds a random token (256 bits) in an HttpOnly, SameSite=Lax cookie
(COOKIE); the database keeps only its SHA-256 with the times that enforce the limits. The flow:

1. the sign-in page checks the password (eet.accounts.auth) or the provider's identity and calls
   `issue_ticket`: a session row with a one-time ticket (60 s), no token yet;
2. the browser posts the ticket to the launcher's route (app.py), which calls `redeem_ticket` and
   sets the cookie to the token it returns;
3. every run of the dashboard calls `lookup(token)`: the actor, or None when the token is unknown,
   revoked, idle longer than IDLE_LIMIT, older than ABSOLUTE_LIMIT, or its account was deactivated
   or got a new password since (the account is read again on every run, so a changed role or
   organisation applies at once).

`revoke` ends one session (sign-out, every tab of that browser at its next run), `revoke_user` every
session of an account (admin, deactivation, password reset). Source of the limits: issue 12.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from eet.accounts.access import Actor, require_role
from eet.accounts.auth import demo_database
from eet.store import audit
from eet.store.models import User, UserSession, utcnow

COOKIE = "eet_sid"
IDLE_LIMIT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)
TICKET_LIFETIME = timedelta(seconds=60)
# last_seen is written at most this often: a page run reads many times, one write a minute is enough.
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class Lookup:
    """What a token stands for: `actor` when the session holds, else `ended` says why not
    ("unknown", "revoked", "idle", "expired", "account")."""

    actor: Actor | None
    ended: str | None = None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def account_stamp(user: User) -> str:
    """Changes when the password changes (a reset ends every open session)."""
    return _hash(user.password_hash)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _actor(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, organisation_id=user.organisation_id, user_id=user.id)


def issue_ticket(session: Session, actor: Actor, door: str = "password") -> str:
    """A one-time ticket for a checked sign-in of `actor` (from eet.accounts.auth): the caller
    commits, the browser redeems it within TICKET_LIFETIME. Returns the ticket (256 bits)."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise ValueError("no active account for this actor")
    ticket, now = secrets.token_urlsafe(32), utcnow()
    session.add(UserSession(user_id=user.id, ticket_hash=_hash(ticket), ticket_expires=now + TICKET_LIFETIME,
                            account_stamp=account_stamp(user), door=door, created_at=now, last_seen=now))
    session.flush()
    return ticket


def redeem_ticket(session: Session, ticket: str | None) -> str | None:
    """The session token for a valid, unused ticket (then used up), else None. The caller commits."""
    if not ticket:
        return None
    row = session.exec(select(UserSession).where(UserSession.ticket_hash == _hash(ticket))).first()
    if row is None:
        return None
    row.ticket_hash = None  # one use, valid or not
    now = utcnow()
    if row.revoked_at is not None or row.ticket_expires is None or _aware(row.ticket_expires) < now:
        session.add(row)
        return None
    token = secrets.token_urlsafe(32)
    row.token_hash, row.ticket_expires, row.last_seen = _hash(token), None, now
    session.add(row)
    session.flush()
    return token


def lookup(session: Session, token: str | None, now: datetime | None = None, touch: bool = True) -> Lookup:
    """The actor of a session token, checked against the limits and the account as it is now
    (active, same password, and a demo account only while the database is a demo). Notes the
    activity (last_seen) unless `touch` is False; ends (revokes) a session found idle or expired.
    The caller commits."""
    if not token:
        return Lookup(None, "unknown")
    row = session.exec(select(UserSession).where(UserSession.token_hash == _hash(token))).first()
    if row is None:
        return Lookup(None, "unknown")
    if row.revoked_at is not None:
        return Lookup(None, "revoked" if row.revoked_why in ("sign_out", "admin") else row.revoked_why or "revoked")
    now = now or utcnow()
    user = session.get(User, row.user_id)
    ended = None
    if user is None or not user.active or account_stamp(user) != row.account_stamp \
            or (user.is_demo and not demo_database(session)):
        ended = "account"
    elif now - _aware(row.created_at) > ABSOLUTE_LIMIT:
        ended = "expired"
    elif now - _aware(row.last_seen) > IDLE_LIMIT:
        ended = "idle"
    if ended:
        if touch:
            row.revoked_at, row.revoked_why = now, ended
            session.add(row)
        return Lookup(None, ended)
    if touch and now - _aware(row.last_seen) > TOUCH_EVERY:
        row.last_seen = now
        session.add(row)
    return Lookup(_actor(user))


def revoke(session: Session, token: str | None, why: str = "sign_out") -> Actor | None:
    """End the session of this token (sign-out); its actor, or None when it was not open. Audited
    as a sign-out. The caller commits."""
    if not token:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at, row.revoked_why = utcnow(), why
    session.add(row)
    user = session.get(User, row.user_id)
    actor = _actor(user)
    audit.record(session, actor, "sign_out", "user", user.id, None, None, "sign-in", data_changed=False)
    return actor


def revoke_user(session: Session, user_id: int, why: str = "admin") -> int:
    """End every open session of an account; the number ended. The caller audits and commits."""
    result = session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)).values(revoked_at=utcnow(), revoked_why=why))
    return result.rowcount or 0


def end_sessions(session: Session, actor: Actor, username: str, source: str = "form") -> int:
    """Admin: end every open session of `username` (signed out at its next click); the number
    ended, audited. Raises AccessDenied for any other role, Refusal for an unknown name."""
    require_role(actor, "admin")
    from eet.accounts.administration import _user  # one lookup with the same refusal

    user = _user(session, username)
    ended = revoke_user(session, user.id, "admin")
    audit.record(session, actor, "end_sessions", "user", user.id, None, {"sessions_ended": ended}, source,
                 data_changed=False)
    return ended


def open_sessions(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Sessions of an account that would still sign in (within both limits, not revoked)."""
    now = now or utcnow()
    rows = session.exec(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.token_hash.is_not(None))).all()
    return sum(1 for r in rows if now - _aware(r.created_at) <= ABSOLUTE_LIMIT
               and now - _aware(r.last_seen) <= IDLE_LIMIT)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only ("/woningen?as_of=…"), else "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(ch) < 32 for ch in target):
        return "/"
    return target
