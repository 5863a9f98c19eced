"""What every figure query shares: the tables' columns, the filters of a page, one computation per
figure and data version (`memoised`), and the moment K the figures are known at (`as_known_at`).

Figures as known at K (DESIGN.md): every figure reads only the rows recorded at or before K and not
voided by K, so that a back-dated correction recorded after K does not change them. K lives in the
session (session.info[KNOWN_AT_KEY], set by `as_known_at`), so that every figure function honours
it without a parameter of its own; the memo keys on it too. What K cannot undo: a participant's or a
dwelling's attributes edited in place after K (referrer, municipality, ...); those are in the audit
trail, not in the figures' tables."""

from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import Integer, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from eet.store.models import (
    Dwelling, DwellingStatusChange, Organisation,
    Participant, ParticipantEvent,
)

EVENTS, CHANGES = ParticipantEvent.__table__, DwellingStatusChange.__table__

DWELLINGS, PARTICIPANTS = Dwelling.__table__, Participant.__table__
EVENT, CHANGE, DWELLING, PARTICIPANT = EVENTS.c, CHANGES.c, DWELLINGS.c, PARTICIPANTS.c
ORG = Organisation.__table__.c

BREAKDOWNS = ("referrer_id", "care_provider_id")  # the participant page's funnel breakdowns
FUNNEL_STEPS = ("referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn")
RETENTION_DAYS = 365


# --- one computation per figure and data version ------------------------------------------------

MEMO_KEY = "figure_memo"


def memoised(function):
    """Remember the figure per arguments in session.info[MEMO_KEY] when the caller put a dict there
    (the dashboard does, one per data version: the report, the participant view, the pace and the
    changes ask for the same funnel and counts); a session without one computes as before. Copies
    go in and out, so that no caller can change what another gets."""
    @functools.wraps(function)
    def wrapper(session, *args, **kwargs):
        memo = session.info.get(MEMO_KEY)
        if memo is None:
            return function(session, *args, **kwargs)
        key = (function.__name__, args, tuple(sorted(kwargs.items())), session.info.get(KNOWN_AT_KEY))
        try:
            hash(key)
        except TypeError:  # a list of dates, say: not remembered
            return function(session, *args, **kwargs)
        if key not in memo:
            memo[key] = copy.deepcopy(function(session, *args, **kwargs))
        return copy.deepcopy(memo[key])
    return wrapper


# --- figures as known at a moment K -------------------------------------------------------------

KNOWN_AT_KEY = "known_at"


@contextmanager
def as_known_at(session, known_at: datetime | None) -> Iterator:
    """Within the block every figure read through `session` is as known at `known_at` (an aware
    datetime; None: as known now). The previous moment is restored on leaving, so blocks nest.
    Raises ValueError for a naive datetime (K is a moment, not a wall-clock reading)."""
    if known_at is not None and known_at.utcoffset() is None:
        raise ValueError("known_at must carry a time zone")
    had, previous = KNOWN_AT_KEY in session.info, session.info.get(KNOWN_AT_KEY)
    session.info[KNOWN_AT_KEY] = known_at
    try:
        yield session
    finally:
        if had:
            session.info[KNOWN_AT_KEY] = previous
        else:
            session.info.pop(KNOWN_AT_KEY, None)


def known_at_of(session) -> datetime | None:
    """The moment K the session's figures are known at, or None (as known now)."""
    return session.info.get(KNOWN_AT_KEY)


def organisations_known(session):
    """The partners as known at the session's K, as columns id, name, kind, joined_on: the
    organisation table as known now, else the versions live at K (eet.write.versions)."""
    known = known_at_of(session)
    if known is None:
        return ORG
    from eet.store.models import OrganisationVersion

    v = OrganisationVersion.__table__.c
    return select(v.organisation_id.label("id"), v.name, v.kind, v.joined_on).where(live(v, known)).subquery("org").c


def live(columns, known_at: datetime | None) -> ColumnElement:
    """The rows of EVENT or CHANGE that count: not voided (None), or recorded at or before K and
    not voided by K. Without K the condition is the partial indexes' own (voided_at IS NULL)."""
    if known_at is None:
        return columns.voided_at.is_(None)
    return (columns.recorded_at <= known_at) & or_(columns.voided_at.is_(None), columns.voided_at > known_at)


# --- portable date arithmetic --------------------------------------------------------------------

class days_between(FunctionElement):
    """Whole days from `earlier` to `later`: julianday on SQLite, date subtraction on PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


# --- scope: which rows a figure covers -----------------------------------------------------------

@dataclass(frozen=True)
class DwellingFilter:
    """Optional narrowing of the dwelling figures (page filters, a coordinator's organisation)."""

    municipality_id: int | None = None
    corporation_id: int | None = None
    care_provider_id: int | None = None
    building_type: str | None = None
    route: str | None = None
    organisation_id: int | None = None  # any of municipality, corporation, care provider

    def clauses(self) -> list[ColumnElement]:
        out = []
        for column in ("municipality_id", "corporation_id", "care_provider_id", "building_type", "route"):
            value = getattr(self, column)
            if value is not None:
                out.append(DWELLING[column] == value)
        if self.organisation_id is not None:
            org = self.organisation_id
            out.append((DWELLING.municipality_id == org) | (DWELLING.corporation_id == org)
                       | (DWELLING.care_provider_id == org))
        return out


@dataclass(frozen=True)
class ParticipantFilter:
    organisation_id: int | None = None  # referrer, care provider or municipality

    def clauses(self) -> list[ColumnElement]:
        if self.organisation_id is None:
            return []
        org = self.organisation_id
        return [(PARTICIPANT.referrer_id == org) | (PARTICIPANT.care_provider_id == org)
                | (PARTICIPANT.municipality_id == org)]


NO_DWELLING_FILTER = DwellingFilter()
NO_PARTICIPANT_FILTER = ParticipantFilter()
