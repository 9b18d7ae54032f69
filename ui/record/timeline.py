"""The Timeline tab: the family's whole case history (fmdesk/chronology.py, read from the store's
history by db/history.py family_chronology), newest first, each event with who recorded it and
when: assessments, Star readings, plan versions, TAF meetings, evidence, status changes,
removals and corrections, the household, consent and notes.

A choice of kind filters the list (a RowFilterProxy over the RowTableModel); an event whose record
was recorded in error is struck through and says so. "Recorded in error…" marks the chosen
event's record (a consent, person, note, Star reading or outcome evidence) with a reason; "Print
chronology…" and "Save as PDF…" print what the list shows (reports/chronology.py), with the
marking asked for first, through the print preview (ui/kit/print_preview.py).

Every read and write is a Task (FeatureTab.read and .write); the tab reloads when any record of
the family changes, once it is on screen.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget
from typing_extensions import override  # typing.override arrives in Python 3.12

from db.history import family_chronology, record_in_error
from fmdesk.chronology import ChronologyEvent, EventKind, kinds_present
from fmdesk.records import RECORD_KINDS
from ui.actions.chronology import build_chronology_pdf
from ui.kit.models import ROW_ROLE, Column, Index, RowFilterProxy, RowTableModel
from ui.kit.pages import FeatureTab
from ui.kit.tasks import TaskRunner
from ui.kit.widgets import button_row, record_table, stretch_column
from ui.record.in_error import IN_ERROR_SUFFIX, InErrorDialog
from ui.record.plan.printing import PlanPrinter

ALL_KINDS = "All kinds"

TIMELINE_COLUMNS: tuple[Column[ChronologyEvent], ...] = (
    Column("Date", lambda e: e.on),
    Column("Kind", lambda e: e.kind, text=lambda k: k.label),
    Column("What", lambda e: e.what),
    Column("Detail", lambda e: e.detail),
    Column("Recorded by", lambda e: e.by or "Not known"),
    Column("Recorded", lambda e: e.recorded_at, text=lambda _: ""),
)
WHAT, DETAIL, RECORDED = 2, 3, 5


class TimelineModel(RowTableModel[ChronologyEvent]):
    """The events; one whose record is recorded in error is struck through and says so."""

    @override
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        event = self.row_at(index.row())
        if index.column() == RECORDED and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return event.recorded_text
        value = super().data(index, role)
        if not event.struck:
            return value
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if index.column() == WHAT and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return f"{value}{IN_ERROR_SUFFIX}"
        return value


class KindFilter(RowFilterProxy):
    """Only the events of one kind (None: every kind)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind: EventKind | None = None

    def set_kind(self, kind: EventKind | None) -> None:
        self.beginFilterChange()
        self.kind = kind
        self.endFilterChange()

    @override
    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.kind is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, TimelineModel)
        return model.row_at(source_row).kind is self.kind


class TimelineTab(FeatureTab):
    title = "Timeline"
    # Every kind of record of the family is in its history.
    shows: ClassVar[frozenset[str]] = frozenset(RECORD_KINDS)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.model = TimelineModel(TIMELINE_COLUMNS, self)
        self.proxy = KindFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = record_table(self, "Timeline")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(False)
        stretch_column(self.view, DETAIL)
        self.kind_choice = QComboBox(self)
        self.kind_choice.setAccessibleName("Show events of kind")
        self.kind_choice.addItem(ALL_KINDS, None)
        kind_label = QLabel("&Kind:", self)
        kind_label.setBuddy(self.kind_choice)
        self.in_error_button = QPushButton("Recorded in &error…", self)
        self.in_error_button.setToolTip(
            "Mark the chosen event's record (a person, consent, note, Star reading or outcome "
            "evidence) as entered by mistake, saying why"
        )
        self.print_button = QPushButton("&Print chronology…", self)
        self.print_button.setToolTip(
            "Print what the list shows, with the marking, for supervision, a court or a "
            "subject access request"
        )
        self.save_button = QPushButton("Save as P&DF…", self)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Timeline summary")
        layout = QVBoxLayout(self)
        layout.addLayout(
            button_row(
                kind_label,
                self.kind_choice,
                self.in_error_button,
                self.print_button,
                self.save_button,
            )
        )
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.printer = PlanPrinter(runner, self, showing=lambda: self.record is not None)

        self.kind_choice.currentIndexChanged.connect(self._filter)
        self.in_error_button.clicked.connect(self.mark_chosen)
        self.print_button.clicked.connect(self.print_chronology)
        self.save_button.clicked.connect(self.save_chronology)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    # ---- reading --------------------------------------------------------------------------

    @override
    def reload(self) -> None:
        if self.record is None:
            return
        family_id = self.record.family.id
        self.read(lambda ctx: family_chronology(ctx.store, family_id), self.show_events)

    def show_events(self, events: list[ChronologyEvent]) -> None:
        kind = self.proxy.kind
        self.model.set_rows(events)
        self.kind_choice.blockSignals(True)
        self.kind_choice.clear()
        self.kind_choice.addItem(ALL_KINDS, None)
        for present in kinds_present(events):
            self.kind_choice.addItem(present.label, present.value)
        found = self.kind_choice.findData(kind.value if kind else None)
        self.kind_choice.setCurrentIndex(max(found, 0))
        self.kind_choice.blockSignals(False)
        self._filter()

    @override
    def clear(self) -> None:
        super().clear()
        self.model.set_rows([])
        self.summary.clear()

    def chosen(self) -> ChronologyEvent | None:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _filter(self, *_: object) -> None:
        value = self.kind_choice.currentData()
        self.proxy.set_kind(EventKind(value) if value else None)
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        marked = sum(1 for e in self.model.rows() if e.struck)
        words = f"{shown} of {total} events" if shown != total else f"{total} events"
        if marked:
            words += f" · {marked} about records recorded in error (struck through)"
        self.summary.setText(words)
        self._enable()

    def _enable(self) -> None:
        read_only = self.record is None or self.record.family.is_read_only
        event = self.chosen()
        self.in_error_button.setEnabled(not read_only and event is not None and event.correctable)
        has_events = self.proxy.rowCount() > 0
        self.print_button.setEnabled(has_events)
        self.save_button.setEnabled(has_events)

    # ---- writing ----------------------------------------------------------------------------

    def mark_chosen(self) -> None:
        """Ask why the chosen event's record was recorded in error, then mark it."""
        event = self.chosen()
        if event is None or not event.correctable or self.record is None:
            return
        dialog = InErrorDialog(event.record_kind, f"{event.what}: {event.detail}", self)
        if dialog.exec() != InErrorDialog.DialogCode.Accepted:
            return
        reason = dialog.value()
        self.write(
            lambda ctx: record_in_error(ctx.store, event.record_id, reason),
            lambda _: self.reload(),
        )

    # ---- printing ---------------------------------------------------------------------------

    def _kinds(self) -> tuple[EventKind, ...]:
        return (self.proxy.kind,) if self.proxy.kind is not None else ()

    def print_chronology(self) -> None:
        if self.record is None:
            return
        family, kinds = self.record.family, self._kinds()
        self.printer.print_pdf(
            lambda ctx, marking: build_chronology_pdf(
                ctx.store, family.id, kinds=kinds, marking=marking
            ),
            title=f"Chronology – {family.name} ({family.reference})",
            what="chronology",
        )

    def save_chronology(self) -> None:
        if self.record is None:
            return
        family, kinds = self.record.family, self._kinds()
        self.printer.save_pdf(
            lambda ctx, marking, password: build_chronology_pdf(
                ctx.store, family.id, kinds=kinds, marking=marking, password=password
            ),
            name=f"Chronology {family.reference}.pdf",
            caption="Save the chronology as PDF",
            what="chronology",
        )
