"""The programme dashboard as a PDF: each section a bar chart and the table of its figures.

Bars are drawn with reportlab shapes (not its chart widgets) so that every string is set in the
embedded DejaVu font and the layout is the same as the app's: a label, the bar, and the figure in
words. A long label (a council's problem name) wraps onto more lines; it is never cut short.
Against a target, the bar is the count and a dark tick marks the target; a share is drawn
against its whole (100%); counts against the largest count of the section. A quarterly trend is
a table: a row per headline figure, a column per quarter.
"""

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from fmdesk.payments import money_text
from fmdesk.programme import Chart, Dashboard, Figure, Section
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    FONT,
    INK,
    RULE,
    SHADE,
    Styles,
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
LINE_HEIGHT = 3.4 * mm  # a further line of a wrapped label
LABEL_WIDTH = 58 * mm
VALUE_WIDTH = 42 * mm
FONT_SIZE = 8


def wrap(words: str, width: float) -> list[str]:
    """The words in lines no wider than `width` at the chart's font size: a long label (a
    council's problem name) is wrapped, never cut short."""
    register_fonts()  # measured in the embedded font
    return simpleSplit(words, FONT, FONT_SIZE, width) or [""]


def _row_height(lines: int) -> float:
    return ROW_HEIGHT + (lines - 1) * LINE_HEIGHT


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
    """One horizontal bar per figure, with its label (wrapped onto more lines when long) and
    its value in words; the bar sits beside the label's first line."""
    labels = [wrap(f.label, LABEL_WIDTH - 2 * mm) for f in section.figures]
    values = [wrap(_words(f), VALUE_WIDTH - 2 * mm) for f in section.figures]
    heights = [_row_height(max(len(a), len(b))) for a, b in zip(labels, values, strict=True)]
    height = sum(heights) + 2 * mm
    drawing = _drawing(width, height)
    bar_left = LABEL_WIDTH
    bar_width = width - LABEL_WIDTH - VALUE_WIDTH
    top = height
    for index, figure in enumerate(section.figures):
        top -= heights[index]
        y = top + heights[index] - ROW_HEIGHT  # the first line's row
        filled, tick = _scale(section, figure)
        for n, line in enumerate(labels[index]):
            drawing.add(
                String(
                    0,
                    y + 2.2 * mm - n * LINE_HEIGHT,
                    line,
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
        for n, line in enumerate(values[index]):
            drawing.add(
                String(
                    bar_left + bar_width + 2 * mm,
                    y + 2.2 * mm - n * LINE_HEIGHT,
                    line,
                    fontName=FONT,
                    fontSize=FONT_SIZE,
                    fillColor=INK,
                )
            )
    drawing.add(Line(bar_left, 1 * mm, bar_left, height, strokeColor=RULE, strokeWidth=0.5))
    return drawing


def _words(figure: Figure) -> str:
    words = figure.value_text
    if figure.average is not None:
        words += f", avg {figure.average:+.1f}"
    return words


def trend_table(section: Section, styles: Styles) -> Flowable:
    """A trend as a table: a row per series, a column per period, and the year's total; a
    period still to come shows a dash."""
    periods = list(dict.fromkeys(f.period for f in section.figures))
    series = list(dict.fromkeys(f.series for f in section.figures))
    cells = {(f.series, f.period): f for f in section.figures}
    rows = []
    for name in series:
        row: list[object] = [name]
        for period in periods:
            figure = cells.get((name, period))
            row.append("–" if figure is None or figure.note else figure.value_text)
        own = [f for f in section.figures if f.series == name]
        total = sum(f.value for f in own)
        row.append(money_text(total) if any(f.money for f in own) else total)
        rows.append(row)
    first = 60 * mm
    rest = (CONTENT_WIDTH - first) / (len(periods) + 1)
    return grid_table(
        ["Figure", *periods, "Year"], rows, [first, *[rest] * (len(periods) + 1)], styles
    )


def dashboard_story(dashboard: Dashboard) -> list[Flowable]:
    styles = make_styles()
    story: list[Flowable] = [
        Paragraph(text(f"Programme dashboard {dashboard.year_label}"), styles.title),
        Paragraph(
            text(
                f"As at {dashboard.today.day} {dashboard.today:%B %Y}; "
                f"{dashboard.family_count} families in the programme. The figures count "
                "families unless they say otherwise (assessments, meetings, actions, adults), "
                "and the app lists the families behind each one."
            ),
            styles.body,
        ),
    ]
    for notice in dashboard.notices:
        story.append(Paragraph(text(f"Warning: {notice}"), styles.body))
    legend = _drawing(CONTENT_WIDTH, 6 * mm)
    legend.add(Rect(0, 1.5 * mm, 6 * mm, 3 * mm, fillColor=BAR, strokeColor=None))
    legend.add(String(8 * mm, 2 * mm, "families", fontName=FONT, fontSize=FONT_SIZE))
    legend.add(Rect(30 * mm, 1.5 * mm, 6 * mm, 3 * mm, fillColor=BAR_MET, strokeColor=None))
    legend.add(String(38 * mm, 2 * mm, "target reached", fontName=FONT, fontSize=FONT_SIZE))
    legend.add(Line(70 * mm, 1 * mm, 70 * mm, 5 * mm, strokeColor=TARGET, strokeWidth=1.6))
    legend.add(
        String(
            72 * mm,
            2 * mm,
            "target (the year's; to date, the whole programme's)",
            fontName=FONT,
            fontSize=FONT_SIZE,
        )
    )
    story += [spacer(2), legend]
    for section in dashboard.sections:
        parts: list[Flowable] = [Paragraph(text(section.title), styles.h1)]
        if section.note:
            parts.append(Paragraph(text(section.note), styles.small))
        if not section.figures:
            parts.append(Paragraph("Nothing to show yet.", styles.body))
            story.append(KeepTogether(parts))
            continue
        if section.chart is Chart.TREND:
            parts += [spacer(1.5), trend_table(section, styles)]
            story.append(KeepTogether(parts))
            continue
        parts += [spacer(1.5), section_chart(section)]
        story.append(KeepTogether(parts))
        story.append(spacer(1.5))
        story.append(
            grid_table(
                # "Number": families, or what the figure says it counts (meetings, actions,
                # adults); an amount in pounds.
                ["Figure", "Number", "Of", "Share", "Target"],
                [
                    [
                        f.label
                        + (f" (average change {f.average:+.1f})" if f.average is not None else ""),
                        money_text(f.value) if f.money else f.value,
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
