"""The Outcomes tab of the family record: the family's outcomes framework, the indicators of need
ticked, eligibility with its reason, baseline and later measures, each outcome's progress toward
its sustained date, equivalent progress, and whether the family is ready to claim.

- Framework: the version the family is attached under (it keeps it); with none, pick one of the
  frameworks this store has (shipped or a council's file) and attach it.
- Problems and indicators: every indicator of the framework, ticked or not, for whom, when, on
  what evidence and by whom; tick and untick. Ticks from a completed whole-family assessment show
  here too but belong to the assessment.
- Measures: baseline and later figures (attendance, offences, benefits...), edited in place and
  saved as typed, as everywhere in the app.
- Outcomes: each problem present and what meets it (an outcome, or equivalent progress approved
  by a named person, shown as such); each outcome achieved or not yet, since when, and a bar toward
  the day it will have been sustained; evidence, and a Star reading as evidence where allowed.

Nothing is worked out on the GUI thread from the store: every read and write is a Task, and the
answers come from fmdesk.outcomes via db/outcomes.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QSignalBlocker, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.families import FamilyRecord
from db.outcomes import (
    FamilyOutcomes,
    attach_family_framework,
    delete_outcome_records,
    load_family_outcomes,
    save_outcome_records,
    use_star_reading,
)
from fmdesk.assessment import Assessment
from fmdesk.claims import ClaimBatch
from fmdesk.definition import Definition
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    OUTCOME_RECORD_CLASSES,
    EquivalentProgress,
    Framework,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    Outcome,
    OutcomeEvidence,
    OutcomeProgress,
    Problem,
    ProblemProgress,
)
from fmdesk.outcomes.framework import Indicator
from fmdesk.plans import FamilyPlan
from fmdesk.records import Record
from fmdesk.stars import StarReading
from ui.kit.autosave import Autosave
from ui.kit.forms import OptionalDateEdit
from ui.kit.models import ROW_ROLE, Column, RowTableModel, show_date
from ui.kit.pages import FeatureTab, kinds
from ui.kit.tasks import TaskContext, TaskRunner
from ui.kit.widgets import (
    action_button,
    button_row,
    column,
    date_edit,
    list_beside_editor,
    record_table,
    stretch_column,
)

CHILD = PersonRole.CHILD
HOUSEHOLD = ""  # the person id of a tick or measure that concerns the whole household
NOTICE_STYLE = "background: #fff4ce; padding: 6px; border-radius: 3px;"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> dt.date:
    return edit.date().toPython()  # type: ignore[return-value]


def _people_choices(combo: QComboBox, people: Sequence[Person], household: str) -> None:
    """Fill a "for whom" box: the household first, then each person; keeps the choice made."""
    chosen = combo.currentData()
    with QSignalBlocker(combo):
        combo.clear()
        combo.addItem(household, HOUSEHOLD)
        for person in people:
            combo.addItem(person.display_name, person.id)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))


# ---- rows ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndicatorRow:
    problem: Problem
    indicator: Indicator
    ticks: tuple[IndicatorTick, ...]
    names: dict[str, str]

    @property
    def ticked(self) -> bool:
        return bool(self.ticks)

    def join(self, value: Callable[[IndicatorTick], str]) -> str:
        seen: list[str] = []
        for tick in self.ticks:
            text = value(tick)
            if text and text not in seen:
                seen.append(text)
        return "; ".join(seen)

    def who(self, tick: IndicatorTick) -> str:
        return self.names.get(tick.person_id, "Household") if tick.person_id else "Household"


def _from_assessment(tick: IndicatorTick) -> bool:
    # Ticks a completed assessment gives are made on the fly with ids "<assessment id>/<n>".
    return "/" in tick.id


INDICATOR_COLUMNS: tuple[Column[IndicatorRow], ...] = (
    Column("Problem", lambda r: r.problem.short_name),
    Column("Code", lambda r: r.indicator.code),
    Column("Indicator of need", lambda r: r.indicator.text, tooltip=lambda r: r.indicator.text),
    Column("Ticked", lambda r: "✓ Ticked" if r.ticked else ""),
    Column("For whom", lambda r: r.join(r.who)),
    Column("On", lambda r: r.join(lambda t: show_date(t.on))),
    Column("Evidence", lambda r: r.join(lambda t: t.evidence_source)),
    Column("By", lambda r: r.join(lambda t: t.recorded_by)),
)


@dataclasses.dataclass(frozen=True)
class OutcomeRow:
    outcome: Outcome
    progress: OutcomeProgress
    route: str = ""  # the alternative route this outcome is, if it is one


PROGRESS_COLUMN = 5
OUTCOME_COLUMNS: tuple[Column[OutcomeRow], ...] = (
    Column("Code", lambda r: r.outcome.code),
    Column(
        "Outcome",
        lambda r: (f"{r.route}: " if r.route else "") + r.outcome.text,
        tooltip=lambda r: r.progress.explanation,
    ),
    Column("Achieved", lambda r: "Achieved" if r.progress.achieved else "Not yet"),
    Column("Started", lambda r: r.progress.started_on),
    Column("Sustained on", lambda r: r.progress.sustained_on),
    Column(
        "Progress",
        lambda r: round(r.progress.progress * 100),
        text=lambda p: f"{p}%",
        tooltip=lambda r: r.progress.explanation,
    ),
)
PROBLEM_COLUMNS: tuple[Column[ProblemProgress], ...] = (
    Column("Problem", lambda p: f"{p.code} {p.name}"),
    Column("Needed for the claim", lambda p: "Yes" if p.required else "No"),
    Column("Met", lambda p: "Met" if p.met else "Not yet"),
    Column("Met by", lambda p: p.met_by, tooltip=lambda p: p.met_by),
)


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


class ProgressDelegate(QStyledItemDelegate):
    """Draws the Progress column as a bar (the value is a whole percentage)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row: OutcomeRow | None = index.data(ROW_ROLE)
        if row is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)  # type: ignore[attr-defined]
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = round(row.progress.progress * 100)
        bar.text = "Achieved" if row.progress.achieved else f"{bar.progress}%"
        bar.textVisible = True
        # Without State_Horizontal, Qt 6 draws the bar as a vertical one.
        bar.state = option.state | QStyle.StateFlag.State_Horizontal  # type: ignore[attr-defined]
        style = QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


# ---- the measure editor ----------------------------------------------------------------------


class MeasureEditor(QWidget):
    """The chosen measure's fields, saved as typed (no Save button): `edited` carries the changed
    Measure after a short pause, or at once on `flush()`. A change the record refuses (a count
    with no period, say) is shown under the fields and not emitted until it is put right."""

    edited = QtSignal(object)

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
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a4262c;")
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
        _people_choices(self.person, people, "Whole household")
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
        self.on.setDate(_qdate(item.on))
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
            "on": _pydate(self.on),
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


# ---- dialogs ----------------------------------------------------------------------------------


class _Dialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def row(self, label: str, editor: QWidget) -> None:
        editor.setAccessibleName(label)
        caption = QLabel(label + ":", self)
        caption.setBuddy(editor)
        self.form.addRow(caption, editor)

    def ok_when(self, ready: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)


class EquivalentProgressDialog(_Dialog):
    """A discretionary decision: which problem, who approved it (named), when, and why."""

    def __init__(
        self, problems: Sequence[Problem], approver_role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("Record equivalent progress", parent)
        explain = QLabel(
            "Equivalent progress is a decision by a named approver that a problem has improved "
            "as much as one of its outcomes would show. It is shown, and audited, as such.",
            self,
        )
        explain.setWordWrap(True)
        self.form.addRow(explain)
        self.problem = QComboBox(self)
        for problem in problems:
            self.problem.addItem(f"{problem.code} {problem.name}", problem.code)
        self.approved_by = QLineEdit(self)
        self.role = QLineEdit(approver_role, self)
        self.approved_on = date_edit(self, "Approved on")
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.row("Problem", self.problem)
        self.row("Approved by (name)", self.approved_by)
        self.row("Their role", self.role)
        self.row("Approved on", self.approved_on)
        self.row("Reason", self.reason)
        self.approved_by.textChanged.connect(self._check)
        self.reason.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.ok_when(bool(self.approved_by.text().strip() and self.reason.toPlainText().strip()))

    def record(self, family_id: str, recorded_by: str) -> EquivalentProgress:
        return EquivalentProgress(
            family_id=family_id,
            problem=self.problem.currentData(),
            approved_by=self.approved_by.text().strip(),
            approver_role=self.role.text().strip(),
            approved_on=_pydate(self.approved_on),
            reason=self.reason.toPlainText().strip(),
            recorded_by=recorded_by,
        )


class EvidenceDialog(_Dialog):
    """Evidence that an outcome holds from a date (a report, a data match, a closed plan)."""

    def __init__(self, outcome: Outcome, parent: QWidget | None = None) -> None:
        super().__init__(f"Evidence for outcome {outcome.code}", parent)
        words = QLabel(outcome.text, self)
        words.setWordWrap(True)
        self.form.addRow(words)
        self.holds_from = date_edit(self, "Holds from")
        self.source = QComboBox(self)
        self.source.setEditable(True)
        self.source.addItems(list(outcome.evidence))
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.row("Holds from", self.holds_from)
        self.row("Evidence source", self.source)
        self.row("What it shows", self.description)
        self.source.editTextChanged.connect(lambda _t: self._check())
        self._check()

    def _check(self) -> None:
        self.ok_when(bool(self.source.currentText().strip()))

    def record(self, family_id: str, outcome: str, recorded_by: str) -> OutcomeEvidence:
        return OutcomeEvidence(
            family_id=family_id,
            outcome=outcome,
            holds_from=_pydate(self.holds_from),
            source=self.source.currentText().strip(),
            description=self.description.toPlainText().strip(),
            recorded_by=recorded_by,
        )


# ---- the tab ----------------------------------------------------------------------------------


class OutcomesTab(FeatureTab):
    title = "O&utcomes"
    # The outcome records and claims, and all that the judgement reads: the family (its
    # framework), its people, the assessment and plan (claim requirements), Star readings (as
    # evidence) and the frameworks themselves.
    shows = kinds(
        *OUTCOME_RECORD_CLASSES,
        ClaimBatch,
        Family,
        Person,
        Assessment,
        FamilyPlan,
        StarReading,
        Definition,
    )

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.outcomes: FamilyOutcomes | None = None

        # Framework
        self.framework_label = QLabel(self)
        self.framework_label.setAccessibleName("Outcomes framework")
        self.framework_label.setTextFormat(Qt.TextFormat.RichText)
        self.framework_choice = QComboBox(self)
        self.framework_choice.setAccessibleName("Framework to attach")
        self.attach_button = action_button(
            self, "Attach &framework", tip="Judge this family under the chosen framework version"
        )
        top = QHBoxLayout()
        top.addWidget(self.framework_label, 1)
        top.addWidget(self.framework_choice)
        top.addWidget(self.attach_button)

        # Where the family stands
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Outcomes notices")
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.eligibility_label = QLabel(self)
        self.eligibility_label.setWordWrap(True)
        self.eligibility_label.setAccessibleName("Eligibility")
        self.eligibility_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.claim_label = QLabel(self)
        self.claim_label.setWordWrap(True)
        self.claim_label.setTextFormat(Qt.TextFormat.RichText)
        self.claim_label.setAccessibleName("Claim readiness")
        standing = QGroupBox("Where the family stands", self)
        standing_layout = QVBoxLayout(standing)
        standing_layout.addWidget(self.eligibility_label)
        standing_layout.addWidget(self.claim_label)

        self.sections = QTabWidget(self)
        self.sections.setAccessibleName("Outcomes sections")
        self.sections.addTab(self._indicators_section(), "Problems and &indicators")
        self.sections.addTab(self._measures_section(), "&Measures")
        self.sections.addTab(self._outcomes_section(), "Outcomes and c&laim")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(standing)
        layout.addWidget(self.sections, 1)

        self.attach_button.clicked.connect(self.attach_framework)
        self._show(None)

    # ---- sections -----------------------------------------------------------------------

    def _indicators_section(self) -> QWidget:
        tab = QWidget(self)
        self.indicator_model: RowTableModel[IndicatorRow] = RowTableModel(INDICATOR_COLUMNS, self)
        self.indicator_view = record_table(tab, "Indicators of need")
        self.indicator_view.setModel(self.indicator_model)
        stretch_column(self.indicator_view, 2)
        self.tick_who = QComboBox(tab)
        self.tick_on = date_edit(tab, "Seen on")
        self.tick_source = QComboBox(tab)
        self.tick_source.setEditable(True)
        self.tick_by = QLineEdit(tab)
        self.tick_button = action_button(tab, "&Tick", "Ctrl+T", "Tick the chosen indicator")
        self.untick_button = action_button(
            tab, "&Untick", "Ctrl+Shift+T", "Untick it for this person"
        )
        editor = QGroupBox("Tick the chosen indicator", tab)
        form = QFormLayout(editor)
        for label, widget in (
            ("For whom", self.tick_who),
            ("Seen on", self.tick_on),
            ("Evidence source", self.tick_source),
            ("Recorded by", self.tick_by),
        ):
            caption = QLabel(label + ":", editor)
            caption.setBuddy(widget)
            widget.setAccessibleName(label)
            form.addRow(caption, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tick_button)
        buttons.addWidget(self.untick_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.tick_problem = QLabel(editor)
        self.tick_problem.setWordWrap(True)
        self.tick_problem.setAccessibleName("Tick notice")
        form.addRow(self.tick_problem)
        split = QSplitter(Qt.Orientation.Vertical, tab)
        split.addWidget(self.indicator_view)
        split.addWidget(editor)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        QVBoxLayout(tab).addWidget(split)
        self.indicator_view.selectionModel().currentRowChanged.connect(
            lambda current, _: self._indicator_chosen(current)
        )
        self.tick_button.clicked.connect(self.tick)
        self.untick_button.clicked.connect(self.untick)
        return tab

    def _measures_section(self) -> QWidget:
        tab = QWidget(self)
        self.measure_model: RowTableModel[Measure] = RowTableModel(
            _measure_columns(self._name), self
        )
        self.measure_view = record_table(tab, "Measures")
        self.measure_view.setModel(self.measure_model)
        self.measure_editor = MeasureEditor(tab)
        self.add_baseline_button = action_button(
            tab, "Add &baseline", "Ctrl+B", "A figure describing the family at entry"
        )
        self.add_later_button = action_button(
            tab, "Add later &measure", "Ctrl+M", "A figure since entry, to measure progress"
        )
        self.remove_measure_button = action_button(tab, "&Remove measure")
        buttons = button_row(self.add_baseline_button, self.add_later_button)
        buttons.addWidget(self.remove_measure_button)
        list_beside_editor(tab, column(tab, self.measure_view, buttons), self.measure_editor)
        self.measure_view.selectionModel().currentRowChanged.connect(
            lambda current, _: self.measure_editor.load(
                current.data(ROW_ROLE), read_only=self.read_only
            )
        )
        self.measure_editor.edited.connect(lambda m: self._save([m]))
        self.add_baseline_button.clicked.connect(lambda: self.add_measure(MeasureStage.BASELINE))
        self.add_later_button.clicked.connect(lambda: self.add_measure(MeasureStage.LATER))
        self.remove_measure_button.clicked.connect(self.remove_measure)
        return tab

    def _outcomes_section(self) -> QWidget:
        tab = QWidget(self)
        self.problem_model: RowTableModel[ProblemProgress] = RowTableModel(PROBLEM_COLUMNS, self)
        self.problem_view = record_table(tab, "Problems present")
        self.problem_view.setModel(self.problem_model)
        self.outcome_model: RowTableModel[OutcomeRow] = RowTableModel(OUTCOME_COLUMNS, self)
        self.outcome_view = record_table(tab, "Outcomes")
        self.outcome_view.setModel(self.outcome_model)
        self.outcome_view.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self))
        stretch_column(self.outcome_view, 1)
        self.outcome_view.horizontalHeader().setSectionResizeMode(
            PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed
        )
        self.outcome_view.setColumnWidth(PROGRESS_COLUMN, 140)

        self.outcome_title = QLabel(tab)
        self.outcome_title.setWordWrap(True)
        self.outcome_title.setAccessibleName("Chosen outcome")
        self.outcome_explanation = QLabel(tab)
        self.outcome_explanation.setWordWrap(True)
        self.outcome_explanation.setAccessibleName("Outcome explanation")
        self.outcome_progress = QProgressBar(tab)
        self.outcome_progress.setRange(0, 100)
        self.outcome_progress.setAccessibleName("Progress toward the sustained date")
        self.outcome_progress.setMinimumHeight(28)
        self.evidence_button = action_button(
            tab, "Record &evidence…", "Ctrl+E", "Evidence that the outcome holds from a date"
        )
        self.star_area = QComboBox(tab)
        self.star_area.setAccessibleName("Star area")
        self.star_button = action_button(
            tab, "Use &Star reading", tip="Record the latest Star reading as evidence"
        )
        self.equivalent_button = action_button(
            tab, "Record e&quivalent progress…", tip="A named approver's decision, with a reason"
        )
        actions = QHBoxLayout()
        actions.addWidget(self.evidence_button)
        actions.addWidget(self.star_area)
        actions.addWidget(self.star_button)
        actions.addStretch(1)
        actions.addWidget(self.equivalent_button)
        detail = QGroupBox("The chosen outcome", tab)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.outcome_title)
        detail_layout.addWidget(self.outcome_progress)
        detail_layout.addWidget(self.outcome_explanation)
        detail_layout.addLayout(actions)

        split = QSplitter(Qt.Orientation.Vertical, tab)
        split.addWidget(self.problem_view)
        split.addWidget(self.outcome_view)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 1)
        QVBoxLayout(tab).addWidget(split)
        self.outcome_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_outcome()
        )
        self.evidence_button.clicked.connect(self.record_evidence)
        self.star_button.clicked.connect(self.use_star_reading)
        self.equivalent_button.clicked.connect(self.record_equivalent_progress)
        return tab

    # ---- the family -----------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.record is None or self.record.family.is_read_only

    @property
    def framework(self) -> Framework | None:
        return self.outcomes.framework if self.outcomes else None

    def _name(self, person_id: str) -> str:
        if not person_id:
            return "Household"
        people = self.outcomes.data.people if self.outcomes else ()
        return next((p.display_name for p in people if p.id == person_id), "—")

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is None or self.record.family.id != record.family.id:
            self.flush()
            self._show(None)
        super().open_family(record)

    def reload(self) -> None:
        """Read the family's outcome picture on the worker."""
        if self.record is None:
            return
        family_id = self.record.family.id
        self.read(lambda ctx: load_family_outcomes(ctx.store, family_id), self._show)

    def flush(self) -> None:
        self.measure_editor.flush()

    def clear(self) -> None:
        self.flush()
        super().clear()
        self._show(None)

    # ---- showing --------------------------------------------------------------------------

    def _show(self, outcomes: FamilyOutcomes | None) -> None:
        self.outcomes = outcomes
        framework = outcomes.framework if outcomes else None
        readiness = outcomes.readiness if outcomes else None
        self._show_framework(outcomes)

        notices = []
        if outcomes is not None and outcomes.problem and framework is not None:
            notices.append(outcomes.problem)
        if self.record is not None and self.read_only:
            reason = self.record.family.read_only_reason
            notices.append(f"{reason}: its outcomes can be read, not changed.")
        if readiness is not None:
            notices.extend(readiness.warnings)
        self.notice.setText(" ".join(notices))
        self.notice.setVisible(bool(notices))

        if readiness is None:
            self.eligibility_label.setText(outcomes.problem if outcomes else "")
            self.claim_label.clear()
        else:
            result = readiness.eligibility
            text = result.reason[0].upper() + result.reason[1:]
            if result.shortfall:
                text += f". {result.shortfall}"
            self.eligibility_label.setText(text)
            self.claim_label.setText(self._claim_html(outcomes))  # type: ignore[arg-type]

        people = outcomes.data.people if outcomes else ()
        _people_choices(self.tick_who, people, "Whole household")
        terms = [t.name for t in framework.term_calendar] if framework else []
        self.measure_editor.set_choices(people, terms)
        if outcomes is not None and not self.tick_by.isModified():
            self.tick_by.setText(outcomes.practitioner)
        self._fill_indicators(outcomes)
        self._fill_measures(outcomes)
        self._fill_outcomes(outcomes)
        with QSignalBlocker(self.star_area):
            self.star_area.clear()
            for area in outcomes.star_areas if outcomes else ():
                self.star_area.addItem(area.name, area.id)
        self._update_buttons()

    def _show_framework(self, outcomes: FamilyOutcomes | None) -> None:
        framework = outcomes.framework if outcomes else None
        attached = bool(outcomes and outcomes.family.framework)
        if framework is not None:
            self.framework_label.setText(f"<b>{framework.name}</b> · {framework.ref}")
        elif attached and outcomes is not None:
            self.framework_label.setText(
                f"Attached under <b>{outcomes.family.framework}</b>, which this computer does "
                "not have."
            )
        elif outcomes is not None:
            self.framework_label.setText("<b>No framework attached.</b> Choose one:")
        else:
            self.framework_label.clear()
        with QSignalBlocker(self.framework_choice):
            chosen = self.framework_choice.currentData()
            self.framework_choice.clear()
            for item in outcomes.frameworks if outcomes else ():
                self.framework_choice.addItem(f"{item.name} ({item.ref})", item.ref)
            self.framework_choice.setCurrentIndex(max(self.framework_choice.findData(chosen), 0))
        self.framework_choice.setVisible(outcomes is not None and not attached)
        self.attach_button.setVisible(outcomes is not None and not attached)

    def _claim_html(self, outcomes: FamilyOutcomes) -> str:
        readiness = outcomes.readiness
        assert readiness is not None
        parts = [f"Claim: <b>{readiness.status.label}</b>"]
        if readiness.claim is not None:
            batch = f" in batch {readiness.claim.batch}" if readiness.claim.batch else ""
            parts[0] += f" on {show_date(readiness.claim.claimed_on)}{batch}"
        elif readiness.route:
            parts[0] += f" (by {readiness.route})"
        if readiness.uses_equivalent_progress:
            parts.append(
                "Equivalent progress, a named approver's decision, is counted for a problem "
                "(see Outcomes and claim)."
            )
        if readiness.missing:
            items = "".join(f"<li>{_escape(m)}</li>" for m in readiness.missing)
            parts.append(f"Still needed:<ul style='margin-top:0'>{items}</ul>")
        return "<br>".join(parts)

    def _fill_indicators(self, outcomes: FamilyOutcomes | None) -> None:
        current = self._current_indicator()
        keep = current.indicator.code if current else None
        rows: list[IndicatorRow] = []
        framework = outcomes.framework if outcomes else None
        if outcomes is not None and framework is not None:
            names = {p.id: p.known_as or p.given_name for p in outcomes.data.people}
            for problem in framework.problems:
                for indicator in problem.indicators:
                    ticks = tuple(
                        sorted(
                            (t for t in outcomes.data.ticks if t.indicator == indicator.code),
                            key=lambda t: (t.on, t.person_id),
                        )
                    )
                    rows.append(IndicatorRow(problem, indicator, ticks, names))
        self.indicator_model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.indicator.code == keep), None)
        if target is not None:
            self.indicator_view.selectRow(target)
        elif rows:
            self.indicator_view.selectRow(0)

    def _fill_measures(self, outcomes: FamilyOutcomes | None) -> None:
        editor = self.measure_editor
        keep = editor.item.id if editor.item else None
        rows = (
            sorted(
                outcomes.data.measures,
                key=lambda m: (m.stage is not MeasureStage.BASELINE, m.kind.value, m.on),
            )
            if outcomes
            else []
        )
        with QSignalBlocker(self.measure_view.selectionModel()):
            self.measure_model.set_rows(rows)
            target = next((i for i, m in enumerate(rows) if m.id == keep), None)
            if target is None and keep is None and rows:
                target = 0
            if target is not None:
                self.measure_view.selectRow(target)
        match = rows[target] if target is not None else None
        # Keep what is being typed: reload the editor only when it shows another measure, or
        # the measure changed underneath it (sync), and nothing is waiting to be saved.
        if editor.dirty:
            return
        shown = editor.item
        if (
            match is None
            or shown is None
            or shown.id != match.id
            or shown != match.replace(revision=shown.revision)
        ):
            editor.load(match, read_only=self.read_only)
        else:
            editor.setEnabled(not self.read_only)

    def _fill_outcomes(self, outcomes: FamilyOutcomes | None) -> None:
        readiness = outcomes.readiness if outcomes else None
        framework = outcomes.framework if outcomes else None
        current = self.current_outcome()
        keep = current.outcome.code if current else None
        problems: list[ProblemProgress] = list(readiness.problems) if readiness else []
        rows: list[OutcomeRow] = []
        if readiness is not None and framework is not None:
            for problem in readiness.problems:
                for progress in problem.outcomes:
                    rows.append(OutcomeRow(framework.outcome(progress.code)[1], progress))
            shown = {r.outcome.code for r in rows}
            routes = {route.outcome: route.name for route in framework.claim.alternative_routes}
            for name, progress in readiness.alternative_routes:
                if progress.code not in shown:
                    rows.append(OutcomeRow(framework.outcome(progress.code)[1], progress, name))
                    shown.add(progress.code)
            for progress in readiness.additional_results:
                if progress.code not in shown:
                    route = routes.get(progress.code, "Additional result")
                    rows.append(OutcomeRow(framework.outcome(progress.code)[1], progress, route))
        self.problem_model.set_rows(problems)
        self.outcome_model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.outcome.code == keep), None)
        if target is None and rows:
            target = 0
        if target is not None:
            self.outcome_view.selectRow(target)
        self._show_outcome()

    def _show_outcome(self) -> None:
        row = self.current_outcome()
        if row is None:
            self.outcome_title.setText(
                "Outcomes show here once indicators are ticked under a problem."
                if self.framework is not None
                else ""
            )
            self.outcome_explanation.clear()
            self.outcome_progress.setValue(0)
            self.outcome_progress.setFormat("")
            self._update_buttons()
            return
        progress, outcome = row.progress, row.outcome
        period = outcome.period.words
        self.outcome_title.setText(f"{outcome.code}: {outcome.text} (sustained: {period})")
        self.outcome_explanation.setText(progress.explanation)
        self.outcome_progress.setValue(round(progress.progress * 100))
        if progress.achieved:
            self.outcome_progress.setFormat(
                f"Achieved: sustained on {show_date(progress.sustained_on)}"
            )
        elif progress.sustained_on is not None:
            self.outcome_progress.setFormat(
                f"%p% of the way; sustained on {show_date(progress.sustained_on)}"
            )
        else:
            self.outcome_progress.setFormat("Not started")
        self._update_buttons()

    def _update_buttons(self) -> None:
        outcomes = self.outcomes
        writable = outcomes is not None and not self.read_only
        framework = self.framework
        has_framework = writable and framework is not None
        self.attach_button.setEnabled(writable and self.framework_choice.count() > 0)
        self.framework_choice.setEnabled(writable)
        indicator = self._current_indicator()
        for widget in (self.tick_who, self.tick_on, self.tick_source, self.tick_by):
            widget.setEnabled(has_framework)
        self.tick_button.setEnabled(has_framework and indicator is not None)
        self.untick_button.setEnabled(has_framework and indicator is not None and indicator.ticked)
        self.add_baseline_button.setEnabled(has_framework)
        self.add_later_button.setEnabled(has_framework)
        self.remove_measure_button.setEnabled(writable and self.measure_editor.item is not None)
        row = self.current_outcome()
        self.evidence_button.setEnabled(has_framework and row is not None)
        star_ok = (
            has_framework
            and row is not None
            and row.outcome.star is not None
            and framework is not None
            and framework.claim.star_evidence
        )
        self.star_button.setVisible(bool(star_ok))
        self.star_area.setVisible(bool(star_ok))
        self.star_button.setEnabled(bool(star_ok) and self.star_area.count() > 0)
        if star_ok and self.star_area.count() == 0:
            self.star_button.setToolTip("The family has no completed Star reading yet.")
        allows = framework is not None and framework.claim.equivalent_progress
        self.equivalent_button.setVisible(bool(allows))
        self.equivalent_button.setEnabled(
            has_framework and bool(allows) and self.problem_model.rowCount() > 0
        )

    # ---- choosing -------------------------------------------------------------------------

    def _current_indicator(self) -> IndicatorRow | None:
        index = self.indicator_view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def current_outcome(self) -> OutcomeRow | None:
        index = self.outcome_view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _indicator_chosen(self, current: QModelIndex) -> None:
        row: IndicatorRow | None = current.data(ROW_ROLE) if current.isValid() else None
        self.tick_problem.clear()
        with QSignalBlocker(self.tick_source):
            text = self.tick_source.currentText()
            self.tick_source.clear()
            if row is not None:
                self.tick_source.addItems(list(row.indicator.evidence))
            self.tick_source.setCurrentText(
                text if text or row is None or not row.indicator.evidence else ""
            )
        if row is not None and len({t.person_id for t in row.ticks}) == 1:
            self.tick_who.setCurrentIndex(max(self.tick_who.findData(row.ticks[0].person_id), 0))
        self._update_buttons()

    # ---- writing --------------------------------------------------------------------------

    def _run_write(self, op: Callable[[TaskContext], Any]) -> None:
        """Run one write on the worker, then read the picture again (FeatureTab.write and
        .read: a read older than a later write is read again)."""
        self.write(op, lambda _: self.reload())

    def _save(self, records: Sequence[Record]) -> None:
        if self.record is None or self.read_only or not records:
            return
        family_id = self.record.family.id
        chosen = list(records)
        self._run_write(lambda ctx: save_outcome_records(ctx.store, family_id, chosen))

    def attach_framework(self) -> None:
        ref = self.framework_choice.currentData()
        if self.record is None or self.read_only or not ref:
            return
        family_id = self.record.family.id
        self._run_write(lambda ctx: attach_family_framework(ctx.store, family_id, ref))

    def tick(self) -> None:
        row = self._current_indicator()
        if row is None or self.record is None:
            return
        who = self.tick_who.currentData() or HOUSEHOLD
        if any(t.person_id == who for t in row.ticks):
            self.tick_problem.setText(
                f"{row.indicator.code} is already ticked for {self.tick_who.currentText()}."
            )
            return
        self.tick_problem.clear()
        self._save(
            [
                IndicatorTick(
                    family_id=self.record.family.id,
                    indicator=row.indicator.code,
                    person_id=who,
                    on=_pydate(self.tick_on),
                    evidence_source=self.tick_source.currentText().strip(),
                    recorded_by=self.tick_by.text().strip(),
                )
            ]
        )

    def untick(self) -> None:
        row = self._current_indicator()
        if row is None or self.record is None:
            return
        who = self.tick_who.currentData() or HOUSEHOLD
        mine = [t for t in row.ticks if t.person_id == who]
        removable = [t for t in mine if not _from_assessment(t)]
        if not mine:
            self.tick_problem.setText(
                f"{row.indicator.code} is not ticked for {self.tick_who.currentText()}; "
                f"it is ticked for {row.join(row.who)}. Choose them under For whom."
            )
            return
        if not removable:
            self.tick_problem.setText(
                f"{row.indicator.code} comes from the completed whole-family assessment. "
                "A review of the assessment can change it."
            )
            return
        self.tick_problem.clear()
        family_id = self.record.family.id
        self._run_write(lambda ctx: delete_outcome_records(ctx.store, family_id, removable))

    def add_measure(self, stage: MeasureStage) -> None:
        if self.record is None or self.read_only or self.framework is None:
            return
        self.measure_editor.flush()
        person = next(
            (p.id for p in (self.outcomes.data.people if self.outcomes else ()) if p.role is CHILD),
            HOUSEHOLD,
        )
        measure = Measure(
            family_id=self.record.family.id,
            kind=MeasureKind.ATTENDANCE,
            stage=stage,
            value=0,
            on=dt.date.today(),
            person_id=person,
            recorded_by=self.outcomes.practitioner if self.outcomes else "",
        )
        # Show it at once, chosen, so typing can start before the store answers.
        rows = [*self.measure_model.rows(), measure]
        with QSignalBlocker(self.measure_view.selectionModel()):
            self.measure_model.set_rows(rows)
            self.measure_view.selectRow(len(rows) - 1)
        self.measure_editor.load(measure)
        self._save([measure])
        self.measure_editor.kind.setFocus()

    def remove_measure(self) -> None:
        measure = self.measure_editor.item
        if measure is None or self.record is None or self.read_only:
            return
        self.measure_editor.load(None)
        family_id = self.record.family.id
        self._run_write(lambda ctx: delete_outcome_records(ctx.store, family_id, [measure]))

    def record_evidence(self) -> None:
        row = self.current_outcome()
        if row is None or self.record is None or self.read_only:
            return
        dialog = EvidenceDialog(row.outcome, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        practitioner = self.outcomes.practitioner if self.outcomes else ""
        try:
            evidence = dialog.record(self.record.family.id, row.outcome.code, practitioner)
        except ValueError as exc:
            self.outcome_explanation.setText(f"Not saved: {exc}.")
            return
        self._save([evidence])

    def use_star_reading(self) -> None:
        row = self.current_outcome()
        area = self.star_area.currentData()
        if row is None or self.record is None or self.read_only or not area:
            return
        family_id, code = self.record.family.id, row.outcome.code
        self._run_write(lambda ctx: use_star_reading(ctx.store, family_id, code, area))

    def record_equivalent_progress(self) -> None:
        framework = self.framework
        if framework is None or self.record is None or self.read_only:
            return
        present = [framework.problem(p.code) for p in self.problem_model.rows()]
        dialog = EquivalentProgressDialog(
            present, framework.claim.equivalent_progress_approver, self
        )
        chosen = self.problem_view.currentIndex()
        if chosen.isValid():
            dialog.problem.setCurrentIndex(chosen.row())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        practitioner = self.outcomes.practitioner if self.outcomes else ""
        try:
            approval = dialog.record(self.record.family.id, practitioner)
        except ValueError as exc:
            self.outcome_explanation.setText(f"Not saved: {exc}.")
            return
        self._save([approval])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
