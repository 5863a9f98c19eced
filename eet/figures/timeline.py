"""One timeline per database, data version and moment K: the histories (eet.figures.histories)
kept in memory and in a file, and patched after a write (issue 15).

A national history takes about a second to read; every figure at a date then takes milliseconds.
So a timeline is read once per data version and K, kept in this process (a few at a time) and, as
known now, in a file beside the database (eet.figures.timeline_file), so that the next process
(`python -m eet report`) need not read it again. A later write through eet patches only the
participants and dwellings the audit trail names since the timeline was read, so the figures after
a form write cost no more than a new date; anything the audit trail cannot place (a restore, a bulk
load, an unknown kind of row, more than PATCH_LIMIT records) reads everything again. A timeline is
never changed once made: a patched one is a new object, so a page drawing from the old one is not
disturbed.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from eet.figures import timeline_file
from eet.write import guard
from eet.store import outside
from eet.figures.histories import (
    EPOCH, NEVER, DwellingHistory, Intervals, ParticipantHistory, Timeline, day_number, read_histories,
    read_dwellings, read_participants,
)
from eet.figures.query import CHANGE, EVENT, known_at_of
from eet.store.models import AuditRecord, DataVersion, Measurement

# Audit entities whose rows a patch re-reads; writes of these kinds change no history here.
PATCHED = {"participant": "participant", "participant_event": "event", "measurement": "measurement",
           "dwelling": "dwelling", "dwelling_status_change": "change"}
REFRESH = "timeline"  # an audit entity no patch can place: every process reads everything again
UNRELATED = {"cost", "cost_parameter", "bottleneck", "factor", "pledge", "review_meeting", "decision",
             "month_sign_off", "setting", "target", "user", "organisation", "session", "sign_in_failure",
             "user_session", "access_token"}
PATCH_LIMIT = 2000  # audit records beyond which reading everything again is cheaper


# --- one timeline per database, data version and K ------------------------------------------------

SEEN_KEY = "timeline_seen"
_CACHE: "OrderedDict[tuple, Timeline]" = OrderedDict()
_CACHE_SIZE = 4
_BUILDING: dict[tuple, threading.Lock] = {}
_CACHE_LOCK = threading.Lock()
# Bumped by every forget: a timeline read while its database was forgotten (SQL typed by hand
# committed during the read) is neither kept nor written to file, as it may hold the old rows.
_GENERATION: dict[str | None, int] = {}  # None: every database's


def _generation(url: str) -> tuple[int, int]:
    return _GENERATION.get(None, 0), _GENERATION.get(url, 0)


def timeline_of(session: Session) -> Timeline:
    """The histories as the session sees them, as known at the session's K. Kept per database, K
    and data version; a session that has written in its open transaction gets its own (never kept),
    as what it sees is not yet the data version's."""
    known = known_at_of(session)
    if session.info.get("data_version_bumped") or session.new or session.dirty or session.deleted:
        return _read(session, known, stamp=None)
    # Within one transaction of the session the answer stays the same: asked once (a report asks
    # for it a dozen times).
    seen = session.info.setdefault(SEEN_KEY, {})
    transaction = session.get_transaction()
    if transaction is not None and known in seen and seen[known][0] is transaction:
        return seen[known][1]
    stamp, changed_outside = _stamp(session)
    if changed_outside:  # SQL typed by hand since eet last wrote: read as it is now, keep nothing
        return _read(session, known, stamp=None)  # (eet.store.outside: the next page run catches up)
    timeline = _timeline_at(session, known, stamp)
    seen[known] = (session.get_transaction(), timeline)
    return timeline


def _timeline_at(session: Session, known, stamp: tuple) -> Timeline:
    url = str(session.get_bind().url)
    key = (url, known)
    with _CACHE_LOCK:
        kept = _CACHE.get(key)
        if kept is not None and kept.stamp == stamp:
            _CACHE.move_to_end(key)
            return kept
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # one reader per key reads; the others wait for it
        with _CACHE_LOCK:
            kept = _CACHE.get(key)
        if kept is not None and kept.stamp == stamp:
            return kept
        with _CACHE_LOCK:
            generation = _generation(url)
        if kept is None and known is None:  # a new process: start from the file, if one is kept
            kept = timeline_file.load(url)
        fresh = kept if kept is not None and kept.stamp == stamp else None
        if fresh is None and kept is not None:
            fresh = _patched(session, kept, stamp, known)
        if fresh is None:
            fresh = _read(session, known, stamp)
            if known is None:  # a patched one is not written: the next process patches the file's
                _save_later(url, fresh, generation)
        with _CACHE_LOCK:
            if _generation(url) != generation:
                return fresh  # forgotten while it was read: good for this question only
            _CACHE[key] = fresh
            _CACHE.move_to_end(key)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return fresh


_SAVING: list[threading.Thread] = []


def _save_later(url: str, fresh: Timeline, generation: tuple[int, int]) -> None:
    """Write the timeline's file in a thread of its own: the page that read it need not wait for
    the disk (the process waits for it before it exits). Not written when the database was
    forgotten since `generation` was taken; forget_timelines waits for a write already begun."""
    def save() -> None:
        with _CACHE_LOCK:
            if _generation(url) != generation:
                return
        timeline_file.save(url, fresh)

    thread = threading.Thread(target=save, name="eet-timeline-file")
    with _CACHE_LOCK:
        _SAVING[:] = [t for t in _SAVING if t.is_alive()] + [thread]
    thread.start()


def files_written() -> None:
    """Wait until every timeline file being written is written (tests)."""
    with _CACHE_LOCK:
        pending = list(_SAVING)
    for thread in pending:
        thread.join()


# A write to the histories' tables that does not bump the data version (SQL typed by hand through
# SQLAlchemy in this process, a test's fixture) makes every kept timeline of that database be read
# again after its commit. eet's own writes bump the version and are patched instead. A change made
# outside eet altogether (psql, sqlite3) leaves no trace this process can see, cheaply or at all:
# `python -m eet refresh` afterwards makes every process read everything again (REFRESH below).
HISTORY_TABLES = {"participant", "participant_event", "dwelling", "dwelling_status_change", "participant_version",
                  "dwelling_version", "measurement"}
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


@event.listens_for(Engine, "after_cursor_execute")
def _noticed(conn, cursor, statement, parameters, context, executemany) -> None:
    written = _WRITE.match(statement)
    if written is None:
        return
    table = written.group(1).lower()
    if table == DataVersion.__tablename__:
        conn.info["eet_version_bumped"] = True
    elif table in HISTORY_TABLES:
        conn.info["eet_history_written"] = True
    if table in outside.COUNTED_TABLES:
        conn.info["eet_counted_written"] = True


@event.listens_for(Engine, "commit")
def _committed(conn) -> None:
    if conn.info.pop("eet_counted_written", False) and not conn.info.get("eet_version_bumped") \
            and not guard.is_open():  # the gate's and the store's own work (a migration) is eet's
        outside.count_change(conn)  # for every other process: as if typed by hand (eet.store.outside)
    if conn.info.pop("eet_history_written", False) and not conn.info.get("eet_version_bumped"):
        forget_timelines(str(conn.engine.url))
    conn.info.pop("eet_version_bumped", None)


@event.listens_for(Engine, "rollback")
def _rolled_back(conn) -> None:
    conn.info.pop("eet_history_written", None)
    conn.info.pop("eet_counted_written", None)
    conn.info.pop("eet_version_bumped", None)


def forget_timelines(url: str | None = None) -> None:
    """Drop the kept timelines of the database at `url` (None: of every database in this
    process), in memory and, for `url`, its file."""
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if url is None or k[0] == url]:
            del _CACHE[key]
        _GENERATION[url] = _GENERATION.get(url, 0) + 1
    # A file being written from before the forget must not outlive it: wait, then remove.
    if threading.current_thread().name != "eet-timeline-file":
        files_written()
    if url is not None:
        timeline_file.remove(url)


def refresh(session: Session, actor, source: str = "cli") -> None:
    """After a change made outside eet (SQL typed by hand): record it in the audit trail and bump
    the data version, so that every process, this one and the servers', reads every history again
    at its next figure (an audit record of an entity no patch can place); the file goes too.
    Commits the caller's session."""
    from eet.store import audit

    audit.record(session, actor, "refresh", REFRESH, None, None, None, source)
    session.commit()
    forget_timelines(str(session.get_bind().url))


def _stamp(session: Session) -> tuple[tuple, bool]:
    """(the data version's number and moment, whether a change was made outside eet since eet last
    wrote: eet.store.outside), in one statement."""
    query = select(DataVersion.version, DataVersion.changed_at).where(DataVersion.id == 1)
    if outside.counted(session.connection()):
        query = query.add_columns(outside.CHANGED_OUTSIDE)
    row = session.execute(query).first()
    if row is None:
        return (0, None), False
    return (row[0], row[1]), bool(row[2]) if len(row) > 2 else False


def _audit_mark(session: Session) -> int:
    return int(session.execute(select(func.max(AuditRecord.id))).scalar() or 0)


def _audit_moment(session: Session, record_id: int):
    return session.execute(select(AuditRecord.at).where(AuditRecord.id == record_id)).scalar()


def _read(session: Session, known, stamp) -> Timeline:
    mark = _audit_mark(session)  # before the rows: a write after it is patched in later
    participants, dwellings = read_histories(session, known)
    return Timeline(participants, dwellings, stamp, mark, _audit_moment(session, mark) if mark else None)


def _patched(session: Session, kept: Timeline, stamp: tuple, known) -> Timeline | None:
    """`kept` with the participants and dwellings written since its audit mark read again, or None
    when the audit trail cannot say what changed (then everything is read again)."""
    mark = _audit_mark(session)
    # The audit trail must still be the one read up to: its record at the mark unchanged (a restore
    # or a database emptied and filled again replaces it), and the data version must have grown.
    if (kept.audit_mark == 0 or mark < kept.audit_mark or stamp[0] <= kept.stamp[0]
            or _audit_moment(session, kept.audit_mark) != kept.audit_mark_at):
        return None
    records = session.execute(select(AuditRecord.entity, AuditRecord.entity_id)
                              .where(AuditRecord.id > kept.audit_mark).limit(PATCH_LIMIT + 1)).all()
    if len(records) > PATCH_LIMIT:
        return None
    touched: dict[str, set[int]] = {kind: set() for kind in PATCHED.values()}
    for entity, entity_id in records:
        if entity in UNRELATED or entity in ("sign_in", "sign_out"):
            continue
        if entity not in PATCHED or entity_id is None:
            return None
        touched[PATCHED[entity]].add(int(entity_id))
    people, homes = set(touched["participant"]), set(touched["dwelling"])
    if touched["event"]:  # a step into a dwelling writes (or voids) that dwelling's status too
        for participant_id, dwelling_id in session.execute(select(EVENT.participant_id, EVENT.dwelling_id)
                                                           .where(EVENT.id.in_(touched["event"]))):
            people.add(participant_id)
            if dwelling_id is not None:
                homes.add(dwelling_id)
        # An exit names no dwelling, yet frees the one left: its status change carries the event.
        homes |= set(session.execute(select(CHANGE.dwelling_id)
                                     .where(CHANGE.event_id.in_(touched["event"]))).scalars())
    if touched["measurement"]:
        m = Measurement.__table__.c
        people |= set(session.execute(select(m.participant_id).where(m.id.in_(touched["measurement"]))).scalars())
    if touched["change"]:
        homes |= set(session.execute(select(CHANGE.dwelling_id)
                                     .where(CHANGE.id.in_(touched["change"]))).scalars())
    # No record at all: a transaction that took the writers' lock and wrote nothing audited; the
    # histories are as they were.
    participants = kept.participants
    if people:
        participants = _spliced_participants(participants, read_participants(session, known, sorted(people)),
                                             np.array(sorted(people), np.int64))
    dwellings = kept.dwellings
    if homes:
        dwellings = _spliced_dwellings(dwellings, read_dwellings(session, known, sorted(homes)),
                                       np.array(sorted(homes), np.int64))
    patched = Timeline(participants, dwellings, stamp, mark, _audit_moment(session, mark))
    # What was worked out from a history the write did not touch holds for the new timeline too.
    for key, value in kept.worked_out().items():
        if (key[0].startswith("p-") and participants is kept.participants) or \
                (key[0].startswith("d-") and dwellings is kept.dwellings):
            patched.remember(key, value)
    return patched


def _keep_map(ids: np.ndarray, replaced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of the rows kept, their new index; -1 for rows dropped)."""
    kept = ~np.isin(ids, replaced)
    new_index = np.full(len(ids), -1, np.int64)
    new_index[kept] = np.arange(int(kept.sum()))
    return kept, new_index


def _splice_intervals(old: Intervals, new: Intervals, new_index: np.ndarray, offset: int) -> Intervals:
    keep = new_index[old.owner] >= 0 if len(old.owner) else np.zeros(0, bool)
    return Intervals(np.concatenate([new_index[old.owner[keep]], new.owner + offset]),
                     np.concatenate([old.start[keep], new.start]), np.concatenate([old.end[keep], new.end]),
                     np.concatenate([old.kind[keep], new.kind]))


def _spliced_participants(old: ParticipantHistory, new: ParticipantHistory, replaced: np.ndarray
                          ) -> ParticipantHistory:
    kept, new_index = _keep_map(old.id, replaced)
    offset = int(kept.sum())
    rows = {name: np.concatenate([getattr(old, name)[kept], getattr(new, name)])
            for name in ("id", "referrer_id", "care_provider_id", "municipality_id", "central_waiting_list",
                         "known", "referred", "assessed", "matched", "housed", "withdrawn", "negative_exit",
                         "censoring_exit", "deceased_exit")}
    w_keep = new_index[old.withdrawal_owner] >= 0 if len(old.withdrawal_owner) else np.zeros(0, bool)
    return ParticipantHistory(
        **rows,
        eligible=_splice_intervals(old.eligible, new.eligible, new_index, offset),
        housed_now=_splice_intervals(old.housed_now, new.housed_now, new_index, offset),
        withdrawal_owner=np.concatenate([new_index[old.withdrawal_owner[w_keep]], new.withdrawal_owner + offset]),
        withdrawal_day=np.concatenate([old.withdrawal_day[w_keep], new.withdrawal_day]),
        withdrawal_reason=tuple(r for r, k in zip(old.withdrawal_reason, w_keep) if k) + new.withdrawal_reason,
        **_spliced_rows(old, new, "stay", ("day", "is_exit"), new_index, offset),
        **_spliced_rows(old, new, "measurement", ("day", "id", "scores"), new_index, offset),
    )


def _spliced_rows(old, new, prefix: str, names: tuple[str, ...], new_index: np.ndarray, offset: int) -> dict:
    """The `prefix`_owner rows of `old` whose owner is kept (re-indexed), then those of `new`."""
    owner = getattr(old, f"{prefix}_owner")
    keep = new_index[owner] >= 0 if len(owner) else np.zeros(0, bool)
    out = {f"{prefix}_owner": np.concatenate([new_index[owner[keep]], getattr(new, f"{prefix}_owner") + offset])}
    for name in names:
        out[f"{prefix}_{name}"] = np.concatenate([getattr(old, f"{prefix}_{name}")[keep],
                                                  getattr(new, f"{prefix}_{name}")])
    return out


def _spliced_dwellings(old: DwellingHistory, new: DwellingHistory, replaced: np.ndarray) -> DwellingHistory:
    kept, new_index = _keep_map(old.id, replaced)
    offset = int(kept.sum())
    c_keep = new_index[old.change_owner] >= 0 if len(old.change_owner) else np.zeros(0, bool)
    return DwellingHistory(
        id=np.concatenate([old.id[kept], new.id]),
        columns={name: np.concatenate([values[kept], new.columns[name]]) for name, values in old.columns.items()},
        status=_splice_intervals(old.status, new.status, new_index, offset),
        change_owner=np.concatenate([new_index[old.change_owner[c_keep]], new.change_owner + offset]),
        change_day=np.concatenate([old.change_day[c_keep], new.change_day]),
    )


# The figures count with these; they import them from here.
__all__ = ["EPOCH", "NEVER", "Timeline", "day_number", "files_written", "forget_timelines", "timeline_of"]
