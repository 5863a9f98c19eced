"""`eet report` (and `export`, `refresh`) against a database that was never made says so and exits 1,
and leaves nothing behind (issue 25: it printed a traceback and left an empty database file).
SQLite: a file that is not there, in a folder that is not there either; PostgreSQL: a database that
does not exist, and one that exists but was never initialised (no tables are made in it)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from eet.cli import main

from conftest import _create_pg_database, _drop_pg_database


@pytest.mark.parametrize("command", [["report", "--as-of", "2021-01-15"], ["refresh"],
                                     ["export", "--as-of", "2021-01-15", "--out", "pack.html"]])
def test_a_read_of_a_database_never_made_refuses_and_creates_nothing_on_sqlite(command, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "nowhere"
    monkeypatch.setenv("EET_DATABASE_URL", f"sqlite:///{folder / 'eet.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "no monitor database" in err and "python -m eet init" in err and "Traceback" not in err
    assert not folder.exists()
    assert not (tmp_path / "pack.html").exists()


def test_a_report_of_a_database_never_made_refuses_on_postgresql(monkeypatch, capsys):
    empty = _create_pg_database()
    try:
        for url in (empty, empty.rsplit("/", 1)[0] + "/eet_never_made_here"):
            monkeypatch.setenv("EET_DATABASE_URL", url)
            assert main(["report", "--as-of", "2021-01-15"]) == 1
            assert "no monitor database" in capsys.readouterr().err
        engine = create_engine(empty)
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == []
        engine.dispose()
    finally:
        from eet.store.engine import get_engine

        get_engine(empty).dispose()
        _drop_pg_database(empty)
