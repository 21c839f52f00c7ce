"""Update cycles: one row per decided period of a recurring target (sla.cycles), met at its update or missed at
its end, with the priority and plan then, so reports can give the update cadence's compliance.

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "target", "due_at", name="uq_update_cycle_period"),
    )
    with op.batch_alter_table("update_cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_update_cycle_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_update_cycle_decided_at"), ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("update_cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_cycle_decided_at"))
        batch_op.drop_index(batch_op.f("ix_update_cycle_ticket_id"))
    op.drop_table("update_cycle")
