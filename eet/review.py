"""The review meeting's view of the programme: every headline figure at the meeting date next to a
comparison date (the previous review meeting, or the launch), what moved per municipality and per
initiative, the forecast towards the targets at the pace so far, the open bottlenecks and the
decisions taken.

Figures come from `eet.report.build_report` and `eet.figures` only; this module compares and
extrapolates them. Participant counts are suppressed for viewers here, so that the page and the
meeting pack show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from . import decisions as register
from . import figures, privacy
from .access import Actor, sees_suppressed_counts
from .coalition import LAUNCH
from .privacy import Count
from .progress import DAYS_PER_MONTH
from .registers import open_bottlenecks
from .report import build_report

# The headline figures, in the order of the report: (group, item, path into the report).
HEADLINE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("dwellings", "counter", ("dwellings", "counter")),
    ("dwellings", "pipeline", ("dwellings", "pipeline")),
    ("dwellings", "ambition", ("dwellings", "ambition")),
    *(("status", s, ("dwellings", "by_status", s))
      for s in ("searching", "location_found", "available", "occupied", "withdrawn")),
    *(("coalition", k, ("coalition", k)) for k in ("municipality", "care_provider", "housing_corporation")),
    *(("funnel", s, ("participants", "funnel", s)) for s in figures.FUNNEL_STEPS),
    ("lead_time", "median", ("participants", "lead_time_days", "median")),
    ("lead_time", "p75", ("participants", "lead_time_days", "p75")),
    ("lead_time", "n", ("participants", "lead_time_days", "n")),
    ("retention", "rate", ("participants", "retention_12m", "rate")),
    ("retention", "cohort", ("participants", "retention_12m", "cohort")),
)
# Counts of people: suppressed for viewers. Measures derived from them (a median of two lead
# times, a rate over a cohort of three) are hidden with them.
PEOPLE_COUNTS = {("funnel", s) for s in figures.FUNNEL_STEPS} | {("lead_time", "n"), ("retention", "cohort")}
DERIVED_FROM = {("lead_time", "median"): ("lead_time", "n"), ("lead_time", "p75"): ("lead_time", "n"),
                ("retention", "rate"): ("retention", "cohort")}

INITIATIVE_DIMENSIONS = ("building_type", "route", "site")
MOVED_MEASURES = ("counter", "pipeline", "occupied")


@dataclass(frozen=True)
class Figure:
    """One headline figure at both dates; `change` is None when it cannot be shown."""

    group: str
    item: str
    then: Count | float | None
    now: Count | float | None
    change: float | None

    @property
    def code(self) -> str:
        return f"{self.group}.{self.item}"


@dataclass(frozen=True)
class Moved:
    """A municipality or an initiative (a site, a building type, a route): counts at both dates."""

    key: str | None  # name or code; None when not recorded on the dwelling
    then: dict[str, int]
    now: dict[str, int]

    def change(self, measure: str) -> int:
        return self.now[measure] - self.then[measure]

    @property
    def moved(self) -> bool:
        return any(self.change(m) for m in MOVED_MEASURES)


@dataclass(frozen=True)
class Forecast:
    """A linear forecast of one measure towards its target: the pace between `since` and the
    meeting date, held until the due date."""

    measure: str  # "dwellings" (the counter) or "participants" (ever housed)
    basis: str  # "comparison" or "launch": where the pace is measured from
    since: date
    as_of: date
    due_on: date
    target: int
    then: Count
    now: Count
    pace_per_month: float | None  # None: no time passed, or a count is suppressed
    projected: float | None  # the measure at the due date at that pace
    gap: Count  # still to go to the target (0 once reached)
    needed_per_month: float | None  # None: the due date has passed or the target is reached

    @property
    def months_left(self) -> float:
        return (self.due_on - self.as_of).days / DAYS_PER_MONTH

    @property
    def on_track(self) -> bool | None:
        if self.gap == 0:
            return True
        if self.projected is None:
            return None
        return self.projected >= self.target


@dataclass
class Review:
    as_of: date
    compare_with: date
    basis: str
    demo: bool
    suppressed: bool  # small participant counts are shown as "<5"
    target: dict  # dwellings target, target date, participants target, retention target
    headline: list[Figure]
    by_municipality: list[Moved]
    by_initiative: dict[str, list[Moved]]
    forecasts: list[Forecast]
    series: list[dict]  # month ends from the launch: counter and participants housed
    bottlenecks: list[dict]
    meetings: list[dict]
    decisions: list[dict]
    reports: dict[str, dict] = field(default_factory=dict)  # the raw (unsuppressed) JSON reports


# --- choosing the comparison date ----------------------------------------------------------------

@dataclass(frozen=True)
class ComparisonOption:
    on: date
    kind: str  # "meeting" or "launch"
    title: str | None = None


def comparison_options(session: Session, as_of: date) -> list[ComparisonOption]:
    """The review meetings held before D, newest first, then the launch."""
    options = [ComparisonOption(m["held_on"], "meeting", m["title"])
               for m in register.meetings(session, as_of) if m["held_on"] < as_of and m["held_on"] > LAUNCH]
    return options + [ComparisonOption(LAUNCH, "launch")] if as_of > LAUNCH else options


def default_comparison(session: Session, as_of: date) -> date:
    """What the meeting on D compares with: the date the register records for it, else the previous
    meeting, else the launch."""
    for meeting in register.meetings(session, as_of):
        if meeting["held_on"] == as_of and meeting["compare_with"] and meeting["compare_with"] < as_of:
            return meeting["compare_with"]
    options = comparison_options(session, as_of)
    return options[0].on if options else LAUNCH


# --- building the review -------------------------------------------------------------------------

def build_review(session: Session, actor: Actor, as_of: date, compare_with: date | None = None,
                 basis: str = "comparison") -> Review:
    """Everything the review page and the meeting pack show. `basis` says where the forecast's
    pace is measured from: the comparison date or the launch."""
    if basis not in ("comparison", "launch"):
        raise ValueError(f"basis must be 'comparison' or 'launch', not {basis!r}")
    compare_with = compare_with or default_comparison(session, as_of)
    if compare_with >= as_of:
        raise ValueError(f"the comparison date {compare_with.isoformat()} must lie before "
                         f"the meeting date {as_of.isoformat()}")
    then, now = build_report(session, compare_with), build_report(session, as_of)
    suppressed = sees_suppressed_counts(actor)
    series = monthly_series(session, LAUNCH, as_of)
    # The forecasts' counter and housed at their two dates are in the reports or the series already.
    known = {point["date"]: point for point in series}
    for day, report in ((compare_with, then), (as_of, now)):
        known[day] = {"counter": report["dwellings"]["counter"],
                      "housed": report["participants"]["funnel"]["housed"]}
    dims_then, dims_now = (figures.dwelling_counts_by(session, day, INITIATIVE_DIMENSIONS)
                           for day in (compare_with, as_of))
    return Review(
        as_of=as_of, compare_with=compare_with, basis=basis, demo=now["demo"], suppressed=suppressed,
        target={"dwellings": now["dwellings"]["target"], "due_on": now["dwellings"]["target_date"],
                "participants": now["participants"]["target"],
                "retention": now["participants"]["retention_12m"]["target"]},
        headline=compare_headline(then, now, suppressed),
        by_municipality=_moved_by_municipality(then, now),
        by_initiative={dim: _moved(dims_then[dim], dims_now[dim]) for dim in INITIATIVE_DIMENSIONS},
        forecasts=[forecast(session, as_of, compare_with if basis == "comparison" else LAUNCH, measure,
                            basis, suppressed, known) for measure in ("dwellings", "participants")],
        series=_suppress_series(series, suppressed),
        bottlenecks=open_bottlenecks(session, as_of),
        meetings=register.meetings(session, as_of),
        decisions=register.decisions(session, as_of),
        reports={"then": then, "now": now},
    )


def compare_headline(then: dict, now: dict, suppressed: bool = False) -> list[Figure]:
    """Every headline figure of two reports, with its change. For viewers a small count of people
    is shown as "<5", a measure over such a count is hidden, and a change is shown only when both
    sides are shown (next to a hidden side it would reveal it)."""
    def pick(report: dict, path: tuple[str, ...]):
        for key in path:
            report = report[key]
        return report

    raw = {(g, i): (pick(then, path), pick(now, path)) for g, i, path in HEADLINE}
    out = []
    for group, item, _path in HEADLINE:
        a, b = raw[(group, item)]
        if suppressed and (group, item) in PEOPLE_COUNTS:
            a, b = privacy.suppress(a), privacy.suppress(b)
        elif suppressed and (group, item) in DERIVED_FROM:
            base_then, base_now = raw[DERIVED_FROM[(group, item)]]
            a = None if privacy.is_suppressed(privacy.suppress(base_then)) else a
            b = None if privacy.is_suppressed(privacy.suppress(base_now)) else b
        out.append(Figure(group, item, a, b, privacy.change(a, b)))
    return out


def _moved_by_municipality(then: dict, now: dict) -> list[Moved]:
    """Per municipality partner of D (one that joined later has zeros at the comparison date)."""
    zeros = dict.fromkeys(MOVED_MEASURES, 0)
    before = then["dwellings"]["by_municipality"]
    return [Moved(name, {m: before.get(name, zeros)[m] for m in MOVED_MEASURES},
                  {m: counts[m] for m in MOVED_MEASURES})
            for name, counts in now["dwellings"]["by_municipality"].items()]


def moved_by(session: Session, since: date, as_of: date, dimension: str) -> list[Moved]:
    """Counter, pipeline and occupied dwellings per value of a dwelling column (building_type,
    route, site) at both dates, ordered by value with the unrecorded last."""
    return _moved(figures.dwelling_counts(session, since, by=dimension),
                  figures.dwelling_counts(session, as_of, by=dimension))


def _moved(then: dict, now: dict) -> list[Moved]:
    zeros = figures.with_totals({})
    keys = sorted(set(then) | set(now), key=lambda k: (k is None, str(k or "").lower()))
    return [Moved(key, {m: then.get(key, zeros)[m] for m in MOVED_MEASURES},
                  {m: now.get(key, zeros)[m] for m in MOVED_MEASURES}) for key in keys]


def monthly_series(session: Session, start: date, end: date) -> list[dict]:
    """The counter and the participants ever housed at `start`, at each month end after it, and at
    `end`: the actual line that a forecast continues."""
    days = [start]
    year, month = start.year, start.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        month_end = date(year, month, 1) - timedelta(days=1)
        if month_end >= end:
            break
        if month_end > start:
            days.append(month_end)
    if end > start:
        days.append(end)
    return figures.counter_and_housed_at(session, days)


def _suppress_series(series: list[dict], suppressed: bool) -> list[dict]:
    if not suppressed:
        return series
    return [{**point, "housed": privacy.suppress(point["housed"])} for point in series]


def forecast(session: Session, as_of: date, since: date, measure: str, basis: str,
             suppressed: bool = False, known: dict[date, dict] | None = None) -> Forecast:
    """measure at `since` and at D; the pace between them per month (a month is 365.25 / 12 days),
    held until the target's due date. "dwellings" is the counter; "participants" counts everyone
    ever housed (the target is 200 participants tested)."""
    goals = figures.targets(session, as_of)
    goal = goals.get(measure)
    due_on = goal.due_on if goal and goal.due_on else goals["dwellings"].due_on
    target = int(goal.value)

    def value(day: date) -> int:
        if known and day in known:  # {"counter", "housed"} at that day, computed already
            return known[day]["counter" if measure == "dwellings" else "housed"]
        if measure == "dwellings":
            return figures.dwelling_counts(session, day)["counter"]
        return figures.funnel(session, day)["housed"]

    then, now = value(since), value(as_of)
    return project(measure, basis, since, as_of, due_on, target, then, now, suppressed)


def project(measure: str, basis: str, since: date, as_of: date, due_on: date, target: int,
            then: int, now: int, suppressed: bool = False) -> Forecast:
    """The arithmetic of the forecast, apart from the database so that it can be checked by hand."""
    months_gone = (as_of - since).days / DAYS_PER_MONTH
    months_left = (due_on - as_of).days / DAYS_PER_MONTH
    gap = max(target - now, 0)
    pace = (now - then) / months_gone if months_gone > 0 else None
    projected = now + pace * max(months_left, 0) if pace is not None else None
    needed = gap / months_left if months_left > 0 and gap > 0 else None
    shown_then, shown_now, shown_gap = then, now, gap
    if suppressed and measure == "participants":
        shown_then, shown_now = privacy.suppress(then), privacy.suppress(now)
        if privacy.is_suppressed(shown_then) or privacy.is_suppressed(shown_now):
            # The pace and the gap would give a hidden count back.
            pace = projected = needed = None
            if privacy.is_suppressed(shown_now):
                shown_gap = f">{target - privacy.threshold()}"
    return Forecast(measure, basis, since, as_of, due_on, target, shown_then, shown_now, pace, projected,
                    shown_gap, needed)
