"""The "Outcomes and claim" section of the Outcomes tab: each problem present and what meets it
(an outcome, or equivalent progress approved by a named person, shown as such); each outcome
achieved or not yet, since when, with a bar toward the day it will have been sustained; and,
for the chosen outcome, recording evidence, using a Star reading as evidence where the
framework allows it, and recording equivalent progress. The evidence and equivalent-progress
dialogs and the progress-bar delegate live here, as nothing else uses them.

A view: `show_outcomes` fills it and it keeps its own selection; `save_requested(records)` (new
evidence or an equivalent-progress decision) and `star_reading_requested(outcome, area)` say
what the user asked for, and the tab does the writing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from db.outcomes import FamilyOutcomes
from fmdesk.outcomes import (
    EquivalentProgress,
    Framework,
    Outcome,
    OutcomeEvidence,
    OutcomeProgress,
    Problem,
    ProblemProgress,
)
from ui.kit.dialogs import DraftDialog, DraftKeeper, reopens
from ui.kit.models import ROW_ROLE, Column, RowTableModel, show_date
from ui.kit.widgets import action_button, date_edit, record_table, stretch_column
from ui.record.outcomes.fields import pydate

# ---- rows ---------------------------------------------------------------------------------------


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


class ProgressDelegate(QStyledItemDelegate):
    """Draws the Progress column as a bar (the value is a whole percentage)."""

    @override
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
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = round(row.progress.progress * 100)
        bar.text = "Achieved" if row.progress.achieved else f"{bar.progress}%"
        bar.textVisible = True
        # Without State_Horizontal, Qt 6 draws the bar as a vertical one.
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style = QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


# ---- dialogs ----------------------------------------------------------------------------------


class _Dialog(DraftDialog):
    """A form of labelled rows with OK and Cancel; Cancel on a changed dialog asks first, and
    OK shows what is missing rather than closing (ui/kit/dialogs.py)."""

    def __init__(
        self, title: str, parent: QWidget | None, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__(title, parent, drafts=drafts)
        self.setAccessibleName(title)

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
        self,
        problems: Sequence[Problem],
        approver_role: str,
        parent: QWidget | None = None,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__("Record equivalent progress", parent, drafts)
        explain = QLabel(
            "Equivalent progress is a decision by a named approver that a problem has improved "
            "as much as one of its outcomes would show. It is shown, and audited, as such.",
            self,
        )
        explain.setWordWrap(True)
        self.form.addRow(explain)
        self.which_problem = QComboBox(self)
        for problem in problems:
            self.which_problem.addItem(f"{problem.code} {problem.name}", problem.code)
        self.approved_by = QLineEdit(self)
        self.role = QLineEdit(approver_role, self)
        if approver_role:
            # The claim counts the approval only from the role the framework names.
            self.role.setToolTip(f"This framework counts approvals by the {approver_role} only.")
        self.approved_on = date_edit(self, "Approved on")
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.row("Problem", self.which_problem)
        self.row("Approved by (name)", self.approved_by)
        self.row("Their role", self.role)
        self.row("Approved on", self.approved_on)
        self.row("Reason", self.reason)
        self.finish_layout()
        self.approved_by.textChanged.connect(self._check)
        self.role.textChanged.connect(self._check)
        self.reason.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        named = self.approved_by.text().strip() and self.role.text().strip()
        self.ok_when(bool(named and self.reason.toPlainText().strip()))

    def record(self, family_id: str, recorded_by: str) -> EquivalentProgress:
        return EquivalentProgress(
            family_id=family_id,
            problem=self.which_problem.currentData(),
            approved_by=self.approved_by.text().strip(),
            approver_role=self.role.text().strip(),
            approved_on=pydate(self.approved_on),
            reason=self.reason.toPlainText().strip(),
            recorded_by=recorded_by,
        )


class EvidenceDialog(_Dialog):
    """Evidence that an outcome holds from a date (a report, a data match, a closed plan)."""

    def __init__(
        self, outcome: Outcome, parent: QWidget | None = None, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__(f"Evidence for outcome {outcome.code}", parent, drafts)
        words = QLabel(outcome.text, self)
        words.setWordWrap(True)
        self.form.addRow(words)
        self.holds_from = date_edit(self, "Holds from", happened=True)
        self.source = QComboBox(self)
        self.source.setEditable(True)
        self.source.addItems(list(outcome.evidence))
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText(
            "e.g. Attendance 96% over the autumn and spring terms (school report, 12 May)"
        )
        self.row("Holds from", self.holds_from)
        self.row("Evidence source", self.source)
        self.row("What it shows", self.description)
        self.finish_layout()

    def check(self) -> str:
        if not self.source.currentText().strip():
            return "Name the evidence source, e.g. School attendance report."
        if not self.description.toPlainText().strip():
            return (
                "Say what the evidence shows: whoever checks the claim reads it here, e.g. "
                "'Attendance 96% over two terms'."
            )
        return ""

    def record(self, family_id: str, outcome: str, recorded_by: str) -> OutcomeEvidence:
        return OutcomeEvidence(
            family_id=family_id,
            outcome=outcome,
            holds_from=pydate(self.holds_from),
            source=self.source.currentText().strip(),
            description=self.description.toPlainText().strip(),
            recorded_by=recorded_by,
        )


# ---- the section ------------------------------------------------------------------------------


class EvidencePanel(QWidget):
    """Problems present over the outcomes table over the chosen outcome and its actions.
    Ctrl+E records evidence for the chosen outcome."""

    save_requested = Signal(list)  # [OutcomeEvidence] or [EquivalentProgress]
    star_reading_requested = Signal(str, str)  # the outcome's code, the Star area's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outcomes: FamilyOutcomes | None = None
        self._read_only = True
        # Where the dialogs keep their drafts: set by the Outcomes tab, which has the runner.
        self.keep_drafts: Callable[[str], DraftKeeper | None] | None = None
        self.problem_model: RowTableModel[ProblemProgress] = RowTableModel(PROBLEM_COLUMNS, self)
        self.problem_view = record_table(self, "Problems present")
        self.problem_view.setModel(self.problem_model)
        self.outcome_model: RowTableModel[OutcomeRow] = RowTableModel(OUTCOME_COLUMNS, self)
        self.outcome_view = record_table(self, "Outcomes")
        self.outcome_view.setModel(self.outcome_model)
        self.outcome_view.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self))
        stretch_column(self.outcome_view, 1)
        self.outcome_view.horizontalHeader().setSectionResizeMode(
            PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed
        )
        self.outcome_view.setColumnWidth(PROGRESS_COLUMN, 140)

        self.outcome_title = QLabel(self)
        self.outcome_title.setWordWrap(True)
        self.outcome_title.setAccessibleName("Chosen outcome")
        self.outcome_explanation = QLabel(self)
        self.outcome_explanation.setWordWrap(True)
        self.outcome_explanation.setAccessibleName("Outcome explanation")
        self.outcome_progress = QProgressBar(self)
        self.outcome_progress.setRange(0, 100)
        self.outcome_progress.setAccessibleName("Progress toward the sustained date")
        self.outcome_progress.setMinimumHeight(28)
        self.evidence_button = action_button(
            self, "Record &evidence…", "Ctrl+Shift+E", "Evidence that the outcome holds from a date"
        )
        self.star_area = QComboBox(self)
        self.star_area.setAccessibleName("Star area")
        self.star_button = action_button(
            self, "Use &Star reading", tip="Record the latest Star reading as evidence"
        )
        self.equivalent_button = action_button(
            self, "Record e&quivalent progress…", tip="A named approver's decision, with a reason"
        )
        actions = QHBoxLayout()
        actions.addWidget(self.evidence_button)
        actions.addWidget(self.star_area)
        actions.addWidget(self.star_button)
        actions.addStretch(1)
        actions.addWidget(self.equivalent_button)
        detail = QGroupBox("The chosen outcome", self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.outcome_title)
        detail_layout.addWidget(self.outcome_progress)
        detail_layout.addWidget(self.outcome_explanation)
        detail_layout.addLayout(actions)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.problem_view)
        split.addWidget(self.outcome_view)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 1)
        QVBoxLayout(self).addWidget(split)
        self.outcome_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_outcome()
        )
        self.evidence_button.clicked.connect(self.record_evidence)
        self.star_button.clicked.connect(self.use_star_reading)
        self.equivalent_button.clicked.connect(self.record_equivalent_progress)

    @property
    def _framework(self) -> Framework | None:
        return self._outcomes.framework if self._outcomes else None

    def current(self) -> OutcomeRow | None:
        index = self.outcome_view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def show_outcomes(self, outcomes: FamilyOutcomes | None, *, read_only: bool) -> None:
        """Show the problems present and every outcome that counts toward them (alternative
        routes and additional results after), keeping the outcome chosen."""
        self._outcomes, self._read_only = outcomes, read_only
        readiness = outcomes.readiness if outcomes else None
        framework = self._framework
        keep = current.outcome.code if (current := self.current()) else None
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
        with QSignalBlocker(self.star_area):
            self.star_area.clear()
            for area in outcomes.star_areas if outcomes else ():
                self.star_area.addItem(area.name, area.id)
        self._update_buttons()

    def _show_outcome(self) -> None:
        row = self.current()
        if row is None:
            self.outcome_title.setText(
                "Outcomes show here once indicators are ticked under a problem."
                if self._framework is not None
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
        framework = self._framework
        writable = self._outcomes is not None and not self._read_only
        has_framework = writable and framework is not None
        row = self.current()
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

    # ---- what the user asks for -----------------------------------------------------------

    def _drafts(self, kind: str) -> DraftKeeper | None:
        return self.keep_drafts(kind) if self.keep_drafts else None

    def record_evidence(self) -> None:
        """Ask for evidence for the chosen outcome, from the evidence dialog."""
        row = self.current()
        if row is not None:
            self.record_evidence_for(row.outcome.code)

    @reopens  # by the outcome's code: after unlock the same outcome's dialog comes back
    def record_evidence_for(self, code: str) -> None:
        outcomes = self._outcomes
        row = next((r for r in self.outcome_model.rows() if r.outcome.code == code), None)
        if row is None or outcomes is None or self._read_only:
            return
        dialog = EvidenceDialog(
            row.outcome, self, drafts=self._drafts(f"evidence_{row.outcome.code}")
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            evidence = dialog.record(outcomes.family.id, row.outcome.code, outcomes.practitioner)
        except ValueError as exc:
            self.outcome_explanation.setText(f"Not saved: {exc}.")
            return
        self.save_requested.emit([evidence])

    def use_star_reading(self) -> None:
        """Ask for the latest Star reading in the chosen area to be the outcome's evidence."""
        row = self.current()
        area = self.star_area.currentData()
        if row is None or self._outcomes is None or self._read_only or not area:
            return
        self.star_reading_requested.emit(row.outcome.code, area)

    @reopens
    def record_equivalent_progress(self) -> None:
        """Ask for an equivalent-progress decision, from its dialog (the chosen problem first)."""
        framework, outcomes = self._framework, self._outcomes
        if framework is None or outcomes is None or self._read_only:
            return
        present = [framework.problem(p.code) for p in self.problem_model.rows()]
        dialog = EquivalentProgressDialog(
            present,
            framework.claim.equivalent_progress_approver,
            self,
            drafts=self._drafts("equivalent_progress"),
        )
        chosen = self.problem_view.currentIndex()
        if chosen.isValid():
            dialog.which_problem.setCurrentIndex(chosen.row())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            approval = dialog.record(outcomes.family.id, outcomes.practitioner)
        except ValueError as exc:
            self.outcome_explanation.setText(f"Not saved: {exc}.")
            return
        self.save_requested.emit([approval])
