"""What a write touches, before it writes: the gate's input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Literal

# Who may write a row, by the kind of row (eet.write.policy says what each means).
Rule = Literal["rows", "measurement", "programme", "registers", "sign_off", "reopen"]


@dataclass(frozen=True)
class Touch:
    """One row a write creates, changes or voids.

    - `table`, `name`: the table and how a person knows the row ("UTR-0060", "P-0105", "stap #307").
    - `rule`: who may write it (eet.write.policy).
    - `before`, `after`: the organisation ids the row belongs to before and after the write (empty
      for a row that does not exist on that side); `rule` "rows" needs the actor's organisation in
      each side that exists.
    - `reach`: every organisation whose figures the write changes (before and after, and those of
      linked rows: a move-in's dwelling); their sign-offs are checked.
    - `since`: the first date whose figures change (the old or the new date, whichever is first);
      None for a row no dated figure reads.
    - `field`: the form field a refusal is tied to.
    """

    table: str
    name: str
    rule: Rule
    before: tuple[int, ...] = ()
    after: tuple[int, ...] = ()
    reach: frozenset[int] = frozenset()
    since: date | None = None
    field: str = "date"


def organisations(*ids: int | None) -> tuple[int, ...]:
    """The ids that name an organisation (None left out), in order, each once."""
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def earliest(*days: date | None) -> date | None:
    present = [d for d in days if d is not None]
    return min(present) if present else None


@dataclass
class Plan:
    """The rows a write touches and the applier that writes them (with their audit records).
    `apply` takes the writer (eet.entry.state.OrmWriter, or an import's write cache) and returns
    what the door reports."""

    touches: list[Touch]
    apply: Callable[[Any], Any]
    notes: dict[str, Any] = field(default_factory=dict)
