"""The browser's pose model files served beside the app (coach_ui/routes.py, from the npm
package located by coach_ui/web_package.py): only the listed files, never another one."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach_ui import routes, web_package
from tests.conftest import ROOT


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes.routes()))


@pytest.fixture
def installed() -> object:
    try:
        return web_package.tasks_vision_dir()
    except web_package.WebPackageMissingError as exc:
        pytest.skip(f"the web package is not installed here ({exc})")


@pytest.fixture
def fake_web_dir(tmp_path, monkeypatch):
    """A web folder of our own making, named by $FORM_COACH_WEB_DIR."""
    folder = tmp_path / "node_modules" / web_package.PACKAGE
    for name in web_package.SERVED_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"contents of {name}")
    (folder / "package.json").write_text(json.dumps({"version": web_package.VERSION}))
    (folder / "README.md").write_text("not served")
    (tmp_path / "secret.txt").write_text("not served either")
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(tmp_path))
    return folder


@pytest.mark.parametrize("name", sorted(web_package.SERVED_FILES))
def test_each_served_file_is_the_installed_one_with_its_type(client, installed, name):
    answer = client.get(f"{routes.TASKS_VISION_PATH}/{name}")
    assert answer.status_code == 200
    assert answer.content == (installed / name).read_bytes()
    assert answer.headers["content-type"].startswith(web_package.SERVED_FILES[name])


def test_the_files_come_from_the_folder_the_setting_names(client, fake_web_dir):
    answer = client.get(f"{routes.TASKS_VISION_PATH}/wasm/vision_wasm_internal.wasm")
    assert answer.status_code == 200
    assert answer.text == "contents of wasm/vision_wasm_internal.wasm"
    assert answer.headers["content-type"] == "application/wasm"


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "package.json",
        "../../secret.txt",
        "..%2F..%2Fsecret.txt",
        "wasm/../../../secret.txt",
        "wasm/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/etc/passwd",
        "wasm/",
        "vision_bundle.mjs/",
        "VISION_BUNDLE.MJS",
    ],
)
def test_no_other_file_is_reachable(client, fake_web_dir, name):
    answer = client.get(f"{routes.TASKS_VISION_PATH}/{name}")
    assert answer.status_code == 404
    assert "not served" not in answer.text


def test_a_missing_package_is_a_503_saying_how_to_install_it(client, tmp_path, monkeypatch):
    monkeypatch.setenv(web_package.WEB_DIR_ENV, str(tmp_path))
    answer = client.get(f"{routes.TASKS_VISION_PATH}/vision_bundle.mjs")
    assert answer.status_code == 503
    assert "make web" in answer.text and web_package.PACKAGE in answer.text


def test_another_version_of_the_package_is_refused(fake_web_dir):
    (fake_web_dir / "package.json").write_text(json.dumps({"version": "0.10.0"}))
    with pytest.raises(web_package.WebPackageMissingError, match=r"'0.10.0'.*1\.1\.0"):
        web_package.tasks_vision_dir()


def test_a_package_lacking_a_served_file_is_refused(fake_web_dir):
    (fake_web_dir / "wasm" / "vision_wasm_internal.wasm").unlink()
    with pytest.raises(web_package.WebPackageMissingError, match=r"vision_wasm_internal\.wasm"):
        web_package.tasks_vision_dir()


def test_the_pinned_version_is_the_one_the_lock_file_installs():
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    entry = lock["packages"][f"node_modules/{web_package.PACKAGE}"]
    assert entry["version"] == web_package.VERSION
    assert entry["integrity"].startswith("sha512-")
