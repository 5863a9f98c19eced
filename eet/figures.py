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

FUNNEL_STEPS = ("referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn")
RETENTION_DAYS = 365


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

def coalition(session: Session, as_of: date) -> dict[str, int]:
    """Partners that had joined on or before D, by kind."""
    rows = session.execute(
        select(ORG.kind, func.count()).where(ORG.kind.in_(PARTNER_KINDS), ORG.joined_on <= as_of)
        .group_by(ORG.kind)).all()
    counts = dict.fromkeys(PARTNER_KINDS, 0)
    counts.update({kind: n for kind, n in rows})
    return counts


def municipalities(session: Session, as_of: date) -> list[tuple[int, str]]:
    """(id, name) of the municipality partners that had joined on or before D, by name."""
    return [tuple(r) for r in session.execute(
        select(ORG.id, ORG.name).where(ORG.kind == "municipality", ORG.joined_on <= as_of)
        .order_by(ORG.name)).all()]


@dataclass(frozen=True)
class TargetValue:
    value: float
    due_on: date | None


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

def _latest_status(as_of: date):
    """Per dwelling, its status at D (subquery with dwelling_id, status)."""
    ranked = select(
        CHANGE.dwelling_id, CHANGE.status,
        func.row_number().over(partition_by=CHANGE.dwelling_id,
                               order_by=(CHANGE.effective_on.desc(), CHANGE.id.desc())).label("rank"),
    ).where(CHANGE.effective_on <= as_of, CHANGE.voided_at.is_(None)).subquery("ranked")
    return select(ranked.c.dwelling_id, ranked.c.status).where(ranked.c.rank == 1).subquery("current")


def dwelling_counts(session: Session, as_of: date, by: str | None = None,
                    scope: DwellingFilter = NO_DWELLING_FILTER) -> dict:
    """Dwellings by status at D; with `by` (a dwelling column such as municipality_id or
    building_type) a dict of such dicts keyed by that column's value."""
    current = _latest_status(as_of)
    columns = [current.c.status, func.count()]
    group = [current.c.status]
    if by:
        columns.insert(0, DWELLING[by])
        group.insert(0, DWELLING[by])
    query = (select(*columns).select_from(current.join(DWELLINGS, DWELLING.id == current.c.dwelling_id))
             .where(*scope.clauses()).group_by(*group))
    rows = session.execute(query).all()
    if not by:
        return with_totals({status: n for status, n in rows})
    out: dict = {}
    for key, status, n in rows:
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


def dwelling_trend(session: Session, until: date, scope: DwellingFilter = NO_DWELLING_FILTER,
                   since: date | None = None) -> list[dict]:
    """Counts by status after each date on which anything changed, up to D: one row per date.

    One query: each change adds one to its status and takes one from the status before it
    (LAG over the dwelling's changes), summed per date and status; the running sum gives the
    state after each date.
    """
    ordered = select(
        CHANGE.effective_on, CHANGE.status,
        func.lag(CHANGE.status).over(partition_by=CHANGE.dwelling_id,
                                     order_by=(CHANGE.effective_on, CHANGE.id)).label("previous"),
    ).select_from(CHANGES.join(DWELLINGS, DWELLING.id == CHANGE.dwelling_id)).where(
        CHANGE.voided_at.is_(None), CHANGE.effective_on <= until, *scope.clauses()).subquery()
    entering = select(ordered.c.effective_on.label("on"), ordered.c.status.label("status"),
                      literal(1).label("delta"))
    leaving = select(ordered.c.effective_on, ordered.c.previous, literal(-1)).where(
        ordered.c.previous.is_not(None))
    deltas = entering.union_all(leaving).subquery()
    rows = session.execute(
        select(deltas.c.on, deltas.c.status, func.sum(deltas.c.delta))
        .group_by(deltas.c.on, deltas.c.status).order_by(deltas.c.on)).all()
    running = dict.fromkeys(DWELLING_STATUSES, 0)
    series: dict[date, dict] = {}
    for on, status, delta in rows:
        running[status] += int(delta)
        series[on] = with_totals(running)
    points = [{"date": on, **counts} for on, counts in series.items()]
    if since is not None:
        before = [p for p in points if p["date"] <= since]
        points = ([{**before[-1], "date": since}] if before else []) + [p for p in points if p["date"] > since]
    return points


# --- participants --------------------------------------------------------------------------------

def _events_until(as_of: date, *kinds: str):
    return and_(EVENT.voided_at.is_(None), EVENT.occurred_on <= as_of,
                EVENT.kind.in_(kinds) if len(kinds) > 1 else EVENT.kind == kinds[0])


def _participants_with(as_of: date, kind: str):
    return select(EVENT.participant_id).where(_events_until(as_of, kind))


def _eligible_ids(as_of: date):
    """Participants whose latest assessment on or before D says eligible."""
    ranked = select(
        EVENT.participant_id, EVENT.outcome,
        func.row_number().over(partition_by=EVENT.participant_id,
                               order_by=(EVENT.occurred_on.desc(), EVENT.id.desc())).label("rank"),
    ).where(_events_until(as_of, "assessed")).subquery()
    return select(ranked.c.participant_id).where(ranked.c.rank == 1, ranked.c.outcome == "eligible")


def _housed_now_ids(as_of: date):
    """Participants whose latest move-in or exit on or before D is a move-in."""
    ranked = select(
        EVENT.participant_id, EVENT.kind,
        func.row_number().over(partition_by=EVENT.participant_id,
                               order_by=(EVENT.occurred_on.desc(), EVENT.id.desc())).label("rank"),
    ).where(_events_until(as_of, "housed", "exited")).subquery()
    return select(ranked.c.participant_id).where(ranked.c.rank == 1, ranked.c.kind == "housed")


def funnel(session: Session, as_of: date, by: str | None = None,
           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> dict:
    """The funnel at D; with `by` (a participant column such as referrer_id or care_provider_id)
    one funnel per value of that column. One query, one pass over the participants."""
    def step(ids):
        return func.sum(case((PARTICIPANT.id.in_(ids), 1), else_=0))

    columns = [
        func.count().label("referred"),
        step(_participants_with(as_of, "assessed")).label("assessed"),
        step(_eligible_ids(as_of)).label("eligible"),
        step(_participants_with(as_of, "matched")).label("matched"),
        step(_participants_with(as_of, "housed")).label("housed"),
        step(_housed_now_ids(as_of)).label("housed_now"),
        step(_participants_with(as_of, "withdrawn")).label("withdrawn"),
    ]
    query = select(*columns).where(PARTICIPANT.referred_on <= as_of, *scope.clauses())
    if by:
        query = select(PARTICIPANT[by], *columns).where(
            PARTICIPANT.referred_on <= as_of, *scope.clauses()).group_by(PARTICIPANT[by])
        return {row[0]: {s: int(row[i + 1] or 0) for i, s in enumerate(FUNNEL_STEPS)}
                for row in session.execute(query).all()}
    row = session.execute(query).one()
    return {s: int(row[i] or 0) for i, s in enumerate(FUNNEL_STEPS)}


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


def withdrawals(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER,
                limit: int = 20) -> list[tuple[str, int]]:
    """Withdrawal reasons (free text) up to D, most frequent first."""
    reason = func.coalesce(EVENT.outcome, "")
    rows = session.execute(
        select(reason, func.count()).select_from(
            EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id))
        .where(_events_until(as_of, "withdrawn"), *scope.clauses())
        .group_by(reason).order_by(func.count().desc(), reason).limit(limit)).all()
    return [(r or "", int(n)) for r, n in rows]


def _first_move_in(as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER):
    """Per participant housed by D: the first move-in date and the referral date."""
    return (select(EVENT.participant_id.label("participant_id"),
                   func.min(EVENT.occurred_on).label("first_in"),
                   func.min(PARTICIPANT.referred_on).label("referred_on"))
            .select_from(EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id))
            .where(_events_until(as_of, "housed"), *scope.clauses())
            .group_by(EVENT.participant_id).subquery("first_move_in"))


def percentile(session: Session, values_query, fraction: float, n: int) -> float | None:
    """numpy.percentile's default (linear) of a one-column query, computed by the database:
    the two order statistics around the rank are fetched with LIMIT/OFFSET."""
    if n == 0:
        return None
    position = fraction * (n - 1)
    low = int(position)
    sub = values_query.subquery()
    column = list(sub.c)[0]
    pair = [v for (v,) in session.execute(select(column).order_by(column).offset(low).limit(2)).all()]
    if len(pair) == 1 or position == low:
        return float(pair[0])
    return float(pair[0] + (pair[1] - pair[0]) * (position - low))


@dataclass(frozen=True)
class LeadTime:
    median: float | None
    p75: float | None
    n: int


def lead_time(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> LeadTime:
    """Days from referral to first move-in, for participants housed by D."""
    first = _first_move_in(as_of, scope)
    days = select(days_between(first.c.first_in, first.c.referred_on).label("days"))
    n = session.execute(select(func.count()).select_from(first)).scalar_one()
    return LeadTime(percentile(session, days, 0.5, n), percentile(session, days, 0.75, n), int(n))


def lead_time_distribution(session: Session, as_of: date, bucket_days: int = 30,
                           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> list[tuple[int, int]]:
    """(bucket start in days, participants) for a histogram of lead times."""
    first = _first_move_in(as_of, scope)
    bucket = (days_between(first.c.first_in, first.c.referred_on) // bucket_days) * bucket_days
    bucket = cast(bucket, Integer)
    rows = session.execute(select(bucket, func.count()).group_by(bucket).order_by(bucket)).all()
    return [(int(b), int(n)) for b, n in rows]


def lead_time_trend(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                    ) -> list[tuple[str, float, int]]:
    """(month of first move-in 'YYYY-MM', mean lead time in days, participants) up to D."""
    first = _first_move_in(as_of, scope)
    month = func.substr(cast(first.c.first_in, String()), 1, 7)
    days = days_between(first.c.first_in, first.c.referred_on)
    rows = session.execute(select(month, func.avg(days), func.count()).group_by(month).order_by(month)).all()
    return [(m, float(avg), int(n)) for m, avg, n in rows]


@dataclass(frozen=True)
class Retention:
    rate: float | None
    cohort: int
    retained: int
    target: float


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


def kaplan_meier(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                 ) -> SurvivalCurve:
    """Time from first move-in to the first negative exit; a positive exit, a death, or D censors.
    The database groups participants by (days, event); the product runs over those few rows."""
    first = _first_move_in(as_of, scope)

    def first_exit(*outcomes: str):
        return (select(func.min(EVENT.occurred_on)).where(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited"),
            EVENT.outcome.in_(outcomes), EVENT.occurred_on >= first.c.first_in)
            .scalar_subquery())

    per_participant = select(
        first.c.first_in, first_exit("negative").label("negative"),
        first_exit("positive", "deceased").label("censor")).subquery()
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
    for day in sorted(by_day):
        censored, events = by_day[day]
        if events:
            survival *= 1 - events / at_risk
            curve.days.append(day)
            curve.survival.append(survival)
            curve.at_risk.append(at_risk)
        curve.events += events
        curve.censored += censored
        at_risk -= events + censored
    return curve
