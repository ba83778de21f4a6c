"""The analyse page (coach_ui/views/analyse.py) under Streamlit's AppTest, and its helpers.

AppTest runs the page's script in this process without a browser. It does not load media
over HTTP, so it cannot see the /media bug that breaks `st.video` (tests/e2e does).
The patient's video goes through the app's upload route into its inbox, and the page claims
it from the upload control's value (coach_ui/uploads.py): `tests.support.uploads` does what
the browser does, so uploads are tested through the real page (the control itself in
tests/e2e/test_browser_upload.py).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from coach.engine.results import AngleStats, Fault, Rep
from coach.runtime.analysis import AnalysisResult, analyze_video
from coach_ui import analysis
from tests.conftest import ROOT, SAMPLE_VIDEOS
from tests.support.builders import write_empty_room
from tests.support.uploads import send_upload

APP = ROOT / "coach_ui" / "views" / "analyse.py"
DEFAULT_CLIP = SAMPLE_VIDEOS / analysis.DEFAULT_SAMPLE
# One analysis of an 18 s clip takes about 35 s on 2 cores; leave room for a busy machine.
ANALYSE_TIMEOUT_S = 600


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def metric_value(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    next(r for r in at.radio if r.label == "Video").set_value("My own video").run()
    assert_no_exception(at)
    send_upload(at, name, data)
    at.run()
    assert_no_exception(at)
    return at


# ---- the page without analysing ---------------------------------------------------------
def test_page_renders_with_title_summary_and_first_run_hint():
    at = new_app().run()
    assert_no_exception(at)
    assert [t.value for t in at.title] == ["Analyse a video"]
    assert any("counts your repetitions" in m.value for m in at.markdown)
    assert any("First time here?" in i.value for i in at.info)
    assert button(at, "Analyse") is not None
    assert [c.label for c in at.checkbox] == ["Mirrored video"]
    assert at.checkbox[0].value is False


def test_exercise_selectbox_lists_the_library_by_name(library):
    at = new_app().run()
    exercise = at.selectbox(key="exercise")
    assert exercise.options == [e.name for e in library]
    assert exercise.value in library.ids()


def test_sample_list_comes_from_the_folder():
    clips = analysis.list_samples()
    if not clips:
        pytest.skip(f"{SAMPLE_VIDEOS} holds no clips")
    at = new_app().run()
    sample = at.selectbox(key="sample")
    assert sample.options == [p.name for p in clips]
    assert "ATTRIBUTION.md" not in sample.options
    if DEFAULT_CLIP.is_file():
        assert sample.value == DEFAULT_CLIP.name
        assert at.selectbox(key="exercise").value == "squat"


def test_without_sample_clips_the_page_asks_for_an_upload(monkeypatch, tmp_path):
    """An installed app has no sample clips: the page does not promise one."""
    monkeypatch.setattr(analysis, "SAMPLE_DIR", tmp_path)
    at = new_app().run()
    assert_no_exception(at)
    assert not any("sample clip" in box.value for box in [*at.info, *at.warning])
    assert any("Upload a video of yourself" in box.value for box in at.info)
    assert not at.radio  # no choice to make: upload only
    controls = [c.proto.component_name for c in at.get("component_instance")]
    assert controls == ["coach_ui.upload_control.form_coach_video_upload"]  # the upload control
    assert button(at, "Analyse").disabled  # nothing to analyse yet


def test_a_garbage_upload_shows_an_error_not_a_traceback():
    at = upload(new_app().run(), "holiday.mp4", b"this is not a video\n" * 500)
    button(at, "Analyse").click().run()
    assert_no_exception(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    # The VideoError message, naming the patient's file rather than our temporary copy.
    assert "could not be analysed" in errors[0]
    assert "holiday.mp4" in errors[0]
    assert "not a readable video" in errors[0]
    assert not at.metric


# ---- analysing (runs the pose model) ----------------------------------------------------
@pytest.mark.model
def test_analysing_the_default_sample_matches_analyze_video(library, monkeypatch):
    if not DEFAULT_CLIP.is_file():
        pytest.skip(f"the default sample clip {DEFAULT_CLIP} is not there (yet)")
    exercise_id = analysis.guess_exercise(DEFAULT_CLIP.name, library.ids())
    expected = analyze_video(DEFAULT_CLIP, library.get(exercise_id)).rep_count

    at = new_app().run()
    assert at.selectbox(key="exercise").value == exercise_id
    button(at, "Analyse").click().run(timeout=ANALYSE_TIMEOUT_S)
    assert_no_exception(at)
    assert not at.error
    assert int(metric_value(at, "Reps")) == expected
    if expected:
        table = at.dataframe[0].value
        assert len(table) == expected
        assert list(table["Rep"]) == list(range(1, expected + 1))
        assert list(table.columns) == analysis.REP_COLUMNS
    else:
        assert not at.dataframe

    # Reruns reuse the session's cached result: analysing again would fail here.
    def no_second_analysis(*args, **kwargs):
        raise AssertionError("analyze_video ran again for an analysed (clip, exercise, mirror)")

    monkeypatch.setattr(analysis, "analyze_video", no_second_analysis)
    at.checkbox(key="mirrored").check().run()  # a different key: not analysed yet
    assert not at.metric
    assert any("Press **Analyse**" in c.value for c in at.caption)
    at.checkbox(key="mirrored").uncheck().run()  # back to the analysed one, from the cache
    assert_no_exception(at)
    assert int(metric_value(at, "Reps")) == expected


@pytest.mark.model
def test_a_video_with_nobody_in_it_gives_zero_reps_and_a_warning(tmp_path):
    empty = tmp_path / "empty_room.mp4"
    at = upload(new_app().run(), empty.name, write_empty_room(empty))
    button(at, "Analyse").click().run(timeout=ANALYSE_TIMEOUT_S)
    assert_no_exception(at)
    assert not at.error
    assert metric_value(at, "Reps") == "0"
    assert any("Nobody was detected" in w.value for w in at.warning)


# ---- helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("squat_half_front_cdc.mp4", "squat"),
        ("squat.webm", "squat"),
        ("pushup_wall_side.mp4", "push_up"),  # "pushup" is how clip names spell push_up
        ("push_up_knees.mp4", "push_up"),
        ("bicep_curl_left.mov", "bicep_curl"),
        ("plank-front.gif", "plank"),
        ("glute_bridge_side.mp4", "glute_bridge"),
        ("yoga_flow.mp4", "bicep_curl"),  # no match: the first id
        ("squatting_dog.mp4", "bicep_curl"),  # a prefix must be whole words
    ],
)
def test_guess_exercise_from_the_clip_name(library, file_name, expected):
    assert analysis.guess_exercise(file_name, library.ids()) == expected


def test_list_samples_skips_non_videos_and_handles_missing_folders(tmp_path):
    for name in ("b.webm", "a.mp4", "ATTRIBUTION.md", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in analysis.list_samples(tmp_path)] == ["a.mp4", "b.webm"]
    assert analysis.list_samples(tmp_path / "missing") == []


def test_session_workdirs_are_private():
    one, two = analysis.SessionWorkdir(), analysis.SessionWorkdir()
    assert one.path != two.path and one.path.is_dir() and two.path.is_dir()
    assert one.annotated_path("ab" * 32, "squat", True).parent == one.path
    assert one.annotated_path("ab" * 32, "squat", True) != one.annotated_path(
        "ab" * 32, "squat", False
    )
    path = one.path
    del one
    assert not path.exists()  # deleted with the session's state


def _result(exercise_id: str, reps: list[Rep]) -> AnalysisResult:
    t = [i / 10 for i in range(60)]
    knee = [float(60 + 40 * np.sin(x)) for x in t]
    knee[5] = float("nan")  # an unseen frame
    return AnalysisResult(
        exercise=exercise_id,
        video="clip.mp4",
        frames=60,
        fps=10.0,
        duration_s=6.0,
        frames_with_pose=60,
        reps=reps,
        hold_s=0.0,
        longest_hold_s=0.0,
        views={"side": 60},
        warnings=[],
        t_s=t,
        series={"knee_flexion": knee, "hip_flexion": knee, "trunk_lean": knee, "knee_width": knee},
    )


def _rep(index: int, side: str, partial: bool = False, faults: tuple[Fault, ...] = ()) -> Rep:
    stats = {"knee_flexion": AngleStats(10.0, 95.04, 95.0), "hip_flexion": AngleStats(5, 80, 80)}
    return Rep(index, side, 1.0 * index, 1.5 * index, 2.0 * index, stats, partial, faults)


def test_rep_table_shows_timing_range_of_motion_and_cues(library):
    squat = library.get("squat")
    fault = Fault("trunk_lean", "Keep your chest up", "minor", 1.2, 60.0)
    result = _result("squat", [_rep(1, "both", faults=(fault, fault)), _rep(2, "both", True)])
    table = analysis.rep_table(result, squat)
    assert list(table["Rep"]) == [1, 2]
    assert list(table["Partial"]) == [False, True]
    assert analysis.rom_angle(squat, result.view) == "knee_flexion"  # the rep driver
    assert table.loc[0, "Least (°)"] == 10.0
    assert table.loc[0, "Most (°)"] == 95.0
    assert table.loc[0, "Range (°)"] == 85.0
    assert table.loc[0, "Form tips"] == "Keep your chest up"  # each cue once
    assert table.loc[1, "Form tips"] == "Good rep"
    assert analysis.rep_table(_result("squat", []), squat).empty


@pytest.mark.parametrize(
    ("sides", "shown"),
    [
        (["both"], {}),
        (["left", "left", "right"], {"left": 2, "right": 1}),
        (["right", "right"], {"left": 0, "right": 2}),
        # One two-arm curl among one-arm ones: "left 0, right 2" beside "3 reps" would not
        # add up, so no per-side figures at all.
        (["both", "right", "right"], {}),
    ],
)
def test_reps_by_side_only_when_they_add_up_to_the_total(sides, shown):
    result = _result("bicep_curl", [_rep(i + 1, side) for i, side in enumerate(sides)])
    counts = analysis.reps_by_side(result)
    assert counts == shown
    assert not counts or sum(counts.values()) == len(sides)


def test_chart_plots_the_driver_with_its_target_and_the_reps(library):
    squat = library.get("squat")
    chart = analysis.measure_chart(_result("squat", [_rep(1, "both"), _rep(2, "both")]), squat)
    spec = chart.to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "line", "rule", "text"]  # rep bands, driver, target, its label
    assert spec["title"] == "Knee bend over time"
    assert spec["layer"][1]["encoding"]["y"]["title"] == "Knee bend (°)"
    plank = library.get("plank")
    hold = analysis.measure_chart(_result("plank", []), plank)
    assert hold is None  # the plank's measures are not in this synthetic series


def test_sample_credits_are_read_from_the_attribution_file(tmp_path):
    (tmp_path / "ATTRIBUTION.md").write_text(
        "# Credits\n\n## clip.mp4\n- Credit: Someone, via Somewhere\n- Licence: CC BY 4.0\n"
        "- Exercise / view: squat\n\n## other.webm\n- Source: nowhere\n"
    )
    assert analysis.sample_credits(tmp_path) == {
        "clip.mp4": "Someone, via Somewhere (licence: CC BY 4.0)"
    }
    assert analysis.sample_credits(tmp_path / "missing") == {}


def test_the_ui_package_is_not_imported_by_the_coach_package():
    for path in (ROOT / "coach").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text, path
        assert not re.search(r"^\s*(from ui[ .]|import ui\b)", text, re.MULTILINE), path


def test_push_up_table_uses_an_angle_though_reps_are_counted_on_a_ratio(library):
    push_up = library.get("push_up")
    assert analysis.chart_measure(push_up, "side") == ("hand_reach", 0.55)  # a ratio
    assert analysis.rom_angle(push_up, "side") == "elbow_flexion"  # the front-view driver
    assert analysis.measure_label(push_up, "hand_reach") == push_up.ratios["hand_reach"].label
    assert analysis.chart_measure(library.get("plank"), None) == ("body_tilt", None)
