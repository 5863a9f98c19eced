"""Every write goes through here, whichever door it comes from (form, import, command line, demo):
validate, check the caller's role and organisation, write, audit. The caller's session is one
transaction: on any error the caller rolls back and nothing is half-written.

Each write is two steps. *Deciding* (`decide_dwelling`, `decide_status_change`,
`decide_participant`, `decide_event`) holds every rule: it checks the input against the current
state and returns a plan of what to write, or raises RuleError / AccessDenied; it writes nothing.
*Applying* (`apply`) writes the plan and its audit records. A form's state is the database and its
writer the ORM; an import's state and writer is its write cache (`eet.writecache`): every row is
decided against the file's rows so far, staged, and written in bulk when the whole file is right.
Both go through the same calls below, so a form and an import refuse and write the same things.

Each write function returns "created", "changed" or "unchanged", so an import can say what it did
and a file imported twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlmodel import Session, SQLModel, select

from . import audit
from .access import Actor, AccessDenied, require_org, require_role
from .models import (
    Dwelling, DwellingStatusChange, Organisation, Participant, ParticipantEvent, utcnow,
)
from .messages import Term, either
from .schemas import DwellingIn, EventIn, FieldError, ParticipantIn, RuleError, StatusChangeIn, refused
from .writecache import cache_of

Outcome = Literal["created", "changed", "unchanged"]

# --- lookups -------------------------------------------------------------------------------------

def find_organisation(session: Session, name: str | None, field: str, *kinds: str) -> Organisation | None:
    """The organisation of that name (case-insensitive) and one of these kinds, or a RuleError."""
    if name is None:
        return None
    org = _organisations(session).get(name.strip().lower())
    if org is None or org.kind not in kinds:
        wanted = either("org_kind", kinds)
        names = sorted(o.name for o in _organisations(session).values() if o.kind in kinds)
        if org is None:
            raise refused(field, "org_unknown", name=name, wanted=wanted, names=names)
        raise refused(field, "org_wrong_kind", name=org.name, kind=Term("org_kind", org.kind), wanted=wanted,
                      names=names)
    return org


# Which kind of organisation each organisation field of an input model names.
ANY_ORGANISATION = ("municipality", "care_provider", "housing_corporation", "referral")
DWELLING_ORGANISATIONS = {"municipality": ("municipality",), "corporation": ("housing_corporation",),
                          "care_provider": ("care_provider",)}
PARTICIPANT_ORGANISATIONS = {"referrer": ANY_ORGANISATION, "care_provider": ("care_provider",),
                             "municipality": ("municipality",)}


def organisation_errors(session: Session, values: dict, fields: dict[str, tuple[str, ...]]) -> list[FieldError]:
    """The organisation names among `values` that are unknown or of the wrong kind: lets a door
    report them too for input that failed on other fields."""
    errors: list[FieldError] = []
    for field_name, kinds in fields.items():
        name = values.get(field_name)
        if isinstance(name, str) and name.strip():
            try:
                find_organisation(session, name, field_name, *kinds)
            except RuleError as exc:
                errors += exc.errors
    return errors


def _organisations(session: Session) -> dict[str, Organisation]:
    # Organisations change rarely; one read per transaction serves a whole import.
    cache = session.info.get("organisations")
    if cache is None:
        cache = {o.name.lower(): o for o in session.exec(select(Organisation))}
        session.info["organisations"] = cache
    return cache


class SessionState:
    """The state a form decides against: the database, asked per question. (An import decides
    against its write cache, which answers the same questions from memory.)"""

    def __init__(self, session: Session) -> None:
        self.session = session

    def dwelling(self, ref: str) -> Dwelling | None:
        return self.session.exec(select(Dwelling).where(Dwelling.ref == ref)).first()

    def participant(self, code: str) -> Participant | None:
        return self.session.exec(select(Participant).where(Participant.code == code)).first()

    def dwelling_by_id(self, dwelling_id: int) -> Dwelling | None:
        return self.session.get(Dwelling, dwelling_id)

    def participant_by_id(self, participant_id: int) -> Participant | None:
        return self.session.get(Participant, participant_id)

    def changes(self, dwelling_id: int) -> list[DwellingStatusChange]:
        return list(self.session.exec(
            select(DwellingStatusChange)
            .where(DwellingStatusChange.dwelling_id == dwelling_id, DwellingStatusChange.voided_at.is_(None))
            .order_by(DwellingStatusChange.effective_on, DwellingStatusChange.id)))

    def events(self, participant_id: int) -> list[ParticipantEvent]:
        return list(self.session.exec(
            select(ParticipantEvent)
            .where(ParticipantEvent.participant_id == participant_id, ParticipantEvent.voided_at.is_(None))
            .order_by(ParticipantEvent.occurred_on, ParticipantEvent.id)))

    def housed_candidates(self, dwelling_id: int, on: date) -> list[int]:
        """Who moved into the dwelling on or before `on` (the caller checks who still lives there)."""
        return list(self.session.exec(
            select(ParticipantEvent.participant_id).distinct().where(
                ParticipantEvent.dwelling_id == dwelling_id, ParticipantEvent.kind == "housed",
                ParticipantEvent.voided_at.is_(None), ParticipantEvent.occurred_on <= on)).all())

    def later_move_ins(self, dwelling_id: int, participant_id: int, on: date) -> list[ParticipantEvent]:
        return list(self.session.exec(select(ParticipantEvent).where(
            ParticipantEvent.dwelling_id == dwelling_id, ParticipantEvent.kind == "housed",
            ParticipantEvent.voided_at.is_(None), ParticipantEvent.occurred_on > on,
            ParticipantEvent.participant_id != participant_id)))


def state_of(session: Session):
    """The import's write cache when the session holds one (eet.writecache), else the database."""
    cache = cache_of(session)
    return cache if cache is not None else SessionState(session)


def dwelling_by_ref(session: Session, ref: str):
    return state_of(session).dwelling(ref)


def participant_by_code(session: Session, code: str):
    return state_of(session).participant(code)


def status_changes(session: Session, dwelling_id: int) -> list:
    """A dwelling's non-voided changes in the order they take effect."""
    return state_of(session).changes(dwelling_id)


def participant_events(session: Session, participant_id: int) -> list:
    """A participant's non-voided events in the order they happened."""
    return state_of(session).events(participant_id)


def status_at(changes: list, on: date):
    current = None
    for change in changes:
        if change.effective_on <= on:
            current = change
    return current


# --- plans: what deciding returns and applying writes --------------------------------------------

@dataclass
class DwellingPlan:
    """A new dwelling (`dwelling` None, `attributes` all of them) with its first status, or a known
    one with the attributes that change and/or a status change to record."""

    outcome: Outcome
    ref: str
    dwelling: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    status_date: date | None = None
    bump_version: bool = False


@dataclass
class ParticipantPlan:
    outcome: Outcome
    code: str
    participant: Any = None  # None: a new participant
    attributes: dict[str, Any] = field(default_factory=dict)  # new: all; known: those that change


@dataclass
class EventPlan:
    outcome: Outcome
    data: EventIn
    participant: Any = None
    dwelling: Any = None  # the event's dwelling (matched, housed)
    home: Any = None  # the dwelling an exit leaves


Plan = DwellingPlan | ParticipantPlan | EventPlan


class OrmWriter:
    """A form's writer: ORM rows added and flushed one by one, audit records through eet.audit."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.demo = session.info.get("demo", False)

    def insert(self, model: type[SQLModel], **values: Any) -> SQLModel:
        row = model(**values)
        self.session.add(row)
        self.session.flush()
        return row

    def update(self, row: SQLModel, changed: dict[str, Any], bump_version: bool) -> None:
        for key, value in changed.items():
            setattr(row, key, value)
        if bump_version:
            row.version += 1
        self.session.add(row)

    def audit(self, actor: Actor, action: str, entity: str, row: SQLModel, before: dict | None,
              after: dict | None, source: str | None) -> None:
        audit.record(self.session, actor, action, entity, row.id, before, after, source)

    @staticmethod
    def snapshot(row: SQLModel) -> dict[str, Any]:
        return audit.snapshot(row)


def writer_of(session: Session):
    """The import's write cache (staging for one bulk write) or the ORM."""
    cache = cache_of(session)
    return cache if cache is not None else OrmWriter(session)


def apply(session: Session, actor: Actor, plan: Plan, source: str = "form") -> Outcome:
    """Write what a decision planned, with its audit records."""
    if plan.outcome != "unchanged":
        writer = writer_of(session)
        if isinstance(plan, DwellingPlan):
            _apply_dwelling(writer, actor, plan, source)
        elif isinstance(plan, ParticipantPlan):
            _apply_participant(writer, actor, plan, source)
        else:
            _apply_event(writer, actor, plan, source)
    return plan.outcome


# --- dwellings -----------------------------------------------------------------------------------

def upsert_dwelling(session: Session, actor: Actor, data: DwellingIn, source: str = "form") -> Outcome:
    """Create a dwelling with its first status, or update a known one (spec: dwellings import)."""
    return apply(session, actor, decide_dwelling(session, actor, data), source)


def decide_dwelling(session: Session, actor: Actor, data: DwellingIn) -> DwellingPlan:
    """A known dwelling whose recorded status at `status_date` already equals `status` gets no new
    change, so last month's list can be uploaded again; otherwise a change is recorded at
    `status_date`, which must not lie before the dwelling's latest recorded change."""
    state = state_of(session)
    municipality, corporation, care_provider = (
        find_organisation(session, getattr(data, name), name, *kinds)
        for name, kinds in DWELLING_ORGANISATIONS.items())
    attributes = {
        "municipality_id": municipality.id,
        "corporation_id": corporation.id if corporation else None,
        "care_provider_id": care_provider.id if care_provider else None,
        "site": data.site, "building_type": data.building_type, "route": data.route,
        "expected_date": data.expected_date,
    }
    dwelling = state.dwelling(data.ref)
    if dwelling is None:
        require_org(actor, *_dwelling_orgs(attributes))
        return DwellingPlan("created", data.ref, None, attributes, data.status, data.status_date)

    require_org(actor, *_orgs_of_dwelling(dwelling))
    require_org(actor, *_dwelling_orgs(attributes))
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
        _check_status_fits_occupant(state, dwelling, data.status, data.status_date, "status")
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
    require_org(actor, *_orgs_of_dwelling(dwelling))
    check_version(dwelling, expected_version)
    changes = state.changes(dwelling.id)
    current = status_at(changes, data.effective_on)
    if current is not None and current.status == data.status:
        return DwellingPlan("unchanged", data.ref, dwelling)
    latest = changes[-1] if changes else None
    if latest is not None and data.effective_on < latest.effective_on:
        raise refused("effective_on", "effective_before_latest", status=Term("status", latest.status),
                      latest=latest.effective_on)
    _check_status_fits_occupant(state, dwelling, data.status, data.effective_on, "status")
    return DwellingPlan("changed", data.ref, dwelling, {}, data.status, data.effective_on, bump_version=True)


def _apply_dwelling(writer, actor: Actor, plan: DwellingPlan, source: str) -> None:
    if plan.dwelling is None:
        dwelling = writer.insert(Dwelling, ref=plan.ref, is_demo=writer.demo, **plan.attributes)
        _add_status(writer, actor, dwelling, plan.status, plan.status_date, source, audit_it=False)
        writer.audit(actor, "create", "dwelling", dwelling, None,
                     {**writer.snapshot(dwelling), "status": plan.status,
                      "status_date": plan.status_date.isoformat()}, source)
        return
    dwelling = plan.dwelling
    before = writer.snapshot(dwelling)
    writer.update(dwelling, plan.attributes, plan.bump_version)
    if plan.status is not None:
        _add_status(writer, actor, dwelling, plan.status, plan.status_date, source, audit_it=True)
    if plan.attributes:
        writer.audit(actor, "update", "dwelling", dwelling, before, writer.snapshot(dwelling), source)


def _check_status_fits_occupant(state, dwelling, status: str, on: date, field_name: str) -> None:
    """While a participant lives in a dwelling it is occupied: it becomes available through their
    exit (events), not through a status change that would leave two truths."""
    if status == "occupied":
        return
    occupant = _occupant(state, dwelling, on)
    if occupant is not None:
        other = state.participant_by_id(occupant)
        raise refused(field_name, "status_while_occupied", ref=dwelling.ref, code=other.code, date=on)


def check_version(row, expected_version: int | None) -> None:
    """Optimistic lock: refuse a save based on a version someone else has changed since."""
    if expected_version is not None and row.version != expected_version:
        raise refused("version", "version_conflict", expected=expected_version, current=row.version)


def _dwelling_orgs(values: dict) -> tuple:
    return (values.get("municipality_id"), values.get("corporation_id"), values.get("care_provider_id"))


def _orgs_of_dwelling(dwelling) -> tuple:
    return (dwelling.municipality_id, dwelling.corporation_id, dwelling.care_provider_id)


def _add_status(writer, actor: Actor, dwelling, status: str, effective_on: date, source: str,
                audit_it: bool, event=None):
    change = writer.insert(DwellingStatusChange, dwelling_id=dwelling.id, status=status, effective_on=effective_on,
                           event_id=event.id if event is not None else None, recorded_by=actor.username)
    if audit_it:
        writer.audit(actor, "create", "dwelling_status_change", change, None,
                     {"dwelling": dwelling.ref, **writer.snapshot(change)}, source)
    return change


# --- participants --------------------------------------------------------------------------------

def register_participant(session: Session, actor: Actor, data: ParticipantIn,
                         source: str = "form", expected_version: int | None = None) -> Outcome:
    return apply(session, actor, decide_participant(session, actor, data, expected_version), source)


def decide_participant(session: Session, actor: Actor, data: ParticipantIn,
                       expected_version: int | None = None) -> ParticipantPlan:
    state = state_of(session)
    referrer, care_provider, municipality = (
        find_organisation(session, getattr(data, name), name, *kinds)
        for name, kinds in PARTICIPANT_ORGANISATIONS.items())
    attributes = {
        "referrer_id": referrer.id,
        "care_provider_id": care_provider.id if care_provider else None,
        "municipality_id": municipality.id if municipality else None,
        "central_waiting_list": data.central_waiting_list,
        "referred_on": data.referred_on,
        "age_band": data.age_band,
    }
    participant = state.participant(data.code)
    if participant is None:
        require_org(actor, *_participant_orgs(attributes))
        return ParticipantPlan("created", data.code, None, attributes)

    require_org(actor, *_orgs_of_participant(participant))
    require_org(actor, *_participant_orgs(attributes))
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
        writer.audit(actor, "create", "participant", participant, None, writer.snapshot(participant), source)
        return
    participant = plan.participant
    before = writer.snapshot(participant)
    writer.update(participant, plan.attributes, bump_version=True)
    writer.audit(actor, "update", "participant", participant, before, writer.snapshot(participant), source)


def _participant_orgs(values: dict) -> tuple:
    return (values.get("referrer_id"), values.get("care_provider_id"), values.get("municipality_id"))


def _orgs_of_participant(participant) -> tuple:
    return (participant.referrer_id, participant.care_provider_id, participant.municipality_id)


# --- events --------------------------------------------------------------------------------------

def record_event(session: Session, actor: Actor, data: EventIn, source: str = "form") -> Outcome:
    """Record a step of a participant's route, after checking it against the route so far."""
    return apply(session, actor, decide_event(session, actor, data), source)


def decide_event(session: Session, actor: Actor, data: EventIn) -> EventPlan:
    state = state_of(session)
    participant = state.participant(data.code)
    if participant is None:
        raise refused("code", "no_participant_register", code=data.code)
    require_org(actor, *_orgs_of_participant(participant))
    dwelling = None
    if data.dwelling_ref:
        dwelling = state.dwelling(data.dwelling_ref)
        if dwelling is None:
            raise refused("dwelling_ref", "no_dwelling", ref=data.dwelling_ref)
    events = state.events(participant.id)
    for existing in events:
        if (existing.kind, existing.occurred_on, existing.outcome, existing.dwelling_id) == (
                data.event, data.date, data.outcome, dwelling.id if dwelling else None):
            return EventPlan("unchanged", data, participant, dwelling)
    _check_route(state, participant, events, data, dwelling)
    home = None
    if data.event == "exited":
        home_id = _current_home(events, data.date)
        home = state.dwelling_by_id(home_id) if home_id is not None else None
    return EventPlan("created", data, participant, dwelling, home)


def _apply_event(writer, actor: Actor, plan: EventPlan, source: str) -> None:
    data, participant, dwelling = plan.data, plan.participant, plan.dwelling
    event = writer.insert(ParticipantEvent, participant_id=participant.id, kind=data.event, occurred_on=data.date,
                          outcome=data.outcome, dwelling_id=dwelling.id if dwelling else None,
                          note=data.note, recorded_by=actor.username)
    writer.audit(actor, "create", "participant_event", event, None,
                 {"code": participant.code, "dwelling": data.dwelling_ref, **writer.snapshot(event)}, source)
    # A move-in makes the dwelling occupied and an exit available, from that date; a later status
    # change still wins, because the as-of status is the latest change on or before a date.
    if data.event == "housed":
        _add_status(writer, actor, dwelling, "occupied", data.date, source, audit_it=False, event=event)
    elif data.event == "exited" and plan.home is not None:
        _add_status(writer, actor, plan.home, "available", data.date, source, audit_it=False, event=event)


def _current_home(events: list, on: date) -> int | None:
    """The dwelling a participant lives in on a date: the last move-in with no exit after it."""
    home = None
    for event in events:
        if event.occurred_on > on:
            break
        if event.kind == "housed":
            home = event.dwelling_id
        elif event.kind == "exited":
            home = None
    return home


@dataclass
class _Step:
    """A step not recorded yet, as the route checks read it."""

    participant_id: int
    kind: str
    occurred_on: date
    outcome: str | None
    dwelling_id: int | None
    id: int | None = None


def _check_route(state, participant, events: list, data: EventIn, dwelling) -> None:
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
            other = state.participant_by_id(occupant)
            raise refused("dwelling_ref", "dwelling_taken", ref=dwelling.ref, code=other.code, date=on)
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
        _check_no_later_move_in(state, participant, dwelling, on)
    _check_later_steps_still_fit(state, participant, events, data, dwelling)


def _check_later_steps_still_fit(state, participant, events: list, data: EventIn, dwelling) -> None:
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
            _check_route(state, participant, list(route), step_data, step_dwelling)
        except RuleError as exc:
            raise refused("date", "later_step_breaks", code=participant.code, event=Term("event", step.kind),
                          date=step.occurred_on, reason=exc.errors[0]) from None
        route.append(step)


def _check_no_later_move_in(state, participant, dwelling, on: date) -> None:
    """A move-in without a later exit lasts; nobody else may have moved in there after it."""
    others = state.later_move_ins(dwelling.id, participant.id, on)
    if others:
        first = min(others, key=lambda e: e.occurred_on)
        other = state.participant_by_id(first.participant_id)
        raise refused("dwelling_ref", "later_move_in", code=other.code, ref=dwelling.ref, date=first.occurred_on,
                      on=on)


def _check_dwelling_usable(state, dwelling, on: date, field_name: str) -> None:
    current = status_at(state.changes(dwelling.id), on)
    if current is None:
        raise refused(field_name, "dwelling_not_yet", ref=dwelling.ref, date=on)
    if current.status in ("searching", "withdrawn"):
        raise refused("dwelling_ref", "dwelling_without_location", ref=dwelling.ref,
                      status=Term("status", current.status), date=on)


def _occupant(state, dwelling, on: date) -> int | None:
    """Who lives in the dwelling on that date: of those who ever moved in there, the one whose
    route on that date ends in this dwelling."""
    for participant_id in state.housed_candidates(dwelling.id, on):
        if _current_home(state.events(participant_id), on) == dwelling.id:
            return participant_id
    return None


def void_event(session: Session, actor: Actor, event_id: int, reason: str, source: str = "form") -> None:
    """Void a wrong step: it stays in the database with who voided it and why, and counts nowhere."""
    if not reason or not reason.strip():
        raise refused("reason", "void_reason")
    event = session.get(ParticipantEvent, event_id)
    if event is None or event.voided_at is not None:
        raise refused("event", "no_active_step", id=event_id)
    participant = session.get(Participant, event.participant_id)
    require_org(actor, *_orgs_of_participant(participant))
    before = audit.snapshot(event)
    now = utcnow()
    event.voided_at, event.voided_by, event.void_reason = now, actor.username, reason.strip()
    session.add(event)
    for change in session.exec(select(DwellingStatusChange).where(DwellingStatusChange.event_id == event_id)):
        change.voided_at, change.voided_by, change.void_reason = now, actor.username, reason.strip()
        session.add(change)
    if (cache := cache_of(session)) is not None:  # a voided row counts nowhere, here neither
        cache.forget_event(event)
    audit.record(session, actor, "void", "participant_event", event.id, before, audit.snapshot(event), source)


__all__ = [
    "AccessDenied", "Outcome", "RuleError", "FieldError", "upsert_dwelling", "change_dwelling_status",
    "register_participant", "record_event", "void_event", "find_organisation", "require_role",
    "decide_dwelling", "decide_status_change", "decide_participant", "decide_event", "apply",
    "DwellingPlan", "ParticipantPlan", "EventPlan", "SessionState",
]
