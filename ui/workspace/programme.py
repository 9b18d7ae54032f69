"""The programme dashboard page (coordinator): bars against target, each opening its families.

Each section of the dashboard is a `BarChart` painted with QPainter: a label, a bar and the
figure in words per row; against a target the bar is the count and an orange tick marks the
target. A long label (a council's problem name) wraps onto more lines and the row grows to hold
it; nothing is cut short. Clicking a bar (or choosing it with the arrow keys and pressing Enter)
opens the list of families behind it; opening one of those shows its family record. The
quarterly trend is a `TrendTable`: a row per headline figure, a column per quarter, each cell
opening its families. The page exports the whole
dashboard as a PDF and its figures as CSV, and sets the year's targets.

Beside the programme year, "As at" judges the dashboard as at the end of an earlier day: every
family with only the records it had then, as they were then (the council's "as at December"
and "as at March" snapshots). Choosing a day moves the year to the one holding it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate, QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from db import programme
from db.programme import FamilyListRow
from fmdesk.outcomes.dates import day_text
from fmdesk.programme import (
    FIRST_YEAR,
    LAST_YEAR,
    Chart,
    Dashboard,
    Figure,
    Section,
    Stage,
    csv_bytes,
    year_label,
    year_start,
)
from fmdesk.roles import Role
from fmdesk.words import families as count_families
from reports.programme import dashboard_pdf
from ui.actions import documents
from ui.kit.announce import MessageLabel
from ui.kit.colours import colours, notice_style
from ui.kit.models import Column, RowTableModel
from ui.kit.pages import WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import ElidedLabel, date_edit, make_table, record_table, selected_rows

ROW = 30  # pixels per bar (one line of label): big enough to click on a shared screen
WRAP = int(Qt.TextFlag.TextWordWrap)


class BarChart(QWidget):
    """One section's figures as horizontal bars. Emits `figure_chosen` on click or Enter."""

    figure_chosen = Signal(object)  # Figure

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.current = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.height_for(self.sizeHint().width()))
        self.setAccessibleName(f"{section.title} chart")
        self.setAccessibleDescription(
            "; ".join(f"{f.label}: {self.words(f)}" for f in section.figures)
        )
        self.setToolTip("Click a bar, or press Enter, to see the families behind it.")

    @staticmethod
    def words(figure: Figure) -> str:
        text = figure.value_text
        if figure.average is not None:
            text += f", average {figure.average:+.1f}"
        return text

    @override
    def sizeHint(self) -> QSize:
        return QSize(640, ROW * max(1, len(self.section.figures)) + 4)

    def rows(self, width: int | None = None) -> list[tuple[int, int]]:
        """(top, height) of each figure's row at `width` (default: the chart's): a row is one
        bar high, or as high as its label and words need when they wrap."""
        width = self.width() if width is None else width
        label_width, left, bar_width = self._layout(width)
        value_width = max(40, int(width - left - bar_width - 8))
        metrics = QFontMetrics(self.font())
        rows, top = [], 2
        for figure in self.section.figures:
            needed = max(
                metrics.boundingRect(
                    QRect(0, 0, int(label_width), 10_000), WRAP, figure.label
                ).height(),
                metrics.boundingRect(
                    QRect(0, 0, value_width, 10_000), WRAP, self.words(figure)
                ).height(),
            )
            height = max(ROW, needed + 10)
            rows.append((top, height))
            top += height
        return rows

    def height_for(self, width: int) -> int:
        rows = self.rows(width)
        return (rows[-1][0] + rows[-1][1] + 2) if rows else ROW + 4

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A narrower chart wraps more: it grows to hold its rows (the page scrolls).
        wanted = self.height_for(event.size().width())
        if wanted != self.height():
            self.setFixedHeight(wanted)

    def fullness(self, figure: Figure) -> tuple[float, float | None]:
        figures = self.section.figures
        if self.section.chart is Chart.TARGET:
            top = max([1, *(max(f.value, f.target or 0) for f in figures)])
            return figure.value / top, (figure.target / top if figure.target else None)
        if self.section.chart is Chart.SHARE:
            return (figure.value / figure.of if figure.of else 0.0), None
        top = max([1, *(f.value for f in figures)])
        return figure.value / top, None

    def _layout(self, width: int | None = None) -> tuple[float, float, float]:
        """(label width, bar start, bar width) for `width` (default: the widget's)."""
        width = self.width() if width is None else width
        label = min(260.0, width * 0.34)
        value = min(230.0, width * 0.3)
        return label, label + 8, max(40.0, width - label - value - 16)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_width, left, bar_width = self._layout()
        text_colour = self.palette().text().color()
        # Bars, track and target tick from the palette (ui/kit/colours.py), each 3:1 against
        # what it meets; the bar with focus gets a frame (its fill was 1.07:1, unseen).
        ink = colours(self.palette())
        for index, (figure, (top, height)) in enumerate(
            zip(self.section.figures, self.rows(), strict=True)
        ):
            if index == self.current and self.hasFocus():
                painter.setPen(QPen(ink.focus, 2))
                painter.drawRect(QRectF(1, top + 1, self.width() - 2, height - 2))
            painter.setPen(text_colour)
            # The whole label, wrapped: a council's long problem name is never cut short.
            painter.drawText(
                QRectF(0, top, label_width, height),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft) | WRAP,
                figure.label,
            )
            bar_top = top + (height - (ROW - 12)) / 2
            track = QRectF(left, bar_top, bar_width, ROW - 12)
            painter.fillRect(track, ink.track)
            filled, tick = self.fullness(figure)
            met = figure.target is not None and figure.value >= figure.target > 0
            if filled > 0:
                painter.fillRect(
                    QRectF(left, bar_top, bar_width * min(filled, 1.0), ROW - 12),
                    ink.bar_met if met else ink.bar,
                )
            if tick is not None:
                x = left + bar_width * min(tick, 1.0)
                painter.setPen(QPen(ink.target, 3))
                painter.drawLine(int(x), int(bar_top) - 4, int(x), int(bar_top) + ROW - 8)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(left + bar_width + 8, top, self.width() - left - bar_width - 8, height),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft) | WRAP,
                self.words(figure),
            )
        painter.end()

    def figure_at(self, y: float) -> int | None:
        for index, (top, height) in enumerate(self.rows()):
            if top <= y < top + height:
                return index
        return None

    @override
    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.figure_at(event.position().y())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.current = index
            self.update()
            self.figure_chosen.emit(self.section.figures[index])

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        count = len(self.section.figures)
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and count:
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            self.current = (self.current + step) % count
            self.update()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and count:
            self.figure_chosen.emit(self.section.figures[self.current])
        else:
            super().keyPressEvent(event)

    @override
    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    @override
    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


@dataclasses.dataclass(frozen=True)
class TrendRow:
    """One headline figure across the quarters: a cell per period, and the year."""

    series: str
    cells: tuple[Figure, ...]
    year: Figure


def trend_rows(section: Section) -> list[TrendRow]:
    rows = []
    for series in dict.fromkeys(f.series for f in section.figures):
        cells = tuple(f for f in section.figures if f.series == series)
        families = tuple(sorted({fid for f in cells for fid in f.families}))
        total = Figure(
            f"{series}:year",
            f"{series}, the year",
            sum(f.value for f in cells),
            families,
            money=any(f.money for f in cells),
        )
        rows.append(TrendRow(series, cells, total))
    return rows


def _cell_text(figure: Figure) -> str:
    return "–" if figure.note else figure.value_text


def _period_column(period: str, n: int) -> Column[TrendRow]:
    def tip(row: TrendRow) -> str:
        cell = row.cells[n]
        return cell.label + (f": {cell.note}" if cell.note else "")

    return Column(period, lambda r: _cell_text(r.cells[n]), align_right=True, tooltip=tip)


class TrendTable(QWidget):
    """A trend section as a table: a row per headline figure, a column per quarter and the
    year. Enter or a double click on a cell emits `figure_chosen` with that cell's figure."""

    figure_chosen = Signal(object)  # Figure

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        rows = trend_rows(section)
        periods = [f.period for f in rows[0].cells] if rows else []
        columns: list[Column[TrendRow]] = [Column("Figure", lambda r: r.series)]
        for n, period in enumerate(periods):
            columns.append(_period_column(period, n))
        columns.append(Column("Year", lambda r: r.year.value_text, align_right=True))
        self.model: RowTableModel[TrendRow] = RowTableModel(columns, self)
        self.model.set_rows(rows)
        self.table = record_table(self, f"{section.title} table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.table.setToolTip("Press Enter, or double-click a cell, to see its families.")
        self.table.activated.connect(self._chosen)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(64)
        header.setResizeContentsPrecision(-1)  # every row: there are only a few
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addStretch(1)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        frame = 2 * self.table.frameWidth()
        self.table.setFixedSize(
            header.length() + frame + 2,
            header.sizeHint().height() + self.table.verticalHeader().length() + frame + 2,
        )

    def figure_in(self, index: QModelIndex) -> Figure | None:
        if not index.isValid() or index.column() == 0:
            return None
        row = self.model.row_at(index.row())
        if index.column() <= len(row.cells):
            return row.cells[index.column() - 1]
        return row.year

    def _chosen(self, index: QModelIndex) -> None:
        figure = self.figure_in(index)
        if figure is not None:
            self.figure_chosen.emit(figure)


FAMILY_COLUMNS: tuple[Column[FamilyListRow], ...] = (
    Column("Reference", lambda r: r.reference),
    Column("Family", lambda r: r.name),
    Column("Status", lambda r: r.status, text=lambda s: s.label),
    Column("Intensity", lambda r: r.intensity),
    Column("Practitioner", lambda r: r.practitioner),
    Column("Postcode", lambda r: r.postcode),
    Column("Identified", lambda r: r.identified_on),
)


class FamiliesDialog(QDialog):
    """The families behind a figure. Enter or a double click opens one."""

    open_family = Signal(str)

    def __init__(self, title: str, rows: Sequence[FamilyListRow], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 460)
        self.model: RowTableModel[FamilyListRow] = RowTableModel(FAMILY_COLUMNS, self)
        self.model.set_rows(rows)
        self.table = make_table(self.model, f"Families: {title}")
        self.table.doubleClicked.connect(lambda _: self._open())
        heading = QLabel(f"{len(rows)} famil{'y' if len(rows) == 1 else 'ies'}: {title}")
        heading.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("&Open family", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self._open)
        if rows:
            self.table.selectRow(0)

    def _open(self) -> None:
        chosen = selected_rows(self.table)
        if chosen:
            self.open_family.emit(chosen[0].family_id)
            self.accept()


class TargetsDialog(QDialog):
    """The year's targets beside the whole programme's (families over every year of it, such
    as 685 turned around by April 2015): a row per stage, a column for each."""

    def __init__(
        self,
        year: int,
        current: dict[Stage, int],
        parent: QWidget | None = None,
        whole: dict[Stage, int] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Targets for {year_label(year)} and the whole programme")
        grid = QGridLayout()
        grid.addWidget(QLabel(f"<b>{year_label(year)}</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Whole programme</b>"), 0, 2)
        self.spins: dict[Stage, QSpinBox] = {}
        self.whole_spins: dict[Stage, QSpinBox] = {}
        for row, stage in enumerate(Stage, 1):
            label = QLabel(f"Families {stage.label.lower()}:")
            grid.addWidget(label, row, 0)
            for column, (spins, values, name) in enumerate(
                (
                    (self.spins, current, f"{stage.label} target for {year_label(year)}"),
                    (self.whole_spins, whole or {}, f"{stage.label} target, whole programme"),
                ),
                1,
            ):
                spin = QSpinBox(self)
                spin.setRange(0, 100_000)
                spin.setSpecialValueText("not set")
                spin.setValue(values.get(stage, 0))
                spin.setAccessibleName(name)
                grid.addWidget(spin, row, column)
                spins[stage] = spin
                if column == 1:
                    label.setBuddy(spin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(buttons)

    def values(self) -> dict[Stage, int | None]:
        return {stage: (spin.value() or None) for stage, spin in self.spins.items()}

    def whole_values(self) -> dict[Stage, int | None]:
        return {stage: (spin.value() or None) for stage, spin in self.whole_spins.items()}


class ProgrammePage(WorkspacePage):
    title = "Programme &dashboard"
    shortcut = "Ctrl+6"
    roles = (Role.COORDINATOR,)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.dashboard: Dashboard | None = None
        self.charts: list[BarChart] = []
        self.trends: list[TrendTable] = []
        # Shortened with "…" when the window is narrow (1280 px), so the buttons beside it stay
        # on screen; the whole title is its tooltip and accessible name.
        self.heading = ElidedLabel("Programme dashboard", self)
        heading_font = QFont(self.font())
        heading_font.setPointSizeF(18)
        heading_font.setWeight(QFont.Weight.DemiBold)
        self.heading.setFont(heading_font)
        self.year = QSpinBox(self)
        self.year.setRange(FIRST_YEAR, LAST_YEAR)
        self.year.setValue(
            dt.date.today().year if dt.date.today().month >= 4 else dt.date.today().year - 1
        )
        self.year.setPrefix("Year starting April ")
        self.year.setAccessibleName("Programme year")
        self.year.valueChanged.connect(lambda _: self.refresh())
        self.as_at = date_edit(self, "As at")
        self.as_at.setMaximumDate(QDate.currentDate())
        self.as_at.setToolTip(
            "Work the figures out as they stood at the end of this day: only the records each "
            "family had then, as they were then."
        )
        self.as_at.dateChanged.connect(lambda _: self._as_at_changed())
        as_at_label = QLabel("As &at:")
        as_at_label.setBuddy(self.as_at)
        self.targets_button = QPushButton("Set &targets…")
        self.pdf_button = QPushButton("Export &PDF…")
        self.csv_button = QPushButton("Export &CSV…")
        self.refresh_button = QPushButton("&Refresh")
        for button, slot, shortcut in (
            (self.targets_button, self.edit_targets, None),
            (self.pdf_button, self.export_pdf, "Ctrl+P"),
            (self.csv_button, self.export_csv, "Ctrl+E"),
            (self.refresh_button, self.refresh, "F5"),
        ):
            button.clicked.connect(slot)
            button.setMinimumHeight(34)
            if shortcut:
                button.setShortcut(QKeySequence(shortcut))
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        for w in (
            self.year,
            as_at_label,
            self.as_at,
            self.targets_button,
            self.pdf_button,
            self.csv_button,
            self.refresh_button,
        ):
            top.addWidget(w)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addStretch(1)
        # Warnings about the day judged (a framework's school terms that do not reach it).
        self.notices = MessageLabel(self)  # said to a screen reader (issue 16)
        self.notices.setWordWrap(True)
        self.notices.setAccessibleName("Dashboard notices")
        self.notices.setStyleSheet(notice_style())
        self.notices.hide()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notices)
        layout.addWidget(scroll, 1)

    # ---- loading ------------------------------------------------------------------------

    def as_at_day(self) -> dt.date | None:
        """The day the dashboard is judged as at: None for today."""
        day = cast(dt.date, self.as_at.date().toPython())
        return None if day >= dt.date.today() else day

    def _as_at_changed(self) -> None:
        day = cast(dt.date, self.as_at.date().toPython())
        self.year.blockSignals(True)
        self.year.setValue(year_start(day))
        self.year.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        year = self.year.value()
        as_at = self.as_at_day()

        def op(ctx: TaskContext) -> Dashboard:
            return programme.load_dashboard(ctx.store, year=year, as_at=as_at)

        Task(self.runner, op, self.show_dashboard, parent=self).with_progress(
            "Working out the programme's figures…"
        ).run()

    def show_dashboard(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        as_at = "" if dashboard.today >= dt.date.today() else f" as at {day_text(dashboard.today)}"
        self.heading.setText(
            f"Programme dashboard {dashboard.year_label}{as_at} · "
            f"{count_families(dashboard.family_count)}"
        )
        self.notices.setText("\n".join(f"Warning: {n}" for n in dashboard.notices))
        self.notices.setVisible(bool(dashboard.notices))
        self._clear_body()
        for section in dashboard.sections:
            title = QLabel(f"<b>{section.title}</b>")
            title.setStyleSheet("font-size: 13pt; margin-top: 10px;")
            self.body_layout.insertWidget(self.body_layout.count() - 1, title)
            if section.note:
                note = QLabel(section.note)
                note.setWordWrap(True)
                self.body_layout.insertWidget(self.body_layout.count() - 1, note)
            if not section.figures:
                self.body_layout.insertWidget(
                    self.body_layout.count() - 1, QLabel("Nothing to show yet.")
                )
                continue
            if section.chart is Chart.TREND:
                trend = TrendTable(section, self.body)
                trend.figure_chosen.connect(lambda figure, s=section: self.show_families(s, figure))
                self.body_layout.insertWidget(self.body_layout.count() - 1, trend)
                self.trends.append(trend)
                continue
            chart = BarChart(section, self.body)
            chart.figure_chosen.connect(lambda figure, s=section: self.show_families(s, figure))
            self.body_layout.insertWidget(self.body_layout.count() - 1, chart)
            self.charts.append(chart)

    def _clear_body(self) -> None:
        self.charts = []
        self.trends = []
        while self.body_layout.count() > 1:
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None:
                widget.deleteLater()

    def clear(self) -> None:
        self.dashboard = None
        self._clear_body()
        self.heading.setText("Programme dashboard")
        self.notices.hide()

    # ---- the families behind a figure ---------------------------------------------------

    def show_families(self, section: Section, figure: Figure) -> None:
        ids = figure.families
        title = f"{section.title} — {figure.label} ({BarChart.words(figure)})"

        def op(ctx: TaskContext) -> list[FamilyListRow]:
            return programme.family_rows(ctx.store, ids)

        def done(rows: list[FamilyListRow]) -> None:
            self.families_dialog = FamiliesDialog(title, rows, self)
            self.families_dialog.open_family.connect(self.open_family)
            self.families_dialog.show()

        Task(self.runner, op, done, parent=self).run()

    # ---- targets and exports ------------------------------------------------------------

    def edit_targets(self) -> None:
        year = self.year.value()

        def op(ctx: TaskContext) -> tuple[dict[Stage, int], dict[Stage, int]]:
            return (
                programme.get_targets(ctx.store).get(year, {}),
                programme.get_programme_target(ctx.store),
            )

        Task(self.runner, op, lambda both: self._ask_targets(year, *both), parent=self).run()

    def _ask_targets(
        self, year: int, current: dict[Stage, int], whole: dict[Stage, int] | None = None
    ) -> None:
        self.targets_dialog = TargetsDialog(year, current, self, whole=whole or {})
        if self.targets_dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = self.targets_dialog.values()
        whole_values = self.targets_dialog.whole_values()

        def op(ctx: TaskContext) -> None:
            with ctx.store.transaction():  # both or neither
                programme.set_targets(ctx.store, year, values)
                programme.set_programme_target(ctx.store, whole_values)

        Task(self.runner, op, lambda _: self.refresh(), parent=self).run()

    def export_pdf(self) -> None:
        board = self.dashboard
        if board is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the dashboard", f"programme-dashboard-{board.year}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        Task(
            self.runner,
            lambda ctx: documents.save(path, dashboard_pdf(board)),
            lambda written: self._saved(written),
            parent=self,
        ).with_progress("Making the dashboard PDF…").run()

    def export_csv(self) -> None:
        board = self.dashboard
        if board is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the figures", f"programme-figures-{board.year}.csv", "CSV (*.csv)"
        )
        if not path:
            return
        data = csv_bytes(board.csv_rows())

        def op(ctx: TaskContext) -> Path:
            return documents.save(path, data)

        Task(self.runner, op, self._saved, parent=self).run()

    def _saved(self, path: Path) -> None:
        window = self.window()
        status = getattr(window, "statusBar", None)
        if status is not None:
            status().showMessage(f"Saved {path}", 5000)
