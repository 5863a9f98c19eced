"""The whole database to one file and back, independent of the database kind: a backup of the
SQLite file restores into PostgreSQL and the other way round.

The file is gzipped JSON: the schema revision and every table's rows, in foreign-key order.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from eet.store import models  # noqa: F401  (registers the tables)
from eet.store.engine import schema_revision
from eet.write.guard import maintenance
from eet.store.models import AuditRecord, DataVersion, utcnow

FORMAT = "eet-backup"


# Sign-in state is not data: a backup leaves out open sessions and failed attempts (a restored
# session would sign someone in again), and a restore ends every session.
SIGN_IN_STATE = ("user_session", "sign_in_failure")


def _tables():
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SIGN_IN_STATE]


def _sign_in_state():
    return [t for t in SQLModel.metadata.sorted_tables if t.name in SIGN_IN_STATE]


class BackupError(ValueError):
    pass


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database at one moment, while writes go on: a backup
    never holds a status change of a dwelling it lacks. PostgreSQL: one REPEATABLE READ transaction;
    SQLite: one explicit read transaction (the driver starts none for reads; WAL keeps its snapshot
    while others write)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                yield conn
        return
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row to `path` (readable by its owner only: it holds every participant row and
    the password hashes), all read at one moment (`_snapshot`); returns rows per table."""
    path = Path(path)
    if not path.name.endswith(".gz"):
        raise BackupError(f"{path.name}: a backup is gzipped JSON; give a name ending in .json.gz")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    counts: dict[str, int] = {}
    with _snapshot(engine) as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        payload = {"format": FORMAT, "version": 1, "schema_revision": revision, "tables": {}}
        for table in _tables():
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
            payload["tables"][table.name] = [
                {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in row.items()}
                for row in rows]
            counts[table.name] = len(rows)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # also when the file existed with wider permissions
    with os.fdopen(descriptor, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False)
    return counts


class RestoreError(ValueError):
    pass


# A backup unpacks to at most this many bytes (a gzip of a few MB can unpack to many GB); the
# national benchmark's backup unpacks to far less (README). EET_RESTORE_MAX_MB raises it.
MAX_UNPACKED = int(os.environ.get("EET_RESTORE_MAX_MB", "1024")) * 1024 * 1024


def read_backup(path: Path, max_bytes: int | None = None) -> dict:
    """The backup's payload, checked: the file unpacks (to at most `max_bytes`), is JSON of this
    monitor's shape, and names only tables and columns of this schema, each table a list of rows.
    RestoreError with a message a person can act on otherwise; nothing is touched."""
    limit = MAX_UNPACKED if max_bytes is None else max_bytes
    try:
        # First the unpacked size, counted and thrown away chunk by chunk: a bomb never fills memory.
        size = 0
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise RestoreError(f"{path} unpacks to more than {limit // (1024 * 1024)} MB; not restored "
                                       "(set EET_RESTORE_MAX_MB to allow a larger backup)")
        with gzip.open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise RestoreError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise RestoreError(f"{path} is not a backup of this monitor, or it is damaged ({exc})") from None
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise RestoreError(f"{path} is not a backup of this monitor ({str(exc)[:200]})") from None
    del data
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise RestoreError(f"{path} is not a backup of this monitor")
    tables = payload.get("tables")
    if not isinstance(tables, dict):
        raise RestoreError(f"{path} is damaged: it holds no tables")
    known = {t.name: t for t in _tables()}
    for name, rows in tables.items():
        table = known.get(name)
        if table is None:
            raise RestoreError(f"{path} is damaged or of another version: unknown table {str(name)[:60]!r}")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise RestoreError(f"{path} is damaged: table {name} is not a list of rows")
        columns = set(table.c.keys())
        for number, row in enumerate(rows, start=1):
            unknown = set(row) - columns
            if unknown:
                raise RestoreError(f"{path} is damaged or of another version: table {name}, row {number} "
                                   f"has unknown column {sorted(map(str, unknown))[0][:60]!r}")
    return payload


def restore(engine: Engine, path: Path, replace: bool = False, max_bytes: int | None = None) -> dict[str, int]:
    """Load a backup into a migrated database in one transaction. Refused when the database
    already holds data, unless `replace`: then everything is deleted first, in the same
    transaction, so a failed restore leaves the database as it was. A damaged or foreign file is
    a RestoreError (`read_backup`), as is a row the database refuses. The data version ends above
    both the database's and the backup's, so every cached read of an open dashboard is stale."""
    payload = read_backup(Path(path), max_bytes)
    if payload.get("schema_revision") != schema_revision(engine):
        raise RestoreError(
            f"the backup has schema {payload.get('schema_revision')}, the database "
            f"{schema_revision(engine)}; run `python -m eet init` with the version that made it")
    tables = _tables()
    counts: dict[str, int] = {}
    with engine.begin() as conn, maintenance("restoring a backup"):
        holds = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
        # The coalition and the data version are seeded by init; anything else is user data.
        user_data = {name: n for name, n in holds.items()
                     if n and name not in ("organisation", "organisation_version", "target", "data_version")}
        if user_data and not replace:
            raise RestoreError(f"the database is not empty ({', '.join(user_data)}); "
                               f"restore into an empty one, or pass --replace")
        version_table = DataVersion.__table__
        before = conn.execute(select(func.max(version_table.c.version))).scalar() or 0
        for table in [*_sign_in_state(), *reversed(tables)]:
            conn.execute(table.delete())
        for table in tables:
            rows = []
            for number, row in enumerate(payload["tables"].get(table.name, []), start=1):
                try:
                    rows.append(_typed(table, row))
                except (TypeError, ValueError) as exc:
                    raise RestoreError(f"{path} is damaged: table {table.name}, row {number}: {exc}") from None
            try:
                if rows:
                    conn.execute(table.insert(), rows)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
                raise RestoreError(f"{path} is damaged: the database refused the rows of table {table.name} "
                                   f"({reason}); nothing was restored") from None
            counts[table.name] = len(rows)
        restored = conn.execute(select(func.max(version_table.c.version))).scalar() or 0
        conn.execute(version_table.delete())
        conn.execute(version_table.insert(), [{"id": 1, "version": max(before, restored) + 1, "changed_at": utcnow()}])
        if conn.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
        # The restore in the audit trail: what was read from the trail before (the figures'
        # histories, eet.figures.timeline) is read again, not patched.
        conn.execute(AuditRecord.__table__.insert(), [{
            "actor": "system", "role": None, "action": "restore", "entity": "backup", "entity_id": None,
            "source": str(path)[:200], "before": None, "after": json.dumps(counts, sort_keys=True), "at": utcnow()}])
    return counts


def _python_type(column):
    kind = getattr(column.type, "impl", column.type)  # TypeDecorators such as SQLModel's UTCDateTime
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _typed(table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        column = table.c.get(key)
        if column is None:
            continue
        if value is not None and isinstance(value, str):
            kind = _python_type(column)
            if kind is datetime:
                value = datetime.fromisoformat(value)
            elif kind is date:
                value = date.fromisoformat(value)
            elif any(ord(ch) < 32 and ch not in "\t\n\r" or ord(ch) == 127 for ch in value):
                # as every form and import refuses them (SQLite would store a NUL, PostgreSQL not)
                raise ValueError(f"column {key} holds a control character")
        elif isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
            raise ValueError(f"column {key} holds a number beyond 64 bits")
        out[key] = value
    return out
