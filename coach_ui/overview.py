"""The physio's patient list: one row per patient with this week's adherence, the latest
pain and the recent pain flags (coach.clinical.progress.recent_pain_flags); and how a
session's pain before and after is written.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from coach.auth.access import Principal, visible_patient_ids
from coach.clinical.plans import week_start, weekly_adherence
from coach.clinical.progress import FLAG_DAYS, exercise_name, recent_pain_flags
from coach.exercise.loader import ExerciseLibrary
from coach.store import Store
from coach.store.records import SessionRecord
from coach_ui.ratings import NOT_RATED


def pain_text(s: SessionRecord | None) -> str:
    """Pain before and after a session as "2 -> 4" ("not rated" for a rating not given, "-"
    for neither)."""
    if s is None or (s.pain_before is None and s.pain_after is None):
        return "-"

    def show(v: int | None) -> str:
        return NOT_RATED.lower() if v is None else str(v)

    return f"{show(s.pain_before)} -> {show(s.pain_after)}"


def patient_overview(
    store: Store, principal: Principal, day: date, library: ExerciseLibrary
) -> pd.DataFrame:
    """One row per patient the user may see: adherence this week, latest pain, flags."""
    rows = []
    for patient_id in visible_patient_ids(store, principal):
        patient = store.get_patient(patient_id)
        plan = store.current_plan(patient_id)
        since = min(week_start(day), day - timedelta(days=FLAG_DAYS))  # this week, the flags'
        sessions = store.sessions(patient_id, date_from=since)
        adherence = weekly_adherence(plan, sessions, day)
        latest = sessions[-1] if sessions else None
        flagged = recent_pain_flags(sessions, day)
        rows.append(
            {
                "Id": patient.id,
                "Patient": patient.name,
                "This week": adherence.text(),
                "Adherence": None
                if adherence.fraction is None
                else round(100 * adherence.fraction),
                "Last session": latest.day if latest else None,
                "Last exercise": exercise_name(library, latest.exercise_id) if latest else "",
                "Pain before -> after": pain_text(latest),
                FLAGS_COLUMN: len(flagged),
                "Latest flag": flagged[-1].summary if flagged else "",
            }
        )
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


FLAGS_COLUMN = f"Pain flags ({FLAG_DAYS} days)"
OVERVIEW_COLUMNS = [
    "Id",
    "Patient",
    "This week",
    "Adherence",
    "Last session",
    "Last exercise",
    "Pain before -> after",
    FLAGS_COLUMN,
    "Latest flag",
]
