"""The whole database to one file and back, independent of the database kind: a backup of the
SQLite file restores into PostgreSQL and the other way round.

The file is gzipped JSON: the schema revision and every table's rows, in foreign-key order.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from eet.store import models  # noqa: F401  (registers the tables)
from eet.store.engine import schema_revision

FORMAT = "eet-backup"


def _tables():
    return [t for t in SQLModel.metadata.sorted_tables]


class BackupError(ValueError):
    pass


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row to `path` (readable by its owner only: it holds every participant row and
    the password hashes); returns rows per table."""
    path = Path(path)
    if not path.name.endswith(".gz"):
        raise BackupError(f"{path.name}: a backup is gzipped JSON; give a name ending in .json.gz")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    counts: dict[str, int] = {}
    payload = {"format": FORMAT, "version": 1, "schema_revision": schema_revision(engine), "tables": {}}
    with engine.connect() as conn:
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


def restore(engine: Engine, path: Path, replace: bool = False) -> dict[str, int]:
    """Load a backup into a migrated database in one transaction. Refused when the database
    already holds data, unless `replace`: then everything is deleted first, in the same
    transaction, so a failed restore leaves the database as it was."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            payload = json.load(fh)
    except (OSError, ValueError) as exc:
        raise RestoreError(f"{path} is not a backup of this monitor ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise RestoreError(f"{path} is not a backup of this monitor")
    if payload.get("schema_revision") != schema_revision(engine):
        raise RestoreError(
            f"the backup has schema {payload.get('schema_revision')}, the database "
            f"{schema_revision(engine)}; run `python -m eet init` with the version that made it")
    tables = _tables()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        holds = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
        # The coalition and the data version are seeded by init; anything else is user data.
        user_data = {name: n for name, n in holds.items()
                     if n and name not in ("organisation", "target", "data_version")}
        if user_data and not replace:
            raise RestoreError(f"the database is not empty ({', '.join(user_data)}); "
                               f"restore into an empty one, or pass --replace")
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            rows = [_typed(table, row) for row in payload["tables"].get(table.name, [])]
            if rows:
                conn.execute(table.insert(), rows)
            counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
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
        out[key] = value
    return out
