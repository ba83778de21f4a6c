"""The wheel a user installs holds everything the code reads at run time (issue 18).

The exercise definitions, lessons, assessment data, Alembic migrations, the app's pages and
browser components are package data read with importlib.resources: a file that is missing
from `[tool.setuptools.package-data]` works in the checkout and fails only once installed.
So the wheel is built from a copy of the checkout (the build cannot leave files in it, and
no stale build/ folder of an earlier build can leak into the wheel) and its list of files
is checked; then it is installed on its own into a folder and run from another one.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("coach", "coach_ui")

pytestmark = pytest.mark.packaging


def _offline_build_possible() -> bool:
    """True when this environment has the build backend [build-system] asks for (the dev
    extra installs it), so pip need not fetch one into an isolated build environment."""
    try:
        return int(version("setuptools").split(".")[0]) >= 77
    except (PackageNotFoundError, ValueError):  # none, or a version of another shape
        return False


@pytest.fixture(scope="module")
def wheel_path(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    # tests/ and scripts/ come along so that the wheel is shown to leave them out.
    for name in (*PACKAGES, "tests", "scripts"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "wheel"
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "--disable-pip-version-check",
        "--wheel-dir",
        str(out),
        str(source),
    ]
    if _offline_build_possible():
        command[4:4] = ["--no-build-isolation", "--no-index"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=work)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    (wheel,) = out.glob("form_coach-*.whl")
    return wheel


@pytest.fixture(scope="module")
def names(wheel_path) -> set[str]:
    with zipfile.ZipFile(wheel_path) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="module")
def dist_info(wheel_path, names) -> str:
    (folder,) = {name.split("/")[0] for name in names if ".dist-info/" in name}
    return folder


def _source_files(pattern: str) -> list[str]:
    """The checkout's files matching `pattern` (relative to the project root), as wheel
    paths; the test fails if there are none, so a moved folder is not checked vacuously."""
    files = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern) if p.is_file())
    assert files, f"nothing in the checkout matches {pattern}"
    return files


def test_every_exercise_definition_is_shipped(names):
    definitions = _source_files("coach/exercise/definitions/*.toml")
    assert len(definitions) == 30
    assert set(definitions) <= names
    shipped = {n for n in names if n.startswith("coach/exercise/definitions/")}
    assert shipped == set(definitions)


@pytest.mark.parametrize(
    "pattern",
    [
        "coach/clinical/data/lessons/*.md",
        "coach/assessment/data/*.toml",
        "coach/store/migrations/versions/*.py",
        "coach_ui/pages/*.py",
        "coach_ui/components/*/*",
    ],
)
def test_the_data_files_are_shipped(names, pattern):
    missing = set(_source_files(pattern)) - names
    assert not missing, f"not in the wheel: {sorted(missing)} (see [tool.setuptools.package-data])"


@pytest.mark.parametrize(
    "path",
    [
        "coach/py.typed",
        "coach/__main__.py",
        "coach/store/migrations/env.py",
        "coach/store/migrations/script.py.mako",
        "coach_ui/app.py",
        "coach_ui/server.py",
        "coach_ui/launch.py",
        "coach_ui/components/speaker/index.html",
    ],
)
def test_the_named_files_are_shipped(names, path):
    assert path in names


def test_every_file_of_the_packages_is_shipped(names):
    """Whatever is added to coach/ or coach_ui/ later (a new data folder) ships too."""
    files = {
        p.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    missing = files - names
    assert not missing, f"not in the wheel: {sorted(missing)} (see [tool.setuptools.package-data])"


def test_only_the_two_packages_are_in_the_wheel(names, dist_info):
    tops = {name.split("/")[0] for name in names}
    assert tops == {*PACKAGES, dist_info}
    assert not [n for n in names if "/tests/" in n or n.startswith(("tests/", "scripts/"))]


def test_both_commands_are_entry_points(wheel_path, dist_info):
    with zipfile.ZipFile(wheel_path) as archive:
        text = archive.read(f"{dist_info}/entry_points.txt").decode()
    entry_points = configparser.ConfigParser()
    entry_points.read_string(text)
    assert dict(entry_points["console_scripts"]) == {
        "coach": "coach.cli:main",
        "form-coach": "coach_ui.launch:main",
    }


def _run_elsewhere(tmp_path: Path, *args: str, pythonpath: Path | None = None):
    """`python *args` from an empty folder (not the checkout), with the environment's
    packages and, when given, `pythonpath` ahead of them."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_installed_wheel_reads_its_data_from_another_folder(wheel_path, tmp_path):
    """The wheel alone (its dependencies are this environment's) lists the 30 exercises
    and reads a lesson and the goniometer's measures, all from the installed copy."""
    target = tmp_path / "installed"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(wheel_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    listed = _run_elsewhere(tmp_path, "-m", "coach", "exercises", pythonpath=target)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 30
    probe = (
        "import coach, coach_ui.launch\n"
        "from coach.assessment.chair_stand import chair_stand_norm\n"
        "from coach.assessment.goniometer import load_measures\n"
        "from coach.clinical.lessons import load_lessons\n"
        "print(coach.__file__)\n"
        "print(len(load_lessons()), len(load_measures()), chair_stand_norm(70, 'female'))\n"
        "command = coach_ui.launch.command([])\n"
        "print(command[command.index('run') + 1])\n"
    )
    read = _run_elsewhere(tmp_path, "-c", probe, pythonpath=target)
    assert read.returncode == 0, read.stderr
    where, counts, app = read.stdout.splitlines()[-3:]
    assert Path(where).is_relative_to(target), "the installed copy, not the checkout"
    lessons, measures, norm = counts.split(" ", 2)
    assert int(lessons) == len(_source_files("coach/clinical/data/lessons/*.md"))
    rom_file = ROOT / "coach/assessment/data/rom_measures.toml"
    assert int(measures) == len(tomllib.loads(rom_file.read_text()))
    assert norm != "None"
    assert Path(app).is_relative_to(target) and Path(app).is_file()


def test_python_m_coach_runs_the_command_from_any_folder(tmp_path):
    done = _run_elsewhere(tmp_path, "-m", "coach", "exercises")
    assert done.returncode == 0, done.stderr
    ids = [line.split()[0] for line in done.stdout.splitlines()]
    assert len(ids) == 30
    assert {"squat", "plank", "wall_sit"} <= set(ids)
    version_line = _run_elsewhere(tmp_path, "-m", "coach", "--version")
    assert version_line.returncode == 0, version_line.stderr
    assert version_line.stdout.split() == ["coach", version("form-coach")]
