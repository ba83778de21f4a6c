"""The scripts components share (coach_ui/components/shared): the skeleton components'
protocol and drawing (skeleton.js), the voice of the two live paths (voice.js). One copy
each, served beside the app (coach_ui/routes.py), loaded by each component under its own
Content-Security-Policy, and no component keeps its own copy of what they hold."""

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


@pytest.mark.parametrize(
    ("name", "holds"), [("skeleton.js", "drawSkeleton"), ("voice.js", "sayNew")]
)
def test_each_shared_script_is_served_as_javascript(client, name, holds):
    answer = client.get(f"{routes.COMPONENT_SCRIPTS_PATH}/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.text == (COMPONENTS / "shared" / name).read_text(encoding="utf-8")
    assert holds in answer.text


@pytest.mark.parametrize(
    "name",
    ["other.js", "../live_watch/index.html", "..%2Fspeaker%2Findex.html", ""],
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


SPEAKING = {  # the component, and the files of its own code
    "pose_camera": ("index.html", "pose_camera.js"),
    "speaker": ("index.html",),
}


@pytest.mark.parametrize("component", sorted(SPEAKING))
def test_both_live_paths_speak_with_the_one_voice(component):
    html = page(component)
    assert f'<script src="{routes.COMPONENT_SCRIPTS_PATH}/voice.js"></script>' in html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None and "'self'" in policy.group(1).split("script-src")[1].split(";")[0]
    for name in SPEAKING[component]:
        own = (COMPONENTS / component / name).read_text(encoding="utf-8")
        assert "SpeechSynthesisUtterance" not in own, f"{component}/{name} speaks by itself"
        assert "FormCoachVoice" in own or (name, component) == ("index.html", "pose_camera")
