"""Reading the audit trail: who changed what, when, through which door, before and after. Admin only.

Filters narrow by who, entity, action and a date range (whole days in Europe/Amsterdam; times are
recorded in UTC and shown in Amsterdam time). Before and after are shown as a person reads them:
organisations, dwellings and participants by name or code instead of ids, codes by their label,
dates and times in the page's language (`readable_changes`). The csv export keeps the raw values and
neutralises cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import Actor, require_role
from eet.entry.spreadsheet import neutralise
from eet.store.models import (
    AuditRecord, Bottleneck, CostParameter, Dwelling, DwellingStatusChange, Measurement, Organisation, Participant,
    ParticipantEvent, ReviewMeeting, User,
)
from eet.texts.catalogue import code_label, event_label, has, label, t, template
from eet.texts import formatting as fmt

MAX_ROWS = 5000
COLUMNS = ("at", "actor", "role", "action", "entity", "entity_id", "source", "before", "after")


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    entity: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _start(day: date) -> datetime:
    """The start of a day in Amsterdam, in UTC as the trail records it."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(timezone.utc)


def local_time(value: datetime) -> datetime:
    """A recorded moment (UTC; SQLite returns it without a zone) in Europe/Amsterdam time."""
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(AMSTERDAM)


def moment(value: datetime, lang: str) -> str:
    """A recorded moment as the page shows it: 30-11-2026 06:34:44 (nl) / 2026-11-30 06:34:44 (en),
    Amsterdam time."""
    local = local_time(value)
    return f"{fmt.short_date(local.date(), lang)} {local.strftime('%H:%M:%S')}"


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


# Fields that hold an id of another row, and the table and column that name it.
_ORGANISATION_FIELDS = ("municipality_id", "care_provider_id", "corporation_id", "referrer_id", "organisation_id")
_NAMED_BY = {"dwelling_id": (Dwelling, Dwelling.ref), "participant_id": (Participant, Participant.code),
             "meeting_id": (ReviewMeeting, ReviewMeeting.title)} | {
    field: (Organisation, Organisation.name) for field in _ORGANISATION_FIELDS}
# Fields that hold a code, by the label family that names it ((entity, field) first, then field).
_CODES = {("dwelling", "status"): ("label", "status"), ("dwelling_status_change", "status"): ("label", "status"),
          ("bottleneck", "status"): ("label", "bottleneck_status"),
          ("decision", "status"): ("label", "decision_status"),
          ("factor", "kind"): ("label", "factor_kind"), ("participant_event", "kind"): ("event", None),
          ("organisation", "kind"): ("code", "org_kind"),
          "building_type": ("label", "building_type"), "route": ("label", "route"), "outcome": ("code", "outcome"),
          "domain": ("label", "domain"), "topic": ("label", "topic"), "role": ("label", "role"),
          "payer": ("label", "payer"), "category": ("label", "cost_category"), "model": ("label", "cost_model"),
          "unit": ("label", "cost_unit")}


def names(session: Session, rows: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
    """field -> {id: name} for the ids the rows' before and after mention (only those are read)."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for field, value in _all_values(row):
            if field in _NAMED_BY and isinstance(value, int):
                wanted.setdefault(field, set()).add(value)
    out: dict[str, dict[int, str]] = {}
    for field, ids in wanted.items():
        table, column = _NAMED_BY[field]
        out[field] = dict(session.execute(select(table.id, column).where(table.id.in_(sorted(ids)))).all())
    return out


# What names the record itself, by its kind: its own name column, or (for a step, a status change or
# a measurement) the name of the participant or dwelling it belongs to. Other kinds keep their number.
_SUBJECT_NAMED_BY = {
    "dwelling": (Dwelling.id, Dwelling.ref, None), "participant": (Participant.id, Participant.code, None),
    "organisation": (Organisation.id, Organisation.name, None), "user": (User.id, User.username, None),
    "review_meeting": (ReviewMeeting.id, ReviewMeeting.title, None),
    "bottleneck": (Bottleneck.id, Bottleneck.title, None), "cost_parameter": (CostParameter.id, CostParameter.label, None),
    "dwelling_status_change": (DwellingStatusChange.id, Dwelling.ref, DwellingStatusChange.dwelling_id == Dwelling.id),
    "participant_event": (ParticipantEvent.id, Participant.code, ParticipantEvent.participant_id == Participant.id),
    "measurement": (Measurement.id, Participant.code, Measurement.participant_id == Participant.id),
}


def subjects(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, int], str]:
    """(entity, entity_id) -> the name a person knows the record by (a dwelling's ref, a participant's
    code, an account's user name; a step by its participant's code), for the rows' records that still
    exist and have such a name. Shape: one query per kind of record in the rows."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.get("entity") in _SUBJECT_NAMED_BY and isinstance(row.get("entity_id"), int):
            wanted.setdefault(row["entity"], set()).add(row["entity_id"])
    out: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        key, name, join = _SUBJECT_NAMED_BY[entity]
        query = select(key, name)
        if join is not None:
            query = query.join(name.class_, join)
        for record_id, text in session.execute(query.where(key.in_(sorted(ids)))).all():
            out[(entity, record_id)] = str(text)
    return out


def subject_text(row: dict[str, Any], lang: str, subjects_named: dict[tuple[str, int], str]) -> str:
    """The kind of record and the name it is known by ("deelnemer UTR-0001", "account coordinator.utrecht");
    its number where it has no name or no longer exists ("doel 3")."""
    kind = code_label("audit_entity", row["entity"], lang) if row.get("entity") else fmt.MISSING
    record_id = row.get("entity_id")
    if record_id is None:
        return kind
    return f"{kind} {subjects_named.get((row['entity'], record_id), f'#{record_id}')}"


def _all_values(row: dict[str, Any]):
    for side in ("before", "after"):
        for field, value in (json.loads(row[side]) if row.get(side) else {}).items():
            yield field, value


def field_label(field: str, lang: str) -> str:
    """A recorded field by the name a person knows: `audit_field.<field>` first, then the name the
    forms give it (municipality_id: Gemeente), a ZRM domain by its domain name; else as stored."""
    for key in (f"audit_field.{field}", field.removesuffix("_id"), field, f"label.zrm.{field}"):
        if has(key) and "{" not in template(key, lang):
            return t(key, lang)
    return field


def value_text(entity: str, field: str, value: Any, lang: str,
               named: dict[str, dict[int, str]] | None = None) -> str:
    """One value of a before or after in words: a name for an id, a label for a code, yes/no, a date
    or an Amsterdam time in the page's form; other values as they are."""
    if value is None:
        return fmt.MISSING
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if field in _NAMED_BY and isinstance(value, int):
        return (named or {}).get(field, {}).get(value) or f"#{value}"
    family = _CODES.get((entity, field)) or _CODES.get(field)
    if family and isinstance(value, str):
        kind, name = family
        if kind == "event":
            return event_label(value, lang)
        return label(name, value, lang) if kind == "label" else code_label(name, value, lang)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return fmt.short_date(date.fromisoformat(value), lang)
            return moment(datetime.fromisoformat(value), lang)
        except ValueError:
            return value
    if isinstance(value, float):
        return fmt.number(value, lang, 2).rstrip("0").rstrip(",.") if value % 1 else fmt.number(value, lang)
    return str(value)


def readable_changes(row: dict[str, Any], lang: str,
                     named: dict[str, dict[int, str]] | None = None) -> list[tuple[str, str, str]]:
    """(field, before, after) in words for the fields that differ, in the order of changed_fields."""
    entity = row.get("entity") or ""
    # The record's own row number is no change anybody made; the record column names the record.
    return [(field_label(field, lang), value_text(entity, field, before, lang, named),
             value_text(entity, field, after, lang, named))
            for field, (before, after) in changed_fields(row).items() if field != "id"]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise("" if row[c] is None else (row[c].isoformat() if isinstance(row[c], datetime)
                                                               else row[c])) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
