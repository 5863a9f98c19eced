"""What can follow (issue 23): the steps a form offers for a participant, the dwellings a match may
name, and a sentence saying where the participant stands and what can be recorded next
("P-0003 woont sinds 01-12-2020 in UTR-0055: leg eerst de uitstroom vast").

The step a participant is at is the by-name list's (eet.figures.worklist) on the day asked; FOLLOWS
says which kinds of step the route (eet.entry.route) accepts after it: a match only for someone
eligible and not housed (or after an exit), a move-in only for someone matched (into the matched
dwelling), an exit only for someone housed, nothing after a withdrawal. The route still decides
every write; this only keeps a form from offering what it would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import Actor, row_scope
from eet.entry import services
from eet.entry.schemas import refused
from eet.entry.state import PARTICIPANT_ORGANISATIONS, orgs_of
from eet.figures import worklist as wl
from eet.figures.query import DWELLING, EVENT, DwellingFilter, known_at_of, live
from eet.figures.timeline import day_number, timeline_of
from eet.store.models import DWELLING_STATUSES
from eet.texts.messages import Message

# The kinds of step that can follow the step a participant is at, the one usually due first.
FOLLOWS: dict[str, tuple[str, ...]] = {
    "referred": ("assessed", "withdrawn"),
    "eligible": ("matched", "assessed", "withdrawn"),
    "not_eligible": ("assessed", "withdrawn"),
    "matched": ("housed", "matched", "assessed", "withdrawn"),
    "housed": ("exited",),
    "exited": ("matched", "assessed"),
    "withdrawn": (),
}
_AVAILABLE = DWELLING_STATUSES.index("available")
# The sentence (msg.<key>) that says where someone at each step stands and what can follow.
SITUATION = {"referred": "next_referred", "eligible": "next_eligible", "not_eligible": "next_not_eligible",
             "matched": "next_matched", "housed": "next_housed", "exited": "next_exited",
             "withdrawn": "next_withdrawn"}


@dataclass(frozen=True)
class NextSteps:
    code: str
    step: str  # wl.STEPS
    since: date
    dwelling_ref: str | None  # matched to or living in
    kinds: tuple[str, ...]  # FOLLOWS[step]
    situation: Message  # msg.next_<step>: where they stand and what can follow


def next_steps(session: Session, actor: Actor, code: str, on: date) -> NextSteps:
    """Where the participant `code` stands on `on` and what can follow. Refused on `code` for an
    unknown code; AccessDenied for a participant not of the actor's organisation (or a viewer)."""
    row_scope(actor)
    participant = services.participant_by_code(session, code)
    if participant is None:
        raise refused("code", "no_participant", code=code)
    services.require_org(actor, *orgs_of(participant, PARTICIPANT_ORGANISATIONS))
    rows = wl.worklist(session, actor, on, code=code)
    if rows:
        row = rows[0]
        step, since, ref = row.step, row.since, row.dwelling_ref
    else:  # referred after `on`: only what follows a referral
        step, since, ref = "referred", participant.referred_on, None
    params = {"code": code, "date": since, **({"ref": ref} if ref else {})}
    return NextSteps(code, step, since, ref, FOLLOWS[step], Message(SITUATION[step], params))


def match_choices(session: Session, actor: Actor, on: date) -> list[str]:
    """Refs of the dwellings a match on `on` may name: of the actor's organisation (all for the
    admin), available on `on`, and not matched to anyone since they became available. In order."""
    own = row_scope(actor)
    timeline = timeline_of(session)
    homes = timeline.dwellings
    day = day_number(on)
    holding = homes.status.at(day) & (homes.status.kind == _AVAILABLE)
    owner, since = homes.status.owner[holding], homes.status.start[holding]
    scope = timeline.dwelling_scope(DwellingFilter(organisation_id=own))
    if scope is not None:
        keep = scope[owner]
        owner, since = owner[keep], since[keep]
    if not len(owner):
        return []
    ids = homes.id[owner]
    from eet.figures.histories import day_of

    matched = dict(session.execute(
        select(EVENT.dwelling_id, func.max(day_of(EVENT.occurred_on)))
        .where(live(EVENT, known_at_of(session)), EVENT.kind == "matched", EVENT.occurred_on <= on,
               EVENT.dwelling_id.in_(ids.tolist()))
        .group_by(EVENT.dwelling_id)).all())
    free = [int(i) for i, start in zip(ids.tolist(), since.tolist()) if matched.get(i, -1) < start]
    refs = dict(session.execute(select(DWELLING.id, DWELLING.ref).where(DWELLING.id.in_(free))).all()) if free else {}
    return sorted(refs.values())


def free_ref(session: Session, actor: Actor) -> str:
    """A ref to propose for a new dwelling, not in use: the prefix of the actor's latest dwelling
    (`UTR` of `UTR-0070`; `WON` without one) with the first number after the highest in use
    (eet.entry.data_entry's batch numbering)."""
    from eet.entry.data_entry import _scope, batch_refs
    from eet.store.models import Dwelling

    latest = session.execute(select(Dwelling.ref).where(*_scope(actor, Dwelling))
                             .order_by(Dwelling.id.desc()).limit(1)).scalar()
    prefix = latest.rsplit("-", 1)[0] if latest and "-" in latest else "WON"
    return batch_refs(session, prefix, 1)[0]


__all__ = ["FOLLOWS", "NextSteps", "next_steps", "match_choices", "free_ref"]
