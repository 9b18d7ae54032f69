"""Forms that save themselves: the fields of a record, with no Save button.

`RecordForm(fields)` builds labelled editors from a tuple of `Field`s. `load(record)` fills them;
every edit restarts a short timer, and when it fires (or `flush()` is called: on lock, on close,
on switching records) `edited` carries the changed record to whoever saves it. Validation errors
from the record's own checks are shown under the form and nothing is emitted until they are fixed.

An invalid form keeps the user on it, with everything typed: `follow_selection(view, form)`
shows the record chosen in a list, and when the form cannot be saved (a person's given name
blanked) the choice goes back to the record being edited, so the other edits (their
relationship) are neither saved half nor lost. Dates follow fmdesk/dates.py: a date that is not a
day of the calendar is refused, the date of something that happened (`Field(happened=True)`)
cannot be after today, and a field with `ask` asks its question (an unusual age for the role)
before the value is kept.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmdesk.records import Record
from ui.kit.announce import MessageLabel
from ui.kit.autosave import Autosave
from ui.kit.colours import text_style
from ui.kit.models import ROW_ROLE
from ui.kit.widgets import ask, date_edit, date_problem


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | multiline | date | optional_date | bool | choice | minutes
    choices: type[enum.Enum] | None = None
    placeholder: str = ""
    happened: bool = False  # a date of something that happened: not after today
    # A question to ask before keeping a new value of this field, from the form's values ("":
    # none), e.g. an age unusual for the person's role.
    ask: Callable[[dict[str, Any]], str] | None = None


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
        """Show `value`; None: not known, and ticking Known starts from today (not from the
        date the editor showed before: a new child took her mother's date of birth)."""
        self.known.setChecked(value is not None)
        self.edit.set_day(value if value is not None else dt.date.today())


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
        self.problem = MessageLabel(self, urgent=True)  # said to a screen reader (issue 16)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setAccessibleName("Form problem")
        outer.addWidget(self.problem)
        outer.addStretch(1)
        # Says why a record is shown read-only ("" to edit it as usual): a record recorded in
        # error, for one (ui/record/in_error.py locked_reason). The reason shows above.
        self.locked_reason: Callable[[Record], str] = lambda _record: ""
        self.locked = MessageLabel(self)  # said to a screen reader, politely
        self.locked.setWordWrap(True)
        self.locked.setAccessibleName("Why this cannot be changed")
        self.locked.hide()
        outer.insertWidget(0, self.locked)
        self.autosave = Autosave(self._save, self)
        # Answers already given to a field's question: (field, value) kept as typed.
        self._confirmed: set[tuple[str, object]] = set()
        self.setEnabled(False)

    def _make_editor(self, f: Field) -> QWidget:
        editor: QWidget
        if f.kind == "multiline":
            editor = QPlainTextEdit(self)
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self._touched)
        elif f.kind in ("date", "optional_date"):
            editor = OptionalDateEdit(f.label, self)
            editor.edit.happened = f.happened
            editor.edit.editingFinished.connect(self._left_date)
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
        self.autosave.discard()  # what could not be saved stays with the record it was for
        self._record = record
        self._confirmed.clear()
        self.problem.clear()
        why = self.locked_reason(record) if record is not None else ""
        self.locked.setText(why)
        self.locked.setVisible(bool(why))
        self.setEnabled(record is not None and not read_only and not why)
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

    def can_leave(self) -> bool:
        """Save what is typed; False (the problem shown, everything typed kept) when it cannot
        be saved, so the user stays on the form to put it right."""
        self.flush()
        if self.autosave.pending:
            self.problem.setText(self.problem.text().removesuffix(_STAY) + _STAY)
            return False
        return True

    def _left_date(self) -> None:
        """Focus left a date: a question waiting for it is asked now (a moment later, so a
        click elsewhere lands first)."""
        if self.autosave.pending:
            self.autosave.touch()

    def _problems(self, values: dict[str, Any]) -> str:
        for f in self._fields:
            editor = self._editors[f.name]
            if isinstance(editor, OptionalDateEdit) and values.get(f.name) is not None:
                found = date_problem(editor.edit, f"'{f.label}'")
                if found:
                    return found
        return ""

    def _answered(self, changes: dict[str, Any], values: dict[str, Any]) -> bool:
        """Ask each changed field's question; a value not kept goes back to the record's.
        False: a question must wait (the user is still in the field)."""
        assert self._record is not None
        for f in self._fields:
            if f.ask is None or f.name not in changes:
                continue
            question = f.ask(values)
            if not question or (f.name, changes[f.name]) in self._confirmed:
                continue
            editor = self._editors[f.name]
            focus = QApplication.focusWidget()
            if focus is not None and (focus is editor or editor.isAncestorOf(focus)):
                self.problem.setText(f"Not saved yet: {question}")
                return False
            if _ask(self, question):
                self._confirmed.add((f.name, changes[f.name]))
                continue
            original = getattr(self._record, f.name)
            with QSignalBlocker(editor):
                if isinstance(editor, OptionalDateEdit):
                    with QSignalBlocker(editor.known), QSignalBlocker(editor.edit):
                        editor.set_value(original)
                        editor.edit.setEnabled(original is not None or f.kind == "date")
            editor.setFocus()
            del changes[f.name]
            values[f.name] = original
        return True

    def _save(self) -> None:
        if self._record is None:
            return
        values = self.values()
        changes = {k: v for k, v in values.items() if getattr(self._record, k) != v}
        if not changes:
            self.problem.clear()
            return
        problem = self._problems(values)
        if problem:
            self.problem.setText(f"Not saved yet: {problem}")
            self.autosave.keep_pending()
            return
        if not self._answered(changes, values):
            self.autosave.keep_pending()
            return
        if not changes:
            self.problem.clear()
            return
        try:
            updated = self._record.replace(**changes)
        except ValueError as exc:
            self.problem.setText(f"Not saved yet: {exc}.")
            self.autosave.keep_pending()
            return
        self.problem.clear()
        self._record = updated
        self.edited.emit(updated)


_STAY = " Put it right here (what you typed is kept), then choose another."


def _ask(parent: QWidget, question: str) -> bool:
    """Keep the value? True: keep it as typed."""
    return ask(parent, "Check the date", question, go="&Keep it", stay="&Change it")


def follow_selection(
    view: QTableView, form: RecordForm, read_only: Callable[[], bool] = lambda: False
) -> None:
    """Show in `form` the record chosen in `view` (rows carry it in ROW_ROLE). When the form
    cannot be saved, the choice goes back to the record being edited and the form stays as
    typed, its problem saying what to put right."""
    going_back = False

    def chosen(current: QModelIndex, _previous: QModelIndex) -> None:
        nonlocal going_back
        record = current.data(ROW_ROLE) if current.isValid() else None
        shown = form.record
        if going_back or (shown is not None and record is not None and record.id == shown.id):
            return
        if shown is not None and not form.can_leave():
            QTimer.singleShot(0, go_back)
            return
        form.load(record, read_only=read_only())

    def go_back() -> None:
        nonlocal going_back
        shown = form.record
        model = view.model()
        if shown is None:
            return
        for row in range(model.rowCount()):
            held = model.index(row, 0).data(ROW_ROLE)
            if held is not None and held.id == shown.id:
                going_back = True
                try:
                    view.selectRow(row)
                finally:
                    going_back = False
                break
        form.problem.setFocus()

    view.selectionModel().currentRowChanged.connect(chosen)
