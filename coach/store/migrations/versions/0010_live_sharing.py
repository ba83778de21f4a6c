"""Telehealth's live half: which sessions the patient shares live with their physiotherapist
(and since when), the plan's "telehealth" flag that turns sharing on by default, and the
physiotherapist's changes of a session's target while watching.

Existing sessions and plans are not shared. Downgrading drops the table and the columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("shared_since", sa.DateTime(timezone=True)))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("telehealth", sa.Boolean, nullable=False, server_default=sa.text("false"))
        )
    op.create_table(
        "session_target_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="SET NULL")),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("target_reps", sa.Integer),
        sa.Column("rom_target_deg", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_session_target_changes_session_id", "session_target_changes", ["session_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_session_target_changes_session_id", "session_target_changes")
    op.drop_table("session_target_changes")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("telehealth")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("shared_since")
