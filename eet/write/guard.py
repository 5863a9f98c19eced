"""The tables of facts are written through the gate only.

A listener on every engine refuses an INSERT, UPDATE or DELETE of a fact table (`FACT_TABLES`)
unless the gate is applying a checked plan in this thread (`opened`), or the store itself is
migrating, restoring a backup or removing the demo (`maintenance`). So a new door that forgets the
gate fails at its first write, in its first test, instead of writing around the checks. SQL typed by
hand (text, psql, sqlite3) is outside eet and not seen here: eet.figures.timeline notices it.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import UpdateBase

# Every table whose rows are facts a figure, a sign-off or a meeting reads.
FACT_TABLES = frozenset({
    "dwelling", "dwelling_version", "dwelling_status_change", "participant", "participant_version",
    "participant_event", "measurement", "organisation", "organisation_version", "cost_parameter", "target",
    "month_sign_off", "review_meeting", "decision", "bottleneck", "factor", "setting",
})

_OPEN: ContextVar[str | None] = ContextVar("eet_write_gate", default=None)


class GateClosed(RuntimeError):
    """A fact table was written without the gate: a programming error, never a user's."""


@contextmanager
def opened(why: str) -> Iterator[None]:
    """The fact tables open for writing in this block (the gate's appliers, the store's maintenance)."""
    token = _OPEN.set(why)
    try:
        yield
    finally:
        _OPEN.reset(token)


def maintenance(why: str):
    """For the store's own work that is no write of a fact by an actor: a migration, restoring a
    backup, removing the demo, loading a synthetic history in bulk, a test emptying its database."""
    return opened(f"maintenance: {why}")


def is_open() -> bool:
    return _OPEN.get() is not None


@event.listens_for(Engine, "before_execute")
def _refuse_outside_gate(conn, clauseelement, multiparams, params, execution_options) -> None:
    if isinstance(clauseelement, UpdateBase) and _OPEN.get() is None:
        table = getattr(clauseelement, "table", None)
        name = getattr(table, "name", None)
        if name in FACT_TABLES:
            raise GateClosed(f"{type(clauseelement).__name__.lower()} of table {name!r} outside eet.write.gate")
