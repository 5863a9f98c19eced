"""The histories every figure of DESIGN.md is counted from, as arrays (issue 15).

Every figure at a date D is a count or a distribution over participants or dwellings whose state
changes on dated events. So the events, status changes and measurements are read from SQL into
arrays of *intervals*: a participant is eligible from the date of an eligible assessment until the
date of their next assessment, a dwelling has a status from one change to the next, a funnel step
counts from its first event. A figure at D is then a few vectorised comparisons over those arrays
(`start <= D < end`). Dates are whole days since 1970-01-01; NEVER marks an interval without end or
a step not taken. eet.figures.timeline keeps them per data version and K.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

import numpy as np
from sqlalchemy import Integer, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session

from eet.figures.query import (
    CHANGE, DWELLING, EVENT, PARTICIPANT, DwellingFilter, ParticipantFilter, live,
)
from eet.store.models import (
    DWELLING_STATUSES, ZRM_DOMAINS, Dwelling, DwellingVersion, Measurement, Participant, ParticipantVersion,
)

EPOCH = date(1970, 1, 1)
NEVER = np.int32(np.iinfo(np.int32).max)
NONE_ID = -1  # an empty organisation column

def day_number(day: date) -> int:
    """Whole days from 1970-01-01 to `day`."""
    return (day - EPOCH).days


class day_of(FunctionElement):
    """A date column as whole days since 1970-01-01 (an integer computed by the database)."""

    type = Integer()
    inherit_cache = True


@compiles(day_of)
def _day_of_default(element, compiler, **kw):
    return f"({compiler.process(list(element.clauses)[0], **kw)} - DATE '1970-01-01')"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):  # julianday('1970-01-01') is 2440587.5
    return f"CAST(julianday({compiler.process(list(element.clauses)[0], **kw)}) - 2440587.5 AS INTEGER)"


# --- the arrays ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Intervals:
    """[start, end) day intervals, each of one owner (an index into the participant or dwelling
    arrays), with a small integer `kind` (a status code, or 0)."""

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray

    def at(self, day: int) -> np.ndarray:
        """Boolean mask of the intervals holding on `day`."""
        return (self.start <= day) & (day < self.end)

    @staticmethod
    def empty() -> "Intervals":
        return Intervals(*(np.empty(0, np.int64) for _ in range(4)))


@dataclass(frozen=True)
class ParticipantHistory:
    """One row per participant: ids, organisations (NONE_ID for none), referral day, whether the
    participant was recorded by K, the first day of each funnel step (NEVER if not taken), and, for
    participants ever housed, the first negative, censoring (positive or deceased) and deceased exit
    on or after the first move-in (NEVER if none)."""

    id: np.ndarray
    referrer_id: np.ndarray
    care_provider_id: np.ndarray
    municipality_id: np.ndarray
    central_waiting_list: np.ndarray  # 1 yes, 0 no, -1 unknown
    known: np.ndarray
    referred: np.ndarray
    assessed: np.ndarray
    matched: np.ndarray
    housed: np.ndarray  # the first move-in
    withdrawn: np.ndarray
    negative_exit: np.ndarray
    censoring_exit: np.ndarray
    deceased_exit: np.ndarray
    eligible: Intervals  # while the latest assessment says eligible
    housed_now: Intervals  # while the latest move-in or exit is a move-in
    withdrawal_owner: np.ndarray  # every withdrawal event: its participant, day and reason
    withdrawal_day: np.ndarray
    withdrawal_reason: tuple[str, ...]
    stay_owner: np.ndarray  # every move-in and exit: its participant, day, whether an exit
    stay_day: np.ndarray
    stay_is_exit: np.ndarray
    measurement_owner: np.ndarray  # every ZRM measurement: participant, day, id, scores (NaN: not scored)
    measurement_day: np.ndarray
    measurement_id: np.ndarray
    measurement_scores: np.ndarray  # (measurements, len(ZRM_DOMAINS)) float


@dataclass(frozen=True)
class DwellingHistory:
    """One row per dwelling (its columns as stored) and its status intervals (kind: the status's
    index in DWELLING_STATUSES); `change_day` holds the day of every status change, for the trend."""

    id: np.ndarray
    columns: dict[str, np.ndarray]  # municipality_id, corporation_id, care_provider_id, building_type, route, site
    status: Intervals
    change_owner: np.ndarray
    change_day: np.ndarray


@dataclass
class Timeline:
    """Both histories as known at K, at one data version (`stamp`: its number and the moment of its
    write), with the audit record they were read up to (`audit_mark`, and that record's moment)."""

    participants: ParticipantHistory
    dwellings: DwellingHistory
    stamp: tuple
    audit_mark: int
    audit_mark_at: datetime | None
    _groups: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- scopes and groups, computed once per timeline ---

    def participant_scope(self, scope: ParticipantFilter) -> np.ndarray | None:
        """Mask of the participants in `scope` (None: all)."""
        if scope.organisation_id is None:
            return None
        return self._cached(("p-scope", scope), lambda: _any_equal(
            self.participants, ("referrer_id", "care_provider_id", "municipality_id"), scope.organisation_id))

    def dwelling_scope(self, scope: DwellingFilter) -> np.ndarray | None:
        """Mask of the dwellings in `scope` (None: all)."""
        if scope == DwellingFilter():
            return None

        def build():
            columns = self.dwellings.columns
            mask = np.ones(len(self.dwellings.id), bool)
            for name in ("municipality_id", "corporation_id", "care_provider_id", "building_type", "route"):
                value = getattr(scope, name)
                if value is not None:
                    mask &= columns[name] == value
            if scope.organisation_id is not None:
                org = scope.organisation_id
                mask &= ((columns["municipality_id"] == org) | (columns["corporation_id"] == org)
                         | (columns["care_provider_id"] == org))
            return mask
        return self._cached(("d-scope", scope), build)

    def participant_groups(self, columns: tuple[str, ...]) -> tuple[np.ndarray, list]:
        """(group code per participant, key per code): the keys are the columns' values (None for
        none), a tuple of them for several columns."""
        return self._cached(("p-groups", columns), lambda: _factorize(
            [getattr(self.participants, c) for c in columns]))

    def dwelling_groups(self, columns: tuple[str, ...]) -> tuple[np.ndarray, list]:
        return self._cached(("d-groups", columns), lambda: _factorize(
            [self.dwellings.columns[c] for c in columns]))

    def dwelling_first_day(self) -> np.ndarray:
        """Per dwelling the day of its first status change (NEVER: none): it exists from then."""
        def build():
            first = np.full(len(self.dwellings.id), NEVER, np.int64)
            np.minimum.at(first, self.dwellings.change_owner, self.dwellings.change_day)
            return first
        return self._cached(("d-first",), build)

    def worked_out(self) -> dict:
        """What the timeline has worked out so far (scopes, groups), by key."""
        with self._lock:
            return dict(self._groups)

    def remember(self, key, value) -> None:
        with self._lock:
            self._groups.setdefault(key, value)

    def _cached(self, key, build):
        with self._lock:
            if key not in self._groups:
                self._groups[key] = build()
            return self._groups[key]


def _any_equal(history, names: Sequence[str], value: int) -> np.ndarray:
    mask = np.zeros(len(history.id), bool)
    for name in names:
        mask |= getattr(history, name) == value
    return mask


def _factorize(columns: list[np.ndarray]) -> tuple[np.ndarray, list]:
    """Codes 0..k-1 per row of the columns taken together, and the key of each code (the value,
    or the tuple of values for several columns; None for none)."""
    keys_per_column, codes_per_column = [], []
    for column in columns:
        if column.dtype != object:  # integer ids: NONE_ID stands for None
            values, codes = np.unique(column, return_inverse=True)
            keys_per_column.append([None if v == NONE_ID else int(v) for v in values.tolist()])
        else:  # text: "0" for None, "1" before every text, so that None sorts apart
            text = np.array(["0" if v is None else "1" + str(v) for v in column.tolist()])
            values, codes = np.unique(text, return_inverse=True)
            keys_per_column.append([None if v == "0" else v[1:] for v in values.tolist()])
        codes_per_column.append(codes.reshape(-1).astype(np.int64))
    if len(columns) == 1:
        return codes_per_column[0], keys_per_column[0]
    combined = np.zeros(len(columns[0]), np.int64)
    for codes, keys in zip(codes_per_column, keys_per_column):
        combined = combined * len(keys) + codes
    present, codes = np.unique(combined, return_inverse=True)
    keys = []
    for value in present.tolist():
        key = []
        for per_column in reversed(keys_per_column):
            value, code = divmod(value, len(per_column))
            key.append(per_column[code])
        keys.append(tuple(reversed(key)))
    return codes.reshape(-1), keys


# --- reading the histories -----------------------------------------------------------------------

KINDS = ("assessed", "matched", "housed", "exited", "withdrawn")
OUTCOMES = ("eligible", "positive", "negative", "deceased")  # 0: any other (or none)


def _code(column, values: Sequence[str]):
    """The column as 1 + its index in `values`, 0 for anything else: integers travel fastest."""
    return case(*((column == v, i + 1) for i, v in enumerate(values)), else_=0)


def _id(column):
    return func.coalesce(column, NONE_ID)


def _matrix(session: Session, statement, width: int) -> np.ndarray:
    """The rows of a statement whose columns are all integers (or NULL-free booleans), as an
    (rows, width) int64 array: read from the driver's cursor, without building a Row per row (that
    took three times as long as the query at national size)."""
    result = session.connection().execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.array(rows, np.int64).reshape(len(rows), width)


def _in_order(rows: np.ndarray, *columns: int) -> np.ndarray:
    """The rows sorted by the given columns, the first most significant (sorting here is several
    times faster than an ORDER BY the indexes only partly cover)."""
    if not len(rows):
        return rows
    return rows[np.lexsort(tuple(rows[:, c] for c in reversed(columns)))]


def _index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of `values` in the sorted array `ids` (every value is in it)."""
    return np.searchsorted(ids, values)


def details_at(table, version_table, id_column: str, known: datetime | None):
    """(FROM clause, column getter): the rows of `table` with their versioned details as known at K
    (eet.write.versions): as stored without K; with K, from the version live at K, or as stored
    where none is (a row whose history was loaded in bulk without versions)."""
    if known is None:
        return table, lambda name: table.c[name]
    version = version_table.alias("known_version")
    joined = table.outerjoin(version, (version.c[id_column] == table.c.id) & live(version.c, known))

    def column(name: str):
        if name not in version.c or name == "id":
            return table.c[name]
        return case((version.c.id.is_not(None), version.c[name]), else_=table.c[name])
    return joined, column


def read_participants(session: Session, known: datetime | None, only: Sequence[int] | None
                      ) -> ParticipantHistory:
    """The participants (those with ids in `only`, or all), their details, live events and ZRM
    measurements as known at K. Five integer queries; the rows are ordered here."""
    where_p = [PARTICIPANT.id.in_(only)] if only is not None else []
    where_e = [EVENT.participant_id.in_(only)] if only is not None else []
    source, p = details_at(Participant.__table__, ParticipantVersion.__table__, "participant_id", known)
    is_known = case((PARTICIPANT.created_at <= known, 1), else_=0) if known is not None else literal(1)
    waiting = case((p("central_waiting_list").is_(True), 1), (p("central_waiting_list").is_(False), 0), else_=-1)
    people = _matrix(session, select(
        PARTICIPANT.id, _id(p("referrer_id")), _id(p("care_provider_id")),
        _id(p("municipality_id")), waiting, is_known, day_of(p("referred_on")),
    ).select_from(source).where(*where_p).order_by(PARTICIPANT.id), 7)
    n = len(people)
    pid = people[:, 0].copy()
    # Every live event, in the order that decides ties: per participant, by date, then by id.
    events = _in_order(_matrix(session, select(
        EVENT.participant_id, _code(EVENT.kind, KINDS), day_of(EVENT.occurred_on), _code(EVENT.outcome, OUTCOMES),
        EVENT.id,
    ).where(live(EVENT, known), *where_e), 5), 0, 2, 4)
    owner = _index_of(pid, events[:, 0])
    kind = events[:, 1]
    day = events[:, 2]
    outcome = events[:, 3]
    assessed, matched, moved_in, exits, withdrawn = (kind == i + 1 for i in range(len(KINDS)))
    eligible, positive, negative, deceased = (outcome == i + 1 for i in range(len(OUTCOMES)))

    def first(mask: np.ndarray) -> np.ndarray:
        out = np.full(n, NEVER, np.int64)
        np.minimum.at(out, owner[mask], day[mask])
        return out

    housed = first(moved_in)
    after_in = exits & (day >= housed[owner])
    reasons = session.execute(select(EVENT.participant_id, day_of(EVENT.occurred_on), EVENT.outcome)
                              .where(live(EVENT, known), EVENT.kind == "withdrawn", *where_e)
                              .order_by(EVENT.participant_id, EVENT.occurred_on, EVENT.id)).all()
    stays = moved_in | exits
    return ParticipantHistory(
        id=pid, referrer_id=people[:, 1].copy(), care_provider_id=people[:, 2].copy(),
        municipality_id=people[:, 3].copy(), central_waiting_list=people[:, 4].astype(np.int8),
        known=people[:, 5].astype(bool), referred=people[:, 6].copy(),
        assessed=first(assessed), matched=first(matched), housed=housed, withdrawn=first(withdrawn),
        negative_exit=first(after_in & negative),
        censoring_exit=first(after_in & (positive | deceased)),
        deceased_exit=first(after_in & deceased),
        eligible=_latest_intervals(owner, day, assessed, eligible),
        housed_now=_latest_intervals(owner, day, stays, moved_in),
        withdrawal_owner=_index_of(pid, np.array([r[0] for r in reasons], np.int64)),
        withdrawal_day=np.array([r[1] for r in reasons], np.int64),
        withdrawal_reason=tuple(r[2] or "" for r in reasons),
        stay_owner=owner[stays], stay_day=day[stays], stay_is_exit=exits[stays],
        **_read_measurements(session, known, only, pid),
    )


def _read_measurements(session: Session, known: datetime | None, only: Sequence[int] | None,
                       pid: np.ndarray) -> dict[str, np.ndarray]:
    """The ZRM measurements recorded by K and not voided by K (all not voided, without K)."""
    m = Measurement.__table__.c
    alive = m.voided_at.is_(None) if known is None else (
        (m.recorded_at <= known) & ((m.voided_at.is_(None)) | (m.voided_at > known)))
    rows = _in_order(_matrix(session, select(m.participant_id, day_of(m.measured_on), m.id,
                                             *(func.coalesce(m[d], 0) for d in ZRM_DOMAINS))
                             .where(alive, *([m.participant_id.in_(only)] if only is not None else [])),
                             3 + len(ZRM_DOMAINS)), 0, 1, 2)
    scores = rows[:, 3:].astype(float)
    scores[scores == 0] = np.nan  # scored 1 to 5; 0 stood for not scored
    return {"measurement_owner": _index_of(pid, rows[:, 0]), "measurement_day": rows[:, 1].copy(),
            "measurement_id": rows[:, 2].copy(), "measurement_scores": scores}


def _latest_intervals(owner: np.ndarray, day: np.ndarray, member: np.ndarray, counts: np.ndarray) -> Intervals:
    """The intervals in which the latest of an owner's `member` rows (rows in owner, date, id order)
    is one where `counts` holds: each row holds from its day until the next member row of the same
    owner (a later row on the same day makes it empty), the last one for ever."""
    o, d, c = owner[member], day[member], counts[member]
    end = np.full(len(o), NEVER, np.int64)
    if len(o) > 1:
        same_owner = o[1:] == o[:-1]
        end[:-1] = np.where(same_owner, d[1:], NEVER)
    keep = c & (d < end)
    return Intervals(o[keep], d[keep], end[keep], np.zeros(int(keep.sum()), np.int64))


def read_dwellings(session: Session, known: datetime | None, only: Sequence[int] | None) -> DwellingHistory:
    """The dwellings (those with ids in `only`, or all) and their live status changes as known at K."""
    names = ("municipality_id", "corporation_id", "care_provider_id", "building_type", "route", "site")
    source, d = details_at(Dwelling.__table__, DwellingVersion.__table__, "dwelling_id", known)
    rows = session.execute(select(DWELLING.id, *(d(c) for c in names)).select_from(source)
                           .where(*([DWELLING.id.in_(only)] if only is not None else []))
                           .order_by(DWELLING.id)).all()
    columns = list(zip(*rows)) if rows else [()] * (len(names) + 1)
    ids = np.array(columns[0], np.int64)
    changes = _in_order(_matrix(session, select(CHANGE.dwelling_id, day_of(CHANGE.effective_on),
                                                _code(CHANGE.status, DWELLING_STATUSES) - 1, CHANGE.id)
                                .where(live(CHANGE, known),
                                       *([CHANGE.dwelling_id.in_(only)] if only is not None else [])), 4), 0, 1, 3)
    owner = _index_of(ids, changes[:, 0])
    day, status = changes[:, 1].copy(), changes[:, 2]
    end = np.full(len(owner), NEVER, np.int64)
    if len(owner) > 1:
        end[:-1] = np.where(owner[1:] == owner[:-1], day[1:], NEVER)
    keep = day < end
    stored = {name: np.array([NONE_ID if v is None else v for v in columns[i]], np.int64) if name.endswith("_id")
              else np.array(columns[i], object) for i, name in enumerate(names, start=1)}
    return DwellingHistory(id=ids, columns=stored, status=Intervals(owner[keep], day[keep], end[keep], status[keep]),
                           change_owner=owner, change_day=day)


def read_histories(session: Session, known: datetime | None) -> tuple[ParticipantHistory, DwellingHistory]:
    """Every participant's and dwelling's history as the session sees it, as known at K."""
    return read_participants(session, known, None), read_dwellings(session, known, None)
