"""Migration 0008 turns today's rows into their first version with no figure changing (issue 22):
the demo's figures at a dozen dates, as known now and as known at moments between its writes, are
the same before the versions exist (schema 0007) and after the migration made them, on both
backends."""

from __future__ import annotations

from datetime import date, timedelta

from alembic import command
from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from eet.figures.report import build_report
from eet.figures.timeline import forget_timelines
from eet.store.engine import alembic_config
from eet.store.engine import get_engine
from eet.store.models import AuditRecord, CostParameter, DwellingVersion, OrganisationVersion, ParticipantVersion, Pledge
from eet.write.guard import maintenance

DATES = [date(2021, 1, 15), date(2021, 3, 1), date(2021, 5, 27), date(2022, 3, 1)]


def _figures(engine) -> list:
    """The report at each date as known now and at three moments. The moments lie after the demo's
    cost parameters and targets were recorded: before 0008 those were read as known now whatever K
    (the migration keeps that: they are recorded at 1970-01-01), while the demo loaded by this
    version records them when it loads them."""
    forget_timelines()
    with Session(engine) as session:
        last_cost = session.execute(select(func.max(AuditRecord.id)).where(
            AuditRecord.entity.in_(("cost_parameter", "target")))).scalar_one()
        moments = sorted(session.execute(select(AuditRecord.at).where(AuditRecord.id > last_cost)).scalars().all())
        picks = [moments[0], moments[len(moments) // 2], moments[-1] + timedelta(seconds=1)]
        return [build_report(session, day, known_at=k) for day in DATES for k in (None, *picks)]


def test_the_first_versions_change_no_figure(backend_url, tmp_path):
    # A demo database of its own: going back to 0007 drops what later migrations added (the
    # pledges of 0011, the cost parameters' groups of 0012, put back below as a restore would),
    # which the shared demo must keep.
    from eet.bootstrap import initialise
    from tests.conftest import _dispose, _new_database

    url = _new_database("postgresql" if backend_url.startswith("postgresql") else "sqlite", _Factory(tmp_path))
    demo_engine = get_engine(url)
    initialise(demo_engine, demo=True)
    before = _figures(demo_engine)
    config = alembic_config(demo_engine)
    cost = CostParameter.__table__
    with demo_engine.connect() as conn:
        pledges = [dict(row._mapping) for row in conn.execute(select(Pledge.__table__))]
        # and whom each cost parameter applies to (0012)
        scopes = [dict(row._mapping) for row in conn.execute(
            select(cost.c.id.label("row_id"), cost.c.care_provider_id, cost.c.building_type))]
    with maintenance("test: the schema before versions, and back"):
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
        with demo_engine.begin() as conn:
            conn.execute(Pledge.__table__.insert(), pledges)
            conn.execute(cost.update().where(cost.c.id == bindparam("row_id")), scopes)
    try:
        _check(demo_engine, before)
    finally:
        _dispose(url)


class _Factory:
    def __init__(self, path):
        self.path = path

    def mktemp(self, name):
        folder = self.path / name
        folder.mkdir()
        return folder


def _check(demo_engine, before) -> None:
    with Session(demo_engine) as session:
        counts = [session.execute(select(func.count()).select_from(model)).scalar_one()
                  for model in (DwellingVersion, ParticipantVersion, OrganisationVersion)]
    assert all(n > 0 for n in counts)
    assert _figures(demo_engine) == before
