"""scripts/faults.py: labelled reps matched to counted ones by their turn, and the scores."""

from __future__ import annotations

import json

import pytest

from scripts.faults import (
    FAULT_RULES,
    JudgedRep,
    LabelledRep,
    Totals,
    judge_clip,
    labelled_reps,
    match_turns,
    rule_scores,
)


@pytest.mark.parametrize(
    ("labelled", "counted", "expected"),
    [
        pytest.param([1.0, 2.0, 3.0], [1.1, 2.1, 2.9], [0, 1, 2], id="one-each"),
        pytest.param([1.0, 2.0, 3.0], [1.1, 2.9], [0, None, 1], id="one-missed"),
        pytest.param([1.0, 3.0], [0.9, 1.2, 3.1], [0, 2], id="an-extra-count-unused"),
        pytest.param([1.0], [1.7], [None], id="too-far"),
        # 0.4 s from the labelled 1.0 but nearer half the way to the label at 1.6
        pytest.param([1.0, 1.6], [1.4], [None, 0], id="nearer-the-other-label"),
        pytest.param([1.0, 2.0], [1.5], [None, None], id="halfway-is-neither"),
        pytest.param([2.0, 1.0], [1.05, 2.05], [1, 0], id="any-order"),
        pytest.param([], [1.0], [], id="no-labels"),
    ],
)
def test_match_turns(labelled, counted, expected):
    assert match_turns(labelled, counted) == expected


def label(
    turn_s: float, form: str = "good", *faults: str, exercise="push_up", view="side"
) -> LabelledRep:
    return LabelledRep("clip.mp4", exercise, view, turn_s, form, faults)


def counted(turn_s: float, *rules: str) -> dict:
    return {"turn_s": turn_s, "faults": [{"rule": rule} for rule in rules]}


def test_judge_clip_reads_the_faults_of_the_matched_rep():
    labels = [label(1.0, "bad", "hips_sag"), label(2.0, "good"), label(3.0, "bad", "hips_pike")]
    reps = [counted(1.1, "too_fast", "hips_sag"), counted(2.0, "hips_sag")]
    judged = judge_clip(labels, reps)
    assert [j.flagged for j in judged] == [("too_fast", "hips_sag"), ("hips_sag",), ()]
    assert [(j.counted, j.caught, j.false_alarm) for j in judged] == [
        (True, True, False),
        (True, False, True),
        (False, False, False),
    ]


def test_tempo_faults_are_kept_apart_from_form_faults():
    labels = [label(1.0, "good"), label(2.0, "bad", "hips_sag")]
    reps = [counted(1.0, "too_fast"), counted(2.0, "too_fast", "hips_sag")]
    judged = judge_clip(labels, reps, tempo_rules={"too_fast"})
    assert [(j.flagged, j.tempo) for j in judged] == [
        ((), ("too_fast",)),
        (("hips_sag",), ("too_fast",)),
    ]
    assert [(j.false_alarm, j.caught) for j in judged] == [(False, False), (False, True)]
    assert Totals.of(judged).good_tempo_flagged == 1


def test_a_bad_rep_flagged_only_with_another_fault_is_not_caught():
    (j,) = judge_clip([label(1.0, "bad", "hips_sag")], [counted(1.0, "too_fast")])
    assert not j.caught


JUDGED = [
    JudgedRep(label(1.0, "bad", "hips_sag"), 1.0, ("hips_sag",)),
    JudgedRep(label(2.0, "bad", "hips_sag", "hips_pike"), 2.0, ("hips_sag",)),
    JudgedRep(label(3.0, "bad", "hips_sag"), None, ()),
    JudgedRep(label(4.0, "good"), 4.0, ()),
    JudgedRep(label(5.0, "good"), 5.0, (), ("too_fast",)),
    JudgedRep(label(1.0, "bad", "excessive_trunk_lean", exercise="squat"), 1.0, ()),
    JudgedRep(label(2.0, "good", exercise="squat", view="front"), 2.0, ("trunk_lean",)),
]
RULES = {
    "push_up": {"hips_sag": ["side"], "too_fast": None},
    "squat": {"trunk_lean": ["side"]},
}


def test_rule_scores_per_exercise_and_rule_in_the_views_it_judges():
    scores = rule_scores(JUDGED, RULES)
    table = {(s.exercise, s.rule): (s.caught, s.with_fault, s.false_alarms, s.good) for s in scores}
    assert table == {
        ("push_up", "hips_sag"): (2, 3, 0, 2),
        ("push_up", "too_fast"): (0, 0, 1, 2),
        ("push_up", "hips_pike"): (0, 1, 0, 2),  # labelled, never flagged: still scored
        # the squat filmed from the front is not the side rule's to judge
        ("squat", "trunk_lean"): (0, 1, 0, 0),
    }


def test_totals_and_the_issue_bar():
    totals = Totals.of(JUDGED)
    assert (totals.bad_caught, totals.bad, totals.good_flagged, totals.good) == (2, 4, 1, 3)
    assert (totals.counted, totals.labelled, totals.good_tempo_flagged) == (6, 7, 1)
    assert not totals.done
    clean = [JudgedRep(label(1.0, "bad", "hips_sag"), 1.0, ("hips_sag",))] * 4 + [
        JudgedRep(label(2.0, "good"), 2.0, ())
    ] * 10
    assert Totals.of(clean).done


def test_labelled_reps_names_the_file_key_and_fix_for_an_unknown_fault(tmp_path):
    manifest = tmp_path / "manifest.json"
    clip = {"file": "a.mp4", "exercise_id": "squat", "view": "front"}
    bad = {"turn_s": 1.0, "form": "bad", "faults": ["wobbly_knees"]}
    manifest.write_text(json.dumps([{**clip, "rep_labels": [bad]}]))
    with pytest.raises(ValueError, match=r"\[0\]\.rep_labels\[0\]\.faults.*FAULT_RULES"):
        labelled_reps(manifest)


def test_labelled_reps_reads_every_label_and_skips_unlabelled_clips(tmp_path):
    manifest = tmp_path / "manifest.json"
    clip = {"file": "a.mp4", "exercise_id": "push_up", "view": "side"}
    reps = [
        {"turn_s": 1.0, "form": "bad", "faults": ["hips_sag"]},
        {"turn_s": 2.0, "form": "good", "faults": []},
    ]
    manifest.write_text(json.dumps([{**clip, "rep_labels": reps}, {**clip, "file": "b.mp4"}]))
    found = labelled_reps(manifest)
    assert [(r.clip, r.turn_s, r.form, r.rules) for r in found] == [
        ("a.mp4", 1.0, "bad", frozenset({"hips_sag"})),
        ("a.mp4", 2.0, "good", frozenset()),
    ]


def test_every_mapped_rule_exists_in_some_definition(library):
    rules = {rule.id for e in library.ids() for rule in library.get(e).rules} | {"partial_range"}
    assert set(FAULT_RULES.values()) <= rules
