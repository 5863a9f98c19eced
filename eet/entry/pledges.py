"""Recording a partner's pledge of dwellings (issue 23): from Beheer and `python -m eet import
pledges FILE` (spec/interfaces.md, "pledges"). Admin only.

A pledge is versioned, never updated: a row for a later `valid_from` replaces the partner's pledge
from that date (the earlier one still holds before it); a row for the same partner and date with
another number supersedes the recorded one, which is voided (kept, with who and why); the same
number again changes nothing. The write is one function, `record_pledge`: it first plans the rows
it touches (the superseded row, the new row) and then hands it to the write gate (eet.write), which
applies it with its audit records in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator
from sqlmodel import Session, select

from eet.accounts.access import Actor, require_role
from eet.entry.schemas import InputModel, PastDate, Refusal
from eet.entry.state import find_organisation
from eet.store import audit
from eet.store.contents import is_demo
from eet.store.models import Pledge, utcnow
from eet.write import gate

Outcome = Literal["created", "changed", "unchanged"]
PLEDGING = ("municipality", "housing_corporation")  # who pledges dwellings (spec: partner)
SUPERSEDED = "superseded"  # the void reason of a pledge replaced for the same date (a page says it in words)


class PledgeIn(InputModel):
    """One pledge as a form, an import row or a script sends it: the partner by name, the number
    of dwellings (a whole number >= 0) and the date it is valid from (not in the future). The
    lead's column names `organisation` and `pledged` are read too."""

    partner: str = Field(validation_alias=AliasChoices("partner", "organisation"))
    dwellings: int = Field(validation_alias=AliasChoices("dwellings", "pledged"))
    valid_from: PastDate

    @field_validator("dwellings")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise Refusal("pledge_not_negative")
        return value


@dataclass(frozen=True)
class PledgePlan:
    """What `record_pledge` will write: the outcome, the new row's values (None: nothing) and the
    recorded row it supersedes (voided), if any."""

    outcome: Outcome
    new: dict[str, Any] | None
    supersedes: Pledge | None


def record_pledge(session: Session, actor: Actor, data: PledgeIn, source: str = "form",
                  reason: str = SUPERSEDED) -> Outcome:
    """Plan the rows this pledge touches, then apply them with their audit records (no commit).
    AccessDenied for anyone but the admin; RuleError on `partner` for a name that is no
    municipality or housing corporation."""
    require_role(actor, "admin")
    org = find_organisation(session, data.partner, "partner", *PLEDGING)
    # --- the plan: the rows it touches, before anything is written ---
    same_day = session.exec(select(Pledge).where(
        Pledge.organisation_id == org.id, Pledge.valid_from == data.valid_from, Pledge.voided_at.is_(None))
        .order_by(Pledge.id.desc())).first()
    values = {"organisation_id": org.id, "dwellings": data.dwellings, "valid_from": data.valid_from,
              "recorded_by": actor.username, "is_demo": is_demo(session)}
    if same_day is not None and same_day.dwellings == data.dwellings:
        plan = PledgePlan("unchanged", None, None)
    else:
        plan = PledgePlan("changed" if same_day is not None else "created", values, same_day)
    if plan.outcome == "unchanged":
        return plan.outcome

    def apply() -> None:
        if plan.supersedes is not None:
            before = audit.snapshot(plan.supersedes)
            plan.supersedes.voided_at, plan.supersedes.voided_by = utcnow(), actor.username
            plan.supersedes.void_reason = reason[:500]
            session.add(plan.supersedes)
            session.flush()
            audit.record(session, actor, "void", "pledge", plan.supersedes.id, before,
                         audit.snapshot(plan.supersedes), source)
        audit.created(session, actor, "pledge", Pledge(**plan.new), source)
    # Through the write gate: the admin's, and closed where the partner signed off a month whose
    # pledge figures it would change (from its date on).
    gate.submit_one(session, actor, "pledge", org.name, "programme", apply, reach=frozenset({org.id}),
                    since=data.valid_from, field="valid_from")
    return plan.outcome


def save_pledge(session: Session, actor: Actor, values: dict[str, Any], source: str = "form") -> str:
    """Beheer's form: the pledge from the form's values; returns "<partner>: <n> from <date>"."""
    data = PledgeIn.parse(values)
    record_pledge(session, actor, data, source)
    return f"{data.partner}: {data.dwellings} ({data.valid_from.isoformat()})"


def import_pledge(session: Session, actor: Actor, data: PledgeIn, source: str = "import") -> Outcome:
    """One row of `import pledges FILE`."""
    return record_pledge(session, actor, data, source)


def pledge_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every pledge, voided ones included (marked), newest first, for Beheer: partner, dwellings,
    valid_from, recorded_at/by, voided_at/by/void_reason. Admin only."""
    require_role(actor, "admin")
    from eet.store.models import Organisation

    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    rows = session.exec(select(Pledge).order_by(Pledge.valid_from.desc(), Pledge.id.desc())).all()
    return [{"partner": names.get(p.organisation_id), "dwellings": p.dwellings, "valid_from": p.valid_from,
             "recorded_at": p.recorded_at, "recorded_by": p.recorded_by, "voided_at": p.voided_at,
             "voided_by": p.voided_by, "void_reason": p.void_reason} for p in rows]


__all__ = ["PLEDGING", "SUPERSEDED", "PledgeIn", "PledgePlan", "record_pledge", "save_pledge", "import_pledge", "pledge_rows",
           "date"]
