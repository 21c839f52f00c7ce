"""Indexes for /metrics at scrape time (storage.metrics): open requests counted per status, priority and plan from
an index alone, and the pending deadlines breached or due within the hour found by state and due instant, so a
scrape reads what is at risk, not every open request.

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_status_priority_plan", ["status", "priority", "plan"], unique=False)
    with op.batch_alter_table("ticket_deadline", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_deadline_state_due_at", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_deadline", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_deadline_state_due_at")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_status_priority_plan")
