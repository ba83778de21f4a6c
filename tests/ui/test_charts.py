"""Every progress chart, drawn with one session, many sessions and extreme values: its
time axis is labelled with the data's days (never milliseconds or "01 Jan" of another
year), and every point lies inside the axes' domains."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from coach.clinical import progress
from coach.engine.thresholds import Thresholds
from coach.store.records import Goal
from coach_ui import charts
from tests.support.records import CHART_CASES, chart_sessions, goal_scores

MAX_TICKS = 8


def build(kind: str, case: str, library):
    sessions = chart_sessions(case)
    if kind == "rom":
        return charts.rom_chart(progress.rom_rows(sessions, None, library), "Squat"), "deg"
    if kind == "pain":
        return charts.pain_chart(progress.pain_rows(sessions, library)), "pain"
    goal = Goal(1, 1, 1, "Climb the stairs", True, goal_scores(case))
    return charts.goal_chart(progress.goal_rows([goal])), "score"


def plotted(spec: dict, y_field: str) -> tuple[dict, pd.DataFrame]:
    """The layer that plots `y_field` against time, and its rows."""
    layers = spec.get("layer", [spec])
    layer = next(
        layer for layer in layers if layer.get("encoding", {}).get("y", {}).get("field") == y_field
    )
    data = pd.DataFrame(spec["datasets"][layer.get("data", spec.get("data"))["name"]])
    return layer["encoding"], data


@pytest.mark.parametrize("case", CHART_CASES)
@pytest.mark.parametrize("kind", ["rom", "pain", "goal"])
def test_time_axis_and_domains_come_from_the_data(kind, case, library):
    chart, y_field = build(kind, case, library)
    encoding, data = plotted(chart.to_dict(), y_field)
    x = encoding["x"]
    # Plain numbers (milliseconds): a date-time column does not reach the browser as time.
    assert x["type"] == "quantitative" and pd.api.types.is_float_dtype(data[x["field"]])
    start, end = x["scale"]["domain"]
    times = data[x["field"]]
    assert ((times > start) & (times < end)).all()
    ticks = x["axis"]["values"]
    assert 1 <= len(ticks) <= MAX_TICKS and all(start <= t <= end for t in ticks)
    assert "'%d %b'" in x["axis"]["labelExpr"]  # a day, never milliseconds
    days = {datetime.fromtimestamp(t / 1000).date() for t in ticks}
    assert len(days) == len(ticks)  # one tick a day at most: no repeated labels
    low, high = encoding["y"]["scale"]["domain"]
    values = data[y_field].dropna()
    assert ((values >= low) & (values <= high)).all(), (values.tolist(), low, high)


def test_the_rom_domain_holds_a_point_above_the_normal_range(library):
    chart, _ = build("rom", "extreme values", library)
    encoding, data = plotted(chart.to_dict(), "deg")
    low, high = encoding["y"]["scale"]["domain"]
    assert data["deg"].max() > 130 and high > data["deg"].max() + 1  # room above the point
    assert low < 0  # the zero range is not on the frame's edge


def test_pain_ticks_are_whole_numbers(library):
    chart, _ = build("pain", "one session", library)
    encoding, _data = plotted(chart.to_dict(), "pain")
    ticks = encoding["y"]["axis"]["values"]
    assert ticks[0] == 0 and ticks[-1] == 10 and all(isinstance(t, int) for t in ticks)
    assert len(ticks) <= 3  # few enough that none is dropped for overlapping


def _thresholds(start: float, turn: float, target: float | None, rising: bool = True):
    return Thresholds("knee", rising, start, turn, target, 10.0, False)


@pytest.mark.parametrize(
    ("start", "turn", "target", "aligns"),
    [
        (35.0, 60.0, 90.0, {"starts beyond": "right", "counts from": "center", "full at": "left"}),
        # A falling driver (hand reach): the start is the highest value, so its label points right.
        (0.9, 0.7, 0.5, {"starts beyond": "left", "counts from": "center", "full at": "right"}),
        (35.0, 60.0, None, {"starts beyond": "right", "counts from": "left"}),
    ],
)
def test_threshold_labels_point_away_from_the_line_and_carry_their_number(
    start, turn, target, aligns
):
    rows = charts.threshold_marks(
        _thresholds(start, turn, target), _thresholds(start, turn, target)
    )
    mine = {r["mark"]: r for r in rows if r["who"] == "this patient"}
    assert {mark: r["align"] for mark, r in mine.items()} == aligns
    assert mine["counts from"]["text"] == f"counts from {turn:g}"


def test_the_thresholds_axis_leaves_room_for_the_outer_labels():
    spec = charts.thresholds_chart(
        _thresholds(35.0, 60.0, 90.0), _thresholds(40.0, 50.0, 70.0), "Knee bend (°)"
    ).to_dict()
    low, high = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert low < 35.0 - 10 and high > 90.0 + 10
