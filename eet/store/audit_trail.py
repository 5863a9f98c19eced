"""Reading the audit trail: who changed what, when, through which door, before and after. Admin only.

Filters narrow by who, entity, action and a date range (whole days, in UTC as recorded). The csv
export neutralises cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import Actor, require_role
from eet.entry.spreadsheet import neutralise
from eet.store.models import AuditRecord

MAX_ROWS = 5000
COLUMNS = ("at", "actor", "role", "action", "entity", "entity_id", "source", "before", "after")


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    entity: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def choices(session: Session, actor: Actor) -> dict[str, list[str]]:
    """The values present in the trail, for the filter widgets."""
    require_role(actor, "admin")
    out = {}
    for name, column in (("actor", AuditRecord.actor), ("entity", AuditRecord.entity),
                         ("action", AuditRecord.action)):
        out[name] = list(session.execute(select(column).distinct().order_by(column)).scalars())
    return out


def audit_rows(session: Session, actor: Actor, flt: AuditFilter = AuditFilter(),
               limit: int = MAX_ROWS) -> tuple[list[dict[str, Any]], int]:
    """Matching records newest first (at most `limit`) and how many match in all."""
    require_role(actor, "admin")
    clauses = []
    if flt.actor:
        clauses.append(AuditRecord.actor == flt.actor)
    if flt.entity:
        clauses.append(AuditRecord.entity == flt.entity)
    if flt.action:
        clauses.append(AuditRecord.action == flt.action)
    if flt.date_from:
        clauses.append(AuditRecord.at >= _start(flt.date_from))
    if flt.date_to:
        clauses.append(AuditRecord.at < _start(flt.date_to + timedelta(days=1)))
    total = session.execute(select(func.count()).select_from(AuditRecord).where(*clauses)).scalar()
    records = session.execute(select(AuditRecord).where(*clauses)
                              .order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit)).scalars()
    return [{column: getattr(r, column) for column in COLUMNS} | {"id": r.id} for r in records], total


def changed_fields(row: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field -> (before, after) for the fields that differ between the before and after JSON."""
    before = json.loads(row["before"]) if row.get("before") else {}
    after = json.loads(row["after"]) if row.get("after") else {}
    return {key: (before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise("" if row[c] is None else (row[c].isoformat() if isinstance(row[c], datetime)
                                                               else row[c])) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
