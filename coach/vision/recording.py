"""Recorded pose sequences: what the model saw in a clip, saved as a small `.npz`.

Recordings let the engine be tested on real motion without running the model: the
fixtures under tests/fixtures were recorded from the shared clips with `coach record`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.core.landmarks import NUM_LANDMARKS
from coach.core.pose import Pose

MAX_PEOPLE = 2


@dataclass(frozen=True)
class PoseRecording:
    """Per frame: the time and up to `MAX_PEOPLE` poses, largest first."""

    t_s: np.ndarray  # (N,)
    frame_wh: tuple[int, int]
    image_xyz: np.ndarray  # (N, P, 33, 3), NaN where nobody
    world_xyz: np.ndarray  # (N, P, 33, 3)
    visibility: np.ndarray  # (N, P, 33)
    people: np.ndarray  # (N,) how many poses the model returned
    meta: dict[str, str]

    def __len__(self) -> int:
        return len(self.t_s)

    def frames(self) -> Iterator[list[Pose]]:
        """The poses of each frame, as the estimator returned them."""
        for i, t in enumerate(self.t_s):
            yield [
                Pose(
                    self.image_xyz[i, p],
                    self.world_xyz[i, p],
                    self.visibility[i, p],
                    float(t),
                    self.frame_wh,
                )
                for p in range(int(self.people[i]))
            ]

    @classmethod
    def from_frames(
        cls,
        frames: Sequence[tuple[float, list[Pose]]],
        frame_wh: tuple[int, int],
        meta: dict[str, str] | None = None,
    ) -> PoseRecording:
        n = len(frames)
        image = np.full((n, MAX_PEOPLE, NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
        world = np.full_like(image, np.nan)
        visibility = np.zeros((n, MAX_PEOPLE, NUM_LANDMARKS), dtype=np.float32)
        people = np.zeros(n, dtype=np.int8)
        for i, (_, poses) in enumerate(frames):
            kept = [p for p in poses if not p.is_empty][:MAX_PEOPLE]
            people[i] = len(kept)
            for p, pose in enumerate(kept):
                image[i, p] = pose.image_xyz
                world[i, p] = pose.world_xyz
                visibility[i, p] = pose.visibility
        t_s = np.array([t for t, _ in frames], dtype=np.float64)
        return cls(t_s, frame_wh, image, world, visibility, people, dict(meta or {}))

    def save(self, path: str | Path) -> None:
        """Compressed, with coordinates as float16: 0.5 mm in the world and under a pixel
        in the image, far below the model's own jitter, at a quarter of the size."""
        np.savez_compressed(
            path,
            t_s=self.t_s,
            frame_wh=np.array(self.frame_wh, dtype=np.int32),
            image_xyz=self.image_xyz.astype(np.float16),
            world_xyz=self.world_xyz.astype(np.float16),
            visibility=self.visibility.astype(np.float16),
            people=self.people,
            meta=np.array(json.dumps(self.meta)),
        )

    @classmethod
    def load(cls, path: str | Path) -> PoseRecording:
        with np.load(path, allow_pickle=False) as data:
            width, height = (int(v) for v in data["frame_wh"])
            return cls(
                t_s=data["t_s"],
                frame_wh=(width, height),
                image_xyz=data["image_xyz"].astype(np.float64),
                world_xyz=data["world_xyz"].astype(np.float64),
                visibility=data["visibility"].astype(np.float64),
                people=data["people"],
                meta=json.loads(str(data["meta"])),
            )
