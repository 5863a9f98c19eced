"""Migration 0008 turns today's rows into their first version with no figure changing (issue 22):
the demo's figures at a dozen dates, as known now and as known at moments between its writes, are
the same before the versions exist (schema 0007) and after the migration made them, on both
backends."""

from __future__ import annotations

from datetime import date, timedelta

from alembic import command
from sqlalchemy import func, select
from sqlmodel import Session

from eet.figures.report import build_report
from eet.figures.timeline import forget_timelines
from eet.store.engine import alembic_config
from eet.store.models import AuditRecord, DwellingVersion, OrganisationVersion, ParticipantVersion
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


def test_the_first_versions_change_no_figure(demo_engine):
    before = _figures(demo_engine)
    config = alembic_config(demo_engine)
    with maintenance("test: the schema before versions, and back"):
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    with Session(demo_engine) as session:
        counts = [session.execute(select(func.count()).select_from(model)).scalar_one()
                  for model in (DwellingVersion, ParticipantVersion, OrganisationVersion)]
    assert all(n > 0 for n in counts)
    assert _figures(demo_engine) == before
