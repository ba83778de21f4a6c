"""Sessions, sets and reps: what the live coach records.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exercise_id", sa.String(64), nullable=False, index=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("view", sa.String(16)),
        sa.Column("mirrored", sa.Boolean, nullable=False),
        sa.Column("planned_sets", sa.Integer),
        sa.Column("planned_reps", sa.Integer),
        sa.Column("planned_hold_s", sa.Float),
        sa.Column("pain_before", sa.Integer),
        sa.Column("pain_after", sa.Integer),
        sa.Column("effort_borg", sa.Float),
        sa.Column("notes", sa.Text),
    )
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("set_index", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("held_s", sa.Float, nullable=False),
    )
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("set_index", sa.Integer, nullable=False),
        sa.Column("rep_index", sa.Integer, nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("range_of_motion", sa.JSON, nullable=False),
        sa.Column("faults", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reps_session", "reps", ["session_id"])


def downgrade() -> None:
    op.drop_table("reps")
    op.drop_table("sets")
    op.drop_table("sessions")
