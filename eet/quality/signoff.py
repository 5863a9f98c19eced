"""Monthly sign-off, as DHIS2's data approval (issue 16): a coordinator signs off a month for their
organisation ("our list for March is complete"); from then on a write dated in that month that
touches that organisation's rows is refused, whichever door it comes through (the service layer
calls `check_plan` before it writes), until the admin reopens the month. Both are audited.

A write touches an organisation's rows when the organisation is one of the participant's (referrer,
care provider, municipality) or the dwelling's (municipality, corporation, care provider); its date
is a status change's effective date, a step's date (also for its dwelling) or a referral date.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sqlalchemy import event, select
from sqlmodel import Session

from eet.accounts.access import Actor, require_role
from eet.entry.schemas import refused
from eet.entry import vocabulary as vocab
from eet.store import audit
from eet.store.models import MonthSignOff, Organisation, utcnow

CACHE_KEY = "signed_off_months"  # session.info: {(organisation_id, first day of month)}, read once


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


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # another session may have signed off or reopened since
        session.info.pop(CACHE_KEY, None)


def _signed(session: Session) -> set[tuple[int, date]]:
    cached = session.info.get(CACHE_KEY)
    if cached is None:
        rows = session.execute(select(MonthSignOff.organisation_id, MonthSignOff.month)
                               .where(MonthSignOff.reopened_at.is_(None))).all()
        cached = session.info[CACHE_KEY] = {(org, month) for org, month in rows}
    return cached


def check_open(session: Session, organisation_ids: Iterable[int | None], on: date | None, field: str) -> None:
    """Refuse (RuleError on `field`) a write dated `on` that touches any of these organisations'
    rows in a month one of them signed off."""
    if on is None:
        return
    signed = _signed(session)
    if not signed:
        return
    month = on.replace(day=1)
    for org in organisation_ids:
        if org is not None and (org, month) in signed:
            name = session.get(Organisation, org).name
            raise refused(field, "month_signed_off", month=_month_text(month), organisation=name)


def check_plan(session: Session, plan) -> None:
    """The sign-off check of a write the service layer is about to apply (eet.entry.services)."""
    from eet.entry.state import DwellingPlan, EventPlan, ParticipantPlan

    def orgs(row, *names):
        return tuple(getattr(row, name, None) for name in names) if row is not None else ()

    dwelling_orgs = ("municipality_id", "corporation_id", "care_provider_id")
    participant_orgs = ("referrer_id", "care_provider_id", "municipality_id")
    if isinstance(plan, DwellingPlan) and plan.status is not None:
        ids = orgs(plan.dwelling, *dwelling_orgs) + tuple(plan.attributes.get(n) for n in dwelling_orgs)
        check_open(session, ids, plan.status_date, "status_date")
    elif isinstance(plan, ParticipantPlan):
        ids = orgs(plan.participant, *participant_orgs) + tuple(plan.attributes.get(n) for n in participant_orgs)
        for on in {plan.attributes.get("referred_on"), getattr(plan.participant, "referred_on", None)
                   if "referred_on" in plan.attributes else None} - {None}:
            check_open(session, ids, on, "referred_on")
    elif isinstance(plan, EventPlan):
        ids = (orgs(plan.participant, *participant_orgs) + orgs(plan.dwelling, *dwelling_orgs)
               + orgs(plan.home, *dwelling_orgs))
        check_open(session, ids, plan.data.date, "date")


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
    if (org, first) in _signed(session):
        raise refused("month", "month_already_signed_off", month=_month_text(first))
    row = MonthSignOff(organisation_id=org, month=first, signed_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, actor, "sign_off", "month_sign_off", row.id, None, audit.snapshot(row), source)
    session.info.pop(CACHE_KEY, None)
    return row


def reopen(session: Session, actor: Actor, organisation_id: int, month: Any, source: str = "form") -> MonthSignOff:
    """The admin reopens a signed-off month of an organisation: writes dated in it are accepted again."""
    require_role(actor, "admin")
    first = month_of(month)
    row = session.execute(select(MonthSignOff).where(
        MonthSignOff.organisation_id == organisation_id, MonthSignOff.month == first,
        MonthSignOff.reopened_at.is_(None))).scalar()
    if row is None:
        raise refused("month", "month_not_signed_off", month=_month_text(first))
    before = audit.snapshot(row)
    row.reopened_at, row.reopened_by = utcnow(), actor.username
    session.add(row)
    session.flush()
    audit.record(session, actor, "reopen", "month_sign_off", row.id, before, audit.snapshot(row), source)
    session.info.pop(CACHE_KEY, None)
    return row


def signed_off(session: Session, organisation_id: int | None = None) -> list[dict]:
    """The months signed off now (not reopened), per organisation: organisation, month, by, at;
    by organisation name, newest month first. Aggregate: any role may see which months are closed."""
    query = (select(Organisation.id, Organisation.name, MonthSignOff.month, MonthSignOff.signed_by,
                    MonthSignOff.signed_at)
             .join(Organisation, Organisation.id == MonthSignOff.organisation_id)
             .where(MonthSignOff.reopened_at.is_(None)).order_by(Organisation.name, MonthSignOff.month.desc()))
    if organisation_id is not None:
        query = query.where(MonthSignOff.organisation_id == organisation_id)
    return [{"organisation_id": oid, "organisation": name, "month": month, "signed_by": by, "signed_at": at}
            for oid, name, month, by, at in session.execute(query).all()]
