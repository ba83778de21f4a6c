"""scripts/robustness.py: the variants it films, how it scores them, and its page."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from coach.vision.video import probe
from scripts.accuracy import Row
from scripts.robustness import VARIANTS, kept_findings, render, report, summarise


def row(kind: str, expected: tuple[int, int], true_reps: int, counted: int, **kw) -> Row:
    return Row(
        "a.mp4", "videos", "squat", kind, expected, true_reps, counted, None, None, 0.0, **kw
    )


def test_the_lower_frame_rate_never_adds_frames_to_a_slower_clip():
    assert VARIANTS["fps15"].filter(30.0) == "fps=15"
    assert VARIANTS["fps15"].filter(5.0) == "null"


def test_the_original_shares_the_pose_cache_key_of_the_clip_itself():
    """Its recipe is empty, so its poses are the clip's (scripts/faults.py's key)."""
    assert VARIANTS["original"].recipe(30.0) == ""
    assert VARIANTS["mirrored"].recipe(30.0) == "mirrored:hflip"


def test_summary_counts_like_the_accuracy_page():
    rows = [
        row("reps", (3, 3), 3, 3),
        row("reps", (4, 5), 5, 3),  # outside the range, 2 off the true count
        row("probe", (0, 0), 0, 1),  # a false rep
        row("reps", (2, 2), 2, 2, in_time=1),  # one counted rep out of time
    ]
    s = summarise(rows)
    assert (s.within, s.runs) == (2, 4)  # the count of the last is in range, if not in time
    assert s.mae == pytest.approx(2 / 3)
    assert (s.false_reps, s.zero_runs) == (1, 1)
    assert (s.out_of_time, s.timed_reps) == (1, 2)
    assert s.hold_error_s is None


def test_summary_gives_the_worst_hold_time_outside_its_range():
    hold = Row("p.mp4", "videos", "plank", "hold", (0, 0), 0, 0, 13.0, (11.0, 12.4), 0.0)
    assert summarise([hold]).hold_error_s == pytest.approx(0.6)
    assert "(**13.0 s**)" in report({"original": [hold]})


def test_report_puts_each_variant_beside_the_original():
    table = report(
        {"original": [row("reps", (3, 3), 3, 3)], "mirrored": [row("reps", (3, 3), 3, 2)]}
    )
    assert "| original | 1/1 (100%) | 0.00 | 0 over 0 runs | 0 of 0 |  |" in table
    assert "| mirrored | 0/1 (0%) | 1.00 |" in table
    assert "| a.mp4 | videos | squat | reps | 3 | 3 | **2** |" in table


def test_hand_written_findings_survive_a_rewrite(tmp_path):
    page = tmp_path / "robustness.md"
    assert kept_findings(page) == ""
    page.write_text("# tables\n| a |\n\n## Findings\n\nWhy a rep was lost.\n")
    assert kept_findings(page) == "\n## Findings\n\nWhy a rep was lost.\n"


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
@pytest.mark.parametrize(
    ("name", "size", "frames"),
    [
        ("mirrored", (160, 120), 30),
        ("fps15", (160, 120), 15),
        ("half_size", (80, 60), 30),
        ("low_off_centre", (240, 156), 30),
    ],
)
def test_variants_are_written_as_described(tmp_path, name, size, frames):
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=1",
         "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    out = tmp_path / "variant.mp4"
    render(VARIANTS[name], 30.0)(clip, out)
    info = probe(out)
    assert (info.width, info.height) == size
    assert info.frames == frames
