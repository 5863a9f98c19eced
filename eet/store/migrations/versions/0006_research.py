"""the living lab's research questions: ZRM measurements and the payer of each cost parameter

A `measurement` table (one participant on one date, 13 domains scored 1-5 or not scored, voided
rather than deleted) for sustainable recovery at 12 months, and on `cost_parameter` the payer and a
low and high value for the business case per payer and its sensitivity (issue 17).

Revision ID: 0006
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ZRM_DOMAINS = ("finances", "work_education", "time_use", "housing", "domestic_relations", "mental_health",
               "physical_health", "substance_use", "basic_adl", "instrumental_adl", "social_network",
               "social_participation", "justice")
PAYERS = ("gemeente", "zorgverzekeraar", "wlz", "woningcorporatie", "rijk", "other")
NOT_VOIDED = sa.text("voided_at IS NULL")


def upgrade() -> None:
    op.create_table(
        'measurement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('measured_on', sa.Date(), nullable=False),
        *[sa.Column(d, sa.Integer(), nullable=True) for d in ZRM_DOMAINS],
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('voided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('voided_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        *[sa.CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=op.f(f'ck_measurement_{d}'))
          for d in ZRM_DOMAINS],
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                                name=op.f('fk_measurement_participant_id_participant')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement')),
    )
    op.create_index("ix_measurement_participant_date", "measurement", ["participant_id", "measured_on"],
                    sqlite_where=NOT_VOIDED, postgresql_where=NOT_VOIDED)
    allowed = ", ".join(f"'{p}'" for p in PAYERS)
    with op.batch_alter_table('cost_parameter') as batch_op:
        batch_op.add_column(sa.Column('payer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('low_eur', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('high_eur', sa.Float(), nullable=True))
        batch_op.create_check_constraint('payer', f"payer IS NULL OR payer IN ({allowed})")


def downgrade() -> None:
    with op.batch_alter_table('cost_parameter') as batch_op:
        batch_op.drop_constraint('ck_cost_parameter_payer', type_='check')
        batch_op.drop_column('high_eur')
        batch_op.drop_column('low_eur')
        batch_op.drop_column('payer')
    op.drop_index("ix_measurement_participant_date", table_name="measurement")
    op.drop_table('measurement')
