"""The `coach` command: analyse videos, list and check exercise definitions (and print
their JSON Schema), record a clip's poses and replay a definition on them without the
model, and manage clinic mode's accounts (`coach users`).

Bad input gets one clear line on stderr and a non-zero exit status; `--json` output is
exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coach import __version__
from coach.core.errors import CoachError, DefinitionError
from coach.exercise.loader import (
    DEFAULT_EXERCISES_DIR,
    EXTRA_EXERCISES_ENV,
    ExerciseLibrary,
    load_definition,
)
from coach.vision.video import VIDEO_SUFFIXES, WORKING_MAX_SIDE_PX, probe

if TYPE_CHECKING:
    from coach.engine.thresholds import Prescription
    from coach.exercise.schema import ExerciseDef
    from coach.runtime.analysis import AnalysisResult

EXIT_BAD_INPUT = 2


def _library(args: argparse.Namespace) -> ExerciseLibrary:
    return ExerciseLibrary.from_environment(args.exercises_dir)


class _Progress:
    """A tqdm bar on stderr for videos long enough to need one."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="frame", file=sys.stderr, leave=False)

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _print_summary(result: AnalysisResult) -> None:
    print(
        f"{result.exercise}: {result.rep_count} reps in {result.duration_s:.1f} s "
        f"({result.frames} frames, person seen in {result.frames_with_pose})"
    )
    if result.hold_s:
        print(f"held correctly for {result.hold_s:.1f} s (longest {result.longest_hold_s:.1f} s)")
    for block in result.movement:
        force = block["thresholds"]
        where = "from the plan" if force["prescribed"] else "the library's"
        target = f", full at {force['target']:g}" if force["target"] is not None else ""
        print(
            f"counted on {block['measure']} ({block['view']}, {where}): starts beyond "
            f"{force['start']:g}, counts from {force['turn']:g}{target}"
        )
        for note in force["notes"]:
            print(f"  note: {note}")
    for rep in result.reps:
        rom = ", ".join(f"{k} {v.min_deg:.0f}-{v.max_deg:.0f}" for k, v in rep.angles.items())
        rom += "".join(f", {k} {v.min_deg:.2f}-{v.max_deg:.2f}" for k, v in rep.ratios.items())
        faults = "; ".join(f.cue for f in rep.faults) or "good"
        flag = " (partial)" if rep.partial else ""
        print(
            f"  rep {rep.index} [{rep.side}] {rep.start_s:.1f}-{rep.end_s:.1f} s{flag}: "
            f"{rom} | {faults}"
        )
    for warning in result.warnings:
        print(f"warning: {warning}")


def _report(result: AnalysisResult, as_json: bool) -> None:
    if as_json:
        json.dump(result.to_json(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        _print_summary(result)


def _prescription(
    exercise: ExerciseDef, target: float | None, counts_from: float | None
) -> Prescription | None:
    """`--target` and `--counts-from` as a prescription on the exercise's driving angle
    (`driving_angle`: a ratio driver such as the push-up's hand reach keeps the library's
    thresholds, its angle driver takes the numbers); on the first driver, in its own unit,
    when no driver is an angle. Raises CoachError for a hold (it has no rep to count)."""
    from coach.clinical.plans import driving_angle
    from coach.engine.thresholds import Prescription

    if target is None and counts_from is None:
        return None
    if exercise.reps is None:
        raise CoachError(
            f"{exercise.id} is a timed hold: --target and --counts-from are for counted "
            "exercises only"
        )
    measure = driving_angle(exercise) or exercise.reps.driver
    return Prescription(measure, target=target, counts_from=counts_from)


def cmd_analyze(args: argparse.Namespace) -> int:
    from coach.runtime.analysis import analyze_video

    video = Path(args.video)
    if not video.exists():
        raise CoachError(f"{video}: no such file")
    if video.suffix.lower() not in VIDEO_SUFFIXES:
        known = ", ".join(VIDEO_SUFFIXES)
        raise CoachError(f"{video}: not a video file name (expected one of {known})")
    exercise = _library(args).resolve(args.exercise)
    prescription = _prescription(exercise, args.target, args.counts_from)
    info = probe(video)
    progress = _Progress(enabled=not args.no_progress and info.frames > 150, total=info.frames)
    try:
        result = analyze_video(
            video,
            exercise,
            model=args.model,
            annotated_path=args.annotated,
            mirrored=args.mirrored,
            progress=progress,
            max_side_px=None if args.max_side == 0 else args.max_side,
            quiet_model_start=True,
            trace_path=args.trace,
            prescription=prescription,
        )
    finally:
        progress.close()
    _report(result, args.json)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """A definition re-run on poses saved by `coach record`: no model, seconds not minutes."""
    from coach.runtime.analysis import replay_recording

    exercise = _library(args).resolve(args.exercise)
    result = replay_recording(
        args.poses,
        exercise,
        mirrored=args.mirrored,
        trace_path=args.trace,
        prescription=_prescription(exercise, args.target, args.counts_from),
    )
    _report(result, args.json)
    return 0


def exercise_table(library: ExerciseLibrary) -> str:
    """The shipped exercises as a Markdown table (docs/exercises.md embeds it)."""
    rows = [
        "| id | name | views | counted on | dosage | form rules |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for exercise in library:
        if exercise.reps is not None:
            reps = exercise.reps
            definition = exercise.angles.get(reps.driver) or exercise.ratios.get(reps.driver)
            label = definition.label if definition and definition.label else reps.driver
            target = f", target {reps.target:g}" if reps.target is not None else ""
            counted = f"{label} ({reps.driver}{target})"
            if exercise.side in ("auto", "alternating"):
                counted += f"; sides: {exercise.side}"
        else:
            assert exercise.hold is not None
            counted = "hold: " + ", ".join(
                c.measure
                + " and".join(
                    f" {op} {bound:g}"
                    for op, bound in ((">", c.above), ("<", c.below))
                    if bound is not None
                )
                for c in exercise.hold.conditions
            )
        dose = exercise.dosage
        amount = f"{dose.reps} reps" if dose.reps else (f"{dose.hold_s:g} s" if dose.hold_s else "")
        dosage = f"{dose.sets} x {amount}".strip() + (f", tempo {dose.tempo}" if dose.tempo else "")
        rules = ", ".join(rule.id for rule in exercise.rules) or "-"
        rows.append(
            f"| `{exercise.id}` | {exercise.name} | {', '.join(exercise.views)} | {counted} | "
            f"{dosage} | {rules} |"
        )
    return "\n".join(rows)


def cmd_exercises(args: argparse.Namespace) -> int:
    library = _library(args)
    if args.markdown:
        print(exercise_table(library))
        return 0
    if args.json:
        json.dump(
            [{"id": e.id, "name": e.name, "mode": e.mode, "views": e.views} for e in library],
            sys.stdout,
        )
        sys.stdout.write("\n")
        return 0
    exercises = list(library)
    id_width = max((len(e.id) for e in exercises), default=0)
    name_width = max((len(e.name) for e in exercises), default=0)
    for exercise in exercises:
        name, views = f"{exercise.name:{name_width}s}", "/".join(exercise.views)
        print(f"{exercise.id:{id_width}s}  {name}  {exercise.mode:5s} {views}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            definition = load_definition(file)
        except DefinitionError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
        else:
            print(f"{file}: ok ({definition.id}, {definition.mode})")
    return EXIT_BAD_INPUT if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from coach.exercise.schema import ExerciseDef

    json.dump(ExerciseDef.model_json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    """Save what the model sees in a clip, for replaying the engine without the model."""
    from coach.runtime.analysis import record_poses

    recording = record_poses(
        args.video, model=args.model, max_side_px=args.max_side or None, quiet_model_start=True
    )
    recording.save(args.output)
    print(f"{args.output}: {len(recording)} frames")
    return 0


PASSWORD_ENV = "FORM_COACH_NEW_PASSWORD"


def _new_password(username: str | None) -> str | None:
    """The new account's password: $FORM_COACH_NEW_PASSWORD, else the first line of
    standard input when it is not a terminal, else asked twice on the terminal (never on
    the command line, where other users could read it). Bytes that are not UTF-8 are kept
    as they came, for the password check to refuse by name."""
    if username is None:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        line = sys.stdin.buffer.readline().decode("utf-8", errors="surrogateescape")
        return line.removesuffix("\n").removesuffix("\r")
    import getpass

    first = getpass.getpass(f"password for {username}: ")
    if getpass.getpass("again: ") != first:
        raise CoachError("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    """Clinic mode's accounts: add a clinician or a patient (with a login), list them."""
    from coach.store import Store

    store = Store()
    if args.action == "list":
        names: dict[int | None, str] = {c.id: c.name for c in store.list_clinicians()}
        for clinician_id, name in names.items():
            print(f"clinician {clinician_id}: {name}")
        for patient in store.list_patients():
            owner = names.get(patient.clinician_id, "-")
            print(f"patient {patient.id}: {patient.name} (clinician: {owner})")
        for account in store.list_accounts():
            who = account.clinician_id if account.role == "clinician" else account.patient_id
            print(f"login {account.username}: {account.role} {who}")
        return 0
    from coach.store.records import check_password, check_username

    if args.username:  # refuse a bad login before anything is written
        check_username(args.username)
    password = _new_password(args.username)
    if password is not None:
        check_password(password)
    login = (args.username, password or "") if args.username else None
    if args.action == "add-clinician":
        clinician_id = store.add_clinician(args.name, email=args.email, login=login)
        print(f"clinician {clinician_id}: {args.name}")
        return 0
    patient_id = store.add_patient(
        args.name, clinician_id=args.clinician, login=login, referrer=args.referrer
    )
    print(f"patient {patient_id}: {args.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--exercises-dir",
        type=Path,
        default=DEFAULT_EXERCISES_DIR,
        help="folder of exercise definition files (default: the shipped library); the "
        f"folders named by ${EXTRA_EXERCISES_ENV} are added to it",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="count reps and check form in a video")
    analyze.add_argument("video", help="mp4, mov, webm, avi, mkv or gif")
    analyze.add_argument("--annotated", metavar="OUT.mp4", help="write an annotated H.264 mp4")
    analyze.add_argument("--model", metavar="FILE", help="a pose_landmarker_*.task file")
    analyze.add_argument("--no-progress", action="store_true", help="no progress bar")
    analyze.add_argument(
        "--max-side",
        type=int,
        metavar="PX",
        default=WORKING_MAX_SIDE_PX,
        help="shrink frames whose longer side is larger to PX before the pose model and "
        f"the annotated video (default {WORKING_MAX_SIDE_PX}, at least 64; 0 keeps the "
        "video's own size)",
    )
    analyze.set_defaults(run=cmd_analyze)

    replay = commands.add_parser(
        "replay",
        help="re-run an exercise definition on poses saved by `coach record` (no model)",
    )
    replay.add_argument("poses", type=Path, metavar="POSES.npz", help="made by `coach record`")
    replay.set_defaults(run=cmd_replay)
    for command in (analyze, replay):
        command.add_argument(
            "--exercise",
            required=True,
            metavar="ID_OR_FILE",
            help="an exercise id (see `coach exercises`) or a definition file (.toml)",
        )
        command.add_argument("--json", action="store_true", help="print one JSON object")
        command.add_argument(
            "--mirrored", action="store_true", help="the video (or recording) is mirrored"
        )
        command.add_argument(
            "--trace",
            metavar="OUT.csv",
            type=Path,
            help="write one CSV row per frame: time, view, every measure, phase, reps, faults",
        )
        command.add_argument(
            "--target",
            type=float,
            metavar="DEG",
            help="the patient's range-of-motion target on the driving angle (a plan's "
            "target): a rep reaching it is full. On an exercise that also counts on a ratio "
            "(push-up: hand reach) it moves the angle driver only; with no angle driver, "
            "the value is in the driver's own unit",
        )
        command.add_argument(
            "--counts-from",
            type=float,
            metavar="DEG",
            help="where a rep counts for this patient on the driving angle (the turn threshold)",
        )

    exercises = commands.add_parser("exercises", help="list the exercise definitions")
    exercises.add_argument("--json", action="store_true")
    exercises.add_argument("--markdown", action="store_true", help="a Markdown table")
    exercises.set_defaults(run=cmd_exercises)

    validate = commands.add_parser("validate", help="check exercise definition files")
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(run=cmd_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of a definition file")
    schema.set_defaults(run=cmd_schema)

    record = commands.add_parser("record", help="save the poses of a clip as a .npz fixture")
    record.add_argument("video")
    record.add_argument("output", type=Path)
    record.add_argument("--model", metavar="FILE")
    record.add_argument(
        "--max-side",
        type=int,
        metavar="PX",
        default=WORKING_MAX_SIDE_PX,
        help="shrink frames as `coach analyze` does (default "
        f"{WORKING_MAX_SIDE_PX}; 0 keeps the video's own size)",
    )
    record.set_defaults(run=cmd_record)

    users = commands.add_parser(
        "users",
        help="clinic mode: add clinicians and patients with logins, list them",
        description="Accounts for clinic mode (FORM_COACH_MODE=clinic). The password is "
        f"read from ${PASSWORD_ENV} or asked on the terminal.",
    )
    actions = users.add_subparsers(dest="action", required=True)
    clinician = actions.add_parser("add-clinician", help="a clinician and their login")
    clinician.add_argument("name")
    clinician.add_argument("--username", help="their login (3-64: a-z, 0-9, . _ -)")
    clinician.add_argument("--email")
    patient = actions.add_parser("add-patient", help="a patient, optionally with a login")
    patient.add_argument("name")
    patient.add_argument("--clinician", type=int, help="the id of their clinician")
    patient.add_argument("--username")
    patient.add_argument("--referrer", help="the referring clinician, for the PDF report")
    actions.add_parser("list", help="clinicians, patients and logins")
    users.set_defaults(run=cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader stopped early (`coach exercises --markdown | head`): nothing is wrong,
        # and the rest of the output has nowhere to go, at exit either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except DefinitionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CoachError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
