"""The Star as a radar chart on screen: the later reading filled, the earlier one dashed.

Drawn with QPainter so it follows the window's size and font. It mirrors the printed chart
(reports/star.py): spokes clockwise from the top in the instrument's order, the centre 0 and the
outer ring the top of the scale, a grey ring at the top of each stage, and a legend with dates.
A compact chart (the side-by-side view, ui/record/star/side_by_side.py) numbers its spokes and
leaves the legend to the caption under it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk.plans import date_text
from fmdesk.stars import Instrument, StarReading
from ui.kit.colours import BLUE, ORANGE, Colours, colours

# The hues of the two readings; what is drawn is each made to stand out from the palette's
# base (ui/kit/colours.py), so the chart reads in a dark or high-contrast theme too.
LATEST_COLOUR = BLUE
EARLIER_COLOUR = ORANGE
LABEL_WIDTH = 130  # px either side of the radar for the area names
EMPTY_TEXT = "No completed Star reading yet. Take a reading with the family to see the chart."


class StarChartWidget(QWidget):
    """Shows one reading, or two (earlier and later), of one instrument."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact
        self.instrument: Instrument | None = None
        self.latest: StarReading | None = None
        self.earlier: StarReading | None = None
        self.setAccessibleName("Star chart")
        if compact:
            self.setMinimumSize(200, 190)
        else:
            self.setMinimumSize(380, 340)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self._ink: Colours = colours(self.palette())

    @override
    def sizeHint(self) -> QSize:
        return QSize(230, 210) if self.compact else QSize(560, 480)

    def set_readings(
        self,
        instrument: Instrument | None,
        latest: StarReading | None,
        earlier: StarReading | None = None,
    ) -> None:
        """Show `latest` (filled) and, if given, `earlier` (dashed); None clears the chart."""
        self.instrument = instrument
        self.latest = latest if instrument is not None else None
        self.earlier = earlier if self.latest is not None else None
        self.setAccessibleDescription(self._describe())
        self.update()

    @property
    def labels(self) -> list[str]:
        """The area names drawn around the chart, in spoke order."""
        if self.instrument is None or self.latest is None:
            return []
        return [a.name for a in self.instrument.areas]

    @property
    def legend(self) -> list[str]:
        if self.latest is None:
            return []
        if self.earlier is None:
            return [f"Star reading of {date_text(self.latest.taken_on)}"]
        return [
            f"Star reading of {date_text(self.earlier.taken_on)} (earlier)",
            f"Star reading of {date_text(self.latest.taken_on)} (later)",
        ]

    def _describe(self) -> str:
        """The chart in words, for screen readers."""
        if self.instrument is None or self.latest is None:
            return EMPTY_TEXT
        parts = []
        for area in self.instrument.areas:
            now = self.latest.score(area.id)
            text = f"{area.name}: {'not scored' if now is None else now}"
            if self.earlier is not None:
                before = self.earlier.score(area.id)
                text += f" (was {'not scored' if before is None else before})"
            parts.append(text)
        return "; ".join([*self.legend, *parts])

    # ---- drawing ----------------------------------------------------------------------

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        self._ink = colours(self.palette())
        font = QFont(self.font())
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        if self.instrument is None or self.latest is None:
            painter.setPen(self._ink.chart_ink)
            painter.drawText(
                QRectF(self.rect()).adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                EMPTY_TEXT,
            )
            painter.end()
            return
        legend_height = 0.0 if self.compact else metrics.height() * 2 + 8
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8 - legend_height)
        if self.compact:  # numbered spokes: room for a number all round
            radius = max(min(area.width(), area.height()) / 2 - metrics.height() * 1.2, 30.0)
        else:
            # Room above and below for a label of up to three lines at the top and bottom.
            radius = max(
                min(
                    area.width() / 2 - LABEL_WIDTH - 8,
                    area.height() / 2 - metrics.height() * 3.5,
                ),
                30.0,
            )
        centre = area.center()
        self._draw_rings(painter, centre, radius)
        if self.earlier is not None:
            pen = QPen(self._ink.earlier, 2.2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(self._polygon(self.earlier, centre, radius))
        latest = self._ink.latest
        fill = QColor(latest)
        fill.setAlphaF(0.22)
        painter.setPen(QPen(latest, 2.6))
        painter.setBrush(fill)
        polygon = self._polygon(self.latest, centre, radius)
        painter.drawPolygon(polygon)
        painter.setBrush(latest)
        for point in (polygon.at(i) for i in range(polygon.size())):
            painter.drawEllipse(point, 3.5, 3.5)
        if self.compact:
            self._draw_numbers(painter, metrics, centre, radius)
        else:
            self._draw_labels(painter, metrics, centre, radius)
            self._draw_legend(painter, metrics, QRectF(8, area.bottom() + 4, area.width(), 0))
        painter.end()

    def _draw_numbers(
        self, painter: QPainter, metrics: QFontMetricsF, centre: QPointF, radius: float
    ) -> None:
        """The spokes numbered 1, 2... in the instrument's order (the compact chart's key)."""
        assert self.instrument is not None
        painter.setPen(self._ink.chart_ink)
        side = metrics.height() * 1.6
        for i in range(len(self.instrument.areas)):
            anchor = self._point(i, self.instrument.scale_max * 1.12, centre, radius)
            box = QRectF(anchor.x() - side / 2, anchor.y() - side / 2, side, side)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), str(i + 1))

    def _point(self, index: int, value: float, centre: QPointF, radius: float) -> QPointF:
        assert self.instrument is not None
        count = len(self.instrument.areas)
        angle = -math.pi / 2 + 2 * math.pi * index / count  # clockwise from the top
        length = radius * value / self.instrument.scale_max
        return QPointF(centre.x() + length * math.cos(angle), centre.y() + length * math.sin(angle))

    def _polygon(self, reading: StarReading, centre: QPointF, radius: float) -> QPolygonF:
        assert self.instrument is not None
        return QPolygonF(
            [
                self._point(i, reading.score(a.id) or 0, centre, radius)
                for i, a in enumerate(self.instrument.areas)
            ]
        )

    def _draw_rings(self, painter: QPainter, centre: QPointF, radius: float) -> None:
        assert self.instrument is not None
        count = len(self.instrument.areas)
        rings = [band.high for band in self.instrument.stages]
        if rings[-1] != self.instrument.scale_max:
            rings.append(self.instrument.scale_max)
        painter.setPen(QPen(self._ink.ring, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for ring in rings:
            painter.drawPolygon(
                QPolygonF([self._point(i, ring, centre, radius) for i in range(count)])
            )
        for i in range(count):
            painter.drawLine(centre, self._point(i, self.instrument.scale_max, centre, radius))
        small = QFont(painter.font())
        small.setPointSizeF(max(small.pointSizeF() - 2, 6))
        painter.save()
        painter.setFont(small)
        painter.setPen(self._ink.ring_text)
        for ring in rings:
            point = self._point(0, ring, centre, radius)
            painter.drawText(QPointF(point.x() + 3, point.y() + 11), str(ring))
        painter.restore()

    def _draw_labels(
        self, painter: QPainter, metrics: QFontMetricsF, centre: QPointF, radius: float
    ) -> None:
        assert self.instrument is not None
        count = len(self.instrument.areas)
        painter.setPen(self._ink.chart_ink)
        for i, area in enumerate(self.instrument.areas):
            angle = -math.pi / 2 + 2 * math.pi * i / count
            dx, dy = math.cos(angle), math.sin(angle)
            anchor = self._point(i, self.instrument.scale_max * 1.07, centre, radius)
            flags = Qt.TextFlag.TextWordWrap
            box = metrics.boundingRect(
                QRectF(0, 0, LABEL_WIDTH, 1000), int(flags | Qt.AlignmentFlag.AlignLeft), area.name
            )
            width, height = LABEL_WIDTH, box.height()
            if dx > 0.3:
                left, align = anchor.x(), Qt.AlignmentFlag.AlignLeft
            elif dx < -0.3:
                left, align = anchor.x() - width, Qt.AlignmentFlag.AlignRight
            else:
                left, align = anchor.x() - width / 2, Qt.AlignmentFlag.AlignHCenter
            if dy < -0.3:
                top = anchor.y() - height
            elif dy > 0.3:
                top = anchor.y()
            else:
                top = anchor.y() - height / 2
            painter.drawText(QRectF(left, top, width, height), int(flags | align), area.name)

    def _draw_legend(self, painter: QPainter, metrics: QFontMetricsF, line: QRectF) -> None:
        entries = self.legend
        ink = self._ink
        pens = [ink.earlier, ink.latest] if self.earlier is not None else [ink.latest]
        swatch, gap = 28.0, 24.0
        total = sum(swatch + 6 + metrics.horizontalAdvance(t) for t in entries)
        total += gap * (len(entries) - 1)
        x = max(line.left() + (line.width() - total) / 2, line.left())
        y = line.top() + metrics.height()
        for text, colour in zip(entries, pens, strict=True):
            dashed = self.earlier is not None and colour is pens[0]
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            painter.setPen(QPen(colour, 2.6, style))
            mid = y - metrics.ascent() / 3
            painter.drawLine(QPointF(x, mid), QPointF(x + swatch, mid))
            painter.setPen(ink.chart_ink)
            painter.drawText(QPointF(x + swatch + 6, y), text)
            x += swatch + 6 + metrics.horizontalAdvance(text) + gap
