"""Every change since a recorded meeting, a line per changed field (issue 22, "Recorded meetings are
frozen"): beside the corrections counted per kind (eet.review.known), the exact review and the
exact pack list each change recorded after the meeting's moment K that can move a figure at the
meeting date D: "deelnemer P-0105 · Aanmelddatum · 02-05-2021 → 01-06-2021", "woning UTR-0060 ·
Gemeente · Utrecht → Zeist", "kostenpost Opvangplek · Bedrag · 35000 → 20000".

The lines come from the audit trail, which every write through the gate adds to in its transaction
(eet.store.audit), read as the audit page reads it (eet.store.audit_trail: names for ids, labels
for codes). A change is listed when it is of a fact a figure reads and dated on or before D where it
has a date (a step, a status, a measurement, a referral, a cost, a target, a pledge: the date
before or after the change); a dwelling's details have no date of their own and are always listed.
Who changed it is named by the organisation of their account, as in the counted corrections, not by
the account: the review is no audit page. Only for exact reviews and packs (admin, researcher):
a line names a participant's code and one change, which a viewer's counts never do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from eet.store import audit_trail
from eet.store.models import AuditRecord, Organisation, User, utcnow

# The audit trail's kinds of record that figures read, and the dates that place one at a date.
DATED = {"participant": ("referred_on",), "participant_event": ("occurred_on",),
         "dwelling_status_change": ("effective_on",), "measurement": ("measured_on",),
         "cost_parameter": ("valid_from",), "target": ("valid_from",), "pledge": ("valid_from",),
         "organisation": ("joined_on",), "dwelling": ()}
MAX_LINES = 2000  # a table a meeting can read; the rest are counted
# Fields that record the recording, not a fact: never a line of their own.
BOOKKEEPING = {"id", "version", "created_at", "recorded_at", "recorded_by", "voided_at", "voided_by", "void_reason",
               "is_demo", "updated_at"}


@dataclass(frozen=True)
class Changes:
    """The audit records listed (as eet.store.audit_trail reads them, oldest first), the names of
    the ids and records they mention, the organisation of each recording account, and how many
    records were listed in all (more than the records kept when past MAX_LINES)."""

    records: list[dict] = field(default_factory=list)
    named: dict = field(default_factory=dict)
    subjects: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    total: int = 0


def _dates(row: dict, fields: tuple[str, ...]) -> list[date]:
    out = []
    for side in ("before", "after"):
        values = json.loads(row[side]) if row.get(side) else {}
        for name in fields:
            value = values.get(name)
            if isinstance(value, str) and len(value) >= 10:
                try:
                    out.append(date.fromisoformat(value[:10]))
                except ValueError:
                    pass
    return out


def moves_the_date(row: dict, as_of: date) -> bool:
    """Whether an audit record can move a figure at D: of a kind figures read, dated on or before D
    before or after the change (a kind without a date: always)."""
    fields = DATED.get(row["entity"])
    if fields is None:
        return False
    if not fields:
        return True
    dates = _dates(row, fields)
    return not dates or min(dates) <= as_of


def changes_since(session: Session, as_of: date, known_at: datetime, until: datetime | None = None) -> Changes:
    """The changes recorded after K (up to `until`, default now) that can move a figure at D,
    oldest first, at most MAX_LINES records (Changes.total counts them all). One query for the
    records, then the names they mention (eet.store.audit_trail)."""
    until = until or utcnow()
    columns = [getattr(AuditRecord, c) for c in audit_trail.COLUMNS]
    found = session.execute(select(AuditRecord.id, *columns).where(
        AuditRecord.at > known_at, AuditRecord.at <= until, AuditRecord.entity.in_(list(DATED)))
        .order_by(AuditRecord.at, AuditRecord.id)).mappings().all()
    rows = [dict(row) for row in found if moves_the_date(row, as_of)]
    kept = rows[:MAX_LINES]
    accounts = sorted({row["actor"] for row in kept if row["actor"]})
    organisations = dict(session.execute(
        select(User.username, Organisation.name).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.username.in_(accounts))).all()) if accounts else {}
    return Changes(kept, audit_trail.names(session, kept), audit_trail.subjects(session, kept), organisations,
                   len(rows))


# What a record added or voided is, in a few of its fields (a step: its kind and date).
SUMMARY = {"participant_event": ("kind", "occurred_on", "outcome"), "dwelling_status_change": ("status", "effective_on"),
           "measurement": ("measured_on",), "participant": ("referred_on",), "cost_parameter": ("label", "amount_eur"),
           "target": ("key", "value", "valid_from"), "pledge": ("dwellings", "valid_from"),
           "organisation": ("name", "joined_on"), "dwelling": ("ref",)}


def _summary(row: dict, side: str, lang: str, named: dict) -> str:
    values = json.loads(row[side]) if row.get(side) else {}
    return " · ".join(audit_trail.value_text(row["entity"], name, values[name], lang, named)
                      for name in SUMMARY.get(row["entity"], ()) if values.get(name) is not None)


def change_rows(changes: Changes, lang: str) -> list[list[str]]:
    """A row per changed field: [moment, organisation, record, what, field, before, after], in the
    page's language; a record added or voided is one row, with what it was (SUMMARY) after or before."""
    from eet.review.known import moment_text
    from eet.texts.catalogue import code_label, t

    out = []
    for row in changes.records:
        moment = moment_text(audit_trail.local_time(row["at"]), lang)
        who = changes.organisations.get(row["actor"]) or t("no_organisation", lang)
        subject = audit_trail.subject_text(row, lang, changes.subjects)
        action = code_label("audit_action", row["action"], lang)
        entity = row["entity"]
        fields = [(audit_trail.field_label(name, lang), audit_trail.value_text(entity, name, before, lang, changes.named),
                   audit_trail.value_text(entity, name, after, lang, changes.named))
                  for name, (before, after) in audit_trail.changed_fields(row).items() if name not in BOOKKEEPING]
        if row["action"] != "update" or not fields:
            added = bool(row.get("after")) and not row.get("before")
            out.append([moment, who, subject, action, "", "" if added else _summary(row, "before", lang, changes.named),
                        _summary(row, "after", lang, changes.named) if added else ""])
            continue
        out += [[moment, who, subject, action, name, before, after] for name, before, after in fields]
    return out
