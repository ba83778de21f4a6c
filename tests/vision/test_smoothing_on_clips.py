"""The smoother on real recorded motion: less jitter, no visible lag."""

from __future__ import annotations

import numpy as np

from coach.core.angles import flexion_deg
from coach.core.landmarks import Landmark
from coach.vision.recording import PoseRecording
from coach.vision.smoothing import PoseSmoother
from tests.conftest import POSE_FIXTURES


def angle_series(clip: str, joints: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(raw, smoothed) joint flexion per frame of a recording, frames with nobody dropped."""
    smoother = PoseSmoother()
    raw, smoothed = [], []
    for poses in PoseRecording.load(POSE_FIXTURES / f"{clip}.npz").frames():
        if not poses:
            continue
        pose, filtered = poses[0], smoother.update(poses[0])
        raw.append(flexion_deg(*(pose.image_px[j] for j in joints)))
        smoothed.append(flexion_deg(*(filtered.image_px[j] for j in joints)))
    return np.array(raw), np.array(smoothed)


def jitter(series: np.ndarray) -> float:
    """Frame-to-frame noise: the spread of the second difference."""
    return float(np.nanstd(np.diff(series, 2)))


def best_lag_frames(raw: np.ndarray, smoothed: np.ndarray) -> int:
    def correlation(lag: int) -> float:
        a = raw[max(0, -lag) : len(raw) - max(0, lag)]
        b = smoothed[max(0, lag) : len(smoothed) - max(0, -lag)]
        return float(np.corrcoef(a, b)[0, 1])

    return max(range(-5, 6), key=correlation)


def test_jitter_of_a_held_plank_is_cut_at_least_threefold():
    body_line = (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.LEFT_ANKLE)
    raw, smoothed = angle_series("plank_hold_istock", body_line)
    assert jitter(smoothed) * 3 < jitter(raw)


def test_squatting_knee_lags_at_most_one_frame():
    knee = (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE)
    raw, smoothed = angle_series("squat_side_studio", knee)
    assert 0 <= best_lag_frames(raw, smoothed) <= 1
    assert jitter(smoothed) < jitter(raw)
