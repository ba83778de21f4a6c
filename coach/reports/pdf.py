"""The PDF progress report for the referring clinician (reportlab; charts by matplotlib).

One patient, one period: who, the plan, adherence per week, every session the
pain-monitoring model flagged, the assessments (first and latest result per measure or
test), range-of-motion, pain, repetitions and goal charts, and the fault counts. Built
from a `PatientExport`, so it shows exactly what the CSV, JSON and FHIR exports of the same
range hold. A patient with no sessions gives a short, valid report.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coach import __version__
from coach.assessment.summary import first_and_latest
from coach.clinical.plans import dosage_text
from coach.clinical.progress import (
    PAIN_LIMIT,
    date_axis,
    exercise_name,
    fault_rows,
    flag_rows,
    goal_rows,
    pain_rows,
    rom_rows,
    value_domain,
    volume_rows,
)
from coach.exercise.loader import ExerciseLibrary
from coach.reports.exports import PatientExport

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
Cell = str | Paragraph  # a table cell: plain text, or a paragraph that wraps


def report_fonts() -> tuple[str, str]:
    """The (regular, bold) font names for reportlab, registered on first use: DejaVu Sans
    (shipped inside matplotlib) for names in any alphabet and the degree sign; reportlab's
    Helvetica if it cannot be found. The progress report and the flare-up plan use them."""
    global FONT, FONT_BOLD
    if FONT == "DejaVuSans":
        return FONT, FONT_BOLD
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
    return FONT, FONT_BOLD


def _figure(draw: Callable[[Figure], None], height_in: float = 2.6) -> Figure:
    # A bare Figure, not pyplot: no global state, safe on Streamlit's many threads.
    figure = Figure(figsize=(7.0, height_in), dpi=150)
    draw(figure)
    figure.tight_layout()
    return figure


def _image(figure: Figure) -> Image:
    """A chart as a PNG flowable, 170 mm wide."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    width = 170 * mm
    inches_wide, inches_high = figure.get_size_inches()
    return Image(buffer, width=width, height=width * inches_high / inches_wide)


def _date_axis(ax: Axes, moments: list) -> None:
    """Ends and ticks from the data's own days (`date_axis`), each labelled with its day."""
    axis = date_axis(moments)
    ax.set_xlim(mdates.date2num(axis.start), mdates.date2num(axis.end))
    ax.set_xticks([mdates.date2num(t) for t in axis.ticks])
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=axis.start.tzinfo))
    ax.tick_params(axis="x", labelsize=7, labelrotation=30 if len(axis.ticks) > 5 else 0)


def _table(rows: list[list[Cell]], widths: list[float] | None = None) -> Table:
    font, bold = report_fonts()
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("FONT", (0, 0), (-1, 0), bold, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0bec5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def adherence_figure(export: PatientExport) -> Figure | None:
    weeks = export.weekly_adherence()
    if not weeks or not any(a.prescribed for _, a in weeks):
        return None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        labels = [f"{monday:%d %b}" for monday, _ in weeks]
        x = range(len(weeks))
        ax.bar(
            [i - 0.2 for i in x],
            [a.prescribed for _, a in weeks],
            0.4,
            label="prescribed",
            color="#cfd8dc",
        )
        ax.bar([i + 0.2 for i in x], [a.done for _, a in weeks], 0.4, label="done", color="#2e7d32")
        ax.set_xticks(list(x), labels, rotation=45 if len(weeks) > 8 else 0, fontsize=7)
        ax.set_ylabel("sessions")
        ax.set_title("Sessions done vs prescribed, per week (from Monday)", fontsize=9)
        ax.legend(fontsize=7)

    return _figure(draw, 2.3)


def rom_figures(export: PatientExport, library: ExerciseLibrary | None) -> list[Figure]:
    rows = rom_rows(export.sessions, export.plan, library)
    charts = []
    for exercise in dict.fromkeys(r["exercise"] for r in rows):
        mine = [r for r in rows if r["exercise"] == exercise]

        def draw(figure: Figure, mine: list[dict] = mine, exercise: str = exercise) -> None:
            ax = figure.add_subplot()
            first = mine[0]
            xs = [r["started_at"] for r in mine]
            if first["normal_high"] is not None:
                ax.axhspan(
                    first["normal_low"],
                    first["normal_high"],
                    color="#eceff1",
                    label=f"normal adult range {first['normal_low']:g}-{first['normal_high']:g}°",
                )
            if first["target_deg"] is not None:
                top = first["normal_high"] or first["target_deg"] + 10
                ax.axhspan(
                    first["target_deg"],
                    top,
                    color="#c8e6c9",
                    alpha=0.6,
                    label=f"target: {first['target_deg']:g}° or more",
                )
            ax.plot(
                xs,
                [r["furthest_deg"] for r in mine],
                "o-",
                color="#1565c0",
                label="furthest reached",
            )
            ax.plot(
                xs,
                [r["rom_deg"] for r in mine],
                "s--",
                color="#6a1b9a",
                markersize=3,
                label="range of motion",
            )
            ax.set_ylim(
                *value_domain(
                    [r[key] for r in mine for key in ("furthest_deg", "rom_deg")],
                    first["normal_low"],
                    first["normal_high"],
                    first["target_deg"],
                )
            )
            ax.set_ylabel("degrees")
            ax.set_title(f"{exercise}: {first['label'].lower()}, best per session", fontsize=9)
            ax.legend(fontsize=6.5, loc="lower right")
            _date_axis(ax, xs)

        charts.append(_figure(draw))
    return charts


def pain_figure(export: PatientExport, library: ExerciseLibrary | None) -> Figure | None:
    rows = pain_rows(export.sessions, library)
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for when, style in (("before", "o-"), ("during", "^:"), ("after", "s--")):
            mine = [r for r in rows if r["when"] == when]
            if mine:
                ax.plot(
                    [r["started_at"] for r in mine],
                    [r["pain"] for r in mine],
                    style,
                    label=f"pain {when}",
                )
        ax.axhline(
            PAIN_LIMIT,
            color="#c62828",
            linestyle=":",
            linewidth=1,
            label=f"{PAIN_LIMIT}/10: above this, less load",
        )
        ax.set_ylim(-0.3, 10.3)
        ax.set_ylabel("pain (0-10 NRS)")
        ax.set_title("Pain before and after each session", fontsize=9)
        ax.legend(fontsize=6.5)
        _date_axis(ax, [r["started_at"] for r in rows])

    return _figure(draw, 2.3)


def volume_figure(export: PatientExport, library: ExerciseLibrary | None) -> Figure | None:
    rows = [r for r in volume_rows(export.sessions, library) if r["reps"]]
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for exercise in dict.fromkeys(r["exercise"] for r in rows):
            mine = [r for r in rows if r["exercise"] == exercise]
            ax.plot(
                [r["started_at"] for r in mine], [r["reps"] for r in mine], "o-", label=exercise
            )
        ax.set_ylim(bottom=0)
        ax.set_ylabel("repetitions")
        ax.set_title("Repetitions per session", fontsize=9)
        ax.legend(fontsize=6.5)
        _date_axis(ax, [r["started_at"] for r in rows])

    return _figure(draw, 2.1)


def goal_figure(export: PatientExport) -> Figure | None:
    rows = goal_rows(export.goals)
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for goal in dict.fromkeys(r["goal"] for r in rows):
            mine = [r for r in rows if r["goal"] == goal]
            ax.plot([r["at"] for r in mine], [r["score"] for r in mine], "o-", label=goal[:40])
        ax.set_ylim(-0.3, 10.3)
        ax.set_ylabel("score (0-10)")
        ax.set_title("Patient-specific goals (PSFS): 0 unable, 10 as before", fontsize=9)
        ax.legend(fontsize=6.5)
        _date_axis(ax, [r["at"] for r in rows])

    return _figure(draw, 2.1)


UNIT_SUFFIX = {"deg": "°", "s": " s", "{stands}": " stands"}


def _result_text(row: dict) -> str:
    """E.g. '112°, 03 Nov 2026': a value with its unit and the local day it was taken."""
    return (
        f"{row['value']:g}{UNIT_SUFFIX.get(row['unit'], row['unit'])}, "
        f"{row['taken_at'].astimezone():%d %b %Y}"
    )


def _assessment_rows(export: PatientExport, cell: ParagraphStyle) -> list[list[Cell]]:
    """The table's rows: a header, then per measure or test and side the first and latest
    result, the change between them and what the result is read against."""
    rows: list[list[Cell]] = [
        ["Measure or test", "Side", "First", "Latest", "Change", "Normal range or threshold"]
    ]
    for pair in first_and_latest(export.assessment_rows):
        first, latest = pair["first"], pair["latest"]
        unit = UNIT_SUFFIX.get(first["unit"], first["unit"])
        change = (
            f"{latest['value'] - first['value']:+.3g}{unit}" if pair["count"] > 1 else "one result"
        )
        texts = [
            first["label"],
            first["side"] or "",
            _result_text(first),
            _result_text(latest),
            change,
            first["reference"] or "none set",
        ]
        rows.append([Paragraph(escape(text), cell) for text in texts])
    return rows


def _assessments(
    export: PatientExport, para: Callable[[str], Paragraph], cell: ParagraphStyle
) -> list:
    """The Assessments section's body: a line if there were none, else what the table
    shows, in words, and the table."""
    if not export.assessments:
        return [para("No assessments were recorded in this period.")]
    intro = para(
        "The first and the latest result in this period for each measure or test "
        "and side. Range of motion is measured by the camera goniometer (markerless "
        "video pose estimation, about 5-7 degrees of error side-on); the chair "
        "stand, Timed Up and Go and single-leg stance are counted or timed from the "
        "video. For Timed Up and Go a lower time is better."
    )
    widths = [32 * mm, 13 * mm, 26 * mm, 26 * mm, 21 * mm, 52 * mm]
    return [intro, _table(_assessment_rows(export, cell), widths)]


def _comment_rows(
    export: PatientExport, library: ExerciseLibrary | None, style: ParagraphStyle
) -> list[list[Cell]]:
    """The clinician's comments on the period's sessions, oldest first, as table rows
    (with a header row; none when there are no comments). The text is set as written."""
    rows: list[list[Cell]] = []
    for session in export.sessions:
        reps = {r.id: r for r in export.reps.get(session.id, ())}
        for comment in export.comments.get(session.id, ()):
            rep = reps.get(comment.rep_id) if comment.rep_id is not None else None
            about = exercise_name(library, session.exercise_id) + (
                f", set {rep.set_index} rep {rep.rep_index}" if rep is not None else ""
            )
            text = f"{comment.author}: {comment.body}"
            rows.append(
                [
                    f"{session.day:%d %b %Y}",
                    Paragraph(escape(about), style),
                    Paragraph(escape(text).replace("\n", "<br/>"), style),
                ]
            )
    return [["Session", "About", "Comment"], *rows] if rows else []


def progress_report_pdf(export: PatientExport, library: ExerciseLibrary | None = None) -> bytes:
    """The report as PDF bytes."""
    font, bold = report_fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=styles["BodyText"], fontName=font, fontSize=9.5, leading=12.5
    )
    h1 = ParagraphStyle("h1", parent=styles["Title"], fontName=bold, fontSize=16)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=bold, fontSize=12, spaceBefore=8)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, textColor=colors.grey)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    p = export.patient
    story: list = [para("Form Coach progress report", h1)]
    who: list[list[Cell]] = [["Patient", p.name]]
    if p.date_of_birth:
        who.append(["Date of birth", f"{p.date_of_birth:%d %b %Y}"])
    if p.referrer:
        who.append(["Referred by", p.referrer])
    if export.clinician_name:
        who.append(["Physiotherapist", export.clinician_name])
    who += [
        ["Period", export.period_text],
        ["Sessions", str(len(export.sessions))],
        ["Report made", f"{export.generated_at:%d %b %Y %H:%M} UTC"],
    ]
    story.append(_table(who, [40 * mm, 130 * mm]))

    story.append(para("Plan", h2))
    plan = export.plan
    items = [i for i in plan.items if i.active] if plan else []
    if not items:
        story.append(para("No exercise plan is set."))
    else:
        assert plan is not None
        period = f"from {plan.start_date:%d %b %Y}" + (
            f" to {plan.end_date:%d %b %Y}" if plan.end_date else ""
        )
        story.append(para(f"{plan.title}, {period}." + (f" {plan.notes}" if plan.notes else "")))
        rows: list[list[Cell]] = [["Exercise", "Dosage", "ROM target", "Notes"]]
        for item in items:
            target = (
                f"{item.rom_target_deg:g}° {item.rom_angle.replace('_', ' ')}"
                if item.rom_target_deg is not None and item.rom_angle
                else ""
            )
            rows.append(
                [
                    exercise_name(library, item.exercise_id),
                    dosage_text(item),
                    target,
                    Paragraph(escape(item.notes or ""), small),
                ]
            )
        story.append(_table(rows, [35 * mm, 60 * mm, 35 * mm, 40 * mm]))

    story.append(para("Adherence", h2))
    weeks = export.weekly_adherence()
    if weeks and any(a.prescribed for _, a in weeks):
        done = sum(a.done for _, a in weeks)
        due = sum(a.prescribed for _, a in weeks)
        story.append(
            para(
                f"{done} of {due} prescribed sessions done ({100 * done / due:.0f}%) "
                f"over {len(weeks)} week(s)."
            )
        )
        chart = adherence_figure(export)
        if chart is not None:
            story.append(_image(chart))
    else:
        story.append(para("No prescribed sessions in this period (no plan, or no sessions)."))

    story.append(para("Pain flags", h2))
    flags = flag_rows(export.sessions, library)
    if flags:
        story.append(
            para(
                "Sessions flagged by the pain-monitoring model (pain during exercise "
                "above 5/10, or a rise of 2 or more points from before to after); "
                "less load was suggested for the next session."
            )
        )
        rows = [["Date", "Exercise", "Why"]]
        rows += [
            [f"{f['day']:%d %b %Y}", f["exercise"], Paragraph(escape(f["reasons"]), small)]
            for f in flags
        ]
        story.append(_table(rows, [28 * mm, 40 * mm, 102 * mm]))
    else:
        story.append(para("No session was flagged."))

    comments = _comment_rows(export, library, small)
    if comments:
        story.append(para("Comments", h2))
        story.append(_table(comments, [24 * mm, 36 * mm, 110 * mm]))

    story.append(para("Assessments", h2))
    story += _assessments(export, para, cell)

    charts = [
        _image(c)
        for c in (
            *rom_figures(export, library),
            pain_figure(export, library),
            volume_figure(export, library),
            goal_figure(export),
        )
        if c is not None
    ]
    story.append(para("Trends", h2))
    if charts:
        story.append(
            para(
                "Range of motion is measured by markerless video pose estimation "
                "from a single webcam: expect about 5-7 degrees of error side-on, "
                "more from other views."
            )
        )
        story += [KeepTogether([chart, Spacer(1, 3 * mm)]) for chart in charts]
    else:
        story.append(para("No sessions recorded in this period."))

    faults = fault_rows(export.sessions, library)
    if faults:
        story.append(para("Form faults seen", h2))
        rows = [["Exercise", "Fault (the cue given)", "Times"]]
        rows += [
            [f["exercise"], Paragraph(escape(f["fault"]), small), str(f["count"])] for f in faults
        ]
        story.append(_table(rows, [35 * mm, 115 * mm, 20 * mm]))

    return a4_pdf(
        story,
        f"Form Coach progress report: {p.name}",
        subject=export.period_text,
        # The closing note is each page's footer, not the story's last paragraph: a
        # paragraph that no longer fits would start a page of its own, blank but for it.
        footer=_footer,
    )


def a4_pdf(
    story: list[Flowable],
    title: str,
    subject: str = "",
    footer: Callable[[Canvas, SimpleDocTemplate], None] | None = None,
) -> bytes:
    """`story` laid out on A4 pages with Form Coach's margins, as PDF bytes (every PDF
    the app makes has the same page), with `footer` drawn on every page if given."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Form Coach",
        subject=subject,
    )
    if footer is None:
        document.build(story)
    else:
        document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
    """The note at the foot of every page: what made the report, what it keeps, the page."""
    font, _bold = report_fonts()
    canvas.saveState()
    canvas.setFont(font, 7)
    canvas.setFillColor(colors.HexColor("#607d8b"))
    canvas.drawString(
        document.leftMargin,
        10 * mm,
        f"Made by Form Coach {__version__}. Only numbers derived from body landmarks are "
        f"kept; no video was stored. Page {document.page}",
    )
    canvas.restoreState()
