"""The patient's own range, on the synthetic bench: every counted exercise done by a
patient who reaches only part of the library's range.

- Without a prescription, regular movements that stop short of the turn are not counted
  (the README's "Choices we made"), but never in silence: each is kept with how far it
  went, and after two the live cue says what to change. Movements past the turn but short
  of the target count as partial reps, as before.
- With the plan's target at the patient's reach, the same movements are full reps,
  counted exactly, with the cue "that's your range".
- Standing still, fidgeting and walking in, for a patient with such a plan, give no rep
  and no short movement either.

The reach is half (60 % for three rows: `reach_fraction`) of the way from the patient's
rest (the driver at the start of the good path) to the definition's target, measured as
the engine measures it in the view.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coach.engine.engine import SHORT_CYCLE_CUE, YOUR_RANGE_CUE
from coach.engine.short_cycles import SHORT_CYCLE_GAP_S, regular
from coach.engine.thresholds import Prescription, library_thresholds
from coach.exercise.schema import REP_MEASURES
from coach.runtime.session import CoachSession
from tests.bench.framework import FPS, definition, signal
from tests.bench.recipes import (
    REPS_RECIPES,
    RepsRecipe,
    depth_reaching,
    driver_curve,
)
from tests.bench.rows_foundation import SQUAT
from tests.support.synthetic import RenderOptions, Script, Tempo, render

N = 5


def reach_fraction(recipe: RepsRecipe, view: str) -> float:
    """Half the library's range, or 60 % where half of it is within 1.2 times the
    definition's min_range: the least movement of a rep (the fidget floor), which no
    prescription lowers (sit-to-stand, calf raise, shoulder press)."""
    chosen = signal(recipe, view)
    _, values = driver_curve(recipe.exercise_id, view, "both")
    end = chosen.target if chosen.target is not None else chosen.turn.above or chosen.turn.below
    assert end is not None
    return 0.5 if 0.5 * abs(end - values[0]) >= 1.2 * chosen.min_range else 0.6


def reach_of(recipe: RepsRecipe, view: str, share: float = 1.0) -> tuple[float, float]:
    """(the driver's value the patient reaches, the depth along the good path there);
    `share` of the way to their reach from their rest."""
    chosen = signal(recipe, view)
    depths, values = driver_curve(recipe.exercise_id, view, "both")
    turn = chosen.turn.above if chosen.rising else chosen.turn.below
    assert turn is not None
    end = chosen.target if chosen.target is not None else turn
    fraction = share * reach_fraction(recipe, view)
    reach = float(values[0] + fraction * (end - values[0]))
    return reach, depth_reaching(depths, values, reach)


def play(recipe: RepsRecipe, view: str, script: Script, prescription: Prescription | None):
    """The sequence through a coach session frame by frame: (session, the frames' results)."""
    options = RenderOptions(fps=FPS, image_noise_px=1.0, world_noise_m=0.005, seed=0)
    recording = render(script.build(), recipe.cameras[view], options)
    session = CoachSession(definition(recipe.exercise_id), prescription=prescription)
    return session, session.replay(recording)


def short_reps(recipe: RepsRecipe, depth: float) -> Script:
    path = recipe.paths("both")
    return Script(path.start).hold(1.5).reps(N, path, Tempo.period(3.0), depth).hold(1.0)


def cues(results) -> list[str]:
    return [r.cue.text for r in results if r.cue is not None]


def passes_a_turn(recipe: RepsRecipe, view: str, depth: float) -> bool:
    """True when the good path at `depth` takes any driver of the view past its turn (a
    shallow push-up bends the elbows past theirs): such movements count, on that driver."""
    for chosen in signal(recipe, view).signals:
        depths, values = driver_curve(recipe.exercise_id, view, "both", chosen.driver)
        force = library_thresholds(chosen)
        if force.reached(float(np.interp(depth, depths, values)), force.turn):
            return True
    return False


ROWS = [
    pytest.param(recipe, definition(recipe.exercise_id).views[0], id=recipe.exercise_id)
    for recipe in REPS_RECIPES
]

# The row's reach lies within a driver's noise of its turn: some of the movements count.
SHORT_GAPS = {
    "calf_raise": "60% of the way to the target (0.09) is 0.01 short of the turn: the 3D "
    "heel lift, the second driver, reads past it on 2 of 5 with the bench's 5 mm of "
    "world-landmark noise (2 partial reps, 3 short movements)",
}
SHORT_ROWS = [
    pytest.param(
        *p.values,
        id=p.id,
        marks=pytest.mark.xfail(strict=True, reason=SHORT_GAPS[p.id]) if p.id in SHORT_GAPS else (),
    )
    for p in ROWS
]


@pytest.mark.parametrize(("recipe", "view"), SHORT_ROWS)
def test_without_a_plan_short_movements_are_kept_with_their_depth_and_cued(recipe, view):
    reach, depth = reach_of(recipe, view)
    session, results = play(recipe, view, short_reps(recipe, depth), None)
    engine = session.engine
    force = engine.thresholds(view)
    if passes_a_turn(recipe, view, depth):  # half the range already passes a turn
        assert engine.rep_count == N and all(rep.partial for rep in engine.reps)
        return
    assert engine.rep_count == 0
    assert len(engine.short_cycles) == N
    band = abs(force.turn - force.start)
    for cycle in engine.short_cycles:
        assert cycle.extreme == pytest.approx(reach, abs=0.25 * band + 1e-9)
    assert SHORT_CYCLE_CUE in cues(results)


def their_range(recipe: RepsRecipe, view: str) -> Prescription:
    """The plan's target at the patient's range, as a physio would set it from what they
    measured: nine tenths of the way from rest to the reach (a measured peak is steady,
    not the extreme of one rep)."""
    target, _ = reach_of(recipe, view, 0.9)
    return Prescription(signal(recipe, view).driver, target=target)


@pytest.mark.parametrize(("recipe", "view"), ROWS)
def test_with_the_plan_target_at_their_reach_every_rep_is_full(recipe, view):
    _, depth = reach_of(recipe, view)
    prescription = their_range(recipe, view)
    session, results = play(recipe, view, short_reps(recipe, depth), prescription)
    engine = session.engine
    assert engine.rep_count == N
    assert [rep.partial for rep in engine.reps] == [False] * N
    assert engine.short_cycles == []
    assert engine.thresholds(view).prescribed
    if any(not rep.faults for rep in engine.reps):  # a rep with a fault gets its fault's cue
        assert YOUR_RANGE_CUE in cues(results)


# Where a fidget moves the driver as far as a patient prescribed half the library's range
# does, amplitude cannot tell the two apart; the counter's evidence rule (a rep short of
# the library's turn counts only alike to the next or last) does. Known limits, held here
# (strict) so a change that fixes one, or breaks another row, shows:
# (probe, exercise) -> what goes wrong.
COUNTED: set[tuple[str, str]] = set()
CUED: set[tuple[str, str]] = set()


def probe_params(known: set[tuple[str, str]], reason: str) -> list:
    return [
        pytest.param(
            recipe,
            view,
            probe,
            id=f"{probe}-{recipe.exercise_id}",
            marks=pytest.mark.xfail(
                (probe, recipe.exercise_id) in known, reason=reason, strict=True
            ),
        )
        for recipe, view in ((p.values[0], p.values[1]) for p in ROWS)
        for probe in ("standing", "fidgeting-3deg", "fidgeting-5deg")
    ]


def probe(recipe: RepsRecipe, view: str, name: str):
    """The probe for a patient whose plan targets half the library's range."""
    script = Script(recipe.start).hold(1.5)
    if name == "standing":
        script.hold(8.0)
    else:
        amplitude = 3.0 if name == "fidgeting-3deg" else 5.0
        script.fidget(10.0, amplitude_deg=amplitude, seed=7, channels=recipe.fidget_channels)
    return play(recipe, view, script.hold(1.0), their_range(recipe, view))


@pytest.mark.parametrize(
    ("recipe", "view", "name"), probe_params(COUNTED, "the fidget is counted as a rep")
)
def test_with_such_a_plan_idle_and_fidgeting_count_nothing(recipe, view, name):
    session, _ = probe(recipe, view, name)
    assert session.engine.rep_count == 0


@pytest.mark.parametrize(
    ("recipe", "view", "name"),
    probe_params(CUED, "the fidget looks like regular short movements"),
)
def test_with_such_a_plan_idle_and_fidgeting_are_not_taken_for_short_movements(recipe, view, name):
    """A stray movement may pass the short-movement floor; two alike in a row, which
    make the live cue and the offline warning, do not."""
    session, results = probe(recipe, view, name)
    shorts = session.engine.short_cycles
    assert not any(regular([a, b], SHORT_CYCLE_GAP_S) for a, b in itertools.pairwise(shorts))
    assert SHORT_CYCLE_CUE not in cues(results)


def test_walking_in_with_a_shallow_squat_plan_is_no_rep():
    recipe = SQUAT
    prescription = their_range(recipe, "front")
    script = Script(recipe.start).walk_in(2.5, 4.0).hold(3.0)
    session, _ = play(recipe, "front", script, prescription)
    assert session.engine.rep_count == 0


# ---- form rules at the patient's range -------------------------------------------------
# Every view of every counted exercise, with the plan's target at half the library's range.
EVERY_VIEW = [
    pytest.param(recipe, view, id=f"{recipe.exercise_id}-{view}")
    for recipe in REPS_RECIPES
    for view in definition(recipe.exercise_id).views
]


@pytest.mark.parametrize(("recipe", "view"), EVERY_VIEW)
def test_clean_reps_at_the_planned_range_get_no_form_fault(recipe, view):
    """A rule that pictures the posture at the library's full range (`at_full_range`, e.g.
    standing tall at the top of a sit-to-stand) is not judged on reps the plan counts short
    of it; no other rule fires on a clean rep either. (Timing rules may: the bench's reps
    are brisk, and a shorter movement at the same tempo is briefer still.)"""
    _, depth = reach_of(recipe, view)
    session, _ = play(recipe, view, short_reps(recipe, depth), their_range(recipe, view))
    timing = {r.id for r in definition(recipe.exercise_id).rules if r.measure in REP_MEASURES}
    faults = {f.rule_id for rep in session.engine.reps for f in rep.faults}
    assert faults <= timing


def test_a_full_range_rule_is_still_judged_on_reps_that_reach_the_library_range():
    """The same plan (half the range); the patient stands up fully, but stooped: judged."""
    recipe = next(r for r in REPS_RECIPES if r.exercise_id == "sit_to_stand")
    fault = recipe.faults["not_standing_tall"]
    assert not isinstance(fault, str) and fault.path is not None
    script = Script(fault.path.start).hold(1.5).reps(3, fault.path, Tempo.period(fault.period_s))
    session, _ = play(recipe, "side", script.hold(1.0), their_range(recipe, "side"))
    assert session.engine.rep_count == 3
    assert "not_standing_tall" in {f.rule_id for f in session.engine.faults}


@pytest.mark.parametrize(("recipe", "view"), ROWS)
def test_with_a_plan_movements_short_of_its_turn_are_still_cued(recipe, view):
    """The plan's start zone bounds what a short movement is (fidgets stay inside it), not
    what the patient is told: movements out of it, halfway to the plan's turn, are kept
    and cued as without a plan."""
    prescription = their_range(recipe, view)
    force = CoachSession(definition(recipe.exercise_id), prescription=prescription).engine
    planned = force.thresholds(view)
    depths, values = driver_curve(recipe.exercise_id, view, "both")
    depth = depth_reaching(depths, values, (planned.start + planned.turn) / 2)
    if passes_a_turn(recipe, view, depth):
        pytest.skip("another driver of the view passes its turn there (counted on it)")
    session, results = play(recipe, view, short_reps(recipe, depth), prescription)
    assert session.engine.rep_count == 0
    assert len(session.engine.short_cycles) == N
    assert SHORT_CYCLE_CUE in cues(results)
