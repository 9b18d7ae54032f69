"""The guided whole-family assessment: a step list beside the step's page.

The flow holds the draft. Each edit on a page changes the draft at once and restarts a short
timer; when it fires, when the practitioner leaves the step, and on `flush()` (lock, close,
leaving the family) the draft is saved by a Task on the store's worker. The step list shows each
step's state (done, still required, from the family record); "What is still needed" lists what
blocks completion, and clicking an item goes to its step. A completed assessment, or any
assessment of a closed case, is shown read-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from db.assessments import save_assessment
from db.families import FamilyRecord
from fmdesk.assessment import (
    Assessment,
    AssessmentIncompleteError,
    AssessmentState,
    Missing,
    SectionKind,
    Step,
    Template,
    at_step,
    complete,
    missing_before_completion,
    resume_index,
    share_with_family,
    steps,
)
from fmdesk.errors import UserError
from fmdesk.outcomes import FrameworkLibrary
from reports.assessment import summary_pdf
from ui.actions import documents
from ui.kit.announce import MessageLabel
from ui.kit.autosave import Autosave
from ui.kit.colours import colours, notice_style, text_style
from ui.kit.errors import show_error
from ui.kit.models import Column, RowTableModel
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import shortcut
from ui.record.assessment.steps import (
    AgenciesPage,
    Change,
    FlowContext,
    IndicatorsPage,
    StepPage,
    help_label,
    indicator_choices,
    make_page,
    problem_style,
)

STATE_ROLE = Qt.ItemDataRole.UserRole + 10  # a step's StepState
STEP_ROLE = Qt.ItemDataRole.UserRole + 11  # the Step behind a row

Index = QModelIndex | QPersistentModelIndex


class StepState(enum.StrEnum):
    DONE = "done"
    REQUIRED = "required"
    NOT_STARTED = "not_started"
    FROM_RECORD = "from_record"

    @property
    def label(self) -> str:
        return {
            "done": "Done",
            "required": "Still required",
            "not_started": "Not started",
            "from_record": "From the family record",
        }[self.value]

    @property
    def mark(self) -> str:
        return {"done": "✓", "required": "●", "not_started": "○", "from_record": "≡"}[self.value]


def step_states(
    step_list: Sequence[Step], draft: Assessment, missing: Sequence[Missing]
) -> dict[str, StepState]:
    """Each step's state: still required while anything in it blocks completion; from the family
    record for the read-only steps; done once something is recorded in it; else not started."""
    blocked = {m.step_key for m in missing}
    answered = {(a.section, a.person_id) for a in draft.answers}
    states: dict[str, StepState] = {}
    for step in step_list:
        kind = step.section.kind
        if step.key in blocked:
            state = StepState.REQUIRED
        elif step.read_only:
            state = StepState.FROM_RECORD
        elif (
            (step.section.id, step.person_id) in answered
            or (kind is SectionKind.INDICATORS and draft.indicators)
            or (kind is SectionKind.AGENCIES and draft.agencies)
        ):
            state = StepState.DONE
        else:
            state = StepState.NOT_STARTED
        states[step.key] = state
    return states


class StepListModel(QAbstractListModel):
    """The steps of the assessment, each with its state (shown as a mark and in words)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._steps: list[Step] = []
        self._states: dict[str, StepState] = {}

    def set_steps(self, step_list: Sequence[Step], states: dict[str, StepState]) -> None:
        self.beginResetModel()
        self._steps = list(step_list)
        self._states = dict(states)
        self.endResetModel()

    def set_states(self, states: dict[str, StepState]) -> None:
        if states == self._states:
            return
        self._states = dict(states)
        if self._steps:
            self.dataChanged.emit(self.index(0), self.index(len(self._steps) - 1))

    def steps(self) -> list[Step]:
        return list(self._steps)

    def state(self, row: int) -> StepState:
        return self._states.get(self._steps[row].key, StepState.NOT_STARTED)

    @override
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._steps)

    @override
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._steps)):
            return None
        step = self._steps[index.row()]
        state = self.state(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{state.mark}  {step.title}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{step.title}: {state.label}"
        if role == Qt.ItemDataRole.ForegroundRole and state is StepState.REQUIRED:
            return QBrush(colours().problem)
        if role == STATE_ROLE:
            return state
        if role == STEP_ROLE:
            return step
        return None


MISSING_COLUMNS: tuple[Column[Missing], ...] = (Column("Still needed", lambda m: m.message),)


def _date_words(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def confirm_completion(parent: QWidget) -> bool:
    """Ask before signing off: a completed assessment can no longer be changed."""
    answer = QMessageBox.question(
        parent,
        "Complete the assessment",
        "Complete the assessment now? After this it can no longer be changed; a review "
        "records what changes later.",
    )
    return answer == QMessageBox.StandardButton.Yes


class AssessmentFlow(QWidget):
    """One assessment, step by step. Owns the draft; saves it through `runner`."""

    back = Signal()
    saved = Signal(object)  # the Assessment as stored
    finished = Signal(object)  # completed or shared: other parts of the record may show it

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.draft: Assessment | None = None
        self.template: Template | None = None
        self.frameworks = FrameworkLibrary.shipped()  # the store's, given to open()
        self.ctx: FlowContext | None = None
        self.previous: Assessment | None = None
        self.practitioner = ""
        self.page: StepPage | None = None
        # Pages built so far, by step key: going back to a step (or on to the next, which is
        # built while the practitioner reads the current one) only switches pages.
        self._pages: dict[str, tuple[QScrollArea, StepPage]] = {}
        self.index = 0
        self._moving = False

        self.back_button = QPushButton("← A&ll assessments", self)
        self.back_button.setToolTip("Back to the family's assessments (Esc)")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setAccessibleName("Assessment")
        self.pdf_button = QPushButton("Save summary as &PDF…", self)
        self.pdf_button.setToolTip("Save the assessment summary as a PDF (Ctrl+P)")
        self.share_button = QPushButton("Share with famil&y", self)
        self.share_button.setToolTip("Record that the family has been given a copy today")
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)
        header.addWidget(self.share_button)
        header.addWidget(self.pdf_button)
        self.banner = MessageLabel(self)  # said to a screen reader (issue 16)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Assessment notices")
        self.banner.setStyleSheet(notice_style())

        # The sidebar: the steps, then what is still needed, then Complete.
        self.step_model = StepListModel(self)
        self.step_view = QListView(self)
        self.step_view.setAccessibleName("Steps")
        self.step_view.setModel(self.step_model)
        self.step_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.step_view.setSpacing(2)
        self.step_view.setWordWrap(True)
        steps_label = QLabel("St&eps", self)
        steps_label.setBuddy(self.step_view)
        self.legend = help_label(" · ".join(f"{s.mark} {s.label.lower()}" for s in StepState), self)
        self.missing_model: RowTableModel[Missing] = RowTableModel(MISSING_COLUMNS, self)
        self.missing_view = QListView(self)
        self.missing_view.setAccessibleName("What is still needed")
        self.missing_view.setModel(self.missing_model)
        self.missing_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.missing_view.setWordWrap(True)
        self.missing_view.setToolTip("Click an item to go to its step")
        self.missing_label = QLabel("&What is still needed", self)
        self.missing_label.setBuddy(self.missing_view)
        self.complete_button = QPushButton("Co&mplete assessment", self)
        self.complete_button.setMinimumHeight(40)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(steps_label)
        side_layout.addWidget(self.step_view, 3)
        side_layout.addWidget(self.legend)
        side_layout.addWidget(self.missing_label)
        side_layout.addWidget(self.missing_view, 1)
        side_layout.addWidget(self.complete_button)

        # The step's page, in a larger type: it is read with the family, on the sofa.
        self.step_title = QLabel(self)
        self.step_title.setTextFormat(Qt.TextFormat.RichText)
        self.step_title.setAccessibleName("Step")
        self.step_help = help_label("", self)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())
        self.problem.setAccessibleName("Assessment problem")
        self.page_stack = QStackedWidget(self)
        self.page_stack.setAccessibleName("Step page")
        self.prev_button = QPushButton("◀ P&revious step", self)
        self.prev_button.setToolTip("Previous step (Ctrl+Page Up)")
        self.next_button = QPushButton("Ne&xt step ▶", self)
        self.next_button.setToolTip("Next step (Ctrl+Page Down)")
        for button in (self.prev_button, self.next_button):
            button.setMinimumHeight(40)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        main = QWidget(self)
        big = main.font()
        big.setPointSizeF(big.pointSizeF() * 1.2)
        main.setFont(big)
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.step_title)
        main_layout.addWidget(self.step_help)
        main_layout.addWidget(self.page_stack, 1)
        main_layout.addWidget(self.problem)
        main_layout.addLayout(nav)

        split = QSplitter(self)
        split.addWidget(side)
        split.addWidget(main)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 800])
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

        # The one autosave mechanism (ui/kit/autosave.py): a change touches it, and it saves
        # the draft once the practitioner pauses, or at once when flushed.
        self.autosave = Autosave(self._save, self)
        self._prebuild = QTimer(self)
        self._prebuild.setSingleShot(True)
        self._prebuild.setInterval(0)
        self._prebuild.timeout.connect(self._build_next)

        self.back_button.clicked.connect(self.back)
        self.prev_button.clicked.connect(lambda: self.go_to(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.index + 1))
        self.complete_button.clicked.connect(self.complete_now)
        self.share_button.clicked.connect(self.share_now)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.step_view.selectionModel().currentRowChanged.connect(self._step_chosen)
        self.missing_view.clicked.connect(self._missing_chosen)
        self.missing_view.activated.connect(self._missing_chosen)
        # The step keys work wherever focus is while the assessment shows (Ctrl+PgDown would
        # otherwise move the record's tabs when focus is on them); Ctrl+P and Esc need
        # focus in the assessment.
        window = Qt.ShortcutContext.WindowShortcut
        shortcut("Ctrl+PgDown", self, lambda: self.go_to(self.index + 1), "Next step", window)
        shortcut("Ctrl+PgUp", self, lambda: self.go_to(self.index - 1), "Previous step", window)
        shortcut("Ctrl+P", self, self.save_pdf, "Save the summary as a PDF")
        shortcut("Esc", self, self.back.emit, "Back to all assessments")

    # ---- opening and closing ------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.draft is not None

    @property
    def read_only(self) -> bool:
        return self.ctx is None or self.ctx.read_only

    def open(
        self,
        assessment: Assessment,
        template: Template,
        record: FamilyRecord,
        *,
        practitioner: str,
        frameworks: FrameworkLibrary,
        previous: Assessment | None = None,
        today: dt.date | None = None,
    ) -> None:
        """Show an assessment at the step it was left on; its indicator step offers the codes
        of the family's framework among `frameworks` (the store's library)."""
        self.flush()
        self.frameworks = frameworks
        self._drop_pages()
        self.draft = assessment
        self.template = template
        self.previous = previous
        self.practitioner = practitioner
        self.ctx = self._context(record, today or dt.date.today())
        step_list = steps(template, record.people)
        self.index = resume_index(step_list, assessment)
        self.step_model.set_steps(step_list, {})
        self._show_header()
        self.refresh_states()
        self._show_step(self.index)

    def _context(self, record: FamilyRecord, today: dt.date) -> FlowContext:
        assert self.template is not None
        assert self.draft is not None
        return FlowContext(
            template=self.template,
            family=record.family,
            people=tuple(record.people),
            consents=tuple(record.consents),
            today=today,
            indicators=indicator_choices(self.template, record.family, self.frameworks),
            read_only=self.draft.is_read_only or record.family.is_read_only,
        )

    def update_record(self, record: FamilyRecord) -> None:
        """The family record changed (a person added, consent recorded...): follow it, keeping
        the step and anything being typed."""
        if self.draft is None or self.template is None or self.ctx is None:
            return
        old_ctx = self.ctx
        self.ctx = self._context(record, old_ctx.today)
        old_steps = self.step_model.steps()
        new_steps = steps(self.template, record.people)
        current_key = old_steps[self.index].key if old_steps else ""
        keys = [s.key for s in new_steps]
        rebuild = current_key not in keys or self.ctx.read_only != old_ctx.read_only
        if new_steps != old_steps:
            self.step_model.set_steps(new_steps, {})
            self.index = keys.index(current_key) if current_key in keys else 0
            self._select_row(self.index)
        # Pages that show the record itself are rebuilt; a page of questions keeps its typing.
        keep = self.page if self.page is not None and not rebuild else None
        if keep is not None and keep.step.section.kind is not SectionKind.QUESTIONS:
            keep = None
        self._drop_pages(keep=keep)
        if keep is None:
            self._show_step(self.index)
        self._show_header()
        self.refresh_states()

    def clear(self) -> None:
        """Forget the assessment and everything shown (on lock or leaving the family)."""
        self.autosave.discard()
        self.draft = None
        self.ctx = None
        self.template = None
        self.previous = None
        self._drop_pages()
        self.step_model.set_steps([], {})
        self.missing_model.set_rows([])
        self.title.clear()
        self.banner.clear()
        self.step_title.clear()
        self.step_help.clear()
        self.problem.clear()

    # ---- moving between steps -----------------------------------------------------------

    def go_to(self, index: int, element_id: str = "") -> None:
        """Show step `index` (remembered, so the flow resumes there); leaving a step saves."""
        if self.draft is None or not 0 <= index < self.step_model.rowCount():
            return
        key = self.step_model.steps()[index].key
        if not self.draft.is_read_only and self.draft.current_step != key:
            self.draft = at_step(self.draft, key)
            self.autosave.touch()
        self.flush()
        self._show_step(index, element_id)

    def _step_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._moving and current.isValid() and current.row() != self.index:
            self.go_to(current.row())

    def _missing_chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item = self.missing_model.row_at(index.row())
        keys = [s.key for s in self.step_model.steps()]
        if item.step_key in keys:
            self.go_to(keys.index(item.step_key), item.element_id)

    def _select_row(self, row: int) -> None:
        self._moving = True
        try:
            self.step_view.selectionModel().setCurrentIndex(
                self.step_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        finally:
            self._moving = False

    def _drop_pages(self, *, keep: StepPage | None = None) -> None:
        """Forget built pages (all but `keep`): they showed a record or a draft now gone."""
        self._prebuild.stop()
        for key, (scroll, page) in list(self._pages.items()):
            if page is keep:
                continue
            del self._pages[key]
            self.page_stack.removeWidget(scroll)
            scroll.deleteLater()
        if self.page is not keep:
            self.page = None

    def _page_for(self, index: int) -> tuple[QScrollArea, StepPage]:
        assert self.draft is not None
        assert self.ctx is not None
        step = self.step_model.steps()[index]
        built = self._pages.get(step.key)
        if built is not None and built[1].step == step:
            return built
        if built is not None:  # the person it was about changed
            self.page_stack.removeWidget(built[0])
            built[0].deleteLater()
        scroll = QScrollArea(self.page_stack)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        page = make_page(step, self.draft, self.ctx, scroll)
        page.edited.connect(self.apply)
        scroll.setWidget(page)
        self.page_stack.addWidget(scroll)
        self._pages[step.key] = (scroll, page)
        return scroll, page

    def _build_next(self) -> None:
        if self.draft is not None and self.index + 1 < self.step_model.rowCount():
            scroll, _page = self._page_for(self.index + 1)
            scroll.ensurePolished()  # the page and its children: styled now, not when shown

    def _show_step(self, index: int, element_id: str = "") -> None:
        assert self.draft is not None
        assert self.ctx is not None
        self.index = index
        step = self.step_model.steps()[index]
        self._select_row(index)
        scroll, self.page = self._page_for(index)
        self.page_stack.setCurrentWidget(scroll)
        person = step.person
        about = ""
        if person is not None:
            age = person.age_text(self.ctx.today)
            about = f"<br><small>{person.display_name}{f', {age}' if age else ''}</small>"
        self.step_title.setText(
            f"<h2>{step.title}{about}</h2>"
            f"<small>Step {index + 1} of {self.step_model.rowCount()}</small>"
        )
        self.step_help.setText(step.section.help)
        self.step_help.setVisible(bool(step.section.help))
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.step_model.rowCount() - 1)
        self.problem.clear()
        if element_id:
            self.page.focus_element(element_id)
        elif not self.read_only and self.isVisible():
            self.page.focus_first()
        self._prebuild.start()

    # ---- editing and saving -------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """An edit on the page: change the draft now, save it shortly."""
        if self.draft is None or self.read_only:
            return
        try:
            self.draft = change(self.draft)
        except UserError as exc:
            self.tell(str(exc))
            return
        self.problem.clear()
        if isinstance(self.page, IndicatorsPage):
            self.page.show_ticks(self.draft)
        elif isinstance(self.page, AgenciesPage):
            self.page.show_agencies(self.draft)
        self.autosave.touch()

    @property
    def dirty(self) -> bool:
        return self.draft is not None and self.autosave.pending

    def flush(self) -> None:
        """Save the draft now if it changed since it was last handed to the store."""
        self.autosave.flush()

    def _save(self) -> None:
        if self.draft is None:
            return
        draft = self.draft

        def failed(exc: BaseException) -> None:
            self.autosave.keep_pending()  # so the next flush tries again
            show_error(self, exc)

        Task(
            self.runner, lambda ctx: save_assessment(ctx.store, draft), self.saved.emit, parent=self
        ).failure(failed).run()
        self.refresh_states()

    def missing(self) -> list[Missing]:
        if self.draft is None or self.template is None or self.ctx is None:
            return []
        return missing_before_completion(
            self.draft, self.template, self.ctx.people, self.ctx.consents, on=self.ctx.today
        )

    def refresh_states(self) -> None:
        if self.draft is None:
            return
        missing = [] if self.draft.is_read_only else self.missing()
        self.step_model.set_states(step_states(self.step_model.steps(), self.draft, missing))
        if missing != self.missing_model.rows():  # a reset costs the list view a relayout
            self.missing_model.set_rows(missing)
        editable = not self.read_only
        self.missing_label.setVisible(editable)
        self.missing_view.setVisible(editable)
        self.complete_button.setVisible(editable)
        self.complete_button.setEnabled(editable)
        self.missing_label.setText(
            "&What is still needed" if missing else "Everything required is recorded"
        )

    # ---- completing, sharing, printing --------------------------------------------------

    def tell(self, message: str, *, good: bool = False) -> None:
        """A line under the page: what went wrong (red), or what was done (green)."""
        self.problem.setStyleSheet(text_style("good") if good else problem_style())
        self.problem.setText(message)

    def complete_now(self) -> None:
        if self.draft is None or self.template is None or self.ctx is None or self.read_only:
            return
        by = self.practitioner or self.draft.practitioner or "Lead practitioner"
        try:
            done = complete(
                self.draft,
                self.template,
                self.ctx.people,
                self.ctx.consents,
                on=self.ctx.today,
                by=by,
            )
        except AssessmentIncompleteError as exc:
            self.refresh_states()
            self.tell(str(exc))
            self.missing_view.setFocus()
            return
        except UserError as exc:
            self.tell(str(exc))
            return
        if not confirm_completion(self):
            return
        self._finish(done)

    def share_now(self) -> None:
        if self.draft is None or self.ctx is None:
            return
        try:
            shared = share_with_family(self.draft, on=self.ctx.today)
        except UserError as exc:
            self.tell(str(exc))
            return
        self._finish(shared)

    def _finish(self, changed: Assessment) -> None:
        assert self.ctx is not None
        self.draft = changed
        self.autosave.touch()
        self.flush()
        self.ctx = dataclasses.replace(self.ctx, read_only=True)
        self._show_header()
        self.refresh_states()
        self._drop_pages()  # every page is read-only now
        self._show_step(self.index)
        self.finished.emit(changed)

    def _show_header(self) -> None:
        draft, template, ctx = self.draft, self.template, self.ctx
        if draft is None or template is None or ctx is None:
            return
        started = f" · started {_date_words(draft.started_on)}" if draft.started_on else ""
        review = ""
        if draft.review_of and self.previous is not None:
            review = f" · review of {_date_words(self.previous.started_on)}"
        self.title.setText(
            f"<h2>{template.name} <small>· {draft.state.label}{started}{review}</small></h2>"
        )
        notices = []
        if draft.state is not AssessmentState.DRAFT:
            notices.append(
                f"Completed on {_date_words(draft.completed_on)} by {draft.completed_by}"
                + (
                    f", shared with the family on {_date_words(draft.shared_on)}"
                    if draft.shared_on
                    else ""
                )
                + ". It can no longer be changed: start a review to record what has changed."
            )
        elif ctx.family.is_read_only:
            reason = ctx.family.read_only_reason
            notices.append(f"{reason}, so the assessment is shown read-only.")
        self.banner.setText(" ".join(notices))
        self.banner.setVisible(bool(notices))
        self.share_button.setVisible(
            draft.state is AssessmentState.COMPLETED and not ctx.family.is_read_only
        )

    def default_pdf_name(self) -> str:
        assert self.ctx is not None
        assert self.draft is not None
        day = self.draft.completed_on or self.draft.started_on or self.ctx.today
        return f"{self.ctx.family.reference} assessment {day.isoformat()}.pdf"

    def save_pdf(self) -> None:
        if self.draft is None or self.template is None or self.ctx is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the assessment summary",
            str(Path.home() / self.default_pdf_name()),
            "PDF files (*.pdf)",
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        draft, template, ctx, previous = self.draft, self.template, self.ctx, self.previous
        labels = {code: ctx.indicators.label(code) for code, _ in ctx.indicators.codes}

        def op(_task: TaskContext) -> Path:
            pdf = summary_pdf(
                draft,
                template,
                ctx.family,
                list(ctx.people),
                ctx.consents,
                previous=previous,
                indicator_labels=labels,
            )
            return documents.save(path, pdf)

        def done(written: Path) -> None:
            self.tell(f"Summary saved to {written}", good=True)

        Task(self.runner, op, done, parent=self).with_progress("Saving the summary…").run()
