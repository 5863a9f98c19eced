"""The review meeting's view of the programme: every headline figure at the meeting date next to a
comparison date (the previous review meeting, or the launch), what moved per municipality and per
initiative, the forecast towards the targets at the pace so far, the open bottlenecks and the
decisions taken.

Figures come from `eet.report.build_report` and `eet.figures` only; this module compares and
extrapolates them. Participant counts are suppressed for viewers here, so that the page and the
meeting pack show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session

from eet.review import decisions as register
from eet import figures
from eet.figures import disclosure, privacy
from eet.figures.shown import shown_at
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
      for s in ("searching", "location_found", "available", "occupied", "in_use", "withdrawn")),
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
MOVED_MEASURES = ("counter", "pipeline", "occupied", "in_use")
CHANGED_MEASURES = ("counter", "pipeline", "occupied")  # what makes a row "moved"


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
        return any(self.change(m) for m in CHANGED_MEASURES)


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
    changes: object = None  # eet.review.changes.Changes, K to now: exact reviews only (issue 22)
    pledges: object | None = None  # eet.figures.pledges.PledgeView at D (issue 23)


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


def opening_meeting_date(session: Session, as_of: date) -> date:
    """The date the review page opens on at as-of date D (issue 26): the last recorded meeting held
    on or before D, else the last recorded meeting at all, else D itself. At the launch date the
    page opened on D, which has no meeting and nothing to compare with, and offered no pack."""
    held = register.meetings(session)  # newest first
    before = [m["held_on"] for m in held if m["held_on"] <= as_of]
    return before[0] if before else held[0]["held_on"] if held else as_of


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
        # The date as presented beside the same date as known now, each through its disclosure pass.
        with as_known_at(session, moment):
            presented = shown_at(session, as_of, review.suppressed)
        review.known_now, _ = compare_headline(review.reports["now"], build_report(session, as_of), review.suppressed,
                                               (presented, shown_at(session, as_of, review.suppressed)),
                                               published_then=True)
        review.corrections = recorded.corrections_since(session, as_of, moment, suppressed=review.suppressed)
        if not review.suppressed:  # each change, a line per field: for exact reviews only
            from eet.review.changes import changes_since

            review.changes = changes_since(session, as_of, moment)
    return review


from eet.figures.pledges import pledge_view  # noqa: E402  (issue 23)


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
    # The one disclosure pass of each date (eet.figures.shown): the cells of the overview and the
    # other pages at that date; beside the later date the earlier one withholds more (rule 6).
    view_then, view_now = shown_at(session, compare_with, suppressed), shown_at(session, as_of, suppressed)
    headline, then_combined = compare_headline(then, now, suppressed, (view_then, view_now))
    then_all = view_then.combined or then_combined
    zeros = figures.with_totals({})
    before = then["dwellings"]["by_municipality"]
    forecasts = [forecast(session, as_of, compare_with if basis == "comparison" else min(LAUNCH, as_of),
                          measure, basis, suppressed, known) for measure in ("dwellings", "participants")]
    series, forecasts = _protect_series(series, forecasts, suppressed)
    return Review(
        as_of=as_of, compare_with=compare_with, basis=basis, demo=now["demo"], suppressed=suppressed,
        target={"dwellings": now["dwellings"]["target"], "due_on": now["dwellings"]["target_date"],
                "participants": now["participants"]["target"],
                "retention": now["participants"]["retention_12m"]["target"]},
        headline=headline,
        by_municipality=_moved({name: before.get(name, zeros) for name in now["dwellings"]["by_municipality"]},
                               view_now.by_municipality, suppressed, then_all, ordered=False),
        by_initiative={dim: _moved(dims_then[dim], view_now.by_initiative[dim], suppressed, then_all)
                       for dim in INITIATIVE_DIMENSIONS},
        forecasts=forecasts,
        series=series,
        bottlenecks=open_bottlenecks(session, as_of),
        meetings=register.meetings(session, as_of),
        decisions=register.decisions(session, as_of),
        reports={"then": then, "now": now},
        compared=compared,
        pledges=pledge_view(session, as_of),
    )


def compare_headline(then: dict, now: dict, suppressed: bool = False, views: tuple | None = None,
                     published_then: bool = False) -> tuple[list[Figure], bool]:
    """Every headline figure of two reports with its change, and whether occupied is combined
    with available at the earlier date because of its change. For viewers each date shows the
    cells of its disclosure pass (`views`, eet.figures.shown); a count of people whose change is
    small is withheld at the earlier date with its change (eet.figures.disclosure rule 6); a rate is exact or a band (a `Rate`).
    `published_then`: the earlier side is what a recorded meeting showed (the review's main tables show
    it too), so a small change withholds the later side instead: one pass over every table a viewer
    sees, and no two cells of it differ by 1 to 4 people (issue 22)."""
    def pick(report: dict, path: tuple[str, ...]):
        for key in path:
            report = report[key]
        return report

    def cells(report: dict, view) -> dict:
        out = {}
        for group, item, path in HEADLINE:
            if group == "status":
                out[(group, item)] = view.dwellings[item]
            elif group == "funnel":
                out[(group, item)] = view.funnel[item]
            elif (group, item) == ("lead_time", "n"):
                out[(group, item)] = view.lead_n
            elif group == "lead_time":
                out[(group, item)] = None if view.lead_hidden else pick(report, path)
            elif (group, item) == ("retention", "rate"):
                out[(group, item)] = view.retention if view.hide else view.retention.value
            elif (group, item) == ("retention", "cohort"):
                out[(group, item)] = view.retention.cohort
            else:
                out[(group, item)] = pick(report, path)
        return out

    if views is None:
        from eet.figures.shown import Shown  # noqa: F401  (views are given by build_review)
        raise ValueError("compare_headline needs the disclosure pass of both dates")
    a_cells, b_cells = cells(then, views[0]), cells(now, views[1])
    out, then_combined, now_combined = [], False, False
    for group, item, _path in HEADLINE:
        if item == "in_use" and not suppressed:
            continue  # an exact review shows occupied and available themselves
        a, b = a_cells[(group, item)], b_cells[(group, item)]
        if (group, item) in PEOPLE_COUNTS and suppressed and published_then:
            b, change = disclosure.two_dates(b, a, True)
            change = None if b is disclosure.WITHHELD else change if change is None else -change
            if (group, item) == ("status", "occupied") and b is None:
                now_combined = True
        elif (group, item) in PEOPLE_COUNTS and suppressed:
            a, change = disclosure.two_dates(a, b, True)
            if (group, item) == ("status", "occupied") and a is None:
                then_combined = True
        elif (group, item) == ("retention", "rate"):
            a_value, b_value = (getattr(v, "value", v) for v in (a, b))
            change = b_value - a_value if a_value is not None and b_value is not None else None
        else:
            change = privacy.change(a, b)
        out.append(Figure(group, item, a, b, change))
    if then_combined:  # occupied withheld at the earlier date: available with it (rule 4)
        out = [Figure(f.group, f.item, disclosure.COMBINED, f.now, None)
               if (f.group, f.item) in (("status", "occupied"), ("status", "available")) else f for f in out]
    if now_combined:  # occupied withheld at the later date: available with it there
        out = [Figure(f.group, f.item, f.then, disclosure.COMBINED, None)
               if (f.group, f.item) in (("status", "occupied"), ("status", "available")) else f for f in out]
    return out, then_combined


def _moved(then: dict, now_shown: dict, suppressed: bool = False, then_all: bool = False,
           ordered: bool = True) -> list[Moved]:
    """Rows at both dates: the later date's cells from its disclosure pass (`now_shown`), the
    earlier date's protected the same way (eet.figures.disclosure.dwelling_rows) with, for
    viewers, a row combined where its occupied moved by 1 to 4 (rule 6; the change is not shown)."""
    zeros = {**figures.with_totals({}), "in_use": 0}
    keys = list(now_shown) + [k for k in then if k not in now_shown]
    if ordered:
        keys = sorted(keys, key=lambda k: (k is None, str(k or "").lower()))
    raw_then = {key: then.get(key, figures.with_totals({})) for key in keys}
    shown_now = {key: now_shown.get(key, zeros) for key in keys}
    forced = {key for key in keys if suppressed and disclosure.exact(shown_now[key]["occupied"])
              and not disclosure.small(raw_then[key]["occupied"])
              and disclosure.small(shown_now[key]["occupied"] - raw_then[key]["occupied"])}
    shown_then = disclosure.dwelling_rows(raw_then, suppressed, total_split=not then_all, all_combined=then_all,
                                          force=forced)
    out = []
    for key in keys:
        a = {m: shown_then[key][m] for m in MOVED_MEASURES}
        b = {m: shown_now[key][m] for m in MOVED_MEASURES}
        changes = {m: privacy.change(a[m], b[m]) for m in MOVED_MEASURES}
        then_in_use = raw_then[key]["occupied"] + raw_then[key]["available"]
        moved = any(value != (now_shown.get(key) or zeros)[m] for m, value in (
            ("counter", raw_then[key]["counter"]), ("pipeline", raw_then[key]["pipeline"]), ("in_use", then_in_use)))
        out.append(Moved(key, a, b, changes, moved))
    return out


def monthly_series(session: Session, start: date, end: date) -> list[dict]:
    """The counter and the participants ever housed at `start`, at each month end after it, and at
    `end`: the actual line that a forecast continues. Nothing after `end` (a date before the
    launch shows that date alone)."""
    if end < start:
        return figures.counter_and_housed_at(session, [end])
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


def _protect_series(series: list[dict], forecasts: list, suppressed: bool) -> tuple[list[dict], list]:
    """The participants housed at the month ends and at the forecasts' dates as one chain over time
    (eet.figures.disclosure rule 2): for viewers exact only where every difference to another exact
    one is 0 or at least the threshold (the last date first, then the first), else "<5" or None."""
    if not suppressed:
        return series, forecasts
    values = {point["date"]: point["housed"] for point in series}
    people = [f for f in forecasts if f is not None and f.measure == "participants"]
    for f in people:
        for day, value in ((f.since, f.then), (f.as_of, f.now)):
            if isinstance(value, int):
                values.setdefault(day, value)
    days = sorted(values)
    priority = [f.as_of for f in people] + ([days[-1], days[0]] if days else []) + [f.since for f in people] + days[1:-1]
    priority = list(dict.fromkeys(day for day in priority if day in values))
    shown = disclosure.chain(values, tuple(days), tuple(priority), True)
    series = [{**point, "housed": shown[point["date"]]} for point in series]
    out = []
    for f in forecasts:
        if f is not None and f.measure == "participants" and isinstance(f.then, int) and \
                not disclosure.exact(shown[f.since]):
            f = replace(f, then=shown[f.since], pace_per_month=None, projected=None, needed_per_month=None)
        out.append(f)
    return series, out
