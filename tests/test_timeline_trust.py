"""The timeline file is believed only when it and its folder are the user's and nobody else can write
them, as ssh treats its keys (issue 25: a cache folder that already existed world-writable was used
as it was, and a forged file with the right stamp was believed: the report said housed 0).

A forged file is made here as an attacker would: the genuine file's stamp and audit mark, with no
participant in it. In a folder only the user may write it is believed (the forgery works: only the
user could have put it there); in a world-writable folder, or as a file others may write, it is
ignored and the figures are read from the database. On SQLite (beside the database) and PostgreSQL
(the cache folder)."""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pytest
from sqlmodel import Session

from eet.bootstrap import initialise
from eet.figures import timeline, timeline_file
from eet.figures.histories import Timeline
from eet.figures.report import build_report
from eet.store.engine import get_engine

from conftest import _create_pg_database, _drop_pg_database

AS_OF = date(2021, 5, 31)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if request.param == "sqlite":
        (tmp_path / "db").mkdir(mode=0o700)
        url = f"sqlite:///{tmp_path / 'db' / 'eet.db'}"
    else:
        url = _create_pg_database()
    initialise(get_engine(url), demo=True)
    yield url
    timeline.forget_timelines(url)
    get_engine(url).dispose()
    if request.param == "postgresql":
        _drop_pg_database(url)


def _housed(url: str) -> int:
    with Session(get_engine(url)) as s:
        return build_report(s, AS_OF)["participants"]["funnel"]["housed"]


def _as_a_new_process() -> None:
    with timeline._CACHE_LOCK:  # the kept timelines dropped, the file left where it is
        timeline._CACHE.clear()


def _forge(url: str) -> None:
    """Overwrite the genuine file with one of the same stamp that holds no participant."""
    timeline.files_written()
    path = timeline_file.path_for(url)
    genuine = timeline_file.load(url)
    assert genuine is not None
    with Session(get_engine(url)) as s:
        nobody = timeline.read_participants(s, None, [])
    forged = Timeline(nobody, genuine.dwellings, genuine.stamp, genuine.audit_mark, genuine.audit_mark_at)
    with open(path, "wb") as out:
        np.savez(out, **{k: timeline_file._narrow(v) for k, v in timeline_file._arrays(forged).items()})


def test_a_forged_file_is_believed_only_where_nobody_else_can_write(demo_url):
    truth = _housed(demo_url)
    assert truth > 0
    path = timeline_file.path_for(demo_url)
    _forge(demo_url)
    _as_a_new_process()
    assert _housed(demo_url) == 0  # the user's own folder: believed (the forgery is a good one)

    for folder_mode, file_mode in ((0o777, 0o600), (0o1777, 0o600), (0o700, 0o666), (0o750, 0o620)):
        _forge(demo_url)
        os.chmod(path.parent, folder_mode)
        os.chmod(path, file_mode)
        _as_a_new_process()
        assert _housed(demo_url) == truth, (oct(folder_mode), oct(file_mode))
        os.chmod(path.parent, 0o700)


def test_nothing_is_written_into_a_folder_others_can_write(demo_url):
    path = timeline_file.path_for(demo_url)
    _housed(demo_url)
    timeline.files_written()
    path.unlink()
    os.chmod(path.parent, 0o777)
    _as_a_new_process()
    _housed(demo_url)
    timeline.files_written()
    assert not path.exists()
    os.chmod(path.parent, 0o700)
