"""For whom is Housing First cheaper (issue 29): the business case per group of participants, beside
the per-payer view of eet.figures.business_case.

A cost parameter may apply to a group only (cost_parameter.care_provider_id, .building_type): the
support of one care provider's participants (support intensity differs between providers), the
housing cost of the participants housed in one building type. Neither: every participant.

Per participant i, from the parameters valid on D and as known at K:
- y_i: the years lived in the dwellings up to D, h_i: moved in on or before D (business_case.days_each);
- c_i: the yearly Housing First parameters that apply to i (all, those of i's care provider, those
  of the building type of i's first dwelling), o_i: the one-off ones.
A group's Housing First per participant-year = (sum of y_i * c_i + sum of h_i * o_i) / sum of y_i over
its members: the business case of DESIGN.md restricted to the group. The participant-year weighted
mean of the groups is the whole business case (tests/test_group_costs.py). The shelter model is the
same for every group (its parameters apply to all: the shelter is what the same people would
otherwise cost).

The groupings (COST_GROUPINGS) are those of eet.figures.groups whose costs can differ: care provider
(the participant's) and building type (that of the dwelling of the first move-in). Researchers and
the admin see every group; everyone else the groups of disclosure rule 7 (a group of 1 to 4 people
housed is combined into "other groups", or the grouping is withheld).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlmodel import Session

from eet.accounts.access import Actor
from eet.figures import disclosure
from eet.figures.business_case import DAYS_PER_YEAR, business_case, days_each, scoped, shelter_minus_housing_first
from eet.figures.groups import OTHER, _codes, _group_columns, _named, sees_exact_groups
from eet.figures.query import memoised
from eet.figures.timeline import timeline_of

COST_GROUPINGS = ("care_provider", "building_type")


@dataclass(frozen=True)
class GroupCost:
    """One group's business case at D, in euros per participant-year. `key`: an organisation's
    name, a code of BUILDING_TYPES, None (not recorded) or OTHER; `members`: for OTHER, the keys
    combined in it."""

    key: object
    housed: int  # moved in on or before D
    participant_years: float
    housing_first: float | None  # None: no yearly Housing First parameter, or no year lived yet
    shelter: float | None
    own_parameters: int  # the parameters valid on D that apply to this group only
    members: tuple = ()

    @property
    def difference(self) -> float | None:
        """Shelter minus Housing First: positive means Housing First is cheaper for this group."""
        return shelter_minus_housing_first(self.housing_first, self.shelter)


@dataclass(frozen=True)
class GroupCosts:
    by: str  # one of COST_GROUPINGS
    groups: list[GroupCost]
    scoped: int  # parameters valid on D that apply to a group of this grouping only
    withheld: bool = False


def _columns(session: Session, as_of: date) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    days, housed = days_each(session, as_of)
    columns = _group_columns(session, timeline_of(session))
    return days / DAYS_PER_YEAR, housed, columns


def _applies(parameter: dict, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Per participant: whether the parameter applies (its group's members, or everyone)."""
    size = len(columns["care_provider"])
    out = np.ones(size, bool)
    if parameter.get("care_provider_id") is not None:
        out &= columns["care_provider"] == parameter["care_provider_id"]
    if parameter.get("building_type") is not None:
        out &= columns["building_type"] == parameter["building_type"]
    return out


def shares(session: Session, as_of: date, parameters: list[dict]) -> list[float]:
    """The share of the whole business case each parameter counts for (business_case): 1.0 for a
    parameter of every participant; for a group's, the group's share of the participant-years
    lived up to D (a yearly parameter; while none are lived, of those housed) or of those housed
    (a one-off parameter); 0.0 while nobody is housed. The histories are read once for all."""
    years, housed, columns = _columns(session, as_of)
    out = []
    for parameter in parameters:
        applies = _applies(parameter, columns)
        if not scoped(parameter):
            out.append(1.0)
        elif parameter["unit"] == "per_participant_year" and years.sum() > 0:
            out.append(float(years[applies].sum() / years.sum()))
        else:
            out.append(float(housed[applies].sum() / housed.sum()) if housed.any() else 0.0)
    return out


def _per_participant(parameters: list[dict], columns: dict[str, np.ndarray], unit: str) -> np.ndarray:
    """Per participant the sum of the Housing First parameters of `unit` that apply to them."""
    out = np.zeros(len(columns["care_provider"]), float)
    for p in parameters:
        if p["model"] == "housing_first" and p["unit"] == unit:
            out += np.where(_applies(p, columns), float(p["amount_eur"]), 0.0)
    return out


def _group(key, members: np.ndarray, years, housed, yearly, one_off, has_yearly: bool, shelter, own: int,
           combined: tuple = ()) -> GroupCost:
    lived = float(years[members].sum())
    cost = None
    if has_yearly and lived > 0:
        cost = float((years[members] * yearly[members]).sum() + (housed[members] * one_off[members]).sum()) / lived
    return GroupCost(key, int(housed[members].sum()), lived, cost, shelter, own, combined)


@memoised
def costs_by(session: Session, as_of: date, by: str, hide: bool = False) -> GroupCosts:
    """The business case per group of `by` (one of COST_GROUPINGS) at D, as known at the session's
    K: every group with someone housed on or before D, in the order of eet.figures.groups. With
    `hide` (a viewer, a suppressed pack): disclosure rule 7 on the number housed. Raises
    ValueError for an unknown grouping."""
    if by not in COST_GROUPINGS:
        raise ValueError(f"'{by}' is not a cost grouping; choose one of {', '.join(COST_GROUPINGS)}")
    case = business_case(session, as_of)
    years, housed, columns = _columns(session, as_of)
    parameters = case.parameters
    yearly = _per_participant(parameters, columns, "per_participant_year")
    one_off = _per_participant(parameters, columns, "one_off_per_participant")
    has_yearly = case.hf_recurring is not None
    column = "care_provider_id" if by == "care_provider" else "building_type"
    codes, keys = _codes(columns[by])
    names = _named(session, by, keys)
    own = [sum(1 for p in parameters if p.get(column) is not None and p[column] == k) for k in keys]
    present = [i for i in range(len(keys)) if housed[codes == i].any()]
    groups = {names[i]: _group(names[i], codes == i, years, housed, yearly, one_off, has_yearly, case.shelter,
                               own[i]) for i in present}
    count = sum(1 for p in parameters if p.get(column) is not None)
    alone, pooled = disclosure.pool_groups({k: (g.housed,) for k, g in groups.items()}, hide=hide)
    if hide and groups and not alone:
        return GroupCosts(by, [], count, withheld=True)
    shown = [groups[k] for k in alone]
    if pooled:
        members = np.isin(codes, [i for i in present if names[i] in pooled])
        shown.append(_group(OTHER, members, years, housed, yearly, one_off, has_yearly, case.shelter,
                            sum(groups[k].own_parameters for k in pooled), tuple(pooled)))
    return GroupCosts(by, shown, count)


def costs_for(session: Session, actor: Actor, as_of: date, by: str) -> GroupCosts:
    """costs_by as this actor may see it: every group for researchers and the admin, disclosure
    rule 7 for everyone else (eet.figures.groups.outcomes_for)."""
    return costs_by(session, as_of, by, hide=not sees_exact_groups(actor))


def report_costs(session: Session, as_of: date) -> dict:
    """The report's `business_case.per_group`: {grouping: {group name ("" = not recorded): {housed,
    participant_years, housing_first, shelter, difference}}}, every group (the report is exact)."""
    out = {}
    for by in COST_GROUPINGS:
        out[by] = {("" if g.key is None else str(g.key)): {
            "housed": g.housed, "participant_years": round(g.participant_years, 4),
            "housing_first": g.housing_first, "shelter": g.shelter, "difference": g.difference}
            for g in costs_by(session, as_of, by).groups}
    return out
