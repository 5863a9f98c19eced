"""What the database holds: demo data (the newsletter's demo or synthetic histories) or real rows.
A database is either: the demo accounts sign in only while no real row exists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from eet.store.models import Dwelling, DwellingStatusChange, Measurement, Participant, ParticipantEvent


def is_demo(session: Session) -> bool:
    """True while the database holds demo (or synthetic) data."""
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(True)), exists().where(Participant.is_demo.is_(True)))
    )).scalar())


def has_real_data(session: Session) -> bool:
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(False)), exists().where(Participant.is_demo.is_(False)))
    )).scalar())


def last_data_date(session: Session) -> date | None:
    """The latest date a row describes: a referral, a (not voided) step of a participant, status
    change of a dwelling or measurement. None in an empty database."""
    columns = ((Participant.referred_on, None), (ParticipantEvent.occurred_on, ParticipantEvent.voided_at),
               (DwellingStatusChange.effective_on, DwellingStatusChange.voided_at),
               (Measurement.measured_on, Measurement.voided_at))
    latest = [session.execute(select(func.max(column)).where(*([] if voided is None else [voided.is_(None)])))
              .scalar() for column, voided in columns]
    found = [value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
             for value in latest if value is not None]
    return max(found, default=None)


def opening_date(session: Session, today: date) -> date:
    """The as-of date the dashboard opens at: a database of demo data at its last data date (the
    latest dated row, never after `today`), so the demo reads as of when its story ends rather
    than years later; a real (or empty) database at `today` (issue 14)."""
    if not is_demo(session):
        return today
    last = last_data_date(session)
    return today if last is None else min(last, today)
