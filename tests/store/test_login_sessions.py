"""Server-side sign-in sessions (issue 21: a refresh signed the user out): a token opens
its session until sign-out, the idle timeout or the absolute timeout, whichever comes
first; the database keeps only the token's digest; another server process (a second Store
on the database) sees the same sessions. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from coach.auth.access import LoginPolicy
from coach.auth.tokens import token_digest
from coach.store import Store, ValidationError

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = LoginPolicy(idle=timedelta(minutes=30), longest=timedelta(hours=8))


@pytest.fixture
def ana(store) -> str:
    patient = store.add_patient("Ana Patient")
    store.add_account("ana.p", "ana's long password", patient_id=patient)
    return "ana.p"


def test_a_token_opens_its_session_until_sign_out(store, ana):
    token = store.start_login_session(ana, T0, POLICY)
    found = store.login_session(token, T0 + timedelta(minutes=5), POLICY)
    assert found is not None and found.principal.name == "Ana Patient"
    assert found.principal.kind == "patient" and found.started_at == T0
    store.end_login_session(token)
    assert store.login_session(token, T0 + timedelta(minutes=6), POLICY) is None


def test_only_the_token_s_digest_is_kept(store, ana):
    token = store.start_login_session(ana, T0, POLICY)
    with store.engine.connect() as connection:
        kept = connection.execute(text("SELECT token_sha256 FROM login_sessions")).scalars().all()
    assert kept == [token_digest(token)] and token not in kept[0]


def test_an_idle_session_ends_and_use_keeps_it_alive(store, ana):
    token = store.start_login_session(ana, T0, POLICY)
    for minutes in (20, 40, 60, 80):  # seen every 20 minutes: never idle for 30
        assert store.login_session(token, T0 + timedelta(minutes=minutes), POLICY) is not None
    assert store.login_session(token, T0 + timedelta(minutes=111), POLICY) is None
    # ended for good: not back to life within the idle time of its last use either
    assert store.login_session(token, T0 + timedelta(minutes=81), POLICY) is None


def test_a_session_ends_at_its_absolute_end_however_busy(store, ana):
    token = store.start_login_session(ana, T0, POLICY)
    t = T0
    while t < T0 + POLICY.longest - timedelta(minutes=10):
        t += timedelta(minutes=10)
        assert store.login_session(token, t, POLICY) is not None
    assert store.login_session(token, T0 + POLICY.longest, POLICY) is None


def test_unknown_and_made_up_tokens_open_nothing(store, ana):
    store.start_login_session(ana, T0, POLICY)
    assert store.login_session("", T0, POLICY) is None
    assert store.login_session("x" * 43, T0, POLICY) is None
    with pytest.raises(ValidationError, match="no account"):
        store.start_login_session("nobody", T0, POLICY)


def test_another_server_process_sees_the_session_and_the_sign_out(database_url):
    one, two = Store(database_url), Store(database_url)
    patient = one.add_patient("Ana Patient")
    one.add_account("ana.p", "ana's long password", patient_id=patient)
    token = one.start_login_session("ana.p", T0, POLICY)
    assert two.login_session(token, T0, POLICY) is not None
    two.end_login_session(token)
    assert one.login_session(token, T0, POLICY) is None
    one.close()
    two.close()


def test_deleting_the_account_ends_its_sessions(store, ana):
    token = store.start_login_session(ana, T0, POLICY)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM accounts WHERE username = 'ana.p'"))
    assert store.login_session(token, T0, POLICY) is None


def test_upgrading_0007_adds_the_sessions_table_and_downgrades_back(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from coach.store.migrations import alembic_config

    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
    store = Store(database_url)
    patient = store.add_patient("Ana Patient")
    store.add_account("ana.p", "ana's long password", patient_id=patient)
    store.start_login_session("ana.p", T0, POLICY)
    store.close()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0007")
    assert "login_sessions" not in inspect(engine).get_table_names()
    engine.dispose()
