"""Rep definitions the counter tests share."""

from __future__ import annotations

from coach.exercise.schema import PhaseDef, RepsDef


def falling(**overrides) -> RepsDef:
    """Push-up-like: hand reach starts above 0.82 (arms straight), turns below 0.7."""
    fields = {
        "driver": "hand_reach",
        "start": PhaseDef(name="arms straight", above=0.82),
        "turn": PhaseDef(name="bottom", below=0.7),
        "min_range": 0.2,
        "min_rep_s": 0.5,
        "max_rep_s": 20,
    }
    return RepsDef(**{**fields, **overrides})
