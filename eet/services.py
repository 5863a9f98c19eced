"""Every write goes through here, whichever door it comes from (form, import, command line, demo):
validate, check the caller's role and organisation, write, audit. The caller's session is one
transaction: on any error the caller rolls back and nothing is half-written.

Each function returns "created", "changed" or "unchanged", so an import can say what it did and a
file imported twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlmodel import Session, select

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
    for field, kinds in fields.items():
        name = values.get(field)
        if isinstance(name, str) and name.strip():
            try:
                find_organisation(session, name, field, *kinds)
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


# Each lookup reads the transaction's write cache when an import holds one (eet.writecache).

def dwelling_by_ref(session: Session, ref: str) -> Dwelling | None:
    if (cache := cache_of(session)) is not None:
        return cache.dwellings.get(ref)
    return session.exec(select(Dwelling).where(Dwelling.ref == ref)).first()


def participant_by_code(session: Session, code: str) -> Participant | None:
    if (cache := cache_of(session)) is not None:
        return cache.participants.get(code)
    return session.exec(select(Participant).where(Participant.code == code)).first()


def status_changes(session: Session, dwelling_id: int) -> list[DwellingStatusChange]:
    """A dwelling's non-voided changes in the order they take effect."""
    if (cache := cache_of(session)) is not None:
        return list(cache.changes.get(dwelling_id, ()))
    return list(session.exec(
        select(DwellingStatusChange)
        .where(DwellingStatusChange.dwelling_id == dwelling_id, DwellingStatusChange.voided_at.is_(None))
        .order_by(DwellingStatusChange.effective_on, DwellingStatusChange.id)))


def status_at(changes: list[DwellingStatusChange], on: date) -> DwellingStatusChange | None:
    current = None
    for change in changes:
        if change.effective_on <= on:
            current = change
    return current


def participant_events(session: Session, participant_id: int) -> list[ParticipantEvent]:
    """A participant's non-voided events in the order they happened."""
    if (cache := cache_of(session)) is not None:
        return list(cache.events.get(participant_id, ()))
    return list(session.exec(
        select(ParticipantEvent)
        .where(ParticipantEvent.participant_id == participant_id, ParticipantEvent.voided_at.is_(None))
        .order_by(ParticipantEvent.occurred_on, ParticipantEvent.id)))


# --- dwellings -----------------------------------------------------------------------------------

def upsert_dwelling(session: Session, actor: Actor, data: DwellingIn, source: str = "form") -> Outcome:
    """Create a dwelling with its first status, or update a known one (spec: dwellings import).

    A known dwelling whose recorded status at `status_date` already equals `status` gets no new
    change, so last month's list can be uploaded again; otherwise a change is recorded at
    `status_date`, which must not lie before the dwelling's latest recorded change.
    """
    municipality, corporation, care_provider = (
        find_organisation(session, getattr(data, field), field, *kinds)
        for field, kinds in DWELLING_ORGANISATIONS.items())
    attributes = {
        "municipality_id": municipality.id,
        "corporation_id": corporation.id if corporation else None,
        "care_provider_id": care_provider.id if care_provider else None,
        "site": data.site, "building_type": data.building_type, "route": data.route,
        "expected_date": data.expected_date,
    }
    dwelling = dwelling_by_ref(session, data.ref)
    if dwelling is None:
        require_org(actor, *_dwelling_orgs(attributes))
        dwelling = Dwelling(ref=data.ref, is_demo=session.info.get("demo", False), **attributes)
        session.add(dwelling)
        session.flush()
        if (cache := cache_of(session)) is not None:
            cache.add_dwelling(dwelling)
        _add_status(session, actor, dwelling, data.status, data.status_date, source=source, audit_it=False)
        audit.record(session, actor, "create", "dwelling", dwelling.id, None,
                     {**audit.snapshot(dwelling), "status": data.status,
                      "status_date": data.status_date.isoformat()}, source)
        return "created"

    require_org(actor, *_dwelling_orgs(audit.snapshot(dwelling)))
    require_org(actor, *_dwelling_orgs(attributes))
    before = audit.snapshot(dwelling)
    # An empty optional cell leaves what is recorded: a short list must not wipe details.
    changed_fields = {k: v for k, v in attributes.items()
                      if v is not None and getattr(dwelling, k) != v}
    changes = status_changes(session, dwelling.id)
    current = status_at(changes, data.status_date)
    status_changed = current is None or current.status != data.status
    if status_changed:
        latest = changes[-1] if changes else None
        if latest is not None and data.status_date < latest.effective_on:
            raise refused("status_date", "status_before_latest", date=data.status_date,
                          status=Term("status", latest.status), latest=latest.effective_on)
        _check_status_fits_occupant(session, dwelling, data.status, data.status_date, "status")
    if not changed_fields and not status_changed:
        return "unchanged"
    for key, value in changed_fields.items():
        setattr(dwelling, key, value)
    if changed_fields:
        dwelling.version += 1
    session.add(dwelling)
    if status_changed:
        _add_status(session, actor, dwelling, data.status, data.status_date, source=source, audit_it=True)
    if changed_fields:
        audit.record(session, actor, "update", "dwelling", dwelling.id, before, audit.snapshot(dwelling), source)
    return "changed"


def change_dwelling_status(session: Session, actor: Actor, data: StatusChangeIn,
                           expected_version: int | None = None, source: str = "form") -> Outcome:
    dwelling = dwelling_by_ref(session, data.ref)
    if dwelling is None:
        raise refused("ref", "no_dwelling", ref=data.ref)
    require_org(actor, *_dwelling_orgs(audit.snapshot(dwelling)))
    check_version(dwelling, expected_version)
    changes = status_changes(session, dwelling.id)
    current = status_at(changes, data.effective_on)
    if current is not None and current.status == data.status:
        return "unchanged"
    latest = changes[-1] if changes else None
    if latest is not None and data.effective_on < latest.effective_on:
        raise refused("effective_on", "effective_before_latest", status=Term("status", latest.status),
                      latest=latest.effective_on)
    _check_status_fits_occupant(session, dwelling, data.status, data.effective_on, "status")
    dwelling.version += 1
    session.add(dwelling)
    _add_status(session, actor, dwelling, data.status, data.effective_on, source=source, audit_it=True)
    return "changed"


def _check_status_fits_occupant(session: Session, dwelling: Dwelling, status: str, on: date, field: str) -> None:
    """While a participant lives in a dwelling it is occupied: it becomes available through their
    exit (events), not through a status change that would leave two truths."""
    if status == "occupied":
        return
    occupant = _occupant(session, dwelling, on)
    if occupant is not None:
        other = session.get(Participant, occupant)
        raise refused(field, "status_while_occupied", ref=dwelling.ref, code=other.code, date=on)


def check_version(row, expected_version: int | None) -> None:
    """Optimistic lock: refuse a save based on a version someone else has changed since."""
    if expected_version is not None and row.version != expected_version:
        raise refused("version", "version_conflict", expected=expected_version, current=row.version)


def _dwelling_orgs(values: dict) -> tuple:
    return (values.get("municipality_id"), values.get("corporation_id"), values.get("care_provider_id"))


def _add_status(session: Session, actor: Actor, dwelling: Dwelling, status: str, effective_on: date,
                source: str, audit_it: bool, event_id: int | None = None) -> DwellingStatusChange:
    change = DwellingStatusChange(dwelling_id=dwelling.id, status=status, effective_on=effective_on,
                                  event_id=event_id, recorded_by=actor.username)
    session.add(change)
    session.flush()
    if (cache := cache_of(session)) is not None:
        cache.add_change(change)
    if audit_it:
        audit.record(session, actor, "create", "dwelling_status_change", change.id, None,
                     {"dwelling": dwelling.ref, **audit.snapshot(change)}, source)
    return change


# --- participants --------------------------------------------------------------------------------

def register_participant(session: Session, actor: Actor, data: ParticipantIn,
                         source: str = "form", expected_version: int | None = None) -> Outcome:
    referrer, care_provider, municipality = (
        find_organisation(session, getattr(data, field), field, *kinds)
        for field, kinds in PARTICIPANT_ORGANISATIONS.items())
    attributes = {
        "referrer_id": referrer.id,
        "care_provider_id": care_provider.id if care_provider else None,
        "municipality_id": municipality.id if municipality else None,
        "central_waiting_list": data.central_waiting_list,
        "referred_on": data.referred_on,
        "age_band": data.age_band,
    }
    participant = participant_by_code(session, data.code)
    if participant is None:
        require_org(actor, *_participant_orgs(attributes))
        participant = Participant(code=data.code, is_demo=session.info.get("demo", False), **attributes)
        session.add(participant)
        session.flush()
        if (cache := cache_of(session)) is not None:
            cache.add_participant(participant)
        audit.record(session, actor, "create", "participant", participant.id, None,
                     audit.snapshot(participant), source)
        return "created"

    require_org(actor, *_participant_orgs(audit.snapshot(participant)))
    require_org(actor, *_participant_orgs(attributes))
    check_version(participant, expected_version)
    changed = {k: v for k, v in attributes.items()
               if (v is not None or k == "referrer_id") and getattr(participant, k) != v}
    if not changed:
        return "unchanged"
    if "referred_on" in changed:
        events = participant_events(session, participant.id)
        if events and events[0].occurred_on < data.referred_on:
            raise refused("referred_on", "referral_after_step", code=participant.code,
                          event=Term("event", events[0].kind), date=events[0].occurred_on)
    before = audit.snapshot(participant)
    for key, value in changed.items():
        setattr(participant, key, value)
    participant.version += 1
    session.add(participant)
    audit.record(session, actor, "update", "participant", participant.id, before,
                 audit.snapshot(participant), source)
    return "changed"


def _participant_orgs(values: dict) -> tuple:
    return (values.get("referrer_id"), values.get("care_provider_id"), values.get("municipality_id"))


def record_event(session: Session, actor: Actor, data: EventIn, source: str = "form") -> Outcome:
    """Record a step of a participant's route, after checking it against the route so far."""
    participant = participant_by_code(session, data.code)
    if participant is None:
        raise refused("code", "no_participant_register", code=data.code)
    require_org(actor, *_participant_orgs(audit.snapshot(participant)))
    dwelling = None
    if data.dwelling_ref:
        dwelling = dwelling_by_ref(session, data.dwelling_ref)
        if dwelling is None:
            raise refused("dwelling_ref", "no_dwelling", ref=data.dwelling_ref)
    events = participant_events(session, participant.id)
    for existing in events:
        if (existing.kind, existing.occurred_on, existing.outcome, existing.dwelling_id) == (
                data.event, data.date, data.outcome, dwelling.id if dwelling else None):
            return "unchanged"
    _check_route(session, participant, events, data, dwelling)

    event = ParticipantEvent(participant_id=participant.id, kind=data.event, occurred_on=data.date,
                             outcome=data.outcome, dwelling_id=dwelling.id if dwelling else None,
                             note=data.note, recorded_by=actor.username)
    session.add(event)
    session.flush()
    if (cache := cache_of(session)) is not None:
        cache.add_event(event)
    audit.record(session, actor, "create", "participant_event", event.id, None,
                 {"code": participant.code, "dwelling": data.dwelling_ref, **audit.snapshot(event)}, source)
    # A move-in makes the dwelling occupied and an exit available, from that date; a later status
    # change still wins, because the as-of status is the latest change on or before a date.
    if data.event == "housed":
        _add_status(session, actor, dwelling, "occupied", data.date, source, audit_it=False, event_id=event.id)
    elif data.event == "exited":
        home = _current_home(events, data.date)
        if home is not None:
            home_dwelling = session.get(Dwelling, home)
            _add_status(session, actor, home_dwelling, "available", data.date, source, audit_it=False,
                        event_id=event.id)
    return "created"


def _current_home(events: list[ParticipantEvent], on: date) -> int | None:
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


def _check_route(session: Session, participant: Participant, events: list[ParticipantEvent],
                 data: EventIn, dwelling: Dwelling | None) -> None:
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
        _check_dwelling_usable(session, dwelling, on, "date")
    elif kind == "housed":
        matches = [e for e in before if e.kind == "matched"]
        if not matches:
            raise refused("event", "move_in_needs_match", date=on)
        if matches[-1].dwelling_id != dwelling.id:
            matched_to = session.get(Dwelling, matches[-1].dwelling_id)
            raise refused("dwelling_ref", "matched_elsewhere", code=participant.code, matched=matched_to.ref,
                          ref=dwelling.ref)
        home = _current_home(events, on)
        if home is not None:
            raise refused("event", "still_lives_in", code=participant.code, ref=session.get(Dwelling, home).ref,
                          date=on)
        _check_dwelling_usable(session, dwelling, on, "date")
        occupant = _occupant(session, dwelling, on)
        if occupant is not None and occupant != participant.id:
            other = session.get(Participant, occupant)
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
        _check_no_later_move_in(session, participant, dwelling, on)
    _check_later_steps_still_fit(session, participant, events, data, dwelling)


def _check_later_steps_still_fit(session: Session, participant: Participant, events: list[ParticipantEvent],
                                 data: EventIn, dwelling: Dwelling | None) -> None:
    """A step entered late (dated before steps already recorded) must leave those steps valid: a
    withdrawal or a 'not eligible' assessment cannot slip in before a recorded match."""
    later = [e for e in events if e.occurred_on > data.date]
    if not later:
        return
    inserted = ParticipantEvent(participant_id=participant.id, kind=data.event, occurred_on=data.date,
                                outcome=data.outcome, dwelling_id=dwelling.id if dwelling else None)
    route = [e for e in events if e.occurred_on <= data.date] + [inserted]
    for step in later:
        step_dwelling = session.get(Dwelling, step.dwelling_id) if step.dwelling_id else None
        step_data = EventIn.model_construct(code=participant.code, event=step.kind, date=step.occurred_on,
                                            outcome=step.outcome,
                                            dwelling_ref=step_dwelling.ref if step_dwelling else None)
        try:
            _check_route(session, participant, list(route), step_data, step_dwelling)
        except RuleError as exc:
            raise refused("date", "later_step_breaks", code=participant.code, event=Term("event", step.kind),
                          date=step.occurred_on, reason=exc.errors[0]) from None
        route.append(step)


def _check_no_later_move_in(session: Session, participant: Participant, dwelling: Dwelling, on: date) -> None:
    """A move-in without a later exit lasts; nobody else may have moved in there after it."""
    if (cache := cache_of(session)) is not None:
        others = [e for pid in cache.housed_in.get(dwelling.id, ()) if pid != participant.id
                  for e in cache.events.get(pid, ()) if e.kind == "housed" and e.dwelling_id == dwelling.id
                  and e.occurred_on > on]
    else:
        others = list(session.exec(select(ParticipantEvent).where(
            ParticipantEvent.dwelling_id == dwelling.id, ParticipantEvent.kind == "housed",
            ParticipantEvent.voided_at.is_(None), ParticipantEvent.occurred_on > on,
            ParticipantEvent.participant_id != participant.id)))
    if others:
        first = min(others, key=lambda e: e.occurred_on)
        other = session.get(Participant, first.participant_id)
        raise refused("dwelling_ref", "later_move_in", code=other.code, ref=dwelling.ref, date=first.occurred_on,
                      on=on)


def _check_dwelling_usable(session: Session, dwelling: Dwelling, on: date, field: str) -> None:
    current = status_at(status_changes(session, dwelling.id), on)
    if current is None:
        raise refused(field, "dwelling_not_yet", ref=dwelling.ref, date=on)
    if current.status in ("searching", "withdrawn"):
        raise refused("dwelling_ref", "dwelling_without_location", ref=dwelling.ref,
                      status=Term("status", current.status), date=on)


def _occupant(session: Session, dwelling: Dwelling, on: date) -> int | None:
    """Who lives in the dwelling on that date: of those who ever moved in there, the one whose
    route on that date ends in this dwelling."""
    if (cache := cache_of(session)) is not None:
        candidates = sorted(cache.housed_in.get(dwelling.id, ()))
    else:
        candidates = session.exec(
            select(ParticipantEvent.participant_id).distinct().where(
                ParticipantEvent.dwelling_id == dwelling.id, ParticipantEvent.kind == "housed",
                ParticipantEvent.voided_at.is_(None), ParticipantEvent.occurred_on <= on)).all()
    for participant_id in candidates:
        if _current_home(participant_events(session, participant_id), on) == dwelling.id:
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
    require_org(actor, *_participant_orgs(audit.snapshot(participant)))
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
]
