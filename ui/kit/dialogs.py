"""Dialogs every screen builds on: a titled form with OK and Cancel that checks its values
before it closes, and a dialog asking for one date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from ui.kit.colours import text_style
from ui.kit.widgets import date_edit


class FormDialog(QDialog):
    """A titled form with OK and Cancel; subclasses add rows and read their values."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.form.addRow(self.problem)
        self.form.addRow(self.buttons)

    def check(self) -> str:
        """The problem with the values, or "" when they are fine."""
        return ""

    def _try_accept(self) -> None:
        problem = self.check()
        if problem:
            self.problem.setText(problem)
            return
        self.accept()


class DateDialog(FormDialog):
    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.date = date_edit(self, label)
        self.form.addRow(label + ":", self.date)
        self.finish_layout()

    def value(self) -> dt.date:
        return self.date.date().toPython()  # type: ignore[return-value]
