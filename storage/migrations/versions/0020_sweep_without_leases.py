"""The milestone sweep locks the tickets it sweeps in its own transaction instead of leasing them (storage.sweeps):
the lease columns go, and the due tickets are found by (next_change_at, id), the sweep's order, so a batch is
read from the index without sorting all the tickets due at one instant.

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_next_change_at_id", ["next_change_at", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_ticket_next_change_at"))
        batch_op.drop_column("sweep_lease_token")
        batch_op.drop_column("sweep_lease_until")


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sweep_lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sweep_lease_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_ticket_next_change_at"), ["next_change_at"], unique=False)
        batch_op.drop_index("ix_ticket_next_change_at_id")
