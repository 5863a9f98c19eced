"""Partners' pledges against what they realised (DESIGN.md "Pledges", issue 23): per municipality at
a date D its counter and pipeline against its pledge, the share realised, the pace needed to meet
the pledge by the target date against its pace since the launch, and whether it is on track; the
sum of the pledges beside the programme's ambition and its target.

- The pledge valid at D: of the partner's pledges recorded by K and not voided by K (as known now
  without K) with `valid_from` on or before D, the latest (ties: the one recorded last).
- The pace: the municipality's counter at the launch and at D, held until the dwellings target's
  due date, as eet.figures.progress.project (the overview's forecast) computes it for the
  programme, with the pledge as the target: `on_track` is true when the counter has reached the
  pledge or the pace since the launch reaches it by the due date, false when it does not, null
  without a pledge or before any time has passed since the launch (no pace yet).
- `share` = counter / pledge (null for no pledge or a pledge of 0).

Dwellings are not people: counter and pipeline are shown exactly to viewers as on the dwellings
page. Occupied dwellings are people (eet.figures.disclosure rule 4): the pledge figures show no
occupied count of their own, so nothing here can give one back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlmodel import Session

from eet import figures
from eet.figures.progress import Forecast, project
from eet.figures.query import known_at_of, memoised
from eet.store.coalition import LAUNCH
from eet.store.models import Organisation, Pledge


@dataclass(frozen=True)
class Standing:
    """One municipality at D against its pledge."""

    municipality: str
    pledge: int | None
    counter: int
    pipeline: int
    share: float | None  # counter / pledge
    pace_so_far: float | None  # counter per month since the launch
    pace_needed: float | None  # per month from D to the due date (None: reached, or no time left)
    on_track: bool | None

    @property
    def behind(self) -> bool:
        return self.on_track is False


@dataclass(frozen=True)
class PledgeView:
    as_of: date
    due_on: date | None
    standings: list[Standing]  # by municipality name
    pledged: int  # the sum of the pledges valid at D (municipalities and corporations alike: each
    # partner's pledge once; the municipalities' alone in `pledged_municipalities`)
    pledged_municipalities: int
    ambition: int  # counter + pipeline, programme-wide
    target: int | None  # the dwellings target (200)

    @property
    def behind(self) -> list[str]:
        return [s.municipality for s in self.standings if s.behind]


def _alive(known: datetime | None):
    if known is None:
        return Pledge.voided_at.is_(None)
    return (Pledge.recorded_at <= known) & or_(Pledge.voided_at.is_(None), Pledge.voided_at > known)


@memoised
def pledges_at(session: Session, as_of: date) -> dict[str, int]:
    """{partner name: dwellings} of the pledges valid at D, as known at the session's K."""
    rows = session.execute(
        select(Organisation.name, Pledge.dwellings, Pledge.valid_from, Pledge.id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(_alive(known_at_of(session)), Pledge.valid_from <= as_of)
        .order_by(Pledge.organisation_id, Pledge.valid_from, Pledge.recorded_at, Pledge.id)).all()
    out: dict[str, int] = {}
    for name, dwellings, _, _ in rows:  # the last row of each partner is the one valid at D
        out[name] = int(dwellings)
    return out


def standing(name: str, pledge: int | None, counter: int, pipeline: int, counter_at_launch: int,
             as_of: date, due_on: date | None) -> Standing:
    """The arithmetic of one municipality's standing, apart from the database so that it can be
    checked by hand (the forecast of eet.figures.progress with the pledge as its target)."""
    if pledge is None or due_on is None:
        return Standing(name, pledge, counter, pipeline, None, None, None, None)
    forecast: Forecast = project("dwellings", "launch", LAUNCH, as_of, due_on, pledge, counter_at_launch, counter)
    share = counter / pledge if pledge > 0 else None
    return Standing(name, pledge, counter, pipeline, share, forecast.pace_per_month, forecast.needed_per_month,
                    forecast.on_track)


@memoised
def pledge_view(session: Session, as_of: date) -> PledgeView:
    """Every municipality partner that had joined by D (as the report lists them), its standing
    against its pledge, and the sums."""
    goals = figures.targets(session, as_of)
    goal = goals.get("dwellings")
    due_on = goal.due_on if goal else None
    totals, by_municipality = figures.dwelling_totals_and_municipalities(session, as_of)
    launch_counts = figures.dwellings_by_municipality(session, LAUNCH) if as_of > LAUNCH else {}
    pledged = pledges_at(session, as_of)
    standings = [standing(name, pledged.get(name), counts["counter"], counts["pipeline"],
                          launch_counts.get(name, {}).get("counter", 0), as_of, due_on)
                 for name, counts in sorted(by_municipality.items())]
    return PledgeView(
        as_of=as_of, due_on=due_on, standings=standings, pledged=sum(pledged.values()),
        pledged_municipalities=sum(s.pledge or 0 for s in standings), ambition=totals["ambition"],
        target=int(goal.value) if goal else None)


def report_entries(view: PledgeView) -> dict[str, dict]:
    """Per municipality the report's `pledge` and `on_track` (spec/interfaces.md)."""
    return {s.municipality: {"pledge": s.pledge, "on_track": s.on_track} for s in view.standings}
