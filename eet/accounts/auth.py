"""Accounts: argon2 password hashes, password rules, sign-in with a limit on failed attempts.

Sign-in does the same work for every name (one argon2 verification, one write), known or not,
locked or not, so neither the answer nor its time tells which names exist; a name that reached the
limit, known or not, is told "too many attempts, try again in N minutes" (issues 12 and 18).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from eet.store import audit
from eet.accounts.access import Actor, require_role
from eet.store.models import ROLES, SignInFailure, User, utcnow
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

# zxcvbn's score: 3 = "safely unguessable" (under 10^10 guesses is refused), see
# https://github.com/dwolfhub/zxcvbn-python; it knows common passwords, words, names, dates,
# keyboard patterns and repeats ("aaaaaaaaaa", "password123").
MIN_PASSWORD_SCORE = 3
ZXCVBN_MAX = 72

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that an unknown name costs what a known one does.
_DUMMY_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, username: str = "", field: str = "password") -> FieldError | None:
    """Why this password is refused (a FieldError of `field`), or None when it is fine: holding a
    control character (NUL, tab, newline, ...), shorter than MIN_PASSWORD_LENGTH, or easy to guess
    by zxcvbn (common passwords, words, names, repeats, the user name itself)."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in password):
        return FieldError(field, "password_control")
    if len(password) < MIN_PASSWORD_LENGTH:
        return FieldError(field, "password_short", {"min": MIN_PASSWORD_LENGTH})
    if not password.strip():
        return FieldError(field, "password_weak")
    from zxcvbn import zxcvbn  # imported when asked: a sign-in needs no dictionaries

    # zxcvbn judges at most 72 characters (it raises on more): a longer phrase is judged by its start
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=[username, "eerst", "thuis", "eerstethuis", "eerst een thuis",
                                                  "monitor", "utrecht"])["score"] < MIN_PASSWORD_SCORE:
        return FieldError(field, "password_weak")
    return None


def add_user(session: Session, actor: Actor, username: str, password: str, role: str,
             organisation: str | None = None, is_demo: bool = False) -> User:
    require_role(actor, "admin")
    # The first real account waits for `demo remove` (issue 18), whoever asks: a demo admin too,
    # since anyone who read the published password is one (issue 25; README "From the demo to real use").
    if not is_demo and demo_blocks(session, None):
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
    problem = None if is_demo else password_problem(password, username)
    if problem:
        errors.append(problem)
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


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: `actor` when it succeeded; else `locked_minutes` > 0 when the name
    reached the limit (known or not), 0 for a plain refusal."""

    actor: Actor | None
    locked_minutes: int = 0


def sign_in(session: Session, username: str, password: str) -> SignIn:
    """Check a user name and password. After MAX_FAILED_ATTEMPTS failures under one name (an
    account or not) that name is locked for LOCKOUT, even for the right password. The caller
    commits (the failures are counted in the database)."""
    name = username.strip()
    user = session.exec(select(User).where(User.username == name)).first() if valid_username(name) else None
    now = utcnow()
    # Demo accounts share a published password: they sign in only while the database is a demo (demo
    # data and no real data; whatever is written into a demo database through any door is demo).
    usable = user is not None and user.active and not (user.is_demo and not demo_database(session))
    try:  # the same work whatever the name: one argon2 verification
        _hasher.verify(user.password_hash if usable else _DUMMY_HASH, password)
        right = usable
    except (VerificationError, InvalidHashError):
        right = False
    if not usable:
        return _unknown_name(session, name, now)
    actor = Actor(username=user.username, role=user.role, organisation_id=user.organisation_id,
                  user_id=user.id)
    if user.locked_until and user.locked_until > now:
        _sign_in_audit(session, actor, "sign_in_locked", {"locked_until": user.locked_until.isoformat()})
        return SignIn(None, _minutes(user.locked_until - now))
    if not right:
        failed, locked_until = _count_failure(session, user.id, now)
        _sign_in_audit(session, actor, "sign_in_failed" if failed is not None else "sign_in_locked", {
            "failed_attempts": failed,
            "locked_until": locked_until.isoformat() if locked_until else None})
        return SignIn(None, _minutes(locked_until - now) if locked_until else 0)
    user.failed_attempts, user.locked_until = 0, None
    session.add(user)
    _sign_in_audit(session, actor, "sign_in", None)
    return SignIn(actor)


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The signed-in actor, or None (see sign_in)."""
    return sign_in(session, username, password).actor


def _minutes(left: timedelta) -> int:
    return max(1, math.ceil(left.total_seconds() / 60))


def _count_failure(session: Session, user_id: int, now) -> tuple[int | None, datetime | None]:
    """One more failure of an account, in one atomic statement (issue 25: read, add one and write
    back let parallel attempts overwrite each other's count): the MAX_FAILED_ATTEMPTS-th locks it
    for LOCKOUT and starts the count again. An account locked meanwhile (by a parallel attempt) is
    not counted. Returns (failures now, locked until), failures None when it was locked."""
    counted = User.failed_attempts + 1
    reaches = counted >= MAX_FAILED_ATTEMPTS
    row = session.execute(
        update(User).where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_attempts=case((reaches, 0), else_=counted),
                locked_until=case((reaches, now + LOCKOUT), else_=None))
        .returning(User.failed_attempts, User.locked_until)
        .execution_options(synchronize_session=False)).first()
    if row is None:
        locked_until = session.execute(select(User.locked_until).where(User.id == user_id)).scalar_one()
        return None, _utc(locked_until)
    return row[0], _utc(row[1])


def _utc(moment: datetime | None) -> datetime | None:
    """A moment read back from the database as UTC (SQLite gives it without a zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _unknown_name(session: Session, name: str, now) -> SignIn:
    """Count a failure under a name that is no (usable) account, as for an account: only the
    name's hash is kept, and rows older than the lockout are cleared on the way. One atomic
    statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, issue 25): a row whose lock or
    failures are older than LOCKOUT starts again at one; a locked row is left as it is."""
    key = hashlib.sha256(name.casefold().encode("utf-8", "surrogatepass")).hexdigest()
    session.execute(delete(SignInFailure).where(SignInFailure.updated_at < now - LOCKOUT,
                                                SignInFailure.name_hash != key))
    table = SignInFailure.__table__
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)
    old = table.c
    locked = and_(old.locked_until.is_not(None), old.locked_until > now)
    stale = or_(old.locked_until.is_not(None), old.updated_at < now - LOCKOUT)  # (and not locked)
    counted = case((stale, 1), else_=old.failed_attempts + 1)
    reaches = counted >= MAX_FAILED_ATTEMPTS
    statement = insert.values(name_hash=key, failed_attempts=1, locked_until=None, updated_at=now)
    statement = statement.on_conflict_do_update(index_elements=[old.name_hash], set_={
        "failed_attempts": case((locked, old.failed_attempts), (reaches, 0), else_=counted),
        "locked_until": case((locked, old.locked_until), (reaches, now + LOCKOUT), else_=None),
        "updated_at": case((locked, old.updated_at), else_=now),
    }).returning(old.failed_attempts, old.locked_until)
    _failures, locked_until = session.execute(statement).one()
    locked_until = _utc(locked_until)
    return SignIn(None, _minutes(locked_until - now) if locked_until and locked_until > now else 0)


def account_for_identity(session: Session, identities: list[str | None]) -> Actor | None:
    """The active account whose provider identity is one of `identities` (the OpenID Connect
    e-mail and subject, compared without case), or None: an identity unknown to us gets no access."""
    wanted = [i.strip().casefold() for i in identities if i and i.strip()]
    if not wanted:
        return None
    user = session.exec(select(User).where(func.lower(User.identity).in_(wanted), User.active.is_(True))).first()
    if user is None or (user.is_demo and not demo_database(session)):
        return None
    actor = Actor(username=user.username, role=user.role, organisation_id=user.organisation_id, user_id=user.id)
    user.failed_attempts = 0
    session.add(user)
    _sign_in_audit(session, actor, "sign_in", {"door": "oidc"})
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