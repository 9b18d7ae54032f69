"""The "Measures" section of the Outcomes tab: the family's baseline and later figures
(attendance, offences, benefits...) listed beside an editor for the chosen one, which saves as
typed, as everywhere in the app; buttons add a baseline or a later figure and remove one.

A view: `show_outcomes` fills it and it keeps its own selection; `save_requested(measures)` and
`delete_requested(measures)` say what the user asked for, and the tab does the writing.
`flush()` hands over at once what the editor is still holding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db.outcomes import FamilyOutcomes
from fmdesk.families import Person, PersonRole
from fmdesk.outcomes import Framework, Measure, MeasureKind, MeasureStage
from ui.kit.announce import MessageLabel
from ui.kit.autosave import Autosave
from ui.kit.colours import text_style
from ui.kit.forms import OptionalDateEdit
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.widgets import (
    action_button,
    button_row,
    column,
    date_edit,
    list_beside_editor,
    record_table,
)
from ui.record.outcomes.fields import HOUSEHOLD, people_choices, pydate, qdate


def _measure_columns(names: Callable[[str], str]) -> tuple[Column[Measure], ...]:
    return (
        Column("Stage", lambda m: m.stage, text=lambda s: s.label),
        Column("Measure", lambda m: m.kind, text=lambda k: k.label),
        Column("For whom", lambda m: names(m.person_id)),
        Column("Value", lambda m: m.value, text=lambda v: f"{v:g}", align_right=True),
        Column("From", lambda m: m.period_start),
        Column("On (or to)", lambda m: m.on),
        Column("Term", lambda m: m.term),
        Column("Source", lambda m: m.source),
        Column("By", lambda m: m.recorded_by),
    )


class MeasureEditor(QWidget):
    """The chosen measure's fields, saved as typed (no Save button): `edited` carries the changed
    Measure after a short pause, or at once on `flush()`. A change the record refuses (a count
    with no period, say) is shown under the fields and not emitted until it is put right."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: Measure | None = None
        self.kind = QComboBox(self)
        for kind in MeasureKind:
            self.kind.addItem(kind.label, kind)
        self.stage = QComboBox(self)
        for stage in MeasureStage:
            self.stage.addItem(stage.label, stage)
        self.person = QComboBox(self)
        self.value = QDoubleSpinBox(self)
        self.value.setRange(0, 100_000)
        self.value.setDecimals(1)
        self.period_start = OptionalDateEdit("Period from", self)
        self.on = date_edit(self, "Date, or end of the period")
        self.term = QComboBox(self)
        self.term.setEditable(True)
        self.detail = QLineEdit(self)
        self.detail.setPlaceholderText("e.g. the benefit: jsa, esa, uc")
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("e.g. School census, Police data")
        self.problem = MessageLabel(self, urgent=True)  # said to a screen reader (issue 16)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setAccessibleName("Measure problem")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Measure hint")

        form = QFormLayout()
        for label, editor in (
            ("Measure", self.kind),
            ("Stage", self.stage),
            ("For whom", self.person),
            ("Value", self.value),
            ("Period from", self.period_start),
            ("Date, or end of the period", self.on),
            ("School term", self.term),
            ("Detail", self.detail),
            ("Source", self.source),
        ):
            caption = QLabel(label + ":", self)
            caption.setBuddy(editor)
            editor.setAccessibleName(label)
            form.addRow(caption, editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.problem)
        layout.addStretch(1)

        self.autosave = Autosave(self._save, self)
        for combo in (self.kind, self.stage, self.person, self.term):
            combo.currentIndexChanged.connect(self._touched)
        self.term.editTextChanged.connect(self._touched)
        self.value.valueChanged.connect(self._touched)
        self.period_start.changed.connect(self._touched)
        self.on.dateChanged.connect(self._touched)
        self.detail.textEdited.connect(self._touched)
        self.source.textEdited.connect(self._touched)
        self.setEnabled(False)

    @property
    def dirty(self) -> bool:
        return self.autosave.pending

    def set_choices(self, people: Sequence[Person], terms: Sequence[str]) -> None:
        people_choices(self.person, people, "Whole household")
        with QSignalBlocker(self.term):
            text = self.term.currentText()
            self.term.clear()
            self.term.addItem("")
            self.term.addItems(list(terms))
            self.term.setCurrentText(text)

    def load(self, item: Measure | None, *, read_only: bool = False) -> None:
        self.flush()
        self.item = item
        self.problem.clear()
        self.setEnabled(item is not None and not read_only)
        if item is None:
            self.hint.clear()
            return
        editors = (self.kind, self.stage, self.person, self.value, self.on, self.term)
        blockers = [QSignalBlocker(w) for w in (*editors, self.detail, self.source)]
        blockers += [
            QSignalBlocker(self.period_start.known),
            QSignalBlocker(self.period_start.edit),
        ]
        self.kind.setCurrentIndex(max(self.kind.findData(item.kind), 0))
        self.stage.setCurrentIndex(max(self.stage.findData(item.stage), 0))
        self.person.setCurrentIndex(max(self.person.findData(item.person_id), 0))
        self.value.setValue(item.value)
        self.period_start.set_value(item.period_start)
        self.period_start.edit.setEnabled(item.period_start is not None)
        self.on.setDate(qdate(item.on))
        self.term.setCurrentText(item.term)
        self.detail.setText(item.detail)
        self.source.setText(item.source)
        del blockers
        self._show_hint(item.kind)

    def _show_hint(self, kind: MeasureKind) -> None:
        if kind is MeasureKind.ATTENDANCE:
            hint = "Attendance is a percentage for one child in one school term."
        elif kind.counts_over_period:
            hint = "A count over a period: give the first day (Period from) and the last."
        elif kind.is_status:
            hint = "Record 1 for yes and 0 for no, from the date given."
        else:
            hint = "A count for one school term."
        self.hint.setText(hint)

    def _touched(self, *_: object) -> None:
        if self.item is not None:
            self.autosave.touch()
            self._show_hint(MeasureKind(self.kind.currentData()))

    def flush(self) -> None:
        self.autosave.flush()

    def _save(self) -> None:
        if self.item is None:
            return
        values: dict[str, Any] = {
            # PySide hands enum data back as plain text: turn it back into the enum.
            "kind": MeasureKind(self.kind.currentData()),
            "stage": MeasureStage(self.stage.currentData()),
            "person_id": self.person.currentData() or HOUSEHOLD,
            "value": self.value.value(),
            "period_start": self.period_start.value(),
            "on": pydate(self.on),
            "term": self.term.currentText().strip(),
            "detail": self.detail.text().strip(),
            "source": self.source.text().strip(),
        }
        changes = {k: v for k, v in values.items() if getattr(self.item, k) != v}
        if not changes:
            return
        try:
            updated = self.item.replace(**changes)
        except ValueError as exc:
            self.problem.setText(f"Not saved yet: {exc}.")
            return
        self.problem.clear()
        self.item = updated
        self.edited.emit(updated)


class MeasuresPanel(QWidget):
    """The measures list and its buttons beside the editor. Ctrl+B adds a baseline, Ctrl+M a
    later measure."""

    save_requested = Signal(list)  # [Measure]: a new measure, or one edited
    delete_requested = Signal(list)  # [Measure]: the measure removed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outcomes: FamilyOutcomes | None = None
        self._read_only = True
        self.model: RowTableModel[Measure] = RowTableModel(_measure_columns(self._name), self)
        self.view = record_table(self, "Measures")
        self.view.setModel(self.model)
        self.editor = MeasureEditor(self)
        self.add_baseline_button = action_button(
            self, "Add &baseline", "Ctrl+Shift+B", "A figure describing the family at entry"
        )
        self.add_later_button = action_button(
            self, "Add la&ter measure", "Ctrl+Shift+M", "A figure since entry, to measure progress"
        )
        self.remove_button = action_button(self, "&Remove measure")
        buttons = button_row(self.add_baseline_button, self.add_later_button)
        buttons.addWidget(self.remove_button)
        list_beside_editor(self, column(self, self.view, buttons), self.editor)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _: self.editor.load(current.data(ROW_ROLE), read_only=self._read_only)
        )
        self.editor.edited.connect(lambda m: self.save_requested.emit([m]))
        self.add_baseline_button.clicked.connect(lambda: self.add_measure(MeasureStage.BASELINE))
        self.add_later_button.clicked.connect(lambda: self.add_measure(MeasureStage.LATER))
        self.remove_button.clicked.connect(self.remove_measure)

    @property
    def _framework(self) -> Framework | None:
        return self._outcomes.framework if self._outcomes else None

    def _name(self, person_id: str) -> str:
        if not person_id:
            return "Household"
        people = self._outcomes.data.people if self._outcomes else ()
        return next((p.display_name for p in people if p.id == person_id), "—")

    def show_outcomes(self, outcomes: FamilyOutcomes | None, *, read_only: bool) -> None:
        """List `outcomes`' measures, baselines first, keeping the one chosen; the editor is
        loaded again only when nothing typed is waiting and it shows another measure, or the
        measure changed underneath it."""
        self._outcomes, self._read_only = outcomes, read_only
        framework = self._framework
        terms = [t.name for t in framework.term_calendar] if framework else []
        editor = self.editor
        editor.set_choices(outcomes.data.people if outcomes else (), terms)
        keep = editor.item.id if editor.item else None
        rows = (
            sorted(
                outcomes.data.measures,
                key=lambda m: (m.stage is not MeasureStage.BASELINE, m.kind.value, m.on),
            )
            if outcomes
            else []
        )
        with QSignalBlocker(self.view.selectionModel()):
            self.model.set_rows(rows)
            target = next((i for i, m in enumerate(rows) if m.id == keep), None)
            if target is None and keep is None and rows:
                target = 0
            if target is not None:
                self.view.selectRow(target)
        match = rows[target] if target is not None else None
        # Keep what is being typed: reload the editor only when it shows another measure, or
        # the measure changed underneath it (sync), and nothing is waiting to be saved.
        shown = editor.item
        if not editor.dirty:
            if (
                match is None
                or shown is None
                or shown.id != match.id
                or shown != match.replace(revision=shown.revision)
            ):
                editor.load(match, read_only=read_only)
            else:
                editor.setEnabled(not read_only)
        self._update_buttons()

    def _update_buttons(self) -> None:
        writable = self._outcomes is not None and not self._read_only
        can_add = writable and self._framework is not None
        self.add_baseline_button.setEnabled(can_add)
        self.add_later_button.setEnabled(can_add)
        self.remove_button.setEnabled(writable and self.editor.item is not None)

    def add_measure(self, stage: MeasureStage) -> None:
        """Add an attendance figure at `stage` for the first child (or the household), today,
        shown and chosen at once so that typing can start before the store answers."""
        outcomes = self._outcomes
        if outcomes is None or self._read_only or outcomes.framework is None:
            return
        self.editor.flush()
        person = next((p.id for p in outcomes.data.people if p.role is PersonRole.CHILD), HOUSEHOLD)
        measure = Measure(
            family_id=outcomes.family.id,
            kind=MeasureKind.ATTENDANCE,
            stage=stage,
            value=0,
            on=dt.date.today(),
            person_id=person,
            recorded_by=outcomes.practitioner,
        )
        rows = [*self.model.rows(), measure]
        with QSignalBlocker(self.view.selectionModel()):
            self.model.set_rows(rows)
            self.view.selectRow(len(rows) - 1)
        self.editor.load(measure)
        self.save_requested.emit([measure])
        self.editor.kind.setFocus()

    def remove_measure(self) -> None:
        measure = self.editor.item
        if measure is None or self._outcomes is None or self._read_only:
            return
        self.editor.load(None)
        self.delete_requested.emit([measure])

    def flush(self) -> None:
        self.editor.flush()
