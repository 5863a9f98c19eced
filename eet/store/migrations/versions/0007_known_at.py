"""the moment a review meeting's figures were presented; month sign-off; admin settings

- review_meeting.presented_at: the pack of a past meeting made again later shows the figures as
  known at that moment (issue 16). NULL: figures as known now.
- month_sign_off: a coordinator signs off a month for their organisation; writes dated in it are
  refused until the admin reopens it (both kept: signed_at/by, reopened_at/by).
- setting: admin settings as key/value text (the data-quality thresholds).
- covering indexes for the figures as known at K (bench/run.py, the (D, K) rows): the partial
  indexes of 0002 hold only rows not voided now; these hold every row with recorded_at and
  voided_at, so that a figure at (D, K) is read from an index as the figure at D is.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("review_meeting") as batch:
        batch.add_column(sa.Column("presented_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "month_sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("signed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("reopened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reopened_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_month_sign_off_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_sign_off")),
    )
    op.create_index("ix_month_sign_off_org_month", "month_sign_off", ["organisation_id", "month"])
    op.create_index("ix_change_known", "dwelling_status_change",
                    ["dwelling_id", "effective_on", "id", "status", "recorded_at", "voided_at"])
    op.create_index("ix_event_route_known", "participant_event",
                    ["participant_id", "kind", "occurred_on", "id", "outcome", "recorded_at", "voided_at"])
    op.create_index("ix_event_kind_participant_known", "participant_event",
                    ["kind", "participant_id", "occurred_on", "outcome", "recorded_at", "voided_at"])
    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )


def downgrade() -> None:
    op.drop_table("setting")
    op.drop_index("ix_event_kind_participant_known", table_name="participant_event")
    op.drop_index("ix_event_route_known", table_name="participant_event")
    op.drop_index("ix_change_known", table_name="dwelling_status_change")
    op.drop_index("ix_month_sign_off_org_month", table_name="month_sign_off")
    op.drop_table("month_sign_off")
    with op.batch_alter_table("review_meeting") as batch:
        batch.drop_column("presented_at")
