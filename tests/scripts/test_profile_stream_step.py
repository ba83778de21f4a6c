"""The stream step's profiler: it times and samples the live coach's frame step, and the
shares it reports are of the library's functions."""

from __future__ import annotations

import json

from scripts.profile_stream_step import main


def test_the_profile_names_the_frame_step_and_its_costs(capsys):
    assert main(["--frames", "240", "--runs", "1", "--interval-ms", "0.2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["frames"] == 240
    assert result["decode_us_per_frame"] > 0 and result["step_us_per_frame"] > 0
    inclusive = result["inclusive_share"]
    assert result["samples"] > 0 and inclusive
    assert all(name.startswith("coach/") for name in inclusive)  # the library only
    assert all(0.0 < share <= 1.0 for share in inclusive.values())
    # The frame step's entry point holds at least as many samples as anything it calls.
    assert inclusive["coach/runtime/live.py:LiveCoach.process_poses"] == max(inclusive.values())
