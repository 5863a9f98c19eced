"""The register of review meetings and their decisions (DESIGN.md: the programme lead records
them). Only an admin writes; every write is audited; a refused write raises RuleError (which field,
why) or AccessDenied and leaves the database as it was.

The input models live here rather than in `eet.entry.schemas` because no other door (import, form of
another page) writes these rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import field_validator, model_validator
from sqlmodel import Session, select

from eet.store import audit
from eet.accounts.access import Actor, require_role
from eet.store.models import DECISION_STATUSES, DECISION_TOPICS, Decision, ReviewMeeting, utcnow
from eet.texts.messages import Choices, Refusal, Term
from eet.entry.schemas import AnyDate, FieldError, InputModel, OptionalDate, RuleError, refused
from eet.write import gate

TITLE_MAX = 200
DECISION_MAX = 2000
OWNER_MAX = 120

# Dutch words a form or a command line may send, next to the codes.
TOPIC_WORDS = {"doelgroep": "target_group", "initiatief": "initiative", "locatie": "location",
               "overig": "other", **{t: t for t in DECISION_TOPICS}}
STATUS_WORDS = {"open": "open", "in behandeling": "in_progress", "in uitvoering": "in_progress",
                "afgerond": "done", "vervallen": "dropped", **{s: s for s in DECISION_STATUSES}}


def _required(value: Any) -> Any:
    # Blank text arrives here as None (InputModel turns blanks into None).
    if value is None:
        raise Refusal("required")
    return value


def _required_text(value: Any, limit: int) -> Any:
    """A text that must be given and fit its column."""
    value = _required(value)
    if isinstance(value, str) and len(value) > limit:
        raise Refusal("text_length", length=len(value), max=limit)
    return value


def _choices(words: dict[str, str]) -> Choices:
    codes = sorted(set(words.values()))
    dutch = tuple(word for word, code in words.items() if word != code and word not in codes)
    return Choices(tuple(codes), dutch)


def _one_of(value: Any, words: dict[str, str], what: str) -> str:
    """`what` names the choice: a key `term.choice.<what>` of the text catalogue."""
    key = str(value).strip().lower().replace("-", "_") if value is not None else ""
    found = words.get(key) or words.get(key.replace("_", " "))
    if found is None:
        raise Refusal("unknown_choice", value=value, what=Term("choice", what), allowed=_choices(words))
    return found


def _moment(value: Any) -> datetime | None:
    """The moment a meeting's figures were presented: an aware datetime, a naive one (read as
    Europe/Amsterdam time), or text as `report --known-at` takes it; not in the future."""
    from eet.figures.report import PROGRAMME_ZONE, parse_known_at

    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.utcoffset() is not None else value.replace(tzinfo=PROGRAMME_ZONE)
    else:
        try:
            moment = parse_known_at(str(value))
        except ValueError:
            raise Refusal("not_a_moment", value=value) from None
    if moment > utcnow():
        raise Refusal("moment_in_future")
    return moment


class MeetingIn(InputModel):
    held_on: AnyDate
    title: str
    compare_with: OptionalDate = None
    # When the meeting's figures were presented (issue 16): its pack made again later shows them as
    # known at this moment. None: as known now.
    presented_at: datetime | None = None

    @field_validator("presented_at", mode="before")
    @classmethod
    def _presented(cls, value: Any) -> datetime | None:
        return _moment(value)

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> Any:
        return _required_text(value, TITLE_MAX)

    @model_validator(mode="after")
    def _comparison_before(self) -> "MeetingIn":
        if self.compare_with is not None and self.compare_with >= self.held_on:
            raise refused("compare_with", "compare_before_meeting", date=self.held_on)
        return self


class DecisionIn(InputModel):
    meeting_id: int
    topic: str
    decision: str
    owner: str | None = None
    due_on: OptionalDate = None
    status: str = "open"

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: Any) -> str:
        return _one_of(_required(value), TOPIC_WORDS, "decision_topic")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return "open" if value is None else _one_of(value, STATUS_WORDS, "decision_status")

    @field_validator("decision", mode="before")
    @classmethod
    def _decision(cls, value: Any) -> Any:
        return _required_text(value, DECISION_MAX)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        if value is not None and len(value) > OWNER_MAX:
            raise Refusal("text_length", length=len(value), max=OWNER_MAX)
        return value


# --- writes --------------------------------------------------------------------------------------

def add_meeting(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> ReviewMeeting:
    require_role(actor, "admin")
    data = MeetingIn.parse(values)
    _check_date_free(session, data.held_on, None)
    return gate.submit_one(session, actor, "review_meeting", data.title, "programme", lambda: audit.created(
        session, actor, "review_meeting", ReviewMeeting(**data.model_dump(), is_demo=False), source))


def update_meeting(session: Session, actor: Actor, meeting_id: int, values: dict[str, Any],
                   source: str = "form") -> ReviewMeeting:
    require_role(actor, "admin")
    meeting = _meeting(session, meeting_id)
    if "presented_at" not in values:  # a form without the moment keeps it
        values = {**values, "presented_at": meeting.presented_at}
    data = MeetingIn.parse(values)
    _check_date_free(session, data.held_on, meeting_id)
    return gate.submit_one(session, actor, "review_meeting", data.title, "programme", lambda: audit.changed(
        session, actor, "review_meeting", meeting, data.model_dump(), source))


def mark_presented(session: Session, actor: Actor, meeting_id: int, at: datetime | None = None,
                   source: str = "form") -> ReviewMeeting:
    """Record that the meeting's figures were presented at `at` (default: now): from then on its
    review and pack are made as known at that moment. Admin only; audited."""
    require_role(actor, "admin")
    meeting = _meeting(session, meeting_id)
    try:
        moment = _moment(at or utcnow())
    except Refusal as exc:
        raise RuleError(FieldError("presented_at", exc.key, exc.params)) from None
    return gate.submit_one(session, actor, "review_meeting", meeting.title, "programme", lambda: audit.changed(
        session, actor, "review_meeting", meeting, {"presented_at": moment}, source))


def add_decision(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> Decision:
    require_role(actor, "admin")
    data = DecisionIn.parse(values)
    _meeting(session, data.meeting_id)
    return gate.submit_one(session, actor, "decision", data.decision[:40], "programme", lambda: audit.created(
        session, actor, "decision", Decision(**data.model_dump(), is_demo=False), source))


def update_decision(session: Session, actor: Actor, decision_id: int, values: dict[str, Any],
                    source: str = "form") -> Decision:
    """Change a decision (typically its status or due date); the values not sent stay as they are."""
    require_role(actor, "admin")
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise refused("decision_id", "no_row_with_id", entity=Term("entity", "decision"), id=decision_id)
    before = audit.snapshot(decision)
    merged = {key: value for key, value in before.items() if key in DecisionIn.model_fields}
    merged.update(values)
    data = DecisionIn.parse(merged)
    _meeting(session, data.meeting_id)
    return gate.submit_one(session, actor, "decision", data.decision[:40], "programme", lambda: audit.changed(
        session, actor, "decision", decision, data.model_dump(), source, before=before))


def _meeting(session: Session, meeting_id: int) -> ReviewMeeting:
    meeting = session.get(ReviewMeeting, meeting_id)
    if meeting is None:
        raise refused("meeting_id", "no_meeting", id=meeting_id)
    return meeting


def _check_date_free(session: Session, held_on: date, own_id: int | None) -> None:
    other = session.exec(select(ReviewMeeting).where(ReviewMeeting.held_on == held_on)).first()
    if other is not None and other.id != own_id:
        raise refused("held_on", "meeting_date_taken", date=held_on, title=other.title)


# --- reads ---------------------------------------------------------------------------------------

def meetings(session: Session, until: date | None = None) -> list[dict]:
    """Review meetings held on or before `until` (all when None), newest first."""
    query = select(ReviewMeeting).order_by(ReviewMeeting.held_on.desc())
    if until is not None:
        query = query.where(ReviewMeeting.held_on <= until)
    return [m.model_dump() for m in session.exec(query)]


def decisions(session: Session, until: date | None = None) -> list[dict]:
    """Decisions of the meetings held on or before `until`, newest meeting first, each with its
    meeting's date and title. The status is today's: decisions carry no dated history."""
    query = (select(Decision, ReviewMeeting).join(ReviewMeeting, ReviewMeeting.id == Decision.meeting_id)
             .order_by(ReviewMeeting.held_on.desc(), Decision.id))
    if until is not None:
        query = query.where(ReviewMeeting.held_on <= until)
    return [{**decision.model_dump(), "meeting_held_on": meeting.held_on, "meeting_title": meeting.title}
            for decision, meeting in session.exec(query)]
