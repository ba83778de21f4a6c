"""A target change made while watching may set the hold time of a hold exercise's sets
(seconds), beside the reps per set and the range-of-motion target.

One nullable column: the changes already recorded changed reps or the range, as before.
Downgrading drops it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_target_changes") as batch:
        batch.add_column(sa.Column("target_hold_s", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("session_target_changes") as batch:
        batch.drop_column("target_hold_s")
