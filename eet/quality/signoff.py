"""Monthly sign-off, as DHIS2's data approval (issue 16): a coordinator signs off a month for their
organisation ("our list for March is complete"); from then on a write dated in that month that
would change a figure of that organisation in that month is refused, whichever door it comes
through (the write gate checks every touched row: eet.write.signoffs), until the admin reopens the
month. Both are audited, and both pass the gate themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from eet.accounts.access import Actor, require_role
from eet.entry.schemas import refused
from eet.entry import vocabulary as vocab
from eet.store import audit
from eet.store.models import MonthSignOff, Organisation, utcnow
from eet.write import gate, signoffs

def month_of(value: Any) -> date:
    """The first day of the month of a date, or of 'YYYY-MM' / a date as the imports take it.
    Raises RuleError on the field 'month' for anything else."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        if len(text) == 7 and text[4] == "-":
            return date(int(text[:4]), int(text[5:]), 1)
        return vocab.parse_date(text).replace(day=1)
    except (ValueError, TypeError):
        raise refused("month", "not_a_month", value=value) from None


def _month_text(month: date) -> str:
    return month.strftime("%Y-%m")


def sign_off(session: Session, actor: Actor, month: Any, organisation_id: int | None = None,
             source: str = "form") -> MonthSignOff:
    """Sign off a month that has ended for the coordinator's organisation (an admin names one).
    Raises RuleError for a month not yet over or already signed off, AccessDenied for other roles."""
    require_role(actor, "coordinator", "admin")
    org = actor.organisation_id if actor.role == "coordinator" else organisation_id
    if org is None or session.get(Organisation, org) is None:
        raise refused("organisation", "required")
    first = month_of(month)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    if following > date.today():
        raise refused("month", "month_not_over", month=_month_text(first))
    if first in signoffs.signed(session).get(org, ()):
        raise refused("month", "month_already_signed_off", month=_month_text(first))

    def apply() -> MonthSignOff:
        row = MonthSignOff(organisation_id=org, month=first, signed_by=actor.username)
        session.add(row)
        session.flush()
        audit.record(session, actor, "sign_off", "month_sign_off", row.id, None, audit.snapshot(row), source)
        signoffs.forget(session)
        return row
    return gate.submit_one(session, actor, "month_sign_off", _month_text(first), "sign_off", apply, after=(org,),
                           field="month")


def reopen(session: Session, actor: Actor, organisation_id: int, month: Any, source: str = "form") -> MonthSignOff:
    """The admin reopens a signed-off month of an organisation: writes dated in it are accepted again."""
    require_role(actor, "admin")
    first = month_of(month)
    row = session.execute(select(MonthSignOff).where(
        MonthSignOff.organisation_id == organisation_id, MonthSignOff.month == first,
        MonthSignOff.reopened_at.is_(None))).scalar()
    if row is None:
        raise refused("month", "month_not_signed_off", month=_month_text(first))

    def apply() -> MonthSignOff:
        before = audit.snapshot(row)
        row.reopened_at, row.reopened_by = utcnow(), actor.username
        session.add(row)
        session.flush()
        audit.record(session, actor, "reopen", "month_sign_off", row.id, before, audit.snapshot(row), source)
        signoffs.forget(session)
        return row
    return gate.submit_one(session, actor, "month_sign_off", _month_text(first), "reopen", apply,
                           after=(organisation_id,), field="month")


def signed_off(session: Session, organisation_id: int | None = None, known_at: datetime | None = None) -> list[dict]:
    """The months signed off now (not reopened), per organisation: organisation, month, by, at;
    by organisation name, newest month first. Aggregate: any role may see which months are closed.
    `known_at`: those signed off at K and not reopened by K (a recorded meeting's)."""
    query = (select(Organisation.id, Organisation.name, MonthSignOff.month, MonthSignOff.signed_by,
                    MonthSignOff.signed_at)
             .join(Organisation, Organisation.id == MonthSignOff.organisation_id)
             .order_by(Organisation.name, MonthSignOff.month.desc()))
    if known_at is None:
        query = query.where(MonthSignOff.reopened_at.is_(None))
    else:
        query = query.where(MonthSignOff.signed_at <= known_at,
                            or_(MonthSignOff.reopened_at.is_(None), MonthSignOff.reopened_at > known_at))
    if organisation_id is not None:
        query = query.where(MonthSignOff.organisation_id == organisation_id)
    return [{"organisation_id": oid, "organisation": name, "month": month, "signed_by": by, "signed_at": at}
            for oid, name, month, by, at in session.execute(query).all()]
