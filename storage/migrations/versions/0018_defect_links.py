"""Defect trackers: defect_link (the tracker issue a request's defect lives in, its state and release),
tracker_change (each tracker change applied, once, by the vendor's id or the (issue, kind, instant) triple) and
tracker_poll (how far the reconciliation poll has read, per tracker and scope).

Written by hand to match the model, checked by autogenerate finding nothing left to migrate.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "defect_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("tracker", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("issue_ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("release_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    with op.batch_alter_table("defect_link", schema=None) as batch_op:
        batch_op.create_index("ix_defect_link_tracker_issue", ["tracker", "issue_ref"], unique=False)
    op.create_table(
        "tracker_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("tracker", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("change_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracker", "change_key", name="uq_tracker_change_key"),
    )
    with op.batch_alter_table("tracker_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_change_ticket_id"), ["ticket_id"], unique=False)
    op.create_table(
        "tracker_poll",
        sa.Column("tracker", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("polled_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tracker", "scope"),
    )


def downgrade() -> None:
    op.drop_table("tracker_poll")
    with op.batch_alter_table("tracker_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_change_ticket_id"))
    op.drop_table("tracker_change")
    with op.batch_alter_table("defect_link", schema=None) as batch_op:
        batch_op.drop_index("ix_defect_link_tracker_issue")
    op.drop_table("defect_link")
