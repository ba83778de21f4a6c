"""Alembic migrations of the session store, run programmatically (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from coach.store.records import StoreError

SCRIPTS = Path(__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: Connection) -> None:
    """Upgrade the schema to the newest revision. Raises StoreError if the database is at a
    revision these migrations do not know: a newer Form Coach wrote it, and upgrading or
    downgrading it from here would guess."""
    config = alembic_config(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = sorted(set(current) - known)
    if unknown:
        raise StoreError(
            f"the database was written by a newer Form Coach (schema revision "
            f"{', '.join(unknown)}; this one knows up to {max(known)}): install the newer "
            "Form Coach, or set FORM_COACH_DATA to another folder to start afresh"
        )
    command.upgrade(config, "head")
