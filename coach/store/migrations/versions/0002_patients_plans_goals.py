"""Patients, clinicians, logins, plans, fault events and goals; sessions belong to a patient.

Sessions recorded before this revision are kept: they are given to a default patient
("Me", home mode's patient), created only when there are such sessions. Faults stored
inside each rep become fault events (at the rep's end: the time of each fault was not kept
before). Downgrading removes the new tables and columns and keeps sessions, sets and reps.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULT_PATIENT_NAME = "Me"
SESSION_CHECKS = {
    "ck_sessions_pain_before": "pain_before IS NULL OR pain_before BETWEEN 0 AND 10",
    "ck_sessions_pain_during": "pain_during IS NULL OR pain_during BETWEEN 0 AND 10",
    "ck_sessions_pain_after": "pain_after IS NULL OR pain_after BETWEEN 0 AND 10",
    "ck_sessions_borg": "effort_borg IS NULL OR effort_borg BETWEEN 0 AND 10",
}


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "clinicians",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(200)),
        _created(),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("date_of_birth", sa.Date),
        sa.Column("referrer", sa.String(200)),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey(
                "clinicians.id", name="fk_patients_clinician_id_clinicians", ondelete="SET NULL"
            ),
        ),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("notes", sa.Text),
        _created(),
    )
    op.create_index("ix_patients_clinician_id", "patients", ["clinician_id"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey(
                "clinicians.id", name="fk_accounts_clinician_id_clinicians", ondelete="CASCADE"
            ),
        ),
        sa.Column(
            "patient_id",
            sa.Integer,
            sa.ForeignKey(
                "patients.id", name="fk_accounts_patient_id_patients", ondelete="CASCADE"
            ),
        ),
        _created(),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.CheckConstraint("role IN ('clinician', 'patient')", name=op.f("ck_accounts_role")),
        sa.CheckConstraint(
            "(role = 'clinician' AND clinician_id IS NOT NULL AND patient_id IS NULL) OR "
            "(role = 'patient' AND patient_id IS NOT NULL AND clinician_id IS NULL)",
            name=op.f("ck_accounts_owner"),
        ),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "patient_id",
            sa.Integer,
            sa.ForeignKey("patients.id", name="fk_plans_patient_id_patients", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "clinician_id",
            sa.Integer,
            sa.ForeignKey(
                "clinicians.id", name="fk_plans_clinician_id_clinicians", ondelete="SET NULL"
            ),
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date),
        sa.Column("notes", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        _created(),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_plans_dates")
        ),
    )
    op.create_index("ix_plans_patient_id", "plans", ["patient_id"])
    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", name="fk_plan_items_plan_id_plans", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("exercise_id", sa.String(64), nullable=False),
        sa.Column("sets", sa.Integer, nullable=False),
        sa.Column("reps", sa.Integer),
        sa.Column("hold_s", sa.Float),
        sa.Column("rest_s", sa.Float, nullable=False),
        sa.Column("rom_angle", sa.String(64)),
        sa.Column("rom_target_deg", sa.Float),
        sa.Column("frequency_per_week", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("progress_rule", sa.JSON),
        sa.Column("active", sa.Boolean, nullable=False),
        _created(),
        sa.CheckConstraint("sets BETWEEN 1 AND 20", name=op.f("ck_plan_items_sets")),
        sa.CheckConstraint(
            "reps IS NULL OR reps BETWEEN 1 AND 200", name=op.f("ck_plan_items_reps")
        ),
        sa.CheckConstraint(
            "(reps IS NULL) <> (hold_s IS NULL)", name=op.f("ck_plan_items_reps_or_hold")
        ),
        sa.CheckConstraint(
            "frequency_per_week BETWEEN 1 AND 14", name=op.f("ck_plan_items_frequency")
        ),
    )
    op.create_index("ix_plan_items_plan_id", "plan_items", ["plan_id"])
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "patient_id",
            sa.Integer,
            sa.ForeignKey("patients.id", name="fk_goals_patient_id_patients", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("activity", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _created(),
    )
    op.create_index("ix_goals_patient_id", "goals", ["patient_id"])
    op.create_table(
        "goal_scores",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "goal_id",
            sa.Integer,
            sa.ForeignKey("goals.id", name="fk_goal_scores_goal_id_goals", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("scored_on", sa.Date, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        _created(),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_goal_scores_score")),
    )
    op.create_index("ix_goal_scores_goal_id", "goal_scores", ["goal_id"])
    op.create_table(
        "fault_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey(
                "sessions.id", name="fk_fault_events_session_id_sessions", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "rep_id",
            sa.Integer,
            sa.ForeignKey("reps.id", name="fk_fault_events_rep_id_reps", ondelete="CASCADE"),
        ),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("cue", sa.Text, nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("t_s", sa.Float),
        sa.Column("value", sa.Float),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fault_events_session_id", "fault_events", ["session_id"])

    # ---- sessions gain a patient, a plan item, a source and pain during -------------------
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("patient_id", sa.Integer))
        batch.add_column(sa.Column("plan_item_id", sa.Integer))
        batch.add_column(sa.Column("source", sa.String(16)))
        batch.add_column(sa.Column("pain_during", sa.Integer))
    _give_old_sessions_a_patient()
    with op.batch_alter_table("sessions", recreate="auto") as batch:
        batch.alter_column("patient_id", existing_type=sa.Integer, nullable=False)
        batch.alter_column("source", existing_type=sa.String(16), nullable=False)
        batch.create_foreign_key(
            "fk_sessions_patient_id_patients",
            "patients",
            ["patient_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_foreign_key(
            "fk_sessions_plan_item_id_plan_items",
            "plan_items",
            ["plan_item_id"],
            ["id"],
            ondelete="SET NULL",
        )
        for name, condition in SESSION_CHECKS.items():
            batch.create_check_constraint(op.f(name), condition)
    op.create_index("ix_sessions_patient_started", "sessions", ["patient_id", "started_at"])

    with op.batch_alter_table("reps") as batch:
        batch.add_column(sa.Column("turn_s", sa.Float))
    _faults_to_events()


def _give_old_sessions_a_patient() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    sessions = sa.table("sessions", sa.column("id"), sa.column("patient_id"), sa.column("source"))
    bind.execute(sessions.update().values(source="live"))
    if bind.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one() == 0:
        return
    patients = sa.table(
        "patients",
        sa.column("id"),
        sa.column("name"),
        sa.column("is_default"),
        sa.column("created_at"),
    )
    bind.execute(
        patients.insert().values(name=DEFAULT_PATIENT_NAME, is_default=True, created_at=now)
    )
    patient_id = bind.execute(sa.select(sa.func.max(patients.c.id))).scalar_one()
    bind.execute(sessions.update().values(patient_id=patient_id))


def _faults_to_events() -> None:
    bind = op.get_bind()
    reps = sa.table(
        "reps",
        sa.column("id"),
        sa.column("session_id"),
        sa.column("end_s"),
        sa.column("faults", sa.JSON),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    events = sa.table(
        "fault_events",
        sa.column("session_id"),
        sa.column("rep_id"),
        sa.column("rule_id"),
        sa.column("cue"),
        sa.column("severity"),
        sa.column("t_s"),
        sa.column("value"),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    rows = []
    for rep in bind.execute(sa.select(reps).order_by(reps.c.id)):
        faults = json.loads(rep.faults) if isinstance(rep.faults, str) else rep.faults
        for fault in faults or []:
            rows.append(
                {
                    "session_id": rep.session_id,
                    "rep_id": rep.id,
                    "rule_id": str(fault.get("rule", "unknown"))[:64],
                    "cue": str(fault.get("cue", "")),
                    "severity": str(fault.get("severity", "minor")),
                    "t_s": fault.get("t_s", rep.end_s),
                    "value": fault.get("value"),
                    "recorded_at": rep.recorded_at,
                }
            )
    if rows:
        bind.execute(events.insert(), rows)


def downgrade() -> None:
    op.drop_index("ix_sessions_patient_started", table_name="sessions")
    with op.batch_alter_table("sessions", recreate="auto") as batch:
        for name in SESSION_CHECKS:
            batch.drop_constraint(op.f(name), type_="check")
        batch.drop_constraint("fk_sessions_plan_item_id_plan_items", type_="foreignkey")
        batch.drop_constraint("fk_sessions_patient_id_patients", type_="foreignkey")
        batch.drop_column("pain_during")
        batch.drop_column("source")
        batch.drop_column("plan_item_id")
        batch.drop_column("patient_id")
    with op.batch_alter_table("reps") as batch:
        batch.drop_column("turn_s")
    for table in (
        "fault_events",
        "goal_scores",
        "goals",
        "plan_items",
        "plans",
        "accounts",
        "patients",
        "clinicians",
    ):
        op.drop_table(table)
