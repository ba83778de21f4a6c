"""Helpers for the Assessment page and the assessment trends on Patient progress.

Chart builders are plain functions over coach.assessment.summary's rows (testable without
a browser); `show_trends` renders the progress page's section. coach/ never imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import streamlit as st

from coach.assessment import load_measures
from coach.assessment.goniometer import RomMeasure
from coach.assessment.live import AssessmentSession
from coach.assessment.summary import TEST_LABELS, trend_rows
from coach.assessment.tasks import AssessmentResult
from coach.store import Store
from coach.store.records import Patient
from coach_ui.charts import normal_range_band
from coach_ui.live_stream import end_streams

RUNNING_KEY = "assessment_session"


@dataclass
class Running:
    """The assessment under way on the page (in `st.session_state`), and what was saved."""

    session: AssessmentSession
    kind: str
    measure: str | None  # the goniometer measure, for range of motion
    label: str
    saved: list[str] = field(default_factory=list)  # what was said on saving
    stored: list[AssessmentResult] = field(default_factory=list)  # never saved twice

    def close(self) -> None:
        """End the browser's landmark stream and release the pose model (called when the
        session state is forgotten, and when the page drops the assessment)."""
        end_streams(self.session)
        self.session.close()


def stop_running() -> None:
    """Drop the assessment under way (a button's callback): its stream and model end."""
    running = st.session_state.pop(RUNNING_KEY, None)
    if running is not None:
        running.close()


@st.cache_resource
def measures() -> dict[str, RomMeasure]:
    """The goniometer's measures: read-only, one copy for every session."""
    return load_measures()


def trend_chart(rows: list[dict], kind: str, measure: str) -> alt.LayerChart | None:
    """One measure over time, per side, over its normal range (grey band, range of motion)
    or with its threshold (red line, functional tests)."""
    mine = [r for r in rows if r["kind"] == kind and r["measure"] == measure]
    if not mine:
        return None
    first = mine[0]
    unit = {"deg": "°", "s": "s", "{stands}": "stands"}[first["unit"]]
    layers: list[alt.Chart] = []
    if first["normal_high"] is not None:
        layers.append(normal_range_band(first["normal_low"], first["normal_high"]))
    thresholds = {(r["threshold"], r["threshold_label"]) for r in mine if r["threshold"]}
    if thresholds:
        line = pd.DataFrame([{"y": y, "what": label} for y, label in sorted(thresholds)])
        layers.append(
            alt.Chart(line)
            .mark_rule(color="#e53935", strokeDash=[6, 4])
            .encode(y="y:Q", tooltip=alt.Tooltip("what:N", title="Threshold"))
        )
    data = pd.DataFrame(mine)
    layers.append(
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("taken_at:T", title="Measured", axis=alt.Axis(format="%d %b")),
            y=alt.Y("value:Q", title=f"{first['label']} ({unit})"),
            color=alt.Color("side:N", title="Side"),
            tooltip=[
                alt.Tooltip("taken_at:T", title="When", format="%d %b %Y %H:%M"),
                alt.Tooltip("side:N"),
                alt.Tooltip("value:Q", format=".1f", title=unit),
            ],
        )
    )
    return alt.layer(*layers).properties(title=first["label"], height=220)


def show_trends(store: Store, patient: Patient) -> None:
    """The Patient progress section: range of motion per measure and side against the
    normal range, then the functional tests with their thresholds."""
    st.subheader("Assessments")
    rows = trend_rows(store.assessments(patient.id), measures())
    if not rows:
        st.caption("No assessments yet: measure on the **Assessment** page.")
        return
    charts = [
        trend_chart(rows, kind, measure)
        for kind, measure in dict.fromkeys((r["kind"], r["measure"]) for r in rows)
    ]
    columns = st.columns(2)
    for i, chart in enumerate(c for c in charts if c is not None):
        columns[i % 2].altair_chart(chart, width="stretch")
    st.caption(
        "Range of motion: the stable peak held for a second, by markerless video "
        "pose estimation (about 5-7° error side-on); grey band, the normal adult "
        "range. Red dashed lines: "
        + ", ".join(
            f"{TEST_LABELS[k].split(' (')[0]}" for k in ("chair_stand_30s", "timed_up_and_go")
        )
        + " thresholds (CDC STEADI)."
    )
