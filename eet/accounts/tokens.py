"""Personal access tokens for the data feed (issue 27; spec/interfaces.md, "Data feed").

Excel and Power BI read the feed with HTTP Basic: the user name and a token made here, never the
password and never the browser's cookie. A token is 256 random bits (`secrets.token_urlsafe(32)`
behind the prefix "eet_"), shown once when it is made; the database keeps only its SHA-256 (as the
sessions keep theirs: a random secret of 256 bits needs no slow hash), with a name the user gave
it, when it was made, when it ends (default 90 days, at most 366), its revocation and its last use.

A token works while it is neither revoked nor past its end and its account is active (a
deactivated account's tokens stop at once; reactivated, they work again until their end). Every
use is audited (action "token_use", entity "access_token", the resource read), and so is every
refusal of a token that exists (revoked, expired, account inactive, another user's name), without
changing the data version: reading the feed clears no cached figure.

Who may do what: every user makes, lists and revokes their own tokens (the account page); the
admin also those of every account (the Beheer page, `python -m eet token`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import field_validator
from sqlalchemy import select
from sqlmodel import Session

from eet.accounts.access import Actor, AccessDenied
from eet.accounts.auth import demo_database
from eet.entry.schemas import InputModel, refused
from eet.store import audit
from eet.store.models import AccessToken, User, utcnow
from eet.texts.messages import Refusal

PREFIX = "eet_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
NAME_MAX = 80
ENTITY = "access_token"


class TokenIn(InputModel):
    """What a form or the command line sends to make a token."""

    name: str
    days: int = DEFAULT_DAYS

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > NAME_MAX:
            raise Refusal("too_long", max=NAME_MAX)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= MAX_DAYS:
            raise Refusal("token_days", max=MAX_DAYS)
        return value


@dataclass(frozen=True)
class TokenInfo:
    """A token as lists show it (never its secret). `state`: "active", "revoked", "expired" or
    "account_inactive"."""

    id: int
    username: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _state(row: AccessToken, user: User, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if _aware(row.expires_at) <= now:
        return "expired"
    if not user.active:
        return "account_inactive"
    return "active"


def _info(row: AccessToken, user: User, now: datetime) -> TokenInfo:
    return TokenInfo(row.id, user.username, row.name, _aware(row.created_at), _aware(row.expires_at),
                     _aware(row.last_used_at), _aware(row.revoked_at), _state(row, user, now))


def _snapshot(row: AccessToken) -> dict[str, Any]:
    """The audit's picture of a token: everything but its hash."""
    return {k: v for k, v in audit.snapshot(row).items() if k != "token_hash"}


def _may_manage(actor: Actor, user: User) -> None:
    if not (actor.is_admin or actor.username == user.username):
        raise AccessDenied("denied_other_account", user=actor.username)


def add_token(session: Session, actor: Actor, username: str, name: str, days: int = DEFAULT_DAYS,
              source: str = "form") -> tuple[TokenInfo, str]:
    """Make a token for `username` (the actor's own, or any account for an admin) named `name`,
    ending after `days` days (1 to MAX_DAYS). Returns the token's info and its secret, the only
    time the secret exists outside the caller. Audited; the caller commits. Raises AccessDenied,
    RuleError (name, days, unknown or inactive account)."""
    from eet.accounts.administration import _user  # one lookup with the same refusal

    user = _user(session, username)
    _may_manage(actor, user)
    wanted = TokenIn.parse({"name": name, "days": days})
    if not user.active:
        raise refused("username", "token_account_inactive", username=username)
    secret, now = PREFIX + secrets.token_urlsafe(32), utcnow()
    row = AccessToken(user_id=user.id, name=wanted.name, token_hash=_hash(secret), created_at=now,
                      expires_at=now + timedelta(days=wanted.days))
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", ENTITY, row.id, None, _snapshot(row), source, data_changed=False)
    return _info(row, user, now), secret


def list_tokens(session: Session, actor: Actor, username: str | None = None) -> list[TokenInfo]:
    """The tokens an actor may see, newest first: their own; an admin every account's (or those
    of `username`)."""
    query = select(AccessToken, User).join(User, User.id == AccessToken.user_id)
    if not actor.is_admin:
        query = query.where(User.username == actor.username)
    elif username is not None:
        query = query.where(User.username == username)
    now = utcnow()
    return [_info(row, user, now) for row, user in
            session.execute(query.order_by(AccessToken.created_at.desc(), AccessToken.id.desc())).all()]


def revoke_token(session: Session, actor: Actor, token_id: int, source: str = "form") -> TokenInfo:
    """Revoke a token (the actor's own, or any for an admin); revoking a revoked one changes
    nothing. Audited; the caller commits. Raises RuleError for an unknown id, AccessDenied."""
    row = session.get(AccessToken, token_id)
    if row is None:
        raise refused("token", "no_token", id=token_id)
    user = session.get(User, row.user_id)
    _may_manage(actor, user)
    if row.revoked_at is None:
        before = _snapshot(row)
        row.revoked_at, row.revoked_by = utcnow(), actor.username
        session.add(row)
        session.flush()
        audit.record(session, actor, "revoke", ENTITY, row.id, before, _snapshot(row), source, data_changed=False)
    return _info(row, user, utcnow())


@dataclass(frozen=True)
class Use:
    """The outcome of presenting a token: `actor` when it holds, else `refused` says why
    ("unknown", "revoked", "expired", "account", "name")."""

    actor: Actor | None
    refused: str | None = None


def authenticate(session: Session, username: str | None, secret: str | None, resource: str,
                 source: str = "feed") -> Use:
    """Check a user name and a token presented by the feed's client, and audit the use: the actor
    with the account's role and organisation as they are now, or why not. A token of an existing
    row that is refused (revoked, expired, inactive or demo account, another name) is audited as
    "token_refused"; an unknown one leaves no trace (there is no account to name). Notes the last
    use. The caller commits."""
    if not username or not secret:
        return Use(None, "unknown")
    row = session.execute(select(AccessToken).where(AccessToken.token_hash == _hash(secret))).scalars().first()
    if row is None:
        return Use(None, "unknown")
    user = session.get(User, row.user_id)
    now = utcnow()
    refusal = None
    if not hmac.compare_digest(user.username.encode(), username.encode()):
        refusal = "name"
    elif row.revoked_at is not None:
        refusal = "revoked"
    elif _aware(row.expires_at) <= now:
        refusal = "expired"
    elif not user.active or (user.is_demo and not demo_database(session)):
        refusal = "account"
    actor = Actor(username=user.username, role=user.role, organisation_id=user.organisation_id, user_id=user.id)
    if refusal:
        audit.record(session, actor, "token_refused", ENTITY, row.id, None,
                     {"resource": resource[:200], "refused": refusal}, source, data_changed=False)
        return Use(None, refusal)
    row.last_used_at = now
    session.add(row)
    audit.record(session, actor, "token_use", ENTITY, row.id, None, {"resource": resource[:200]}, source,
                 data_changed=False)
    return Use(actor)
