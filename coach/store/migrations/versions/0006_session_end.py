"""How a session ended: `finished` (the patient pressed Finish, or it was logged by hand)
or `unfinished` (the tab was closed, the browser or the server went away: kept with the
reps it has, and marked so in the record).

One nullable column with a CHECK: NULL while a session is under way. Sessions that already
have an end are marked `finished`; sessions left open by an older version stay NULL until
the next server start ends them (coach.store.sessions.SessionStore.end_leftover_sessions).
Downgrading drops the column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHECK = "ended_how IS NULL OR ended_how IN ('finished', 'unfinished')"


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("ended_how", sa.String(16)))
        batch.create_check_constraint("ended_how", CHECK)
    op.execute(sa.text("UPDATE sessions SET ended_how = 'finished' WHERE ended_at IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("ck_sessions_ended_how"), type_="check")
        batch.drop_column("ended_how")
