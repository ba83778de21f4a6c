"""At most one default patient ("Me", home mode's patient), enforced by the database.

Two processes starting together could both find no default patient and both create one:
a partial unique index on `patients.is_default` (only the rows where it is true) makes the
second insert fail, and the store then reads the first one. A database that already has
several keeps the oldest as the default; the others stay, as ordinary patients (no data is
lost). Downgrading drops the index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEX = "uq_patients_one_default"


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE patients SET is_default = :no WHERE is_default = :yes AND id <> "
            "(SELECT min(id) FROM patients WHERE is_default = :yes)"
        ).bindparams(yes=True, no=False)
    )
    op.create_index(
        INDEX,
        "patients",
        ["is_default"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="patients")
