"""Backups under load and from outside (issue 18): one consistent snapshot while writes go on; a
damaged or foreign file refused with a clear message, the database as it was; after a restore every
cached read is stale (the data version moves forward, never back). On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from eet.accounts.access import SYSTEM
from eet.entry import services
from eet.entry.schemas import DwellingIn
from eet.store import backup as backup_module
from eet.store.audit import data_version
from eet.store.backup import RestoreError, backup, restore
from eet.store.engine import session_scope
from eet.store.models import Dwelling, DwellingStatusChange

ROOT = Path(__file__).resolve().parent.parent
D = date(2021, 3, 1)
CHANGES = DwellingStatusChange.__tablename__


def _dwellings(engine, first: int, n: int) -> None:
    with session_scope(engine) as s:
        for i in range(first, first + n):
            services.upsert_dwelling(s, SYSTEM, DwellingIn(ref=f"UTR-{i:04d}", municipality="Utrecht",
                                                           status="location_found", status_date=D))


def _state(engine) -> dict:
    """Rows per table and the data version: what 'the database as it was' means here."""
    with Session(engine) as s:
        counts = {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in SQLModel.metadata.sorted_tables}
        return {**counts, "data_version": data_version(s)}


def _valid(engine, tmp_path) -> Path:
    path = tmp_path / "good.json.gz"
    backup(engine, path)
    return path


def _gz(tmp_path, name: str, payload) -> Path:
    path = tmp_path / name
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def test_damaged_and_foreign_backups_are_refused_and_change_nothing(engine, tmp_path):
    _dwellings(engine, 1, 3)
    good = _valid(engine, tmp_path)
    raw = good.read_bytes()
    payload = json.loads(gzip.decompress(raw))
    tables = payload["tables"]
    damaged = {
        "truncated": (tmp_path / "truncated.json.gz", raw[: len(raw) // 2]),
        "corrupt gzip": (tmp_path / "corrupt.json.gz", raw[:20] + bytes(b ^ 0xFF for b in raw[20:60]) + raw[60:]),
        "not gzip": (tmp_path / "plain.json.gz", b"\x00\x01 not a backup"),
    }
    for path, data in damaged.values():
        path.write_bytes(data)
    cases = {name: path for name, (path, _) in damaged.items()}
    cases.update({
        "not json": _gz(tmp_path, "text.json.gz", "{ this is not json"),
        "a list": _gz(tmp_path, "list.json.gz", [1, 2, 3]),
        "tables not a mapping": _gz(tmp_path, "shape1.json.gz", {**payload, "tables": [1, 2]}),
        "rows not rows": _gz(tmp_path, "shape2.json.gz", {**payload, "tables": {**tables, "dwelling": [1, 2]}}),
        "unknown table": _gz(tmp_path, "shape3.json.gz", {**payload, "tables": {**tables, "secrets": []}}),
        "unknown column": _gz(tmp_path, "shape4.json.gz", {**payload, "tables": {
            **tables, "dwelling": [{**tables["dwelling"][0], "evil": 1}]}}),
        "bad date": _gz(tmp_path, "row1.json.gz", {**payload, "tables": {
            **tables, CHANGES: [{**row, "effective_on": "yesterday"} for row in tables[CHANGES]]}}),
        "status of a missing dwelling": _gz(tmp_path, "row2.json.gz", {**payload, "tables": {
            **tables, "dwelling": []}}),
        "row without its key": _gz(tmp_path, "row3.json.gz", {**payload, "tables": {
            **tables, "dwelling": [{k: v for k, v in row.items() if k != "ref"} for row in tables["dwelling"]]}}),
    })
    before = _state(engine)
    for name, path in cases.items():
        with pytest.raises(RestoreError) as refused:
            restore(engine, path, replace=True)
        assert str(path) in str(refused.value), name
        assert _state(engine) == before, name
    # the good one still restores
    restore(engine, good, replace=True)


def test_a_backup_that_unpacks_to_too_much_is_refused_before_it_is_read(engine, tmp_path):
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        for _ in range(64):
            fh.write(b" " * (1024 * 1024))  # 64 MB of spaces, about 64 KB packed
    before = _state(engine)
    started = time.perf_counter()
    with pytest.raises(RestoreError) as refused:
        restore(engine, bomb, replace=True, max_bytes=16 * 1024 * 1024)
    assert "more than 16 MB" in str(refused.value)
    assert time.perf_counter() - started < 10
    assert _state(engine) == before


def test_restore_moves_the_data_version_forward(engine, tmp_path):
    _dwellings(engine, 1, 2)
    path = _valid(engine, tmp_path)
    _dwellings(engine, 3, 5)  # more writes after the backup: the version moves on
    with Session(engine) as s:
        seen = data_version(s)
    restore(engine, path, replace=True)
    with Session(engine) as s:
        assert data_version(s) > seen
        assert s.execute(select(func.count()).select_from(Dwelling)).scalar_one() == 2


def test_a_backup_taken_while_writes_go_on_is_one_moment(engine, tmp_path, monkeypatch):
    """A write commits after the backup has read the dwellings and before it reads their status
    changes: the backup must not hold the new dwelling's status change (it lacks the dwelling)."""
    _dwellings(engine, 1, 2)
    original = backup_module._tables

    def tables_with_a_write_in_between():
        for table in original():
            yield table
            if table.name == Dwelling.__tablename__:
                writer = threading.Thread(target=_dwellings, args=(engine, 10, 1))
                writer.start()
                writer.join(60)
                assert not writer.is_alive()

    monkeypatch.setattr(backup_module, "_tables", tables_with_a_write_in_between)
    path = tmp_path / "during.json.gz"
    backup(engine, path)
    tables = json.loads(gzip.decompress(path.read_bytes()))["tables"]
    refs = {row["id"] for row in tables[Dwelling.__tablename__]}
    changes = tables[DwellingStatusChange.__tablename__]
    assert all(change["dwelling_id"] in refs for change in changes)
    assert len(refs) == 2
    monkeypatch.setattr(backup_module, "_tables", original)
    restore(engine, path, replace=True)  # and it restores
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Dwelling)).scalar_one() == 2


def test_the_command_line_says_what_is_wrong_without_a_traceback(engine, tmp_path):
    _dwellings(engine, 1, 1)
    good = _valid(engine, tmp_path)
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(good.read_bytes()[:100])
    env = {**os.environ, "EET_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    result = subprocess.run([sys.executable, "-m", "eet", "restore", "--replace", str(truncated)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "damaged" in result.stderr and "Traceback" not in result.stderr


def test_a_backup_holds_no_sign_in_and_a_restore_ends_every_session(engine, tmp_path):
    """Open sessions are not data: a backup leaves them out (a restored token would sign someone
    in again) and `restore --replace` ends every session that was open."""
    from eet.accounts import sessions
    from eet.accounts.auth import add_user
    from eet.accounts.access import Actor
    _dwellings(engine, 1, 2)
    with session_scope(engine) as s:
        user = add_user(s, SYSTEM, "onderzoeker.x", "Vlinderboom-Kade-1987!", "researcher")
        actor = Actor(username=user.username, role=user.role, organisation_id=None, user_id=user.id)
        token = sessions.redeem_ticket(s, sessions.issue_ticket(s, actor))
    with session_scope(engine) as s:
        assert sessions.lookup(s, token).actor is not None
    path = tmp_path / "with-session.json.gz"
    backup(engine, path)
    payload = json.loads(gzip.decompress(path.read_bytes()))
    assert "user_session" not in payload["tables"] and "sign_in_failure" not in payload["tables"]
    assert any(row["username"] == "onderzoeker.x" for row in payload["tables"]["user"])
    restore(engine, path, replace=True)
    with session_scope(engine) as s:
        assert sessions.lookup(s, token).actor is None
        assert s.execute(select(func.count()).select_from(SQLModel.metadata.tables["user_session"])).scalar_one() == 0


@pytest.mark.parametrize("bad", [{"site": "a\x00b"}, {"id": 2**70}])
def test_a_backup_with_a_control_character_or_a_huge_number_is_refused(engine, tmp_path, bad):
    """What no form or import lets in is not restored either: a NUL in a text (SQLite would store
    it, PostgreSQL refuses it) or an integer beyond 64 bits (SQLite raised OverflowError)."""
    _dwellings(engine, 1, 2)
    path = tmp_path / "good.json.gz"
    backup(engine, path)
    payload = json.loads(gzip.decompress(path.read_bytes()))
    payload["tables"]["dwelling"][0].update(bad)
    damaged = tmp_path / "bad.json.gz"
    damaged.write_bytes(gzip.compress(json.dumps(payload).encode()))
    before = _state(engine)
    with pytest.raises(RestoreError, match="damaged"):
        restore(engine, damaged, replace=True)
    assert _state(engine) == before
