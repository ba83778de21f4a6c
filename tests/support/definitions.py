"""A small valid exercise definition the definition tests edit one mistake at a time."""

from __future__ import annotations

VALID = """\
id = "mini_squat"
name = "Mini squat"
instructions = ["Stand side-on to the camera.", "Bend your knees a little, then stand up."]
views = ["side", "front"]
mode = "reps"

[angles.knee_flexion]
type = "flexion"
points = ["hip", "knee", "ankle"]
plane = "sagittal"

[angles.trunk_lean]
type = "segment_vertical"
points = ["mid_hip", "mid_shoulder"]

[reps]
driver = "knee_flexion"
start = { name = "standing", below = 35 }
turn = { name = "bottom", above = 60 }

[[rules]]
id = "trunk_lean"
measure = "trunk_lean"
when = "turn"
fault_above = 55
cue = "Keep your chest up"

[[rules]]
id = "too_fast"
measure = "rep_duration_s"
when = "rep"
fault_below = 1.2
cue = "Slow down"
"""
