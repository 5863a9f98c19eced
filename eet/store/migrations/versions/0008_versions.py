"""every fact a figure reads is versioned (issue 22)

- dwelling_version, participant_version, organisation_version: the details of a dwelling, a
  participant and a partner, version by version (recorded at/by, voided at/by/why when superseded);
  the dwelling, participant and organisation rows keep the latest, one indexed read away.
- cost_parameter, target: recorded at/by and voided at/by/why; a change is a new row voiding the
  old one, so the business case and the targets as known at K stay as they were.
- today's rows become their first version, with no figure changing: a dwelling's and a
  participant's first version is recorded when the row was created; a partner, a cost parameter and
  a target were known before any meeting this database holds, so theirs at 1970-01-01 (as the
  figures read them until now: as known now, whatever K).

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

EPOCH = "1970-01-01 00:00:00"


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("voided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _text(n: int):
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    live = sa.text("voided_at IS NULL")
    op.create_table(
        "dwelling_version", *_recorded(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("corporation_id", sa.Integer(), nullable=True),
        sa.Column("care_provider_id", sa.Integer(), nullable=True),
        sa.Column("site", _text(120), nullable=True),
        sa.Column("building_type", _text(20), nullable=True),
        sa.Column("route", _text(20), nullable=True),
        sa.Column("expected_date", sa.Date(), nullable=True),
        _fk("dwelling_version", "dwelling_id", "dwelling"),
        _fk("dwelling_version", "municipality_id", "organisation"),
        _fk("dwelling_version", "corporation_id", "organisation"),
        _fk("dwelling_version", "care_provider_id", "organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dwelling_version")),
    )
    op.create_index("ix_dwelling_version_known", "dwelling_version", ["dwelling_id", "recorded_at", "voided_at", "id"])
    op.create_index("ux_dwelling_version_live", "dwelling_version", ["dwelling_id"], unique=True,
                    sqlite_where=live, postgresql_where=live)
    op.create_table(
        "participant_version", *_recorded(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=False),
        sa.Column("care_provider_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("central_waiting_list", sa.Boolean(), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("age_band", _text(8), nullable=True),
        _fk("participant_version", "participant_id", "participant"),
        _fk("participant_version", "referrer_id", "organisation"),
        _fk("participant_version", "care_provider_id", "organisation"),
        _fk("participant_version", "municipality_id", "organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_version")),
    )
    op.create_index("ix_participant_version_known", "participant_version",
                    ["participant_id", "recorded_at", "voided_at", "id"])
    op.create_index("ux_participant_version_live", "participant_version", ["participant_id"], unique=True,
                    sqlite_where=live, postgresql_where=live)
    op.create_table(
        "organisation_version", *_recorded(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(120), nullable=False),
        sa.Column("kind", _text(32), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        _fk("organisation_version", "organisation_id", "organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_version")),
    )
    op.create_index("ix_organisation_version_known", "organisation_version",
                    ["organisation_id", "recorded_at", "voided_at", "id"])
    for table in ("cost_parameter", "target"):
        with op.batch_alter_table(table) as batch:
            for column in _recorded():
                if column.name == "recorded_at":
                    column = sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                       server_default=EPOCH)
                batch.add_column(column)
        with op.batch_alter_table(table) as batch:  # new rows are stamped by the application
            batch.alter_column("recorded_at", server_default=None)
    op.execute(
        "INSERT INTO dwelling_version (dwelling_id, municipality_id, corporation_id, care_provider_id, site, "
        "building_type, route, expected_date, recorded_at, recorded_by) "
        "SELECT id, municipality_id, corporation_id, care_provider_id, site, building_type, route, expected_date, "
        "created_at, 'migration 0008' FROM dwelling ORDER BY id")
    op.execute(
        "INSERT INTO participant_version (participant_id, referrer_id, care_provider_id, municipality_id, "
        "central_waiting_list, referred_on, age_band, recorded_at, recorded_by) "
        "SELECT id, referrer_id, care_provider_id, municipality_id, central_waiting_list, referred_on, age_band, "
        "created_at, 'migration 0008' FROM participant ORDER BY id")
    op.execute(
        "INSERT INTO organisation_version (organisation_id, name, kind, joined_on, recorded_at, recorded_by) "
        f"SELECT id, name, kind, joined_on, '{EPOCH}', 'migration 0008' FROM organisation ORDER BY id")


def downgrade() -> None:
    for table in ("target", "cost_parameter"):
        with op.batch_alter_table(table) as batch:
            for name in ("void_reason", "voided_by", "voided_at", "recorded_by", "recorded_at"):
                batch.drop_column(name)
    op.drop_index("ix_organisation_version_known", table_name="organisation_version")
    op.drop_table("organisation_version")
    op.drop_index("ux_participant_version_live", table_name="participant_version")
    op.drop_index("ix_participant_version_known", table_name="participant_version")
    op.drop_table("participant_version")
    op.drop_index("ux_dwelling_version_live", table_name="dwelling_version")
    op.drop_index("ix_dwelling_version_known", table_name="dwelling_version")
    op.drop_table("dwelling_version")
