"""The progress and session charts: plain functions from the rows of
coach.clinical.progress to Altair charts (None when there is nothing to draw), testable
without a browser.
"""

from __future__ import annotations

from datetime import UTC, datetime

import altair as alt
import pandas as pd

from coach.clinical.progress import PAIN_LIMIT, date_axis, local_noon, value_domain
from coach.engine.thresholds import Thresholds


def _ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


def with_times(rows: list[dict], field: str) -> pd.DataFrame:
    """The rows as a frame, with each moment of `field` also as milliseconds since 1970
    (`<field>_ms`, what the time axis plots) and as local text (`<field>_text`, for the
    tooltip). Plain numbers and text: a date-time column reaches the browser in a form
    Vega-Lite does not read as time, and every point lands on the same spot."""
    data = pd.DataFrame(rows)
    moments = [m if isinstance(m, datetime) else local_noon(m) for m in (r[field] for r in rows)]
    data[f"{field}_ms"] = [_ms(m) for m in moments]
    data[f"{field}_text"] = [m.astimezone().strftime("%d %b %Y %H:%M") for m in moments]
    return data


def date_x(data: pd.DataFrame, field: str, title: str) -> alt.X:
    """A time axis over the data's own days (`date_axis`, on the `<field>_ms` column of
    `with_times`): its ends and ticks from the data, each tick labelled with its day."""
    axis = date_axis(datetime.fromtimestamp(ms / 1000, UTC) for ms in data[f"{field}_ms"])
    return alt.X(
        f"{field}_ms:Q",
        title=title,
        scale=alt.Scale(domain=[_ms(axis.start), _ms(axis.end)], nice=False, zero=False),
        axis=alt.Axis(
            values=[_ms(t) for t in axis.ticks],
            labelExpr="timeFormat(datum.value, '%d %b')",
            labelAngle=0,
            grid=False,
        ),
    )


def when_tooltip(field: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}_text:N", title="When")


def score_y(field: str, title: str) -> alt.Y:
    """A 0-10 rating's axis: the whole scale, whole-number ticks (never ".515")."""
    return alt.Y(
        f"{field}:Q",
        title=title,
        scale=alt.Scale(domain=[0, 10]),
        # The ends and the middle: more labels on a short chart overlap, and Vega-Lite then
        # drops some, the top one ("10") too, leaving a point at 10 above the last label.
        axis=alt.Axis(values=[0, 5, 10], format="d"),
    )


def calendar_chart(rows: list[dict]) -> alt.Chart | None:
    """Adherence calendar: weeks down, weekdays across, darker = more sessions that day."""
    if not rows:
        return None
    data = pd.DataFrame(rows)
    data["week"] = pd.to_datetime(data["week"]).dt.strftime("%d %b")
    data["day"] = pd.to_datetime(data["day"]).dt.strftime("%a %d %b")
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return (
        alt.Chart(data)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("weekday:O", sort=weekdays, title=None),
            y=alt.Y("week:O", sort=None, title="Week of"),
            color=alt.Color(
                "sessions:Q",
                title="Sessions",
                scale=alt.Scale(domain=[0, max(2, int(data["sessions"].max()))], scheme="greens"),
            ),
            tooltip=[alt.Tooltip("day:N", title="Day"), alt.Tooltip("sessions:Q")],
        )
        .properties(title="Sessions done per day", height=max(80, 24 * data["week"].nunique()))
    )


def normal_range_band(low: float, high: float) -> alt.Chart:
    """The normal adult range as a grey band behind a range-of-motion chart."""
    band = pd.DataFrame(
        {"low": [low], "high": [high], "what": [f"normal adult range {low:g}-{high:g}°"]}
    )
    return (
        alt.Chart(band)
        .mark_rect(color="#eceff1")
        .encode(y="low:Q", y2="high:Q", tooltip=alt.Tooltip("what:N", title="Band"))
    )


def rom_chart(rows: list[dict], exercise: str) -> alt.LayerChart | None:
    """One exercise's range of motion per session, over the normal adult range (grey) and
    the target band (green: the target and beyond)."""
    mine = [r for r in rows if r["exercise"] == exercise]
    if not mine:
        return None
    data = with_times(mine, "started_at")
    first = mine[0]
    layers: list[alt.Chart] = []
    if first["normal_high"] is not None:
        layers.append(normal_range_band(first["normal_low"], first["normal_high"]))
    if first["target_deg"] is not None:
        top = (
            first["normal_high"] if first["normal_high"] is not None else (first["target_deg"] + 10)
        )
        band = pd.DataFrame(
            {
                "low": [first["target_deg"]],
                "high": [top],
                "what": [f"target: {first['target_deg']:g}° or more"],
            }
        )
        layers.append(
            alt.Chart(band)
            .mark_rect(color="#a5d6a7", opacity=0.5)
            .encode(y="low:Q", y2="high:Q", tooltip=alt.Tooltip("what:N", title="Band"))
        )
    long = data.melt(
        id_vars=["started_at_ms", "started_at_text", "session_id"],
        value_vars=["furthest_deg", "rom_deg"],
        var_name="measure",
        value_name="deg",
    )
    long["measure"] = long["measure"].map(
        {"furthest_deg": "furthest reached", "rom_deg": "range of motion"}
    )
    low, high = value_domain(
        long["deg"], first["normal_low"], first["normal_high"], first["target_deg"]
    )
    layers.append(
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=date_x(long, "started_at", "Session"),
            y=alt.Y("deg:Q", title=f"{first['label']} (°)", scale=alt.Scale(domain=[low, high])),
            color=alt.Color("measure:N", title=None),
            tooltip=[
                when_tooltip("started_at"),
                alt.Tooltip("measure:N"),
                alt.Tooltip("deg:Q", format=".0f", title="deg"),
            ],
        )
    )
    return alt.layer(*layers).properties(title=f"{exercise}: {first['label'].lower()}", height=260)


def pain_chart(rows: list[dict]) -> alt.LayerChart | None:
    if not rows:
        return None
    data = with_times(rows, "started_at")
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=date_x(data, "started_at", "Session"),
            y=score_y("pain", "Pain (0-10)"),
            color=alt.Color("when:N", title="Rated", sort=["before", "during", "after"]),
            tooltip=[
                when_tooltip("started_at"),
                "exercise:N",
                "when:N",
                "pain:Q",
            ],
        )
    )
    limit = (
        alt.Chart(pd.DataFrame({"y": [PAIN_LIMIT]}))
        .mark_rule(strokeDash=[4, 4], color="#c62828")
        .encode(y="y:Q")
    )
    return alt.layer(limit, line).properties(title="Pain before and after", height=240)


def volume_chart(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    data = with_times(rows, "started_at")
    long = data.melt(
        id_vars=["started_at_text", "exercise", "session_id"],
        value_vars=["reps", "sets"],
        var_name="what",
        value_name="count",
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("session_id:O", title="Session"),
            y=alt.Y("count:Q", title=None),
            color=alt.Color("exercise:N", title="Exercise"),
            row=alt.Row("what:N", title=None),
            tooltip=[
                when_tooltip("started_at"),
                "exercise:N",
                "what:N",
                "count:Q",
            ],
        )
        .properties(height=120, title="Reps and sets per session")
    )


def fault_chart(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    data = pd.DataFrame(rows)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="Times seen"),
            y=alt.Y("fault:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("exercise:N", title="Exercise"),
            tooltip=["exercise:N", "fault:N", "count:Q"],
        )
        .properties(title="Form faults by type", height=max(120, 32 * len(data)))
    )


def goal_chart(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    data = with_times(rows, "at")
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=date_x(data, "at", "Scored on"),
            y=score_y("score", "Score (0 unable - 10 as before)"),
            color=alt.Color("goal:N", title="Goal"),
            tooltip=["goal:N", when_tooltip("at"), "score:Q"],
        )
        .properties(title="Goals (PSFS) over time", height=240)
    )


def rep_outline_chart(points: list[dict], faults: list[dict], label: str) -> alt.LayerChart | None:
    """The angle over the session as the stored reps tell it, with each fault as a red mark
    at the moment it was seen."""
    if not points:
        return None
    data = pd.DataFrame(points)
    layers: list[alt.Chart] = [
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("t_s:Q", title="Time in the session (s)"),
            y=alt.Y("angle_deg:Q", title=f"{label} (°)"),
            detail="rep:N",
            tooltip=[
                "rep:N",
                "moment:N",
                alt.Tooltip("t_s:Q", format=".1f"),
                alt.Tooltip("angle_deg:Q", format=".0f"),
            ],
        )
    ]
    timed = [f for f in faults if f.get("t_s") is not None]
    if timed:
        layers.append(
            alt.Chart(pd.DataFrame(timed))
            .mark_rule(color="#c62828")
            .encode(x="t_s:Q", tooltip=["cue:N", "severity:N", alt.Tooltip("t_s:Q", format=".1f")])
        )
    return alt.layer(*layers).properties(title=f"{label} over the session", height=280)


def fault_timeline_chart(faults: list[dict]) -> alt.Chart | None:
    timed = [f for f in faults if f.get("t_s") is not None]
    if not timed:
        return None
    return (
        alt.Chart(pd.DataFrame(timed))
        .mark_tick(thickness=3, size=24)
        .encode(
            x=alt.X("t_s:Q", title="Time in the session (s)"),
            y=alt.Y("cue:N", title=None),
            color=alt.Color(
                "severity:N",
                scale=alt.Scale(
                    domain=["minor", "major", "info"], range=["#f9a825", "#c62828", "#90a4ae"]
                ),
            ),
            tooltip=["cue:N", "severity:N", alt.Tooltip("t_s:Q", format=".1f")],
        )
        .properties(title="Faults on the timeline")
    )


def thresholds_chart(library: Thresholds, force: Thresholds, label: str) -> alt.Chart:
    """What a plan's numbers mean, as the live gauge marks them: on the driving measure,
    where a rep starts, where it counts and where it is full, for the library (grey, its
    labels above its line) and for this patient (green, labels below), each label with
    its number. The outer labels point outwards and the axis leaves room for them, so no
    label is cut at the chart's edge or written over another row's."""
    data = pd.DataFrame(threshold_marks(library, force))
    values = data["value"]
    spare = (values.max() - values.min()) * 0.3 or 1.0
    base = alt.Chart(data).encode(
        x=alt.X(
            "value:Q",
            title=label,
            scale=alt.Scale(domain=[values.min() - spare, values.max() + spare], nice=False),
            axis=alt.Axis(tickCount=6, grid=False),
        ),
        y=alt.Y(
            "who:N", title=None, sort=["library", "this patient"], scale=alt.Scale(padding=1.5)
        ),
        color=alt.Color(
            "who:N",
            scale=alt.Scale(domain=["library", "this patient"], range=["#757575", "#2e7d32"]),
            legend=None,
        ),
        tooltip=["who:N", "mark:N", alt.Tooltip("value:Q", format=".2~f")],
    )
    layers = [
        base.mark_line(strokeWidth=2).encode(detail="who:N"),
        base.mark_tick(thickness=3, size=16),
    ]
    for align in ("right", "center", "left"):
        for who, dy in (("library", -14), ("this patient", 16)):
            layers.append(
                base.transform_filter((alt.datum.align == align) & (alt.datum.who == who))
                .mark_text(align=align, dy=dy, fontSize=11)
                .encode(text="text:N")
            )
    return alt.layer(*layers).properties(height=140)


def threshold_marks(library: Thresholds, force: Thresholds) -> list[dict]:
    """The rows `thresholds_chart` draws: per side (`who`) and mark, its value, its label
    with the number ("counts from 60"), and the label's alignment (the lowest value's
    label ends at its tick, the highest starts at it, the others are centred)."""
    marks = (("starts beyond", "start"), ("counts from", "turn"), ("full at", "target"))
    rows: list[dict] = []
    for who, numbers in (("library", library), ("this patient", force)):
        mine = [(name, getattr(numbers, key)) for name, key in marks]
        values = [value for _, value in mine if value is not None]
        for name, value in mine:
            if value is None:
                continue
            align = (
                "right" if value == min(values) else "left" if value == max(values) else "center"
            )
            rows.append(
                {
                    "who": who,
                    "mark": name,
                    "value": value,
                    "text": f"{name} {value:.3g}",
                    "align": align,
                }
            )
    return rows
