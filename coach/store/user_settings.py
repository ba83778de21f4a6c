"""A signed-in user's own settings (such as where the live pages run the pose model), kept
in the database: Streamlit's session state lasts one browser tab, and a choice made once
should hold on the next page, in the next tab and after signing in again.

Keyed by the principal (its kind and id), so the home user, each clinician and each
patient have their own; a setting is a short string, its meaning the caller's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from coach.auth.access import Principal
from coach.store.base import StoreBase
from coach.store.records import ValidationError
from coach.store.schema import user_settings as table

MAX_NAME = 64
MAX_VALUE = 256


def setting_owner(principal: Principal) -> str:
    """The key of `principal`'s settings: "home", "clinician:<id>" or "patient:<id>".

    Raises ValidationError for a clinician or patient without an id (no account to key)."""
    if principal.kind == "home":
        return "home"
    ident = principal.clinician_id if principal.kind == "clinician" else principal.patient_id
    if ident is None:
        raise ValidationError(f"a {principal.kind} without an id has no settings of their own")
    return f"{principal.kind}:{ident}"


class UserSettingStore(StoreBase):
    """Settings per user: read, and written (the newest write wins)."""

    def user_setting(self, principal: Principal, name: str) -> str | None:
        """`principal`'s setting `name`, or None when they never set it."""
        with self._reading() as connection:
            return connection.execute(
                select(table.c.value).where(
                    table.c.owner == setting_owner(principal), table.c.name == name
                )
            ).scalar_one_or_none()

    def set_user_setting(self, principal: Principal, name: str, value: str) -> None:
        """Keep `value` as `principal`'s setting `name` (an upsert: two tabs writing at once
        both succeed, the later wins). Raises ValidationError for an empty or over-long
        name or an over-long value."""
        if not name or len(name) > MAX_NAME:
            raise ValidationError(f"a setting's name has 1 to {MAX_NAME} characters: {name!r}")
        if len(value) > MAX_VALUE:
            raise ValidationError(f"the setting {name!r} is longer than {MAX_VALUE} characters")
        upsert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        now = self._clock()
        statement = upsert(table).values(
            owner=setting_owner(principal), name=name, value=value, updated_at=now
        )
        with self._writing(f"keeping the setting {name}") as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[table.c.owner, table.c.name],
                    set_={"value": value, "updated_at": now},
                )
            )
