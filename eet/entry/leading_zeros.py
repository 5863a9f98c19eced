"""Refs and codes that Excel turned into numbers (issue 24): January's list had the dwelling `000345`,
March's list, opened and saved in Excel, has the number 345. An import never makes a new record of
such a value in silence.

For each ref or code of an import's rows that is all digits (a dwelling's ref, a participant's code,
an event's dwelling):
- known as it is written: nothing to say, unless ...
- one known ref or code of the actor's organisation differs from it only by leading zeros: the row
  is read as that one, with a warning naming the cell (and whether it was a number cell);
- several such: refused at the cell, naming them;
- none, and the cell was a number (`eet.entry.workbook.Number`): read as written, with a warning
  naming the cell, so a new record from a number cell is never silent.
Refs of other organisations are never named (issue 18): for this actor they do not exist.

Reads only (one query per entity: its all-digit refs); the rows are
returned with the ref or code replaced; warnings and errors go to the import's result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from eet.accounts.access import Actor
from eet.entry.state import DWELLING_ORGANISATIONS, PARTICIPANT_ORGANISATIONS, may_touch, orgs_of
from eet.store.models import Dwelling, Participant
from eet.texts.messages import Message, Term, message

# The fields of each kind's rows that name a dwelling or a participant.
KEYS = {"dwellings": {"ref": "dwelling"}, "participants": {"code": "participant"},
        "events": {"code": "participant", "dwelling_ref": "dwelling"}, "measurements": {"code": "participant"}}
_ENTITY = {"dwelling": (Dwelling, Dwelling.ref, DWELLING_ORGANISATIONS),
           "participant": (Participant, Participant.code, PARTICIPANT_ORGANISATIONS)}
DIGITS = "0123456789"


@dataclass(frozen=True)
class Found:
    """What an all-digit ref or code read in a cell is: `ref`, the one to use (None: the row is
    refused), and what is said at the cell (`said`, a warning; an error when `ref` is None)."""

    ref: str | None
    said: Message | None = None


def stripped(ref: str) -> str:
    return ref.lstrip("0") or "0"


def known_like(engine: Engine, entity: str, refs: Iterable[str], actor: Actor) -> dict[str, list[str]]:
    """The known refs (codes) of `entity` that the actor may touch, by their digits without leading
    zeros, for the all-digit `refs`: one scan for the known all-digit refs (`ltrim` by the digits
    leaves nothing of them, in SQLite and PostgreSQL alike), however long the list."""
    model, column, organisations = _ENTITY[entity]
    wanted = {stripped(ref) for ref in refs}
    found: dict[str, list[str]] = {}
    with Session(engine) as session:
        for row in session.execute(select(model).where(func.ltrim(column, DIGITS) == "")).scalars():
            ref = getattr(row, column.key)
            if ref and stripped(ref) in wanted and may_touch(actor, *orgs_of(row, organisations)):
                found.setdefault(stripped(ref), []).append(ref)
    return {key: sorted(refs) for key, refs in found.items()}


def decide(ref: str, number_cell: bool, known: dict[str, list[str]], cell: str, entity: str) -> Found:
    """What an all-digit `ref` read from `cell` (A2) is, given the known refs by their stripped digits."""
    alike = known.get(stripped(ref), [])
    what = Term("entity", entity)
    if ref in alike:
        return Found(ref)
    if len(alike) == 1:
        return Found(alike[0], message("zeros_matched", value=ref, cell=cell, known=alike[0], what=what))
    if len(alike) > 1:
        return Found(None, message("zeros_several", value=ref, cell=cell, known=alike, what=what))
    if number_cell:
        return Found(ref, message("number_cell_new", value=ref, cell=cell, what=what))
    return Found(ref)


def match(engine: Engine, kind: str, rows: list, columns: dict[str, str], letters: dict[str, str],
          actor: Actor, result) -> list:
    """`rows` (the import's parsed rows: `.number`, `.data`, `.numbers`) with every all-digit ref
    or code decided (`decide`); warnings and errors added to `result` at their row and column."""
    from eet.entry.import_result import Issue

    keys = KEYS.get(kind, {})
    digits = {entity: {getattr(row.data, field) for row in rows if row.data is not None
                       for field, of in keys.items() if of == entity and _digits(getattr(row.data, field))}
              for entity in set(keys.values())}
    known = {entity: known_like(engine, entity, refs, actor) for entity, refs in digits.items() if refs}
    if not known:
        return rows
    decided = []
    for row in rows:
        update = {}
        for field, entity in keys.items():
            value = getattr(row.data, field) if row.data is not None else None
            if not _digits(value) or entity not in known:
                continue
            spelt = columns.get(field)
            found = decide(value, field in row.numbers, known[entity], f"{letters.get(spelt, '?')}{row.number}", entity)
            if found.said is None:
                continue
            (result.errors if found.ref is None else result.warnings).append(Issue(row.number, spelt, found.said))
            if found.ref is None:
                row = type(row)(row.number, None, {})
                break
            if found.ref != value:
                update[field] = found.ref
        if update and row.data is not None:
            row = type(row)(row.number, row.data.model_copy(update=update), None, row.numbers)
        decided.append(row)
    return decided


def _digits(value: object) -> bool:
    return isinstance(value, str) and value.isdigit()
