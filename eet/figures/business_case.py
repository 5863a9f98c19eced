"""The business case of DESIGN.md: cost per participant-year of Housing First against the shelter
model, from the cost parameters the programme entered (with their source). No built-in amount:
without parameters there is no business case.

Housing First per participant-year = its yearly parameters (support, housing) + its one-off costs
per participant spread over the participant-years actually lived in the dwellings up to D.

Per payer (issue 17): every parameter names who pays it (a parameter without a payer counts under
"other"); per payer Housing First against the shelter model per participant-year and the difference
(shelter minus Housing First: positive = that payer gains, negative = that payer invests). The
sensitivity moves each parameter with a low and a high value between them, the others at their
value, and gives the total difference at both ends (a tornado chart); the break-even value of a
parameter is the value at which the total difference is zero (the difference is linear in each
parameter), given where it is 0 or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import or_, select
from sqlmodel import Session

from eet import figures

from eet.figures.timeline import day_number, timeline_of
from eet.figures.query import known_at_of, live
from eet.store.models import PAYERS, CostParameter

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
    (if it is dated on or after the last move-in) or to D. A gap between an exit and a later move-in
    is counted; re-housing is rare enough that this rule is kept simple. From the participants'
    move-ins and exits on or before D (eet.figures.timeline)."""
    return float(days_each(session, as_of)[0].sum()) / DAYS_PER_YEAR


def days_each(session: Session, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """(days lived in the dwellings up to D, moved in on or before D) per participant, in the
    timeline's order (integers, bools): participant_years before its sum."""
    history = timeline_of(session).participants
    day = day_number(as_of)
    until = history.stay_day <= day
    last_in = _last_per_owner(history, until & ~history.stay_is_exit)
    last_out = _last_per_owner(history, until & history.stay_is_exit)
    housed = last_in >= 0
    end = np.where((last_out >= 0) & (last_out >= last_in), last_out, day)
    return np.where(housed, end - np.where(housed, history.housed, 0), 0).astype(np.int64), housed


def _last_per_owner(history, rows: np.ndarray) -> np.ndarray:
    """Per participant the day of the last of the chosen move-in/exit rows (-1: none); the rows are
    in participant, date order, so the last row of each participant's run is the latest."""
    last = np.full(len(history.id), -1, np.int64)
    index = np.flatnonzero(rows)
    if len(index):
        owners = history.stay_owner[index]
        ends = np.append(owners[1:] != owners[:-1], True)
        last[owners[ends]] = history.stay_day[index[ends]]
    return last


COST = CostParameter.__table__.c


def cost_parameters(session: Session, as_of: date) -> list[dict]:
    """The cost parameters valid on D (valid_from <= D and no valid_to before D), with their payer
    ("other" when none is given), low and high values (None when none is given) and whom they
    apply to (care_provider_id, building_type: None = every participant)."""
    rows = session.execute(
        select(COST.model, COST.category, COST.label, COST.amount_eur, COST.unit, COST.source,
               COST.valid_from, COST.valid_to, COST.payer, COST.low_eur, COST.high_eur,
               COST.care_provider_id, COST.building_type)
        .where(COST.valid_from <= as_of, or_(COST.valid_to.is_(None), COST.valid_to >= as_of),
               live(COST, known_at_of(session)))
        .order_by(COST.model, COST.category, COST.id)).mappings().all()
    return [{**row, "payer": row["payer"] or "other"} for row in rows]


def scoped(parameter: dict) -> bool:
    """Whether the parameter applies to a group only (a care provider's, a building type's)."""
    return parameter.get("care_provider_id") is not None or parameter.get("building_type") is not None


def business_case(session: Session, as_of: date) -> BusinessCase:
    """The business case at D from the cost parameters valid on D (no parameters: every amount None).

    A parameter that applies to a group only (issue 29) counts for its share: a yearly one by the
    group's share of the participant-years lived (its share of those housed while none are lived
    yet), a one-off one by the group's share of those housed. Each parameter's dict gets that
    `share` (1.0 for one that applies to all), which per_payer and sensitivity read."""
    parameters = cost_parameters(session, as_of)
    if any(scoped(p) for p in parameters):
        from eet.figures.group_costs import shares

        parameters = [{**p, "share": share} for p, share in zip(parameters, shares(session, as_of, parameters))]
    else:
        parameters = [{**p, "share": 1.0} for p in parameters]

    def total(model: str, unit: str) -> float | None:
        amounts = [p["amount_eur"] * p["share"] for p in parameters if p["model"] == model and p["unit"] == unit]
        return float(sum(amounts)) if amounts else None

    recurring = total("housing_first", "per_participant_year")
    one_off = total("housing_first", "one_off_per_participant")
    housed = figures.funnel(session, as_of)["housed"]
    years = participant_years(session, as_of)
    spread = one_off * housed / years if one_off is not None and years > 0 else None
    return BusinessCase(parameters, recurring, one_off, years, housed, spread,
                        total("shelter", "per_participant_year"))


# --- per payer and sensitivity (issue 17) --------------------------------------------------------

@dataclass(frozen=True)
class PayerLine:
    """Per participant-year, in euros; None where the model has no yearly parameter at all."""

    payer: str  # a code of PAYERS, or "total"
    housing_first: float | None
    shelter: float | None

    @property
    def difference(self) -> float | None:
        """Shelter minus Housing First: positive = this payer gains, negative = it invests."""
        return shelter_minus_housing_first(self.housing_first, self.shelter)


def shelter_minus_housing_first(housing_first: float | None, shelter: float | None) -> float | None:
    """The difference of the business case, € per participant-year (positive: Housing First is
    cheaper); None when either model has no amount."""
    return None if housing_first is None or shelter is None else shelter - housing_first


@dataclass(frozen=True)
class Sensitivity:
    """The total difference with one parameter at its low and at its high value."""

    label: str
    payer: str
    model: str
    low_eur: float
    high_eur: float
    difference_at_low: float
    difference_at_high: float
    break_even_eur: float | None  # the parameter's value at which the total difference is 0

    @property
    def swing(self) -> float:
        return abs(self.difference_at_high - self.difference_at_low)


def _per_year_factor(case: BusinessCase, parameter: dict) -> float | None:
    """Euros per participant-year that one euro of this parameter adds (None: a one-off cost with
    no participant-years lived yet); for a parameter of a group, times the group's share."""
    share = parameter.get("share", 1.0)
    if parameter["unit"] == "per_participant_year":
        return share
    return share * case.housed / case.participant_years if case.participant_years > 0 else None


def per_payer(case: BusinessCase) -> list[PayerLine]:
    """One line per payer that pays any valid parameter (in the order of PAYERS), then "total".
    A model without a yearly parameter gives None for every payer (the business case is partial)."""
    has_hf, has_shelter = case.hf_recurring is not None, case.shelter is not None
    sums: dict[str, list[float]] = {}
    for p in case.parameters:
        factor = _per_year_factor(case, p)
        amounts = sums.setdefault(p["payer"], [0.0, 0.0])
        if factor is not None:
            amounts[0 if p["model"] == "housing_first" else 1] += p["amount_eur"] * factor
    lines = [PayerLine(payer, sums[payer][0] if has_hf else None, sums[payer][1] if has_shelter else None)
             for payer in PAYERS if payer in sums]
    lines.append(PayerLine("total", case.housing_first, case.shelter))
    return lines


def sensitivity(case: BusinessCase) -> list[Sensitivity]:
    """Per parameter with a low or a high value: the total difference at both ends, largest swing
    first. Empty when the total difference cannot be computed."""
    base = case.difference
    if base is None:
        return []
    out = []
    for p in case.parameters:
        if p["low_eur"] is None and p["high_eur"] is None:
            continue
        factor = _per_year_factor(case, p)
        if factor is None:
            continue
        sign = -1.0 if p["model"] == "housing_first" else 1.0  # a dearer Housing First lowers the difference
        low = p["low_eur"] if p["low_eur"] is not None else p["amount_eur"]
        high = p["high_eur"] if p["high_eur"] is not None else p["amount_eur"]

        def at(value: float) -> float:
            return base + sign * factor * (value - p["amount_eur"])

        even = p["amount_eur"] - base / (sign * factor) if factor else None
        out.append(Sensitivity(p["label"], p["payer"], p["model"], low, high, at(low), at(high),
                               even if even is not None and even >= 0 else None))
    return sorted(out, key=lambda s: -s.swing)


def report_business_case(case: BusinessCase) -> dict:
    """The report's `business_case` object: {per_payer: {payer: {housing_first, shelter,
    difference}}, total: {...}}; per_payer is {} and total's values None without parameters."""
    lines = per_payer(case)

    def entry(line: PayerLine) -> dict:
        return {"housing_first": line.housing_first, "shelter": line.shelter, "difference": line.difference}

    return {"per_payer": {line.payer: entry(line) for line in lines if line.payer != "total"},
            "total": entry(lines[-1])}
