"""The dwelling figures of DESIGN.md at a date D: coalition, targets, counts by status (counter,
pipeline, ambition), breakdowns and the trend.

A dwelling's status at D is that of its latest non-voided change dated on or before D (ties on a
date: the one recorded last); a dwelling whose first change is after D does not exist at D."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlmodel import Session

from eet.store.models import (
    COUNTER_STATUSES, DWELLING_STATUSES, PARTNER_KINDS, Target,
)
from eet.figures.query import (
    CHANGES, CHANGE, DWELLING, DWELLINGS, DwellingFilter, NO_DWELLING_FILTER, ORG, known_at_of, live, memoised,
)
from eet.figures.participants import (
    _first_move_in,
)


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

def _status_at(as_of: date, known=None):
    """The status at D of the dwelling in the outer query (NULL if it did not exist yet): its
    latest non-voided change (as known at K), one backward step in the covering index
    ix_change_current, which both SQLite and PostgreSQL plan as an index-only probe per dwelling."""
    return (select(CHANGE.status)
            .where(CHANGE.dwelling_id == DWELLING.id, live(CHANGE, known), CHANGE.effective_on <= as_of)
            .order_by(CHANGE.effective_on.desc(), CHANGE.id.desc()).limit(1)
            .correlate(DWELLINGS).scalar_subquery())


@memoised
def dwelling_counts(session: Session, as_of: date, by: str | None = None,
                    scope: DwellingFilter = NO_DWELLING_FILTER) -> dict:
    """Dwellings by status at D; with `by` (a dwelling column such as municipality_id or
    building_type) a dict of such dicts keyed by that column's value."""
    keys = [DWELLING[by].label("key")] if by else []
    current = (select(*keys, _status_at(as_of, known_at_of(session)).label("status")).select_from(DWELLINGS)
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
    current = (select(*keys, _status_at(as_of, known_at_of(session)).label("status")).select_from(DWELLINGS)
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
                  ).where(live(CHANGE, known_at_of(session)), CHANGE.effective_on <= until, *scope.clauses()
                          ).subquery()
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
    first = _first_move_in(max(days), known=known_at_of(session))
    counts_from = case((first.c.first_in > first.c.referred_on, first.c.first_in), else_=first.c.referred_on)
    housed_from = session.execute(select(counts_from, func.count()).group_by(counts_from)
                                  .order_by(counts_from)).all()
    out = []
    for day in days:
        before = [p["counter"] for p in trend if p["date"] <= day]
        out.append({"date": day, "counter": before[-1] if before else 0,
                    "housed": sum(int(n) for on, n in housed_from if on <= day)})
    return out
