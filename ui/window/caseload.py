"""The caseload: every family as a sortable, filterable table (model/view).

After the rows, a moment later (`fill_extras`, on the task runner's worker), come what is due
and late for each family (fmdesk/caseload.py's rules, read by db/caseload.py), who holds each
family on a coordinator's store, and a line saying when the last bundle went, was acknowledged
and how many changes wait (db.sync.unsent_summary), with the council's warning once they have
waited too long (db.sync.unsent_warning).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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

from fmdesk.caseload import CaseloadRow, DueSummary, due_text, matches, plural
from fmdesk.families import FamilyStatus
from fmdesk.roles import Role
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.models import ROW_ROLE, Column, RowFilterProxy, RowTableModel
from ui.kit.tasks import Task, TaskContext, TaskRunner

if TYPE_CHECKING:
    from db.caseload import CaseloadExtras


def _due_key(due: DueSummary | None) -> tuple[int, dt.date]:
    return due.sort_key if due is not None else (3, dt.date.max)


CASELOAD_COLUMNS: tuple[Column[CaseloadRow], ...] = (
    Column("Reference", lambda r: r.reference),
    Column("Family", lambda r: r.name),
    Column("Practitioner", lambda r: r.practitioner),
    Column("Status", lambda r: r.status, text=lambda s: s.label),
    Column("Intensity", lambda r: r.intensity, text=lambda i: i.label),
    Column("Children", lambda r: r.children, align_right=True),
    Column(
        "What's due",
        lambda r: r.due,
        text=lambda d: d.text if d else "",
        tooltip=lambda r: r.due.sentences() if r.due else "",
        sort_key=_due_key,
    ),
    Column(
        "Next action due",
        lambda r: r.next_action_due,
        text=lambda d: due_text(d, dt.date.today()),
        tooltip=lambda r: r.next_action or "",
    ),
    Column("Last contact", lambda r: r.last_contact),
    Column("Claim status", lambda r: r.claim_status),
    Column("Star", lambda r: r.star_due),
)
PRACTITIONER_COLUMN = 2


class DueView(enum.Enum):
    ALL = "All families"
    LATE = "Something late"
    THIS_WEEK = "Late or due this week"


# The practitioner filter's choice for families nobody holds yet.
NOBODY = "<nobody>"


class CaseloadFilterProxy(RowFilterProxy):
    """Matches the filter text against the family's name, reference and case system ID and
    any household member's name, UPN or NHS number (fmdesk.caseload.matches, the rule
    `families list --search` follows too); optionally only one status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status: FamilyStatus | None = None
        self._due = DueView.ALL
        self._practitioner: str | None = None

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange()

    def set_status(self, status: FamilyStatus | None) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange()

    def set_due(self, view: DueView) -> None:
        self.beginFilterChange()
        self._due = view
        self.endFilterChange()

    def set_practitioner(self, name: str | None) -> None:
        """Only the families `name` holds (NOBODY: those nobody holds); None: everyone's."""
        self.beginFilterChange()
        self._practitioner = name
        self.endFilterChange()

    @override
    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        row: CaseloadRow = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if self._status is not None and row.status is not self._status:
            return False
        if self._due is DueView.LATE and not row.is_late():
            return False
        if self._due is DueView.THIS_WEEK and not row.is_due_this_week():
            return False
        if self._practitioner is not None and (row.practitioner or NOBODY) != self._practitioner:
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
        self.due = QComboBox(self)
        self.due.setAccessibleName("Show what is due")
        self.due.setToolTip(
            "Late: an action, review, Star reading or consent renewal past its date. "
            "This week: due in the next 7 days."
        )
        for view in DueView:
            self.due.addItem(view.value, view.name)
        self.practitioner = QComboBox(self)
        self.practitioner.setAccessibleName("Practitioner filter")
        self.practitioner.addItem("All practitioners", None)
        self.practitioner.hide()  # a coordinator's store only
        self.count = QLabel(self)
        self.sync = QLabel(self)
        self.sync.setAccessibleName("Sync")
        self.sync.setWordWrap(True)
        self.sync.hide()
        self.sync_warning = MessageLabel(self)  # said to a screen reader (issue 16)
        self.sync_warning.setAccessibleName("Sync warning")
        self.sync_warning.setWordWrap(True)
        self.sync_warning.hide()
        self.role: Role | None = None
        self.add_button = QPushButton("&New family", self)
        self.add_button.setToolTip("Add a family (Ctrl+N)")

        top = QHBoxLayout()
        top.addWidget(self.filter, 3)
        top.addWidget(self.status, 1)
        top.addWidget(self.due, 1)
        top.addWidget(self.practitioner, 1)
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

        self.table.setColumnHidden(PRACTITIONER_COLUMN, True)  # until a coordinator's store

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.sync_warning)
        layout.addWidget(self.sync)
        layout.addWidget(self.table)

        self.filter.textChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._status_picked)
        self.due.currentIndexChanged.connect(self._due_picked)
        self.practitioner.currentIndexChanged.connect(self._practitioner_picked)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)  # Enter on a row
        self.add_button.clicked.connect(self.new_family)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_family.emit)

    def set_rows(self, rows: list[CaseloadRow]) -> None:
        self.model.set_rows(rows)
        self._update_count()
        if not rows:  # locked, or a new store: the next fill says what stands
            self.sync.hide()
            self.sync_warning.hide()

    def fill_extras(self, runner: TaskRunner) -> None:
        """What is due, who holds each family and the sync line, read on the worker after the
        rows (the main window calls it each time the caseload is read)."""

        def op(ctx: TaskContext) -> CaseloadExtras:
            from db.caseload import caseload_extras

            return caseload_extras(ctx.store, dt.date.today())

        Task(runner, op, self.show_extras, parent=self).run()

    def show_extras(self, extras: CaseloadExtras) -> None:
        self.model.update_rows(
            [
                replace(
                    r,
                    due=extras.due.get(r.family_id),
                    practitioner=extras.practitioners.get(r.family_id, ""),
                )
                for r in self.model.rows()
            ]
        )
        self.role = extras.role
        coordinator = extras.role is Role.COORDINATOR
        self.table.setColumnHidden(PRACTITIONER_COLUMN, not coordinator)
        self._fill_practitioners(sorted(set(extras.practitioners.values()) - {""}))
        self.practitioner.setVisible(coordinator)
        self.sync.setText(extras.sync_line)
        self.sync.setVisible(True)
        self.sync_warning.setText(extras.sync_warning)
        self.sync_warning.setStyleSheet(notice_style())
        self.sync_warning.setVisible(bool(extras.sync_warning))
        self._update_count()

    def _fill_practitioners(self, names: list[str]) -> None:
        chosen = self.practitioner.currentData()
        self.practitioner.blockSignals(True)
        self.practitioner.clear()
        self.practitioner.addItem("All practitioners", None)
        for name in names:
            self.practitioner.addItem(name, name)
        self.practitioner.addItem("Nobody yet", NOBODY)
        index = self.practitioner.findData(chosen) if chosen is not None else 0
        self.practitioner.setCurrentIndex(max(index, 0))
        self.practitioner.blockSignals(False)
        self.proxy.set_practitioner(self.practitioner.currentData())

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

    def _due_picked(self, _index: int) -> None:
        self.proxy.set_due(DueView[self.due.currentData()])
        self._update_count()

    def _practitioner_picked(self, _index: int) -> None:
        self.proxy.set_practitioner(self.practitioner.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        families = plural(total, "family", "families")
        self.count.setText(f"{shown} of {families}" if shown != total else families)

    def _open_index(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_family.emit(row.family_id)
