"""Choosing the one cue to show (and speak) now: prioritised and rate-limited.

A patient can act on one short instruction at a time. Positioning guidance comes first
(nothing can be judged until it is fixed), then major faults, minor faults, information,
and praise. A new cue waits `min_gap_s` after the last one, and the same words are not
said again within `repeat_after_s`, so the coach never nags. A cue's `t_s` is when it was
said: the app speaks a cue when it sees a new one, and guidance that flickers back is
shown again under its old time, so it is not spoken twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.engine.results import Cue, CueKind

_SEVERITY_RANK = {"info": 1, "minor": 2, "major": 3}
_GUIDANCE_RANK = 10


def priority(cue: Cue) -> int:
    if cue.kind is CueKind.GUIDANCE:
        return _GUIDANCE_RANK
    if cue.kind is CueKind.PRAISE:
        return 0
    return _SEVERITY_RANK[cue.severity]


@dataclass
class CueCoach:
    min_gap_s: float = 2.0
    repeat_after_s: float = 8.0
    show_s: float = 3.0
    current: Cue | None = None
    _said: dict[str, Cue] = field(default_factory=dict)
    _last_said_t_s: float = -1e9

    def update(self, candidates: list[Cue], t_s: float) -> Cue | None:
        """The cue to show at `t_s`, given the cues the engine would like to give now."""
        self._expire({c.text for c in candidates if c.kind is CueKind.GUIDANCE}, t_s)
        for cue in sorted(candidates, key=priority, reverse=True):
            if self.current is not None and priority(cue) <= priority(self.current):
                break
            said = self._said.get(cue.text)
            recently_said = said is not None and t_s - said.t_s < self.repeat_after_s
            if cue.kind is CueKind.GUIDANCE:
                self.current = said if recently_said else self._say(cue, t_s)
                break
            if recently_said:
                continue
            if t_s - self._last_said_t_s >= self.min_gap_s:
                self.current = self._say(cue, t_s)
            break
        return self.current

    def _expire(self, guidance_needed: set[str], t_s: float) -> None:
        if self.current is None:
            return
        if self.current.kind is CueKind.GUIDANCE:
            if self.current.text not in guidance_needed:
                self.current = None  # the patient fixed it: stop telling them
        elif t_s - self.current.t_s >= self.show_s:
            self.current = None

    def _say(self, cue: Cue, t_s: float) -> Cue:
        said = Cue(cue.text, cue.kind, cue.severity, t_s)
        self._said[cue.text] = said
        self._last_said_t_s = t_s
        return said
