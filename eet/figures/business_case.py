"""The business case of DESIGN.md: cost per participant-year of Housing First against the shelter
model, from the cost parameters the programme entered (with their source). No built-in amount:
without parameters there is no business case.

Housing First per participant-year = its yearly parameters (support, housing) + its one-off costs
per participant spread over the participant-years actually lived in the dwellings up to D.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, literal, select
from sqlmodel import Session

from eet import figures

from eet.figures import registers
from eet.figures.query import EVENT, EVENTS, days_between, known_at_of, live

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class BusinessCase:
    parameters: list[dict]
    hf_recurring: float | None  # per participant-year
    hf_one_off_per_participant: float | None
    participant_years: float
    housed: int
    hf_one_off_spread: float | None  # per participant-year
    shelter: float | None  # per participant-year

    @property
    def housing_first(self) -> float | None:
        if self.hf_recurring is None:
            return None
        return self.hf_recurring + (self.hf_one_off_spread or 0.0)

    @property
    def difference(self) -> float | None:
        """Shelter minus Housing First: positive means Housing First is cheaper."""
        if self.housing_first is None or self.shelter is None:
            return None
        return self.shelter - self.housing_first

    @property
    def missing(self) -> list[str]:
        """The models without a yearly cost parameter."""
        return [model for model, value in (("housing_first", self.hf_recurring), ("shelter", self.shelter))
                if value is None]


def participant_years(session: Session, as_of: date) -> float:
    """Years lived in the dwellings up to D: per participant from the first move-in to the last exit
    (if it follows the last move-in) or to D. A gap between an exit and a later move-in is counted;
    re-housing is rare enough that this one aggregate is kept simple."""
    per_participant = (
        select(func.min(case((EVENT.kind == "housed", EVENT.occurred_on))).label("first_in"),
               func.max(case((EVENT.kind == "housed", EVENT.occurred_on))).label("last_in"),
               func.max(case((EVENT.kind == "exited", EVENT.occurred_on))).label("last_out"))
        .select_from(EVENTS).where(live(EVENT, known_at_of(session)), EVENT.occurred_on <= as_of,
                                   EVENT.kind.in_(("housed", "exited")))
        .group_by(EVENT.participant_id).subquery())
    p = per_participant.c
    end = case((p.last_out.is_not(None) & (p.last_out >= p.last_in), p.last_out), else_=literal(as_of))
    days = session.execute(select(func.sum(days_between(end, p.first_in))).where(p.first_in.is_not(None))).scalar()
    return float(days or 0) / DAYS_PER_YEAR


def business_case(session: Session, as_of: date) -> BusinessCase:
    parameters = registers.cost_parameters(session, as_of)

    def total(model: str, unit: str) -> float | None:
        amounts = [p["amount_eur"] for p in parameters if p["model"] == model and p["unit"] == unit]
        return float(sum(amounts)) if amounts else None

    recurring = total("housing_first", "per_participant_year")
    one_off = total("housing_first", "one_off_per_participant")
    housed = figures.funnel(session, as_of)["housed"]
    years = participant_years(session, as_of)
    spread = one_off * housed / years if one_off is not None and years > 0 else None
    return BusinessCase(parameters, recurring, one_off, years, housed, spread,
                        total("shelter", "per_participant_year"))
