"""Dialogs every screen builds on: a titled form with OK and Cancel that checks its values
before it closes, a form that keeps a draft of what is typed, and a dialog asking for one date.

A FormDialog checks every date on it before its own `check()`: a date that is not a day of the
calendar (31/02/2027) is refused, and the date of something that happened (made with
`date_edit(..., happened=True)`) cannot be after today (fmdesk/dates.py has the rules). The
problem is shown under the form and the dialog stays open with everything typed.

A DraftDialog (a dialog that takes more than a field or two: a TAF meeting record, the closing
summary, consent) also keeps what is typed:
- a draft of its fields is written to the store (encrypted, db/drafts.py), keyed by the family
  and the dialog's kind, a moment after each change, and at once when the store locks
  (`put_away`, which the main window calls on every open dialog instead of rejecting it);
- opened again for that family, it starts from the draft, saying so;
- the draft goes when the dialog is saved (OK) or its typing deliberately discarded;
- Cancel, Esc or the window's close button on a changed dialog asks first: Discard, or Keep
  editing (the default);
- put away by the lock with something typed, it is opened again after the same store is
  unlocked, carrying on from its draft: the method that opened it is marked `@reopens`, and the
  dialog hands that call (`reopen`) to the main window, which makes it again once the user is
  back where they were.
The fields are found by walking the dialog's editors (line and text edits, combo boxes, tick
boxes, dates, numbers) and named by their accessible names, so a subclass needs nothing more
than `drafts=DraftKeeper(...)`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)
from typing_extensions import override

from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style, text_style
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import DateEdit, ask, date_edit, date_problem, plain

DRAFT_DELAY_MS = 1500
# Qt hands a combo box's data back as the Python object it was given; only these go in a draft.
_PLAIN = (str, int, float, bool)


class FormDialog(QDialog):
    """A titled form with OK and Cancel; subclasses add rows and read their values."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.problem = MessageLabel(self, urgent=True)  # said to a screen reader (issue 16)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
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

    def date_problems(self) -> str:
        """The first date on the form that is not a date, or that is after today for
        something that happened ("" when none)."""
        for edit in self.findChildren(DateEdit):
            if not edit.isEnabled() or not edit.isVisibleTo(self):
                continue
            found = date_problem(edit, _what(edit))
            if found:
                return found
        return ""

    def confirm(self) -> bool:
        """The last step before OK closes the dialog: subclasses may ask a question (closing a
        case with things missing); False keeps the dialog open."""
        return True

    def _try_accept(self) -> None:
        problem = self.date_problems() or self.check()
        if problem:
            self.problem.setText(problem)
            return
        self.problem.clear()
        if self.confirm():
            self.accept()


def _what(edit: QDateEdit) -> str:
    name = edit.accessibleName() or "The date"
    return f"'{name}'"


Opener = TypeVar("Opener", bound=Callable[..., Any])
# The calls that are opening a DraftDialog now, innermost last (see `reopens`).
_opening: list[Callable[[], object]] = []


def reopens(method: Opener) -> Opener:
    """Mark a method that opens a DraftDialog: calling it again, with the same arguments, opens
    the dialog again after the lock put it away (the draft brings back what was typed)."""

    @functools.wraps(method)
    def opener(*args: Any, **kwargs: Any) -> Any:
        _opening.append(functools.partial(opener, *args, **kwargs))
        try:
            return method(*args, **kwargs)
        finally:
            _opening.pop()

    return opener  # type: ignore[return-value]


class DraftKeeper:
    """Where a dialog's draft is kept: the family, the dialog's kind (one draft per family and
    kind) and the runner whose worker owns the store. Plain data: jobs hold no widget."""

    def __init__(self, runner: TaskRunner, family_id: str, kind: str) -> None:
        self.runner = runner
        self.family_id = family_id
        self.kind = kind

    def load(self, apply: Any, parent: QWidget | None) -> None:
        from db.drafts import load_draft

        family_id, kind = self.family_id, self.kind
        Task(
            self.runner, lambda ctx: load_draft(ctx.store, family_id, kind), apply, parent=parent
        ).run()

    def save(self, state: dict[str, Any], parent: QWidget | None) -> None:
        from db.drafts import save_draft

        family_id, kind = self.family_id, self.kind
        Task(
            self.runner, lambda ctx: save_draft(ctx.store, family_id, kind, state), parent=parent
        ).run()

    def discard(self, parent: QWidget | None) -> None:
        from db.drafts import discard_draft

        family_id, kind = self.family_id, self.kind

        def op(ctx: TaskContext) -> None:
            if ctx.has_store:
                discard_draft(ctx.store, family_id, kind)

        Task(self.runner, op, parent=parent).run()


class DraftDialog(FormDialog):
    """A FormDialog that keeps a draft of what is typed (see the module's note). Without
    `drafts` (a test building the dialog alone) it keeps none but still asks on Cancel."""

    draft_restored = Signal()

    def __init__(
        self, title: str, parent: QWidget | None = None, *, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__(title, parent)
        self.drafts = drafts
        # How to open this dialog again after the lock (the `@reopens` call making it), or None.
        self.reopen: Callable[[], object] | None = _opening[-1] if _opening else None
        self._baseline: dict[str, Any] | None = None
        self._closing = False
        self.restored = MessageLabel(self)  # said to a screen reader, politely
        self.restored.setWordWrap(True)
        self.restored.setStyleSheet(notice_style())
        self.restored.setAccessibleName("Draft restored")
        self.restored.hide()
        self.form.addRow(self.restored)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._keep_draft)

    # ---- the fields ---------------------------------------------------------------------------

    def _editors(self) -> Iterator[tuple[str, QWidget]]:
        """Each editor with a name unique on the dialog (its accessible name, or its text)."""
        seen: dict[str, int] = {}
        for widget in self.findChildren(QWidget):
            if not isinstance(
                widget,
                (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox, QDateEdit, QSpinBox),
            ):
                continue
            if _inside_another_editor(widget, self):
                continue
            if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
                continue  # never a password in a draft
            name = widget.accessibleName() or (
                plain(widget.text()) if isinstance(widget, QAbstractButton) else ""
            )
            name = name or widget.objectName() or type(widget).__name__
            seen[name] = seen.get(name, 0) + 1
            yield (name if seen[name] == 1 else f"{name} #{seen[name]}"), widget

    def draft_state(self) -> dict[str, Any]:
        """What is typed, as JSON-ready values by field name."""
        state: dict[str, Any] = {}
        for name, w in self._editors():
            if isinstance(w, QLineEdit):
                state[name] = w.text()
            elif isinstance(w, (QPlainTextEdit, QTextEdit)):
                state[name] = w.toPlainText()
            elif isinstance(w, QComboBox):
                data = w.currentData()
                state[name] = {
                    "text": w.currentText(),
                    "data": data if data is None or isinstance(data, _PLAIN) else str(data),
                }
            elif isinstance(w, QCheckBox):
                state[name] = w.isChecked()
            elif isinstance(w, QDateEdit):
                state[name] = w.date().toString("yyyy-MM-dd")
            elif isinstance(w, QSpinBox):
                state[name] = w.value()
        return state

    def restore_draft(self, state: dict[str, Any]) -> None:
        """Put `state` back into the fields; a field the dialog no longer has is skipped, and a
        choice no longer offered (a person since removed) is left as it is."""
        editors = dict(self._editors())
        # Tick boxes first: they enable the fields they govern (a date's "Known").
        ordered = sorted(editors.items(), key=lambda kv: not isinstance(kv[1], QCheckBox))
        for name, w in ordered:
            if name not in state:
                continue
            value = state[name]
            if isinstance(w, QLineEdit) and isinstance(value, str):
                w.setText(value)
            elif isinstance(w, (QPlainTextEdit, QTextEdit)) and isinstance(value, str):
                w.setPlainText(value)
            elif isinstance(w, QComboBox) and isinstance(value, dict):
                index = w.findData(value.get("data")) if value.get("data") is not None else -1
                if index < 0:
                    index = w.findText(str(value.get("text", "")))
                if index >= 0:
                    w.setCurrentIndex(index)
                elif w.isEditable():
                    w.setCurrentText(str(value.get("text", "")))
            elif isinstance(w, QCheckBox) and isinstance(value, bool):
                w.setChecked(value)
            elif isinstance(w, QDateEdit) and isinstance(value, str):
                day = QDate.fromString(value, "yyyy-MM-dd")
                if day.isValid():
                    w.setDate(day)
            elif isinstance(w, QSpinBox) and isinstance(value, int):
                w.setValue(value)

    @property
    def changed(self) -> bool:
        """Something was typed since the dialog opened (a restored draft counts)."""
        return self._baseline is not None and self.draft_state() != self._baseline

    # ---- opening: the draft -----------------------------------------------------------------

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._baseline is not None:
            return
        self._baseline = self.draft_state()
        for _, w in self._editors():
            _on_change(w, self._typed)
        if self.drafts is not None:
            self.drafts.load(self._draft_loaded, self.parentWidget())

    def _typed(self, *_: object) -> None:
        if not self._closing:
            self._draft_timer.start()

    def _draft_loaded(self, draft: Any) -> None:
        if draft is None or not self.isVisible() or self.changed:
            return  # nothing kept, or the user has started typing: their typing wins
        self.restore_draft(draft.state)
        when = draft.saved_at.astimezone()
        self.restored.setText(
            f"Carried on from what you typed on {when:%d %b} at {when:%H:%M}, kept when the "
            "app locked or the dialog closed. Cancel to throw it away."
        )
        self.restored.show()
        self._draft_timer.stop()
        self.draft_restored.emit()

    # ---- keeping and letting go ---------------------------------------------------------------

    def _keep_draft(self) -> None:
        if self.drafts is None or self._closing:
            return
        if self.changed:
            self.drafts.save(self.draft_state(), self.parentWidget())
        else:
            self.drafts.discard(self.parentWidget())

    def put_away(self) -> Callable[[], object] | None:
        """Close without asking and keep what is typed as the draft (the store is locking).
        Returns how to open it again after unlock when a draft was kept, else None."""
        self._draft_timer.stop()
        kept = self.drafts is not None and self.changed
        if kept:
            assert self.drafts is not None
            self.drafts.save(self.draft_state(), self.parentWidget())
        self._closing = True
        super().reject()
        return self.reopen if kept else None

    @override
    def accept(self) -> None:
        self._draft_timer.stop()
        self._closing = True
        if self.drafts is not None:
            self.drafts.discard(self.parentWidget())
        super().accept()

    @override
    def reject(self) -> None:
        """Cancel, Esc or close: a changed dialog asks first, Keep editing being the default."""
        self._draft_timer.stop()
        if self.changed and not self.ask_discard():
            if self.isVisible():
                self._draft_timer.start()
            return
        if not self.isVisible() and self._closing:
            return  # put away (locked) while the question was open
        self._closing = True
        if self.drafts is not None:
            self.drafts.discard(self.parentWidget())
        super().reject()

    def ask_discard(self) -> bool:
        """Discard what is typed? (True: discard.)"""
        return ask(
            self,
            self.windowTitle(),
            "Discard what you have typed here?",
            go="&Discard",
            stay="&Keep editing",
        )

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button asks as Cancel does; closed by the program (the app
        shutting down), the dialog is put away with its draft, asking nothing."""
        if self.isVisible() and not self._closing:
            if not event.spontaneous():
                self.put_away()
            else:
                self.reject()
                if not self._closing:
                    event.ignore()
                    return
        super().closeEvent(event)


def _inside_another_editor(widget: QWidget, top: QWidget) -> bool:
    """A combo box's line edit or a date's own line edit, part of the editor around it."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        parent = parent.parentWidget()
    return False


def _on_change(widget: QWidget, slot: Any) -> None:
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
        widget.editTextChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(slot)
    elif isinstance(widget, QSpinBox):
        widget.valueChanged.connect(slot)


class DateDialog(FormDialog):
    """One date; `happened` (the default): the date of something that happened, so not after
    today."""

    def __init__(
        self, title: str, label: str, parent: QWidget | None = None, *, happened: bool = True
    ) -> None:
        super().__init__(title, parent)
        self.date = date_edit(self, label, happened=happened)
        self.form.addRow(label + ":", self.date)
        self.finish_layout()

    def value(self) -> dt.date:
        return self.date.date().toPython()  # type: ignore[return-value]
