"""Each set's landmarks kept with the session (packed small), the patient's switch to turn
that off, and the clinician's comments on a session or one of its reps.

Existing patients keep landmarks from now on (the switch starts on); existing sessions
have none. Downgrading drops the two tables and the column.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(
            sa.Column("keep_landmarks", sa.Boolean, nullable=False, server_default=sa.text("true"))
        )
    op.create_table(
        "set_landmarks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("set_index", sa.Integer, nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "set_index", name="uq_set_landmarks_session_set"),
    )
    op.create_table(
        "session_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="CASCADE")),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="SET NULL")),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_session_comments_session_id", "session_comments", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_session_comments_session_id", "session_comments")
    op.drop_table("session_comments")
    op.drop_table("set_landmarks")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("keep_landmarks")
