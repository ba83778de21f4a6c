"""CueCoach: one cue at a time, by priority, without nagging."""

from __future__ import annotations

import pytest

from coach.engine.cues import CueCoach, priority
from coach.engine.results import Cue, CueKind


def guidance(text: str = "Step back so your feet are visible") -> Cue:
    return Cue(text, CueKind.GUIDANCE, "major", 0.0)


def fault(text: str, severity: str = "minor") -> Cue:
    return Cue(text, CueKind.FAULT, severity, 0.0)


def praise(text: str = "Good rep") -> Cue:
    return Cue(text, CueKind.PRAISE, "info", 0.0)


GUIDE = guidance()
MAJOR = fault("Keep your knees over your toes", "major")
MINOR = fault("Keep your chest up", "minor")
INFO = fault("Try a little slower", "info")
PRAISE = praise()


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # guidance beats every fault
        pytest.param([PRAISE, MINOR, MAJOR, GUIDE], GUIDE, id="guidance-first"),
        pytest.param([MAJOR, GUIDE], GUIDE, id="guidance-beats-major"),
        # major beats minor, whatever the order given
        pytest.param([MINOR, MAJOR, PRAISE], MAJOR, id="major-beats-minor"),
        pytest.param([PRAISE, INFO, MINOR], MINOR, id="minor-beats-info"),
        pytest.param([PRAISE, INFO], INFO, id="info-beats-praise"),
        # praise is the lowest, given only when nothing else is
        pytest.param([PRAISE], PRAISE, id="praise-alone"),
        pytest.param([], None, id="nothing"),
    ],
)
def test_priority_order(candidates, expected):
    shown = CueCoach().update(candidates, 10.0)
    if expected is None:
        assert shown is None
    else:
        assert shown is not None
        assert (shown.text, shown.kind, shown.severity) == (
            expected.text,
            expected.kind,
            expected.severity,
        )
        assert shown.t_s == 10.0  # when it was said


def test_priority_ranks():
    assert priority(GUIDE) > priority(MAJOR) > priority(MINOR) > priority(INFO) > priority(PRAISE)


def test_higher_priority_replaces_the_current_cue():
    coach = CueCoach(min_gap_s=2.0, show_s=3.0)
    assert coach.update([MINOR], 0.0).text == MINOR.text
    assert coach.update([GUIDE], 0.5).text == GUIDE.text  # guidance does not wait


def test_lower_or_equal_priority_does_not_replace_the_current_cue():
    coach = CueCoach(min_gap_s=0.0, show_s=3.0)
    coach.update([MAJOR], 0.0)
    assert coach.update([MINOR], 2.5).text == MAJOR.text
    assert coach.update([fault("Another major", "major")], 2.9).text == MAJOR.text
    # once the current cue has been shown for show_s, the next one comes up
    assert coach.update([MINOR], 3.0).text == MINOR.text


@pytest.mark.parametrize(
    ("t_s", "expected"),
    [
        pytest.param(1.0, None, id="1s-after-too-soon"),
        pytest.param(1.99, None, id="just-under-min-gap"),
        pytest.param(2.0, MINOR.text, id="at-min-gap"),
        pytest.param(5.0, MINOR.text, id="later"),
    ],
)
def test_min_gap_between_cues(t_s, expected):
    coach = CueCoach(min_gap_s=2.0, repeat_after_s=8.0, show_s=0.5)
    coach.update([MAJOR], 0.0)
    assert coach.update([], 0.6) is None  # shown for show_s, then gone
    shown = coach.update([MINOR], t_s)
    assert (shown.text if shown else None) == expected


def test_cue_held_back_by_min_gap_is_given_when_the_gap_has_passed():
    coach = CueCoach(min_gap_s=2.0, show_s=0.5)
    coach.update([MAJOR], 0.0)
    assert coach.update([MINOR], 1.0) is None
    shown = coach.update([MINOR], 2.0)
    assert shown is not None
    assert shown.t_s == 2.0


@pytest.mark.parametrize(
    ("t_s", "expected"),
    [
        pytest.param(3.0, None, id="3s-not-repeated"),
        pytest.param(7.9, None, id="just-under-repeat-after"),
        pytest.param(8.0, MINOR.text, id="at-repeat-after"),
        pytest.param(20.0, MINOR.text, id="much-later"),
    ],
)
def test_same_text_not_repeated_within_repeat_after_s(t_s, expected):
    coach = CueCoach(min_gap_s=1.0, repeat_after_s=8.0, show_s=1.0)
    coach.update([MINOR], 0.0)
    shown = coach.update([MINOR], t_s)
    assert (shown.text if shown else None) == expected
    if shown is not None:
        assert shown.t_s == t_s  # said again, at its new time


def test_recently_said_cue_gives_way_to_the_next_one():
    coach = CueCoach(min_gap_s=1.0, repeat_after_s=8.0, show_s=1.0)
    coach.update([MAJOR], 0.0)
    shown = coach.update([MAJOR, MINOR], 3.0)  # MAJOR said 3 s ago: skip to MINOR
    assert shown is not None
    assert shown.text == MINOR.text


def test_guidance_disappears_when_no_longer_needed():
    coach = CueCoach()
    assert coach.update([GUIDE], 0.0).text == GUIDE.text
    assert coach.update([GUIDE], 0.5).text == GUIDE.text  # still needed: still shown
    assert coach.update([GUIDE], 30.0).text == GUIDE.text  # however long it takes
    assert coach.update([], 30.1) is None  # fixed: gone at once, not after show_s
    assert coach.current is None


def test_guidance_replaced_by_other_guidance_once_fixed():
    coach = CueCoach()
    coach.update([GUIDE], 0.0)
    other = guidance("Turn side-on to the camera")
    shown = coach.update([other], 0.2)
    assert shown is not None
    assert shown.text == other.text


def test_flickering_guidance_keeps_its_original_time():
    coach = CueCoach(repeat_after_s=8.0)
    first = coach.update([GUIDE], 1.0)
    assert first.t_s == 1.0
    assert coach.update([], 1.5) is None
    again = coach.update([GUIDE], 2.0)
    assert again is not None
    assert again.text == GUIDE.text
    assert again.t_s == 1.0  # the same cue, shown again: the app does not speak it twice
    assert coach.update([], 2.1) is None
    later = coach.update([GUIDE], 9.5)  # more than repeat_after_s after it was said
    assert later.t_s == 9.5


def test_non_guidance_cue_expires_after_show_s():
    coach = CueCoach(show_s=3.0)
    coach.update([MINOR], 0.0)
    assert coach.update([], 2.9).text == MINOR.text
    assert coach.update([], 3.0) is None
