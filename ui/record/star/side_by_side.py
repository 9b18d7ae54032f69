"""Every completed reading of a Star side by side: one small chart per reading, oldest first,
each against the one before it (dashed), with its date, total and change under it, and a key to
the numbered spokes, in a scrolling grid. It shows every step, not only the latest against one;
the printed report has the same (reports/star.py readings_side_by_side)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from fmdesk.stars import Instrument, StarReading
from reports.star import side_by_side_caption
from ui.record.star.chart import StarChartWidget

PER_ROW = 3


class StarSideBySide(QScrollArea):
    """The readings of one instrument as small charts in rows of PER_ROW."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("Every reading side by side")
        self.charts: list[StarChartWidget] = []
        self.captions: list[QLabel] = []
        self.key = QLabel(self)
        self.key.setWordWrap(True)
        self.key.setAccessibleName("Key to the spokes")
        self._content = QWidget(self)
        self._grid = QGridLayout()
        layout = QVBoxLayout(self._content)
        layout.addWidget(self.key)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        self.setWidget(self._content)

    def set_readings(self, instrument: Instrument | None, done: Sequence[StarReading]) -> None:
        """Show `done` (completed readings of `instrument`, oldest first)."""
        for widget in (*self.charts, *self.captions):
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self.charts, self.captions = [], []
        if instrument is None or not done:
            self.key.setText("No reading has been completed yet.")
            return
        self.key.setText(
            "Each chart is one reading (filled), with the reading before it dashed. Spokes: "
            + " · ".join(f"{i} {a.name}" for i, a in enumerate(instrument.areas, 1))
        )
        for index, reading in enumerate(done):
            previous = done[index - 1] if index else None
            chart = StarChartWidget(self._content, compact=True)
            chart.set_readings(instrument, reading, previous)
            day, words = side_by_side_caption(reading, previous)
            caption = QLabel(f"<b>{day}</b><br>{words}", self._content)
            caption.setAccessibleName(f"{day}: {words}")
            row, column = divmod(index, PER_ROW)
            self._grid.addWidget(chart, row * 2, column)
            self._grid.addWidget(caption, row * 2 + 1, column)
            self.charts.append(chart)
            self.captions.append(caption)
