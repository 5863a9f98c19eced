"""The monthly sign-off, checked for every row a write touches (DESIGN.md, "Monthly sign-off").

An organisation that signed off month M has said its figures at every date in M are final. A write
changes the figures at every date on or after the first date it touches (`Touch.since`: a step's
date, the old and the new one of a correction, a participant's referral date for a change of their
details, a dwelling's first status date for a change of its details), for every organisation it
reaches (`Touch.reach`: those of the row before and after, and of linked rows). So it is refused
when any of those organisations signed off a month that ends on or after that date, until the
admin reopens it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Iterable

from sqlalchemy import event, select
from sqlmodel import Session

from eet.entry.schemas import refused
from eet.store.models import MonthSignOff, Organisation
from eet.write.plan import Touch

CACHE_KEY = "signed_off_months"  # session.info: {organisation_id: [first days of months]}, read once


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # another session may have signed off or reopened since
        session.info.pop(CACHE_KEY, None)


def forget(session: Session) -> None:
    """After a sign-off or a reopen in this session."""
    session.info.pop(CACHE_KEY, None)


def signed(session: Session) -> dict[int, list[date]]:
    """The months signed off now (not reopened), per organisation, in order."""
    cached = session.info.get(CACHE_KEY)
    if cached is None:
        cached = {}
        for org, month in session.execute(select(MonthSignOff.organisation_id, MonthSignOff.month)
                                          .where(MonthSignOff.reopened_at.is_(None))
                                          .order_by(MonthSignOff.month)).all():
            cached.setdefault(org, []).append(month)
        session.info[CACHE_KEY] = cached
    return cached


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def closed_month(session: Session, organisations: Iterable[int], since: date) -> tuple[int, date] | None:
    """The first (organisation, month) signed off whose figures a change from `since` on would
    alter, or None."""
    months = signed(session)
    for org in organisations:
        for month in months.get(org, ()):
            if month_end(month) >= since:
                return org, month
    return None


def check(session: Session, touches: Iterable[Touch]) -> None:
    """Refuse (RuleError on the touch's field) the first touched row that would change a figure of
    a signed-off month."""
    if not signed(session):
        return
    for touch in touches:
        if touch.since is None or not touch.reach:
            continue
        hit = closed_month(session, sorted(touch.reach), touch.since)
        if hit is not None:
            org, month = hit
            raise refused(touch.field, "month_signed_off", month=month.strftime("%Y-%m"),
                          organisation=session.get(Organisation, org).name)
