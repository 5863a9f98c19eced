"""The admin's settings of the data-quality rules: thresholds in days, stored in the `setting`
table (migration 0007); a key without a row has the default of issue 16."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from eet.accounts.access import Actor, require_role
from eet.entry.schemas import refused
from eet.store import audit
from eet.store.models import Setting, utcnow
from eet.write import gate

# key -> default in days (issue 16: "a match without a move-in after 60 days", ...).
THRESHOLDS: dict[str, int] = {
    "quality.match_to_move_in_days": 60,
    "quality.eligible_to_match_days": 180,
    "quality.referral_to_assessment_days": 60,
    "quality.available_unmatched_days": 30,
    "quality.timely_days": 30,
}
MAX_DAYS = 3650


def thresholds(session: Session) -> dict[str, int]:
    """Every threshold in days: the admin's value where set, else the default."""
    stored = {row.key: row.value for row in session.exec(select(Setting).where(Setting.key.in_(THRESHOLDS)))}
    out = {}
    for key, default in THRESHOLDS.items():
        try:
            out[key] = int(stored[key]) if key in stored else default
        except ValueError:
            out[key] = default
    return out


def set_threshold(session: Session, actor: Actor, key: str, value: Any, source: str = "form") -> Setting:
    """Set a threshold (whole days, 1 to 3650). Admin only; audited. Raises RuleError naming the
    key for an unknown key or a value that is not such a number."""
    require_role(actor, "admin")
    if key not in THRESHOLDS:
        raise refused(key, "unknown_setting", key=key)
    try:
        days = int(str(value).strip())
    except ValueError:
        days = None
    if days is None or not 1 <= days <= MAX_DAYS:
        raise refused(key, "days_out_of_range", value=value, max=MAX_DAYS)
    row = session.get(Setting, key)
    before = audit.snapshot(row) if row is not None else None

    def apply() -> Setting:
        nonlocal row
        if row is None:
            row = Setting(key=key, value=str(days), updated_by=actor.username)
        else:
            row.value, row.updated_at, row.updated_by = str(days), utcnow(), actor.username
        session.add(row)
        session.flush()
        audit.record(session, actor, "update" if before else "create", "setting", None, before,
                     audit.snapshot(row), source)
        return row
    return gate.submit_one(session, actor, "setting", key, "programme", apply)
