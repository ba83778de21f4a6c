"""The flare-up plan printed: a one-page PDF to keep somewhere handy, in the progress
report's fonts (DejaVu Sans, so a name in any alphabet prints). What it holds, and who may
read it, is coach.clinical.flare_up.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from coach.clinical.flare_up import FIELDS, URGENT, PatientFlareUp
from coach.reports.pdf import a4_pdf, report_fonts


def flare_up_pdf(data: PatientFlareUp) -> bytes:
    """A one-page PDF to print and keep somewhere handy (the fridge door, the wallet)."""
    font, bold = report_fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "fu_body", parent=styles["BodyText"], fontName=font, fontSize=11, leading=15
    )
    title = ParagraphStyle("fu_title", parent=styles["Title"], fontName=bold, fontSize=18)
    head = ParagraphStyle("fu_head", parent=body, fontName=bold, fontSize=12.5)
    ask = ParagraphStyle("fu_ask", parent=body, fontSize=9, textColor=colors.grey)
    small = ParagraphStyle("fu_small", parent=body, fontSize=9, leading=12)

    def text(value: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), style)

    story: list = [text(f"My flare-up plan: {data.patient.name}", title)]
    if data.plan is not None:
        story.append(text(f'Kept with my exercise plan "{data.plan.title}".', small))
    story.append(Spacer(1, 4 * mm))
    rows = []
    for key, heading, question in FIELDS:
        value = getattr(data.flare_up, key, None) if data.flare_up else None
        rows.append(
            [[text(heading, head), text(question, ask)], text(value or "(not filled in yet)", body)]
        )
    table = Table(rows, colWidths=[55 * mm, 115 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b0bec5")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3f7")),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), text(URGENT, small)]
    if data.flare_up is not None:
        story.append(
            text(f"Last changed {data.flare_up.updated_at:%d %b %Y}. Made by Form Coach.", ask)
        )
    return a4_pdf(story, f"Flare-up plan: {data.patient.name}")
