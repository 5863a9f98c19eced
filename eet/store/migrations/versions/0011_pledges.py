"""partners' pledges of dwellings (issue 23)

- pledge: per partner (a municipality or a housing corporation) the dwellings it pledged, valid from
  a date; versioned, never updated (recorded_at/by, voided_at/by/void_reason), so the figures as
  known at K read a pledge as it then stood.

Revision ID: 0011
Revises: 0008
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("dwellings", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("voided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint("dwellings >= 0", name=op.f("ck_pledge_dwellings")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_pledge_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge")),
    )
    op.create_index("ix_pledge_org_valid", "pledge", ["organisation_id", "valid_from"])


def downgrade() -> None:
    op.drop_index("ix_pledge_org_valid", table_name="pledge")
    op.drop_table("pledge")
