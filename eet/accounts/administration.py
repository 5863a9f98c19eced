"""What the programme lead (admin) manages: partners (organisations), targets and accounts.

Every function needs the admin role (AccessDenied otherwise), validates what it is given into
FieldErrors a form can show, and audits the write. Nothing is deleted: a target is replaced by a
newer dated row, an account is deactivated, a partner keeps its history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import field_validator
from sqlalchemy import func, select
from sqlmodel import Session

from eet.store import audit

from eet.accounts import auth, sessions
from eet.accounts.access import Actor, require_role
from eet.store.models import ORG_KINDS, TARGET_KEYS, Organisation, Target, User
from eet.texts.messages import Choices, Refusal, Term
from eet.entry.schemas import FieldError, InputModel, RuleError, _date_field, refused
from eet.write import gate
from eet.write.plan import earliest
from eet.write.versions import record_version
from eet.entry.state import OrmWriter

SAFE_USER_FIELDS = ("id", "username", "role", "organisation_id", "is_demo", "active", "failed_attempts",
                    "locked_until", "created_at", "identity")


def _admin(actor: Actor) -> None:
    require_role(actor, "admin")


# --- partners ------------------------------------------------------------------------------------

class OrganisationIn(InputModel):
    name: str
    kind: str
    joined_on: date | None = None
    note: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > 120:
            raise Refusal("too_long", max=120)
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str | None:
        if value is not None and value not in ORG_KINDS:
            raise Refusal("use_one_of", allowed=Choices(ORG_KINDS))
        return value

    @field_validator("joined_on", mode="before")
    @classmethod
    def _joined(cls, value: Any) -> date | None:
        return _date_field(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 500:
            raise Refusal("text_length", length=len(value), max=500)
        return value


def organisations(session: Session, actor: Actor) -> list[dict[str, Any]]:
    _admin(actor)
    return [o.model_dump() for o in session.execute(
        select(Organisation).order_by(Organisation.kind, Organisation.name)).scalars()]


def save_organisation(session: Session, actor: Actor, values: dict[str, Any], organisation_id: int | None = None,
                      source: str = "form") -> int:
    """Add a partner (no id) or change one. A partner (not a referral organisation) needs the date
    it joined: the coalition figures count it from then."""
    _admin(actor)
    data = OrganisationIn.parse(values)
    errors = []
    if data.kind != "referral" and data.joined_on is None:
        errors.append(FieldError("joined_on", "partner_needs_join_date"))
    clash = session.execute(select(Organisation).where(
        func.lower(Organisation.name) == data.name.lower())).scalars().first()
    if clash is not None and clash.id != organisation_id:
        errors.append(FieldError("name", "exists_already", {"name": clash.name}))
    if errors:
        raise RuleError(errors)
    session.info.pop("organisations", None)  # the services' per-transaction lookup
    if organisation_id is None:
        def create() -> int:
            org = audit.created(session, actor, "organisation", Organisation(**data.model_dump()), source)
            record_version(OrmWriter(session), actor, "organisation", org, "first version")
            return org.id
        return gate.submit_one(session, actor, "organisation", data.name, "programme", create)
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise refused("id", "no_row_with_id", entity=Term("entity", "organisation"), id=organisation_id)

    def change() -> int:
        audit.changed(session, actor, "organisation", org, data.model_dump(), source)
        record_version(OrmWriter(session), actor, "organisation", org)
        return org.id
    # The coalition counts a partner from the date it joined: a changed date changes its figures
    # (and its sign-offs) from the earlier of the two dates on.
    moved = data.joined_on != org.joined_on
    return gate.submit_one(session, actor, "organisation", org.name, "programme", change,
                           reach=frozenset({org.id}) if moved else frozenset(),
                           since=earliest(org.joined_on, data.joined_on) if moved else None, field="joined_on")


# --- targets -------------------------------------------------------------------------------------

class TargetIn(InputModel):
    key: str
    value: float
    due_on: date | None = None
    valid_from: date
    note: str | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> str | None:
        if value is not None and value not in TARGET_KEYS:
            raise Refusal("use_one_of", allowed=Choices(TARGET_KEYS))
        return value

    @field_validator("due_on", "valid_from", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> date | None:
        return _date_field(value)


def targets(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every target row, the history included, newest first per key."""
    _admin(actor)
    return [t.model_dump() for t in session.execute(
        select(Target).order_by(Target.key, Target.valid_from.desc(), Target.id.desc())).scalars()]


def add_target(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> int:
    """A new dated target row; the one in force at D is the latest with valid_from on or before D,
    so earlier figures keep the target they had."""
    _admin(actor)
    data = TargetIn.parse(values)
    errors = []
    if data.key == "retention" and not 0 < data.value <= 1:
        errors.append(FieldError("value", "retention_share"))
    if data.key in ("dwellings", "participants") and (data.value < 1 or data.value != int(data.value)):
        errors.append(FieldError("value", "whole_number"))
    if errors:
        raise RuleError(errors)
    return gate.submit_one(session, actor, "target", data.key, "programme", lambda: audit.created(
        session, actor, "target", Target(**data.model_dump(), recorded_by=actor.username), source).id)


# --- accounts ------------------------------------------------------------------------------------

def accounts(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Accounts without their password hashes."""
    _admin(actor)
    return [{k: v for k, v in u.model_dump().items() if k in SAFE_USER_FIELDS}
            for u in session.execute(select(User).order_by(User.username)).scalars()]


def add_account(session: Session, actor: Actor, username: str, password: str, role: str,
                organisation: str | None = None) -> int:
    _admin(actor)
    return auth.add_user(session, actor, username, password, role, organisation or None).id


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalars().first()
    if user is None:
        raise refused("username", "no_account", username=username)
    return user


def _safe(user: User) -> dict[str, Any]:
    return {k: v for k, v in audit.snapshot(user).items() if k in SAFE_USER_FIELDS}


def set_active(session: Session, actor: Actor, username: str, active: bool, source: str = "form") -> None:
    """Deactivate (or reactivate) an account; an admin cannot lock themselves out."""
    _admin(actor)
    user = _user(session, username)
    if not active and user.username == actor.username:
        raise refused("username", "own_account")
    before = _safe(user)
    user.active = active
    session.add(user)
    session.flush()
    if not active:  # signed out at its next click (the session also re-checks the account)
        sessions.revoke_user(session, user.id, "account")
    audit.record(session, actor, "activate" if active else "deactivate", "user", user.id, before, _safe(user), source)


def reset_password(session: Session, actor: Actor, username: str, new_password: str, source: str = "form") -> None:
    """Set a new password (the admin hands it over; it is never stored or audited in clear) and lift
    a lockout."""
    _admin(actor)
    user = _user(session, username)
    problem = auth.password_problem(new_password, user.username)
    if problem:
        raise RuleError(problem)
    before = _safe(user)
    user.password_hash = auth.hash_password(new_password)
    sessions.revoke_user(session, user.id, "account")  # open sessions of the old password end
    user.failed_attempts, user.locked_until = 0, None
    user.is_demo = False  # a password chosen by the admin is no demo password
    session.add(user)
    session.flush()
    audit.record(session, actor, "reset_password", "user", user.id, before, _safe(user), source)


def set_identity(session: Session, actor: Actor, username: str, identity: str | None, source: str = "form") -> None:
    """Link an account to the identity the organisation's provider gives (OpenID Connect e-mail or
    subject; empty = none). Signing in through the provider then gives this account's role and
    organisation. Refuses an identity another account holds."""
    _admin(actor)
    user = _user(session, username)
    identity = (identity or "").strip() or None
    if identity is not None:
        if len(identity) > 254 or any(ord(ch) < 32 or ch.isspace() for ch in identity):
            raise refused("identity", "identity_form")
        clash = session.execute(select(User).where(func.lower(User.identity) == identity.casefold())).scalars().first()
        if clash is not None and clash.id != user.id:
            raise refused("identity", "exists_already", name=identity)
    before = _safe(user)
    user.identity = identity
    session.add(user)
    session.flush()
    audit.record(session, actor, "set_identity", "user", user.id, before, _safe(user), source, data_changed=False)
