"""The Star chart and the family's Star progress PDF.

`star_chart` draws one or two readings as a radar (spider) chart: the later reading filled, the
earlier one as a dashed line on top of it, grey rings at the top of each stage band, and a legend
with both dates. Every piece of text in it is set in the embedded DejaVu font; reportlab's chart
labels would otherwise fall back to Helvetica, which the PDF would reference but not embed.

`family_star_chart` is what the family action plan prints (first reading against latest);
`star_progress_pdf` is the whole Star progress report for one family. `readings_side_by_side`
puts every completed reading in a row of small charts, each against the one before it (dashed),
with its date, total and change, the spokes numbered and the areas named once in a key: the
several readings compared side by side, not only the latest against one.
"""

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.spider import SpiderChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from fmdesk.families import Family
from fmdesk.plans import date_text
from fmdesk.stars import (
    Instrument,
    Participation,
    StageBand,
    StarReading,
    compare_readings,
    completed_readings,
    readings_table,
)
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    FONT,
    INK,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    register_fonts,
    spacer,
    text,
)

LATEST_COLOUR = colors.HexColor("#1d5fa8")
LATEST_FILL = colors.Color(0.114, 0.373, 0.659, alpha=0.22)
FIRST_COLOUR = colors.HexColor("#c0561a")
RING_COLOUR = colors.HexColor("#c5ced8")
LABEL_SIZE = 8
LABEL_WRAP = 20  # characters per line of an area label
LEGEND_HEIGHT = 14 * mm

SHORT_PARTICIPATION = {
    Participation.TOGETHER: "Together",
    Participation.PRACTITIONER_ONLY: "Practitioner only",
    Participation.FAMILY_ONLY: "Family only",
}


def reading_label(reading: StarReading) -> str:
    """How a reading is named in the legend and table headers: its date."""
    return date_text(reading.taken_on)


def star_chart(
    instrument: Instrument,
    latest: StarReading,
    earlier: StarReading | None = None,
    *,
    width: float = CONTENT_WIDTH,
    height: float = 105 * mm,
) -> Drawing:
    """A radar chart of `latest` (filled) and, if given, `earlier` (dashed), as a Flowable.

    Spokes run clockwise from the top in the instrument's area order; the centre is 0 and the
    outer ring the top of the scale. An unscored area is drawn at the centre.
    """
    register_fonts()  # the legend measures its text in the embedded font
    drawing = Drawing(width, height)
    # The renderer starts every drawing in Helvetica unless told otherwise.
    drawing.initialFontName = FONT
    drawing.initialFontSize = LABEL_SIZE
    chart_height = height - LEGEND_HEIGHT
    # Leave room around the radar for the area labels.
    size = min(chart_height - 22 * mm, width - 90 * mm)
    chart = SpiderChart()
    chart.x = (width - size) / 2
    chart.y = LEGEND_HEIGHT + (chart_height - size) / 2
    chart.width = chart.height = size

    series = [latest] + ([earlier] if earlier is not None else [])
    rings = [band.high for band in instrument.stages]
    if rings[-1] != instrument.scale_max:
        rings.append(instrument.scale_max)
    data = [[r.score(a.id) or 0 for a in instrument.areas] for r in series]
    data += [[ring] * len(instrument.areas) for ring in rings]
    chart.data = data
    chart.labels = [textwrap.fill(a.name, LABEL_WRAP) for a in instrument.areas]

    chart.spokes.strokeColor = RING_COLOUR
    chart.spokes.strokeWidth = 0.5
    chart.spokes.labelRadius = 1.06
    # "autox" anchors each label on its side nearest the chart, so labels sit outside it.
    chart.spokeLabels.boxAnchor = "autox"
    chart.spokeLabels.fontName = FONT
    chart.spokeLabels.fontSize = LABEL_SIZE
    chart.spokeLabels.fillColor = INK
    chart.strandLabels.fontName = FONT
    chart.strandLabels.fontSize = LABEL_SIZE - 1
    chart.strands.strokeWidth = 0.5
    chart.strands.strokeColor = RING_COLOUR
    chart.strands.fillColor = None

    chart.strands[0].strokeColor = LATEST_COLOUR
    chart.strands[0].strokeWidth = 1.8
    chart.strands[0].fillColor = LATEST_FILL
    chart.strands[0].symbol = "FilledCircle"
    chart.strands[0].symbolSize = 4
    if earlier is not None:
        chart.strands[1].strokeColor = FIRST_COLOUR
        chart.strands[1].strokeWidth = 1.5
        chart.strands[1].strokeDashArray = [4, 2]
        chart.strands[1].fillColor = None
    drawing.add(chart)

    # The score of each ring, just inside it beside the first spoke, so the rings can be read.
    centre_x, centre_y = chart.x + size / 2, chart.y + size / 2
    for ring in rings:
        drawing.add(
            String(
                centre_x + 2,
                centre_y + size / 2 * ring / instrument.scale_max - LABEL_SIZE + 1,
                str(ring),
                fontName=FONT,
                fontSize=LABEL_SIZE - 2,
                fillColor=colors.HexColor("#7a8794"),
            )
        )

    entries: list[tuple[StarReading, Any, list[int] | None, str]] = [
        (latest, LATEST_COLOUR, None, "latest" if earlier is not None else "")
    ]
    if earlier is not None:
        entries.insert(0, (earlier, FIRST_COLOUR, [4, 2], "earlier"))
    legend = []
    for reading, colour, dashes, role in entries:
        label = f"Star reading of {reading_label(reading)}" + (f" ({role})" if role else "")
        legend.append((label, colour, dashes, stringWidth(label, FONT, LABEL_SIZE + 1)))
    swatch, gap = 10 * mm, 8 * mm
    total = sum(swatch + 2 * mm + w for *_, w in legend) + gap * (len(legend) - 1)
    x = max((width - total) / 2, 0)
    y = 4 * mm
    for label, colour, dashes, label_width in legend:
        drawing.add(
            Line(
                x,
                y + 3,
                x + swatch,
                y + 3,
                strokeColor=colour,
                strokeWidth=1.8,
                strokeDashArray=dashes,
            )
        )
        drawing.add(
            String(
                x + swatch + 2 * mm, y, label, fontName=FONT, fontSize=LABEL_SIZE + 1, fillColor=INK
            )
        )
        x += swatch + 2 * mm + label_width + gap
    return drawing


SIDE_BY_SIDE = 3  # small charts to a row


def star_thumbnail(
    instrument: Instrument,
    reading: StarReading,
    previous: StarReading | None,
    *,
    width: float,
    height: float,
) -> Drawing:
    """One reading as a small radar (filled), the one before it dashed, spokes numbered in the
    instrument's area order (the key names them)."""
    register_fonts()
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT
    drawing.initialFontSize = LABEL_SIZE
    size = min(width, height) - 12 * mm
    chart = SpiderChart()
    chart.x = (width - size) / 2
    chart.y = (height - size) / 2
    chart.width = chart.height = size
    series = [reading] + ([previous] if previous is not None else [])
    rings = [band.high for band in instrument.stages]
    if rings[-1] != instrument.scale_max:
        rings.append(instrument.scale_max)
    data = [[r.score(a.id) or 0 for a in instrument.areas] for r in series]
    data += [[ring] * len(instrument.areas) for ring in rings]
    chart.data = data
    chart.labels = [str(i) for i in range(1, len(instrument.areas) + 1)]
    chart.spokes.strokeColor = RING_COLOUR
    chart.spokes.strokeWidth = 0.4
    chart.spokes.labelRadius = 1.1
    chart.spokeLabels.fontName = FONT
    chart.spokeLabels.fontSize = LABEL_SIZE - 1
    chart.spokeLabels.fillColor = INK
    chart.strandLabels.fontName = FONT
    chart.strands.strokeWidth = 0.4
    chart.strands.strokeColor = RING_COLOUR
    chart.strands.fillColor = None
    chart.strands[0].strokeColor = LATEST_COLOUR
    chart.strands[0].strokeWidth = 1.4
    chart.strands[0].fillColor = LATEST_FILL
    if previous is not None:
        chart.strands[1].strokeColor = FIRST_COLOUR
        chart.strands[1].strokeWidth = 1.1
        chart.strands[1].strokeDashArray = [3, 2]
        chart.strands[1].fillColor = None
    drawing.add(chart)
    return drawing


def side_by_side_caption(reading: StarReading, previous: StarReading | None) -> tuple[str, str]:
    """(the reading's date, its total and the change since the one before) under its chart."""
    total = sum(s.score for s in reading.scores if s.score is not None)
    if previous is None:
        return reading_label(reading), f"Total {total} · the first reading"
    before = sum(s.score for s in previous.scores if s.score is not None)
    return reading_label(reading), f"Total {total} ({_signed(total - before)} since the one before)"


def readings_side_by_side(
    instrument: Instrument, readings: Sequence[StarReading], styles: Styles
) -> list[Flowable]:
    """Every completed reading of `instrument`, oldest first, as small charts side by side
    (SIDE_BY_SIDE to a row), each against the one before it, and the key to the spokes."""
    done = completed_readings(readings, instrument.id)
    if len(done) < 2:
        return []
    cell = CONTENT_WIDTH / SIDE_BY_SIDE
    cells: list[list[object]] = []
    for index, reading in enumerate(done):
        previous = done[index - 1] if index else None
        day, words = side_by_side_caption(reading, previous)
        cells.append(
            [
                star_thumbnail(instrument, reading, previous, width=cell - 4, height=52 * mm),
                Paragraph(f"<b>{text(day)}</b><br/>{text(words)}", styles.cell),
            ]
        )
    rows = []
    for first in range(0, len(cells), SIDE_BY_SIDE):
        chunk = cells[first : first + SIDE_BY_SIDE]
        chunk += [["", ""]] * (SIDE_BY_SIDE - len(chunk))
        rows.append([c[0] for c in chunk])
        rows.append([c[1] for c in chunk])
    grid = Table(rows, colWidths=[cell] * SIDE_BY_SIDE, splitByRow=True)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    key = " · ".join(f"{i} {a.name}" for i, a in enumerate(instrument.areas, 1))
    return [
        Paragraph("Each reading side by side", styles.h1),
        Paragraph(
            text(
                "Each chart is one reading (filled), with the reading before it dashed, so every "
                f"step shows, not only the first against the latest. The spokes: {key}."
            ),
            styles.small,
        ),
        spacer(1),
        grid,
    ]


def family_star_chart(
    instrument: Instrument,
    readings: Sequence[StarReading],
    *,
    width: float = CONTENT_WIDTH,
    height: float = 105 * mm,
) -> Flowable | None:
    """The first completed reading of `instrument` against the latest, for the family action
    plan (reports/plan.py takes it as `star_chart`); None when there is no completed reading.
    With one reading the chart shows just that one."""
    done = completed_readings(readings, instrument.id)
    if not done:
        return None
    earlier = done[0] if len(done) > 1 else None
    return star_chart(instrument, done[-1], earlier, width=width, height=height)


def _signed(change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return f"+{change}"
    return f"−{-change}" if change < 0 else "0"


def star_progress_pdf(
    family: Family,
    instrument: Instrument,
    readings: Sequence[StarReading],
    *,
    printed_on: dt.date,
    first: StarReading | None = None,
    latest: StarReading | None = None,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The family's Star progress report as PDF bytes.

    Shows `first` against `latest` (default: the first and latest completed readings of
    `instrument`), the table of every completed reading with the change per area and overall,
    the stage each area moved between, and the notes from the latest reading. Drafts and
    deleted readings are left out. Pure: safe to call off the GUI thread.
    """
    styles = make_styles()
    done = completed_readings(readings, instrument.id)
    title = f"Star progress: {family.name}"
    story: list[Flowable] = [
        Paragraph(text(title), styles.title),
        Paragraph(
            text(
                f"Case {family.reference} · {instrument.name} (version {instrument.version}, "
                f"scored {instrument.scale_min}–{instrument.scale_max}) · "
                f"printed on {date_text(printed_on)}"
            ),
            styles.body,
        ),
        spacer(3),
    ]
    if not done:
        story.append(Paragraph("No Star reading has been completed yet.", styles.body))
        return build_pdf(story, title=title, marking=marking, password=password)

    latest = latest or done[-1]
    first = first or (done[0] if done[0] is not latest else None)
    story.append(star_chart(instrument, latest, first))

    if first is not None:
        comparison = compare_readings(instrument, first, latest)
        story.append(Paragraph("What has changed", styles.h1))
        story.append(
            Paragraph(
                text(
                    f"From {reading_label(first)} to {reading_label(latest)}: "
                    f"{comparison.movement_text().lower()}. The total score went from "
                    f"{comparison.total_before} to {comparison.total_after} "
                    f"({_signed(comparison.total_change)})."
                ),
                styles.body,
            )
        )
        story.append(spacer(2))
        rows = []
        for area in comparison.areas:
            move = area.stage_move
            moved = "Up" if move > 0 else "Down" if move < 0 else "Same stage"
            if abs(move) > 1:
                moved += f" {abs(move)} stages"
            rows.append(
                [
                    area.name,
                    _stage_text(area.before, area.stage_before),
                    _stage_text(area.after, area.stage_after),
                    _signed(area.change),
                    moved if area.change is not None else "",
                ]
            )
        story.append(
            grid_table(
                ["Area", reading_label(first), reading_label(latest), "Change", "Stage"],
                rows,
                [50 * mm, 38 * mm, 38 * mm, 18 * mm, CONTENT_WIDTH - 144 * mm],
                styles,
            )
        )

    story.append(
        KeepTogether(
            [
                Paragraph("Readings over time", styles.h1),
                _readings_over_time(instrument, done, styles),
            ]
        )
    )
    story.extend(readings_side_by_side(instrument, done, styles))

    notes = [(instrument.area(s.area).name, s.note) for s in latest.scores if s.note.strip()]
    if notes:
        story.append(
            KeepTogether(
                [
                    Paragraph(f"Notes from the reading of {reading_label(latest)}", styles.h1),
                    grid_table(["Area", "Note"], notes, [52 * mm, CONTENT_WIDTH - 52 * mm], styles),
                ]
            )
        )

    story.append(
        KeepTogether(
            [
                Paragraph("The stages", styles.h1),
                grid_table(
                    ["Scores", "Stage", "What it means"],
                    [(s.range_text, s.name, s.description) for s in instrument.stages],
                    [18 * mm, 40 * mm, CONTENT_WIDTH - 58 * mm],
                    styles,
                ),
            ]
        )
    )
    story.append(spacer(3))
    story.append(Paragraph(text(instrument.licence), styles.small))
    return build_pdf(story, title=title, marking=marking, password=password)


def _stage_text(score: int | None, stage: StageBand | None) -> str:
    if score is None:
        return "Not scored"
    return f"{score} · {stage.name}" if stage is not None else str(score)


def _readings_over_time(
    instrument: Instrument, done: Sequence[StarReading], styles: Styles
) -> Flowable:
    table = readings_table(instrument, done)
    area_width = 52 * mm
    change_width = 20 * mm
    column = (CONTENT_WIDTH - area_width - change_width) / max(len(table.readings), 1)
    header = [
        "Area",
        *(_two_lines(date_text(r.taken_on)) for r in table.readings),
        "Change",
    ]
    rows: list[list[object]] = [
        [row.name, *("" if s is None else s for s in row.scores), _signed(row.change)]
        for row in table.rows
    ]
    rows.append(
        ["Total", *("" if t is None else t for t in table.totals), _signed(table.total_change)]
    )
    who = [
        SHORT_PARTICIPATION[r.participation] + (" · retrospective" if r.retrospective else "")
        for r in table.readings
    ]
    rows.append(["Who took part", *who, ""])
    return grid_table(
        header,
        rows,
        [area_width, *([column] * len(table.readings)), change_width],
        styles,
    )


def _two_lines(date: str) -> str:
    """ "18 August 2025" -> "18 August" over "2025", so narrow columns break in one place."""
    day_month, _, year = date.rpartition(" ")
    return f"{day_month}\n{year}"
