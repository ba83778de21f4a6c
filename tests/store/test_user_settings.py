"""A user's own settings (coach/store/user_settings.py): one per user and name, the newest
write kept, nobody else's seen. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from coach.auth.access import Principal
from coach.store import ValidationError
from coach.store.user_settings import setting_owner

HOME = Principal.home()
ANN = Principal("clinician", "Ann", clinician_id=1)
PAT = Principal("patient", "Pat", patient_id=1)  # the same id as Ann's, another user


def test_each_user_has_their_own_and_the_newest_write_wins(store):
    assert store.user_setting(PAT, "live_pose_place") is None
    store.set_user_setting(PAT, "live_pose_place", "server")
    store.set_user_setting(ANN, "live_pose_place", "browser")
    assert store.user_setting(PAT, "live_pose_place") == "server"
    assert store.user_setting(ANN, "live_pose_place") == "browser"
    assert store.user_setting(HOME, "live_pose_place") is None
    store.set_user_setting(PAT, "live_pose_place", "browser")
    assert store.user_setting(PAT, "live_pose_place") == "browser"
    assert store.user_setting(PAT, "other") is None


def test_the_owner_key_names_the_kind_and_the_id():
    assert [setting_owner(p) for p in (HOME, ANN, PAT)] == ["home", "clinician:1", "patient:1"]
    with pytest.raises(ValidationError, match="without an id"):
        setting_owner(Principal("patient", "nobody"))


def test_bad_names_and_long_values_are_refused(store):
    with pytest.raises(ValidationError):
        store.set_user_setting(PAT, "", "x")
    with pytest.raises(ValidationError):
        store.set_user_setting(PAT, "n" * 65, "x")
    with pytest.raises(ValidationError):
        store.set_user_setting(PAT, "live_pose_place", "x" * 257)


def test_downgrading_0011_drops_the_table_and_upgrading_brings_it_back(store):
    from alembic import command

    from coach.store.migrations import alembic_config

    store.set_user_setting(PAT, "live_pose_place", "server")
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert "user_settings" not in inspect(store.engine).get_table_names()
    with store.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert store.user_setting(PAT, "live_pose_place") is None
