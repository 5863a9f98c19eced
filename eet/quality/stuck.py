"""Records that look stuck (issue 16, after Built for Zero's reliable by-name list and Green River's
data-quality reports): each rule a list the coordinator can act on, at a date D (today unless
chosen), for one organisation's rows or all.

- match_without_move_in: the latest match is more than N days (default 60) before D and no move-in
  or withdrawal followed it;
- eligible_without_match: the latest assessment says eligible, more than N days (180) before D, and
  no match, move-in or withdrawal followed it;
- referral_without_assessment: referred more than N days (60) before D, never assessed, housed or
  withdrawn;
- available_unmatched: a dwelling available at D since more than N days (30), without a match on it
  since;
- delivery_overdue: a dwelling still searching or location_found at D whose expected delivery date
  lies before D.

The thresholds are the admin's (eet.quality.settings). Only rows that count at D: events dated on or
before D and not voided, a dwelling's status as the figures read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from eet.accounts.access import Actor, row_scope
from eet.figures.query import (
    CHANGE, CHANGES, DWELLING, DWELLINGS, EVENT, PARTICIPANT, PARTICIPANTS, DwellingFilter, ParticipantFilter,
    known_at_of, live,
)
from eet.quality.settings import thresholds

PARTICIPANT_RULES = ("match_without_move_in", "eligible_without_match", "referral_without_assessment")
DWELLING_RULES = ("available_unmatched", "delivery_overdue")
RULES = PARTICIPANT_RULES + DWELLING_RULES
SETTING_OF = {"match_without_move_in": "quality.match_to_move_in_days",
              "eligible_without_match": "quality.eligible_to_match_days",
              "referral_without_assessment": "quality.referral_to_assessment_days",
              "available_unmatched": "quality.available_unmatched_days"}


@dataclass(frozen=True)
class Stuck:
    """One record that looks stuck: its code or ref, since when (the date the rule counts from)
    and for how many days at D."""

    rule: str
    key: str  # participant code or dwelling ref
    since: date
    days: int


def stuck_records(session: Session, actor: Actor, as_of: date, organisation_id: int | None = None,
                  known_at: datetime | None = None) -> dict[str, list[Stuck]]:
    """Per rule (RULES, in order) the records that look stuck at D, longest first. A coordinator
    sees their own organisation's rows only (whatever `organisation_id` says); the admin and
    researchers all rows, or one organisation's with `organisation_id`. Raises AccessDenied for a
    viewer (these are row-level lists). `known_at`: the steps and statuses as known at K (a recorded
    meeting's), so its data quality reads as it was; the thresholds are today's settings."""
    own = row_scope(actor)
    org = own if own is not None else organisation_id
    limits = thresholds(session)
    out = {rule: [] for rule in RULES}
    known = known_at if known_at is not None else known_at_of(session)
    for found in (_participants(session, as_of, org, limits, known), _dwellings(session, as_of, org, limits, known)):
        for item in found:
            out[item.rule].append(item)
    for rule in out:
        out[rule].sort(key=lambda s: (-s.days, s.key))
    return out


def _participants(session: Session, as_of: date, org: int | None, limits: dict[str, int],
                  known: datetime | None = None) -> list[Stuck]:
    def last(*conditions):
        return func.max(case((and_(*conditions), EVENT.occurred_on)))

    route = (select(EVENT.participant_id.label("pid"),
                    last(EVENT.kind == "assessed").label("assessed_on"),
                    last(EVENT.kind == "assessed", EVENT.outcome == "eligible").label("eligible_on"),
                    last(EVENT.kind == "assessed", func.coalesce(EVENT.outcome, "") != "eligible").label("ineligible_on"),
                    last(EVENT.kind == "matched").label("matched_on"),
                    last(EVENT.kind == "housed").label("housed_on"),
                    last(EVENT.kind == "withdrawn").label("withdrawn_on"))
             .where(live(EVENT, known), EVENT.occurred_on <= as_of)
             .group_by(EVENT.participant_id).subquery("route"))
    r = route.c
    rows = session.execute(
        select(PARTICIPANT.code, PARTICIPANT.referred_on, r.assessed_on, r.eligible_on, r.ineligible_on,
               r.matched_on, r.housed_on, r.withdrawn_on)
        .select_from(PARTICIPANTS.outerjoin(route, r.pid == PARTICIPANT.id))
        .where(PARTICIPANT.referred_on <= as_of, *ParticipantFilter(org).clauses(),
               *([PARTICIPANT.created_at <= known] if known is not None else []))).all()
    out = []

    def after(moment, since) -> bool:  # something dated on or after `since`
        return moment is not None and moment >= since

    for code, referred, assessed, eligible, ineligible, matched, housed, withdrawn in rows:
        if matched is not None and not after(housed, matched) and not after(withdrawn, matched):
            _add(out, "match_without_move_in", code, matched, as_of, limits)
        eligible_now = eligible is not None and (ineligible is None or eligible >= ineligible)
        if (eligible_now and not after(matched, eligible) and not after(housed, eligible)
                and not after(withdrawn, eligible)):
            _add(out, "eligible_without_match", code, eligible, as_of, limits)
        if assessed is None and housed is None and withdrawn is None:
            _add(out, "referral_without_assessment", code, referred, as_of, limits)
    return out


def _dwellings(session: Session, as_of: date, org: int | None, limits: dict[str, int],
               known: datetime | None = None) -> list[Stuck]:
    current = (select(CHANGE.id).where(CHANGE.dwelling_id == DWELLING.id, live(CHANGE, known),
                                       CHANGE.effective_on <= as_of)
               .order_by(CHANGE.effective_on.desc(), CHANGE.id.desc()).limit(1).correlate(DWELLINGS).scalar_subquery())
    last_match = (select(func.max(EVENT.occurred_on)).where(
        EVENT.dwelling_id == DWELLING.id, EVENT.kind == "matched", live(EVENT, known),
        EVENT.occurred_on <= as_of).correlate(DWELLINGS).scalar_subquery())
    rows = session.execute(
        select(DWELLING.ref, CHANGE.status, CHANGE.effective_on, DWELLING.expected_date, last_match)
        .select_from(DWELLINGS.join(CHANGES, CHANGE.id == current))
        .where(*DwellingFilter(organisation_id=org).clauses())).all()
    out = []
    for ref, status, since, expected, matched in rows:
        if status == "available" and (matched is None or matched < since):
            _add(out, "available_unmatched", ref, since, as_of, limits)
        if status in ("searching", "location_found") and expected is not None and expected < as_of:
            out.append(Stuck("delivery_overdue", ref, expected, (as_of - expected).days))
    return out


def _add(out: list, rule: str, key: str, since: date, as_of: date, limits: dict[str, int]) -> None:
    days = (as_of - since).days
    if days > limits[SETTING_OF[rule]]:
        out.append(Stuck(rule, key, since, days))


def summary(stuck: dict[str, list[Stuck]]) -> dict[str, int]:
    """How many records each rule lists (for the review page's summary)."""
    return {rule: len(items) for rule, items in stuck.items()}
