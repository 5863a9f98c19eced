"""What a write is decided against and how it is written: the lookups, the state (the database for
a form, the import's write cache for an import), the plans that deciding returns, and the ORM writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from eet.store import audit
from eet.accounts.access import AccessDenied, Actor, require_org
from eet.store.models import (
    Dwelling, DwellingStatusChange, Organisation, Participant, ParticipantEvent, utcnow,
)
from eet.texts.messages import Term, either
from eet.entry.schemas import EventIn, FieldError, RuleError, refused
from eet.entry.writecache import cache_of, set_values

Outcome = Literal["created", "changed", "unchanged"]

# --- lookups -------------------------------------------------------------------------------------

def find_organisation(session: Session, name: str | None, field: str, *kinds: str) -> Organisation | None:
    """The organisation of that name (case-insensitive) and one of these kinds, or a RuleError."""
    if name is None:
        return None
    org = _organisations(session).get(" ".join(name.split()).lower())  # odd spaces folded
    if org is None or org.kind not in kinds:
        wanted = either("org_kind", kinds)
        names = sorted(o.name for o in _organisations(session).values() if o.kind in kinds)
        if org is None:
            if not names:  # never a message ending in an empty list
                raise refused(field, "org_unknown_none", name=name, wanted=wanted)
            raise refused(field, "org_unknown", name=name, wanted=wanted, names=names)
        if not names:
            raise refused(field, "org_wrong_kind_none", name=org.name, kind=Term("org_kind", org.kind), wanted=wanted)
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
        cache = {" ".join(o.name.split()).lower(): o for o in session.exec(select(Organisation))}
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
    """The import's write cache when the session holds one (eet.entry.writecache), else the database."""
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
    corrects: int | None = None  # the voided step this one corrects (eet.entry.data_entry.correct_step)


Plan = DwellingPlan | ParticipantPlan | EventPlan


class OrmWriter:
    """A form's writer: ORM rows added and flushed one by one, audit records through eet.store.audit."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.demo = session.info.get("demo", False)

    def insert(self, model: type[SQLModel], **values: Any) -> SQLModel:
        row = model(**values)
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError as exc:
            # The same new key saved twice at once: both decided "created", the database keeps the
            # first; the second hears what it would have heard a moment later (issue 18).
            if model is Dwelling and _is_unique_violation(exc, "ref"):
                raise refused("ref", "ref_exists", ref=values.get("ref")) from None
            if model is Participant and _is_unique_violation(exc, "code"):
                raise refused("code", "code_registered", code=values.get("code")) from None
            raise
        return row

    def update(self, row: SQLModel, changed: dict[str, Any], bump_version: bool) -> None:
        set_values(row, changed, bump_version)
        self.session.add(row)

    def supersede(self, model: type[SQLModel], id_column: str, entity_id: int, values: dict[str, Any],
                  by: str, reason: str) -> None:
        """A new version of an entity's details (eet.write.versions), voiding the live one at the
        same moment, so that exactly one is live at any K."""
        now = utcnow()
        self.session.execute(update(model).where(getattr(model, id_column) == entity_id, model.voided_at.is_(None))
                             .values(voided_at=now, voided_by=by, void_reason=reason)
                             .execution_options(synchronize_session=False))
        self.session.add(model(**{id_column: entity_id}, **values, recorded_at=now, recorded_by=by))
        self.session.flush()

    def audit(self, actor: Actor, action: str, entity: str, row: SQLModel, before: dict | None,
              after: dict | None, source: str | None) -> None:
        audit.record(self.session, actor, action, entity, row.id, before, after, source)

    @staticmethod
    def snapshot(row: SQLModel) -> dict[str, Any]:
        return audit.snapshot(row)


def _is_unique_violation(exc: IntegrityError, column: str) -> bool:
    """A unique key violated on that column: PostgreSQL's SQLSTATE 23505, SQLite's 'UNIQUE
    constraint failed: table.column'."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "23505" or getattr(orig, "pgcode", None) == "23505":
        return column in str(orig)
    return "UNIQUE constraint failed" in str(orig) and f".{column}" in str(orig)


def writer_of(session: Session):
    """The import's write cache (staging for one bulk write) or the ORM."""
    cache = cache_of(session)
    return cache if cache is not None else OrmWriter(session)


# --- shared by the services and the route -----------------------------------------------------

def _add_status(writer, actor: Actor, dwelling, status: str, effective_on: date, source: str,
                audit_it: bool, event=None):
    change = writer.insert(DwellingStatusChange, dwelling_id=dwelling.id, status=status, effective_on=effective_on,
                           event_id=event.id if event is not None else None, recorded_by=actor.username)
    if audit_it:
        writer.audit(actor, "create", "dwelling_status_change", change, None,
                     {"dwelling": dwelling.ref, **writer.snapshot(change)}, source)
    return change


def organisation_ids(session: Session, data, fields: dict[str, tuple[str, ...]]) -> dict[str, int | None]:
    """The organisations an input model names in `fields` (DWELLING_ORGANISATIONS ...), each checked
    against its kinds (a RuleError otherwise), as the row's columns: {"<field>_id": id or None}."""
    ids = {}
    for name, kinds in fields.items():
        organisation = find_organisation(session, getattr(data, name), name, *kinds)
        ids[f"{name}_id"] = organisation.id if organisation else None
    return ids


def orgs_of(row, fields: dict[str, tuple[str, ...]]) -> tuple:
    """The organisation ids of a row, or of the columns `organisation_ids` gives, in the order of
    `fields`: what `require_org` checks."""
    get = row.get if isinstance(row, dict) else lambda column: getattr(row, column)
    return tuple(get(f"{name}_id") for name in fields)


def may_touch(actor: Actor | None, *organisation_ids: int | None) -> bool:
    """Whether `require_org` lets this actor write a row of these organisations (None: the
    programme itself, as in the route's own re-checks)."""
    if actor is None:
        return True
    try:
        require_org(actor, *organisation_ids)
    except AccessDenied:
        return False
    return True


def shown_code(state, actor: Actor | None, participant_id: int) -> str | None:
    """The code of another participant that a message may name: only one the actor may see.
    A refusal never names another organisation's rows (issue 18); it says 'someone else' instead."""
    other = state.participant_by_id(participant_id)
    return other.code if may_touch(actor, *orgs_of(other, PARTICIPANT_ORGANISATIONS)) else None


def _occupant(state, dwelling, on: date) -> int | None:
    """Who lives in the dwelling on that date: of those who ever moved in there, the one whose
    route on that date ends in this dwelling."""
    for participant_id in state.housed_candidates(dwelling.id, on):
        if _current_home(state.events(participant_id), on) == dwelling.id:
            return participant_id
    return None


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
