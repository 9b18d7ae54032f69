"""The Assessment tab of the family record: the family's assessments, and the guided flow.

The list shows each assessment (template, started, state, completed by and on, what it reviews).
"Start assessment" begins a new one with the template chosen beside it (fmdesk's own, or one the
council added: db/assessments.py load_templates; the council's newest is chosen first), "Start
review" a review linked to a completed one, "Copy" a new draft from any. Opening one shows the
guided flow (ui/assessment_flow). Without consent to assess in force, on a closed case, or on a
family the coordinator has reassigned, nothing new can be started.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.assessments import Templates, load_assessments, load_templates, save_assessment
from db.families import FamilyRecord
from db.library import definitions
from fmdesk.assessment import (
    Assessment,
    AssessmentState,
    Template,
    TemplateLibrary,
    new_assessment,
    start_copy,
    start_review,
)
from fmdesk.definition import Definition
from fmdesk.errors import UserError
from fmdesk.families import ConsentKind, has_consent
from fmdesk.outcomes import FrameworkLibrary
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.errors import show_error
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.pages import FeatureTab, kinds
from ui.kit.tasks import TaskContext, TaskRunner
from ui.kit.widgets import shortcut
from ui.record.assessment.flow import AssessmentFlow


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


@dataclasses.dataclass(frozen=True)
class AssessmentRow:
    """A list row: the assessment, and the one it reviews (for the "Review of" column)."""

    assessment: Assessment
    reviews: Assessment | None = None
    template_name: str = ""  # the template's name where it is loaded here, else its id@version


ASSESSMENT_COLUMNS: tuple[Column[AssessmentRow], ...] = (
    Column("Template", lambda r: r.template_name or r.assessment.template),
    Column("Started", lambda r: r.assessment.started_on),
    Column("State", lambda r: r.assessment.state, text=lambda s: s.label),
    Column("Completed", lambda r: r.assessment.completed_on, text=lambda d: _day(d)),
    Column("Completed by", lambda r: r.assessment.completed_by),
    Column(
        "Review of",
        lambda r: r.reviews.started_on if r.reviews else None,
        text=lambda d: f"Assessment started {_day(d)}" if d else "",
    ),
)


def make_rows(
    assessments: list[Assessment], names: Mapping[str, str] | None = None
) -> list[AssessmentRow]:
    """List rows; `names` gives each template's name by id@version."""
    by_id = {a.id: a for a in assessments}
    names = names or {}
    return [
        AssessmentRow(a, by_id.get(a.review_of), names.get(a.template, "")) for a in assessments
    ]


class AssessmentTab(FeatureTab):
    title = "&Assessment"
    # The family's assessments, and the templates (council ones arrive as definitions). The
    # household, consent and the family's state reach the notice and an open assessment
    # through update_record.
    shows = kinds(Assessment, Definition)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.practitioner = ""
        self.templates = TemplateLibrary.shipped()  # until the store's are read
        self.frameworks = FrameworkLibrary.shipped()  # likewise (the indicator step's codes)
        self.template_problems: tuple[str, ...] = ()
        self.stack = QStackedWidget(self)
        self.list_page = QWidget(self)
        self.notice = MessageLabel(self.list_page)  # said to a screen reader (issue 16)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Assessment notices")
        self.notice.setStyleSheet(notice_style())
        self.model: RowTableModel[AssessmentRow] = RowTableModel(ASSESSMENT_COLUMNS, self)
        self.view = QTableView(self.list_page)
        self.view.setAccessibleName("Assessments")
        self.view.setTabKeyNavigation(False)  # Tab moves on to the next control
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.start_button = QPushButton("Start &assessment", self.list_page)
        self.start_button.setToolTip("Start a new whole-family assessment (Ctrl+Shift+N)")
        # Shown only when there is a choice: the council has added a template of its own.
        self.template_label = QLabel("&Template:", self.list_page)
        self.template_combo = QComboBox(self.list_page)
        self.template_combo.setAccessibleName("Template for a new assessment")
        self.template_combo.setToolTip(
            "Which template a new assessment follows: fmdesk's own, or one your council added"
        )
        self.template_label.setBuddy(self.template_combo)
        self._picked_template = ""  # what the user chose in the combo; "" = the default
        self.template_combo.activated.connect(
            lambda _i: setattr(self, "_picked_template", self.template_combo.currentData() or "")
        )
        self.review_button = QPushButton("Start re&view", self.list_page)
        self.review_button.setToolTip(
            "Review the selected completed assessment: it starts "
            "from its answers and shows what has changed"
        )
        self.copy_button = QPushButton("Cop&y", self.list_page)
        self.copy_button.setToolTip("A new draft that starts from the selected assessment")
        self.open_button = QPushButton("Op&en", self.list_page)
        self.open_button.setToolTip("Open the selected assessment (Enter)")
        for button in (self.start_button, self.review_button, self.copy_button, self.open_button):
            button.setMinimumHeight(36)
        buttons = QHBoxLayout()
        buttons.addWidget(self.template_label)
        buttons.addWidget(self.template_combo)
        for button in (self.start_button, self.review_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        list_layout = QVBoxLayout(self.list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        # The actions first, where a long list cannot push them off the screen.
        list_layout.addLayout(buttons)
        list_layout.addWidget(self.notice)
        list_layout.addWidget(self.view, 1)

        self.flow = AssessmentFlow(runner, self)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.flow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.start_button.clicked.connect(self.start_assessment)
        self.review_button.clicked.connect(self.start_review)
        self.copy_button.clicked.connect(self.copy_assessment)
        self.open_button.clicked.connect(self.open_selected)
        self.view.activated.connect(lambda _index: self.open_selected())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.flow.back.connect(self.show_list)
        self.flow.saved.connect(self._saved)
        shortcut("Ctrl+Shift+N", self.list_page, self.start_assessment, "Start an assessment")
        self._show_templates()
        self._update_buttons()

    # ---- the family ---------------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        return dt.date.today()

    @property
    def can_start(self) -> bool:
        record = self.record
        return (
            record is not None
            and not record.family.is_read_only
            and has_consent(record.consents, ConsentKind.ASSESS, self.today)
        )

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is None or self.record.family.id != record.family.id:
            self.flow.flush()
            self.flow.clear()
            self.model.set_rows([])
            self.stack.setCurrentWidget(self.list_page)
        super().open_family(record)
        self._show_notice()

    def update_record(self, record: FamilyRecord) -> None:
        """A person added, consent recorded: an open assessment follows, keeping its step."""
        super().update_record(record)
        if self.flow.is_open:
            self.flow.update_record(record)
        self._show_notice()

    def _show_notice(self) -> None:
        record = self.record
        notices = []
        if record is not None and record.family.is_read_only:
            reason = record.family.read_only_reason
            notices.append(f"{reason}: its assessments can be read, not changed.")
        elif record is not None and not self.can_start:
            notices.append(
                "No consent to assess is in force, so an assessment cannot be "
                "started. Record the family's consent on the Consent tab first."
            )
        notices.extend(self.template_problems)
        self.notice.setText(" ".join(notices))
        self.notice.setVisible(bool(notices))
        self._update_buttons()

    def reload(self, *, select: str | None = None) -> None:
        """Read the family's assessments, the templates and who is signed in, on the worker."""
        if self.record is None:
            return
        family_id = self.record.family.id

        def op(ctx: TaskContext) -> tuple[list[Assessment], str, Templates, FrameworkLibrary]:
            return (
                load_assessments(ctx.store, family_id),
                ctx.store.info.owner_name,
                load_templates(ctx.store),
                definitions(ctx.store).frameworks,
            )

        def done(result: tuple[list[Assessment], str, Templates, FrameworkLibrary]) -> None:
            assessments, self.practitioner, templates, self.frameworks = result
            self.templates = templates.library
            self.template_problems = templates.problems
            self._show_templates()
            self._show_notice()
            self._set_rows(assessments, select)

        self.read(op, done)

    def _set_rows(self, assessments: list[Assessment], select: str | None = None) -> None:
        current = self.selected()
        keep = select or (current.id if current else None)
        names = {t.ref: t.name for t in self.templates.all()}
        self.model.set_rows(make_rows(assessments, names))
        target = next((i for i, a in enumerate(assessments) if a.id == keep), 0)
        if assessments:
            self.view.selectionModel().setCurrentIndex(
                self.model.index(target, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons()

    def assessments(self) -> list[Assessment]:
        return [r.assessment for r in self.model.rows()]

    def selected(self) -> Assessment | None:
        index: QModelIndex = self.view.currentIndex()
        if not index.isValid():
            return None
        row: AssessmentRow = index.data(ROW_ROLE)
        return row.assessment

    def _show_templates(self) -> None:
        """Fill the template choice (the default first), keeping the one the user picked if it
        is still offered; hidden when there is only one template to choose."""
        chosen = self._picked_template
        choices = self.templates.choices()
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        for template in choices:
            council = " (council)" if self.templates.is_council(template.ref) else ""
            self.template_combo.addItem(f"{template.name}{council}", template.ref)
        index = self.template_combo.findData(chosen) if chosen else -1
        self.template_combo.setCurrentIndex(max(index, 0))
        self.template_combo.blockSignals(False)
        several = len(choices) > 1
        self.template_label.setVisible(several)
        self.template_combo.setVisible(several)

    def chosen_template(self) -> Template:
        ref = self.template_combo.currentData()
        return self.templates.get(str(ref)) if ref else self.templates.default()

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.template_combo.setEnabled(self.can_start)
        self.start_button.setEnabled(self.can_start)
        self.review_button.setEnabled(
            self.can_start and chosen is not None and chosen.state is not AssessmentState.DRAFT
        )
        self.copy_button.setEnabled(self.can_start and chosen is not None)
        self.open_button.setEnabled(chosen is not None)

    def flush(self) -> None:
        self.flow.flush()

    def clear(self) -> None:
        self.flow.clear()
        self.model.set_rows([])
        self.notice.clear()
        self.practitioner = ""
        self.stack.setCurrentWidget(self.list_page)
        super().clear()

    # ---- starting and opening -----------------------------------------------------------

    def _save_and_open(self, assessment: Assessment) -> None:
        def done(saved: Assessment) -> None:
            if self.record is None or self.record.family.id != saved.family_id:
                return
            others = [a for a in self.assessments() if a.id != saved.id]
            self._set_rows([saved, *others], select=saved.id)
            self.open_assessment(saved)

        self.write(lambda ctx: save_assessment(ctx.store, assessment), done)

    def start_assessment(self) -> None:
        if self.record is None or not self.can_start:
            return
        try:
            template = self.chosen_template()
        except UserError as exc:
            show_error(self, exc)
            return
        self._save_and_open(
            new_assessment(
                self.record.family.id, template, practitioner=self.practitioner, on=self.today
            )
        )

    def start_review(self) -> None:
        chosen = self.selected()
        if chosen is None or not self.can_start:
            return
        try:
            review = start_review(chosen, on=self.today, practitioner=self.practitioner)
        except UserError as exc:
            show_error(self, exc)
            return
        self._save_and_open(review)

    def copy_assessment(self) -> None:
        chosen = self.selected()
        if chosen is None or not self.can_start:
            return
        self._save_and_open(start_copy(chosen, on=self.today, practitioner=self.practitioner))

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_assessment(chosen)

    def open_assessment(self, assessment: Assessment) -> None:
        if self.record is None:
            return
        try:
            template = self.templates.get(assessment.template)
        except UserError as exc:
            show_error(self, exc)
            return
        previous = next((a for a in self.assessments() if a.id == assessment.review_of), None)
        self.flow.open(
            assessment,
            template,
            self.record,
            practitioner=self.practitioner,
            frameworks=self.frameworks,
            previous=previous,
            today=self.today,
        )
        self.stack.setCurrentWidget(self.flow)
        if self.flow.page is not None and not self.flow.read_only:
            self.flow.page.focus_first()

    def show_list(self) -> None:
        if self.flow.draft is not None:
            self._saved(self.flow.draft)  # the list shows it as left, before the store answers
        self.flow.flush()
        self.flow.clear()
        self.stack.setCurrentWidget(self.list_page)
        self.view.setFocus()

    def _saved(self, saved: Assessment) -> None:
        if self.record is None or self.record.family.id != saved.family_id:
            return
        listed = self.assessments()
        if any(a.id == saved.id for a in listed):
            self._set_rows([saved if a.id == saved.id else a for a in listed])
