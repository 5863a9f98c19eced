"""The touches of the route's writes (dwellings, participants, steps): which organisations a row
belongs to before and after, which ones it reaches, and from which date its figures change.

- A dwelling's details: its organisations before and after; from its first status date (it counts
  from then at every date, so a change of its municipality changes every month since).
- A status change: the dwelling's organisations; from its date.
- A participant's details: their organisations before and after; from the earlier of the old and
  the new referral date.
- A step: the participant's organisations, and those of the dwelling it names or leaves (a move-in
  changes the dwelling owner's figures too); from its date (a void: from the voided step's date).
- A measurement: written by the care provider, reaching all the participant's organisations; from
  its date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eet.write.plan import Touch, earliest, organisations

DWELLING_ORGS = ("municipality_id", "corporation_id", "care_provider_id")
PARTICIPANT_ORGS = ("referrer_id", "care_provider_id", "municipality_id")


def orgs(row: Any, names: tuple[str, ...]) -> tuple[int, ...]:
    """The organisation ids of a row (an ORM row, a cache record or a dict of columns)."""
    if row is None:
        return ()
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name, None))
    return organisations(*(get(name) for name in names))


def _field_of(column: str) -> str:
    return column.removesuffix("_id")


def first_status_day(state, dwelling) -> date | None:
    changes = state.changes(dwelling.id) if dwelling is not None and dwelling.id is not None else []
    return changes[0].effective_on if changes else None


def dwelling_touches(state, plan) -> list[Touch]:
    """A DwellingPlan's rows: the dwelling (new, or its changed details) and its status change."""
    if plan.dwelling is None:
        after = orgs(plan.attributes, DWELLING_ORGS)
        return [Touch("dwelling", plan.ref, "rows", (), after, frozenset(after), plan.status_date, "status_date")]
    before = orgs(plan.dwelling, DWELLING_ORGS)
    merged = {name: getattr(plan.dwelling, name) for name in DWELLING_ORGS} | {
        k: v for k, v in plan.attributes.items() if k in DWELLING_ORGS}
    after = orgs(merged, DWELLING_ORGS)
    touches = []
    if plan.attributes:
        field = _field_of(next(iter(plan.attributes)))
        touches.append(Touch("dwelling", plan.ref, "rows", before, after, frozenset(before + after),
                             earliest(first_status_day(state, plan.dwelling), plan.status_date), field))
    if plan.status is not None or not plan.attributes:
        touches.append(Touch("dwelling_status_change", plan.ref, "rows", after, after, frozenset(after),
                             plan.status_date, "status_date" if plan.status_date else "status"))
    return touches


def participant_touches(plan) -> list[Touch]:
    """A ParticipantPlan's row: the participant, new or with changed details."""
    if plan.participant is None:
        after = orgs(plan.attributes, PARTICIPANT_ORGS)
        return [Touch("participant", plan.code, "rows", (), after, frozenset(after),
                      plan.attributes.get("referred_on"), "referred_on")]
    before = orgs(plan.participant, PARTICIPANT_ORGS)
    merged = {name: getattr(plan.participant, name) for name in PARTICIPANT_ORGS} | {
        k: v for k, v in plan.attributes.items() if k in PARTICIPANT_ORGS}
    after = orgs(merged, PARTICIPANT_ORGS)
    field = "referred_on" if "referred_on" in plan.attributes else _field_of(next(iter(plan.attributes)))
    return [Touch("participant", plan.code, "rows", before, after, frozenset(before + after),
                  earliest(plan.participant.referred_on, plan.attributes.get("referred_on")), field)]


def step_touches(plan) -> list[Touch]:
    """An EventPlan's rows: the step, and the status change of the dwelling it moves into or leaves."""
    people = orgs(plan.participant, PARTICIPANT_ORGS)
    homes = [d for d in (plan.dwelling, plan.home) if d is not None]
    reach = frozenset(people).union(*(orgs(d, DWELLING_ORGS) for d in homes))
    touches = [Touch("participant_event", plan.participant.code, "rows", people, people, reach, plan.data.date, "date")]
    for dwelling in homes:
        owners = orgs(dwelling, DWELLING_ORGS)
        touches.append(Touch("dwelling_status_change", dwelling.ref, "rows", owners, owners, reach,
                             plan.data.date, "dwelling_ref" if dwelling is plan.dwelling else "date"))
    return touches


def void_touches(participant, event, dwellings: list) -> list[Touch]:
    """A void of a step: the step and the status changes it made, from the step's date."""
    people = orgs(participant, PARTICIPANT_ORGS)
    reach = frozenset(people).union(*(orgs(d, DWELLING_ORGS) for d in dwellings))
    name = f"{participant.code} #{event.id}"
    touches = [Touch("participant_event", name, "rows", people, people, reach, event.occurred_on, "event")]
    for dwelling in dwellings:
        owners = orgs(dwelling, DWELLING_ORGS)
        touches.append(Touch("dwelling_status_change", dwelling.ref, "rows", owners, owners, reach,
                             event.occurred_on, "event"))
    return touches


def measurement_touch(participant, on: date) -> Touch:
    provider = organisations(participant.care_provider_id)
    return Touch("measurement", participant.code, "measurement", provider, provider,
                 frozenset(orgs(participant, PARTICIPANT_ORGS)), on, "date")
