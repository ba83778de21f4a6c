"""The Session page's set replay: a stored set's landmarks as a moving skeleton beside the
driving angle over time (coach_ui/components/skeleton_replay), and the compact JSON the
component draws from.

The angle is what the coach's replay path computed from the stored poses
(`coach.reports.review.replay_set`); this module only shapes it for the browser.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import streamlit.components.v1 as components

from coach.core.landmarks import SKELETON_EDGES
from coach.reports.review import SetReplay

_component = components.declare_component(
    "form_coach_skeleton_replay",
    path=str(resources.files("coach_ui") / "components" / "skeleton_replay"),
)
COORDINATE_SCALE = 1000  # landmarks sent as thousandths of the frame: well under a pixel


@dataclass(frozen=True)
class RepMark:
    """A rep to mark on the chart (a stored one, or one of a re-score)."""

    label: str
    start_s: float
    turn_s: float | None
    end_s: float
    partial: bool


@dataclass(frozen=True)
class FaultMark:
    t_s: float
    cue: str
    severity: str


def _rounded(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 1)


def replay_json(
    replay: SetReplay,
    measure: str | None,
    label: str,
    reps: Sequence[RepMark],
    faults: Sequence[FaultMark],
) -> str:
    """The component's data, compact: times in ms from the set's first frame, each frame's
    33 image landmarks as whole thousandths of the frame (null: nobody), the angle per
    frame to 0.1 degree, the thresholds in force, the reps and the faults in the set."""
    recording, result = replay.recording, replay.result
    t0 = float(recording.t_s[0])

    def ms(t_s: float) -> int:
        return round((t_s - t0) * 1000)

    xy = np.rint(recording.image_xyz[:, 0, :, :2] * COORDINATE_SCALE)
    frames: list[list[int] | None] = [
        None if n == 0 else [int(v) for v in xy[i].ravel()]
        for i, n in enumerate(recording.people.tolist())
    ]
    values = result.series.get(measure, []) if measure else []
    thresholds = next(
        (m["thresholds"] for m in result.movement if m.get("measure") == measure), None
    )
    end = float(recording.t_s[-1])
    payload: dict[str, Any] = {
        "t": [ms(t) for t in recording.t_s.tolist()],
        "wh": list(recording.frame_wh),
        "edges": [list(edge) for edge in SKELETON_EDGES],
        "joints": sorted({i for edge in SKELETON_EDGES for i in edge}),
        "xy": frames,
        "angle": {
            "label": label,
            "values": [_rounded(v) for v in values] or [None] * len(recording),
            "target": thresholds.get("target") if thresholds else None,
            "counts_from": thresholds.get("turn") if thresholds else None,
        },
        "reps": [
            {
                "label": r.label,
                "start": ms(r.start_s),
                "turn": ms(r.turn_s if r.turn_s is not None else (r.start_s + r.end_s) / 2),
                "end": ms(r.end_s),
                "partial": r.partial,
            }
            for r in reps
        ],
        "faults": [
            {"t": ms(f.t_s), "cue": f.cue, "severity": f.severity}
            for f in faults
            if t0 <= f.t_s <= end
        ],
    }
    return json.dumps(payload, separators=(",", ":"))


def skeleton_replay(data: str, *, key: str) -> None:
    """Show the replay component for `replay_json`'s data."""
    _component(replay=data, key=key, default=None)
