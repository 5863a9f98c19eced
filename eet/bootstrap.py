"""Creating or migrating a database, and loading the demo: what `init` and the first start do."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from eet.store.coalition import ensure_coalition
from eet.store.engine import get_engine, init_lock, migrate, session_scope
from eet.store.models import DataVersion
from eet.store.contents import demo_removed, has_real_data, is_demo


class DemoRefused(RuntimeError):
    pass


def initialise(engine: Engine | None = None, demo: bool = False, demo_if_empty: bool = False) -> dict[str, int]:
    """Migrate, create what is missing of the coalition and targets, and with `demo` load the demo
    data set (refused when real data exist; skipped when the demo is there already). With
    `demo_if_empty` the demo is loaded only into a database without any data, and real data are
    left alone without complaint (so `make run` keeps working once real data are entered).
    Idempotent; two started at once run one after the other (`init_lock`)."""
    engine = engine or get_engine()
    with init_lock(engine):
        return _initialise(engine, demo, demo_if_empty)


def _initialise(engine: Engine, demo: bool, demo_if_empty: bool) -> dict[str, int]:
    migrate(engine)
    with session_scope(engine) as session:
        created = {"coalition": ensure_coalition(session)}
        if session.get(DataVersion, 1) is None:
            session.add(DataVersion(id=1, version=0))
    if demo_if_empty:
        with session_scope(engine) as session:
            # once removed (`python -m eet demo remove`), the demo does not come back by itself
            demo = not has_real_data(session) and not demo_removed(session)
    if demo:
        with session_scope(engine) as session:
            if has_real_data(session):
                raise DemoRefused("the database holds real (non-demo) data; the demo is loaded only "
                                  "into a database without it")
            if not is_demo(session):
                from eet.demo.newsletter import load_demo

                created.update(load_demo(session))
    return created
