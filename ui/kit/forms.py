"""Forms that save themselves: the fields of a record, with no Save button.

`RecordForm(fields)` builds labelled editors from a tuple of `Field`s. `load(record)` fills them;
every edit restarts a short timer, and when it fires (or `flush()` is called: on lock, on close,
on switching records) `edited` carries the changed record to whoever saves it. Validation errors
from the record's own checks are shown under the form and nothing is emitted until they are fixed.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fmdesk.records import Record
from ui.kit.autosave import Autosave
from ui.kit.colours import text_style
from ui.kit.widgets import date_edit


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | multiline | date | optional_date | bool | choice | minutes
    choices: type[enum.Enum] | None = None
    placeholder: str = ""


class OptionalDateEdit(QWidget):
    """A date that may be left blank: a tick box says whether there is one."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.known = QCheckBox("Known", self)
        self.known.setAccessibleName(f"{label} known")
        self.edit = date_edit(self, label)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.known.toggled.connect(self.edit.setEnabled)
        self.known.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)
        self.edit.setEnabled(False)

    def value(self) -> dt.date | None:
        return self.edit.date().toPython() if self.known.isChecked() else None  # type: ignore[return-value]

    def set_value(self, value: dt.date | None) -> None:
        self.known.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class RecordForm(QWidget):
    edited = Signal(object)  # the changed record

    def __init__(self, fields: Sequence[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = list(fields)
        self._record: Record | None = None
        self._editors: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        for f in self._fields:
            editor = self._make_editor(f)
            self._editors[f.name] = editor
            label = QLabel(f.label + ":", self)
            label.setBuddy(editor)
            form.addRow(label, editor)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setAccessibleName("Form problem")
        outer.addWidget(self.problem)
        outer.addStretch(1)
        self.autosave = Autosave(self._save, self)
        self.setEnabled(False)

    def _make_editor(self, f: Field) -> QWidget:
        editor: QWidget
        if f.kind == "multiline":
            editor = QPlainTextEdit(self)
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self._touched)
        elif f.kind in ("date", "optional_date"):
            editor = OptionalDateEdit(f.label, self)
            if f.kind == "date":  # required: always known
                editor.known.setChecked(True)
                editor.known.hide()
            editor.changed.connect(self._touched)
        elif f.kind == "bool":
            editor = QCheckBox(self)
            editor.toggled.connect(self._touched)
        elif f.kind == "choice":
            editor = QComboBox(self)
            assert f.choices is not None
            for member in f.choices:
                editor.addItem(getattr(member, "label", str(member.value)), member)
            editor.currentIndexChanged.connect(self._touched)
        elif f.kind == "minutes":
            editor = QSpinBox(self)
            editor.setRange(0, 24 * 60)
            editor.setSingleStep(15)
            editor.setSuffix(" min")
            editor.valueChanged.connect(self._touched)
        else:
            editor = QLineEdit(self)
            editor.setPlaceholderText(f.placeholder)
            editor.textEdited.connect(self._touched)
        editor.setAccessibleName(f.label)
        return editor

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    @property
    def record(self) -> Record | None:
        return self._record

    def load(self, record: Record | None, *, read_only: bool = False) -> None:
        """Show a record (flushing edits to the previous one first)."""
        self.flush()
        self._record = record
        self.problem.clear()
        self.setEnabled(record is not None and not read_only)
        if record is None:
            return
        for f in self._fields:
            editor = self._editors[f.name]
            value = getattr(record, f.name)
            with QSignalBlocker(editor):
                if isinstance(editor, QPlainTextEdit):
                    editor.setPlainText(value or "")
                elif isinstance(editor, OptionalDateEdit):
                    with QSignalBlocker(editor.known), QSignalBlocker(editor.edit):
                        editor.set_value(value)
                        editor.edit.setEnabled(value is not None or f.kind == "date")
                elif isinstance(editor, QCheckBox):
                    editor.setChecked(bool(value))
                elif isinstance(editor, QComboBox):
                    editor.setCurrentIndex(max(editor.findData(value), 0))
                elif isinstance(editor, QSpinBox):
                    editor.setValue(int(value or 0))
                elif isinstance(editor, QLineEdit):
                    editor.setText(value or "")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self._fields:
            editor = self._editors[f.name]
            if isinstance(editor, QPlainTextEdit):
                out[f.name] = editor.toPlainText()
            elif isinstance(editor, OptionalDateEdit):
                out[f.name] = editor.value()
            elif isinstance(editor, QCheckBox):
                out[f.name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                # Qt hands a StrEnum back as a plain str: make it the enum again.
                data = editor.currentData()
                out[f.name] = f.choices(data) if f.choices and data is not None else data
            elif isinstance(editor, QSpinBox):
                out[f.name] = editor.value()
            elif isinstance(editor, QLineEdit):
                out[f.name] = editor.text().strip()
        return out

    def _touched(self, *_: object) -> None:
        if self._record is not None:
            self.autosave.touch()

    @property
    def dirty(self) -> bool:
        return self.autosave.pending

    def flush(self) -> None:
        """Emit the edited record now if anything changed since the last emit."""
        self.autosave.flush()

    def _save(self) -> None:
        if self._record is None:
            return
        values = self.values()
        changes = {k: v for k, v in values.items() if getattr(self._record, k) != v}
        if not changes:
            return
        try:
            updated = self._record.replace(**changes)
        except ValueError as exc:
            self.problem.setText(f"Not saved yet: {exc}.")
            return
        self.problem.clear()
        self._record = updated
        self.edited.emit(updated)
