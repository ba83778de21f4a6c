"""The PDF report's charts, drawn with one session, many sessions and extreme values: the
time axis is labelled with the days of the data (a single 7 December session is not
"01 Jan" five times), and every point lies inside the axes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import matplotlib.dates as mdates
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from pypdf import PdfReader

from coach.reports import pdf as report
from coach.reports.exports import PatientExport
from coach.store.records import Goal, Patient
from tests.support.records import CHART_CASES, chart_sessions, goal_scores

MAX_TICKS = 8


def export_for(case: str) -> PatientExport:
    return PatientExport(
        patient=Patient(1, "Ana Example", None, None, None, True, None),
        date_from=None,
        date_to=None,
        generated_at=datetime(2026, 12, 8, tzinfo=UTC),
        plan=None,
        sessions=tuple(chart_sessions(case)),
        goals=(Goal(1, 1, 1, "Climb the stairs", True, goal_scores(case)),),
    )


def figures(case: str, library) -> dict[str, object]:
    export = export_for(case)
    return {
        "rom": report.rom_figures(export, library)[0],
        "pain": report.pain_figure(export, library),
        "volume": report.volume_figure(export, library),
        "goal": report.goal_figure(export),
    }


@pytest.mark.parametrize("case", CHART_CASES)
@pytest.mark.parametrize("kind", ["rom", "pain", "volume", "goal"])
def test_pdf_chart_axes_come_from_the_data(kind, case, library):
    figure = figures(case, library)[kind]
    FigureCanvasAgg(figure).draw()
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert 1 <= len(labels) <= MAX_TICKS and len(set(labels)) == len(labels), labels
    # Each label is the day its tick stands on, a day from the first session to the last.
    days = [s.day for s in chart_sessions(case)]
    span = {
        (min(days) + timedelta(days=n)).strftime("%d %b")
        for n in range((max(days) - min(days)).days + 1)
    }
    on_ticks = [mdates.num2date(t).astimezone().strftime("%d %b") for t in ax.get_xticks()]
    assert labels == on_ticks and set(labels) <= span, (labels, on_ticks)
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    for line in ax.lines:
        if line.get_transform() is not ax.transData:
            continue  # a reference line across the axes (the pain limit)
        xs, ys = line.get_xdata(orig=False), line.get_ydata(orig=False)
        for x, y in zip(xs, ys, strict=True):
            if y == y:
                assert x_low < x < x_high and y_low <= y <= y_high, (line.get_label(), x, y)


def test_a_single_session_is_labelled_with_its_own_day(library):
    figure = figures("one session", library)["rom"]
    FigureCanvasAgg(figure).draw()
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["07 Dec"]


@pytest.mark.parametrize("case", CHART_CASES)
def test_no_page_is_blank_but_for_the_footer(case, library):
    data = report.progress_report_pdf(export_for(case), library)
    pages = PdfReader(io.BytesIO(data)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        footer = next(line for line in text.splitlines() if line.startswith("Made by Form Coach"))
        assert footer.endswith(f"no video was stored. Page {number}")  # on every page
        body = text.replace(footer, "").strip()
        assert body or page.images, f"page {number} of {len(pages)} holds only the footer"
