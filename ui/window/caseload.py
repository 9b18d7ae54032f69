"""The caseload: every family as a sortable, filterable table (model/view)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk.caseload import CaseloadRow, matches
from fmdesk.families import FamilyStatus
from ui.kit.models import ROW_ROLE, Column, RowFilterProxy, RowTableModel

CASELOAD_COLUMNS: tuple[Column[CaseloadRow], ...] = (
    Column("Reference", lambda r: r.reference),
    Column("Family", lambda r: r.name),
    Column("Status", lambda r: r.status, text=lambda s: s.label),
    Column("Intensity", lambda r: r.intensity, text=lambda i: i.label),
    Column("Children", lambda r: r.children, align_right=True),
    Column("Next action due", lambda r: r.next_action_due, tooltip=lambda r: r.next_action or ""),
    Column("Last contact", lambda r: r.last_contact),
    Column("Claim status", lambda r: r.claim_status),
    Column("Star", lambda r: r.star_due),
)


class CaseloadFilterProxy(RowFilterProxy):
    """Matches the filter text against the family's name, reference and case system ID and
    any household member's name, UPN or NHS number (fmdesk.caseload.matches, the rule
    `families list --search` follows too); optionally only one status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status: FamilyStatus | None = None

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange()

    def set_status(self, status: FamilyStatus | None) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange()

    @override
    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        row: CaseloadRow = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if self._status is not None and row.status is not self._status:
            return False
        return matches(row, self._text)


class CaseloadPage(QWidget):
    open_family = Signal(str)  # family id
    new_family = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowTableModel[CaseloadRow] = RowTableModel(CASELOAD_COLUMNS, self)
        self.proxy = CaseloadFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(
            "Filter by name, reference, case system ID, UPN or NHS number (Ctrl+F)"
        )
        self.filter.setAccessibleName("Filter caseload")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status filter")
        self.status.addItem("All statuses", None)
        for s in FamilyStatus:
            self.status.addItem(s.label, s)
        self.count = QLabel(self)
        self.add_button = QPushButton("&New family", self)
        self.add_button.setToolTip("Add a family (Ctrl+N)")

        top = QHBoxLayout()
        top.addWidget(self.filter, 3)
        top.addWidget(self.status, 1)
        top.addWidget(self.count)
        top.addWidget(self.add_button)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Caseload")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Every column fits its text and the last takes any spare width: on a narrow window
        # (200% scaling on a laptop) the table scrolls sideways rather than squeezing the
        # family's name to nothing, as a stretched name column did.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Fit columns to the rows on screen only: measuring all 3,000 rows' text on every reset
        # and sort cost seconds (benchmarks/bench_app.py).
        header.setResizeContentsPrecision(0)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

        self.filter.textChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._status_picked)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)  # Enter on a row
        self.add_button.clicked.connect(self.new_family)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_family.emit)

    def set_rows(self, rows: list[CaseloadRow]) -> None:
        self.model.set_rows(rows)
        self._update_count()

    def show_claim_status(self, statuses: dict[str, str]) -> None:
        """Fill the Claim status column, which is worked out after the rows are listed."""
        self.model.update_rows(
            [replace(r, claim_status=statuses.get(r.family_id, "")) for r in self.model.rows()]
        )

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def select_family(self, family_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).family_id == family_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _status_picked(self, _index: int) -> None:
        data = self.status.currentData()  # Qt hands a StrEnum back as a plain str
        self._status_changed(None if data is None else FamilyStatus(data))

    def _status_changed(self, status: FamilyStatus | None) -> None:
        self.proxy.set_status(status)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(
            f"{shown} of {total} families" if shown != total else f"{total} families"
        )

    def _open_index(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_family.emit(row.family_id)
