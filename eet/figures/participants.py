"""The participant figures of DESIGN.md at a date D: the funnel, the central waiting list,
withdrawals, lead times, retention at 12 months and the Kaplan-Meier curve.

A participant counts at a funnel step when they have such an event dated on or before D; "within
365 days of the first move-in" means 0 to 365 days after it, both ends included."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlmodel import Session

from eet.figures.query import (
    EVENTS, PARTICIPANT, PARTICIPANTS, BREAKDOWNS, EVENT, FUNNEL_STEPS, NO_PARTICIPANT_FILTER, ParticipantFilter, RETENTION_DAYS, days_between, memoised,
    known_at_of, live, participants_known,
)


# --- participants --------------------------------------------------------------------------------

def _events_until(as_of: date, *kinds: str, known=None):
    return and_(live(EVENT, known), EVENT.occurred_on <= as_of,
                EVENT.kind.in_(kinds) if len(kinds) > 1 else EVENT.kind == kinds[0])


def _route(as_of: date, known=None):
    """Per participant with events on or before D (as known at K), one row read in participant
    order from the covering index ix_event_route: which steps they took, and the dates of their
    latest eligible and other assessment, latest move-in and latest exit."""
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
    ).where(live(EVENT, known), EVENT.occurred_on <= as_of)
        .group_by(EVENT.participant_id).subquery("route"))


def _latest_is(route, later_on, earlier_on, kinds: tuple[str, ...], column, value: str, known=None):
    """1 when the latest (by date, then by id) of the participant's events of these kinds is the
    one dated `later_on` and has `column` == value; `later_on` / `earlier_on` are the latest dates
    of the two groups. Only a same-day tie needs to look at the events themselves."""
    tie = (select(column).where(
        EVENT.participant_id == route.c.participant_id, live(EVENT, known),
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
    known = known_at_of(session)
    route = _route(as_of, known)
    r = route.c
    eligible = _latest_is(route, r.eligible_on, r.ineligible_on, ("assessed",), EVENT.outcome, "eligible", known)
    housed_now = _latest_is(route, r.housed_on, r.exited_on, ("housed", "exited"), EVENT.kind, "housed", known)
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
    where = [PARTICIPANT.referred_on <= as_of, *participants_known(known), *scope.clauses()]
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
        PARTICIPANT.referred_on <= as_of, *participants_known(known_at_of(session)), *scope.clauses()
    ).group_by(label)).all()
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
        .where(_events_until(as_of, "withdrawn", known=known_at_of(session)), *scope.clauses())
        .group_by(reason).order_by(func.count().desc(), reason).limit(limit)).all()
    return [(r or "", int(n)) for r, n in rows]


def _first_move_in(as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER, known=None):
    """Per participant housed by D (as known at K): the first move-in date and the referral date.
    The date test is
    on the first move-in (HAVING), which gives the same rows as on each move-in and lets SQLite read
    the covering index ix_event_kind_participant in participant order instead of sorting."""
    return (select(EVENT.participant_id.label("participant_id"),
                   func.min(EVENT.occurred_on).label("first_in"),
                   func.min(PARTICIPANT.referred_on).label("referred_on"))
            .select_from(EVENTS.join(PARTICIPANTS, PARTICIPANT.id == EVENT.participant_id))
            .where(live(EVENT, known), EVENT.kind == "housed", *scope.clauses())
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
    first = _first_move_in(as_of, scope, known_at_of(session))
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
    known = known_at_of(session)
    first = _first_move_in(as_of, scope, known)
    cutoff = as_of - timedelta(days=RETENTION_DAYS)

    def exit_within(outcome: str):
        return select(EVENT.id).where(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited", known=known),
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
    known = known_at_of(session)
    first = _first_move_in(as_of, scope, known)

    def first_exit(*outcomes: str):
        return func.min(case((EVENT.outcome.in_(outcomes), EVENT.occurred_on)))

    # One join of the first move-ins to their exits on or after them, grouped per participant
    # (scalar subqueries here were inlined by PostgreSQL and probed the index a dozen times each).
    per_participant = (select(
        first.c.first_in, first_exit("negative").label("negative"),
        first_exit("positive", "deceased").label("censor"))
        .select_from(first.outerjoin(EVENTS, and_(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited", known=known),
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
