"""Versioned details (DESIGN.md, "Figures as known at a moment K"): a dwelling's, a participant's
and a partner's details are kept version by version in dwelling_version, participant_version and
organisation_version. The row itself holds the latest (one indexed read for the pages); every write
of details records a new version and voids the one before at the same moment, so exactly one version
is live at any K, and what a meeting was shown can be read again."""

from __future__ import annotations

from typing import Any

from eet.accounts.access import Actor
from eet.store.models import VERSIONED, DwellingVersion, OrganisationVersion, ParticipantVersion

MODELS = {"dwelling": DwellingVersion, "participant": ParticipantVersion, "organisation": OrganisationVersion}
SUPERSEDED = "superseded by a later version"


def values_of(table: str, row) -> dict[str, Any]:
    """The versioned details of a row of `table` (dwelling, participant, organisation)."""
    _, attributes = VERSIONED[table]
    return {name: getattr(row, name) for name in attributes}


def record_version(writer, actor: Actor, table: str, row, reason: str | None = None) -> None:
    """Record the row's details as its new version through the writer (the ORM's or an import's
    cache), voiding the version live until now."""
    id_column, _ = VERSIONED[table]
    writer.supersede(MODELS[table], id_column, row.id, values_of(table, row), actor.username, reason or SUPERSEDED)


def add_first_versions(conn) -> None:
    """A first version for every dwelling, participant and organisation that has none, recorded
    when the row was created (a partner: at 1970-01-01, known before any meeting): after a bulk
    load (eet.demo.synth, eet.store.coalition) that wrote the rows themselves. Runs inside the
    caller's gate or maintenance block."""
    from sqlalchemy import insert, literal, select
    from datetime import datetime, timezone

    from eet.store.models import Dwelling, Organisation, Participant

    for table, model, created in (("dwelling", Dwelling, "created_at"), ("participant", Participant, "created_at"),
                                  ("organisation", Organisation, None)):
        id_column, attributes = VERSIONED[table]
        version = MODELS[table].__table__
        source = model.__table__
        moment = source.c[created] if created else literal(datetime(1970, 1, 1, tzinfo=timezone.utc), version.c.recorded_at.type)
        missing = ~select(version.c.id).where(version.c[id_column] == source.c.id).exists()
        conn.execute(insert(version).from_select(
            [id_column, *attributes, "recorded_at", "recorded_by"],
            select(source.c.id, *(source.c[a] for a in attributes), moment, literal("first version"))
            .where(missing).order_by(source.c.id)))
