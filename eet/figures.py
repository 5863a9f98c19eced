"""Every figure of DESIGN.md, for any as-of date D, as SQL aggregates over indexed columns.

This is the one place that defines them: the pages, `python -m eet report` and the meeting pack all
read from here. Nothing here loads a whole table; each function returns a handful of numbers or a
small aggregated table.

Conventions (DESIGN.md):
- a dwelling's status at D is that of its latest non-voided change dated on or before D (ties on a
  date: the one recorded last); a dwelling whose first change is after D does not exist at D;
- a participant counts at a funnel step when they have such an event dated on or before D;
- "within 365 days of the first move-in" means 0 to 365 days after it, both ends included.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from sqlalchemy import Integer, String, and_, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlmodel import Session

from .models import (
    COUNTER_STATUSES, DWELLING_STATUSES, PARTNER_KINDS, Dwelling, DwellingStatusChange, Organisation,
    Participant, ParticipantEvent, Target,
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
        key = (function.__name__, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # a list of dates, say: not remembered
            return function(session, *args, **kwargs)
        if key not in memo:
            memo[key] = copy.deepcopy(function(session, *args, **kwargs))
        return copy.deepcopy(memo[key])
    return wrapper


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


# --- coalition and targets -----------------------------------------------------------------------

@memoised
def coalition(session: Session, as_of: date) -> dict[str, int]:
    """Partners that had joined on or before D, by kind."""
    rows = session.execute(
        select(ORG.kind, func.count()).where(ORG.kind.in_(PARTNER_KINDS), ORG.joined_on <= as_of)
        .group_by(ORG.kind)).all()
    counts = dict.fromkeys(PARTNER_KINDS, 0)
    counts.update({kind: n for kind, n in rows})
    return counts


@memoised
def municipalities(session: Session, as_of: date) -> list[tuple[int, str]]:
    """(id, name) of the municipality partners that had joined on or before D, by name."""
    return [tuple(r) for r in session.execute(
        select(ORG.id, ORG.name).where(ORG.kind == "municipality", ORG.joined_on <= as_of)
        .order_by(ORG.name)).all()]


@dataclass(frozen=True)
class TargetValue:
    value: float
    due_on: date | None


@memoised
def targets(session: Session, as_of: date) -> dict[str, TargetValue]:
    """The targets valid at D: per key, the latest with valid_from on or before D (or, before any
    was valid, the earliest)."""
    rows = session.execute(
        select(Target.key, Target.value, Target.due_on, Target.valid_from)
        .order_by(Target.key, Target.valid_from, Target.id)).all()
    chosen: dict[str, TargetValue] = {}
    for key, value, due_on, valid_from in rows:
        if key not in chosen or valid_from <= as_of:
            chosen[key] = TargetValue(value, due_on)
    return chosen


# --- dwellings -----------------------------------------------------------------------------------

def _status_at(as_of: date):
    """The status at D of the dwelling in the outer query (NULL if it did not exist yet): its
    latest non-voided change, one backward step in the covering index ix_change_current, which
    both SQLite and PostgreSQL plan as an index-only probe per dwelling."""
    return (select(CHANGE.status)
            .where(CHANGE.dwelling_id == DWELLING.id, CHANGE.voided_at.is_(None), CHANGE.effective_on <= as_of)
            .order_by(CHANGE.effective_on.desc(), CHANGE.id.desc()).limit(1)
            .correlate(DWELLINGS).scalar_subquery())


@memoised
def dwelling_counts(session: Session, as_of: date, by: str | None = None,
                    scope: DwellingFilter = NO_DWELLING_FILTER) -> dict:
    """Dwellings by status at D; with `by` (a dwelling column such as municipality_id or
    building_type) a dict of such dicts keyed by that column's value."""
    keys = [DWELLING[by].label("key")] if by else []
    current = (select(*keys, _status_at(as_of).label("status")).select_from(DWELLINGS)
               .where(*scope.clauses()).subquery("current"))
    group = ([current.c.key] if by else []) + [current.c.status]
    # Dwellings not existing at D (status NULL) are grouped too and dropped here: a WHERE on the
    # status would make PostgreSQL run the per-dwelling probe twice.
    rows = session.execute(select(*group, func.count()).group_by(*group)).all()
    if not by:
        return with_totals({status: n for status, n in rows if status is not None})
    out: dict = {}
    for key, status, n in rows:
        if status is not None:
            out.setdefault(key, {})[status] = n
    return {key: with_totals(counts) for key, counts in out.items()}


def with_totals(by_status: dict[str, int]) -> dict[str, int]:
    """All five statuses, zeros included, with counter, pipeline and ambition."""
    counts = {status: int(by_status.get(status, 0)) for status in DWELLING_STATUSES}
    counts["counter"] = sum(counts[s] for s in COUNTER_STATUSES)
    counts["pipeline"] = counts["searching"]
    counts["ambition"] = counts["counter"] + counts["pipeline"]
    return counts


def dwellings_by_municipality(session: Session, as_of: date,
                              scope: DwellingFilter = NO_DWELLING_FILTER) -> dict[str, dict[str, int]]:
    """Every municipality partner joined on or before D, zeros included, by name."""
    counts = dwelling_counts(session, as_of, by="municipality_id", scope=scope)
    return {name: counts.get(org_id, with_totals({})) for org_id, name in municipalities(session, as_of)}


def dwelling_totals_and_municipalities(session: Session, as_of: date,
                                       scope: DwellingFilter = NO_DWELLING_FILTER
                                       ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """dwelling_counts and dwellings_by_municipality from one pass: the totals are the sums over
    every municipality (a dwelling has exactly one)."""
    counts = dwelling_counts(session, as_of, by="municipality_id", scope=scope)
    totals = with_totals({status: sum(c[status] for c in counts.values()) for status in DWELLING_STATUSES})
    by_name = {name: counts.get(org_id, with_totals({})) for org_id, name in municipalities(session, as_of)}
    return totals, by_name


@memoised
def dwelling_counts_by(session: Session, as_of: date, columns: tuple[str, ...],
                       scope: DwellingFilter = NO_DWELLING_FILTER) -> dict[str, dict]:
    """dwelling_counts(by=c) for each of the columns, from one pass grouped by all of them (a few
    hundred combinations) and summed here."""
    keys = [DWELLING[c].label(f"key_{i}") for i, c in enumerate(columns)]
    current = (select(*keys, _status_at(as_of).label("status")).select_from(DWELLINGS)
               .where(*scope.clauses()).subquery("current"))
    group = [current.c[f"key_{i}"] for i in range(len(columns))] + [current.c.status]
    rows = session.execute(select(*group, func.count()).group_by(*group)).all()
    out: dict[str, dict] = {c: {} for c in columns}
    for *values, status, n in rows:
        if status is None:
            continue
        for column, value in zip(columns, values):
            into = out[column].setdefault(value, {})
            into[status] = into.get(status, 0) + n
    return {c: {key: with_totals(counts) for key, counts in out[c].items()} for c in columns}


@memoised
def dwelling_trend(session: Session, until: date, scope: DwellingFilter = NO_DWELLING_FILTER,
                   since: date | None = None) -> list[dict]:
    """Counts by status after each date on which anything changed, up to D: one row per date.

    One query: each change adds one to its status and takes one from the status before it
    (LAG over the dwelling's changes, read in the order of ix_change_current); the changes are
    counted per date, status and status before, and the running sum here gives the state after
    each date. (A UNION of the entering and the leaving rows made SQLite run the window twice.)
    """
    ordered = select(
        CHANGE.effective_on, CHANGE.status,
        func.lag(CHANGE.status).over(partition_by=CHANGE.dwelling_id,
                                     order_by=(CHANGE.effective_on, CHANGE.id)).label("previous"),
    ).select_from(CHANGES.join(DWELLINGS, DWELLING.id == CHANGE.dwelling_id) if scope.clauses() else CHANGES
                  ).where(CHANGE.voided_at.is_(None), CHANGE.effective_on <= until, *scope.clauses()).subquery()
    o = ordered.c
    rows = session.execute(
        select(o.effective_on, o.status, o.previous, func.count())
        .group_by(o.effective_on, o.status, o.previous).order_by(o.effective_on)).all()
    running = dict.fromkeys(DWELLING_STATUSES, 0)
    series: dict[date, dict] = {}
    for on, status, previous, n in rows:
        running[status] += int(n)
        if previous is not None:
            running[previous] -= int(n)
        series[on] = with_totals(running)
    points = [{"date": on, **counts} for on, counts in series.items()]
    if since is not None:
        before = [p for p in points if p["date"] <= since]
        points = ([{**before[-1], "date": since}] if before else []) + [p for p in points if p["date"] > since]
    return points


@memoised
def counter_and_housed_at(session: Session, days: list[date]) -> list[dict]:
    """{"date", "counter", "housed"} at each of the days, as dwelling_counts(day)["counter"] and
    funnel(day)["housed"] give them, from two passes instead of two per day: the counter from
    dwelling_trend (the state after each date), the housed from the day each participant first
    counts as housed (referred and moved in: the later of the two dates)."""
    if not days:
        return []
    trend = dwelling_trend(session, max(days))
    first = _first_move_in(max(days))
    counts_from = case((first.c.first_in > first.c.referred_on, first.c.first_in), else_=first.c.referred_on)
    housed_from = session.execute(select(counts_from, func.count()).group_by(counts_from)
                                  .order_by(counts_from)).all()
    out = []
    for day in days:
        before = [p["counter"] for p in trend if p["date"] <= day]
        out.append({"date": day, "counter": before[-1] if before else 0,
                    "housed": sum(int(n) for on, n in housed_from if on <= day)})
    return out


# --- participants --------------------------------------------------------------------------------

def _events_until(as_of: date, *kinds: str):
    return and_(EVENT.voided_at.is_(None), EVENT.occurred_on <= as_of,
                EVENT.kind.in_(kinds) if len(kinds) > 1 else EVENT.kind == kinds[0])


def _route(as_of: date):
    """Per participant with events on or before D, one row read in participant order from the
    covering index ix_event_route: which steps they took, and the dates of their latest eligible
    and other assessment, latest move-in and latest exit."""
    def took(kind: str):
        return func.max(case((EVENT.kind == kind, 1), else_=0))

    def last(*conditions):
        return func.max(case((and_(*conditions), EVENT.occurred_on)))

    return (select(
        EVENT.participant_id.label("participant_id"),
        took("assessed").label("assessed"),
        last(EVENT.kind == "assessed", EVENT.outcome == "eligible").label("eligible_on"),
        last(EVENT.kind == "assessed", func.coalesce(EVENT.outcome, "") != "eligible").label("ineligible_on"),
        took("matched").label("matched"),
        last(EVENT.kind == "housed").label("housed_on"),
        last(EVENT.kind == "exited").label("exited_on"),
        took("withdrawn").label("withdrawn"),
    ).where(EVENT.voided_at.is_(None), EVENT.occurred_on <= as_of)
        .group_by(EVENT.participant_id).subquery("route"))


def _latest_is(route, later_on, earlier_on, kinds: tuple[str, ...], column, value: str):
    """1 when the latest (by date, then by id) of the participant's events of these kinds is the
    one dated `later_on` and has `column` == value; `later_on` / `earlier_on` are the latest dates
    of the two groups. Only a same-day tie needs to look at the events themselves."""
    tie = (select(column).where(
        EVENT.participant_id == route.c.participant_id, EVENT.voided_at.is_(None),
        EVENT.kind.in_(kinds), EVENT.occurred_on == later_on)
        .order_by(EVENT.id.desc()).limit(1).correlate(route).scalar_subquery())
    return case((later_on.is_(None), 0), (earlier_on.is_(None), 1), (later_on > earlier_on, 1),
                (later_on < earlier_on, 0), (tie == value, 1), else_=0)


@memoised
def funnel(session: Session, as_of: date, by: str | None = None,
           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> dict:
    """The funnel at D; with `by` (a participant column such as referrer_id or care_provider_id)
    one funnel per value of that column. One query, one pass over the participants and their
    events: eligible means the latest assessment says eligible, housed_now that the latest move-in
    or exit is a move-in."""
    if by is None and scope == NO_PARTICIPANT_FILTER:
        # The breakdowns' pass gives the total too; a dashboard then reads the events once for
        # the report, the participant view, the changes and the business case together.
        return funnel_breakdowns(session, as_of, BREAKDOWNS)[0]
    route = _route(as_of)
    r = route.c
    eligible = _latest_is(route, r.eligible_on, r.ineligible_on, ("assessed",), EVENT.outcome, "eligible")
    housed_now = _latest_is(route, r.housed_on, r.exited_on, ("housed", "exited"), EVENT.kind, "housed")
    columns = [
        func.count().label("referred"),
        func.sum(func.coalesce(r.assessed, 0)).label("assessed"),
        func.sum(eligible).label("eligible"),
        func.sum(func.coalesce(r.matched, 0)).label("matched"),
        func.sum(case((r.housed_on.is_not(None), 1), else_=0)).label("housed"),
        func.sum(housed_now).label("housed_now"),
        func.sum(func.coalesce(r.withdrawn, 0)).label("withdrawn"),
    ]
    source = PARTICIPANTS.outerjoin(route, r.participant_id == PARTICIPANT.id)
    where = [PARTICIPANT.referred_on <= as_of, *scope.clauses()]
    if isinstance(by, tuple):  # several columns: keyed by the tuple of their values
        keys = [PARTICIPANT[b] for b in by]
        query = select(*keys, *columns).select_from(source).where(*where).group_by(*keys)
        return {tuple(row[:len(by)]): {s: int(row[len(by) + i] or 0) for i, s in enumerate(FUNNEL_STEPS)}
                for row in session.execute(query).all()}
    if by:
        query = select(PARTICIPANT[by], *columns).select_from(source).where(*where).group_by(PARTICIPANT[by])
        return {row[0]: {s: int(row[i + 1] or 0) for i, s in enumerate(FUNNEL_STEPS)}
                for row in session.execute(query).all()}
    row = session.execute(select(*columns).select_from(source).where(*where)).one()
    return {s: int(row[i] or 0) for i, s in enumerate(FUNNEL_STEPS)}


@memoised
def funnel_breakdowns(session: Session, as_of: date, bys: tuple[str, ...],
                      scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> tuple[dict, dict[str, dict]]:
    """The funnel and funnel(by=b) for each b in `bys`, from one pass: the funnel is grouped by
    all of `bys` at once (a few hundred combinations) and summed here, every step being a count."""
    rows = funnel(session, as_of, by=bys, scope=scope)
    total = dict.fromkeys(FUNNEL_STEPS, 0)
    per: dict[str, dict] = {b: {} for b in bys}
    for key, steps in rows.items():
        for step, n in steps.items():
            total[step] += n
        for i, b in enumerate(bys):
            into = per[b].setdefault(key[i], dict.fromkeys(FUNNEL_STEPS, 0))
            for step, n in steps.items():
                into[step] += n
    return total, per


@memoised
def central_waiting_list(session: Session, as_of: date,
                         scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> dict[str, int]:
    """Referred participants by whether they came from the central waiting list."""
    label = case((PARTICIPANT.central_waiting_list.is_(True), "yes"),
                 (PARTICIPANT.central_waiting_list.is_(False), "no"), else_="unknown")
    rows = session.execute(select(label, func.count()).where(
        PARTICIPANT.referred_on <= as_of, *scope.clauses()).group_by(label)).all()
    counts = {"yes": 0, "no": 0, "unknown": 0}
    counts.update({key: int(n) for key, n in rows})
    return counts


@memoised
def withdrawals(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER,
                limit: int = 20) -> list[tuple[str, int]]:
    """Withdrawal reasons (free text) up to D, most frequent first."""
    reason = func.coalesce(EVENT.outcome, "")
    # Participants are joined only to filter them (the join tripled the time on PostgreSQL).
    source = EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id) if scope.clauses() else EVENTS
    rows = session.execute(
        select(reason, func.count()).select_from(source)
        .where(_events_until(as_of, "withdrawn"), *scope.clauses())
        .group_by(reason).order_by(func.count().desc(), reason).limit(limit)).all()
    return [(r or "", int(n)) for r, n in rows]


def _first_move_in(as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER):
    """Per participant housed by D: the first move-in date and the referral date. The date test is
    on the first move-in (HAVING), which gives the same rows as on each move-in and lets SQLite read
    the covering index ix_event_kind_participant in participant order instead of sorting."""
    return (select(EVENT.participant_id.label("participant_id"),
                   func.min(EVENT.occurred_on).label("first_in"),
                   func.min(PARTICIPANT.referred_on).label("referred_on"))
            .select_from(EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id))
            .where(EVENT.voided_at.is_(None), EVENT.kind == "housed", *scope.clauses())
            .group_by(EVENT.participant_id).having(func.min(EVENT.occurred_on) <= as_of)
            .subquery("first_move_in"))


@dataclass(frozen=True)
class LeadTime:
    median: float | None
    p75: float | None
    n: int


@memoised
def lead_time(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> LeadTime:
    """Days from referral to first move-in, for participants housed by D: median, 75th percentile
    and how many (from the one pass of lead_time_counts)."""
    return lead_times(lead_time_counts(session, as_of, scope))[0]


def percentile_of_counts(counts: list[tuple[int, int]], fraction: float) -> float | None:
    """numpy.percentile's default (linear) of values given as (value, how often), sorted by value."""
    n = sum(k for _, k in counts)
    if n == 0:
        return None
    position = fraction * (n - 1)
    low = int(position)

    def value_at(index: int) -> int:
        seen = 0
        for value, k in counts:
            seen += k
            if index < seen:
                return value
        raise IndexError(index)

    first = value_at(low)
    if position == low:
        return float(first)
    return float(first + (value_at(low + 1) - first) * (position - low))


def lead_time_distribution(session: Session, as_of: date, bucket_days: int = 30,
                           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> list[tuple[int, int]]:
    """(bucket start in days, participants) for a histogram of lead times."""
    return lead_times(lead_time_counts(session, as_of, scope), bucket_days)[1]


def lead_time_trend(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                    ) -> list[tuple[str, float, int]]:
    """(month of first move-in 'YYYY-MM', median lead time in days, participants) up to D."""
    return lead_times(lead_time_counts(session, as_of, scope))[2]


@memoised
def lead_time_counts(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                     ) -> list[tuple[str, int, int]]:
    """(month of first move-in 'YYYY-MM', lead time in days, participants): one pass from which
    lead_time, lead_time_distribution and lead_time_trend all follow (see lead_times)."""
    first = _first_move_in(as_of, scope)
    month = func.substr(cast(first.c.first_in, String()), 1, 7)
    days = days_between(first.c.first_in, first.c.referred_on)
    return [(m, int(d), int(n)) for m, d, n in session.execute(
        select(month, days, func.count()).group_by(month, days).order_by(month, days)).all()]


def lead_times(counts: list[tuple[str, int, int]], bucket_days: int = 30
               ) -> tuple[LeadTime, list[tuple[int, int]], list[tuple[str, float, int]]]:
    """lead_time, lead_time_distribution and lead_time_trend from lead_time_counts."""
    by_days: dict[int, int] = {}
    by_bucket: dict[int, int] = {}
    by_month: dict[str, dict[int, int]] = {}
    for month, days, n in counts:
        by_days[days] = by_days.get(days, 0) + n
        bucket = int(days / bucket_days) * bucket_days  # as SQL's integer division: toward zero
        by_bucket[bucket] = by_bucket.get(bucket, 0) + n
        month_days = by_month.setdefault(month, {})
        month_days[days] = month_days.get(days, 0) + n
    ordered = sorted(by_days.items())
    lead = LeadTime(percentile_of_counts(ordered, 0.5), percentile_of_counts(ordered, 0.75),
                    sum(by_days.values()))
    # The trend shows the same statistic as the headline (DESIGN.md: the median), month by month.
    trend = [(month, percentile_of_counts(sorted(days.items()), 0.5), sum(days.values()))
             for month, days in sorted(by_month.items())]
    return lead, sorted(by_bucket.items()), trend


@dataclass(frozen=True)
class Retention:
    rate: float | None
    cohort: int
    retained: int
    target: float


@memoised
def retention_12m(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER,
                  target: float = 0.9) -> Retention:
    """Among participants first housed at least 365 days before D, the share without a negative
    exit within 365 days of that move-in; a death within those days leaves them out."""
    first = _first_move_in(as_of, scope)
    cutoff = as_of - timedelta(days=RETENTION_DAYS)

    def exit_within(outcome: str):
        return select(EVENT.id).where(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited"),
            EVENT.outcome == outcome, EVENT.occurred_on >= first.c.first_in,
            days_between(EVENT.occurred_on, first.c.first_in) <= RETENTION_DAYS).exists()

    row = session.execute(
        select(func.count(), func.sum(case((exit_within("negative"), 0), else_=1)))
        .where(first.c.first_in <= cutoff, ~exit_within("deceased"))).one()
    cohort, retained = int(row[0] or 0), int(row[1] or 0)
    return Retention(retained / cohort if cohort else None, cohort, retained, target)


@dataclass
class SurvivalCurve:
    """Kaplan–Meier estimate of staying housed without a negative exit."""

    days: list[int] = field(default_factory=list)
    survival: list[float] = field(default_factory=list)
    at_risk: list[int] = field(default_factory=list)
    events: int = 0
    censored: int = 0


@memoised
def kaplan_meier(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                 ) -> SurvivalCurve:
    """Time from first move-in to the first negative exit; a positive exit, a death, or D censors.
    The database groups participants by (days, event); the product runs over those few rows."""
    first = _first_move_in(as_of, scope)

    def first_exit(*outcomes: str):
        return func.min(case((EVENT.outcome.in_(outcomes), EVENT.occurred_on)))

    # One join of the first move-ins to their exits on or after them, grouped per participant
    # (scalar subqueries here were inlined by PostgreSQL and probed the index a dozen times each).
    per_participant = (select(
        first.c.first_in, first_exit("negative").label("negative"),
        first_exit("positive", "deceased").label("censor"))
        .select_from(first.outerjoin(EVENTS, and_(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited"),
            EVENT.occurred_on >= first.c.first_in)))
        .group_by(first.c.participant_id, first.c.first_in).subquery())
    p = per_participant.c
    is_event = and_(p.negative.is_not(None), (p.censor.is_(None)) | (p.negative <= p.censor))
    end = case((is_event, p.negative), (p.censor.is_not(None), p.censor), else_=literal(as_of))
    duration = days_between(end, p.first_in)
    event_flag = case((is_event, 1), else_=0)
    rows = session.execute(select(duration, event_flag, func.count()).group_by(duration, event_flag)
                           .order_by(duration)).all()
    return _kaplan_meier_product(rows)


def _kaplan_meier_product(rows: Iterable[tuple[int, int, int]]) -> SurvivalCurve:
    by_day: dict[int, list[int]] = {}
    for day, is_event, n in rows:
        by_day.setdefault(int(day), [0, 0])[int(is_event)] += int(n)
    at_risk = sum(c + e for c, e in by_day.values())
    curve = SurvivalCurve(days=[0], survival=[1.0], at_risk=[at_risk])
    survival = 1.0
    longest = max(by_day, default=0)
    for day in sorted(by_day):
        censored, events = by_day[day]
        last_day = day == longest
        if events:
            survival *= 1 - events / at_risk
        # A step at each event, and the curve carried on to the longest follow-up, so that a
        # cohort without events still draws a line.
        if events or (last_day and day > 0):
            curve.days.append(day)
            curve.survival.append(survival)
            curve.at_risk.append(at_risk)
        curve.events += events
        curve.censored += censored
        at_risk -= events + censored
    return curve
