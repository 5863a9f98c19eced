"""The audit trail and the data version: every write records who, when, what before and after,
and bumps the version that keys every cached read."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlmodel import Session, SQLModel

from eet.accounts.access import Actor
from eet.store.models import AuditRecord, DataVersion, utcnow


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {key: _plain(value) for key, value in row.model_dump().items()}


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           before: dict | None = None, after: dict | None = None, source: str | None = None,
           data_changed: bool = True) -> None:
    """Add an audit record to the caller's transaction. `data_changed=False` for events that change
    no figure (a sign-in), so that they do not clear every cached read."""
    if data_changed:  # the writers' lock first (bump_data_version says why)
        bump_data_version(session)
    session.add(AuditRecord(
        actor=actor.username, role=actor.role, action=action, entity=entity, entity_id=entity_id,
        source=source,
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before is not None else None,
        after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after is not None else None,
    ))


def created(session: Session, actor: Actor, entity: str, row: SQLModel, source: str | None) -> SQLModel:
    """Add a new row and audit its creation ("create", no before) in the caller's transaction; the
    row comes back with its id."""
    session.add(row)
    session.flush()
    record(session, actor, "create", entity, row.id, None, snapshot(row), source)
    return row


def changed(session: Session, actor: Actor, entity: str, row: SQLModel, values: dict[str, Any],
            source: str | None, before: dict | None = None) -> SQLModel:
    """Set `values` on a row and audit the update with before (`before`, else the row as it was) and
    after, in the caller's transaction."""
    before = snapshot(row) if before is None else before
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    record(session, actor, "update", entity, row.id, before, snapshot(row), source)
    return row


def bump_data_version(session: Session) -> None:
    """Once per transaction: the row lock also serialises concurrent writers on PostgreSQL."""
    if session.info.get("data_version_bumped"):
        return
    # The lock before anything pending is flushed: an audit record inserted before it would take its
    # id (PostgreSQL's sequence) before a concurrent writer's that commits first, and a reader's
    # audit mark taken between the two commits would pass it over (eet.figures.timeline patches only
    # the records after its mark). Inside the lock ids grow in commit order.
    with session.no_autoflush:
        result = session.execute(update(DataVersion).where(DataVersion.id == 1).values(
            version=DataVersion.version + 1, changed_at=utcnow()))
    if result.rowcount == 0:
        session.add(DataVersion(id=1, version=1))
        session.flush()
    session.info["data_version_bumped"] = True


@event.listens_for(Session, "after_transaction_end")
def _reset_bump_flag(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("data_version_bumped", None)


def current_version(session: Session) -> int:
    """The data version as committed now (not the session's cached row)."""
    value = session.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar()
    return value or 0


def lock_unchanged(session: Session, seen: int) -> bool:
    """Take the writers' lock (the data version's bump) and say whether nobody wrote since the
    version `seen` was read: what was decided on it may be written."""
    bump_data_version(session)
    return current_version(session) == seen + 1


def data_version(session: Session) -> int:
    row = session.get(DataVersion, 1)
    return row.version if row else 0
