"""The living lab's registers as researchers and the admin keep them: system bottlenecks
(knelpunten), success and failure factors, and the cost parameters of the business case.

Reads for editing and every write need the role researcher or admin (AccessDenied otherwise); each
write is validated by an input model, audited with before and after, and nothing is deleted: a
bottleneck is resolved, a cost parameter ends through its `valid_to`. The dated reads that the
pages show to everyone are in `eet.figures.registers`.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator
from sqlalchemy import select, update
from sqlmodel import Session

from eet.store import audit
from eet.accounts.access import Actor, require_role
from eet.entry import vocabulary as vocab
from eet.store.models import FACTOR_DOMAINS, Bottleneck, CostParameter, Factor, utcnow
from eet.store.contents import is_demo
from eet.texts.messages import Refusal, Term
from eet.entry.schemas import (
    AnyDate, FieldError, InputModel, OptionalDate, OptionalPastDate, PastDate, RuleError, refused,
)
from eet.entry.state import organisation_ids
from eet.write import gate

EDITORS = ("admin", "researcher")
BOTTLENECK_DOMAINS = FACTOR_DOMAINS + ("system",)
# Which cost categories belong to which model, and the unit a category is counted in.
CATEGORIES_OF = {"housing_first": ("support", "housing", "one_off"), "shelter": ("shelter",)}


def _one_of(value: Any, vocabulary: vocab.Vocabulary) -> str | None:
    """The code of a coded value (its code, or a label the app shows for it), or a Refusal."""
    return None if value is None else vocabulary.normalise(value)


def _max_len(value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise Refusal("text_length", length=len(value), max=limit)
    return value


class BottleneckIn(InputModel):
    title: str
    domain: str
    owner: str | None = None
    status: str = "open"
    raised_on: PastDate
    resolved_on: OptionalPastDate = None
    resolution: str | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _max_len(value, 200)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        return _max_len(value, 120)

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: str | None) -> str | None:
        return _max_len(value, 2000)

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any) -> str | None:
        return _one_of(value, vocab.BOTTLENECK_DOMAIN)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str | None:
        return _one_of(value, vocab.BOTTLENECK_STATUS)

    @model_validator(mode="after")
    def _resolved(self) -> "BottleneckIn":
        errors = []
        if self.status == "resolved" and self.resolved_on is None:
            errors.append(FieldError("resolved_on", "resolved_needs_date"))
        if self.status != "resolved" and self.resolved_on is not None:
            errors.append(FieldError("resolved_on", "resolution_date_unresolved"))
        if self.resolved_on is not None and self.resolved_on < self.raised_on:
            errors.append(FieldError("resolved_on", "before_raised", {"date": self.raised_on}))
        if errors:
            raise RuleError(errors)
        return self


class FactorIn(InputModel):
    domain: str
    kind: str
    description: str
    observed_on: PastDate
    source: str | None = None

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any) -> str | None:
        return _one_of(value, vocab.FACTOR_DOMAIN)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str | None:
        return _one_of(value, vocab.FACTOR_KIND)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _max_len(value, 2000)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return _max_len(value, 200)


class CostParameterIn(InputModel):
    model: str
    category: str
    label: str
    amount_eur: float
    unit: str
    source: str
    valid_from: AnyDate
    valid_to: OptionalDate = None
    payer: str | None = None  # who pays (issue 17); None is counted as "other"
    low_eur: float | None = None  # the sensitivity range around amount_eur
    high_eur: float | None = None
    # Whom it applies to (issue 29): support of one care provider's participants (a name), housing
    # in one building type; neither: every participant.
    care_provider: str | None = None
    building_type: str | None = None

    @field_validator("building_type", mode="before")
    @classmethod
    def _building_type(cls, value: Any) -> str | None:
        return _one_of(value, vocab.BUILDING_TYPE)

    @field_validator("payer", mode="before")
    @classmethod
    def _payer(cls, value: Any) -> str | None:
        return _one_of(value, vocab.PAYER)

    @field_validator("low_eur", "high_eur")
    @classmethod
    def _bound(cls, value: float | None) -> float | None:
        if value is not None and (value != value or value < 0):
            raise Refusal("cost_not_negative")
        return value

    @field_validator("model", mode="before")
    @classmethod
    def _model(cls, value: Any) -> str | None:
        return _one_of(value, vocab.COST_MODEL)

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> str | None:
        return _one_of(value, vocab.COST_CATEGORY)

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> str | None:
        return _one_of(value, vocab.COST_UNIT)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        return _max_len(value, 200)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        # No built-in figure is presented as fact: every amount says where it comes from.
        return _max_len(value, 300)

    @field_validator("amount_eur")
    @classmethod
    def _amount(cls, value: float) -> float:
        if not value > 0 or value != value:
            raise Refusal("amount_positive")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "CostParameterIn":
        errors = []
        if self.category not in CATEGORIES_OF[self.model]:
            errors.append(FieldError("category", "category_of_model", {
                "model": Term("cost_model", self.model),
                "categories": [Term("cost_category", c) for c in CATEGORIES_OF[self.model]]}))
        wanted_unit = "one_off_per_participant" if self.category == "one_off" else "per_participant_year"
        if self.unit != wanted_unit:
            errors.append(FieldError("unit", "unit_of_category", {
                "category": Term("cost_category", self.category), "unit": Term("cost_unit", wanted_unit)}))
        if self.valid_to is not None and self.valid_to < self.valid_from:
            errors.append(FieldError("valid_to", "valid_to_before", {"date": self.valid_from}))
        low = self.low_eur if self.low_eur is not None else self.amount_eur
        high = self.high_eur if self.high_eur is not None else self.amount_eur
        if low > self.amount_eur or high < self.amount_eur:
            errors.append(FieldError("low_eur" if low > self.amount_eur else "high_eur", "cost_range",
                                     {"low": low, "high": high}))
        # A scope says whose costs differ: support intensity by care provider, housing cost by
        # building type (issue 29); any other pairing has no group to apply to.
        if self.care_provider is not None and self.category != "support":
            errors.append(FieldError("care_provider", "cost_scope_category", {
                "scope": Term("cost_scope", "care_provider"), "category": Term("cost_category", "support")}))
        if self.building_type is not None and self.category != "housing":
            errors.append(FieldError("building_type", "cost_scope_category", {
                "scope": Term("cost_scope", "building_type"), "category": Term("cost_category", "housing")}))
        if errors:
            raise RuleError(errors)
        return self


# The input's fields as the cost parameter's columns: the care provider by its id.
COST_COLUMNS = tuple(f for f in CostParameterIn.model_fields if f != "care_provider") + ("care_provider_id",)


def _cost_columns(session: Session, data: CostParameterIn) -> dict[str, Any]:
    """The columns of a cost parameter from its input; the care provider's name found among the
    care providers (a RuleError on the field otherwise)."""
    values = data.model_dump(exclude={"care_provider"})
    values.update(organisation_ids(session, data, {"care_provider": ("care_provider",)}))
    return values


# --- reads for editing ---------------------------------------------------------------------------

def _rows(session: Session, model, order) -> list[dict[str, Any]]:
    return [row.model_dump() for row in session.execute(select(model).order_by(*order)).scalars()]


def bottlenecks(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every bottleneck with its id and version, newest first."""
    require_role(actor, *EDITORS)
    return _rows(session, Bottleneck, (Bottleneck.raised_on.desc(), Bottleneck.id.desc()))


def factors(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require_role(actor, *EDITORS)
    return _rows(session, Factor, (Factor.observed_on.desc(), Factor.id.desc()))


def cost_parameters(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The cost parameters in force (a changed one's earlier values are kept, voided), each with
    `care_provider`: the name of the care provider it applies to (None: not one provider's)."""
    from eet.entry.organisations import names

    require_role(actor, *EDITORS)
    known = names(session)
    return [{**row.model_dump(), "care_provider": known.get(row.care_provider_id)} for row in session.execute(
        select(CostParameter).where(CostParameter.voided_at.is_(None))
        .order_by(CostParameter.model, CostParameter.category, CostParameter.valid_from)).scalars()]


# --- writes --------------------------------------------------------------------------------------

def _save(session: Session, actor: Actor, model, entity: str, data: dict[str, Any], row_id: int | None,
          source: str, expected_version: int | None = None) -> int:
    """Create or change a register row or a cost parameter through the write gate. A cost
    parameter is never changed in place: the new values are a new row that voids the old one, so
    the business case as known at K (a recorded meeting's) stays as it was."""
    require_role(actor, *EDITORS)
    name = str(data.get("label") or data.get("title") or data.get("description") or entity)[:60]
    if row_id is None:
        return gate.submit_one(session, actor, entity, name, "registers", lambda: audit.created(
            session, actor, entity, model(**data, is_demo=is_demo(session), **_recorded_by(model, actor)), source).id)
    row = session.get(model, row_id)
    if row is None or getattr(row, "voided_at", None) is not None:
        raise refused("id", "no_row_with_id", entity=Term("entity", entity), id=row_id)

    def apply() -> int:
        if expected_version is not None:
            # Atomic: matches only while nobody else saved since the form was opened.
            result = session.execute(update(model).where(model.id == row_id, model.version == expected_version)
                                     .values(version=model.version + 1)
                                     .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                raise refused("version", "version_conflict_plain")
            session.refresh(row)
        before = audit.snapshot(row)
        if expected_version is not None:
            before["version"] = expected_version
        if model is not CostParameter:
            return audit.changed(session, actor, entity, row, data, source, before=before).id
        now = utcnow()
        row.voided_at, row.voided_by, row.void_reason = now, actor.username, "changed"
        session.add(row)
        kept = {k: v for k, v in before.items() if k in COST_COLUMNS}
        new = CostParameter(**{**row.model_dump(include=set(COST_COLUMNS)), **data},
                            is_demo=row.is_demo, recorded_at=now, recorded_by=actor.username)
        session.add(new)
        session.flush()
        audit.record(session, actor, "update", entity, new.id, {**kept, "id": row.id}, audit.snapshot(new), source)
        return new.id
    return gate.submit_one(session, actor, entity, name, "registers", apply)


def _recorded_by(model, actor: Actor) -> dict[str, Any]:
    return {"recorded_by": actor.username} if model is CostParameter else {}


def save_bottleneck(session: Session, actor: Actor, values: dict[str, Any], bottleneck_id: int | None = None,
                    expected_version: int | None = None, source: str = "form") -> int:
    """Create (no id) or update a bottleneck; an update with `expected_version` is refused when
    someone else saved it in between."""
    require_role(actor, *EDITORS)
    data = BottleneckIn.parse(values).model_dump()
    return _save(session, actor, Bottleneck, "bottleneck", data, bottleneck_id, source, expected_version)


def save_factor(session: Session, actor: Actor, values: dict[str, Any], factor_id: int | None = None,
                source: str = "form") -> int:
    require_role(actor, *EDITORS)
    data = FactorIn.parse(values).model_dump()
    return _save(session, actor, Factor, "factor", data, factor_id, source)


def save_cost_parameter(session: Session, actor: Actor, values: dict[str, Any], parameter_id: int | None = None,
                        source: str = "form") -> int:
    require_role(actor, *EDITORS)
    data = _cost_columns(session, CostParameterIn.parse(values))
    return _save(session, actor, CostParameter, "cost_parameter", data, parameter_id, source)


def import_cost_parameter(session: Session, actor: Actor, data: CostParameterIn, source: str = "import") -> str:
    """One row of `import costs FILE`: a parameter is known by model, category, label and
    valid_from; the same values again are "unchanged", other values update it ("changed"), a new
    one is "created". Admin and researchers only (AccessDenied otherwise)."""
    require_role(actor, *EDITORS)
    values = _cost_columns(session, data)
    row = session.execute(select(CostParameter).where(
        CostParameter.model == data.model, CostParameter.category == data.category,
        CostParameter.label == data.label, CostParameter.valid_from == data.valid_from,
        CostParameter.voided_at.is_(None)).order_by(CostParameter.id)).scalars().first()
    if row is None:
        _save(session, actor, CostParameter, "cost_parameter", values, None, source)
        return "created"
    if all(getattr(row, key) == value for key, value in values.items()):
        return "unchanged"
    _save(session, actor, CostParameter, "cost_parameter", values, row.id, source)
    return "changed"
