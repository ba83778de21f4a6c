"""A plan item's "counts from" depth: where a rep counts for this patient on the driving
angle (the turn threshold), beside its range-of-motion target.

One nullable column: existing items count on the library's thresholds, as before.
Downgrading drops it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_items") as batch:
        batch.add_column(sa.Column("counts_from_deg", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("plan_items") as batch:
        batch.drop_column("counts_from_deg")
