"""indexes for the figures at national size

Partial (non-voided rows only) covering indexes, so that each as-of figure reads an index in the
order it needs and never the table: a dwelling's latest change on or before D, and a participant's
events by kind. Both SQLite and PostgreSQL use a partial index when the query repeats its
`voided_at IS NULL`, which every figure does.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOT_VOIDED = sa.text("voided_at IS NULL")
INDEXES = [
    ("ix_change_current", "dwelling_status_change", ["dwelling_id", "effective_on", "id", "status"]),
    ("ix_event_route", "participant_event", ["participant_id", "kind", "occurred_on", "id", "outcome"]),
    ("ix_event_kind_participant", "participant_event", ["kind", "participant_id", "occurred_on", "outcome"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, sqlite_where=NOT_VOIDED, postgresql_where=NOT_VOIDED)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
