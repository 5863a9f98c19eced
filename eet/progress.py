"""Progress towards the targets: the pace of the counter against the pace the deadline needs, and
what changed between two dates. Both read their numbers from `eet.figures`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from . import figures, privacy
from .access import Actor
from .privacy import Count
from .coalition import LAUNCH

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Pace:
    target: int
    due_on: date
    counter: int
    counter_at_launch: int
    needed_per_month: float | None  # None: the deadline has passed or the target is reached
    so_far_per_month: float | None  # None: no time since the launch yet
    projected: float | None  # the counter at the deadline if the pace so far holds

    @property
    def reached(self) -> bool:
        return self.counter >= self.target

    @property
    def on_track(self) -> bool | None:
        if self.reached:
            return True
        if self.projected is None:
            return None
        return self.projected >= self.target


def pace(session: Session, as_of: date, launch: date = LAUNCH) -> Pace | None:
    """The counter's growth per month since the launch against what the rest of the time needs.
    None when no dwelling target with a due date is set."""
    goal = figures.targets(session, as_of).get("dwellings")
    if goal is None or goal.due_on is None:
        return None
    target, due_on = int(goal.value), goal.due_on
    counter = figures.dwelling_counts(session, as_of)["counter"]
    at_launch = figures.dwelling_counts(session, launch)["counter"]
    months_left = (due_on - as_of).days / DAYS_PER_MONTH
    months_gone = (as_of - launch).days / DAYS_PER_MONTH
    needed = (target - counter) / months_left if months_left > 0 and counter < target else None
    so_far = (counter - at_launch) / months_gone if months_gone > 0 else None
    projected = counter + so_far * max(months_left, 0) if so_far is not None else None
    return Pace(target, due_on, counter, at_launch, needed, so_far, projected)


def default_since(as_of: date, launch: date = LAUNCH) -> date:
    """The launch, or 30 days before D when D is not after the launch."""
    return launch if as_of > launch else as_of - timedelta(days=30)


CHANGE_KEYS = ("counter", "pipeline", "ambition", "occupied", "referred", "housed", "housed_now",
               "withdrawn", "municipalities")


PARTICIPANT_KEYS = ("referred", "housed", "housed_now", "withdrawn")


@dataclass(frozen=True)
class Change:
    key: str
    then: Count
    now: Count
    delta: int | None  # None when a side is suppressed for this actor


def changes_since(session: Session, actor: Actor, as_of: date, since: date) -> list[Change]:
    """Headline figures at `since` and at D. Participant counts are suppressed for viewers, and
    so is their change whenever a side is (privacy.change)."""
    def snapshot(day: date) -> dict[str, int]:
        dwellings = figures.dwelling_counts(session, day)
        funnel = figures.funnel(session, day)
        return {
            "counter": dwellings["counter"], "pipeline": dwellings["pipeline"],
            "ambition": dwellings["ambition"], "occupied": dwellings["occupied"],
            "referred": funnel["referred"], "housed": funnel["housed"],
            "housed_now": funnel["housed_now"], "withdrawn": funnel["withdrawn"],
            "municipalities": figures.coalition(session, day)["municipality"],
        }

    then, now = snapshot(since), snapshot(as_of)
    out = []
    for key in CHANGE_KEYS:
        a, b = then[key], now[key]
        if key in PARTICIPANT_KEYS:
            a, b = privacy.for_actor(actor, a), privacy.for_actor(actor, b)
        out.append(Change(key, a, b, privacy.change(a, b)))
    return out
