"""Autosaving editors for one goal and one action of the plan.

Goals and actions are values inside a plan version, not records, so `RecordForm` cannot edit them
(codes are tuples, the owner is nested). These editors follow the same contract: `load(item)`
fills them, every edit restarts a short timer, and when it fires (or `flush()` is called) `edited`
carries the changed goal or action. A value the plan's own checks refuse is explained under the
editor and nothing is emitted until it is put right.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmdesk.families import Person
from fmdesk.plans import ActionOwner, ActionStatus, PlanAction, PlanGoal, ProgressNote
from ui.kit.autosave import Autosave
from ui.kit.models import Column, RowTableModel
from ui.kit.widgets import WrappedLabel

AGENCY_OWNER = "agency"
NOTE_COLUMNS: tuple[Column[ProgressNote], ...] = (
    Column("Date", lambda n: n.on),
    Column("By", lambda n: n.by),
    Column("Progress", lambda n: n.text),
)


def split_codes(text: str) -> tuple[str, ...]:
    """ "2, 5 6" -> ("2", "5", "6"): codes typed with commas or spaces, duplicates dropped."""
    return tuple(dict.fromkeys(c for c in re.split(r"[,;\s]+", text) if c))


class ProblemChoice(QWidget):
    """The problems of the family's framework, one tick box each: a goal can serve only these
    (a typed list took "99, banana"). A code an older goal holds that the framework does not
    have shows ticked, saying so, so it can be unticked."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Problems")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._names: Mapping[str, str] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self._quiet = False
        self.none = QLabel("No framework attached: attach one on the Outcomes tab.", self)
        self.none.setWordWrap(True)
        self._build(())

    def set_problems(self, names: Mapping[str, str]) -> None:
        if dict(names) == dict(self._names):
            return
        self._names = dict(names)
        self._build(self.codes())

    def _build(self, ticked: Sequence[str]) -> None:
        for box in self.boxes.values():
            self._grid.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        offered = list(self._names) + [c for c in ticked if c not in self._names]
        for i, code in enumerate(offered):
            name = self._names.get(code)
            text = f"{code} {name}" if name else f"{code} (not in the framework)"
            box = QCheckBox(text, self)
            box.setAccessibleName(f"Problem {text}")
            box.setChecked(code in ticked)
            box.toggled.connect(self._toggled)
            self._grid.addWidget(box, i, 0)  # one column: names are long
            self.boxes[code] = box
        self._grid.addWidget(self.none, len(offered), 0)
        self.none.setVisible(not self._names)

    def _toggled(self, _checked: bool) -> None:
        if not self._quiet:
            self.changed.emit()

    def codes(self) -> tuple[str, ...]:
        """The ticked codes, in the framework's order."""
        return tuple(code for code, box in self.boxes.items() if box.isChecked())

    def set_codes(self, codes: Sequence[str]) -> None:
        self._quiet = True
        try:
            if any(c not in self.boxes for c in codes) or any(
                c not in self._names for c in self.boxes
            ):
                self._build(codes)
            for code, box in self.boxes.items():
                box.setChecked(code in codes)
        finally:
            self._quiet = False


class PeopleChoice(QWidget):
    """Whom a goal is for: a tick box for each family member on the record (not one recorded in
    error), none ticked meaning the whole family. Someone an older goal names who is no longer
    offered shows ticked, saying so, so they can be unticked. Tab reaches each box and Space
    ticks it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("For whom")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._names: dict[str, str] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self._quiet = False
        self.hint = QLabel("None ticked: the whole family.", self)
        self.hint.setWordWrap(True)
        # The field Tab leaves for the first box (the boxes are made as people arrive, so they
        # would otherwise come last in the window's tab order).
        self.after: QWidget | None = None
        self._build(())

    def set_people(self, people: Sequence[Person]) -> None:
        names = {p.id: p.display_name for p in people if not p.deleted and not p.in_error}
        if names == self._names:
            return
        self._names = names
        self._build(self.person_ids())

    def _build(self, ticked: Sequence[str]) -> None:
        for box in self.boxes.values():
            self._grid.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        offered = list(self._names) + [p for p in ticked if p not in self._names]
        for i, person_id in enumerate(offered):
            text = self._names.get(person_id, "Someone no longer on the record")
            box = QCheckBox(text, self)
            box.setAccessibleName(f"For {text}")
            box.setChecked(person_id in ticked)
            box.toggled.connect(self._toggled)
            self._grid.addWidget(box, i // 2, i % 2)
            self.boxes[person_id] = box
        self._grid.addWidget(self.hint, (len(offered) + 1) // 2, 0, 1, 2)
        previous = self.after
        for box in self.boxes.values():
            if previous is not None:
                QWidget.setTabOrder(previous, box)
            previous = box

    def _toggled(self, _checked: bool) -> None:
        if not self._quiet:
            self.changed.emit()

    def person_ids(self) -> tuple[str, ...]:
        """The ticked people's ids, in the household's order; () for the whole family."""
        return tuple(pid for pid, box in self.boxes.items() if box.isChecked())

    def set_person_ids(self, person_ids: Sequence[str]) -> None:
        self._quiet = True
        try:
            if any(p not in self.boxes for p in person_ids) or any(
                p not in self._names for p in self.boxes
            ):
                self._build(person_ids)
            for person_id, box in self.boxes.items():
                box.setChecked(person_id in person_ids)
        finally:
            self._quiet = False


class AutosaveEditor(QWidget):
    """The timer, the problem line and flush() shared by the goal and action editors."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._item: Any = None
        self.form = QFormLayout()
        self.problem = WrappedLabel("", self)
        self.problem.setStyleSheet("color: #a4262c;")
        self.problem.setAccessibleName("Editor problem")
        self.autosave = Autosave(self._save, self)
        self.setEnabled(False)

    @property
    def item(self) -> Any:
        return self._item

    @property
    def dirty(self) -> bool:
        return self.autosave.pending

    def touched(self, *_: object) -> None:
        if self._item is not None:
            self.autosave.touch()

    def load(self, item: Any, *, read_only: bool = False) -> None:
        """Show a goal or action (saving edits to the one shown before)."""
        self.flush()
        self._item = item
        self.problem.clear()
        self.setEnabled(item is not None and not read_only)
        self.fill(item)

    def flush(self) -> None:
        self.autosave.flush()

    def _save(self) -> None:
        if self._item is None:
            return
        try:
            updated = self.build(self._item)
        except ValueError as exc:
            self.problem.setText(f"Not saved yet: {exc}.")
            return
        self.problem.clear()
        if updated != self._item:
            self._item = updated
            self.edited.emit(updated)

    # Abstract, as each editor knows its own fields. Qt's wrapper classes cannot take ABCMeta, so
    # the decorators are what mypy holds every subclass to (and refuses a bare AutosaveEditor).
    @abc.abstractmethod
    def fill(self, item: Any) -> None:
        """Show `item`'s fields (None: empty)."""

    @abc.abstractmethod
    def build(self, item: Any) -> Any:
        """`item` with the fields as typed; ValueError names what cannot be read."""


class GoalEditor(AutosaveEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QPlainTextEdit(self)
        self.words.setTabChangesFocus(True)
        self.words.setPlaceholderText("The goal as the family put it")
        self.words.setAccessibleName("Goal in the family's words")
        self.words.setMaximumHeight(72)
        self.problems = ProblemChoice(self)
        # No access key: every letter of "For whom" is taken on the Plan tab; Tab reaches it.
        self.for_whom = PeopleChoice(self)
        self.measures = QLineEdit(self)
        self.measures.setPlaceholderText("e.g. 2.1")
        self.measures.setAccessibleName("Outcome measure codes")
        self.for_whom.after = self.measures
        self.linked = WrappedLabel("", self)
        self.linked.setAccessibleName("What the goal helps with")
        self.problem_names: Mapping[str, str] = {}
        self.measure_names: Mapping[str, str] = {}
        for label, editor in (
            ("Goal, &in their words", self.words),
            ("Pro&blems", self.problems),
            ("O&utcome measures", self.measures),
            ("For whom", self.for_whom),
        ):
            caption = QLabel(label + ":", self)
            caption.setBuddy(editor)
            self.form.addRow(caption, editor)
        self.form.addRow(self.linked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        self.words.textChanged.connect(self.touched)
        self.problems.changed.connect(self.touched)
        self.for_whom.changed.connect(self.touched)
        self.measures.textEdited.connect(self.touched)
        self.problems.changed.connect(self._show_linked)
        self.measures.textChanged.connect(self._show_linked)

    def set_framework(self, problems: Mapping[str, str], measures: Mapping[str, str]) -> None:
        self.problem_names, self.measure_names = problems, measures
        self.problems.set_problems(problems)
        self._show_linked()

    def set_people(self, people: Sequence[Person]) -> None:
        """The family members a goal can be for."""
        self.for_whom.set_people(people)

    def _show_linked(self, *_: object) -> None:
        names = [
            self.problem_names.get(c, f"problem {c} (not in the framework)")
            for c in self.problems.codes()
        ]
        names += [
            self.measure_names.get(c, f"outcome {c} (not in the framework)")
            for c in split_codes(self.measures.text())
        ]
        show = bool(names) and bool(self.problem_names)
        self.linked.setText("Helps with: " + "; ".join(names) if show else "")

    def fill(self, goal: PlanGoal | None) -> None:
        for editor in (self.words, self.measures):
            with QSignalBlocker(editor):
                editor.clear()
        self.problems.set_codes(())
        self.for_whom.set_person_ids(())
        if goal is None:
            self._show_linked()
            return
        with QSignalBlocker(self.words):
            self.words.setPlainText(goal.words)
        self.problems.set_codes(goal.problems)
        self.for_whom.set_person_ids(goal.for_people)
        with QSignalBlocker(self.measures):
            self.measures.setText(", ".join(goal.outcome_measures))
        self._show_linked()

    def build(self, goal: PlanGoal) -> PlanGoal:
        return goal.replace(
            words=self.words.toPlainText().strip(),
            problems=self.problems.codes(),
            outcome_measures=split_codes(self.measures.text()),
            for_people=self.for_whom.person_ids(),
        )


class ActionEditor(AutosaveEditor):
    """What, who (a household member or a worker at an agency), by when, status, progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()
        self.author = ""
        self.what = QLineEdit(self)
        self.what.setAccessibleName("What will be done")
        self.what.setPlaceholderText("In plain words, e.g. Ring the housing officer")
        self.who = QComboBox(self)
        self.who.setAccessibleName("Who will do it")
        self.agency = QLineEdit(self)
        self.agency.setAccessibleName("Agency")
        self.agency.setPlaceholderText("e.g. Riverside Primary School")
        self.worker = QLineEdit(self)
        self.worker.setAccessibleName("Worker at the agency")
        self.worker.setPlaceholderText("Their name")
        self.by_when = QDateEdit(self)
        self.by_when.setCalendarPopup(True)
        self.by_when.setDisplayFormat("dd/MM/yyyy")
        self.by_when.setAccessibleName("By when")
        self.status = QComboBox(self)
        self.status.setAccessibleName("Where it's at")
        for status in ActionStatus:
            self.status.addItem(status.label, status)
        self.dropped_reason = QLineEdit(self)
        self.dropped_reason.setAccessibleName("Why it was dropped")
        self.dropped_reason.setPlaceholderText("Only for a dropped action")
        rows: Sequence[tuple[str, QWidget]] = (
            ("&What", self.what),
            ("Wh&o", self.who),
            ("Agenc&y", self.agency),
            ("Wor&ker", self.worker),
            ("By wh&en", self.by_when),
            ("S&tatus", self.status),
            ("Why d&ropped", self.dropped_reason),
        )
        self.captions: dict[QWidget, QLabel] = {}
        for label, editor in rows:
            caption = QLabel(label + ":", self)
            caption.setBuddy(editor)
            self.captions[editor] = caption
            self.form.addRow(caption, editor)

        self.notes_model: RowTableModel[ProgressNote] = RowTableModel(NOTE_COLUMNS, self)
        self.notes_view = QTableView(self)
        self.notes_view.setModel(self.notes_model)
        self.notes_view.setAccessibleName("Progress notes")
        self.notes_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notes_view.verticalHeader().hide()
        self.notes_view.horizontalHeader().setStretchLastSection(True)
        self.notes_view.setMaximumHeight(120)
        self.new_note = QLineEdit(self)
        self.new_note.setAccessibleName("New progress note")
        self.new_note.setPlaceholderText("What has happened since, in a line")
        self.add_note_button = QPushButton("Add &progress note", self)
        note_row = QHBoxLayout()
        note_row.addWidget(self.new_note, 1)
        note_row.addWidget(self.add_note_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("Progress notes:", self))
        layout.addWidget(self.notes_view)
        layout.addLayout(note_row)
        layout.addWidget(self.problem)

        self.what.textEdited.connect(self.touched)
        self.who.currentIndexChanged.connect(self._who_changed)
        self.agency.textEdited.connect(self.touched)
        self.worker.textEdited.connect(self.touched)
        self.by_when.dateChanged.connect(self.touched)
        self.status.currentIndexChanged.connect(self._status_changed)
        self.dropped_reason.textEdited.connect(self.touched)
        self.add_note_button.clicked.connect(self.add_note)
        self.new_note.returnPressed.connect(self.add_note)

    def set_people(self, people: Sequence[Person]) -> None:
        """The household members who can own an action, then "a worker at an agency"."""
        choices = [(p.display_name, p.id) for p in people if not p.deleted and not p.in_error]
        if self.who.count() and choices == [
            (self.who.itemText(i), self.who.itemData(i)) for i in range(self.who.count() - 1)
        ]:
            return  # unchanged: leave any typing alone
        self.flush()
        with QSignalBlocker(self.who):
            self.who.clear()
            for name, person_id in choices:
                self.who.addItem(name, person_id)
            self.who.addItem("A worker at an agency…", AGENCY_OWNER)
        self.fill(self._item)

    def _who_changed(self, *_: object) -> None:
        self._show_owner_fields()
        self.touched()

    def _status_changed(self, *_: object) -> None:
        self._show_owner_fields()
        self.touched()

    def _show_owner_fields(self) -> None:
        by_agency = self.who.currentData() == AGENCY_OWNER
        for editor in (self.agency, self.worker):
            editor.setVisible(by_agency)
            self.captions[editor].setVisible(by_agency)
        dropped = self.status.currentData() == ActionStatus.DROPPED
        self.dropped_reason.setVisible(dropped)
        self.captions[self.dropped_reason].setVisible(dropped)

    def fill(self, action: PlanAction | None) -> None:
        editors = (
            self.what,
            self.who,
            self.agency,
            self.worker,
            self.by_when,
            self.status,
            self.dropped_reason,
        )
        blockers = [QSignalBlocker(e) for e in editors]
        try:
            self.what.setText(action.what if action else "")
            owner = action.owner if action else None
            if owner is not None and owner.person_id:
                index = self.who.findData(owner.person_id)
                self.who.setCurrentIndex(index if index >= 0 else self.who.count() - 1)
            else:
                self.who.setCurrentIndex(self.who.findData(AGENCY_OWNER) if owner else 0)
            self.agency.setText(owner.agency if owner else "")
            self.worker.setText(owner.worker if owner else "")
            day = action.by_when if action else self.today
            self.by_when.setDate(QDate(day.year, day.month, day.day))
            status = action.status if action else ActionStatus.NOT_STARTED
            self.status.setCurrentIndex(self.status.findData(status))
            self.dropped_reason.setText(action.dropped_reason if action else "")
        finally:
            for blocker in blockers:
                blocker.unblock()
        self.notes_model.set_rows(sorted(action.notes, key=lambda n: n.on) if action else [])
        self._show_owner_fields()

    def build(self, action: PlanAction) -> PlanAction:
        if self.who.currentData() == AGENCY_OWNER:
            owner = ActionOwner.agency_worker(self.agency.text(), self.worker.text())
        else:
            owner = ActionOwner.family_member(self.who.currentData())
        # Qt hands a StrEnum back as plain str.
        status = ActionStatus(self.status.currentData())
        return action.replace(
            what=self.what.text().strip(),
            owner=owner,
            by_when=self.by_when.date().toPython(),
            status=status,
            dropped_reason=(
                self.dropped_reason.text().strip() if status is ActionStatus.DROPPED else ""
            ),
        )

    def add_note(self) -> None:
        text = self.new_note.text().strip()
        if self._item is None or not text:
            return
        self.flush()
        if self.problem.text():  # the action itself cannot be saved yet
            return
        self._item = self._item.with_note(self.today, text, self.author)
        self.new_note.clear()
        self.notes_model.set_rows(sorted(self._item.notes, key=lambda n: n.on))
        self.edited.emit(self._item)
