"""The one gate every write of a fact passes (DESIGN.md, "Writes go through one gate").

`submit` takes a plan (eet.write.plan): it checks every touched row against the actor's role and
organisation (eet.write.policy) and the monthly sign-offs (eet.write.signoffs), and only then runs
the plan's applier with the fact tables open (eet.write.guard). A refusal raises before anything is
written; an error while applying leaves the caller's transaction to be rolled back, as every door
does, so nothing is half-written.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from eet.accounts.access import Actor
from eet.write import guard, policy, signoffs
from eet.write.plan import Plan


def check(session: Session, actor: Actor, plan: Plan) -> None:
    """Raise AccessDenied or RuleError for the first touched row the actor may not write now."""
    for touch in plan.touches:
        policy.check(actor, touch)
    signoffs.check(session, plan.touches)


def submit(session: Session, actor: Actor, plan: Plan, writer=None) -> Any:
    """Check the plan, then apply it through `writer` (default: the session's, eet.entry.state.
    writer_of) and flush, so that the rows are written while the gate is open. Returns what the
    applier returns."""
    from eet.entry.writecache import cache_of

    check(session, actor, plan)
    if writer is None:
        from eet.entry.state import writer_of

        writer = writer_of(session)
    if cache_of(session) is None:
        # The writers' lock and a new data version for every write through the gate, audited or not
        # (the coalition's seeding): no cached figure outlives it, and it is never taken for a
        # change made outside eet (eet.store.outside). An import takes it when it writes.
        from eet.store.audit import bump_data_version

        bump_data_version(session)
    with guard.opened("gate"):
        result = plan.apply(writer)
        session.flush()
    return result


def write_staged(cache) -> None:
    """An import's rows, each checked by `submit` as it was staged, written in bulk
    (eet.entry.writecache.WriteCache.write)."""
    with guard.opened("gate: staged import"):
        cache.write()


def submit_one(session: Session, actor: Actor, table: str, name: str, rule, apply, **touch) -> Any:
    """A write of one row that belongs to no organisation's figures (a register, a cost parameter,
    a target, a meeting, a decision, a setting) or names its own (`touch`: before, after, reach,
    since, field of eet.write.plan.Touch). `apply()` takes no writer and returns the result."""
    from eet.write.plan import Touch

    return submit(session, actor, Plan([Touch(table, name, rule, **touch)], lambda writer: apply()))
