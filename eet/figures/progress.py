"""Progress towards the targets: the forecast (the pace between two dates held until the due date,
against the pace the target needs), what changed between two dates, and the headline figures of
the overview and the research page as an actor may see them. All read their numbers from
`eet.figures` and `eet.report`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from eet import figures

from eet.figures import disclosure, privacy
from eet.accounts.access import Actor
from eet.figures.disclosure import Rate
from eet.figures.shown import shown_at
from eet.figures.privacy import Count
from eet.store.coalition import LAUNCH

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Forecast:
    """A linear forecast of one measure towards its target: the pace between `since` and D, held
    until the due date. The one forecast of the monitor: the overview (since the launch), the
    review page and the meeting pack (since the comparison date, or the launch) read it, each
    naming its `basis`, so that two verdicts can be read side by side."""

    measure: str  # "dwellings" (the counter) or "participants" (ever housed)
    basis: str  # "comparison" or "launch": where the pace is measured from
    since: date
    as_of: date
    due_on: date
    target: int
    then: Count
    now: Count
    pace_per_month: float | None  # None: no time passed, or (for viewers) a count is small
    projected: float | None  # the measure at the due date at that pace
    gap: Count  # still to go to the target (0 once reached)
    needed_per_month: float | None  # None: the due date has passed or the target is reached

    @property
    def months_left(self) -> float:
        return (self.due_on - self.as_of).days / DAYS_PER_MONTH

    @property
    def reached(self) -> bool:
        return self.gap == 0

    @property
    def on_track(self) -> bool | None:
        if self.gap == 0:
            return True
        if self.projected is None:
            return None
        return self.projected >= self.target


def measure_at(session: Session, day: date, measure: str) -> int:
    """"dwellings": the counter; "participants": everyone ever housed (the target is 200
    participants tested)."""
    if measure == "dwellings":
        return figures.dwelling_counts(session, day)["counter"]
    return figures.funnel(session, day)["housed"]


def forecast(session: Session, as_of: date, since: date, measure: str, basis: str,
             suppressed: bool = False, known: dict[date, dict] | None = None) -> Forecast | None:
    """`measure` at `since` and at D; the pace between them per month (a month is 365.25 / 12
    days), held until the target's due date. None when no such target with a due date is set.
    `known` holds {"counter", "housed"} at days computed already."""
    goals = figures.targets(session, as_of)
    goal = goals.get(measure)
    fallback = goals.get("dwellings")
    due_on = goal.due_on if goal and goal.due_on else (fallback.due_on if fallback else None)
    if goal is None or due_on is None:
        return None

    def value(day: date) -> int:
        if known and day in known:
            return known[day]["counter" if measure == "dwellings" else "housed"]
        return measure_at(session, day, measure)

    return project(measure, basis, since, as_of, due_on, int(goal.value), value(since), value(as_of), suppressed)


def outlook(session: Session, actor: Actor, as_of: date, since: date = LAUNCH) -> Forecast | None:
    """The overview's forecast of the counter: the pace since the launch (basis "launch")."""
    basis = "launch" if since == LAUNCH else "comparison"
    return forecast(session, as_of, since, "dwellings", basis, privacy.sees_suppressed_counts(actor))


def project(measure: str, basis: str, since: date, as_of: date, due_on: date, target: int,
            then: int, now: int, suppressed: bool = False) -> Forecast:
    """The arithmetic of the forecast, apart from the database so that it can be checked by hand.
    For viewers the participants' pace is hidden when a side or the change is a small count (the
    pace times the months would give it back, privacy rule 1)."""
    months_gone = (as_of - since).days / DAYS_PER_MONTH
    months_left = (due_on - as_of).days / DAYS_PER_MONTH
    gap = max(target - now, 0)
    pace = (now - then) / months_gone if months_gone > 0 else None
    projected = now + pace * max(months_left, 0) if pace is not None else None
    needed = gap / months_left if months_left > 0 and gap > 0 else None
    shown_then, shown_now, shown_gap = then, now, gap
    if suppressed and measure == "participants":
        shown_then, shown_now = privacy.suppress(then), privacy.suppress(now)
        if privacy.is_suppressed(shown_then) or privacy.is_suppressed(shown_now) or privacy.small(now - then):
            pace = projected = needed = None
            if privacy.small(now - then) and not privacy.is_suppressed(shown_now):
                shown_then = None  # both exact would give the change back (eet.figures.disclosure rule 6)
            if privacy.is_suppressed(shown_now):
                shown_gap = f">{target - privacy.threshold()}"
    return Forecast(measure, basis, since, as_of, due_on, target, shown_then, shown_now, pace, projected,
                    shown_gap, needed)


def default_since(as_of: date, launch: date = LAUNCH) -> date:
    """The launch, or 30 days before D when D is not after the launch."""
    return launch if as_of > launch else as_of - timedelta(days=30)


CHANGE_KEYS = ("counter", "pipeline", "ambition", "occupied", "in_use", "referred", "housed", "housed_now",
               "withdrawn", "municipalities")


# Counts of people (an occupied dwelling is a participant housed in it: privacy rule 4).
PARTICIPANT_KEYS = ("occupied", "referred", "housed", "housed_now", "withdrawn")


@dataclass(frozen=True)
class Change:
    key: str
    then: Count | None
    now: Count | None
    delta: Count | None  # None when a side is hidden for this actor; "<5" for a small change


def changes_since(session: Session, actor: Actor, as_of: date, since: date) -> list[Change]:
    """Headline figures at `since` and at D, each date as the one disclosure pass shows it
    (eet.figures.shown); for viewers a count of people whose change is small is withheld at the
    earlier date with its change (eet.figures.disclosure rule 6)."""
    hide = privacy.sees_suppressed_counts(actor)

    def snapshot(day: date) -> dict:
        view = shown_at(session, day, hide)
        return {**{key: view.dwellings[key] for key in ("counter", "pipeline", "ambition", "occupied", "in_use")},
                **{key: view.funnel[key] for key in ("referred", "housed", "housed_now", "withdrawn")},
                "municipalities": figures.coalition(session, day)["municipality"]}

    then, now = snapshot(since), snapshot(as_of)
    out = []
    for key in CHANGE_KEYS:
        if key in PARTICIPANT_KEYS:
            shown_then, delta = disclosure.two_dates(then[key], now[key], hide)
        else:
            shown_then, delta = then[key], privacy.change(then[key], now[key])
        out.append(Change(key, shown_then, now[key], delta))
    return out


# --- the headline of the overview and the research page ------------------------------------------

@dataclass(frozen=True)
class Headline:
    """The report's headline figures as one actor may see them, from the one disclosure pass of
    the date (eet.figures.shown): the overview, the research page, the review and the pack agree.
    The JSON report is exact (for admins and researchers); a page reads this instead."""

    suppressed: bool
    dwellings: dict  # counter, pipeline, ambition, target, target_date
    by_status: dict[str, Count | None]  # with in_use; occupied / available COMBINED where they cannot stand apart
    participants_target: int | None
    housed: Count
    housed_now: Count | None
    retention_rate: float | None  # exact, or None where it is shown as a band (`retention`)
    retention_cohort: Count
    retention_target: float
    retention: Rate | None = None  # the rate as shown: exact or a band, with the target verdict


def headline(session: Session, actor: Actor, as_of: date) -> Headline:
    from eet.figures.report import build_report

    hide = privacy.sees_suppressed_counts(actor)
    report = build_report(session, as_of)
    view = shown_at(session, as_of, hide)
    dwellings, participants = report["dwellings"], report["participants"]
    statuses = ("searching", "location_found", "available", "occupied", "withdrawn", "in_use")
    return Headline(
        suppressed=hide,
        dwellings={k: dwellings[k] for k in ("counter", "pipeline", "ambition", "target", "target_date")},
        by_status={s: view.dwellings[s] for s in statuses},
        participants_target=participants["target"],
        housed=view.funnel["housed"], housed_now=view.funnel["housed_now"],
        retention_rate=view.retention.value,
        retention_cohort=view.retention.cohort,
        retention_target=participants["retention_12m"]["target"],
        retention=view.retention,
    )


def dwellings_for(session: Session, actor: Actor, as_of: date,
                  scope: figures.DwellingFilter = figures.NO_DWELLING_FILTER) -> tuple[dict, dict]:
    """The dwelling counts in all and per municipality (with the dwellings page's filter) as the
    actor may see them, each row with `in_use` (occupied + available). Unfiltered: the cells of
    the date's one disclosure pass (eet.figures.shown), as on the overview, the review and the
    pack. Under a filter a viewer sees occupied and available only as their sum: a filtered count
    beside the unfiltered one would give back the rest (eet.figures.disclosure rule 4)."""
    hide = privacy.sees_suppressed_counts(actor)
    if scope == figures.NO_DWELLING_FILTER:
        view = shown_at(session, as_of, hide)
        return view.dwellings, view.by_municipality
    totals = figures.dwelling_counts(session, as_of, None, scope)
    by_municipality = figures.dwellings_by_municipality(session, as_of, scope)
    shown = disclosure.dwelling_rows({None: totals}, hide, total_split=False, all_combined=hide)[None]
    return shown, disclosure.dwelling_rows(by_municipality, hide, all_combined=hide)
