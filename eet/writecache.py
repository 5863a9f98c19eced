"""What the services look up for a write (dwellings by ref, participants by code, their dated
history), read once and held for one transaction, so that an import of thousands of rows does not
ask the database the same questions per row.

Only the lookups live here; every rule stays in `eet.services`, which reads through this cache
when a session carries one (`session.info["write_cache"]`) and keeps it up to date as it writes.
Each change is logged, so a row that fails inside its savepoint can be undone here too.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from contextlib import contextmanager
from typing import Callable, Iterator

from sqlmodel import Session, select

from .models import Dwelling, DwellingStatusChange, Participant, ParticipantEvent

KEY = "write_cache"


class WriteCache:
    def __init__(self) -> None:
        self.dwellings: dict[str, Dwelling] = {}
        self.participants: dict[str, Participant] = {}
        self.changes: dict[int, list[DwellingStatusChange]] = defaultdict(list)
        self.events: dict[int, list[ParticipantEvent]] = defaultdict(list)
        self.housed_in: dict[int, set[int]] = defaultdict(set)  # dwelling id -> participant ids
        self._undo: list[Callable[[], None]] = []

    @classmethod
    def load(cls, session: Session) -> "WriteCache":
        cache = cls()
        for dwelling in session.exec(select(Dwelling)):
            cache.dwellings[dwelling.ref] = dwelling
        for participant in session.exec(select(Participant)):
            cache.participants[participant.code] = participant
        for change in session.exec(select(DwellingStatusChange).where(DwellingStatusChange.voided_at.is_(None))
                                   .order_by(DwellingStatusChange.effective_on, DwellingStatusChange.id)):
            cache.changes[change.dwelling_id].append(change)
        for event in session.exec(select(ParticipantEvent).where(ParticipantEvent.voided_at.is_(None))
                                  .order_by(ParticipantEvent.occurred_on, ParticipantEvent.id)):
            cache.events[event.participant_id].append(event)
            if event.kind == "housed":
                cache.housed_in[event.dwelling_id].add(event.participant_id)
        cache._undo.clear()
        return cache

    # --- kept up to date by the services as they write --------------------------------------

    def add_dwelling(self, dwelling: Dwelling) -> None:
        self.dwellings[dwelling.ref] = dwelling
        self._undo.append(lambda: self.dwellings.pop(dwelling.ref, None))

    def add_participant(self, participant: Participant) -> None:
        self.participants[participant.code] = participant
        self._undo.append(lambda: self.participants.pop(participant.code, None))

    def add_change(self, change: DwellingStatusChange) -> None:
        history = self.changes[change.dwelling_id]
        insort(history, change, key=lambda c: (c.effective_on, c.id))
        self._undo.append(lambda: history.remove(change))

    def add_event(self, event: ParticipantEvent) -> None:
        history = self.events[event.participant_id]
        insort(history, event, key=lambda e: (e.occurred_on, e.id))
        self._undo.append(lambda: history.remove(event))
        if event.kind == "housed":
            occupants = self.housed_in[event.dwelling_id]
            if event.participant_id not in occupants:
                occupants.add(event.participant_id)
                self._undo.append(lambda: occupants.discard(event.participant_id))

    def forget_event(self, event: ParticipantEvent) -> None:
        """A voided event and the status changes it made leave the history."""
        history = self.events.get(event.participant_id, [])
        if event in history:
            history.remove(event)
            self._undo.append(lambda: insort(history, event, key=lambda e: (e.occurred_on, e.id)))
        for changes in self.changes.values():
            for change in [c for c in changes if c.event_id == event.id]:
                changes.remove(change)
                self._undo.append(lambda c=change, h=changes: insort(h, c, key=lambda x: (x.effective_on, x.id)))

    # --- one row at a time ---------------------------------------------------------------------

    @contextmanager
    def row(self) -> Iterator[None]:
        """Undo what this block added here when it raises (its savepoint is rolled back too)."""
        mark = len(self._undo)
        try:
            yield
        except BaseException:
            while len(self._undo) > mark:
                self._undo.pop()()
            raise
        del self._undo[mark:]


def cache_of(session: Session) -> WriteCache | None:
    return session.info.get(KEY)


@contextmanager
def cached_writes(session: Session) -> Iterator[WriteCache]:
    """Hold a cache for the writes in this block; the block owns the transaction."""
    cache = WriteCache.load(session)
    session.info[KEY] = cache
    try:
        yield cache
    finally:
        session.info.pop(KEY, None)
