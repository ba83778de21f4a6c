"""Form rules: bounds, NaN, per-frame duration and firing, per-rep statistics and timing."""

from __future__ import annotations

import numpy as np
import pytest

from coach.engine.rules import (
    FrameRuleTracker,
    applies,
    breaks_rule,
    meets,
    relative,
    rep_faults,
    rep_statistic,
    steady_series,
    steady_value,
)
from coach.exercise.schema import RuleDef, Threshold


def rule(**overrides) -> RuleDef:
    fields = {"id": "r", "measure": "m", "cue": "Fix it", "fault_above": 30.0}
    return RuleDef(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("bounds", "value", "broken"),
    [
        ({"fault_above": 30.0}, 31.0, True),
        ({"fault_above": 30.0}, 30.0, False),  # on the bound is allowed
        ({"fault_above": 30.0}, -100.0, False),
        ({"fault_above": None, "fault_below": 0.7}, 0.69, True),
        ({"fault_above": None, "fault_below": 0.7}, 0.7, False),
        ({"fault_above": None, "fault_below": 0.7}, 5.0, False),
        ({"fault_above": 100.0, "fault_below": 10.0}, 5.0, True),  # outside a band, low
        ({"fault_above": 100.0, "fault_below": 10.0}, 150.0, True),  # outside a band, high
        ({"fault_above": 100.0, "fault_below": 10.0}, 50.0, False),
        # NaN (not seen) never breaks a rule
        ({"fault_above": 30.0}, np.nan, False),
        ({"fault_above": None, "fault_below": 0.7}, np.nan, False),
        ({"fault_above": 100.0, "fault_below": 10.0}, np.nan, False),
    ],
)
def test_breaks_rule(bounds, value, broken):
    assert breaks_rule(value, rule(**bounds)) is broken


@pytest.mark.parametrize(
    ("bounds", "value", "met"),
    [
        ({"below": 35.0}, 34.9, True),
        ({"below": 35.0}, 35.0, False),  # strict
        ({"below": 35.0}, 80.0, False),
        ({"above": 0.82}, 0.9, True),
        ({"above": 0.82}, 0.82, False),
        ({"above": 10.0, "below": 20.0}, 15.0, True),
        ({"above": 10.0, "below": 20.0}, 25.0, False),
        ({"above": 10.0, "below": 20.0}, 5.0, False),
        # NaN (not seen) never meets a required condition
        ({"below": 35.0}, np.nan, False),
        ({"above": 0.82}, np.nan, False),
    ],
)
def test_meets(bounds, value, met):
    assert meets(value, Threshold(measure="m", **bounds)) is met


@pytest.mark.parametrize(
    ("views", "view", "expected"),
    [
        (None, "side", True),
        (None, None, True),
        (["side"], "side", True),
        (["side"], "front", False),
        (["front", "back"], "back", True),
        (["side"], None, False),  # view unknown yet: a view-specific rule waits
        (["side"], "oblique", False),
    ],
)
def test_applies(views, view, expected):
    assert applies(rule(views=views), view) is expected


# ---- FrameRuleTracker -----------------------------------------------------------------------


def track(tracker: FrameRuleTracker, values: list[float], view="side", measure="hips"):
    """Feed one value per 0.1 s; returns [(t_s, failing ids, fired faults)]."""
    out = []
    for i, value in enumerate(values):
        t_s = round(0.1 * i, 10)
        failing, fired = tracker.update({measure: value}, t_s, view)
        out.append((t_s, failing, fired))
    return out


def hips_rule(**overrides) -> RuleDef:
    fields = {
        "id": "hips_sag",
        "measure": "hips",
        "when": "always",
        "fault_above": 30.0,
        "min_duration_s": 0.5,
        "cue": "Keep your body straight",
        "severity": "major",
    }
    return RuleDef(**{**fields, **overrides})


def test_frame_rule_fires_after_min_duration_once_until_cleared():
    tracker = FrameRuleTracker([hips_rule()])
    # bad from 0.1 to 1.0, good at 1.1, bad again from 1.2 to 1.8
    values = [10] + [40] * 10 + [10] + [45] * 7
    out = track(tracker, values)
    fired_at = [(t, f.rule_id) for t, _, fired in out for f in fired]
    # fires 0.5 s after the violation began (0.1 -> 0.6), once; again 0.5 s into the second
    assert fired_at == [(0.6, "hips_sag"), (1.7, "hips_sag")]
    failing_at = [t for t, failing, _ in out if failing == ["hips_sag"]]
    assert failing_at == [round(0.1 * i, 10) for i in [*range(1, 11), *range(12, 19)]]


def test_frame_rule_fault_content():
    tracker = FrameRuleTracker([hips_rule(min_duration_s=0.0)])
    _, fired = tracker.update({"hips": 42.5}, 3.0, "side")
    (f,) = fired
    assert (f.rule_id, f.cue, f.severity, f.t_s, f.value) == (
        "hips_sag",
        "Keep your body straight",
        "major",
        3.0,
        42.5,
    )


@pytest.mark.parametrize(
    ("values", "fired"),
    [
        # a violation shorter than min_duration_s never fires
        pytest.param([10, 40, 40, 40, 10, 40, 40, 10], 0, id="too-short"),
        # NaN frames (not seen) interrupt a violation: it must last again from the start
        pytest.param([40, 40, 40, np.nan, 40, 40, 40, 40], 0, id="nan-interrupts"),
        # a long violation fires exactly once
        pytest.param([40] * 30, 1, id="long-once"),
        # two separate long violations fire twice
        pytest.param([40] * 7 + [0] + [40] * 7, 2, id="twice"),
    ],
)
def test_frame_rule_duration(values, fired):
    tracker = FrameRuleTracker([hips_rule()])
    out = track(tracker, values)
    assert sum(len(f) for _, _, f in out) == fired


def test_frame_rule_skips_other_views_other_moments_and_missing_measures():
    rules = [
        hips_rule(min_duration_s=0.0, views=["side"]),
        hips_rule(id="at_turn", when="turn", min_duration_s=0.0),
        hips_rule(id="elsewhere", measure="not_measured", min_duration_s=0.0),
    ]
    tracker = FrameRuleTracker(rules)
    assert tracker.update({"hips": 50.0}, 0.0, "front") == ([], [])
    failing, fired = tracker.update({"hips": 50.0}, 0.1, "side")
    assert failing == ["hips_sag"]
    assert [f.rule_id for f in fired] == ["hips_sag"]


def test_frame_rule_reset_forgets_running_violations():
    tracker = FrameRuleTracker([hips_rule()])
    track(tracker, [40] * 10)  # fired at 0.5
    tracker.reset()
    _, fired = tracker.update({"hips": 40.0}, 1.0, "side")
    assert fired == []  # starts timing again
    _, fired = tracker.update({"hips": 40.0}, 1.5, "side")
    assert len(fired) == 1


# ---- per-rep rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "stat", "expected"),
    [
        ([10.0, 50.0, 30.0], "max", 50.0),
        ([10.0, 50.0, 30.0], "min", 10.0),
        ([10.0, 50.0, 30.0], "range", 40.0),
        ([np.nan, 20.0, np.nan, 5.0], "range", 15.0),  # NaN frames ignored
        ([np.nan, 20.0, np.nan, 5.0], "min", 5.0),
        ([np.nan, np.nan], "max", np.nan),
        ([], "max", np.nan),
    ],
)
def test_rep_statistic(series, stat, expected):
    value = rep_statistic(np.array(series, dtype=float), stat)
    if np.isnan(expected):
        assert np.isnan(value)
    else:
        assert value == pytest.approx(expected)


TIMING = {"rep_duration_s": 0.9, "down_s": 0.3, "up_s": 0.6}
SERIES = {
    "trunk_lean": np.array([5.0, 20.0, 60.0, 35.0, 8.0]),
    "upper_arm": np.array([10.0, np.nan, 45.0, 12.0, 11.0]),
}
AT_TURN = {"trunk_lean": 60.0, "upper_arm": 45.0, "knee_width": 0.65}


@pytest.mark.parametrize(
    ("rule_fields", "view", "expected_value"),
    [
        # when="turn": judged on the value at the turn
        pytest.param(
            {"measure": "trunk_lean", "when": "turn", "fault_above": 55.0},
            "side",
            60.0,
            id="turn-breaks",
        ),
        pytest.param(
            {"measure": "trunk_lean", "when": "turn", "fault_above": 65.0},
            "side",
            None,
            id="turn-ok",
        ),
        pytest.param(
            {
                "measure": "knee_width",
                "when": "turn",
                "fault_above": None,
                "fault_below": 0.7,
                "views": ["front", "back"],
            },
            "front",
            0.65,
            id="turn-front-only-rule-in-front",
        ),
        pytest.param(
            {
                "measure": "knee_width",
                "when": "turn",
                "fault_above": None,
                "fault_below": 0.7,
                "views": ["front", "back"],
            },
            "side",
            None,
            id="turn-front-only-rule-from-the-side",
        ),
        pytest.param({"measure": "missing", "when": "turn"}, "side", None, id="turn-unmeasured"),
        # when="rep": judged on a statistic of the rep's series (NaN frames ignored)
        pytest.param(
            {"measure": "upper_arm", "when": "rep", "stat": "max", "fault_above": 40.0},
            "side",
            45.0,
            id="rep-max",
        ),
        pytest.param(
            {"measure": "upper_arm", "when": "rep", "stat": "min", "fault_above": 40.0},
            "side",
            None,
            id="rep-min-ok",
        ),
        pytest.param(
            {"measure": "trunk_lean", "when": "rep", "stat": "range", "fault_above": 50.0},
            "side",
            55.0,
            id="rep-range",
        ),
        pytest.param(
            {
                "measure": "trunk_lean",
                "when": "rep",
                "stat": "min",
                "fault_above": None,
                "fault_below": 6.0,
            },
            "side",
            5.0,
            id="rep-min-below",
        ),
        # rep timing measures
        pytest.param(
            {"measure": "rep_duration_s", "when": "rep", "fault_above": None, "fault_below": 1.2},
            "side",
            0.9,
            id="too-fast",
        ),
        pytest.param(
            {"measure": "rep_duration_s", "when": "rep", "fault_above": None, "fault_below": 0.5},
            "side",
            None,
            id="duration-ok",
        ),
        pytest.param(
            {"measure": "down_s", "when": "rep", "fault_above": None, "fault_below": 0.5},
            None,
            0.3,
            id="down-too-fast",
        ),
        pytest.param(
            {"measure": "up_s", "when": "rep", "fault_above": 0.5}, "front", 0.6, id="up-too-slow"
        ),
        # when="always" rules are the tracker's job, never judged per rep
        pytest.param(
            {"measure": "trunk_lean", "when": "always", "fault_above": 0.0},
            "side",
            None,
            id="always-ignored",
        ),
    ],
)
def test_rep_faults(rule_fields, view, expected_value):
    r = rule(id="the_rule", severity="major", cue="Do better", **rule_fields)
    faults = rep_faults([r], SERIES, AT_TURN, TIMING, turn_s=12.5, view=view)
    if expected_value is None:
        assert faults == []
    else:
        (f,) = faults
        assert f.rule_id == "the_rule"
        assert f.value == pytest.approx(expected_value)
        assert f.t_s == 12.5  # reported at the turn of the rep
        assert (f.cue, f.severity) == ("Do better", "major")


def test_rep_faults_several_rules_in_order():
    rules = [
        rule(id="lean", measure="trunk_lean", when="turn", fault_above=55.0),
        rule(id="fast", measure="rep_duration_s", when="rep", fault_above=None, fault_below=1.2),
        rule(id="fine", measure="upper_arm", when="rep", fault_above=90.0),
    ]
    faults = rep_faults(rules, SERIES, AT_TURN, TIMING, turn_s=1.0, view="side")
    assert [f.rule_id for f in faults] == ["lean", "fast"]


def test_rep_measures_must_be_judged_per_rep():
    with pytest.raises(ValueError, match="exists once per rep"):
        rule(measure="rep_duration_s", when="always")


# ---- judged over a window, against the start position, per view -------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([[1.0], [9.0], [2.0]], [2.0], id="one-odd-frame-ignored"),
        pytest.param([[1.0], [2.0], [3.0], [4.0]], [2.5], id="even-count"),
        pytest.param([[1.0], [np.nan], [3.0]], [2.0], id="unseen-frames-skipped"),
        pytest.param([[1.0], [np.nan], [np.nan]], [np.nan], id="mostly-unseen-says-nothing"),
        pytest.param([[np.nan, 5.0], [np.nan, 7.0]], [np.nan, 6.0], id="per-column"),
        pytest.param(np.empty((0, 2)), [np.nan, np.nan], id="no-frames"),
    ],
)
def test_steady_value(rows, expected):
    np.testing.assert_allclose(steady_value(np.array(rows)), expected, equal_nan=True)


def test_steady_series_ignores_a_frame_or_two_but_keeps_what_lasts():
    """A rep's max is judged on each frame's median over 0.3 s: two odd frames at 15 fps
    (a landmark glitch) leave the max where it was, a lean held five frames sets it."""
    times = np.arange(20) / 15.0
    glitch = np.full(20, 5.0)
    glitch[8:10] = 40.0
    held = np.full(20, 5.0)
    held[8:13] = 40.0
    steady = steady_series(times, np.stack([glitch, held], axis=1), 0.3)
    assert steady[:, 0].max() == 5.0
    assert steady[:, 1].max() == 40.0
    assert steady.shape == (20, 2)


@pytest.mark.parametrize(
    ("value", "start", "how", "expected"),
    [
        (0.3, 0.45, "difference", -0.15),
        (0.6, 1.2, "ratio", 0.5),
        (0.6, np.nan, "ratio", np.nan),  # start not seen: nothing to compare with
        (0.6, 0.0, "ratio", np.nan),
        (0.6, np.nan, None, 0.6),  # not relative: the value itself
    ],
)
def test_relative(value, start, how, expected):
    np.testing.assert_allclose(relative(value, start, how), expected, equal_nan=True)


SHRUG = {"id": "shrug", "measure": "neck", "when": "turn", "fault_above": None}


@pytest.mark.parametrize(
    ("fields", "start", "fired"),
    [
        # judged against the patient's own start: a long neck that shortens a lot is a shrug,
        # a short neck that stays as it was is not
        ({"relative_to_start": "difference", "fault_below": -0.1}, {"neck": 0.5}, True),
        ({"relative_to_start": "difference", "fault_below": -0.1}, {"neck": 0.32}, False),
        ({"relative_to_start": "ratio", "fault_below": 0.75}, {"neck": 0.5}, True),
        ({"relative_to_start": "ratio", "fault_below": 0.75}, {"neck": 0.35}, False),
        # no start seen yet: the rule cannot be judged and says nothing
        ({"relative_to_start": "ratio", "fault_below": 0.75}, {}, False),
        # an absolute rule ignores the start
        ({"fault_below": 0.31}, {"neck": 5.0}, True),
    ],
)
def test_rules_relative_to_the_start_position(fields, start, fired):
    r = rule(**{**SHRUG, **fields})
    faults = rep_faults([r], {}, {"neck": 0.3}, TIMING, turn_s=1.0, view="front", start=start)
    assert bool(faults) is fired


def lean_rule() -> RuleDef:
    return rule(
        id="trunk_lean",
        measure="trunk_angle",
        when="turn",
        fault_above=55.0,
        views=["side", "front"],
        by_view={
            "front": {"measure": "trunk_height", "relative_to_start": "ratio", "fault_below": 0.6}
        },
    )


@pytest.mark.parametrize(
    ("view", "at_turn", "fired_value"),
    [
        ("side", {"trunk_angle": 60.0, "trunk_height": 1.5}, 60.0),
        ("side", {"trunk_angle": 40.0, "trunk_height": 0.5}, None),
        # from the front the trunk's foreshortening against the start judges the same fault
        ("front", {"trunk_angle": 10.0, "trunk_height": 0.5}, 0.5),
        ("front", {"trunk_angle": 80.0, "trunk_height": 0.9}, None),
    ],
)
def test_a_rule_judges_its_fault_by_view(view, at_turn, fired_value):
    faults = rep_faults(
        [lean_rule()], {}, at_turn, TIMING, turn_s=1.0, view=view, start={"trunk_height": 1.0}
    )
    assert [f.value for f in faults] == ([] if fired_value is None else [fired_value])
    assert all(f.rule_id == "trunk_lean" for f in faults)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"when": "always", "relative_to_start": "ratio"}, "compares a rep with the start"),
        ({"when": "rep", "stat": "range", "relative_to_start": "ratio"}, "compares a rep"),
        (
            {
                "when": "turn",
                "views": ["side"],
                "by_view": {"front": {"measure": "m2", "fault_above": 1}},
            },
            "not among the rule's views",
        ),
        ({"when": "turn", "by_view": {"front": {"measure": "m2"}}}, "give 'fault_above'"),
        (
            {
                "when": "always",
                "by_view": {
                    "front": {"measure": "m2", "fault_above": 1, "relative_to_start": "ratio"}
                },
            },
            "by_view.front: relative_to_start",
        ),
    ],
)
def test_rule_definitions_that_cannot_be_judged_are_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        rule(**fields)


@pytest.mark.parametrize(
    ("arm_at_turn", "fired"),
    [
        (95.0, True),  # judged: the arm below 120 degrees
        (140.0, False),  # not judged above: the shoulder blade's own rise
        (np.nan, False),  # the condition cannot be seen: not judged
    ],
)
def test_a_rule_is_judged_only_while_its_conditions_hold(arm_at_turn, fired):
    r = rule(
        **{**SHRUG, "relative_to_start": "difference", "fault_below": -0.1},
        judged_while=[{"measure": "arm", "below": 120.0}],
    )
    at_turn = {"neck": 0.3, "arm": arm_at_turn}
    faults = rep_faults([r], {}, at_turn, TIMING, turn_s=1.0, view="front", start={"neck": 0.5})
    assert bool(faults) is fired


def test_a_frame_rule_is_judged_only_while_its_conditions_hold():
    tracker = FrameRuleTracker(
        [hips_rule(min_duration_s=0.0, judged_while=[{"measure": "tilt", "below": 45}])]
    )
    assert tracker.update({"hips": 50.0, "tilt": 80.0}, 0.0, "side") == ([], [])
    failing, fired = tracker.update({"hips": 50.0, "tilt": 10.0}, 0.1, "side")
    assert failing == ["hips_sag"] and len(fired) == 1
