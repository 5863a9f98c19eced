"""The command line as a user runs it: `python -m eet …` in a subprocess, on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from eet.accounts.auth import authenticate
from eet.store.backup import restore
from eet.store.models import User
from eet.figures.report import build_report

ROOT = Path(__file__).resolve().parent.parent


def run_eet(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "EET_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "eet", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'eet.db'}"
    result = run_eet(url, "init", "--demo")
    assert result.returncode == 0, result.stderr
    return url


def report_json(url: str, as_of: str) -> dict:
    result = run_eet(url, "report", "--as-of", as_of, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_report_on_launch_day_matches_the_newsletter(demo_db):
    report = report_json(demo_db, "2021-01-15")
    d = report["dwellings"]
    assert (d["counter"], d["pipeline"], d["ambition"], d["target"]) == (132, 45, 177, 200)
    assert report["coalition"] == {"municipality": 7, "care_provider": 5, "housing_corporation": 5}
    assert report["demo"] is True
    assert report["as_of"] == "2021-01-15"


def test_coalition_on_first_of_february(demo_db):
    assert report_json(demo_db, "2021-02-01")["coalition"] == {
        "municipality": 8, "care_provider": 5, "housing_corporation": 6}


def test_init_is_idempotent_and_demo_not_loaded_twice(demo_db):
    before = report_json(demo_db, "2021-05-31")
    again = run_eet(demo_db, "init", "--demo")
    assert again.returncode == 0, again.stderr
    assert report_json(demo_db, "2021-05-31") == before


def test_text_report_reads_as_the_newsletter(demo_db):
    result = run_eet(demo_db, "report", "--as-of", "15-01-2021")
    assert result.returncode == 0
    assert "counter 132, pipeline 45, ambition 177" in result.stdout


def test_bad_date_is_a_message_not_a_traceback(demo_db):
    result = run_eet(demo_db, "report", "--as-of", "2021-02-30")
    assert result.returncode == 2
    assert "not an existing date" in result.stderr and "Traceback" not in result.stderr


def test_user_add_reads_the_password_from_standard_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    assert run_eet(url, "init").returncode == 0
    result = run_eet(url, "user", "add", "anna", "--role", "coordinator", "--org", "mitros",
                     stdin="a-long-secret-1\n")
    assert result.returncode == 0, result.stderr
    refused = run_eet(url, "user", "add", "bob", "--role", "coordinator", stdin="a-long-secret-2\n")
    assert refused.returncode == 1 and "organisation" in refused.stderr
    from eet.store import get_engine

    with Session(get_engine(url)) as session:
        user = session.exec(select(User).where(User.username == "anna")).one()
        assert user.password_hash.startswith("$argon2") and "a-long-secret-1" not in user.password_hash
        assert authenticate(session, "anna", "a-long-secret-1").role == "coordinator"
        assert authenticate(session, "anna", "wrong") is None


def with_a_real_dwelling(path: Path) -> str:
    """A database made by `init` that holds one real dwelling (not demo data); its URL."""
    url = f"sqlite:///{path}"
    assert run_eet(url, "init").returncode == 0
    from eet.accounts.access import SYSTEM
    from eet.entry import DwellingIn, services
    from eet.store import get_engine

    with Session(get_engine(url)) as session:
        services.upsert_dwelling(session, SYSTEM, DwellingIn(
            ref="U-1", municipality="Utrecht", status="searching", status_date="2021-01-05"))
        session.commit()
    return url


def test_demo_refused_when_real_data_exist(tmp_path):
    url = with_a_real_dwelling(tmp_path / "eet.db")
    result = run_eet(url, "init", "--demo")
    assert result.returncode == 1 and "real" in result.stderr


def test_backup_then_restore_into_an_empty_database_gives_an_identical_report(demo_db, tmp_path, engine):
    """Backup of the demo (SQLite), restored into the empty database of each backend."""
    backup_file = tmp_path / "eet-backup.json.gz"
    result = run_eet(demo_db, "backup", str(backup_file))
    assert result.returncode == 0, result.stderr
    restore(engine, backup_file)
    with Session(engine) as session:
        for as_of in ("2021-01-15", "2021-03-01", "2021-05-31"):
            restored = build_report(session, __import__("datetime").date.fromisoformat(as_of))
            assert restored == report_json(demo_db, as_of)


def test_restore_refuses_a_database_with_data_and_an_unknown_file(demo_db, tmp_path):
    backup_file = tmp_path / "b.json.gz"
    assert run_eet(demo_db, "backup", str(backup_file)).returncode == 0
    refused = run_eet(demo_db, "restore", str(backup_file))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"\x00\x01 not a backup")
    result = run_eet(demo_db, "restore", str(junk))
    assert result.returncode == 1 and "not a backup" in result.stderr and "Traceback" not in result.stderr


def test_demo_if_empty_loads_the_demo_once_and_leaves_real_data_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    assert run_eet(url, "init", "--demo-if-empty").returncode == 0
    assert report_json(url, "2021-01-15")["demo"] is True
    real = with_a_real_dwelling(tmp_path / "real.db")
    again = run_eet(real, "init", "--demo-if-empty")
    assert again.returncode == 0, again.stderr
    assert report_json(real, "2021-02-01")["demo"] is False


def test_cli_refusals_are_messages_not_tracebacks(demo_db, tmp_path):
    cases = [
        (("synth", "--participants", "-5"), "negative"),
        (("backup", str(tmp_path / "missing" / "b.json.gz")), "does not exist"),
        (("backup", str(tmp_path / "b.xlsx")), ".json.gz"),
    ]
    for args, expected in cases:
        result = run_eet(demo_db, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


def test_backup_is_readable_by_its_owner_only(demo_db, tmp_path):
    target = tmp_path / "b.json.gz"
    assert run_eet(demo_db, "backup", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o600


def test_refresh_after_sql_typed_outside_the_monitor(tmp_path):
    """A change made with sqlite3 is seen by the next report (issue 25: the kept timeline file hid
    it until `refresh`), caught up as a refresh from outside in the audit trail; `refresh` still
    does it at once."""
    import sqlite3

    path = tmp_path / "eet.db"
    url = f"sqlite:///{path}"
    assert run_eet(url, "init", "--demo").returncode == 0
    before = report_json(url, "2021-05-31")
    assert before["participants"]["funnel"]["housed"] > 0
    with sqlite3.connect(path) as conn:  # another program: the monitor sees nothing of it
        conn.execute("UPDATE participant_event SET voided_at = CURRENT_TIMESTAMP WHERE kind = 'housed'")
    assert report_json(url, "2021-05-31")["participants"]["funnel"]["housed"] == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT action, entity, source FROM audit_record ORDER BY id DESC LIMIT 1").fetchone() == (
            "refresh", "timeline", "outside")
    result = run_eet(url, "refresh")
    assert result.returncode == 0, result.stderr
    assert report_json(url, "2021-05-31")["participants"]["funnel"]["housed"] == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT action, entity, source FROM audit_record ORDER BY id DESC LIMIT 1").fetchone() == (
            "refresh", "timeline", "cli")
