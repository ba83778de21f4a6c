"""The patient's app process in the two-process telehealth test: a shared live coaching
session on a PostgreSQL room bus, its poses played from a recording (standing in for the
webcam). Says `ready` on stdout once its control room listens, waits for a line on stdin
(the watcher has subscribed), plays the recording, waits (up to a minute) for the
watcher's message to reach its page's state, stops sharing (the end message), and prints
what it did as one JSON object.

Usage: python -m tests.support.telehealth_patient DATABASE_URL SESSION_ID
"""

from __future__ import annotations

import json
import sys
import time

from coach.exercise.loader import ExerciseLibrary
from coach.runtime.guided import SetPlan
from coach.runtime.live import LiveCoach
from coach.runtime.room_bus_postgres import PostgresRoomBus
from coach.runtime.telehealth import Telecast
from tests.support.live import RecordedEstimator, play

DEADLINE_S = 60.0


def main(argv: list[str]) -> int:
    url, session_id = argv[0], int(argv[1])
    bus = PostgresRoomBus(url)
    try:
        estimator = RecordedEstimator("squat_side_studio")
        coach = LiveCoach(
            ExerciseLibrary().get("squat"),
            SetPlan(sets=1, reps=20),
            estimator_factory=lambda: estimator,
        )
        telecast = Telecast(bus, session_id)
        coach.share(telecast)
        print("ready", flush=True)
        sys.stdin.readline()
        play(coach, estimator.recording)
        deadline = time.monotonic() + DEADLINE_S
        while telecast.status().message is None and time.monotonic() < deadline:
            telecast.controls()  # what the frame loop does between frames
            time.sleep(0.01)
        telecast.stop()
        print(
            json.dumps(
                {
                    "published": telecast.published,
                    "reps": len(coach.snapshot().reps),
                    "message": telecast.status().message,
                }
            ),
            flush=True,
        )
    finally:
        bus.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
