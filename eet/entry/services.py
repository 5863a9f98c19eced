"""Every write goes through here, whichever door it comes from (form, import, command line, demo):
validate, check the caller's role and organisation, write, audit. The caller's session is one
transaction: on any error the caller rolls back and nothing is half-written.

Each write is two steps. *Deciding* (`decide_dwelling`, `decide_status_change`,
`decide_participant`, `decide_event`) holds every rule: it checks the input against the current
state and returns a plan of what to write, or raises RuleError / AccessDenied; it writes nothing.
*Applying* (`apply`) writes the plan and its audit records. A form's state is the database and its
writer the ORM; an import's state and writer is its write cache (`eet.entry.writecache`): every row is
decided against the file's rows so far, staged, and written in bulk when the whole file is right.
Both go through the same calls below, so a form and an import refuse and write the same things.

Each write function returns "created", "changed" or "unchanged", so an import can say what it did
and a file imported twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlmodel import Session

from eet.accounts.access import Actor, AccessDenied, require_org, require_role
from eet.store.models import (
    Dwelling, Participant,
)
from eet.texts.messages import Term
from eet.entry.schemas import DwellingIn, EventIn, FieldError, ParticipantIn, RuleError, StatusChangeIn, refused
from eet.entry.state import (  # noqa: F401  (part of what services offers its callers)
    EventPlan, SessionState, dwelling_by_ref, organisation_errors, participant_by_code, participant_events,
    status_changes,
    DWELLING_ORGANISATIONS, DwellingPlan, PARTICIPANT_ORGANISATIONS, ParticipantPlan, Plan, find_organisation,
    organisation_ids, orgs_of, state_of, status_at, writer_of, _occupant, _add_status,
    may_touch, shown_code,
)
from eet.entry.route import _apply_event, decide_event, void_event  # noqa: F401
from eet.write import Plan as WritePlan, gate, reach
from eet.write.versions import record_version

Outcome = Literal["created", "changed", "unchanged"]

def apply(session: Session, actor: Actor, plan, source: str = "form") -> Outcome:
    """Write what a decision planned, through the gate (eet.write), with its audit records."""
    if plan.outcome != "unchanged":
        state = state_of(session)
        if isinstance(plan, DwellingPlan):
            touches, applier = reach.dwelling_touches(state, plan), _apply_dwelling
        elif isinstance(plan, ParticipantPlan):
            touches, applier = reach.participant_touches(plan), _apply_participant
        else:
            touches, applier = reach.step_touches(plan), _apply_event
        gate.submit(session, actor, WritePlan(touches, lambda writer: applier(writer, actor, plan, source)))
    return plan.outcome


# --- dwellings -----------------------------------------------------------------------------------

def upsert_dwelling(session: Session, actor: Actor, data: DwellingIn, source: str = "form",
                    expected_version: int | None = None) -> Outcome:
    """Create a dwelling with its first status, or update a known one (spec: dwellings import).
    With `expected_version` (an edit form) any save moves the dwelling's version on."""
    plan = decide_dwelling(session, actor, data)
    if expected_version is not None and plan.dwelling is not None:
        check_version(plan.dwelling, expected_version)
        plan.bump_version = True
    return apply(session, actor, plan, source)


def decide_dwelling(session: Session, actor: Actor, data: DwellingIn) -> DwellingPlan:
    """A known dwelling whose recorded status at `status_date` already equals `status` gets no new
    change, so last month's list can be uploaded again; otherwise a change is recorded at
    `status_date`, which must not lie before the dwelling's latest recorded change."""
    state = state_of(session)
    attributes = {**organisation_ids(session, data, DWELLING_ORGANISATIONS),
                  "site": data.site, "building_type": data.building_type, "route": data.route,
                  "expected_date": data.expected_date}
    dwelling = state.dwelling(data.ref)
    if dwelling is None:
        require_org(actor, *orgs_of(attributes, DWELLING_ORGANISATIONS))
        return DwellingPlan("created", data.ref, None, attributes, data.status, data.status_date)

    if not may_touch(actor, *orgs_of(dwelling, DWELLING_ORGANISATIONS)):
        # Another organisation's dwelling: refused without a word about it (issue 18).
        require_role(actor, "admin", "coordinator")
        raise refused("ref", "ref_in_use", ref=data.ref)
    require_org(actor, *orgs_of(attributes, DWELLING_ORGANISATIONS))
    # An empty optional cell leaves what is recorded: a short list must not wipe details.
    changed_fields = {k: v for k, v in attributes.items()
                      if v is not None and getattr(dwelling, k) != v}
    changes = state.changes(dwelling.id)
    current = status_at(changes, data.status_date)
    status_changed = current is None or current.status != data.status
    if status_changed:
        latest = changes[-1] if changes else None
        if latest is not None and data.status_date < latest.effective_on:
            raise refused("status_date", "status_before_latest", date=data.status_date,
                          status=Term("status", latest.status), latest=latest.effective_on)
        _check_status_fits_occupant(state, dwelling, data.status, data.status_date, "status", actor)
    if not changed_fields and not status_changed:
        return DwellingPlan("unchanged", data.ref, dwelling)
    return DwellingPlan("changed", data.ref, dwelling, changed_fields,
                        data.status if status_changed else None, data.status_date, bump_version=bool(changed_fields))


def change_dwelling_status(session: Session, actor: Actor, data: StatusChangeIn,
                           expected_version: int | None = None, source: str = "form") -> Outcome:
    return apply(session, actor, decide_status_change(session, actor, data, expected_version), source)


def decide_status_change(session: Session, actor: Actor, data: StatusChangeIn,
                         expected_version: int | None = None) -> DwellingPlan:
    state = state_of(session)
    dwelling = state.dwelling(data.ref)
    if dwelling is None:
        raise refused("ref", "no_dwelling", ref=data.ref)
    require_org(actor, *orgs_of(dwelling, DWELLING_ORGANISATIONS))
    check_version(dwelling, expected_version)
    changes = state.changes(dwelling.id)
    current = status_at(changes, data.effective_on)
    if current is not None and current.status == data.status:
        return DwellingPlan("unchanged", data.ref, dwelling)
    latest = changes[-1] if changes else None
    if latest is not None and data.effective_on < latest.effective_on:
        raise refused("effective_on", "effective_before_latest", status=Term("status", latest.status),
                      latest=latest.effective_on)
    _check_status_fits_occupant(state, dwelling, data.status, data.effective_on, "status", actor)
    return DwellingPlan("changed", data.ref, dwelling, {}, data.status, data.effective_on, bump_version=True)


def _apply_dwelling(writer, actor: Actor, plan: DwellingPlan, source: str) -> None:
    if plan.dwelling is None:
        dwelling = writer.insert(Dwelling, ref=plan.ref, is_demo=writer.demo, **plan.attributes)
        record_version(writer, actor, "dwelling", dwelling, "first version")
        _add_status(writer, actor, dwelling, plan.status, plan.status_date, source, audit_it=False)
        writer.audit(actor, "create", "dwelling", dwelling, None,
                     {**writer.snapshot(dwelling), "status": plan.status,
                      "status_date": plan.status_date.isoformat()}, source)
        return
    dwelling = plan.dwelling
    before = writer.snapshot(dwelling)
    writer.update(dwelling, plan.attributes, plan.bump_version)
    if plan.attributes:
        record_version(writer, actor, "dwelling", dwelling)
    if plan.status is not None:
        _add_status(writer, actor, dwelling, plan.status, plan.status_date, source, audit_it=True)
    if plan.attributes:
        writer.audit(actor, "update", "dwelling", dwelling, before, writer.snapshot(dwelling), source)


def _check_status_fits_occupant(state, dwelling, status: str, on: date, field_name: str,
                               actor: Actor | None = None) -> None:
    """While a participant lives in a dwelling it is occupied: it becomes available through their
    exit (events), not through a status change that would leave two truths. The occupant is named
    only to an actor who may see them."""
    if status == "occupied":
        return
    occupant = _occupant(state, dwelling, on)
    if occupant is not None:
        code = shown_code(state, actor, occupant)
        if code is None:
            raise refused(field_name, "status_while_occupied_other", ref=dwelling.ref, date=on)
        raise refused(field_name, "status_while_occupied", ref=dwelling.ref, code=code, date=on)


def check_version(row, expected_version: int | None) -> None:
    """Optimistic lock: refuse a save based on a version someone else has changed since."""
    if expected_version is not None and row.version != expected_version:
        raise refused("version", "version_conflict", expected=expected_version, current=row.version)


# --- participants --------------------------------------------------------------------------------

def register_participant(session: Session, actor: Actor, data: ParticipantIn,
                         source: str = "form", expected_version: int | None = None) -> Outcome:
    return apply(session, actor, decide_participant(session, actor, data, expected_version), source)


def decide_participant(session: Session, actor: Actor, data: ParticipantIn,
                       expected_version: int | None = None) -> ParticipantPlan:
    state = state_of(session)
    attributes = {**organisation_ids(session, data, PARTICIPANT_ORGANISATIONS),
                  "central_waiting_list": data.central_waiting_list, "referred_on": data.referred_on,
                  "age_band": data.age_band}
    participant = state.participant(data.code)
    if participant is None:
        require_org(actor, *orgs_of(attributes, PARTICIPANT_ORGANISATIONS))
        return ParticipantPlan("created", data.code, None, attributes)

    if not may_touch(actor, *orgs_of(participant, PARTICIPANT_ORGANISATIONS)):
        # Another organisation's participant: refused without a word about them (issue 18).
        require_role(actor, "admin", "coordinator")
        raise refused("code", "code_in_use", code=data.code)
    require_org(actor, *orgs_of(attributes, PARTICIPANT_ORGANISATIONS))
    check_version(participant, expected_version)
    changed = {k: v for k, v in attributes.items()
               if (v is not None or k == "referrer_id") and getattr(participant, k) != v}
    if not changed:
        return ParticipantPlan("unchanged", data.code, participant)
    if "referred_on" in changed:
        events = state.events(participant.id)
        if events and events[0].occurred_on < data.referred_on:
            raise refused("referred_on", "referral_after_step", code=participant.code,
                          event=Term("event", events[0].kind), date=events[0].occurred_on)
    return ParticipantPlan("changed", data.code, participant, changed)


def _apply_participant(writer, actor: Actor, plan: ParticipantPlan, source: str) -> None:
    if plan.participant is None:
        participant = writer.insert(Participant, code=plan.code, is_demo=writer.demo, **plan.attributes)
        record_version(writer, actor, "participant", participant, "first version")
        writer.audit(actor, "create", "participant", participant, None, writer.snapshot(participant), source)
        return
    participant = plan.participant
    before = writer.snapshot(participant)
    writer.update(participant, plan.attributes, bump_version=True)
    record_version(writer, actor, "participant", participant)
    writer.audit(actor, "update", "participant", participant, before, writer.snapshot(participant), source)


# --- events (the rules of a route live in eet.entry.route) -----------------------------------

def record_event(session: Session, actor: Actor, data: EventIn, source: str = "form",
                 corrects: int | None = None) -> Outcome:
    """Record a step of a participant's route, after checking it against the route so far;
    `corrects`: the id of the voided step it replaces."""
    plan = decide_event(session, actor, data)
    plan.corrects = corrects
    return apply(session, actor, plan, source)


__all__ = [
    "AccessDenied", "Outcome", "RuleError", "FieldError", "upsert_dwelling", "change_dwelling_status",
    "register_participant", "record_event", "void_event", "find_organisation", "require_role",
    "decide_dwelling", "decide_status_change", "decide_participant", "decide_event", "apply",
    "DwellingPlan", "ParticipantPlan", "EventPlan", "SessionState",
]
