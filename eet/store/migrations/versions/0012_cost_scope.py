"""whom a cost parameter applies to: a care provider's participants, a building type (issue 29)

cost_parameter.care_provider_id: a support cost of one care provider's participants (support
intensity differs between providers); cost_parameter.building_type: a housing cost of the
participants housed in one building type. Neither: the parameter applies to every participant, as
before. The business case per group (eet.figures.group_costs) reads them.

Columns are added in place (ALTER TABLE ... ADD COLUMN on both backends), not by SQLite's
copy-and-move: a copied table would lose the triggers that count changes made outside eet (0009).

Revision ID: 0012
Revises: 0010
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from eet.store.outside import trigger_ddl

revision: str = '0012'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BUILDING_TYPES = ("existing", "transformation", "new_build")  # eet.store.models at this revision
CHECK = "building_type IS NULL OR building_type IN ({})".format(", ".join(f"'{v}'" for v in BUILDING_TYPES))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a reference and a check in ADD COLUMN (values NULL), with the names the
        # models' naming convention gives them.
        op.execute("ALTER TABLE cost_parameter ADD COLUMN care_provider_id INTEGER "
                   "CONSTRAINT fk_cost_parameter_care_provider_id_organisation REFERENCES organisation (id)")
        op.execute("ALTER TABLE cost_parameter ADD COLUMN building_type VARCHAR(20) "
                   f"CONSTRAINT ck_cost_parameter_building_type CHECK ({CHECK})")
        return
    op.add_column("cost_parameter", sa.Column("care_provider_id", sa.Integer(), nullable=True))
    op.add_column("cost_parameter", sa.Column("building_type", sa.String(length=20), nullable=True))
    op.create_foreign_key("fk_cost_parameter_care_provider_id_organisation", "cost_parameter", "organisation",
                          ["care_provider_id"], ["id"])
    op.create_check_constraint("ck_cost_parameter_building_type", "cost_parameter", CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A column with a reference cannot be dropped in place: the table is copied without them,
        # and the counting triggers the copy lost are made again.
        with op.batch_alter_table("cost_parameter", recreate="always") as batch:
            batch.drop_constraint(op.f("ck_cost_parameter_building_type"), type_="check")
            batch.drop_column("building_type")
            batch.drop_column("care_provider_id")
        for statement in trigger_ddl("sqlite", ("cost_parameter",)):
            op.execute(statement)
        return
    op.drop_constraint("ck_cost_parameter_building_type", "cost_parameter", type_="check")
    op.drop_constraint("fk_cost_parameter_care_provider_id_organisation", "cost_parameter", type_="foreignkey")
    op.drop_column("cost_parameter", "building_type")
    op.drop_column("cost_parameter", "care_provider_id")
