""" "Recorded in error" on the family record: the dialog that asks why, and the table model that
shows a marked record struck through, with who marked it, when and why.

A record entered by mistake (a person, a consent, a note, a Star reading, outcome evidence) is
never deleted from the record: it is marked (fmdesk/records.py mark_in_error, through
db/history.py record_in_error on the worker), stays in its list struck through and in the
Timeline, and drops out of every figure and claim.
"""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk.records import CORRECTABLE_KINDS, ErrorMark
from ui.kit.dialogs import FormDialog
from ui.kit.models import Index, RowTableModel

T = TypeVar("T")

IN_ERROR_SUFFIX = " (recorded in error)"


def mark_text(mark: ErrorMark) -> str:
    """'Recorded in error by Pat Keyworker on 7 Dec 2026: entered on the wrong family'."""
    local = mark.at.astimezone()
    who = f" by {mark.by}" if mark.by else ""
    return f"Recorded in error{who} on {local.day} {local:%b %Y}: {mark.reason}"


class InErrorDialog(FormDialog):
    """Asks why the record of `kind` (a Record KIND: "person", "consent"...) described by
    `summary` was recorded in error. OK is refused until a reason is given."""

    def __init__(self, kind: str, summary: str, parent: QWidget | None = None) -> None:
        what = CORRECTABLE_KINDS.get(kind, "record")
        super().__init__(f"Mark this {what} as recorded in error", parent)
        self.what = what
        intro = QLabel(
            f"<b>{_escape(summary)}</b><br>Mark this {what} as entered by mistake. It stays in "
            "the record and its history, struck through, with your name, the time and the "
            "reason, and no longer counts in any figure or claim. This cannot be undone.",
            self,
        )
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Why it was recorded in error")
        self.reason.setPlaceholderText("e.g. Entered on the wrong family; a duplicate of…")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        self.form.addRow(intro)
        self.form.addRow("&Reason:", self.reason)
        self.finish_layout()
        self.reason.setFocus()

    @override
    def check(self) -> str:
        if not self.reason.toPlainText().strip():
            return f"Say why the {self.what} was recorded in error: the reason stays with it."
        return ""

    def value(self) -> str:
        return self.reason.toPlainText().strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MarkedRowTableModel(RowTableModel[T]):
    """A RowTableModel whose rows recorded in error are struck through, say so in the first
    column (the words a screen reader reads) and carry the mark as their tooltip."""

    @override
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = super().data(index, role)
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return value
        mark = getattr(self.row_at(index.row()), "recorded_in_error", None)
        if mark is None:
            return value
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return mark_text(mark)
        if index.column() == 0 and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return f"{value or ''}{IN_ERROR_SUFFIX}"
        return value


def locked_reason(record: Any) -> str:
    """Why a form shows `record` read-only: the mark's words when it was recorded in error,
    else "" (RecordForm.locked_reason)."""
    mark = getattr(record, "recorded_in_error", None)
    return f"{mark_text(mark)}. It can be read, not changed." if mark is not None else ""
