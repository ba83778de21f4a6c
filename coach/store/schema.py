"""The tables of the store, as SQLAlchemy Core metadata (the newest Alembic revision).

Only `coach.store` and the migrations use these; pages and exports go through `Store`.
Ranges that the API validates (pain 0-10, Borg 0-10, goal scores 0-10, dosage) are also
CHECK constraints, so a row written by another tool cannot break them either.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Stable constraint names, so migrations can find them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

clinicians = Table(
    "clinicians",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("date_of_birth", Date),
    Column("referrer", String(200)),  # the referring clinician, named on the PDF report
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="SET NULL"), index=True),
    Column("is_default", Boolean, nullable=False, default=False),  # home mode's patient
    Column("notes", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Revision 0009: the patient may turn off keeping their sets' landmarks.
    Column("keep_landmarks", Boolean, nullable=False, server_default=text("true")),
    # Revision 0005: one default patient at most, whoever writes at the same time.
    Index(
        "uq_patients_one_default",
        "is_default",
        unique=True,
        sqlite_where=text("is_default"),
        postgresql_where=text("is_default"),
    ),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),  # argon2id, never the password
    Column("role", String(16), nullable=False),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="CASCADE")),
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
    CheckConstraint("role IN ('clinician', 'patient')", name="role"),
    CheckConstraint(
        "(role = 'clinician' AND clinician_id IS NOT NULL AND patient_id IS NULL) OR "
        "(role = 'patient' AND patient_id IS NOT NULL AND clinician_id IS NULL)",
        name="owner",
    ),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "patient_id",
        Integer,
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="SET NULL")),
    Column("title", String(200), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("notes", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Revision 0010: telehealth sessions: the Live coach shares the session by default.
    Column("telehealth", Boolean, nullable=False, server_default=text("false")),
    CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
)

plan_items = Table(
    "plan_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("position", Integer, nullable=False, default=0),
    Column("exercise_id", String(64), nullable=False),
    Column("sets", Integer, nullable=False),
    Column("reps", Integer),
    Column("hold_s", Float),
    Column("rest_s", Float, nullable=False),
    Column("rom_angle", String(64)),  # the angle the ROM target is about
    Column("rom_target_deg", Float),
    Column("counts_from_deg", Float),  # where a rep counts on rom_angle (the turn), or NULL
    Column("frequency_per_week", Integer, nullable=False),
    Column("notes", Text),
    Column("progress_rule", JSON),  # coach.clinical.plans.ProgressRule.to_dict(), or NULL
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("sets BETWEEN 1 AND 20", name="sets"),
    CheckConstraint("reps IS NULL OR reps BETWEEN 1 AND 200", name="reps"),
    CheckConstraint("(reps IS NULL) <> (hold_s IS NULL)", name="reps_or_hold"),
    CheckConstraint("frequency_per_week BETWEEN 1 AND 14", name="frequency"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("plan_item_id", Integer, ForeignKey("plan_items.id", ondelete="SET NULL")),
    Column("exercise_id", String(64), nullable=False, index=True),
    Column("source", String(16), nullable=False, default="live"),  # live | manual
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    # Revision 0006: how it ended, NULL while under way (coach.store.records.ENDED_HOW).
    Column("ended_how", String(16)),
    Column("view", String(16)),  # the camera view the engine detected
    Column("mirrored", Boolean, nullable=False, default=False),
    Column("planned_sets", Integer),
    Column("planned_reps", Integer),
    Column("planned_hold_s", Float),
    Column("pain_before", Integer),
    Column("pain_during", Integer),
    Column("pain_after", Integer),
    Column("effort_borg", Float),
    Column("notes", Text),
    # Revision 0010: shared live with the patient's physiotherapist since, NULL: not shared.
    Column("shared_since", DateTime(timezone=True)),
    CheckConstraint("pain_before IS NULL OR pain_before BETWEEN 0 AND 10", name="pain_before"),
    CheckConstraint("pain_during IS NULL OR pain_during BETWEEN 0 AND 10", name="pain_during"),
    CheckConstraint("pain_after IS NULL OR pain_after BETWEEN 0 AND 10", name="pain_after"),
    CheckConstraint("effort_borg IS NULL OR effort_borg BETWEEN 0 AND 10", name="borg"),
    CheckConstraint(
        "ended_how IS NULL OR ended_how IN ('finished', 'unfinished')", name="ended_how"
    ),
    Index("ix_sessions_patient_started", "patient_id", "started_at"),
)

sets = Table(
    "sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("set_index", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("reps", Integer, nullable=False, default=0),
    Column("held_s", Float, nullable=False, default=0.0),
)

reps = Table(
    "reps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("set_index", Integer, nullable=False),
    Column("rep_index", Integer, nullable=False),
    Column("side", String(8), nullable=False),
    Column("start_s", Float, nullable=False),
    Column("turn_s", Float),  # NULL for reps written before revision 0002
    Column("end_s", Float, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("partial", Boolean, nullable=False),
    # angle -> {min_deg, max_deg, rom_deg, peak_deg}; peak_deg (the angle at the turn) is
    # missing in reps written before revision 0002.
    Column("range_of_motion", JSON, nullable=False),
    Column("faults", JSON, nullable=False),  # [{rule, cue, severity, t_s, value}]
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_reps_session", "session_id"),
)

fault_events = Table(
    "fault_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id",
        Integer,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("rep_id", Integer, ForeignKey("reps.id", ondelete="CASCADE")),
    Column("rule_id", String(64), nullable=False),
    Column("cue", Text, nullable=False),
    Column("severity", String(8), nullable=False),
    Column("t_s", Float),  # session time (s) the fault was seen
    Column("value", Float),  # the measure's value that broke the rule
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

goals = Table(
    "goals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "patient_id",
        Integer,
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False, default=0),
    Column("activity", String(200), nullable=False),  # PSFS: an activity, in their words
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

goal_scores = Table(
    "goal_scores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "goal_id", Integer, ForeignKey("goals.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("scored_on", Date, nullable=False),
    Column("score", Integer, nullable=False),  # 0 = unable, 10 = as before the problem
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("score BETWEEN 0 AND 10", name="score"),
)

# ---- revision 0003: assessments and self-management ------------------------------------
ASSESSMENT_KINDS = ("rom", "chair_stand_30s", "timed_up_and_go", "single_leg_stance")

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "patient_id",
        Integer,
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(30), nullable=False),  # one of ASSESSMENT_KINDS
    Column("measure", String(60), nullable=False),  # e.g. knee_flexion, stands, time
    Column("side", String(8)),  # left / right, NULL when the measure has no side
    Column("value", Float, nullable=False),
    Column("unit", String(20), nullable=False),  # UCUM-like: deg, s, {stands}
    Column("details", JSON, nullable=False),  # jitter, view, norm band, ... (no images)
    Column("source", String(8), nullable=False),  # live / video
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("notes", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "kind IN ('rom', 'chair_stand_30s', 'timed_up_and_go', 'single_leg_stance')", name="kind"
    ),
    CheckConstraint("side IS NULL OR side IN ('left', 'right')", name="side"),
    CheckConstraint("source IN ('live', 'video')", name="source"),
)

flare_up_plans = Table(
    "flare_up_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    # Kept with the plan: one flare-up plan per treatment plan.
    Column(
        "plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    Column("warning_signs", Text),  # how the patient recognises a flare-up
    Column("reduce", Text),  # what to cut back, and by how much
    Column("keep_doing", Text),  # what to keep doing
    Column("helps", Text),  # what has helped before (heat, pacing, relaxation ...)
    Column("seek_help", Text),  # when to call the physio or a doctor
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

posture_checks = Table(
    "posture_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "patient_id",
        Integer,
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("summary", JSON, nullable=False),  # only the summary: no frames, no landmarks
    Column("created_at", DateTime(timezone=True), nullable=False),
)

lesson_reads = Table(
    "lesson_reads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("lesson_id", String(64), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("patient_id", "lesson_id", name="uq_lesson_reads_patient_lesson"),
)

# ---- revision 0007: failed sign-ins, shared by every server process -----------------------
login_failures = Table(
    "login_failures",
    metadata,
    Column("kind", String(8), primary_key=True),  # account | address
    Column("subject", String(64), primary_key=True),  # the user name (lower-case) or address
    Column("in_a_row", Integer, nullable=False),  # failures in a row
    Column("last_at", DateTime(timezone=True), nullable=False, index=True),
    CheckConstraint("kind IN ('account', 'address')", name="kind"),
    CheckConstraint("in_a_row >= 1", name="in_a_row"),
)

# ---- revision 0008: server-side sign-in sessions (the browser holds only the token) -------
login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),  # never the token
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),  # absolute
)

# ---- revision 0009: each set's landmarks, and the clinician's comments ---------------------
set_landmarks = Table(
    "set_landmarks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("set_index", Integer, nullable=False),
    Column("frames", Integer, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("data", LargeBinary, nullable=False),  # coach.store.landmarks.pack: no images
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("session_id", "set_index", name="uq_set_landmarks_session_set"),
)

session_comments = Table(
    "session_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id",
        Integer,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("rep_id", Integer, ForeignKey("reps.id", ondelete="CASCADE")),  # NULL: the session
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="SET NULL")),
    Column("author", String(120), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True)),  # when the patient saw it, NULL: new
)

# ---- revision 0010: the physiotherapist's changes of a session's target, while watching ---
session_target_changes = Table(
    "session_target_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id",
        Integer,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="SET NULL")),
    Column("author", String(120), nullable=False),
    Column("target_reps", Integer),  # NULL: unchanged
    Column("rom_target_deg", Float),  # NULL: unchanged
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("target_hold_s", Float),  # revision 0012; NULL: unchanged
)

# ---- revision 0011: a signed-in user's own choices that outlive a browser tab ----------
# (Streamlit's session state is per tab): which user by `owner` ("home", "clinician:<id>"
# or "patient:<id>", the principal's kind and id), which choice by `name`.
user_settings = Table(
    "user_settings",
    metadata,
    Column("owner", String(48), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
