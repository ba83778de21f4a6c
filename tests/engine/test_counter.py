"""RepCounter on synthetic driver signals: what is a rep and what is not."""

from __future__ import annotations

import itertools

import pytest

from coach.engine.counter import CounterState, RepCounter, RepCycle
from coach.engine.drivers import DriverChoice
from coach.exercise.schema import DriversDef, PhaseDef, RepsDef
from tests.support.counting import FPS, Motion, falling, rising, run

# ---- builders --------------------------------------------------------------------------------


def squats(n: int, **kwargs) -> Motion:
    """Standing (10 deg) for 1 s, n squats to 100 deg, then standing for 1 s."""
    return Motion(10).stay(1).reps(n, 100, **kwargs).stay(1)


# ---- the table -------------------------------------------------------------------------------

CASES = [
    # N clean reps -> N.
    pytest.param(rising(), squats(3).samples(), {}, 3, id="three-clean-reps"),
    # Quicker clean reps (0.6 s each way) -> all counted.
    pytest.param(rising(), squats(5, down_s=0.6, up_s=0.6).samples(), {}, 5, id="five-quick-reps"),
    # Jitter around the start threshold (32/38 every frame) -> never leaves the start.
    pytest.param(
        rising(),
        Motion(10).stay(1).jitter(35, 3, 4).to(10, 0.5).stay(1).samples(),
        {},
        0,
        id="jitter-around-start-threshold",
    ),
    # Jitter around the turn threshold (57/63 every frame): each touch of the turn lasts one
    # frame, shorter than min_dwell_s, so the turn is never reached -> 0.
    pytest.param(
        rising(),
        Motion(10).stay(1).to(60, 1).jitter(60, 3, 2).to(10, 1).stay(1).samples(),
        {},
        0,
        id="jitter-around-turn-threshold",
    ),
    # Fidgeting inside the hysteresis band (40..55 deg) for 4 s -> 0.
    pytest.param(
        rising(),
        Motion(10).stay(1).to(47.5, 0.5).wave(47.5, 7.5, 0.8, 4).to(10, 0.5).stay(1).samples(),
        {},
        0,
        id="fidgeting-within-band",
    ),
    # A dip to 58 deg never reaches the turn (60) -> not a rep; the full rep after it is.
    pytest.param(
        rising(),
        Motion(10).stay(1).to(58, 1).to(10, 1).stay(1).reps(1, 100).stay(1).samples(),
        {},
        1,
        id="dip-short-of-turn-then-one-rep",
    ),
    # Getting into position: the stream starts at 30 deg and bends at once (about 0.2 s in
    # the start zone, < settle_s = 0.3), so the counter is not armed and that first cycle is
    # not counted; after standing still it is armed and the next squat counts.
    pytest.param(
        rising(),
        Motion(30).to(100, 1).to(10, 1).stay(1).reps(1, 100).stay(1).samples(),
        {"settle_s": 0.3},
        1,
        id="first-descent-before-settling-not-counted",
    ),
    # Control for the row above: without settling time the same stream gives 2.
    pytest.param(
        rising(),
        Motion(30).to(100, 1).to(10, 1).stay(1).reps(1, 100).stay(1).samples(),
        {"settle_s": 0.0},
        2,
        id="control-no-settling-counts-both",
    ),
    # Starting crouched at the bottom and standing up is not a rep.
    pytest.param(
        rising(),
        Motion(100).stay(0.5).to(10, 1).stay(1).reps(2, 100).stay(1).samples(),
        {},
        2,
        id="standing-up-into-position-not-counted",
    ),
    # in_position=False all along (e.g. trunk leaning) -> never armed -> 0.
    pytest.param(
        rising(),
        squats(2).samples(off=[(0, 99)]),
        {},
        0,
        id="never-in-position",
    ),
    # in_position=False on the last start-phase frames before the first descent -> that rep
    # starts from a wrong position and is not counted; the second one is.
    pytest.param(
        rising(),
        squats(2).samples(off=[(0.8, 1.3)]),
        {},
        1,
        id="left-start-out-of-position",
    ),
    # Out of position for a moment while standing, fixed before moving -> both counted.
    pytest.param(
        rising(),
        squats(2).samples(off=[(0.5, 0.8)]),
        {},
        2,
        id="position-fixed-before-moving",
    ),
    # NaN for 1.2 s (> max_gap_s = 1) from the bottom of rep 2 -> rep 2 is not counted.
    pytest.param(
        rising(),
        squats(3, rest_s=1.0).samples(nan=[(5.0, 6.2)]),
        {"max_gap_s": 1.0},
        2,
        id="long-nan-gap-mid-rep",
    ),
    # Control: a 0.5 s NaN gap (< max_gap_s) at the same place is bridged -> 3.
    pytest.param(
        rising(),
        squats(3, rest_s=1.0).samples(nan=[(5.0, 5.5)]),
        {"max_gap_s": 1.0},
        3,
        id="short-nan-gap-bridged",
    ),
    # Too fast: down in 0.15 s, 0.1 s at the bottom, up in 0.15 s (about 0.32 s outside the
    # start zone, < min_rep_s = 0.5) -> 0.
    pytest.param(
        rising(),
        Motion(10).stay(1).to(100, 0.15).stay(0.1).to(10, 0.15).stay(1).samples(),
        {},
        0,
        id="too-fast",
    ),
    # Control: the same movement with min_rep_s = 0.1 -> counted.
    pytest.param(
        rising(min_rep_s=0.1),
        Motion(10).stay(1).to(100, 0.15).stay(0.1).to(10, 0.15).stay(1).samples(),
        {},
        1,
        id="control-fast-allowed",
    ),
    # Falling signal (start uses `above`, turn uses `below`): 3 push-ups 1.0 -> 0.45 -> 1.0.
    pytest.param(
        falling(),
        Motion(1.0).stay(1).reps(3, 0.45).stay(1).samples(),
        {},
        3,
        id="falling-three-reps",
    ),
    # Falling signal that dips to 0.75, never below the turn (0.7) -> 0.
    pytest.param(
        falling(),
        Motion(1.0).stay(1).reps(2, 0.75).stay(1).samples(),
        {},
        0,
        id="falling-dip-short-of-turn",
    ),
    # Falling signal with jitter around the start threshold (0.80/0.84) -> 0.
    pytest.param(
        falling(),
        Motion(1.0).stay(1).jitter(0.82, 0.02, 3).to(1.0, 0.5).stay(1).samples(),
        {},
        0,
        id="falling-jitter-around-start",
    ),
    # Slow reps: 8 s down, 8 s up (within max_rep_s = 30) -> counted.
    pytest.param(
        rising(),
        squats(2, down_s=8, up_s=8, rest_s=1).samples(),
        {},
        2,
        id="slow-reps-8s-down",
    ),
    # Too slow: 25 s down and 25 s up (about 36 s outside the start zone, > max_rep_s = 30),
    # the patient stopped mid-way -> 0.
    pytest.param(
        rising(),
        squats(1, down_s=25, up_s=25).samples(),
        {},
        0,
        id="slower-than-max-rep-s",
    ),
    # Control: 15 s down and 15 s up is about 22 s outside the start zone -> counted.
    pytest.param(
        rising(),
        squats(1, down_s=15, up_s=15).samples(),
        {},
        1,
        id="control-slow-within-max",
    ),
    # Deep enough to pass the turn but moving 60 (10 -> 70), less than min_range = 65 -> 0 ...
    pytest.param(
        rising(min_range=65),
        Motion(10).stay(1).reps(2, 70).stay(1).samples(),
        {},
        0,
        id="range-below-min-range",
    ),
    # ... while full squats cover it -> counted.
    pytest.param(rising(min_range=65), squats(2).samples(), {}, 2, id="range-above-min-range"),
]


@pytest.mark.parametrize(("reps", "samples", "counter_kwargs", "expected"), CASES)
def test_rep_count(reps, samples, counter_kwargs, expected):
    counter, cycles = run(samples, reps, **counter_kwargs)
    assert len(cycles) == expected
    assert counter.count == expected
    for cycle in cycles:
        assert cycle.duration_s >= reps.min_rep_s
        assert cycle.range >= reps.min_range


def test_clean_rep_cycle_times_and_extreme():
    # Standing at 10 until 1 s, 100 at 2 s, back at 10 at 3 s.
    counter, cycles = run(squats(1).samples())
    (cycle,) = cycles
    assert cycle.start_s == pytest.approx(1.0)  # last frame at rest: the movement began
    assert cycle.turn_s == pytest.approx(2.0)  # at the extreme
    assert cycle.end_s == pytest.approx(82 / 30)  # first frame back below 35
    assert cycle.extreme == pytest.approx(100.0)
    assert cycle.high == pytest.approx(100.0)
    assert cycle.low == pytest.approx(10.0)  # the standing value, not the threshold
    assert cycle.duration_s == pytest.approx(82 / 30 - 1.0)
    assert counter.state is CounterState.READY


@pytest.mark.parametrize("peak", [-6.0, 6.0])
def test_one_noise_peak_at_rest_does_not_pin_the_start(peak):
    # At rest (10) with one frame off by `peak` 2 s before the movement, which begins at
    # 4 s: the rep starts when the movement does, not at the peak.
    motion = Motion(10).stay(2).to(10 + peak, 1 / FPS).to(10, 1 / FPS).stay(2 - 2 / FPS)
    _, cycles = run(motion.reps(1, 100).stay(1).samples())
    (cycle,) = cycles
    assert cycle.start_s == pytest.approx(4.0)
    assert cycle.low == pytest.approx(10.0)


def test_falling_cycle_extreme_is_the_minimum():
    _, cycles = run(Motion(1.0).stay(1).reps(1, 0.45).stay(1).samples(), falling())
    (cycle,) = cycles
    assert cycle.extreme == pytest.approx(0.45)
    assert cycle.low == pytest.approx(0.45)
    assert cycle.turn_s == pytest.approx(2.0)


def test_rep_is_returned_on_the_frame_the_return_is_confirmed():
    samples = squats(1).samples()
    counter = RepCounter(rising())
    returned_at = [t for t, v, p in samples if counter.update(v, t, p) is not None]
    # Back below 35 at 82/30 s; confirmed min_dwell_s (0.1 s) later.
    assert returned_at == [pytest.approx(85 / 30)]


def test_states_through_one_rep():
    counter = RepCounter(rising())
    states = {}
    for t, v, p in squats(1).samples():
        counter.update(v, t, p)
        states[round(t * FPS)] = counter.state
    assert states[0] is CounterState.UNARMED
    assert states[15] is CounterState.READY  # settled after 0.3 s
    assert states[45] is CounterState.OUTBOUND  # 1.5 s: going down, at 55 deg
    assert states[60] is CounterState.RETURNING  # 2.0 s: at the bottom
    assert states[100] is CounterState.READY  # standing again


def test_by_view_signal_uses_its_own_thresholds():
    reps = rising(
        by_view={
            "front": DriversDef(
                driver="elbow",
                start=PhaseDef(name="down", below=40),
                turn=PhaseDef(name="up", above=70),
            )
        }
    )
    samples = Motion(10).stay(1).reps(2, 65).stay(1).samples()  # passes 60, not 70
    _, default_cycles = run(samples, reps)
    front, front_cycles = run(samples, reps, signal=reps.signal_for("front"))
    assert len(default_cycles) == 2
    assert len(front_cycles) == 0
    assert front.signal_def.driver == "elbow"


def test_reset_keeps_the_count_and_waits_to_settle():
    counter, _ = run(squats(2).samples())
    assert counter.count == 2
    counter.reset()
    assert counter.count == 2
    assert counter.state is CounterState.UNARMED


# ---- finish() --------------------------------------------------------------------------------

# squats(1): down from 1 s to 2 s, back up from 2 s to 3 s; back below 35 at 2.722 s.
FINISH_CASES = [
    # The stream ends 2 frames after the return to start (< min_dwell_s): still a rep.
    pytest.param(2.77, 1, 82 / 30, id="return-still-being-confirmed"),
    # The stream ends on the way back up, still in the band: not a rep.
    pytest.param(2.5, 0, None, id="mid-way-back"),
    # The stream ends at the bottom: not a rep.
    pytest.param(2.0, 0, None, id="at-the-bottom"),
    # The stream ends on the way down: not a rep.
    pytest.param(1.5, 0, None, id="on-the-way-down"),
    # The rep was already counted by update(): finish() must not count it twice.
    pytest.param(3.5, 1, None, id="already-counted"),
]


@pytest.mark.parametrize(("until", "expected_count", "finish_end_s"), FINISH_CASES)
def test_finish(until, expected_count, finish_end_s):
    counter, cycles = run(squats(1).samples(until=until))
    last = counter.finish()
    if finish_end_s is None:
        assert last is None
    else:
        assert cycles == []  # update() had not counted it yet
        assert last is not None
        assert last.end_s == pytest.approx(finish_end_s)
        assert last.start_s == pytest.approx(1.0)
        assert last.extreme == pytest.approx(100.0)
    assert counter.count == expected_count
    assert counter.finish() is None  # never twice


def test_finish_does_not_count_a_too_short_cycle():
    # Return being confirmed at the end, but the whole cycle is shorter than min_rep_s.
    motion = Motion(10).stay(1).to(100, 0.15).stay(0.1).to(10, 0.15).stay(1)
    counter, _ = run(motion.samples(until=1.42))
    assert counter.state is CounterState.RETURNING
    assert counter.finish() is None
    assert counter.count == 0


# ---- min_range and the speed of the return ---------------------------------------------------


@pytest.mark.parametrize(
    "up_s",
    [
        # A 10 -> 62 -> 10 squat moves the knee 52 deg, more than min_range (30).
        pytest.param(1.0, id="quick-return"),
        pytest.param(
            3.0,
            id="slow-return",
        ),
    ],
)
def test_min_range_does_not_depend_on_return_speed(up_s):
    samples = Motion(10).stay(1).to(62, 2.0).to(10, up_s).stay(1).samples()
    counter, cycles = run(samples)
    assert counter.count == 1
    assert cycles[0].range >= 30


# ---- a recording that begins in the middle of a set ------------------------------------------

MID_SET_CASES = [
    # Opens at the bottom of a squat (90), stands up, then two full squats: live, the first
    # rise is getting into position (2 reps); recorded, it ends a rep already under way (3).
    pytest.param(Motion(90).to(10, 1.0).stay(0.5).reps(2, 100), False, 2, id="live-mid-rep"),
    pytest.param(Motion(90).to(10, 1.0).stay(0.5).reps(2, 100), True, 3, id="recorded-mid-rep"),
    # Opens standing and squats at once (no time to settle): recorded arms at once.
    pytest.param(Motion(10).reps(2, 100, down_s=0.5), False, 1, id="live-no-settle"),
    pytest.param(Motion(10).reps(2, 100, down_s=0.5), True, 2, id="recorded-no-settle"),
    # Nobody for 3 s, then someone half-way down: walking in is never a rep, even recorded.
    pytest.param(Motion(50).stay(3).to(10, 1.0).stay(1).reps(1, 100), True, 1, id="walk-in"),
]


@pytest.mark.parametrize(("motion", "recorded", "expected"), MID_SET_CASES)
def test_a_recording_may_begin_in_the_middle_of_a_set(motion, recorded, expected):
    samples = motion.samples(nan=[(0.0, 3.0)] if motion.knots[0][1] == 50 else ())
    _, cycles = run(samples, start_mid_movement=recorded)
    assert len(cycles) == expected


def test_a_rep_begun_before_the_recording_says_so():
    _, cycles = run(
        Motion(90).to(10, 1.0).stay(0.5).reps(1, 100).samples(), start_mid_movement=True
    )
    assert [c.seen_from_start for c in cycles] == [False, True]


# ---- the evidence rule: a rep only a plan's thresholds count must be regular ------------------

# A plan at about half a squat's range: a rep counts from 40 (the library's turn is 60).
PLANNED = rising(start=PhaseDef(name="standing", below=30), turn=PhaseDef(name="bottom", above=40))


def counted(motion: Motion, library: RepsDef | None) -> list[RepCycle]:
    """The reps a counter on the plan's thresholds hands on (`library`: the definition's
    thresholds the plan moved; None: the plan's are the library's)."""
    choice = DriverChoice(PLANNED, PLANNED, libraries=[library])
    cycles = [
        choice.update({"knee_flexion": value}, t_s, in_position)
        for t_s, value, in_position in motion.samples()
    ]
    while (last := choice.finish()) is not None:
        cycles.append(last)
    return [cycle for cycle in cycles if cycle is not None]


EVIDENCE_CASES = [
    # One movement to 50: past the plan's turn, short of the library's: a fidget as much as
    # a rep -> not counted alone.
    pytest.param(Motion(10).stay(1).reps(1, 50).stay(1), 0, id="one-shallow-alone"),
    # Two alike -> both count (the first when the second confirms it).
    pytest.param(Motion(10).stay(1).reps(2, 50).stay(1), 2, id="two-shallow-alike"),
    pytest.param(Motion(10).stay(1).reps(5, 50).stay(1), 5, id="five-shallow-alike"),
    # The second confirms the first on the last frame: both are handed on by `finish`.
    pytest.param(Motion(10).stay(1).reps(2, 50, rest_s=0), 2, id="two-shallow-ending-the-video"),
    # Two, the second three times slower: not alike -> neither counts.
    pytest.param(
        Motion(10).stay(1).reps(1, 50).reps(1, 50, down_s=3, up_s=3).stay(1),
        0,
        id="two-shallow-unlike",
    ),
    # Two alike but 8 s apart: not one patient repeating a movement -> neither counts.
    pytest.param(
        Motion(10).stay(1).reps(1, 50).stay(8).reps(1, 50).stay(1), 0, id="two-shallow-apart"
    ),
    # A full squat alone counts at once: the library's turn is evidence enough.
    pytest.param(Motion(10).stay(1).reps(1, 100).stay(1), 1, id="one-full"),
    # A shallow one alike to the full one before it (within twice its depth) counts.
    pytest.param(Motion(10).stay(1).reps(1, 65).reps(1, 50).stay(1), 2, id="full-then-alike"),
]


@pytest.mark.parametrize(("motion", "expected"), EVIDENCE_CASES)
def test_a_rep_short_of_the_library_turn_counts_only_when_regular(motion, expected):
    cycles = counted(motion, rising())
    assert len(cycles) == expected
    assert all(a.end_s <= b.start_s for a, b in itertools.pairwise(cycles))


def test_without_a_plan_the_counter_runs_on_the_library_alone():
    """The control: the same lone movement counts on thresholds no plan moved (no
    `library`), and a first rep confirmed later is handed on with its own times."""
    alone = counted(Motion(10).stay(1).reps(1, 50).stay(1), None)
    assert len(alone) == 1
    pair = counted(Motion(10).stay(1).reps(2, 50).stay(1), rising())
    assert [c.strong for c in pair] == [False, False]
    assert pair[0].start_s == pytest.approx(alone[0].start_s)
