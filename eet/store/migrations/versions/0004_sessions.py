"""server-side sign-in sessions, failed sign-ins of unknown names, the account's provider identity

A browser holds a random token in an HttpOnly cookie; the server keeps its hash with the times
that enforce the idle and absolute limits, and its revocation (eet.accounts.sessions).

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('ticket_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('ticket_expires', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('account_stamp', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('door', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_why', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash')),
    sa.UniqueConstraint('ticket_hash', name=op.f('uq_user_session_ticket_hash')),
    )
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'])
    op.create_table('sign_in_failure',
    sa.Column('name_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name_hash', name=op.f('pk_sign_in_failure')),
    )
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('identity', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch.create_unique_constraint(op.f('uq_user_identity'), ['identity'])


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_constraint(op.f('uq_user_identity'), type_='unique')
        batch.drop_column('identity')
    op.drop_table('sign_in_failure')
    op.drop_index(op.f('ix_user_session_user_id'), table_name='user_session')
    op.drop_table('user_session')
