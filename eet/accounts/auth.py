"""Accounts: argon2 password hashes, sign-in with a limit on failed attempts."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from eet.store import audit
from eet.accounts.access import Actor, require_role
from eet.store.models import ROLES, User, utcnow
from eet.store.contents import REMOVE_COMMAND, demo_blocks, has_real_data, is_demo
from eet.texts.messages import Choices
from eet.entry.schemas import FieldError, RuleError, refused
from eet.entry.services import find_organisation

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
USERNAME_MAX = 64
# Letters (any script, so "josé" is fine), digits and . _ - : a name is shown in the sidebar and the
# audit trail, so it carries no spaces, markup or brackets.
USERNAME = re.compile(r"[^\W_]|[._-]")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, actor: Actor, username: str, password: str, role: str,
             organisation: str | None = None, is_demo: bool = False) -> User:
    require_role(actor, "admin")
    if not is_demo and demo_blocks(session, actor.user_id):  # the first real account (issue 18)
        raise refused("username", "demo_accounts_open", command=REMOVE_COMMAND)
    username = username.strip()
    errors = []
    if not username:
        errors.append(FieldError("username", "required"))
    elif not valid_username(username):
        errors.append(FieldError("username", "username_characters", {"max": USERNAME_MAX}))
    elif session.exec(select(User).where(User.username == username)).first():
        errors.append(FieldError("username", "exists_already", {"name": username}))
    if role not in ROLES:
        errors.append(FieldError("role", "use_one_of", {"allowed": Choices(ROLES)}))
    if len(password) < MIN_PASSWORD_LENGTH and not is_demo:
        errors.append(FieldError("password", "password_short", {"min": MIN_PASSWORD_LENGTH}))
    org = None
    if role == "coordinator" and not organisation:
        errors.append(FieldError("org", "coordinator_needs_org"))
    if organisation:
        try:
            org = find_organisation(session, organisation, "org",
                                    "municipality", "care_provider", "housing_corporation", "referral")
        except RuleError as exc:
            errors += exc.errors
    if errors:
        raise RuleError(errors)
    user = User(username=username, password_hash=hash_password(password), role=role,
                organisation_id=org.id if org else None, is_demo=is_demo)
    session.add(user)
    session.flush()
    after = {k: v for k, v in audit.snapshot(user).items() if k != "password_hash"}
    audit.record(session, actor, "create", "user", user.id, None, after, "cli")
    return user


def valid_username(username: str) -> bool:
    return len(username) <= USERNAME_MAX and all(USERNAME.fullmatch(ch) for ch in username)


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The signed-in actor, or None. After MAX_FAILED_ATTEMPTS failures the account is locked for
    LOCKOUT, even for the right password, so guessing is slow."""
    user = session.exec(select(User).where(User.username == username.strip())).first()
    now = utcnow()
    # Demo accounts share a published password: they sign in only while the database is a demo (demo
    # data and no real data; whatever is written into a demo database through any door is demo).
    if user is None or not user.active or (user.is_demo and not demo_database(session)):
        _hasher.hash(password)  # same work as a real check: no timing hint that the name is unknown
        return None
    actor = Actor(username=user.username, role=user.role, organisation_id=user.organisation_id,
                  user_id=user.id)
    if user.locked_until and user.locked_until > now:
        _sign_in_audit(session, actor, "sign_in_locked", {"locked_until": user.locked_until.isoformat()})
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_attempts += 1
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            user.locked_until, user.failed_attempts = now + LOCKOUT, 0
        session.add(user)
        _sign_in_audit(session, actor, "sign_in_failed", {
            "failed_attempts": user.failed_attempts,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None})
        return None
    user.failed_attempts, user.locked_until = 0, None
    session.add(user)
    _sign_in_audit(session, actor, "sign_in", None)
    return actor


def _sign_in_audit(session: Session, actor: Actor, action: str, after: dict | None) -> None:
    """Sign-ins and refusals of known accounts go into the audit trail (an unknown name is not
    recorded: it may be a password typed into the wrong field)."""
    audit.record(session, actor, action, "user", actor.user_id, None, after, "sign-in", data_changed=False)


def demo_database(session: Session) -> bool:
    """Demo data and no real data: a database is either a demo or real."""
    return is_demo(session) and not has_real_data(session)


def demo_accounts_open(session: Session) -> bool:
    """The demo accounts sign in, and the sign-in page lists them, only in a demo database."""
    if not demo_database(session):
        return False
    return session.exec(select(User.id).where(User.is_demo.is_(True), User.active.is_(True))).first() is not None


def is_locked(session: Session, username: str) -> bool:
    user = session.exec(select(User).where(User.username == username.strip())).first()
    return bool(user and user.locked_until and user.locked_until > utcnow())
