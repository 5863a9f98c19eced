"""An import's picture of the data and its pending writes, for one transaction.

The services (`eet.entry.services`) decide each write against a *state*: the dwellings by ref, the
participants by code, their dated status changes and events. A form's state is the database
itself (`services.SessionState`). An import's state is this cache: read once when the import
starts, then kept in memory, and every decided row is *staged* here (the cache's copy is updated at
once, so row 50 of a file sees row 10) instead of written. Only when every row of the file was
decided without an error does `write()` put the staged rows into the database in bulk: a few
executemany statements per table, the audit records included, in the caller's one transaction.

Nothing here decides anything; every rule stays in `eet.entry.services`, which reads through the state
and stages through the same calls (`insert`, `update`, `audit`, `snapshot`) as its ORM writer for
the forms, so a form and an import write the same rows and the same audit records.

Ids: a staged row gets its real id at once, so links (an event's status change, an audit record's
entity) are right when written. On PostgreSQL they are taken from the table's sequence in blocks
(`nextval`), on SQLite they follow the highest id in use: the import holds the write lock from its
start (the data version's row), so nobody else inserts in between.
"""

from __future__ import annotations

import json
from bisect import insort
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from typing import Any, Iterable, Iterator

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, func, select, text
from sqlmodel import Session, SQLModel

from eet.accounts.access import Actor
from eet.store.models import VERSIONED, AuditRecord, Dwelling, DwellingStatusChange, Participant, ParticipantEvent, utcnow

KEY = "write_cache"
CHUNK = 5000  # rows per executemany


# --- rows in memory ------------------------------------------------------------------------------

def set_values(row, changed: dict[str, Any], bump_version: bool) -> None:
    """An update as both writers (the ORM's and this cache's) make it: the changed values, and the
    version moved on when the change is one a form opened before it must be told of."""
    for key, value in changed.items():
        setattr(row, key, value)
    if bump_version:
        row.version += 1


class Record:
    """A row of a table as plain attributes (the model's field names), lighter than a SQLModel
    object; the services read it as they read the ORM's."""

    __slots__ = ()
    fields: tuple[str, ...] = ()
    model: type[SQLModel]

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.fields}


def _record_type(model: type[SQLModel]) -> type[Record]:
    fields = tuple(model.model_fields)
    return type(f"{model.__name__}Record", (Record,), {"__slots__": fields, "fields": fields, "model": model})


RECORDS: dict[type[SQLModel], type[Record]] = {
    model: _record_type(model) for model in (Dwelling, DwellingStatusChange, Participant, ParticipantEvent)}
# Insert order: an event names its dwelling and participant, a status change its event.
WRITE_ORDER = (Dwelling, Participant, ParticipantEvent, DwellingStatusChange)


def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The model's plain defaults, and the fields whose default is made per row (utcnow)."""
    plain, made = {}, []
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            made.append(name)
        else:
            plain[name] = None if info.default is PydanticUndefined else info.default
    return plain, tuple(made)


DEFAULTS = {model: _defaults(model) for model in RECORDS}


def _new_record(model: type[SQLModel], values: dict[str, Any]) -> Record:
    plain, made = DEFAULTS[model]
    record = object.__new__(RECORDS[model])
    for name, value in plain.items():
        setattr(record, name, value)
    for name in made:
        setattr(record, name, model.model_fields[name].default_factory())
    for name, value in values.items():
        setattr(record, name, value)
    return record


def _load(conn, model: type[SQLModel], *where, order_by=()) -> list[Record]:
    cls = RECORDS[model]
    table = model.__table__
    fields = cls.fields
    rows = conn.execute(select(*[table.c[name] for name in fields]).where(*where).order_by(*order_by))
    records = []
    for row in rows:
        record = object.__new__(cls)
        for name, value in zip(fields, row):
            setattr(record, name, value)
        records.append(record)
    return records


def _plain(value: Any) -> Any:  # as eet.store.audit.snapshot writes dates
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _json(values: dict | None) -> str | None:
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values is not None else None


class _Ids:
    """Ids for a table's new rows, ascending in the order they are asked for."""

    def __init__(self, conn, model: type[SQLModel]) -> None:
        self.conn, self.table = conn, model.__table__.name
        self.postgres = conn.dialect.name == "postgresql"
        self.free: list[int] = []
        self.block = 100
        if self.postgres:
            self.sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": self.table}).scalar()
        else:
            self.next = (conn.execute(select(func.max(model.__table__.c.id))).scalar() or 0) + 1

    def take(self) -> int:
        if not self.postgres:
            self.next += 1
            return self.next - 1
        if not self.free:
            # Reserved ids of a dry run or a refused file stay unused, as ids of rolled-back rows do.
            self.free = sorted(self.conn.execute(text("SELECT nextval(:s) FROM generate_series(1, :n)"),
                                                 {"s": self.sequence, "n": self.block}).scalars(), reverse=True)
            self.block = min(self.block * 4, 10_000)
        return self.free.pop()


class WriteCache:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.demo: bool = session.info.get("demo", False)
        self.dwellings: dict[str, Record] = {}
        self.dwellings_by_id: dict[int, Record] = {}
        self.participants: dict[str, Record] = {}
        self.participants_by_id: dict[int, Record] = {}
        self._changes: dict[int, list[Record]] = defaultdict(list)  # dwelling id -> its changes in order
        self._events: dict[int, list[Record]] = defaultdict(list)  # participant id -> their events in order
        self.housed_in: dict[int, set[int]] = defaultdict(set)  # dwelling id -> participant ids
        # Staged writes: new rows per table, changed known rows per table, audit records.
        self._new: dict[type[SQLModel], list[Record]] = {model: [] for model in WRITE_ORDER}
        self._new_ids: dict[type[SQLModel], set[int]] = {model: set() for model in WRITE_ORDER}
        self._changed: dict[type[SQLModel], dict[int, Record]] = {model: {} for model in WRITE_ORDER}
        self._changed_fields: dict[type[SQLModel], set[str]] = {model: set() for model in WRITE_ORDER}
        self._audit: list[tuple] = []
        self._ids: dict[type[SQLModel], _Ids] = {}
        # Versions of details (eet.write.versions): per version table, the entities whose live version
        # in the database is voided (id -> (moment, by, why)), and the new versions, in order.
        self._voided_live: dict[type[SQLModel], dict[int, tuple]] = defaultdict(dict)
        self._versions: dict[type[SQLModel], dict[int, list[dict]]] = defaultdict(dict)

    @classmethod
    def load(cls, session: Session) -> "WriteCache":
        cache = cls(session)
        conn = session.connection()
        for dwelling in _load(conn, Dwelling):
            cache.dwellings[dwelling.ref] = cache.dwellings_by_id[dwelling.id] = dwelling
        for participant in _load(conn, Participant):
            cache.participants[participant.code] = cache.participants_by_id[participant.id] = participant
        for change in _load(conn, DwellingStatusChange, DwellingStatusChange.voided_at.is_(None),
                            order_by=(DwellingStatusChange.effective_on, DwellingStatusChange.id)):
            cache._changes[change.dwelling_id].append(change)
        for event in _load(conn, ParticipantEvent, ParticipantEvent.voided_at.is_(None),
                           order_by=(ParticipantEvent.occurred_on, ParticipantEvent.id)):
            cache._events[event.participant_id].append(event)
            if event.kind == "housed":
                cache.housed_in[event.dwelling_id].add(event.participant_id)
        return cache

    # --- the state the services decide against (as services.SessionState) ----------------------

    def dwelling(self, ref: str) -> Record | None:
        return self.dwellings.get(ref)

    def participant(self, code: str) -> Record | None:
        return self.participants.get(code)

    def dwelling_by_id(self, dwelling_id: int) -> Record | None:
        return self.dwellings_by_id.get(dwelling_id)

    def participant_by_id(self, participant_id: int) -> Record | None:
        return self.participants_by_id.get(participant_id)

    def changes(self, dwelling_id: int) -> list[Record]:
        return list(self._changes.get(dwelling_id, ()))

    def events(self, participant_id: int) -> list[Record]:
        return list(self._events.get(participant_id, ()))

    def housed_candidates(self, dwelling_id: int, on: date) -> list[int]:
        """Everyone who ever moved into the dwelling (the caller checks who lives there on `on`)."""
        return sorted(self.housed_in.get(dwelling_id, ()))

    def later_move_ins(self, dwelling_id: int, participant_id: int, on: date) -> list[Record]:
        return [e for pid in self.housed_in.get(dwelling_id, ()) if pid != participant_id
                for e in self._events.get(pid, ()) if e.kind == "housed" and e.dwelling_id == dwelling_id
                and e.occurred_on > on]

    # --- staging: the writer the services write through when an import holds this cache --------

    def insert(self, model: type[SQLModel], **values: Any) -> Record:
        ids = self._ids.get(model)
        if ids is None:
            ids = self._ids[model] = _Ids(self.session.connection(), model)
        record = _new_record(model, {**values, "id": ids.take()})
        self._new[model].append(record)
        self._new_ids[model].add(record.id)
        if model is Dwelling:
            self.dwellings[record.ref] = self.dwellings_by_id[record.id] = record
        elif model is Participant:
            self.participants[record.code] = self.participants_by_id[record.id] = record
        elif model is DwellingStatusChange:
            insort(self._changes[record.dwelling_id], record, key=lambda c: (c.effective_on, c.id))
        elif model is ParticipantEvent:
            insort(self._events[record.participant_id], record, key=lambda e: (e.occurred_on, e.id))
            if record.kind == "housed":
                self.housed_in[record.dwelling_id].add(record.participant_id)
        return record

    def update(self, row: Record, changed: dict[str, Any], bump_version: bool) -> None:
        set_values(row, changed, bump_version)
        model = row.model
        if row.id not in self._new_ids[model]:  # a new row is written with its latest values
            self._changed[model][row.id] = row
            self._changed_fields[model].update(changed)
            if bump_version:
                self._changed_fields[model].add("version")

    def supersede(self, model: type[SQLModel], id_column: str, entity_id: int, values: dict[str, Any],
                  by: str, reason: str) -> None:
        """Stage a new version of an entity's details, voiding the one live until now (staged in
        this import, or in the database) at the same moment."""
        now = utcnow()
        staged = self._versions[model].setdefault(entity_id, [])
        if staged:
            staged[-1].update(voided_at=now, voided_by=by, void_reason=reason)
        else:
            self._voided_live[model][entity_id] = (now, by, reason)
        staged.append({id_column: entity_id, **values, "recorded_at": now, "recorded_by": by,
                       "voided_at": None, "voided_by": None, "void_reason": None})

    def audit(self, actor: Actor, action: str, entity: str, row: Record, before: dict | None,
              after: dict | None, source: str | None) -> None:
        self._audit.append((actor.username, actor.role, action, entity, row.id, source, _json(before),
                            _json(after), utcnow()))

    @staticmethod
    def snapshot(row: Record) -> dict[str, Any]:
        return {name: _plain(getattr(row, name)) for name in row.fields}

    def forget_event(self, event) -> None:
        """A voided event and the status changes it made leave the history."""
        history = self._events.get(event.participant_id, [])
        for index, existing in enumerate(history):
            if existing.id == event.id:
                del history[index]
                break
        for changes in self._changes.values():
            changes[:] = [c for c in changes if c.event_id != event.id]

    # --- the bulk write ------------------------------------------------------------------------

    def write(self) -> None:
        """Everything staged, in bulk, into the session's transaction."""
        conn = self.session.connection()
        for model in WRITE_ORDER:
            table = model.__table__
            _executemany(conn, table.insert(), (record.values() for record in self._new[model]))
            changed, fields = self._changed[model], sorted(self._changed_fields[model])
            if changed and fields:
                statement = (table.update().where(table.c.id == bindparam("_id"))
                             .values({name: bindparam(f"_{name}") for name in fields}))
                _executemany(conn, statement, ({"_id": row.id, **{f"_{name}": getattr(row, name) for name in fields}}
                                               for row in changed.values()))
        for model, voided in self._voided_live.items():
            table = model.__table__
            id_column = VERSIONED[table.name.removesuffix("_version")][0]
            statement = (table.update().where(table.c[id_column] == bindparam("_entity"), table.c.voided_at.is_(None))
                         .values(voided_at=bindparam("_at"), voided_by=bindparam("_by"),
                                 void_reason=bindparam("_why")))
            _executemany(conn, statement, ({"_entity": e, "_at": at, "_by": by, "_why": why}
                                           for e, (at, by, why) in voided.items()))
            _executemany(conn, table.insert(), (v for versions in self._versions[model].values() for v in versions))
        self._voided_live.clear()
        self._versions.clear()
        names = ("actor", "role", "action", "entity", "entity_id", "source", "before", "after", "at")
        _executemany(conn, AuditRecord.__table__.insert(), (dict(zip(names, entry)) for entry in self._audit))
        for model in WRITE_ORDER:
            self._new[model].clear()
            self._new_ids[model].clear()
            self._changed[model].clear()
            self._changed_fields[model].clear()
        self._audit.clear()


def _executemany(conn, statement, rows: Iterable[dict]) -> None:
    """In chunks, each built when it is sent, so that 100,000 rows are never all dicts at once."""
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        conn.execute(statement, chunk)


def cache_of(session: Session) -> WriteCache | None:
    return session.info.get(KEY)


@contextmanager
def cached_writes(session: Session) -> Iterator[WriteCache]:
    """Decide against a cache and stage the writes in this block; the caller calls `write()` (or
    rolls back) and owns the transaction."""
    cache = WriteCache.load(session)
    session.info[KEY] = cache
    try:
        yield cache
    finally:
        session.info.pop(KEY, None)
