"""Completeness and timeliness per organisation (issue 16, after DHIS2's completeness and
timeliness reports): when the organisation's rows were last updated, and month by month the share
of steps recorded within N days (default 30, an admin setting) of the date they took place.

An organisation's rows are those a coordinator of it sees: participants it refers, supports or
houses (referrer, care provider, municipality) with their steps, and dwellings it is the
municipality, corporation or care provider of, with their status changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, case, cast, func, select
from sqlmodel import Session

from eet.accounts.access import Actor, require_role, row_scope
from eet.figures.query import (
    CHANGE, CHANGES, DWELLING, DWELLINGS, EVENT, EVENTS, ORG, PARTICIPANT, PARTICIPANTS, DwellingFilter,
    ParticipantFilter, days_between, live,
)
from eet.figures.report import end_of_day
from eet.quality.settings import thresholds
from eet.store.models import PARTNER_KINDS


@dataclass(frozen=True)
class Month:
    """Steps dated in one month ('YYYY-MM') and how many were recorded within the threshold."""

    month: str
    steps: int
    timely: int

    @property
    def share(self) -> float | None:
        return self.timely / self.steps if self.steps else None


def _scope(actor: Actor, organisation_id: int | None) -> int | None:
    own = row_scope(actor)  # AccessDenied for viewers: these describe rows
    return own if own is not None else organisation_id


def _by(as_of: date | None) -> datetime | None:
    """The last moment of the as-of day (Europe/Amsterdam): what was recorded by then is what the
    page can know at that date; a row recorded later did not exist yet."""
    return None if as_of is None else end_of_day(as_of)


def last_update(session: Session, actor: Actor, organisation_id: int | None = None,
                as_of: date | None = None) -> datetime | None:
    """The last moment any of the organisation's rows was recorded or voided (all rows: None), by
    the end of `as_of` when given (a moment after the as-of date is not shown at that date)."""
    org = _scope(actor, organisation_id)
    by = _by(as_of)
    people = ParticipantFilter(org).clauses()
    places = DwellingFilter(organisation_id=org).clauses()
    events = EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id)
    changes = CHANGES.join(DWELLINGS, DWELLING.id == CHANGE.dwelling_id)
    moments = [
        select(func.max(EVENT.recorded_at)).select_from(events).where(*people),
        select(func.max(EVENT.voided_at)).select_from(events).where(*people),
        select(func.max(CHANGE.recorded_at)).select_from(changes).where(*places),
        select(func.max(CHANGE.voided_at)).select_from(changes).where(*places),
        select(func.max(PARTICIPANT.created_at)).where(*people),
        select(func.max(DWELLING.created_at)).where(*places),
    ]
    if by is not None:
        columns = [EVENT.recorded_at, EVENT.voided_at, CHANGE.recorded_at, CHANGE.voided_at, PARTICIPANT.created_at,
                   DWELLING.created_at]
        moments = [query.where(column <= by) for query, column in zip(moments, columns)]
    found = [session.execute(query).scalar() for query in moments]
    found = [moment for moment in found if moment is not None]
    return max(found) if found else None


def timeliness(session: Session, actor: Actor, organisation_id: int | None = None,
               until: date | None = None) -> list[Month]:
    """Per month of the steps' dates (up to `until`), the steps that count (not voided) and those
    recorded within the admin's threshold of days after their date, oldest month first. With
    `until`, as the database stood at the end of that day: only steps recorded by then, and not
    voided by then (a step recorded after the as-of date was not there to be counted, in time or late)."""
    org = _scope(actor, organisation_id)
    limit = thresholds(session)["quality.timely_days"]
    month = func.substr(cast(EVENT.occurred_on, String()), 1, 7)
    # days from the step's date to the (UTC) day it was recorded
    timely = func.sum(case((days_between(func.date(EVENT.recorded_at), EVENT.occurred_on) <= limit, 1), else_=0))
    source = EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id) if org is not None else EVENTS
    where = [live(EVENT, _by(until)), *ParticipantFilter(org).clauses()]
    if until is not None:
        where.append(EVENT.occurred_on <= until)
    rows = session.execute(select(month, func.count(), timely).select_from(source).where(*where)
                           .group_by(month).order_by(month)).all()
    return [Month(m, int(n), int(k or 0)) for m, n, k in rows]


def per_organisation(session: Session, actor: Actor, as_of: date | None = None) -> list[dict]:
    """For the admin: every partner with its last update and its steps and timely steps in all (as
    the database stood at the end of `as_of`, when given). Raises AccessDenied for other roles."""
    require_role(actor, "admin")
    partners = session.execute(select(ORG.id, ORG.name, ORG.kind).where(ORG.kind.in_(PARTNER_KINDS))
                               .order_by(ORG.name)).all()
    out = []
    for org_id, name, kind in partners:
        months = timeliness(session, actor, org_id, as_of)
        steps, timely = sum(m.steps for m in months), sum(m.timely for m in months)
        out.append({"organisation_id": org_id, "organisation": name, "kind": kind,
                    "last_update": last_update(session, actor, org_id, as_of), "steps": steps, "timely": timely,
                    "share": timely / steps if steps else None})
    return out
