"""The numbers behind the progress views: the pain flags the patient list counts."""

from __future__ import annotations

from datetime import date, timedelta

from coach.clinical.progress import FLAG_DAYS, recent_pain_flags
from tests.support.records import session

MONDAY = date(2026, 11, 23)


def test_the_patient_list_counts_the_flags_of_the_last_two_weeks_whatever_the_weekday():
    day = MONDAY  # the start of a week: last week's sessions still count
    painful = [session(day - timedelta(days=n), sid=n, pain=(1, 6)) for n in (0, 9, FLAG_DAYS)]
    older = session(day - timedelta(days=FLAG_DAYS + 1), sid=99, pain=(1, 6))
    calm = session(day - timedelta(days=3), sid=50, pain=(2, 2))
    flags = recent_pain_flags([older, *painful, calm], day)
    assert len(flags) == 3
    assert all("pain rose 5 points" in f.summary for f in flags)
