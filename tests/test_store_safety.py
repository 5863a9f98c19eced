"""The database on disk, and `init` run twice at once (issue 18)."""

from __future__ import annotations

import os
import stat
import threading

from eet.bootstrap import initialise
from eet.store.engine import get_engine


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_database_and_its_folder_are_for_the_owner_only(tmp_path):
    old = os.umask(0o022)  # as on a usual server: files 644 unless the code says otherwise
    try:
        path = tmp_path / "data" / "eet.db"
        engine = get_engine(f"sqlite:///{path}")
        initialise(engine)
        assert _mode(path.parent) == 0o700
        assert _mode(path) == 0o600
        wal = path.with_name("eet.db-wal")
        if wal.exists():
            assert _mode(wal) == 0o600
        engine.dispose()
        # an existing database of ours with wider permissions is narrowed
        older = tmp_path / "older.db"
        older.touch()
        os.chmod(older, 0o644)
        get_engine(f"sqlite:///{older}").dispose()
        assert _mode(older) == 0o600
    finally:
        os.umask(old)


def _fresh_url(backend: str, tmp_path) -> str:
    from conftest import _create_pg_database

    return f"sqlite:///{tmp_path / 'twice.db'}" if backend == "sqlite" else _create_pg_database()


import pytest  # noqa: E402


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_init_started_twice_at_once_both_finish(backend, tmp_path):
    """Both start on an empty database at the same moment: the second waits for the first and then
    finds everything there; no traceback, the coalition once."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from conftest import _dispose
    from eet.store.engine import schema_revision
    from eet.store.models import Organisation

    url = _fresh_url(backend, tmp_path)
    engine = get_engine(url)
    start, outcomes = threading.Barrier(2), []

    def run():
        start.wait(30)
        try:
            initialise(engine)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001  (what the test looks for)
            outcomes.append(repr(exc))

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert outcomes == ["ok", "ok"]
        assert schema_revision(engine) is not None
        with Session(engine) as s:
            names = s.execute(select(Organisation.name, func.count()).group_by(Organisation.name)).all()
        assert names and all(n == 1 for _, n in names)
    finally:
        _dispose(url)
