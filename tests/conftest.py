"""Fixtures: the data layer runs against SQLite and against PostgreSQL, each in a database of its
own that the test session creates and drops.

- `engine`: a clean, initialised database (coalition and targets, no data) per test, on each backend.
- `session`: a session on it; commit when the test wants the data visible to other sessions.
- `demo_engine`: a database with the demo data set, loaded once per backend and shared: read only.
- `actors`: an Actor per role (the coordinator belongs to Utrecht).
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from eet.accounts.access import Actor
from eet.bootstrap import initialise
from eet.figures import timeline_file
from eet.store.engine import get_engine
from eet.write.guard import maintenance

PG_ADMIN_URL = os.environ.get("EET_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


def _create_pg_database() -> str:
    name = f"eet_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _new_database(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'eet.db'}"
    return _create_pg_database()


def _dispose(url: str) -> None:
    get_engine(url).dispose()
    if url.startswith("postgresql"):
        _drop_pg_database(url)
        timeline_file.remove(url)  # kept in the user's cache folder, not beside a file of the test's


@pytest.fixture(scope="session", params=BACKENDS)
def backend_url(request, tmp_path_factory):
    """One empty, migrated database per backend for the whole test session."""
    url = _new_database(request.param, tmp_path_factory)
    initialise(get_engine(url))
    yield url
    _dispose(url)


@pytest.fixture()
def engine(backend_url):
    """The backend's database emptied and re-seeded (coalition, targets) before each test."""
    return emptied(get_engine(backend_url))


def emptied(engine):
    """The database emptied and re-seeded (coalition, targets): for each example of a property test."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn, maintenance("a test empties its database"):
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    initialise(engine)
    return engine


@pytest.fixture()
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(request, tmp_path_factory):
    url = _new_database(request.param, tmp_path_factory)
    engine = get_engine(url)
    initialise(engine, demo=True)
    yield engine
    _dispose(url)


@pytest.fixture()
def actors(engine) -> dict[str, Actor]:
    from sqlmodel import select

    from eet.store.models import Organisation

    with Session(engine) as s:
        utrecht = s.exec(select(Organisation).where(Organisation.name == "Utrecht")).one()
    return {
        "admin": Actor("test-admin", "admin"),
        "coordinator": Actor("test-coordinator", "coordinator", organisation_id=utrecht.id),
        "researcher": Actor("test-researcher", "researcher"),
        "viewer": Actor("test-viewer", "viewer"),
    }


@pytest.fixture()
def entry_script_every_run(monkeypatch):
    """AppTest forgets before every run that dashboard.py called st.navigation, and then runs a
    pages/ file directly; the server runs the entry script every time, so page tests do too."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture()
def demo_url(tmp_path, monkeypatch):
    """A fresh demo database per test (the page and form tests write to it), named by
    EET_DATABASE_URL as the dashboard reads it. A test module may define a wider one of its own."""
    url = f"sqlite:///{tmp_path / 'eet.db'}"
    monkeypatch.setenv("EET_DATABASE_URL", url)
    initialise(get_engine(url), demo=True)
    yield url
    get_engine(url).dispose()


def module_demo_database(tmp_path_factory):
    """The body of a module-scoped demo database fixture: EET_DATABASE_URL names it while the
    module runs (the dashboard reads it there), and is put back afterwards."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'eet.db'}"
    previous = os.environ.get("EET_DATABASE_URL")
    os.environ["EET_DATABASE_URL"] = url
    initialise(get_engine(url), demo=True)
    yield url
    get_engine(url).dispose()
    if previous is None:
        os.environ.pop("EET_DATABASE_URL", None)
    else:
        os.environ["EET_DATABASE_URL"] = previous


def open_page(page: str, actor: Actor, as_of: str, lang: str = "nl"):
    """An AppTest of the dashboard at `page` (a pages/ file) for `actor`, at `as_of`, in `lang`,
    run once through the entry script as a click in the sidebar would; fails on an exception."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    at.session_state["actor"] = actor
    at.query_params["as_of"] = as_of
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
