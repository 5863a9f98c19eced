"""A participant's route (referral, assessment, match, move-in, exit, withdrawal): deciding a step
against the steps already recorded, applying it, and voiding a wrong one. Called through
`eet.entry.services`, which every door uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlmodel import Session, select

from eet.store import audit
from eet.accounts.access import Actor, require_org
from eet.store.models import (
    DwellingStatusChange, Participant, ParticipantEvent, utcnow,
)
from eet.texts.messages import Term
from eet.entry.schemas import EventIn, RuleError, refused
from eet.entry.writecache import cache_of
from eet.write import Plan, gate, reach
from eet.entry.state import (  # noqa: F401  (part of what services offers its callers)
    EventPlan, _add_status, _current_home, orgs_of, PARTICIPANT_ORGANISATIONS, state_of, status_at, _occupant,
    DWELLING_ORGANISATIONS, shown_code,
)

Outcome = Literal["created", "changed", "unchanged"]

# The steps of one day in one batch (an import) follow the participant's path: referral, assessment,
# match, move-in, exit. So a move-in and an exit on one day are accepted in one file as they are in
# two. One exception keeps moves possible: the exit of someone who already lived somewhere when the
# day began comes before the day's move-ins (a move between two dwellings on one day, or a dwelling
# handed from one participant to the next).
PATH_ORDER = {"assessed": 0, "matched": 1, "housed": 3, "exited": 4, "withdrawn": 5}
LEAVING_FIRST = 2


def same_day_rank(session: Session, data: EventIn) -> int:
    """Where this step stands among the steps of its day in a batch, as `PATH_ORDER` (a smaller
    number first); an exit of someone housed at the start of the day ranks before the move-ins.
    Decided against the session's state (the import's write cache), so against the days before."""
    if data.event == "exited":
        state = state_of(session)
        participant = state.participant(data.code)
        if participant is not None and _current_home(state.events(participant.id),
                                                     data.date - timedelta(days=1)) is not None:
            return LEAVING_FIRST
    return PATH_ORDER[data.event]

# --- events --------------------------------------------------------------------------------------

def decide_event(session: Session, actor: Actor, data: EventIn) -> EventPlan:
    state = state_of(session)
    if data.event in ("housed", "exited") and cache_of(session) is None:
        # "One participant at a time" must hold when two move-ins into one dwelling are saved at the
        # same moment: take the writers' lock (the data version's row, which every write takes
        # anyway) before reading who lives there, so the second waits and then sees the first.
        audit.bump_data_version(session)
    participant = state.participant(data.code)
    if participant is None:
        raise refused("code", "no_participant_register", code=data.code)
    require_org(actor, *orgs_of(participant, PARTICIPANT_ORGANISATIONS))
    dwelling = None
    if data.dwelling_ref:
        dwelling = state.dwelling(data.dwelling_ref)
        if dwelling is None:
            raise refused("dwelling_ref", "no_dwelling", ref=data.dwelling_ref)
        # The dwelling of a step is written too (its status): it must be the actor's as well, checked
        # before anything about it (who lives there) can come into a message (issue 18).
        require_org(actor, *orgs_of(dwelling, DWELLING_ORGANISATIONS))
    events = state.events(participant.id)
    for existing in events:
        if (existing.kind, existing.occurred_on, existing.outcome, existing.dwelling_id) == (
                data.event, data.date, data.outcome, dwelling.id if dwelling else None):
            return EventPlan("unchanged", data, participant, dwelling)
    _check_route(state, participant, events, data, dwelling, actor)
    home = None
    if data.event == "exited":
        home_id = _current_home(events, data.date)
        home = state.dwelling_by_id(home_id) if home_id is not None else None
        if home is not None:  # the exit makes it available: that dwelling is written too
            require_org(actor, *orgs_of(home, DWELLING_ORGANISATIONS))
    return EventPlan("created", data, participant, dwelling, home)


def recorded_note_differs(session: Session, data: EventIn) -> str | None:
    """For a step that is recorded already (an `unchanged` outcome): the recorded note when the
    input brings another one ('' for none), else None. The note of a repeated step is not taken
    over; a door says so instead of dropping it in silence."""
    if data.note is None:
        return None
    state = state_of(session)
    participant = state.participant(data.code)
    dwelling = state.dwelling(data.dwelling_ref) if data.dwelling_ref else None
    if participant is None:
        return None
    for existing in state.events(participant.id):
        if (existing.kind, existing.occurred_on, existing.outcome, existing.dwelling_id) == (
                data.event, data.date, data.outcome, dwelling.id if dwelling else None):
            return None if (existing.note or "") == data.note else (existing.note or "")
    return None


def _apply_event(writer, actor: Actor, plan: EventPlan, source: str) -> None:
    data, participant, dwelling = plan.data, plan.participant, plan.dwelling
    event = writer.insert(ParticipantEvent, participant_id=participant.id, kind=data.event, occurred_on=data.date,
                          outcome=data.outcome, dwelling_id=dwelling.id if dwelling else None,
                          note=data.note, recorded_by=actor.username, corrects_id=plan.corrects)
    writer.audit(actor, "create" if plan.corrects is None else "correct", "participant_event", event, None,
                 {"code": participant.code, "dwelling": data.dwelling_ref, **writer.snapshot(event)}, source)
    # A move-in makes the dwelling occupied and an exit available, from that date; a later status
    # change still wins, because the as-of status is the latest change on or before a date.
    if data.event == "housed":
        _add_status(writer, actor, dwelling, "occupied", data.date, source, audit_it=False, event=event)
    elif data.event == "exited" and plan.home is not None:
        _add_status(writer, actor, plan.home, "available", data.date, source, audit_it=False, event=event)


@dataclass
class _Step:
    """A step not recorded yet, as the route checks read it."""

    participant_id: int
    kind: str
    occurred_on: date
    outcome: str | None
    dwelling_id: int | None
    id: int | None = None


def _check_route(state, participant, events: list, data: EventIn, dwelling, actor: Actor | None = None) -> None:
    on = data.date
    if on < participant.referred_on:
        raise refused("date", "before_referral", date=on, code=participant.code, referred=participant.referred_on)
    before = [e for e in events if e.occurred_on <= on]
    withdrawal = next((e for e in events if e.kind == "withdrawn"), None)
    if withdrawal is not None and data.event != "withdrawn" and withdrawal.occurred_on <= on:
        raise refused("event", "after_withdrawal", code=participant.code, date=withdrawal.occurred_on)
    kind = data.event
    if kind == "matched":
        assessments = [e for e in before if e.kind == "assessed"]
        if not assessments or assessments[-1].outcome != "eligible":
            raise refused("event", "match_needs_eligible" if assessments else "match_needs_assessment",
                          date=on, code=participant.code)
        _check_dwelling_usable(state, dwelling, on, "date")
    elif kind == "housed":
        matches = [e for e in before if e.kind == "matched"]
        if not matches:
            raise refused("event", "move_in_needs_match", date=on)
        if matches[-1].dwelling_id != dwelling.id:
            matched_to = state.dwelling_by_id(matches[-1].dwelling_id)
            raise refused("dwelling_ref", "matched_elsewhere", code=participant.code, matched=matched_to.ref,
                          ref=dwelling.ref)
        home = _current_home(events, on)
        if home is not None:
            raise refused("event", "still_lives_in", code=participant.code, ref=state.dwelling_by_id(home).ref,
                          date=on)
        _check_dwelling_usable(state, dwelling, on, "date")
        occupant = _occupant(state, dwelling, on)
        if occupant is not None and occupant != participant.id:
            code = shown_code(state, actor, occupant)
            if code is None:
                raise refused("dwelling_ref", "dwelling_taken_other", ref=dwelling.ref, date=on)
            raise refused("dwelling_ref", "dwelling_taken", ref=dwelling.ref, code=code, date=on)
    elif kind == "exited":
        if not any(e.kind == "housed" for e in before):
            raise refused("event", "exit_needs_move_in", date=on, code=participant.code)
        if _current_home(events, on) is None:
            raise refused("event", "already_left", code=participant.code, date=on)
    elif kind == "withdrawn":
        housed = next((e for e in events if e.kind == "housed"), None)
        if housed is not None:
            raise refused("event", "withdrawal_after_move_in", code=participant.code, date=housed.occurred_on)
        if withdrawal is not None:
            raise refused("event", "already_withdrew", code=participant.code, date=withdrawal.occurred_on)
    later = [e for e in events if e.occurred_on > on and e.kind in ("housed", "exited")]
    if kind in ("housed", "exited") and later:
        raise refused("date", "later_step", code=participant.code, event=Term("event", later[0].kind),
                      date=later[0].occurred_on)
    if kind == "housed":
        _check_no_later_move_in(state, participant, dwelling, on, actor)
    _check_later_steps_still_fit(state, participant, events, data, dwelling, actor)


def _check_later_steps_still_fit(state, participant, events: list, data: EventIn, dwelling,
                                 actor: Actor | None = None) -> None:
    """A step entered late (dated before steps already recorded) must leave those steps valid: a
    withdrawal or a 'not eligible' assessment cannot slip in before a recorded match."""
    later = [e for e in events if e.occurred_on > data.date]
    if not later:
        return
    inserted = _Step(participant_id=participant.id, kind=data.event, occurred_on=data.date,
                     outcome=data.outcome, dwelling_id=dwelling.id if dwelling else None)
    route = [e for e in events if e.occurred_on <= data.date] + [inserted]
    for step in later:
        step_dwelling = state.dwelling_by_id(step.dwelling_id) if step.dwelling_id else None
        step_data = EventIn.model_construct(code=participant.code, event=step.kind, date=step.occurred_on,
                                            outcome=step.outcome,
                                            dwelling_ref=step_dwelling.ref if step_dwelling else None)
        try:
            _check_route(state, participant, list(route), step_data, step_dwelling, actor)
        except RuleError as exc:
            raise refused("date", "later_step_breaks", code=participant.code, event=Term("event", step.kind),
                          date=step.occurred_on, reason=exc.errors[0]) from None
        route.append(step)


def _check_no_later_move_in(state, participant, dwelling, on: date, actor: Actor | None = None) -> None:
    """A move-in without a later exit lasts; nobody else may have moved in there after it."""
    others = state.later_move_ins(dwelling.id, participant.id, on)
    if others:
        first = min(others, key=lambda e: e.occurred_on)
        code = shown_code(state, actor, first.participant_id)
        if code is None:
            raise refused("dwelling_ref", "later_move_in_other", ref=dwelling.ref, date=first.occurred_on, on=on)
        raise refused("dwelling_ref", "later_move_in", code=code, ref=dwelling.ref, date=first.occurred_on, on=on)


def _check_dwelling_usable(state, dwelling, on: date, field_name: str) -> None:
    current = status_at(state.changes(dwelling.id), on)
    if current is None:
        raise refused(field_name, "dwelling_not_yet", ref=dwelling.ref, date=on)
    if current.status in ("searching", "withdrawn"):
        raise refused("dwelling_ref", "dwelling_without_location", ref=dwelling.ref,
                      status=Term("status", current.status), date=on)


def void_event(session: Session, actor: Actor, event_id: int, reason: str, source: str = "form") -> None:
    """Void a wrong step: it stays in the database with who voided it and why, and counts nowhere;
    the status changes it made (a move-in's, an exit's) are voided with it. Through the gate: the
    participant's and those dwellings' organisations, from the step's date."""
    if not reason or not reason.strip():
        raise refused("reason", "void_reason")
    event = session.get(ParticipantEvent, event_id)
    if event is None or event.voided_at is not None:
        raise refused("event", "no_active_step", id=event_id)
    participant = session.get(Participant, event.participant_id)
    changes = list(session.exec(select(DwellingStatusChange).where(DwellingStatusChange.event_id == event_id,
                                                                   DwellingStatusChange.voided_at.is_(None))))
    state = state_of(session)
    dwelling_ids = dict.fromkeys([*([event.dwelling_id] if event.dwelling_id is not None else []),
                                  *(c.dwelling_id for c in changes)])
    dwellings = [state.dwelling_by_id(d) for d in dwelling_ids]

    def apply(writer) -> None:
        before = audit.snapshot(event)
        now = utcnow()
        event.voided_at, event.voided_by, event.void_reason = now, actor.username, reason.strip()
        session.add(event)
        for change in changes:
            change.voided_at, change.voided_by, change.void_reason = now, actor.username, reason.strip()
            session.add(change)
        if (cache := cache_of(session)) is not None:  # a voided row counts nowhere, here neither
            cache.forget_event(event)
        audit.record(session, actor, "void", "participant_event", event.id, before, audit.snapshot(event), source)

    gate.submit(session, actor, Plan(reach.void_touches(participant, event, dwellings), apply))
