"""The Plan tab's "Versions and changes" panel: every version of the plan (when and where it was
agreed, the next review, how many goals and actions) and, for the chosen one, what changed from
the version before, in words.

A view with nothing to edit: the tab hands it the plans (`show_plans`) and may `choose` the
version to show next (one it has just made); the panel keeps the chosen version.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from db.plans import PlanRecord
from fmdesk.plans import FamilyPlan, plan_differences
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.widgets import record_table, stretch_column
from ui.record.plan.rows import index_of, select_row

VERSION_COLUMNS: tuple[Column[FamilyPlan], ...] = (
    Column("Version", lambda p: p.version, align_right=True),
    Column("Agreed on", lambda p: p.made_on),
    Column("Where", lambda p: p.made_at),
    Column("Next review", lambda p: p.next_review),
    Column("Goals", lambda p: len(p.goals), align_right=True),
    Column("Actions", lambda p: len(p.actions), align_right=True),
)


class VersionsPanel(QWidget):
    """The versions list above what changed in the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._versions: list[FamilyPlan] = []
        self._names: Mapping[str, str] = {}  # person id -> name, for the changes to actions
        self._version_id: str | None = None
        self._refreshing = False

        self.version_model: RowTableModel[FamilyPlan] = RowTableModel(VERSION_COLUMNS, self)
        self.versions_view = record_table(self, "Plan versions")
        self.versions_view.setModel(self.version_model)
        stretch_column(self.versions_view, 2)
        self.changes_heading = QLabel(self)
        self.changes = QPlainTextEdit(self)
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("Changes from the version before")
        layout = QVBoxLayout(self)
        layout.addWidget(self.versions_view, 1)
        layout.addWidget(self.changes_heading)
        layout.addWidget(self.changes, 2)
        self.versions_view.selectionModel().currentRowChanged.connect(self._version_chosen)

    def show_plans(self, plans: PlanRecord | None) -> None:
        """List the versions of `plans`, the chosen one (else the current one) selected."""
        self._versions = list(plans.versions) if plans else []
        self._names = plans.names if plans else {}
        current = plans.current if plans else None
        self._refreshing = True
        try:
            chosen = select_row(
                self.versions_view,
                self.version_model,
                self._versions,
                self._version_id or (current.id if current else None),
            )
        finally:
            self._refreshing = False
        self._version_id = chosen.id if chosen else None
        self._show_changes()

    def choose(self, plan_id: str) -> None:
        """Select version `plan_id` when it is next shown."""
        self._version_id = plan_id

    def clear(self) -> None:
        """Forget the chosen version (another family, or lock)."""
        self._version_id = None

    def _version_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._version_id = current.data(ROW_ROLE).id
            self._show_changes()

    def _show_changes(self) -> None:
        versions = self._versions
        index = index_of(versions, self._version_id)
        if index is None:
            self.changes_heading.setText("")
            self.changes.setPlainText("")
            return
        version = versions[index]
        if index == 0:
            self.changes_heading.setText(f"Version {version.version} is the first plan.")
            self.changes.setPlainText("")
            return
        before = versions[index - 1]
        self.changes_heading.setText(
            f"What changed from version {before.version} to version {version.version}:"
        )
        found = plan_differences(before, version, self._names)
        self.changes.setPlainText(
            "\n".join(f"• {c}" for c in found) if found else "Nothing has changed yet."
        )
