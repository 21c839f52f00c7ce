"""The milestones stored with each request (ticket.milestones): what the milestone sweep needs of its clocks until
its event log changes (sla.plan), so a sweep run says the reminders due without recomputing every clock
(docs/architecture.md, "Time").

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("milestones", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("milestones")
