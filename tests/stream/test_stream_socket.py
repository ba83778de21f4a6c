"""The landmark stream over a real WebSocket (Starlette's TestClient): a recording streamed
to the server is coached exactly as when it is fed to the engine directly."""

from __future__ import annotations

import json

import pytest

from coach.core.pose import Pose
from coach.engine.results import FrameResult
from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.session import FrameOutcome
from coach.runtime.stream import hello_message
from coach_ui.routes import STREAM_PATH
from tests.support.stream import frames, recording


class KeptResults(LiveCoach):
    """A live coach that keeps every frame's result."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.results: list[FrameResult] = []

    def process_poses(self, poses, t_s, frame_wh) -> FrameOutcome:
        outcome = super().process_poses(poses, t_s, frame_wh)
        self.results.append(outcome.result)
        return outcome


def stream(client, token: str, messages: list[str]) -> list[dict]:
    """Say hello with `token`, send each frame, return the answers to them."""
    with client.websocket_connect(STREAM_PATH) as socket:
        socket.send_text(hello_message(token))
        assert socket.receive_json() == {"type": "ready"}
        answers = []
        for message in messages:
            socket.send_text(message)
            answers.append(socket.receive_json())
    return answers


@pytest.mark.parametrize(
    ("clip", "exercise_id"),
    [("squat_side_studio", "squat"), ("curl_side_single_arm", "bicep_curl")],
)
def test_the_engine_fed_through_the_socket_equals_the_engine_fed_directly(
    client, registry, owner, library, clip, exercise_id
):
    rec = recording(clip)
    plan = SetPlan(sets=2, reps=3, rest_s=0.5)
    streamed = KeptResults(library.get(exercise_id), plan)
    direct = KeptResults(library.get(exercise_id), plan)
    answers = stream(client, registry.issue(streamed, patient_id=None, owner=owner), frames(rec))

    states = []
    for t, poses in zip(rec.t_s, rec.frames(), strict=True):
        # The browser stamps frames in milliseconds: the server's time is that over 1000.
        t_s = 1000.0 * float(t) / 1000.0
        moved = [Pose(p.image_xyz, p.world_xyz, p.visibility, t_s, p.frame_wh) for p in poses]
        states.append(direct.stream_state(direct.process_poses(moved, t_s, rec.frame_wh)))

    assert len(streamed.results) == len(rec) == len(answers)
    # Compared by repr: a measure not seen is NaN, which equals nothing, not even itself.
    assert [repr(r) for r in streamed.results] == [repr(r) for r in direct.results]
    got, want = streamed.snapshot(), direct.snapshot()
    assert got.reps == want.reps and len(got.reps) >= 3
    assert got.guided == want.guided
    assert [a["type"] for a in answers] == ["state"] * len(rec)
    assert [a["t_ms"] for a in answers] == [1000.0 * float(t) for t in rec.t_s]
    assert [a["state"] for a in answers] == json.loads(json.dumps(states))
    assert any(a["state"]["say"] for a in answers) and any(a["state"]["count"] for a in answers)


def test_a_shared_session_streamed_from_the_browser_is_published_like_the_server_paths(
    client, registry, owner, library
):
    """The landmark stream and the server-side path share one publisher: the frame loop's
    `process_poses` (tests/runtime/test_telehealth.py plays the server path)."""
    from coach.runtime.room_bus import InProcessRoomBus
    from coach.runtime.telehealth import Telecast, state_topic

    bus = InProcessRoomBus()
    watcher = bus.subscribe(state_topic(5), max_pending=100_000)
    coach = LiveCoach(library.get("squat"), SetPlan(sets=1, reps=20))
    coach.share(Telecast(bus, 5))
    rec = recording("squat_side_studio")
    answers = stream(client, registry.issue(coach, patient_id=None, owner=owner), frames(rec))
    published = [json.loads(m) for m in watcher.poll()]
    assert published and all(m["type"] == "frame" for m in published)
    assert published[-1]["s"]["count"] == answers[-1]["state"]["count"] > 0
