"""The programme dashboard as a PDF: each section a bar chart and the table of its figures.

Bars are drawn with reportlab shapes (not its chart widgets) so that every string is set in the
embedded DejaVu font and the layout is the same as the app's: a label, the bar, and the figure in
words. Against a target, the bar is the count and a dark tick marks the target; a share is drawn
against its whole (100%); counts against the largest count of the section.
"""

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from fmdesk.programme import Chart, Dashboard, Figure, Section
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    FONT,
    INK,
    RULE,
    SHADE,
    build_pdf,
    grid_table,
    make_styles,
    register_fonts,
    spacer,
    text,
)

BAR = colors.HexColor("#1d5fa8")
BAR_MET = colors.HexColor("#2e7d32")
TARGET = colors.HexColor("#c0561a")
ROW_HEIGHT = 7 * mm
LABEL_WIDTH = 58 * mm
VALUE_WIDTH = 42 * mm
FONT_SIZE = 8


def _fit(label: str, width: float) -> str:
    """The label, cut with an ellipsis to fit `width` at the chart's font size."""
    if stringWidth(label, FONT, FONT_SIZE) <= width:
        return label
    while label and stringWidth(label + "…", FONT, FONT_SIZE) > width:
        label = label[:-1]
    return label + "…"


def _scale(section: Section, figure: Figure) -> tuple[float, float | None]:
    """(how full the bar is, where the target tick goes), each 0..1 of the bar's width."""
    if section.chart is Chart.TARGET:
        top = max([figure.value, figure.target or 0, 1])
        whole = max(max(f.value, f.target or 0) for f in section.figures) or 1
        top = max(top, whole)
        return figure.value / top, (figure.target / top if figure.target else None)
    if section.chart is Chart.SHARE:
        return (figure.value / figure.of if figure.of else 0.0), None
    largest = max((f.value for f in section.figures), default=0) or 1
    return figure.value / largest, None


def _drawing(width: float, height: float) -> Drawing:
    register_fonts()  # labels are measured in the embedded font
    drawing = Drawing(width, height)
    # The renderer starts every drawing in Helvetica unless told otherwise.
    drawing.initialFontName = FONT
    drawing.initialFontSize = FONT_SIZE
    return drawing


def section_chart(section: Section, width: float = CONTENT_WIDTH) -> Drawing:
    """One horizontal bar per figure, with its label and its value in words."""
    rows = len(section.figures)
    height = rows * ROW_HEIGHT + 2 * mm
    drawing = _drawing(width, height)
    bar_left = LABEL_WIDTH
    bar_width = width - LABEL_WIDTH - VALUE_WIDTH
    for index, figure in enumerate(section.figures):
        y = height - (index + 1) * ROW_HEIGHT
        filled, tick = _scale(section, figure)
        drawing.add(
            String(
                0,
                y + 2.2 * mm,
                _fit(figure.label, LABEL_WIDTH - 2 * mm),
                fontName=FONT,
                fontSize=FONT_SIZE,
                fillColor=INK,
            )
        )
        drawing.add(
            Rect(
                bar_left,
                y + 1 * mm,
                bar_width,
                ROW_HEIGHT - 2 * mm,
                fillColor=SHADE,
                strokeColor=None,
            )
        )
        met = figure.target is not None and figure.value >= figure.target > 0
        if filled > 0:
            drawing.add(
                Rect(
                    bar_left,
                    y + 1 * mm,
                    bar_width * min(filled, 1.0),
                    ROW_HEIGHT - 2 * mm,
                    fillColor=BAR_MET if met else BAR,
                    strokeColor=None,
                )
            )
        if tick is not None:
            x = bar_left + bar_width * min(tick, 1.0)
            drawing.add(
                Line(
                    x,
                    y + 0.2 * mm,
                    x,
                    y + ROW_HEIGHT - 0.2 * mm,
                    strokeColor=TARGET,
                    strokeWidth=1.6,
                )
            )
        words = figure.value_text
        if figure.average is not None:
            words += f", avg {figure.average:+.1f}"
        drawing.add(
            String(
                bar_left + bar_width + 2 * mm,
                y + 2.2 * mm,
                _fit(words, VALUE_WIDTH - 2 * mm),
                fontName=FONT,
                fontSize=FONT_SIZE,
                fillColor=INK,
            )
        )
    drawing.add(Line(bar_left, 1 * mm, bar_left, height, strokeColor=RULE, strokeWidth=0.5))
    return drawing


def dashboard_story(dashboard: Dashboard) -> list[Flowable]:
    styles = make_styles()
    story: list[Flowable] = [
        Paragraph(text(f"Programme dashboard {dashboard.year_label}"), styles.title),
        Paragraph(
            text(
                f"As at {dashboard.today.day} {dashboard.today:%B %Y}; "
                f"{dashboard.family_count} families in the programme. Every figure counts "
                "families, and the app lists the families behind each one."
            ),
            styles.body,
        ),
    ]
    legend = _drawing(CONTENT_WIDTH, 6 * mm)
    legend.add(Rect(0, 1.5 * mm, 6 * mm, 3 * mm, fillColor=BAR, strokeColor=None))
    legend.add(String(8 * mm, 2 * mm, "families", fontName=FONT, fontSize=FONT_SIZE))
    legend.add(Rect(30 * mm, 1.5 * mm, 6 * mm, 3 * mm, fillColor=BAR_MET, strokeColor=None))
    legend.add(String(38 * mm, 2 * mm, "target reached", fontName=FONT, fontSize=FONT_SIZE))
    legend.add(Line(70 * mm, 1 * mm, 70 * mm, 5 * mm, strokeColor=TARGET, strokeWidth=1.6))
    legend.add(String(72 * mm, 2 * mm, "annual target", fontName=FONT, fontSize=FONT_SIZE))
    story += [spacer(2), legend]
    for section in dashboard.sections:
        parts: list[Flowable] = [Paragraph(text(section.title), styles.h1)]
        if section.note:
            parts.append(Paragraph(text(section.note), styles.small))
        if not section.figures:
            parts.append(Paragraph("Nothing to show yet.", styles.body))
            story.append(KeepTogether(parts))
            continue
        parts += [spacer(1.5), section_chart(section)]
        story.append(KeepTogether(parts))
        story.append(spacer(1.5))
        story.append(
            grid_table(
                ["Figure", "Families", "Of", "Share", "Target"],
                [
                    [
                        f.label
                        + (f" (average change {f.average:+.1f})" if f.average is not None else ""),
                        f.value,
                        "" if f.of is None else f.of,
                        "" if f.percent is None else f"{f.percent:.0f}%",
                        "" if f.target is None else f.target,
                    ]
                    for f in section.figures
                ],
                [84 * mm, 22 * mm, 20 * mm, 24 * mm, 24 * mm],
                styles,
            )
        )
    return story


def dashboard_pdf(
    dashboard: Dashboard, *, marking: str = DEFAULT_MARKING, password: str | None = None
) -> bytes:
    return build_pdf(
        dashboard_story(dashboard),
        title=f"Programme dashboard {dashboard.year_label}",
        marking=marking,
        password=password,
    )
