"""The live posture check without a camera or a model: a fake estimator hands it synthetic
seated poses, as the webrtc worker thread would."""

from __future__ import annotations

import numpy as np

from coach.posture.live import LivePostureCheck
from coach.posture.monitor import PostureMonitor
from tests.support.builders import seated_pose


class FakeEstimator:
    """Returns a seated pose at the frame's time; counts how often it was closed."""

    def __init__(self, **pose_args) -> None:
        self.pose_args, self.closed = pose_args, 0

    def detect(self, rgb: np.ndarray, t_s: float) -> list:
        return [seated_pose(t_s, **self.pose_args)]

    def close(self) -> None:
        self.closed += 1


def test_frames_are_measured_and_the_page_requests_applied_on_the_worker_thread():
    fake = FakeEstimator(distance_m=0.45)
    live = LivePostureCheck(PostureMonitor(calibration_s=1.0), estimator_factory=lambda: fake)
    live.set_reminders(True)
    live.calibrate()
    assert live.snapshot().reminders_on and live.snapshot().state is None
    black = np.zeros((480, 640, 3), np.uint8)
    for i in range(20):
        shown, _ = live.process_rgb(black, i / 10)
    snapshot = live.snapshot()
    assert snapshot.frames == 20 and snapshot.state.calibrated
    assert live.monitor.reminders_on
    assert {f.issue.value for f in snapshot.state.findings} == {"screen_too_close"}
    # The overlay is drawn (amber: poor posture) on the mirrored picture.
    assert shown.shape == black.shape and shown.any()
    live.close()
    assert fake.closed == 1


def test_a_restarted_stream_keeps_time_running_on():
    live = LivePostureCheck(PostureMonitor(), estimator_factory=FakeEstimator)
    black = np.zeros((480, 640, 3), np.uint8)
    for t in (0.0, 0.5, 1.0, 0.0, 0.5):  # the stream restarts at 0
        live.process_rgb(black, t)
    assert live.snapshot().state.t_s > 1.0
    assert live.summary()["observed_s"] > 1.0
