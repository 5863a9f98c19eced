"""Self-sufficiency measurements (Zelfredzaamheid-Matrix, ZRM): the input model, the one write and
the reads of rows by role (issue 17; spec/interfaces.md, "measurements").

A measurement is one participant on one date, each of the 13 domains scored 1 (acute problems) to 5
(fully self-sufficient) or not scored; at least one domain is scored. The date may not lie in the
future nor before the participant's referral. The same participant, date and scores again change
nothing (an import can be repeated); other scores on a recorded date void the recorded row and add
the new one (history is kept, nothing is deleted).

These are health data. Writes: the admin, or a coordinator of the participant's care provider.
Rows are read by the admin and researchers (all, pseudonymised: code only) and by coordinators (their
own organisation's participants only); viewers see aggregates only (eet.figures.recovery).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import field_validator, model_validator
from sqlalchemy import or_, select
from sqlmodel import Session

from eet.accounts.access import AccessDenied, Actor, require_role, row_scope
from eet.entry.schemas import InputModel, RuleError, FieldError, _date_field, _not_future, refused
from eet.write import Plan, gate, reach
from eet.entry.state import state_of
from eet.store import audit
from eet.store.models import ZRM_DOMAINS, Measurement, Participant, utcnow
from eet.texts.messages import Refusal

Outcome = Literal["created", "changed", "unchanged"]
WRITERS = ("admin", "coordinator")
# The Dutch column names of the import (spec/interfaces.md), by domain.
DUTCH = {
    "finances": "financien", "work_education": "werk_opleiding", "time_use": "tijdsbesteding",
    "housing": "huisvesting", "domestic_relations": "huiselijke_relaties",
    "mental_health": "geestelijke_gezondheid", "physical_health": "lichamelijke_gezondheid",
    "substance_use": "middelengebruik", "basic_adl": "basale_adl", "instrumental_adl": "instrumentele_adl",
    "social_network": "sociaal_netwerk", "social_participation": "maatschappelijke_participatie",
    "justice": "justitie",
}
MIN_SCORE, MAX_SCORE = 1, 5


def _score(value: Any) -> int | None:
    """1 to 5, or None when empty; '3', 3 and 3.0 are three; anything else is refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Refusal("zrm_score", value=value)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise Refusal("zrm_score", value=value) from None
    if not number.is_integer() or not MIN_SCORE <= number <= MAX_SCORE:
        raise Refusal("zrm_score", value=value)
    return int(number)


class MeasurementIn(InputModel):
    """One row of the measurements import, or the form: code, date and the 13 domain scores."""

    code: str
    date: date
    finances: int | None = None
    work_education: int | None = None
    time_use: int | None = None
    housing: int | None = None
    domestic_relations: int | None = None
    mental_health: int | None = None
    physical_health: int | None = None
    substance_use: int | None = None
    basic_adl: int | None = None
    instrumental_adl: int | None = None
    social_network: int | None = None
    social_participation: int | None = None
    justice: int | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date | None:
        return _not_future(_date_field(value))

    @field_validator(*ZRM_DOMAINS, mode="before")
    @classmethod
    def _scores(cls, value: Any) -> int | None:
        return _score(value)

    @model_validator(mode="after")
    def _at_least_one(self) -> "MeasurementIn":
        if all(getattr(self, d) is None for d in ZRM_DOMAINS):
            raise RuleError([FieldError(ZRM_DOMAINS[0], "zrm_none")])
        return self

    def scores(self) -> dict[str, int | None]:
        return {d: getattr(self, d) for d in ZRM_DOMAINS}


def require_measurement_writer(actor: Actor, participant) -> None:
    """The admin, or a coordinator of the participant's care provider (AccessDenied otherwise)."""
    require_role(actor, *WRITERS)
    if actor.role == "coordinator" and (participant.care_provider_id is None
                                        or actor.organisation_id != participant.care_provider_id):
        raise AccessDenied("denied_other_org", user=actor.username)


def _recorded(session: Session, participant_id: int, on: date) -> Measurement | None:
    return session.execute(select(Measurement).where(
        Measurement.participant_id == participant_id, Measurement.measured_on == on,
        Measurement.voided_at.is_(None)).order_by(Measurement.id.desc())).scalars().first()


def record_measurement(session: Session, actor: Actor, data: MeasurementIn, source: str = "form") -> Outcome:
    """Record one measurement (spec: measurements import): "unchanged" when the participant has the
    same scores on that date already, "changed" when other scores were recorded on that date (those
    are voided), else "created". Raises RuleError (unknown code, date before the referral) or
    AccessDenied; writes in the caller's transaction, audited."""
    participant = state_of(session).participant(data.code)
    if participant is None:
        raise refused("code", "no_participant", code=data.code)
    require_measurement_writer(actor, participant)
    if data.date < participant.referred_on:
        raise refused("date", "before_referral", date=data.date, code=participant.code,
                      referred=participant.referred_on)
    scores = data.scores()
    old = _recorded(session, participant.id, data.date)
    if old is not None and all(getattr(old, d) == scores[d] for d in ZRM_DOMAINS):
        return "unchanged"

    def apply(writer) -> None:
        if old is not None:
            before = audit.snapshot(old)
            old.voided_at, old.voided_by = utcnow(), actor.username
            old.void_reason = "replaced by a new measurement on the same date"
            session.add(old)
            session.flush()
            audit.record(session, actor, "void", "measurement", old.id, before, audit.snapshot(old), source)
        row = Measurement(participant_id=participant.id, measured_on=data.date, **scores,
                          is_demo=bool(session.info.get("demo", False)), recorded_by=actor.username)
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "measurement", row.id, None,
                     {"code": participant.code, **audit.snapshot(row)}, source)

    gate.submit(session, actor, Plan([reach.measurement_touch(participant, data.date)], apply))
    return "changed" if old is not None else "created"


def measurement_rows(session: Session, actor: Actor, code: str | None = None) -> list[dict[str, Any]]:
    """Measurements row by row (code, date, the 13 scores, total), newest first: admin and
    researchers all, coordinators their own organisation's participants only (referrer, care
    provider or municipality), viewers refused (AccessDenied)."""
    scope = row_scope(actor)
    query = (select(Participant.code, Measurement).join(Participant, Participant.id == Measurement.participant_id)
             .where(Measurement.voided_at.is_(None)))
    if scope is not None:
        query = query.where(or_(Participant.referrer_id == scope, Participant.care_provider_id == scope,
                                Participant.municipality_id == scope))
    if code is not None:
        query = query.where(Participant.code == code)
    out = []
    for participant_code, m in session.execute(
            query.order_by(Measurement.measured_on.desc(), Participant.code)).all():
        scores = {d: getattr(m, d) for d in ZRM_DOMAINS}
        out.append({"code": participant_code, "date": m.measured_on, **scores,
                    "total": sum(v for v in scores.values() if v is not None),
                    "scored": sum(1 for v in scores.values() if v is not None)})
    return out





def save_measurement(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> str:
    """The form's write: parse (FieldErrors by field), mark demo rows in a demo database, record;
    returns a short line of what was saved, e.g. 'P-0001 01-02-2021: created'."""
    from eet.entry.data_entry import prepare_write

    require_role(actor, *WRITERS)
    data = MeasurementIn.parse(values)
    prepare_write(session)
    outcome = record_measurement(session, actor, data, source=source)
    return f"{data.code} {data.date.strftime('%d-%m-%Y')}: {outcome}"
__all__ = ["DUTCH", "MeasurementIn", "measurement_rows", "record_measurement", "require_measurement_writer",
           "save_measurement"]
