"""One Euro filter and the pose smoother: smoothing, lag, frame-rate independence, gaps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose
from coach.vision.smoothing import OneEuroFilter, PoseSmoother
from tests.support.builders import make_pose


def run(filter_: OneEuroFilter, values, times) -> np.ndarray:
    return np.array([filter_.update(v, t) for v, t in zip(values, times, strict=True)])


def frame_times(seconds: float, fps: float) -> np.ndarray:
    return np.arange(round(seconds * fps)) / fps


def textbook_one_euro(values, times, min_cutoff_hz, beta, derivative_cutoff_hz) -> list[float]:
    """The One Euro filter as Casiez et al. write it, one scalar at a time."""

    def alpha(cutoff_hz: float, dt: float) -> float:
        tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt)

    out, x_prev, dx_prev, t_prev = [], None, 0.0, None
    for x, t in zip(values, times, strict=True):
        if x_prev is None:
            x_prev, t_prev = x, t
            out.append(x)
            continue
        dt = t - t_prev
        a_d = alpha(derivative_cutoff_hz, dt)
        dx_hat = a_d * (x - x_prev) / dt + (1 - a_d) * dx_prev
        cutoff = min_cutoff_hz + beta * abs(dx_hat)
        x_hat = alpha(cutoff, dt) * x + (1 - alpha(cutoff, dt)) * x_prev
        out.append(x_hat)
        x_prev, dx_prev, t_prev = x_hat, dx_hat, t
    return out


@pytest.mark.parametrize(
    ("min_cutoff_hz", "beta", "derivative_cutoff_hz", "fps"),
    [(1.0, 10.0, 1.0, 30), (0.5, 0.05, 1.0, 24), (3.0, 0.0, 2.0, 60), (1.0, 200.0, 1.0, 5)],
)
def test_the_filter_is_the_papers_one_euro_filter(min_cutoff_hz, beta, derivative_cutoff_hz, fps):
    rng = np.random.default_rng(3)
    times = frame_times(6, fps) + rng.uniform(0, 0.3 / fps, round(6 * fps))  # uneven frames
    times.sort()
    values = np.sin(2 * np.pi * 0.4 * times) + rng.normal(0, 0.05, times.size)
    filter_ = OneEuroFilter(min_cutoff_hz, beta, derivative_cutoff_hz)
    got = run(filter_, values, times)
    expected = textbook_one_euro(
        values.tolist(), times.tolist(), min_cutoff_hz, beta, derivative_cutoff_hz
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("value", "fps"),
    [
        pytest.param(5.0, 30, id="scalar-30fps"),
        pytest.param(-0.25, 5, id="scalar-5fps"),
        pytest.param(np.array([[0.1, 0.2, 0.3], [3.0, -2.0, 0.0]]), 60, id="array-60fps"),
    ],
)
def test_constant_input_stays_constant(value, fps):
    times = frame_times(3.0, fps)
    out = run(OneEuroFilter(), [value] * len(times), times)
    np.testing.assert_allclose(out, np.broadcast_to(value, out.shape), rtol=0, atol=1e-12)


def test_first_value_passes_through_unchanged():
    filter_ = OneEuroFilter()
    assert filter_.update(np.array([1.0, 2.0]), 10.0) == pytest.approx([1.0, 2.0])
    # ...and the second one is pulled towards the first.
    second = filter_.update(np.array([2.0, 2.0]), 10.1)
    assert 1.0 < second[0] < 2.0
    assert second[1] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("fps", "max_ratio"),
    [
        # The more frames per time constant, the more white jitter is averaged away
        # (an EMA at 1 Hz keeps about 42%, 30% and 22% of the noise at 15, 30, 60 fps).
        (15, 0.5),
        (30, 0.4),
        (60, 0.3),
    ],
)
def test_jitter_on_still_signal_is_smoothed(fps, max_ratio):
    rng = np.random.default_rng(1234)
    times = frame_times(10.0, fps)
    raw = 0.5 + rng.normal(0.0, 0.01, size=len(times))
    out = run(OneEuroFilter(), raw, times)
    settled = slice(fps, None)  # skip the first second
    assert np.std(out[settled]) < max_ratio * np.std(raw[settled])
    assert np.mean(out[settled]) == pytest.approx(0.5, abs=0.003)


def ramp_lag_s(filter_: OneEuroFilter, slope: float, fps: float) -> float:
    """Steady-state lag, in seconds, following value = slope * t."""
    times = frame_times(3.0, fps)
    out = run(filter_, slope * times, times)
    return float((slope * times[-1] - out[-1]) / slope)


def test_ramp_is_followed_with_small_lag():
    fps, slope = 30, 10.0  # e.g. 10 degrees per second
    ema_lag = ramp_lag_s(OneEuroFilter(min_cutoff_hz=1.0, beta=0.0), slope, fps)  # plain EMA
    one_euro_lag = ramp_lag_s(OneEuroFilter(min_cutoff_hz=1.0, beta=0.05), slope, fps)
    # An EMA at 1 Hz lags a ramp by its time constant 1/(2*pi) s, whatever the speed.
    assert ema_lag == pytest.approx(1 / (2 * np.pi), rel=0.01)
    assert one_euro_lag < 0.5 * ema_lag
    assert one_euro_lag * fps < 3  # under three frames behind


def test_faster_movement_means_less_lag():
    lags = [ramp_lag_s(OneEuroFilter(beta=0.05), slope, 30) for slope in (1.0, 10.0, 100.0)]
    assert lags[0] > lags[1] > lags[2]


def test_time_comes_from_t_s_not_from_frame_count():
    # A movement filtered at 30 fps and at 60 fps gives the same curve in time.
    def movement(t):
        return 45 + 40 * np.sin(2 * np.pi * 0.5 * t)

    outputs = {}
    for fps in (30, 60):
        times = frame_times(4.0, fps)
        outputs[fps] = (times, run(OneEuroFilter(beta=0.05), movement(times), times))
    t30, y30 = outputs[30]
    t60, y60 = outputs[60]
    assert np.array_equal(t60[::2], t30)
    compare = t30 >= 1.0  # after the start-up
    np.testing.assert_allclose(y60[::2][compare], y30[compare], atol=1.5)
    # Counter-check: the filtering is real (the output differs from the input by more).
    assert np.max(np.abs(y30[compare] - movement(t30[compare]))) > 3.0


def test_ramp_lag_is_the_same_at_any_frame_rate():
    lags = [ramp_lag_s(OneEuroFilter(beta=0.0), 10.0, fps) for fps in (10, 30, 120)]
    assert lags == pytest.approx([lags[1]] * 3, rel=0.02)


def test_reset_forgets_the_past():
    filter_ = OneEuroFilter()
    for i in range(30):
        filter_.update(0.0, i / 30)
    assert filter_.update(10.0, 1.0) < 5.0  # smoothed towards the old value
    filter_.reset()
    assert filter_.update(10.0, 1.1) == pytest.approx(10.0)
    assert filter_.update(10.0, 1.2) == pytest.approx(10.0)


def test_time_going_backwards_restarts():
    filter_ = OneEuroFilter()
    filter_.update(0.0, 5.0)
    filter_.update(0.0, 5.1)
    assert filter_.update(7.0, 1.0) == pytest.approx(7.0)  # a new video, say


def test_nan_element_gives_nan_and_leaves_others_alone():
    times = frame_times(2.0, 30)
    rng = np.random.default_rng(5)
    good = 1.0 + rng.normal(0, 0.05, size=len(times))
    other = 3.0 + rng.normal(0, 0.05, size=len(times))
    other[20:30] = np.nan  # the second landmark is lost for ten frames
    both = run(OneEuroFilter(), np.stack([good, other], axis=1), times)
    alone = run(OneEuroFilter(), good, times)
    np.testing.assert_allclose(both[:, 0], alone, rtol=0, atol=1e-12)  # unaffected
    assert np.isnan(both[20:30, 1]).all()
    assert np.isfinite(both[30:, 1]).all()  # comes back
    assert both[30, 1] == pytest.approx(other[30])  # restarted from its next real value
    assert np.isfinite(both[:20, 1]).all()


def test_nan_first_value_restarts_on_the_next_real_one():
    filter_ = OneEuroFilter()
    assert np.isnan(filter_.update(np.array([np.nan]), 0.0)).all()
    assert filter_.update(np.array([4.0]), 0.1) == pytest.approx([4.0])
    assert filter_.update(np.array([4.0]), 0.2) == pytest.approx([4.0])


# ---- PoseSmoother --------------------------------------------------------------------------


def pose_at(t_s: float, x: float) -> Pose:
    image = np.full((NUM_LANDMARKS, 3), 0.5)
    image[:, 0] = x
    world = np.zeros((NUM_LANDMARKS, 3))
    world[:, 0] = x - 0.5
    return make_pose(t_s, image_xyz=image, world_xyz=world)


@pytest.mark.parametrize(
    ("next_t_s", "restarted"),
    [
        pytest.param(0.1, False, id="next-frame"),
        pytest.param(0.3, False, id="gap-0.3s"),
        pytest.param(0.48, False, id="gap-just-under-max"),
        pytest.param(0.52, True, id="gap-just-over-max-restarts"),
        pytest.param(3.0, True, id="long-gap-restarts"),
    ],
)
def test_pose_smoother_restarts_after_a_gap(next_t_s, restarted):
    smoother = PoseSmoother(max_gap_s=0.5)
    smoother.update(pose_at(0.0, 0.2))
    smoother.update(pose_at(0.05, 0.2))
    after = smoother.update(pose_at(0.05 + next_t_s, 0.8))
    if restarted:
        assert after.image_xyz[:, 0] == pytest.approx(0.8)
        assert after.world_xyz[:, 0] == pytest.approx(0.3)
    else:
        assert (after.image_xyz[:, 0] < 0.79).all()
        assert (after.world_xyz[:, 0] < 0.29).all()


def test_pose_smoother_smooths_and_keeps_time_and_visibility():
    smoother = PoseSmoother()
    first = smoother.update(pose_at(0.0, 0.5))
    second_in = pose_at(1 / 30, 0.52)
    second = smoother.update(second_in)
    assert first.image_xyz[:, 0] == pytest.approx(0.5)
    assert (second.image_xyz[:, 0] > 0.5).all()
    assert (second.image_xyz[:, 0] < 0.52).all()
    assert second.t_s == second_in.t_s
    assert second.frame_wh == second_in.frame_wh
    assert np.array_equal(second.visibility, second_in.visibility)


def test_pose_smoother_passes_empty_poses_and_counts_them_as_a_gap():
    smoother = PoseSmoother(max_gap_s=0.5)
    smoother.update(pose_at(0.0, 0.2))
    empty = Pose.empty(0.3, (640, 480))
    assert smoother.update(empty) is empty
    # Nobody seen from 0.0 to 0.9: the next real pose starts afresh.
    assert smoother.update(pose_at(0.9, 0.8)).image_xyz[:, 0] == pytest.approx(0.8)


@pytest.mark.parametrize(("image_beta", "world_beta"), [(10.0, 10.0), (2.0, 20.0), (30.0, 0.5)])
def test_pose_smoother_filters_image_and_world_each_with_its_own_beta(image_beta, world_beta):
    """One filter call for both (one beta, or one per unit) equals a filter for each."""
    rng = np.random.default_rng(5)
    smoother = PoseSmoother(image_beta=image_beta, world_beta=world_beta)
    image_filter, world_filter = OneEuroFilter(beta=image_beta), OneEuroFilter(beta=world_beta)
    for frame in range(30):
        t_s = frame / 30
        pose = make_pose(
            t_s,
            image_xyz=rng.uniform(0, 1, (NUM_LANDMARKS, 3)),
            world_xyz=rng.normal(0, 0.5, (NUM_LANDMARKS, 3)),
        )
        smoothed = smoother.update(pose)
        np.testing.assert_array_equal(smoothed.image_xyz, image_filter.update(pose.image_xyz, t_s))
        np.testing.assert_array_equal(smoothed.world_xyz, world_filter.update(pose.world_xyz, t_s))
