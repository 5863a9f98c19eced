"""What the data-entry pages need beyond `eet.entry.services`: row-level reads for editing, limited in SQL
to what the actor may see, a batch of dwellings at one site in one transaction, edits that are
refused when someone else saved in between, and corrections of a wrong step.

Roles (eet.accounts.access): an admin reads and writes every row; a coordinator the rows of their own
organisation only; a researcher reads pseudonymised rows of all organisations (codes, no free
text) and writes none of them; a viewer reads no rows at all.

Every write still goes through `eet.entry.services`, so a form refuses exactly what an import refuses.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from eet.store import audit

from eet.entry import services
from eet.entry.state import DWELLING_ORGANISATIONS, PARTICIPANT_ORGANISATIONS, orgs_of
from eet.accounts.access import AccessDenied, Actor, require_role, row_scope
from eet.store.models import (
    Dwelling, Organisation, Participant, ParticipantEvent,
)
from eet.store.contents import is_demo
from eet.entry.schemas import DwellingIn, EventIn, FieldError, ParticipantIn, RuleError, StatusChangeIn, refused

BATCH_MAX = 200  # the whole programme aims at 200 dwellings
REF_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,30}$")
WRITERS = ("admin", "coordinator")


def prepare_write(session: Session) -> None:
    """Rows entered into a demo database are demo rows too, so that the demo stays one data set
    (and the demo accounts keep working, see eet.accounts.auth)."""
    session.info["demo"] = is_demo(session)


def require_writer(actor: Actor) -> None:
    require_role(actor, *WRITERS)


# --- reads ---------------------------------------------------------------------------------------

# The organisations of a row: a coordinator sees and edits the rows one of these is their own.
ORGANISATIONS = {Dwelling: ("municipality_id", "corporation_id", "care_provider_id"),
                 Participant: ("referrer_id", "care_provider_id", "municipality_id")}
# How a form names a row: its field, the lookup, and the refusal when there is no such row.
_NAMED_BY = {Dwelling: ("ref", services.dwelling_by_ref, lambda ref: refused("ref", "no_dwelling", ref=ref)),
             Participant: ("code", services.participant_by_code,
                           lambda code: refused("code", "no_participant", code=code))}


def _scope(actor: Actor, model) -> list:
    """The WHERE clause of the rows of `model` this actor may see: nothing for all rows, else the
    rows of which one organisation is the actor's own (AccessDenied for a viewer)."""
    own = row_scope(actor)
    return [] if own is None else [or_(*(getattr(model, column) == own for column in ORGANISATIONS[model]))]


def _own(session: Session, actor: Actor, model, name: str):
    """The dwelling (by ref) or participant (by code) `name`: refused on the field `ref` / `code`
    when there is none, AccessDenied when it is not of the actor's organisation."""
    _, find, missing = _NAMED_BY[model]
    row = find(session, name)
    if row is None:
        raise missing(name)
    services.require_org(actor, *(getattr(row, column) for column in ORGANISATIONS[model]))
    return row


def dwelling_refs(session: Session, actor: Actor) -> list[str]:
    """Refs of the dwellings this actor may edit, in order."""
    require_writer(actor)
    return list(session.execute(select(Dwelling.ref).where(*_scope(actor, Dwelling)).order_by(Dwelling.ref)).scalars())


def dwelling_for_edit(session: Session, actor: Actor, ref: str) -> dict[str, Any]:
    """One dwelling as an edit form shows it, with its version (the optimistic lock) and its
    current status. AccessDenied for a dwelling outside the actor's organisation."""
    require_writer(actor)
    muni, corp, care = (aliased(Organisation) for _ in range(3))
    row = session.execute(
        select(Dwelling, muni.name, corp.name, care.name)
        .join(muni, muni.id == Dwelling.municipality_id)
        .outerjoin(corp, corp.id == Dwelling.corporation_id)
        .outerjoin(care, care.id == Dwelling.care_provider_id)
        .where(Dwelling.ref == ref)).first()
    if row is None:
        raise refused("ref", "no_dwelling", ref=ref)
    dwelling, municipality, corporation, care_provider = row
    services.require_org(actor, dwelling.municipality_id, dwelling.corporation_id, dwelling.care_provider_id)
    changes = services.status_changes(session, dwelling.id)
    latest = changes[-1] if changes else None
    return {
        "ref": dwelling.ref, "municipality": municipality, "corporation": corporation,
        "care_provider": care_provider, "site": dwelling.site, "building_type": dwelling.building_type,
        "route": dwelling.route, "expected_date": dwelling.expected_date, "version": dwelling.version,
        "status": latest.status if latest else None, "status_date": latest.effective_on if latest else None,
    }


def participant_codes(session: Session, actor: Actor) -> list[str]:
    require_writer(actor)
    return list(session.execute(
        select(Participant.code).where(*_scope(actor, Participant)).order_by(Participant.code)).scalars())


def participant_for_edit(session: Session, actor: Actor, code: str) -> dict[str, Any]:
    """One participant as an edit form shows it, with its version (the optimistic lock)."""
    require_writer(actor)
    participant = _own(session, actor, Participant, code)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    return {
        "code": participant.code, "referrer": names.get(participant.referrer_id),
        "care_provider": names.get(participant.care_provider_id),
        "municipality": names.get(participant.municipality_id),
        "central_waiting_list": participant.central_waiting_list, "referred_on": participant.referred_on,
        "age_band": participant.age_band, "version": participant.version,
    }


def participant_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Participants row by row with their latest step. Coordinators: their organisation's, with
    notes; researchers: everyone's, pseudonymised (code only, no free text); viewers: refused."""
    row_scope(actor)  # AccessDenied for a viewer
    researcher = actor.role == "researcher"
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    participants = session.execute(
        select(Participant).where(*_scope(actor, Participant)).order_by(Participant.code)).scalars().all()
    out = []
    for p in participants:
        events = services.participant_events(session, p.id)
        last = events[-1] if events else None
        row = {"code": p.code, "referrer": names.get(p.referrer_id),
               "care_provider": names.get(p.care_provider_id), "municipality": names.get(p.municipality_id),
               "referred_on": p.referred_on, "age_band": p.age_band,
               "last_step": last.kind if last else None, "last_step_on": last.occurred_on if last else None}
        if not researcher:
            row["note"] = last.note if last else None
        out.append(row)
    return out


def events_for_correction(session: Session, actor: Actor, code: str) -> list[dict[str, Any]]:
    """A participant's steps, voided ones included (marked), newest first, for the corrections form."""
    require_writer(actor)
    participant = _own(session, actor, Participant, code)
    refs = dict(session.execute(select(Dwelling.id, Dwelling.ref)).all())
    events = session.execute(
        select(ParticipantEvent).where(ParticipantEvent.participant_id == participant.id)
        .order_by(ParticipantEvent.occurred_on.desc(), ParticipantEvent.id.desc())).scalars().all()
    return [{"id": e.id, "event": e.kind, "date": e.occurred_on, "outcome": e.outcome,
             "dwelling_ref": refs.get(e.dwelling_id), "note": e.note, "recorded_by": e.recorded_by,
             "voided": e.voided_at is not None, "void_reason": e.void_reason, "corrects_id": e.corrects_id}
            for e in events]


# --- writes --------------------------------------------------------------------------------------

def add_dwelling(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> str:
    """A new dwelling from a form: a ref that exists already is refused (an edit goes through
    `edit_dwelling`, so that nobody overwrites a dwelling by typing its ref)."""
    require_writer(actor)
    return _add_new(session, actor, Dwelling, DwellingIn.parse(values), services.upsert_dwelling, source,
                    taken=lambda ref, mine: refused("ref", "ref_exists" if mine else "ref_in_use", ref=ref))


def _add_new(session: Session, actor: Actor, model, data, write, source: str, taken) -> str:
    """Write a new dwelling or participant (`write(session, actor, data, source=)`) and return its
    ref or code. One by that name already there is refused (`taken(name, mine)`): as existing when
    it is the actor's organisation's, else without a word about it (issue 18); one saved by someone
    else between the check and the write too, so an add never becomes an edit."""
    field, find, _ = _NAMED_BY[model]
    name = getattr(data, field)
    existing = find(session, name)
    if existing is not None:
        organisations = DWELLING_ORGANISATIONS if model is Dwelling else PARTICIPANT_ORGANISATIONS
        raise taken(name, services.may_touch(actor, *orgs_of(existing, organisations)))
    prepare_write(session)
    if write(session, actor, data, source=source) != "created":
        raise taken(name, True)
    return name


def batch_refs(session: Session, prefix: str, count: int, first_number: int | None = None,
               width: int = 4) -> list[str]:
    """`count` refs `PREFIX-0001`, ... from `first_number`, or from the first number after the
    highest one in use with this prefix."""
    errors = []
    prefix = (prefix or "").strip().rstrip("-")
    if not REF_PREFIX.match(prefix):
        errors.append(FieldError("prefix", "prefix_shape"))
    if not isinstance(count, int) or not 1 <= count <= BATCH_MAX:
        errors.append(FieldError("count", "count_range", {"max": BATCH_MAX}))
    if first_number is not None and first_number < 1:
        errors.append(FieldError("first_number", "first_number_min"))
    if errors:
        raise RuleError(errors)
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    if first_number is None:
        used = [int(m.group(1)) for ref in session.execute(
                    select(Dwelling.ref).where(Dwelling.ref.like(f"{prefix}-%"))).scalars()
                if (m := pattern.match(ref))]
        first_number = max(used, default=0) + 1
    refs = [f"{prefix}-{n:0{width}d}" for n in range(first_number, first_number + count)]
    taken = list(session.execute(select(Dwelling.ref).where(Dwelling.ref.in_(refs))).scalars())
    if taken:
        raise refused("first_number", "refs_taken" if len(taken) > 1 else "ref_taken", refs=sorted(taken)[:5],
                      more=" …" if len(taken) > 5 else "")
    return refs


def add_dwelling_batch(session: Session, actor: Actor, values: dict[str, Any], prefix: str, count: int,
                       first_number: int | None = None, source: str = "form") -> list[str]:
    """N dwellings at one site with the same details, in the caller's one transaction: all are
    written or (on any refusal) none. Returns the refs."""
    require_writer(actor)
    refs = batch_refs(session, prefix, count, first_number)
    # Validate the shared details once, with the first ref, so that errors name the form's fields.
    DwellingIn.parse({**values, "ref": refs[0]})
    prepare_write(session)
    for ref in refs:
        services.upsert_dwelling(session, actor, DwellingIn.parse({**values, "ref": ref}), source=source)
    return refs


def _hold(session: Session, row, expected_version: int) -> None:
    """Optimistic lock, made atomic: take the writers' lock (the data version's row, which every
    write takes), read the row afresh and refuse with a `version` FieldError when it no longer has
    the version the form was opened with; a concurrent save waits for the lock, then finds the
    version moved on. Marks the write as demo or real."""
    audit.bump_data_version(session)
    session.refresh(row)
    if row.version != expected_version:
        raise refused("version", "version_conflict", expected=expected_version, current=row.version)
    prepare_write(session)


def edit_dwelling(session: Session, actor: Actor, ref: str, values: dict[str, Any], expected_version: int,
                  source: str = "form") -> str:
    """Save an edit form of a dwelling (details and, when it differs, a dated status change).
    Refused with a `version` FieldError when someone else saved it since `expected_version`."""
    require_writer(actor)
    dwelling = _own(session, actor, Dwelling, ref)
    data = DwellingIn.parse({**values, "ref": ref})
    _hold(session, dwelling, expected_version)
    return services.upsert_dwelling(session, actor, data, source=source, expected_version=expected_version)


def change_status(session: Session, actor: Actor, values: dict[str, Any], expected_version: int,
                  source: str = "form") -> str:
    """A dated status change from the form, refused when the dwelling changed since it was opened."""
    require_writer(actor)
    data = StatusChangeIn.parse(values)
    dwelling = _own(session, actor, Dwelling, data.ref)
    _hold(session, dwelling, expected_version)
    return services.change_dwelling_status(session, actor, data, expected_version=expected_version, source=source)


def register(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> str:
    """A new participant from the form; a code in use is refused (no silent overwrite)."""
    require_writer(actor)
    return _add_new(session, actor, Participant, ParticipantIn.parse(values), services.register_participant, source,
                    taken=lambda code, mine: refused("code", "code_registered" if mine else "code_in_use", code=code))


def edit_participant(session: Session, actor: Actor, code: str, values: dict[str, Any], expected_version: int,
                     source: str = "form") -> str:
    """Save an edit form of a participant; refused with a `version` FieldError when someone else
    saved it since `expected_version`."""
    require_writer(actor)
    participant = _own(session, actor, Participant, code)
    data = ParticipantIn.parse({**values, "code": code})
    _hold(session, participant, expected_version)
    return services.register_participant(session, actor, data, source=source, expected_version=expected_version)


def record_step(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> str:
    require_writer(actor)
    data = EventIn.parse(values)
    prepare_write(session)
    return services.record_event(session, actor, data, source=source)


def void_step(session: Session, actor: Actor, event_id: int, reason: str, source: str = "form") -> None:
    require_writer(actor)
    services.void_event(session, actor, event_id, reason, source=source)


def correct_step(session: Session, actor: Actor, event_id: int, values: dict[str, Any], reason: str,
                 source: str = "form") -> int:
    """Replace a wrong step: the wrong one is voided (kept, with who and why) and the corrected one
    recorded and linked to it, in one transaction; if the correction is refused, the wrong step
    stays as it was. Returns the new event's id."""
    require_writer(actor)
    old = session.get(ParticipantEvent, event_id)
    if old is None or old.voided_at is not None:
        raise refused("event", "no_active_step", id=event_id)
    participant = session.get(Participant, old.participant_id)
    data = EventIn.parse({**values, "code": participant.code})
    services.void_event(session, actor, event_id, reason, source=source)
    prepare_write(session)
    outcome = services.record_event(session, actor, data, source=source, corrects=event_id)
    if outcome == "unchanged":
        raise refused("event", "same_step")
    return session.execute(
        select(ParticipantEvent.id).where(ParticipantEvent.corrects_id == event_id)
        .order_by(ParticipantEvent.id.desc())).scalars().first()


__all__ = [
    "AccessDenied", "RuleError", "FieldError", "dwelling_refs", "dwelling_for_edit", "participant_codes",
    "participant_for_edit", "participant_rows", "events_for_correction", "add_dwelling", "batch_refs",
    "add_dwelling_batch", "edit_dwelling", "change_status", "register", "edit_participant", "record_step",
    "void_step", "correct_step", "prepare_write",
]
