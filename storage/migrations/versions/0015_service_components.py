"""Services on the status page: the services an outage hits and a maintenance window takes down (none: every
service), one row each, so the page and the availability report can be read per service.

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outage_service",
        sa.Column("outage_id", sa.Integer(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["outage_id"], ["outage.id"]),
        sa.PrimaryKeyConstraint("outage_id", "service"),
    )
    op.create_table(
        "maintenance_service",
        sa.Column("maintenance_id", sa.Integer(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["maintenance_id"], ["maintenance_window.id"]),
        sa.PrimaryKeyConstraint("maintenance_id", "service"),
    )


def downgrade() -> None:
    op.drop_table("maintenance_service")
    op.drop_table("outage_service")
