"""Assessments (range of motion, functional tests), flare-up plans, posture checks, lessons read.

Only new tables: downgrading drops them and leaves everything of revision 0002 untouched.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _patient_id() -> sa.Column:
    return sa.Column(
        "patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False
    )


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("measure", sa.String(60), nullable=False),
        sa.Column("side", sa.String(8)),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        _stamp("taken_at"),
        sa.Column("notes", sa.Text),
        _stamp("created_at"),
        sa.CheckConstraint(
            "kind IN ('rom', 'chair_stand_30s', 'timed_up_and_go', 'single_leg_stance')",
            name="kind",
        ),
        sa.CheckConstraint("side IS NULL OR side IN ('left', 'right')", name="side"),
        sa.CheckConstraint("source IN ('live', 'video')", name="source"),
    )
    op.create_index("ix_assessments_patient_id", "assessments", ["patient_id"])
    op.create_table(
        "flare_up_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("warning_signs", sa.Text),
        sa.Column("reduce", sa.Text),
        sa.Column("keep_doing", sa.Text),
        sa.Column("helps", sa.Text),
        sa.Column("seek_help", sa.Text),
        _stamp("updated_at"),
        _stamp("created_at"),
    )
    op.create_table(
        "posture_checks",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        _stamp("started_at"),
        _stamp("ended_at"),
        sa.Column("summary", sa.JSON, nullable=False),
        _stamp("created_at"),
    )
    op.create_index("ix_posture_checks_patient_id", "posture_checks", ["patient_id"])
    op.create_table(
        "lesson_reads",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("lesson_id", sa.String(64), nullable=False),
        _stamp("read_at"),
        sa.UniqueConstraint("patient_id", "lesson_id", name="uq_lesson_reads_patient_lesson"),
    )


def downgrade() -> None:
    op.drop_table("lesson_reads")
    op.drop_index("ix_posture_checks_patient_id", table_name="posture_checks")
    op.drop_table("posture_checks")
    op.drop_table("flare_up_plans")
    op.drop_index("ix_assessments_patient_id", table_name="assessments")
    op.drop_table("assessments")
