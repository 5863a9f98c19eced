"""What the database holds: demo data (the newsletter's demo or synthetic histories) or real rows.
A database is either: the demo accounts sign in only while no real row exists."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlmodel import Session

from eet.store.models import Dwelling, Participant


def is_demo(session: Session) -> bool:
    """True while the database holds demo (or synthetic) data."""
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(True)), exists().where(Participant.is_demo.is_(True)))
    )).scalar())


def has_real_data(session: Session) -> bool:
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(False)), exists().where(Participant.is_demo.is_(False)))
    )).scalar())
