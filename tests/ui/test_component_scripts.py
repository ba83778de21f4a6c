"""The script the skeleton components share (coach_ui/components/shared/skeleton.js): one
copy, served beside the app (coach_ui/routes.py), loaded by each component under its own
Content-Security-Policy, and no component keeps its own copy of what it holds."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach_ui import routes

COMPONENTS = resources.files("coach_ui") / "components"
SHARING = ("skeleton_replay", "live_watch")
# What the shared script holds: no component page defines it again.
SHARED_DEFINITIONS = (
    r"postMessage\(",
    r"streamlit:componentReady",
    r"addEventListener\(\"message\"",
    r"\.arc\(",
    r"nobody in view",
)


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes.routes()))


def page(component: str) -> str:
    return (COMPONENTS / component / "index.html").read_text(encoding="utf-8")


def test_the_shared_script_is_served_as_javascript(client):
    answer = client.get(f"{routes.COMPONENT_SCRIPTS_PATH}/skeleton.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.text == (COMPONENTS / "shared" / "skeleton.js").read_text(encoding="utf-8")
    assert "drawSkeleton" in answer.text


@pytest.mark.parametrize(
    "name",
    ["voice.js", "../live_watch/index.html", "..%2Fspeaker%2Findex.html", ""],
)
def test_no_other_file_is_served(client, name):
    answer = client.get(f"{routes.COMPONENT_SCRIPTS_PATH}/{name}")
    assert answer.status_code == 404


@pytest.mark.parametrize("component", SHARING)
def test_each_component_loads_the_one_copy_under_its_policy(component):
    html = page(component)
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == [f"{routes.COMPONENT_SCRIPTS_PATH}/skeleton.js"]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None, f"{component} has no Content-Security-Policy"
    script_src = next(p for p in policy.group(1).split(";") if p.strip().startswith("script-src"))
    assert "'self'" in script_src.split()  # the shared script is same-origin


@pytest.mark.parametrize("component", SHARING)
@pytest.mark.parametrize("pattern", SHARED_DEFINITIONS)
def test_no_component_keeps_its_own_copy(component, pattern):
    assert not re.search(pattern, page(component)), f"{component} repeats {pattern}"
