#!/usr/bin/env python3
"""Score the form rules on real clips whose every repetition is labelled good or bad.

Reads ../shared/fault-clips/manifest.json (and any clip of ../shared/videos/manifest.json
whose repetitions carry labels), runs `coach analyze` on each clip, matches each labelled
repetition to a counted one by its turning point, and reports per repetition the labels
and the faults flagged; per rule its sensitivity (bad reps with that fault that the rule
flagged) and false-alarm rate (good reps it flagged); and in total. Beside it, the same
per-rule table on the synthetic bench (tests/bench): each rule on the motion that shows
its fault, and on good reps. `make faults` writes it all to docs/faults.md.

The manifests name faults in their own words (`hips_sag`, `excessive_trunk_lean`);
`FAULT_RULES` maps each to the rule id of the definitions, in one table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_MANIFESTS = [SHARED / "fault-clips" / "manifest.json", SHARED / "videos" / "manifest.json"]

# A manifest's fault name -> the id of the rule that should flag it (any exercise). A name
# missing here stops the run with the fix, rather than scoring a fault no rule can see.
FAULT_RULES: dict[str, str] = {
    "hips_sag": "hips_sag",
    "hips_sagging": "hips_sag",
    "hips_pike": "hips_pike",
    "hips_high": "hips_pike",
    "excessive_trunk_lean": "trunk_lean",
    "trunk_lean": "trunk_lean",
    "forward_lean": "trunk_lean",
    "elbows_bent": "elbow_bent",
    "elbow_bent": "elbow_bent",
    "shrugging": "shrugging",
    "shrug": "shrugging",
    "knee_valgus": "knees_cave_in",
    "knees_cave_in": "knees_cave_in",
    "knees_past_toes": "knees_past_toes",
    "knees_over_toes": "knees_past_toes",
    "elbows_drift_forward": "elbow_drifts_forward",
    "elbow_drifts_forward": "elbow_drifts_forward",
    "torso_swing": "torso_swing",
    "body_swing": "torso_swing",
    "elbows_flare": "elbows_flare",
    "elbow_flare": "elbows_flare",
    "partial_range": "partial_range",
    "partial_depth": "partial_range",
}

# Hand-labelled turns are read off by eye to a tenth of a second, and the counted turn is
# where the driving measure peaks, which a held bottom leaves anywhere inside the hold:
# a counted turn matches a labelled one this close, and never nearer another label.
MATCH_TOLERANCE_S = 0.6

TEMPO_NOTE = (
    "Tempo rules (on a rep's duration, its way down or up: `too_fast`) judge the pace "
    "against the prescribed tempo, which the labels cannot see: they were read from still "
    "frames at each turning point. A quick rep is a tempo cue, not a form fault (README, "
    '*Choices we made*): a physio says "slow down" to a rushed rep, but it needs no '
    "correction of the body, so the coach says it only when no major fault waits. Its "
    "flags are listed apart (the *tempo* column and line) and not counted as form false "
    "alarms; the per-rule table scores them like any rule."
)


@dataclass(frozen=True)
class LabelledRep:
    """One repetition as the manifest labels it."""

    clip: str
    exercise: str
    view: str  # the camera view the manifest gives the clip
    turn_s: float
    form: str  # "good" | "bad"
    faults: tuple[str, ...]  # the manifest's fault names

    @property
    def rules(self) -> frozenset[str]:
        """The rule ids that should flag this rep."""
        return frozenset(FAULT_RULES[name] for name in self.faults)


@dataclass(frozen=True)
class JudgedRep:
    """A labelled rep and what the coach made of it (`counted_turn_s` None: not counted)."""

    label: LabelledRep
    counted_turn_s: float | None
    flagged: tuple[str, ...]  # rule ids of the form faults on the matched counted rep
    tempo: tuple[str, ...] = ()  # rule ids of its tempo faults (kept apart: see TEMPO_NOTE)

    @property
    def all_flags(self) -> tuple[str, ...]:
        return self.flagged + self.tempo

    @property
    def counted(self) -> bool:
        return self.counted_turn_s is not None

    @property
    def caught(self) -> bool:
        """A bad rep flagged with one of its own faults."""
        return self.label.form == "bad" and bool(self.label.rules & set(self.flagged))

    @property
    def false_alarm(self) -> bool:
        """A good rep flagged with any fault."""
        return self.label.form == "good" and bool(self.flagged)


def labelled_reps(manifest: Path) -> list[LabelledRep]:
    """The labelled repetitions of a manifest (clips without `rep_labels` give none).

    Raises ValueError naming the file, the key and the fix for a fault name missing from
    FAULT_RULES or a form other than good/bad."""
    reps = []
    for i, clip in enumerate(json.loads(manifest.read_text())):
        for j, label in enumerate(clip.get("rep_labels", [])):
            where = f"{manifest}: [{i}].rep_labels[{j}]"
            if label["form"] not in ("good", "bad"):
                raise ValueError(f"{where}.form: '{label['form']}' is neither 'good' nor 'bad'")
            for name in label["faults"]:
                if name not in FAULT_RULES:
                    raise ValueError(
                        f"{where}.faults: no rule for '{name}'; add it to FAULT_RULES in "
                        "scripts/faults.py"
                    )
            reps.append(
                LabelledRep(
                    clip["file"],
                    clip["exercise_id"],
                    clip["view"],
                    float(label["turn_s"]),
                    label["form"],
                    tuple(label["faults"]),
                )
            )
    return reps


def match_turns(
    labelled: Sequence[float], counted: Sequence[float], tolerance_s: float = MATCH_TOLERANCE_S
) -> list[int | None]:
    """For each labelled turn, the index of the counted turn matched to it (None: none).

    Closest pairs first, each turn used once; a pair further apart than `tolerance_s`, or
    not nearer this label than half the way to a neighbouring one, is no match."""
    half_gaps = [
        min((abs(turn - other) / 2 for j, other in enumerate(labelled) if j != k), default=np.inf)
        for k, turn in enumerate(labelled)
    ]
    pairs = sorted(
        (abs(turn - c), k, j)
        for k, turn in enumerate(labelled)
        for j, c in enumerate(counted)
        if abs(turn - c) <= tolerance_s and abs(turn - c) < half_gaps[k]
    )
    matched: list[int | None] = [None] * len(labelled)
    used: set[int] = set()
    for _, k, j in pairs:
        if matched[k] is None and j not in used:
            matched[k], _ = j, used.add(j)
    return matched


def judge_clip(
    labels: Sequence[LabelledRep],
    repetitions: Sequence[dict],
    tempo_rules: Collection[str] = (),
) -> list[JudgedRep]:
    """Match one clip's labelled reps to `coach analyze --json`'s repetitions; faults of
    `tempo_rules` are kept apart from the form faults."""
    turns = [float(rep["turn_s"]) for rep in repetitions]
    matched = match_turns([label.turn_s for label in labels], turns)
    judged = []
    for label, j in zip(labels, matched, strict=True):
        if j is None:
            judged.append(JudgedRep(label, None, ()))
            continue
        rules = list(dict.fromkeys(f["rule"] for f in repetitions[j]["faults"]))
        form = tuple(rule for rule in rules if rule not in tempo_rules)
        tempo = tuple(rule for rule in rules if rule in tempo_rules)
        judged.append(JudgedRep(label, turns[j], form, tempo))
    return judged


@dataclass(frozen=True)
class RuleScore:
    """One rule of one exercise: bad reps with its fault it flagged, good reps it flagged."""

    exercise: str
    rule: str
    caught: int
    with_fault: int
    false_alarms: int
    good: int
    note: str = ""  # why it has no cases (the bench's reason for a fault it cannot show)


def fraction(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


RuleViews = dict[str, dict[str, list[str] | None]]  # exercise -> rule id -> its views


def rule_scores(judged: Sequence[JudgedRep], rules: RuleViews) -> list[RuleScore]:
    """Per (exercise, rule), on the reps filmed from a view the rule is judged in: `rules`
    maps each exercise to its rule ids and their views (None: every view). Rules a rep was
    labelled or flagged with that the exercise does not define (partial_range) are scored
    on every view too."""
    scores = []
    for exercise in sorted({j.label.exercise for j in judged}):
        reps = [j for j in judged if j.label.exercise == exercise]
        flagged = {rule for j in reps for rule in j.all_flags}
        labelled = {rule for j in reps for rule in j.label.rules}
        views = rules.get(exercise, {})
        for rule in dict.fromkeys([*views, *sorted(flagged | labelled)]):
            seen = [j for j in reps if views.get(rule) is None or j.label.view in views[rule]]
            bad = [j for j in seen if j.label.form == "bad" and rule in j.label.rules]
            good = [j for j in seen if j.label.form == "good"]
            scores.append(
                RuleScore(
                    exercise,
                    rule,
                    sum(rule in j.all_flags for j in bad),
                    len(bad),
                    sum(rule in j.all_flags for j in good),
                    len(good),
                )
            )
    return scores


@dataclass(frozen=True)
class Totals:
    bad_caught: int
    bad: int
    good_flagged: int
    good: int
    counted: int
    labelled: int
    good_tempo_flagged: int = 0  # good reps with a tempo fault (not counted above)

    @classmethod
    def of(cls, judged: Sequence[JudgedRep]) -> Totals:
        bad = [j for j in judged if j.label.form == "bad"]
        good = [j for j in judged if j.label.form == "good"]
        return cls(
            sum(j.caught for j in bad),
            len(bad),
            sum(j.false_alarm for j in good),
            len(good),
            sum(j.counted for j in judged),
            len(judged),
            sum(bool(j.tempo) for j in good),
        )

    @property
    def done(self) -> bool:
        """The issue's bar: 80 % of bad reps caught, at most 10 % of good ones flagged,
        every labelled rep counted."""
        return (
            self.bad_caught >= 0.8 * self.bad
            and self.good_flagged <= 0.1 * self.good
            and self.counted == self.labelled
        )


def rep_table(judged: Sequence[JudgedRep]) -> list[str]:
    lines = [
        "| clip | labelled turn s | form | labelled faults | counted turn s | flagged | tempo | "
        "verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for j in judged:
        label = j.label
        if not j.counted:
            verdict = "**not counted**"
        elif label.form == "bad":
            verdict = "caught" if j.caught else "**missed**"
        else:
            verdict = "**false alarm**" if j.false_alarm else "clean"
        counted = "" if j.counted_turn_s is None else f"{j.counted_turn_s:.2f}"
        lines.append(
            f"| {label.clip} | {label.turn_s:.1f} | {label.form} | "
            f"{', '.join(label.faults) or '-'} | {counted} | {', '.join(j.flagged) or '-'} | "
            f"{', '.join(j.tempo) or '-'} | {verdict} |"
        )
    return lines


def score_table(real: Sequence[RuleScore], bench: Sequence[RuleScore]) -> list[str]:
    """The per-rule table: real clips and the synthetic bench side by side."""
    keyed = {(s.exercise, s.rule): s for s in bench}
    lines = [
        "| exercise | rule | real: sensitivity | real: false alarms | bench: sensitivity | "
        "bench: false alarms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    keys = list(dict.fromkeys([(s.exercise, s.rule) for s in real] + list(keyed)))
    real_keyed = {(s.exercise, s.rule): s for s in real}
    for key in keys:
        r, b = real_keyed.get(key), keyed.get(key)
        cells = []
        for score in (r, b):
            if score is None:
                cells += ["-", "-"]
            else:
                caught = fraction(score.caught, score.with_fault)
                cells += [
                    f"{caught} ({score.note})" if score.note else caught,
                    fraction(score.false_alarms, score.good),
                ]
        lines.append(f"| {key[0]} | {key[1]} | {' | '.join(cells)} |")
    return lines


def totals_lines(totals: Totals) -> list[str]:
    return [
        f"- bad repetitions flagged with a right fault: {fraction(totals.bad_caught, totals.bad)}",
        "- good repetitions flagged with a form fault: "
        f"{fraction(totals.good_flagged, totals.good)}",
        "- good repetitions flagged with a tempo fault (apart, see below): "
        f"{fraction(totals.good_tempo_flagged, totals.good)}",
        f"- labelled repetitions counted: {fraction(totals.counted, totals.labelled)}",
        "- the issue's bar (at least 80 % of bad reps caught, at most 10 % of good reps "
        f"flagged, every labelled rep counted): {'met' if totals.done else '**not met**'}",
    ]


# ---- the real clips ------------------------------------------------------------------------


POSE_CACHE = ROOT / "build" / "fault-poses"


def cached_poses(
    video: Path,
    cache: Path,
    recipe: str = "",
    render: Callable[[Path, Path], None] | None = None,
) -> Path:
    """The poses the model sees in `video` (`coach record`), saved under `cache` on first
    use and reused after: the file's name is keyed by the clip (name, size, modification
    time), the model file and the working frame size, so a changed clip or model records
    afresh. Re-scoring the rules then takes seconds (`coach replay`).

    With `render`, the poses of the clip filmed differently (scripts/robustness.py):
    `render(video, out)` writes that variant to `out` in a temporary folder outside the
    repository (the clips are not ours to redistribute), deleted once recorded, and
    `recipe` (how it was made) joins the key. Returns the .npz path."""
    from coach.runtime.analysis import record_poses
    from coach.vision.model_bundle import resolve_model_path
    from coach.vision.video import WORKING_MAX_SIDE_PX

    stat, model = video.stat(), resolve_model_path(None)
    settings = (video.name, stat.st_size, stat.st_mtime_ns, model.name, model.stat().st_size)
    key_parts = (*settings, WORKING_MAX_SIDE_PX, *((recipe,) if recipe else ()))
    key = hashlib.sha256(repr(key_parts).encode()).hexdigest()[:16]
    path = cache / f"{video.stem}-{key}.npz"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="coach-variant-") as folder:
            source = video
            if render is not None:
                source = Path(folder) / f"{video.stem}.mp4"
                render(video, source)
            recording = record_poses(
                source, max_side_px=WORKING_MAX_SIDE_PX, quiet_model_start=True
            )
        partial = path.with_suffix(".tmp.npz")
        recording.save(partial)
        partial.replace(path)
    return path


def analyze_clip(video: Path, exercise: str, cache: Path | None) -> dict:
    """`coach analyze --json` of a clip; with a `cache`, the same coach replayed on its
    cached poses (`cached_poses`, `coach replay`) instead of running the model again."""
    if cache is None:
        from scripts.accuracy import analyze

        return analyze(video, exercise)[0]
    from coach.exercise.loader import ExerciseLibrary
    from coach.runtime.analysis import replay_recording

    definition = ExerciseLibrary().get(exercise)
    return replay_recording(cached_poses(video, cache), definition).to_json()


def judge_manifest(manifest: Path, cache: Path | None = None) -> list[JudgedRep]:
    """Every labelled clip of a manifest through `coach analyze` (or, with a `cache` of
    poses, `coach replay`: see `analyze_clip`)."""
    labels = labelled_reps(manifest)
    judged = []
    for clip in dict.fromkeys(label.clip for label in labels):
        mine = [label for label in labels if label.clip == clip]
        result = analyze_clip(manifest.parent / clip, mine[0].exercise, cache)
        clip_judged = judge_clip(mine, result["repetitions"], tempo_rules(mine[0].exercise))
        judged += clip_judged
        print(
            f"{clip:45s} labelled {len(mine)} counted {result['reps']} "
            f"caught {sum(j.caught for j in clip_judged)} "
            f"false alarms {sum(j.false_alarm for j in clip_judged)}",
            file=sys.stderr,
        )
    return judged


def definition_rules(exercises: Iterable[str]) -> RuleViews:
    """Each exercise's rule ids and the views they are judged in."""
    from coach.exercise.loader import ExerciseLibrary

    library = ExerciseLibrary()
    return {e: {rule.id: rule.views for rule in library.get(e).rules} for e in exercises}


def tempo_rules(exercise: str) -> set[str]:
    """The exercise's rules on a rep's timing (rep_duration_s, down_s, up_s)."""
    from coach.exercise.loader import ExerciseLibrary
    from coach.exercise.schema import REP_MEASURES

    rules = ExerciseLibrary().get(exercise).rules
    return {rule.id for rule in rules if rule.measure in REP_MEASURES}


# ---- the synthetic bench -------------------------------------------------------------------

BENCH_GOOD_REPS = 4
BENCH_FAULT_REPS = 3


def bench_scores(exercises: Iterable[str]) -> list[RuleScore]:
    """Each rule of each exercise on the bench, in every view it is judged in: the reps of
    its fault motion it flagged, and the good reps (a rep every 3 s) it flagged."""
    from tests.bench.framework import definition, good_reps, run
    from tests.bench.recipes import REPS_RECIPES
    from tests.support.synthetic import Script, Tempo

    scores = []
    for recipe in REPS_RECIPES:
        if recipe.exercise_id not in exercises:
            continue
        exercise = definition(recipe.exercise_id)
        good: dict[str, list[set[str]]] = {}
        for view in exercise.views:
            motion = good_reps(recipe, BENCH_GOOD_REPS, 3.0).build()
            engine = run(recipe.exercise_id, motion, recipe.cameras[view]).engine
            good[view] = [{f.rule_id for f in rep.faults} for rep in engine.reps]
        for rule in exercise.rules:
            fault = recipe.faults.get(rule.id)
            views = [v for v in exercise.views if rule.views is None or v in rule.views]
            caught = with_fault = 0
            if fault is not None and not isinstance(fault, str):
                path = fault.path or recipe.paths("both")
                script = Script(path.start).hold(1.5)
                script.reps(BENCH_FAULT_REPS, path, Tempo.period(fault.period_s)).hold(1.0)
                motion = script.build()
                for view in views:
                    engine = run(recipe.exercise_id, motion, recipe.cameras[view]).engine
                    with_fault += BENCH_FAULT_REPS
                    caught += sum(rule.id in {f.rule_id for f in rep.faults} for rep in engine.reps)
            flagged_good = [rule.id in faults for view in views for faults in good[view]]
            scores.append(
                RuleScore(
                    recipe.exercise_id,
                    rule.id,
                    caught,
                    with_fault,
                    sum(flagged_good),
                    BENCH_GOOD_REPS * len(views),
                    fault if isinstance(fault, str) else "",
                )
            )
    return scores


def report(judged: Sequence[JudgedRep], bench: Sequence[RuleScore], sources: list[str]) -> str:
    exercises = sorted({j.label.exercise for j in judged})
    real = rule_scores(judged, definition_rules(exercises))
    lines = [
        "# Form feedback on labelled real clips",
        "",
        "Written by `make faults` (scripts/faults.py): `coach analyze` on every clip whose "
        "repetitions are labelled good or bad (" + ", ".join(sources) + "), each labelled "
        "rep matched to a counted rep by its turning point (within "
        f"{MATCH_TOLERANCE_S:g} s, and nearer it than any other label). *Sensitivity*: bad "
        "reps labelled with the rule's fault that it flagged; *false alarms*: good reps of "
        "the exercise it flagged; both over the clips filmed from a view the rule is judged "
        "in. The bench columns run the same rule on the synthetic "
        f"bench (tests/bench): {BENCH_FAULT_REPS} reps of the motion showing its fault, and "
        f"{BENCH_GOOD_REPS} good reps, in each view the rule is judged in.",
        "",
        "## In total (real clips)",
        "",
        *totals_lines(Totals.of(judged)),
        "",
        TEMPO_NOTE,
        "",
        "## Per rule",
        "",
        *score_table(real, bench),
        "",
        "## Per repetition",
        "",
        *rep_table(judged),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifests", nargs="*", type=Path, default=DEFAULT_MANIFESTS)
    parser.add_argument("--write", type=Path, help="also write the report to this Markdown file")
    parser.add_argument("--no-bench", action="store_true", help="leave out the synthetic bench")
    parser.add_argument(
        "--cache",
        type=Path,
        default=POSE_CACHE,
        help="keep each clip's poses here and replay the coach on them (default "
        f"{POSE_CACHE.relative_to(ROOT)}/)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run `coach analyze` (the pose model) on every clip instead of cached poses",
    )
    args = parser.parse_args(argv)
    cache = None if args.no_cache else args.cache
    judged: list[JudgedRep] = []
    sources = []
    for manifest in args.manifests:
        if not manifest.is_file():
            print(f"skipping {manifest}: not found", file=sys.stderr)
            continue
        found = judge_manifest(manifest, cache)
        print(f"{manifest}: {len(found)} labelled repetitions", file=sys.stderr)
        if found:
            sources.append(f"`{manifest.parent.name}/{manifest.name}`")
        judged += found
    if not judged:
        print("no labelled repetitions found: nothing to score", file=sys.stderr)
        return 2
    exercises = sorted({j.label.exercise for j in judged})
    bench = [] if args.no_bench else bench_scores(exercises)
    text = report(judged, bench, sources)
    print(text)
    if args.write:
        args.write.write_text(text)
    return 0 if Totals.of(judged).done else 1


if __name__ == "__main__":
    sys.exit(main())
