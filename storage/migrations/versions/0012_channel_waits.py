"""Channels the bot is not in: one row per Slack channel whose outbox rows are parked until the bot is invited
(storage.channel_waits). The outbox's new states (parked, dismissed) fit its state column as it is.

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_wait",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_wait")
