"""Input models: what a form, an import row or the command line sends, with the rules that need no
database. Rules that need the database (order of events, one occupant per dwelling) live in
`eet.entry.services`. Every door validates through both, so they refuse the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dataclass_field
from datetime import date
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator, model_validator

from eet.entry import vocabulary as vocab
from eet.texts.messages import Choices, Localised, Refusal, Term, check
from eet.store.models import AGE_BANDS

CODE_SHAPE = re.compile(r"^[A-Za-z0-9-]+$")
BSN_SHAPE = re.compile(r"^\d{9}$")
# A ref starts with a letter or digit: a leading = + - @ would run as a formula when a list is
# opened in a spreadsheet again.
REF_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
# Control characters (NUL and the rest of C0 and C1, DEL) are invisible, PostgreSQL refuses NUL and
# a spreadsheet opened later may break on them: refused in every text field, at its field. Tab,
# line feed and carriage return are text (a note with a line break).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NOTE_MAX = 500
REASON_MAX = 200


@dataclass(frozen=True)
class FieldError(Localised):
    """A refused value: the field (an input model's name), and what would be right, as a refusal
    of the text catalogue (`msg.<key>` in eet/texts/catalogue.toml) with its parameters. `.message`
    is the English text (command line, logs); `.text(lang)` the text for a page in the user's
    language."""

    field: str
    key: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        check(self.key, self.params)


def refused(field: str, key: str, /, **params: Any) -> "RuleError":
    """A RuleError of one field: `raise refused("ref", "no_dwelling", ref=ref)`."""
    return RuleError(FieldError(field, key, params))


class RuleError(ValueError):
    """One or more fields refused. Nothing was written."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from an empty spreadsheet cell
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _clean_text(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.strip() if isinstance(value, str) else value


class InputModel(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _clean_text(value) for key, value in data.items()}
        return data

    @classmethod
    def parse(cls, data: dict[str, Any]):
        """Validate, turning pydantic's errors into FieldErrors a person can act on. A text with a
        control character is refused at its field (`control_character`), with every other
        field's error beside it."""
        controls = control_errors(data)
        if controls:
            data = {key: value for key, value in data.items() if key not in {e.field for e in controls}}
        try:
            parsed = cls.model_validate(data)
        except ValidationError as exc:
            errors: list[FieldError] = []
            for err in exc.errors():
                original = (err.get("ctx") or {}).get("error")
                errors += original.errors if isinstance(original, RuleError) else [_field_error(err)]
            refused_fields = {e.field for e in controls}
            raise RuleError(controls + [e for e in errors if e.field not in refused_fields]) from None
        if controls:
            raise RuleError(controls)
        return parsed


def control_errors(data: Any) -> list[FieldError]:
    """A FieldError for each text value holding a control character (see CONTROL), naming the
    first one (U+0000) and its position (1 = the first character)."""
    errors = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (found := CONTROL.search(value)):
                errors.append(FieldError(str(key), "control_character",
                                         {"char": f"U+{ord(found.group(0)):04X}", "position": found.start() + 1}))
    return errors


# pydantic's own checks (a type it could not read) and the catalogue key that says so.
PYDANTIC_KEYS = {
    "missing": "required",
    "float_parsing": "not_a_number", "float_type": "not_a_number", "finite_number": "not_a_number",
    "int_parsing": "not_a_whole_number", "int_type": "not_a_whole_number", "int_from_float": "not_a_whole_number",
    "bool_parsing": "not_yes_no", "bool_type": "not_yes_no",
    "date_parsing": "not_a_date_value", "date_type": "not_a_date_value", "date_from_datetime_parsing":
        "not_a_date_value", "date_from_datetime_inexact": "not_a_date_value",
    "string_type": "not_text",
}


def _field_error(err: dict) -> FieldError:
    field = str(err["loc"][0]) if err.get("loc") else "row"
    original = (err.get("ctx") or {}).get("error")
    if isinstance(original, Refusal):
        return FieldError(field, original.key, original.params)
    key = PYDANTIC_KEYS.get(err.get("type", ""))
    if key is not None and err.get("input", "") is None:
        key = "required"  # an empty field of a type other than text
    if key is not None:
        return FieldError(field, key)
    detail = err.get("msg", "invalid")
    if detail.startswith("Value error, "):
        detail = detail[len("Value error, "):]
    return FieldError(field, "invalid", {"detail": detail})


def _date_field(value: Any) -> date | None:
    return None if value is None else vocab.parse_date(value)


def _not_future(value: date | None, today: date | None = None) -> date | None:
    if value is not None and value > (today or date.today()):
        raise Refusal("future_date", date=value)
    return value


def _past_date(value: Any) -> date | None:
    return _not_future(_date_field(value))


# The dates of every input model, in any form people write them (eet.entry.vocabulary.parse_date):
AnyDate = Annotated[date, BeforeValidator(_date_field)]                       # may lie ahead
PastDate = Annotated[date, BeforeValidator(_past_date)]                       # not after today
OptionalDate = Annotated[date | None, BeforeValidator(_date_field)]
OptionalPastDate = Annotated[date | None, BeforeValidator(_past_date)]


def _status_value(value: Any) -> str | None:
    return value if value is None else vocab.STATUS.normalise(value)


Status = Annotated[str, BeforeValidator(_status_value)]  # a dwelling status, in English or Dutch


class DwellingIn(InputModel):
    ref: str
    municipality: str
    corporation: str | None = None
    care_provider: str | None = None
    site: str | None = None
    building_type: str | None = None
    route: str | None = None
    status: Status
    status_date: PastDate
    expected_date: OptionalDate = None  # expected delivery may lie ahead

    @field_validator("ref")
    @classmethod
    def _ref(cls, value: str) -> str:
        if len(value) > 40:
            raise Refusal("too_long", max=40)
        if not REF_SHAPE.match(value):
            raise Refusal("ref_shape", value=value)
        return value

    @field_validator("site")
    @classmethod
    def _site(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 120:
            raise Refusal("too_long", max=120)
        return value

    @field_validator("building_type", mode="before")
    @classmethod
    def _building_type(cls, value: Any) -> str | None:
        return None if value is None else vocab.BUILDING_TYPE.normalise(value)

    @field_validator("route", mode="before")
    @classmethod
    def _route(cls, value: Any) -> str | None:
        return None if value is None else vocab.ROUTE.normalise(value)


class StatusChangeIn(InputModel):
    ref: str
    status: Status
    effective_on: PastDate


class ParticipantIn(InputModel):
    code: str
    referrer: str
    care_provider: str | None = None
    municipality: str | None = None
    central_waiting_list: bool | None = None
    referred_on: PastDate
    age_band: str | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        text = str(value).strip() if value is not None else value
        if text is None:
            return text
        if BSN_SHAPE.match(text):
            raise Refusal("code_bsn")
        if not CODE_SHAPE.match(text):
            raise Refusal("code_shape", value=text)
        if len(text) > 40:
            raise Refusal("too_long", max=40)
        return text

    @field_validator("central_waiting_list", mode="before")
    @classmethod
    def _cwl(cls, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        return vocab.YES_NO.normalise(value)

    @field_validator("age_band")
    @classmethod
    def _age_band(cls, value: str | None) -> str | None:
        if value is not None and value not in AGE_BANDS:
            raise Refusal("age_band", allowed=Choices(AGE_BANDS))
        return value


class EventIn(InputModel):
    code: str
    event: str
    date: PastDate
    outcome: str | None = None
    dwelling_ref: str | None = None
    note: str | None = None

    @field_validator("event", mode="before")
    @classmethod
    def _event(cls, value: Any) -> str:
        return value if value is None else vocab.EVENT.normalise(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        if value is not None and len(value) > NOTE_MAX:
            raise Refusal("text_length", length=len(value), max=NOTE_MAX)
        return value

    @model_validator(mode="after")
    def _outcome_and_dwelling(self) -> "EventIn":
        errors = []
        if self.event == "assessed":
            errors += self._check_outcome(vocab.ASSESSMENT)
        elif self.event == "exited":
            errors += self._check_outcome(vocab.EXIT)
        elif self.event in ("matched", "housed"):
            if self.outcome is not None:
                errors.append(FieldError("outcome", "step_has_no_outcome", {"event": Term("event", self.event)}))
        elif self.event == "withdrawn" and self.outcome is not None and len(self.outcome) > REASON_MAX:
            errors.append(FieldError("outcome", "reason_too_long", {"length": len(self.outcome), "max": REASON_MAX}))
        if self.event in ("matched", "housed") and not self.dwelling_ref:
            errors.append(FieldError("dwelling_ref", "step_needs_dwelling", {"event": Term("event", self.event)}))
        if self.event not in ("matched", "housed") and self.dwelling_ref:
            errors.append(FieldError("dwelling_ref", "step_has_no_dwelling", {"event": Term("event", self.event)}))
        if errors:
            raise RuleError(errors)
        return self

    def _check_outcome(self, vocabulary: vocab.Vocabulary) -> list[FieldError]:
        if self.outcome is None:
            return [FieldError("outcome", "outcome_required",
                               {"event": Term("event", self.event), "allowed": vocabulary.choices()})]
        try:
            self.outcome = vocabulary.normalise(self.outcome)
        except Refusal as exc:
            return [FieldError("outcome", exc.key, exc.params)]
        return []

