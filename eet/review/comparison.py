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
from datetime import date, datetime, timedelta

from sqlmodel import Session

from eet.review import decisions as register
from eet import figures
from eet.figures import privacy
from eet.accounts.access import Actor, sees_suppressed_counts
from eet.store.coalition import LAUNCH
from eet.figures.privacy import Count
from eet.figures.progress import DAYS_PER_MONTH, Forecast, forecast, project  # noqa: F401 (one forecast, in progress)
from eet.figures.registers import open_bottlenecks
from eet.figures.report import build_report
from eet.figures.query import as_known_at

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
# Counts of people: suppressed for viewers (an occupied dwelling is a person housed in it).
# Measures derived from them (a median of two lead times, a rate over a cohort of three) are hidden
# with them; the rules are those of eet.figures.privacy.
PEOPLE_COUNTS = ({("funnel", s) for s in figures.FUNNEL_STEPS} | {("lead_time", "n"), ("retention", "cohort")}
                 | {("status", "occupied")})
DERIVED_FROM = {("lead_time", "median"): ("lead_time", "n"), ("lead_time", "p75"): ("lead_time", "n"),
                ("retention", "rate"): ("retention", "cohort")}
# A meeting date up to this many days after a recorded meeting is that meeting (the pack is often
# made a few days later): it compares with that meeting's own comparison date.
MEETING_WINDOW_DAYS = 14

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
    then: dict[str, Count | None]
    now: dict[str, Count | None]
    changes: dict[str, Count | None] | None = None  # as shown; None: now - then
    moved_raw: bool | None = None  # whether any measure moved (also when a change is hidden)

    def change(self, measure: str) -> Count | None:
        if self.changes is not None:
            return self.changes[measure]
        return privacy.change(self.then[measure], self.now[measure])

    @property
    def moved(self) -> bool:
        if self.moved_raw is not None:
            return self.moved_raw
        return any(self.change(m) for m in MOVED_MEASURES)


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
    compared: bool = True  # False at or before the launch: no comparison date, `compare_with` = D
    exact: bool = False  # an unsuppressed pack asked for explicitly: "not for distribution"
    # Figures as known at a moment K (a recorded meeting's presented_at): None = as known now.
    known_at: datetime | None = None
    known_now: list[Figure] = field(default_factory=list)  # D as known at K (then) beside now (now)
    corrections: list = field(default_factory=list)  # eet.review.known.Correction, K to now


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
    """What the meeting on D compares with. A date on a recorded meeting, or up to
    MEETING_WINDOW_DAYS after it, is that meeting: its recorded comparison date, else the meeting
    before it, else the launch (a pack made four days after the meeting compares as the meeting
    did, not with the meeting itself). Any other date: the previous meeting, else the launch."""
    held = register.meetings(session, as_of)  # newest first
    for meeting in held:
        if as_of - meeting["held_on"] > timedelta(days=MEETING_WINDOW_DAYS):
            break
        if meeting["compare_with"] and meeting["compare_with"] < meeting["held_on"]:
            return meeting["compare_with"]
        before = [m["held_on"] for m in held if LAUNCH < m["held_on"] < meeting["held_on"]]
        return before[0] if before else LAUNCH
    options = comparison_options(session, as_of)
    return options[0].on if options else LAUNCH


# --- building the review -------------------------------------------------------------------------

class ReviewRefused(ValueError):
    """The review cannot be made for these dates (a future meeting date, a comparison after it)."""


RECORDED = "recorded"  # build_review's default K: the moment recorded with the meeting held on D


def build_review(session: Session, actor: Actor, as_of: date, compare_with: date | None = None,
                 basis: str = "comparison", suppressed: bool | None = None,
                 known_at: datetime | str | None = RECORDED) -> Review:
    """Everything the review page and the meeting pack show. `basis` says where the forecast's
    pace is measured from: the comparison date or the launch. `suppressed` (default: as the actor
    sees counts) asks for small counts suppressed whatever the role; a viewer's are always.
    At or before the launch there is nothing to compare with: the review shows D alone.

    `known_at`: every figure as known at that moment (an aware datetime); by default the moment
    recorded with the review meeting held on D (its `presented_at`), so that the meeting's figures
    come back as they were presented; None: as known now. When K lies in the past the review also
    holds D as known now (`known_now`) and the corrections in between (eet.review.known)."""
    from eet.review import known as recorded

    moment = recorded.meeting_moment(session, as_of) if known_at == RECORDED else known_at
    with as_known_at(session, moment):
        review = _build_review(session, actor, as_of, compare_with, basis, suppressed)
    review.known_at = moment
    if recorded.in_the_past(moment):
        review.known_now = compare_headline(review.reports["now"], build_report(session, as_of), review.suppressed)
        review.corrections = recorded.corrections_since(session, as_of, moment, suppressed=review.suppressed)
    return review


def _build_review(session: Session, actor: Actor, as_of: date, compare_with: date | None,
                  basis: str, suppressed: bool | None) -> Review:
    if basis not in ("comparison", "launch"):
        raise ValueError(f"basis must be 'comparison' or 'launch', not {basis!r}")
    if as_of > date.today():
        raise ReviewRefused(f"the meeting date {as_of.isoformat()} lies in the future; the figures are "
                            f"known up to today ({date.today().isoformat()})")
    compared = compare_with is not None or as_of > LAUNCH
    compare_with = (compare_with or default_comparison(session, as_of)) if compared else as_of
    if compared and compare_with >= as_of:
        raise ReviewRefused(f"the comparison date {compare_with.isoformat()} must lie before "
                            f"the meeting date {as_of.isoformat()}")
    then, now = build_report(session, compare_with), build_report(session, as_of)
    suppressed = sees_suppressed_counts(actor) or bool(suppressed)
    series = monthly_series(session, LAUNCH, as_of)
    # The forecasts' counter and housed at their two dates are in the reports or the series already.
    known = {point["date"]: point for point in series}
    for day, report in ((compare_with, then), (as_of, now)):
        known[day] = {"counter": report["dwellings"]["counter"],
                      "housed": report["participants"]["funnel"]["housed"]}
    dims_then, dims_now = (figures.dwelling_counts_by(session, day, INITIATIVE_DIMENSIONS)
                           for day in (compare_with, as_of))
    off = (_occupied_off(then, suppressed), _occupied_off(now, suppressed))
    return Review(
        as_of=as_of, compare_with=compare_with, basis=basis, demo=now["demo"], suppressed=suppressed,
        target={"dwellings": now["dwellings"]["target"], "due_on": now["dwellings"]["target_date"],
                "participants": now["participants"]["target"],
                "retention": now["participants"]["retention_12m"]["target"]},
        headline=compare_headline(then, now, suppressed),
        by_municipality=_moved_by_municipality(then, now, suppressed, off),
        by_initiative={dim: _moved(dims_then[dim], dims_now[dim], suppressed, off=off)
                       for dim in INITIATIVE_DIMENSIONS},
        forecasts=[forecast(session, as_of, compare_with if basis == "comparison" else min(LAUNCH, as_of),
                            measure, basis, suppressed, known) for measure in ("dwellings", "participants")],
        series=_suppress_series(series, suppressed),
        bottlenecks=open_bottlenecks(session, as_of),
        meetings=register.meetings(session, as_of),
        decisions=register.decisions(session, as_of),
        reports={"then": then, "now": now},
        compared=compared,
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
    if suppressed:  # housed now beside housed, available beside occupied (eet.figures.privacy rules 3, 4)
        shown = [(privacy.funnel(report["participants"]["funnel"], True),
                  privacy.dwelling_split(report["dwellings"]["by_status"], True, _occupied_off(report, True)))
                 for report in (then, now)]
    out = []
    for group, item, _path in HEADLINE:
        a, b = raw[(group, item)]
        people = (group, item) in PEOPLE_COUNTS
        if suppressed and group == "funnel":
            a, b = shown[0][0][item], shown[1][0][item]
        elif suppressed and group == "status":
            a, b = shown[0][1][item], shown[1][1][item]
        elif suppressed and people:
            a, b = privacy.suppress(a), privacy.suppress(b)
        elif suppressed and (group, item) == ("retention", "rate"):
            a, b = (_retention_rate(report) for report in (then, now))
        elif suppressed and (group, item) in DERIVED_FROM:
            base_then, base_now = raw[DERIVED_FROM[(group, item)]]
            a = None if privacy.small(base_then) else a
            b = None if privacy.small(base_now) else b
        out.append(Figure(group, item, a, b, privacy.delta(a, b, suppressed and people)))
    return out


def _occupied_off(report: dict, suppressed: bool) -> bool:
    """Occupied hidden everywhere at the report's date (eet.figures.privacy.occupied_hidden)."""
    return privacy.occupied_hidden(report["participants"]["funnel"], report["dwellings"]["by_status"]["occupied"],
                                   suppressed)


def _retention_rate(report: dict) -> float | None:
    """The retention rate as a viewer may see it: hidden when the cohort, the retained or those who
    left are a small count (eet.figures.privacy rule 2)."""
    retention = report["participants"]["retention_12m"]
    if retention["rate"] is None:
        return None
    return privacy.rate(round(retention["rate"] * retention["cohort"]), retention["cohort"], True)


def _moved_by_municipality(then: dict, now: dict, suppressed: bool = False,
                           off: tuple[bool, bool] = (False, False)) -> list[Moved]:
    """Per municipality partner of D (one that joined later has zeros at the comparison date)."""
    zeros = figures.with_totals({})
    before = then["dwellings"]["by_municipality"]
    return _moved({name: before.get(name, zeros) for name in now["dwellings"]["by_municipality"]},
                  now["dwellings"]["by_municipality"], suppressed, ordered=False, off=off)


def moved_by(session: Session, since: date, as_of: date, dimension: str) -> list[Moved]:
    """Counter, pipeline and occupied dwellings per value of a dwelling column (building_type,
    route, site) at both dates, ordered by value with the unrecorded last."""
    return _moved(figures.dwelling_counts(session, since, by=dimension),
                  figures.dwelling_counts(session, as_of, by=dimension))


def _moved(then: dict, now: dict, suppressed: bool = False, ordered: bool = True,
           off: tuple[bool, bool] = (False, False)) -> list[Moved]:
    """Rows at both dates. For viewers the occupied dwellings (people) of each date are suppressed
    with the column rule of eet.figures.privacy.dwelling_rows, and a change of occupied follows rule 1."""
    zeros = figures.with_totals({})
    keys = list(now) + [k for k in then if k not in now]
    if ordered:
        keys = sorted(keys, key=lambda k: (k is None, str(k or "").lower()))
    raw = [{key: {m: rows.get(key, zeros)[m] for m in (*MOVED_MEASURES, "available")} for key in keys}
           for rows in (then, now)]
    shown = [privacy.dwelling_rows(rows, suppressed, occupied_off=hidden) for rows, hidden in zip(raw, off)]
    out = []
    for key in keys:
        a = {m: shown[0][key][m] for m in MOVED_MEASURES}
        b = {m: shown[1][key][m] for m in MOVED_MEASURES}
        changes = {m: privacy.delta(a[m], b[m], suppressed and m == "occupied") for m in MOVED_MEASURES}
        moved = any(raw[1][key][m] != raw[0][key][m] for m in MOVED_MEASURES)
        out.append(Moved(key, a, b, changes, moved))
    return out


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
