"""Shared fixtures: paths to the project, the shared clips and the recorded poses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.exercise.loader import ExerciseLibrary

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_VIDEOS = SHARED / "videos"
SAMPLE_VIDEOS = ROOT / "sample_videos"
POSE_FIXTURES = Path(__file__).parent / "fixtures" / "poses"


@pytest.fixture(scope="session", autouse=True)
def private_data_folder(tmp_path_factory):
    """No test touches the user's own Form Coach data: the default database and folders
    (FORM_COACH_DATA, else the XDG data folder) are a throwaway folder for the run, for
    this process and the servers the browser tests start. (A test that opened the app on
    its defaults used to open, and upgrade, the real database in ~/.local/share.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORM_COACH_DATA", str(tmp_path_factory.mktemp("form-coach-data")))
        yield


@pytest.fixture(scope="session")
def library() -> ExerciseLibrary:
    return ExerciseLibrary()


@pytest.fixture(scope="session")
def expected_counts() -> dict[str, dict]:
    return json.loads((POSE_FIXTURES / "expected.json").read_text())["clips"]


def shared_clip(name: str) -> Path:
    """A clip of ../shared/videos, or skip the test saying why."""
    path = SHARED_VIDEOS / name
    if not path.is_file():
        pytest.skip(f"needs the shared clip {path} (../shared/videos is not beside this checkout)")
    return path


# ---- databases for the store tests (tests/support/databases.py) ---------------------------------
@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for the whole run, or a skip that says why not."""
    from tests.support.databases import start_postgres

    cluster, reason = start_postgres()
    if cluster is None:
        pytest.skip(f"PostgreSQL store tests skipped: {reason}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same store test against a SQLite file and against a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.db'}"
    return request.getfixturevalue("postgres_cluster").new_database()


@pytest.fixture
def store(database_url):
    """A migrated store on each database of `database_url` (tests may define their own)."""
    from coach.store import Store

    opened = Store(database_url)
    yield opened
    opened.close()
