"""The engine, sessions, and the first-run initialisation (migrations, coalition, targets)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from eet.store.config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def get_engine(url: str | None = None) -> Engine:
    """The engine of `url`, or of EET_DATABASE_URL as it is now; one engine per URL per process."""
    return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No JIT: the figures are short aggregates over indexes; compiling them (50-200 ms each) cost
    # more than it saved at national size (bench/run.py).
    libpq = make_url(url).get_driver_name() in ("psycopg", "psycopg2")
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"} if libpq else {})


def _private_file(path: Path) -> None:
    """The database file and a folder made for it readable by their owner only (0600 / 0700), like
    the backups: they hold every participant row and the password hashes. SQLite gives its -wal and
    -shm files the database file's permissions. A file of ours with wider permissions is narrowed;
    a folder that existed already (the project's root, /tmp) is left as it is."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the dashboard read while an import writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_busy(exc: BaseException) -> bool:
    """Another writer held the database longer than a writer waits: SQLite's 'database is locked'
    after its busy timeout, PostgreSQL's lock timeout (SQLSTATE 55P03)."""
    if not isinstance(exc, OperationalError):
        return False
    orig = getattr(exc, "orig", None)
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) == "55P03"


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed once at the end, rolled back whole on any error. A writer that
    waited too long for another one gets a refusal a form shows ("try again"), not an error page."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if is_busy(exc):
                from eet.entry.schemas import refused

                raise refused("database", "database_busy", reason=str(exc.orig).strip()[:200]) from None
            raise
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine | None = None) -> None:
    """Bring the schema to the newest migration; a no-op when it is there already."""
    from alembic import command

    from eet.write.guard import maintenance

    engine = engine or get_engine()
    with maintenance("migrating the schema"):
        command.upgrade(alembic_config(engine), "head")


# Any fixed number: the key of PostgreSQL's advisory lock that `init` holds (pg_advisory_lock).
INIT_LOCK_KEY = 0x45455431


@contextmanager
def init_lock(engine: Engine) -> Iterator[None]:
    """One `init` (migrations, coalition, targets, demo) at a time per database: a second one started
    at the same moment waits here until the first is done, then finds everything there. PostgreSQL:
    an advisory lock on a connection of its own; SQLite: an exclusive lock (flock) on a file next to
    the database (an in-memory database has nobody to wait for)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INIT_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INIT_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    descriptor = os.open(f"{database}.init-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def schema_revision(engine: Engine | None = None) -> str | None:
    engine = engine or get_engine()
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None
