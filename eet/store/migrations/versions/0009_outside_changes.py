"""changes made outside eet are counted (issue 25)

- change_counter: one row whose `changes` every write to a table the figures are made from adds
  one to, by trigger (statement-level on PostgreSQL, row-level on SQLite); eet.store.outside.
- data_version.changes_seen: the counter as eet's last write left it; a counter past it is a change
  made outside eet (sqlite3, psql, an analyst's script), caught up at the next page run or report.

Revision ID: 0009
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from eet.store.outside import COUNTED_TABLES, COUNTER, drop_trigger_ddl, trigger_ddl

revision: str = '0009'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The tables as they are at this revision (a later migration that adds a counted table calls
# trigger_ddl for it).
TABLES = COUNTED_TABLES


def upgrade() -> None:
    op.create_table(COUNTER, sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
                    sa.Column("changes", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(f"INSERT INTO {COUNTER} (id, changes) VALUES (1, 0)")
    with op.batch_alter_table("data_version") as batch:
        batch.add_column(sa.Column("changes_seen", sa.BigInteger(), nullable=False, server_default="0"))
    for statement in trigger_ddl(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_ddl(op.get_bind().dialect.name, TABLES):
        op.execute(statement)
    with op.batch_alter_table("data_version") as batch:
        batch.drop_column("changes_seen")
    op.drop_table(COUNTER)
