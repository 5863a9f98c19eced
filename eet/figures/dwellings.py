"""The dwelling figures of DESIGN.md at a date D: coalition, targets, counts by status (counter,
pipeline, ambition), breakdowns and the trend.

A dwelling's status at D is that of its latest non-voided change dated on or before D (ties on a
date: the one recorded last); a dwelling whose first change is after D does not exist at D."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from eet.store.models import (
    COUNTER_STATUSES, DWELLING_STATUSES, PARTNER_KINDS, Target,
)
from eet.figures.query import (
    DwellingFilter, NO_DWELLING_FILTER, known_at_of, live, memoised, organisations_known,
)
from eet.figures.timeline import EPOCH, day_number, timeline_of
from eet.store.coalition import LAUNCH


# --- coalition and targets -----------------------------------------------------------------------

@memoised
def coalition(session: Session, as_of: date) -> dict[str, int]:
    """Partners that had joined on or before D, by kind."""
    org = organisations_known(session)
    rows = session.execute(
        select(org.kind, func.count()).where(org.kind.in_(PARTNER_KINDS), org.joined_on <= as_of)
        .group_by(org.kind)).all()
    counts = dict.fromkeys(PARTNER_KINDS, 0)
    counts.update({kind: n for kind, n in rows})
    return counts


@memoised
def municipalities(session: Session, as_of: date) -> list[tuple[int, str]]:
    """(id, name) of the municipality partners that had joined on or before D, by name."""
    org = organisations_known(session)
    return [tuple(r) for r in session.execute(
        select(org.id, org.name).where(org.kind == "municipality", org.joined_on <= as_of)
        .order_by(org.name)).all()]


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
        .where(live(Target.__table__.c, known_at_of(session)))
        .order_by(Target.key, Target.valid_from, Target.id)).all()
    chosen: dict[str, TargetValue] = {}
    for key, value, due_on, valid_from in rows:
        if key not in chosen or valid_from <= as_of:
            chosen[key] = TargetValue(value, due_on)
    return chosen


# --- dwellings -----------------------------------------------------------------------------------

def _current(session: Session, as_of: date, scope: DwellingFilter):
    """(timeline, mask of the status intervals holding at D for dwellings in scope)."""
    timeline = timeline_of(session)
    intervals = timeline.dwellings.status
    holding = intervals.at(day_number(as_of))
    in_scope = timeline.dwelling_scope(scope)
    if in_scope is not None:
        holding &= in_scope[intervals.owner]
    return timeline, holding


def _by_status(codes: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(DWELLING_STATUSES))
    return {status: int(counts[i]) for i, status in enumerate(DWELLING_STATUSES) if counts[i]}


@memoised
def dwelling_counts(session: Session, as_of: date, by: str | None = None,
                    scope: DwellingFilter = NO_DWELLING_FILTER) -> dict:
    """Dwellings by status at D (with_totals: every status, counter, pipeline, ambition); with `by`
    (a dwelling column such as municipality_id or building_type) a dict of such dicts keyed by that
    column's value, for the values that have a dwelling existing at D. A dwelling's status at D is
    that of its latest change on or before D (as known at K; ties on a date: the one recorded last);
    counted from the dwellings' histories (eet.figures.timeline)."""
    if not by:
        timeline, holding = _current(session, as_of, scope)
        return with_totals(_by_status(timeline.dwellings.status.kind[holding]))
    return dwelling_counts_by(session, as_of, (by,), scope)[by]


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
    """dwelling_counts(by=c) for each of the columns: {column: {value: with_totals counts}}."""
    timeline, holding = _current(session, as_of, scope)
    intervals = timeline.dwellings.status
    statuses = len(DWELLING_STATUSES)
    out: dict[str, dict] = {}
    for column in columns:
        codes, keys = timeline.dwelling_groups((column,))
        grouped = np.bincount(codes[intervals.owner[holding]] * statuses + intervals.kind[holding],
                              minlength=len(keys) * statuses).reshape(len(keys), statuses)
        out[column] = {keys[i]: with_totals({s: int(grouped[i, j]) for j, s in enumerate(DWELLING_STATUSES)})
                       for i in np.flatnonzero(grouped.sum(axis=1))}
    return out


@memoised
def dwelling_trend(session: Session, until: date, scope: DwellingFilter = NO_DWELLING_FILTER,
                   since: date | None = None) -> list[dict]:
    """Counts by status (with_totals) after each date on which a status change is dated, up to D:
    [{"date", status..., "counter", "pipeline", "ambition"}], oldest first; with `since`, the dates
    before it folded into one point dated `since`. The state after a date is the number of status
    intervals begun on or before it less those ended on or before it."""
    timeline = timeline_of(session)
    history = timeline.dwellings
    last = day_number(until)
    intervals = history.status
    in_scope = timeline.dwelling_scope(scope)
    change_days = history.change_day if in_scope is None else history.change_day[in_scope[history.change_owner]]
    days = np.unique(change_days[change_days <= last])
    if in_scope is not None:
        chosen = in_scope[intervals.owner]
        intervals = type(intervals)(intervals.owner[chosen], intervals.start[chosen], intervals.end[chosen],
                                    intervals.kind[chosen])
    running = {}
    for code, status in enumerate(DWELLING_STATUSES):
        of_status = intervals.kind == code
        starts = np.sort(intervals.start[of_status])
        ends = np.sort(intervals.end[of_status])
        running[status] = (np.searchsorted(starts, days, side="right")
                           - np.searchsorted(ends, days, side="right")).tolist()
    counter = [sum(values) for values in zip(*(running[s] for s in COUNTER_STATUSES))] if len(days) else []
    pipeline = running["searching"]
    points = [{"date": EPOCH + timedelta(days=day), **dict(zip(DWELLING_STATUSES, statuses)),
               "counter": c, "pipeline": p, "ambition": c + p}
              for day, c, p, *statuses in zip(days.tolist(), counter, pipeline,
                                              *(running[s] for s in DWELLING_STATUSES))]
    return folded(points, since) if since is not None else points


def folded(points: list[dict], since: date) -> list[dict]:
    """The points of dwelling_trend from `since` on, those on or before it folded into one point
    dated `since` (the counts after the last of them), none when nothing was dated by then."""
    before = [p for p in points if p["date"] <= since]
    return ([{**before[-1], "date": since}] if before else []) + [p for p in points if p["date"] > since]


def trend_start(points: list[dict], until: date, launch: date = LAUNCH) -> date | None:
    """Where the dashboard's time axis of the counter begins: at the launch, or on the first of the
    first month in which any dwelling is counted (counter or pipeline) when that is later; never
    after D. None when nothing is counted by D. Before it there is nothing to draw but the climb of
    dwellings recorded before the launch, which the first point carries."""
    first = next((p["date"] for p in points if p["ambition"] > 0), None)
    if first is None:
        return None
    return min(max(launch, first.replace(day=1)), until)


@memoised
def counter_trend(session: Session, until: date, scope: DwellingFilter = NO_DWELLING_FILTER,
                  launch: date = LAUNCH) -> list[dict]:
    """dwelling_trend as the counter over time is drawn: from `trend_start` on, what was counted
    before it (real, recorded before the launch) folded into the first point, so that the line starts
    at that count instead of climbing from 0 over the months before the programme began. No points
    when nothing is counted by D."""
    points = dwelling_trend(session, until, scope)
    start = trend_start(points, until, launch)
    if start is None:
        return []
    shown = folded(points, start)
    if shown[0]["date"] > start:  # nothing dated by the start: the line begins there, at 0
        shown.insert(0, {**dict.fromkeys(shown[0], 0), "date": start})
    return shown


@memoised
def counter_and_housed_at(session: Session, days: list[date]) -> list[dict]:
    """{"date", "counter", "housed"} at each of the days, as dwelling_counts(day)["counter"] and
    funnel(day)["housed"] give them: the counter from the status intervals of the counter's
    statuses, the housed from the day each participant first counts as housed (referred, recorded
    by K and moved in: the later of the two dates)."""
    timeline = timeline_of(session)
    numbers = np.array([day_number(day) for day in days], np.int64)
    status = timeline.dwellings.status
    counted = np.isin(status.kind, [DWELLING_STATUSES.index(s) for s in COUNTER_STATUSES])
    counter = (np.searchsorted(np.sort(status.start[counted]), numbers, side="right")
               - np.searchsorted(np.sort(status.end[counted]), numbers, side="right"))
    people = timeline.participants
    housed_from = np.sort(np.maximum(people.referred, people.housed)[people.known])
    housed = np.searchsorted(housed_from, numbers, side="right")
    return [{"date": day, "counter": int(c), "housed": int(h)} for day, c, h in zip(days, counter, housed)]
