"""The page for each step of the guided assessment: questions, consent, household, indicators,
agencies.

A page never holds the assessment. It is built from the draft as it stands, and each edit leaves
as `edited(change)`, where `change` is a function from the current draft to the changed one (made
with fmdesk.assessment's `set_answer`, `tick_indicator`...). The flow applies it to its own draft,
so a page can never save a stale copy. Consent and household pages only show the family record:
what is wrong there is put right on the family record's own tabs, never typed here again.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmdesk.assessment import (
    AgencyInvolved,
    Answer,
    Assessment,
    Element,
    ElementKind,
    IndicatorTick,
    RatingScale,
    SectionKind,
    Step,
    Template,
    household,
    set_agencies,
    set_answer,
    short_names,
    tick_indicator,
    untick_indicator,
)
from fmdesk.families import Consent, ConsentKind, Family, Person, has_consent
from fmdesk.outcomes import FamilyOutcomeData, Framework, FrameworkLibrary, eligibility
from fmdesk.outcomes import IndicatorTick as OutcomeTick
from fmdesk.outcomes.framework import FrameworkNotFound
from ui.kit.colours import colours, text_style
from ui.kit.forms import OptionalDateEdit
from ui.kit.models import Column, RowTableModel
from ui.kit.widgets import record_table

Change = Callable[[Assessment], Assessment]


def problem_style() -> str:
    """A problem message's style sheet, in the palette's problem colour (ui/kit/colours.py)."""
    return text_style("problem")


WHOLE_FAMILY = "The whole family"


# ---- what a page needs to know --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndicatorChoices:
    """The indicator codes an indicators step offers, and where they come from."""

    framework: Framework | None
    codes: tuple[tuple[str, str], ...] = ()  # (code, wording), in the framework's order

    def wording(self, code: str) -> str:
        for known, words in self.codes:
            if known == code:
                return words
        return ""

    def label(self, code: str) -> str:
        words = self.wording(code)
        return f"{code} {words}" if words else code


def indicator_choices(
    template: Template, family: Family, frameworks: FrameworkLibrary
) -> IndicatorChoices:
    """The outcomes framework's indicators for this family, from `frameworks` (the store's
    library, shipped and the council's: db/library.py `definitions`): the one the template's
    indicators section names, else the one the family is attached under. With neither loaded,
    no codes are offered and the practitioner types the code."""
    named = next((s.framework for s in template.sections if s.kind is SectionKind.INDICATORS), "")
    wanted = named or family.framework
    if not wanted:
        return IndicatorChoices(None)
    try:
        framework = frameworks.get(wanted) if "@" in wanted else frameworks.latest(wanted)
    except FrameworkNotFound:
        return IndicatorChoices(None)
    codes = tuple((i.code, i.text) for p in framework.problems for i in p.indicators)
    return IndicatorChoices(framework, codes)


@dataclasses.dataclass(frozen=True)
class FlowContext:
    """The family record and the template, as the pages show them."""

    template: Template
    family: Family
    people: Sequence[Person]
    consents: Sequence[Consent]
    today: dt.date
    indicators: IndicatorChoices
    read_only: bool

    @property
    def members(self) -> list[Person]:
        return household(self.people)

    def name(self, person_id: str) -> str:
        if not person_id:
            return WHOLE_FAMILY
        for person in self.people:
            if person.id == person_id:
                return person.display_name
        return "Someone no longer recorded"


def _date_text(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def make_table(parent: QWidget, name: str) -> QTableView:
    """A record table whose cells wrap: answers here are sentences."""
    view = record_table(parent, name)
    view.setWordWrap(True)
    return view


def help_label(words: str, parent: QWidget) -> QLabel:
    label = QLabel(words, parent)
    label.setWordWrap(True)
    # A palette, not a style sheet: a style sheet on each of a page's labels costs a re-polish.
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colours(palette).muted)
    label.setPalette(palette)
    return label


class StepPage(QWidget):
    """One step's page. `edited` carries a Change to apply to the draft."""

    edited = Signal(object)

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step

    def focus_first(self) -> None:
        """Put the cursor where typing starts."""

    def focus_element(self, element_id: str) -> None:
        self.focus_first()


# ---- questions ------------------------------------------------------------------------------


def _text_box(parent: QWidget, name: str, *, lines: int, read_only: bool) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setReadOnly(read_only)
    # As tall as the lines it is meant for, so a page of questions reads down, not across.
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 16)
    return box


class ElementEditor(QWidget):
    """One question's editor; `answer()` reads it back as an Answer."""

    changed = Signal()

    def __init__(self, step: Step, element: Element, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.element = element

    def blank(self) -> Answer:
        return Answer(
            section=self.step.section.id, person_id=self.step.person_id, element=self.element.id
        )

    # Abstract: each kind of editor says what it holds. Qt's wrapper classes cannot take ABCMeta,
    # so the decorator is what mypy holds every subclass to (and refuses a bare ElementEditor).
    @abc.abstractmethod
    def answer(self) -> Answer:
        """The answer as the editor now shows it."""

    def focus_target(self) -> QWidget:
        return self


class TextEditor(ElementEditor):
    def __init__(
        self,
        step: Step,
        element: Element,
        answer: Answer | None,
        read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(step, element, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        value = answer.text if answer else ""
        self.edit: QLineEdit | QPlainTextEdit
        if element.kind is ElementKind.LONG_TEXT:
            lines = 6 if element.own_words else 4
            self.edit = _text_box(self, element.label, lines=lines, read_only=read_only)
            self.edit.setPlainText(value)
            if element.own_words:
                self.edit.setPlaceholderText("Write it down exactly as they say it.")
            self.edit.textChanged.connect(self.changed)
        else:
            self.edit = QLineEdit(value, self)
            self.edit.setAccessibleName(element.label)
            self.edit.setReadOnly(read_only)
            self.edit.textEdited.connect(self.changed)
        layout.addWidget(self.edit)

    def answer(self) -> Answer:
        edit = self.edit
        value = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        # Own words are kept exactly as typed; other text loses stray spaces at the ends.
        if not self.element.own_words:
            value = value.strip()
        return dataclasses.replace(self.blank(), text=value)

    def focus_target(self) -> QWidget:
        return self.edit


class ComboEditor(ElementEditor):
    """Choice and yes/no questions: a drop-down that starts at "Not answered"."""

    def __init__(
        self,
        step: Step,
        element: Element,
        answer: Answer | None,
        read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(step, element, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(element.label)
        self.combo.addItem("Not answered", None)
        if element.kind is ElementKind.YES_NO:
            self.combo.addItem("Yes", True)
            self.combo.addItem("No", False)
            current: bool | str | None = answer.yes if answer else None
        else:
            for option in element.options:
                self.combo.addItem(option.label, option.id)
            current = answer.choice if answer and answer.choice else None
        self.combo.setCurrentIndex(max(self.combo.findData(current), 0))
        self.combo.setEnabled(not read_only)
        self.combo.currentIndexChanged.connect(self.changed)
        layout.addWidget(self.combo, 0, Qt.AlignmentFlag.AlignLeft)

    def answer(self) -> Answer:
        value = self.combo.currentData()
        if self.element.kind is ElementKind.YES_NO:
            return dataclasses.replace(self.blank(), yes=value)
        return dataclasses.replace(self.blank(), choice=value or "")

    def focus_target(self) -> QWidget:
        return self.combo


class DateEditor(ElementEditor):
    def __init__(
        self,
        step: Step,
        element: Element,
        answer: Answer | None,
        read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(step, element, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.date = OptionalDateEdit(element.label, self)
        with (
            QSignalBlocker(self.date),
            QSignalBlocker(self.date.known),
            QSignalBlocker(self.date.edit),
        ):
            self.date.set_value(answer.date if answer else None)
            self.date.edit.setEnabled(answer is not None and answer.date is not None)
        self.date.setEnabled(not read_only)
        self.date.changed.connect(self.changed)
        layout.addWidget(self.date, 0, Qt.AlignmentFlag.AlignLeft)

    def answer(self) -> Answer:
        return dataclasses.replace(self.blank(), date=self.date.value())

    def focus_target(self) -> QWidget:
        return self.date.known


NO_ISSUES = "no_issues"


def rating_data(answer: Answer) -> str:
    """What the rating drop-down holds for an answer: "1"-"5", "no_issues" or ""."""
    if answer.no_issues:
        return NO_ISSUES
    return "" if answer.rating is None else str(answer.rating)


class StrengthsNeedsEditor(ElementEditor):
    """What is going well, what needs to change, and a rating in the template's words."""

    def __init__(
        self,
        step: Step,
        element: Element,
        answer: Answer | None,
        read_only: bool,
        scale: RatingScale,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(step, element, parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.strengths = _text_box(
            self, f"{element.label}: strengths", lines=3, read_only=read_only
        )
        self.needs = _text_box(self, f"{element.label}: needs", lines=3, read_only=read_only)
        self.rating = QComboBox(self)
        self.rating.setAccessibleName(f"{element.label}: rating")
        # Item data are plain text: PySide does not hand a tuple back from a combo box.
        self.rating.addItem("Not rated yet", "")
        for value in range(1, 6):
            self.rating.addItem(scale.words(value, False), str(value))
        self.rating.addItem(scale.no_issues, NO_ISSUES)
        if answer is not None:
            self.strengths.setPlainText(answer.strengths)
            self.needs.setPlainText(answer.needs)
            self.rating.setCurrentIndex(max(self.rating.findData(rating_data(answer)), 0))
        self.rating.setEnabled(not read_only)
        form.addRow("Strengths:", self.strengths)
        form.addRow("Needs:", self.needs)
        form.addRow("Rating:", self.rating)
        self.strengths.textChanged.connect(self.changed)
        self.needs.textChanged.connect(self.changed)
        self.rating.currentIndexChanged.connect(self.changed)

    def answer(self) -> Answer:
        data = self.rating.currentData() or ""
        rating = int(data) if data.isdigit() else None
        no_issues = data == NO_ISSUES
        return dataclasses.replace(
            self.blank(),
            strengths=self.strengths.toPlainText().strip(),
            needs=self.needs.toPlainText().strip(),
            rating=rating,
            no_issues=no_issues,
        )

    def focus_target(self) -> QWidget:
        return self.strengths


def make_editor(
    step: Step, element: Element, answer: Answer | None, ctx: FlowContext, parent: QWidget
) -> ElementEditor:
    kind = element.kind
    if kind in (ElementKind.TEXT, ElementKind.LONG_TEXT):
        return TextEditor(step, element, answer, ctx.read_only, parent)
    if kind in (ElementKind.CHOICE, ElementKind.YES_NO):
        return ComboEditor(step, element, answer, ctx.read_only, parent)
    if kind is ElementKind.DATE:
        return DateEditor(step, element, answer, ctx.read_only, parent)
    return StrengthsNeedsEditor(
        step, element, answer, ctx.read_only, ctx.template.rating_scale, parent
    )


class QuestionsPage(StepPage):
    def __init__(
        self, step: Step, draft: Assessment, ctx: FlowContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(step, parent)
        self.template = ctx.template
        self.editors: dict[str, ElementEditor] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for element in step.section.elements:
            box = QGroupBox(element.label + (" (required)" if element.required else ""), self)
            box.setAccessibleName(element.label)
            inner = QVBoxLayout(box)
            if element.help:
                inner.addWidget(help_label(element.help, box))
            answer = draft.answer(step.section.id, element.id, step.person_id)
            editor = make_editor(step, element, answer, ctx, box)
            inner.addWidget(editor)
            editor.changed.connect(functools.partial(self._changed, editor))
            self.editors[element.id] = editor
            layout.addWidget(box)
        layout.addStretch(1)

    def _changed(self, editor: ElementEditor) -> None:
        answer = editor.answer()
        self.edited.emit(lambda draft: set_answer(draft, self.template, answer))

    def focus_first(self) -> None:
        if self.editors:
            next(iter(self.editors.values())).focus_target().setFocus()

    def focus_element(self, element_id: str) -> None:
        editor = self.editors.get(element_id)
        if editor is None:
            self.focus_first()
        else:
            editor.focus_target().setFocus()


# ---- from the family record -----------------------------------------------------------------


class ConsentPage(StepPage):
    def __init__(self, step: Step, ctx: FlowContext, parent: QWidget | None = None) -> None:
        super().__init__(step, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        in_force = has_consent(ctx.consents, ConsentKind.ASSESS, ctx.today)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Consent to assess")
        if in_force:
            self.state.setText("Consent to assess is <b>in force</b>.")
        else:
            self.state.setText(
                "<b>No consent to assess is in force today.</b> Record it on the family "
                "record's Consent tab; the assessment cannot be completed without it."
            )
            self.state.setStyleSheet(problem_style())
        layout.addWidget(self.state)
        self.model: RowTableModel[Consent] = RowTableModel(
            (
                Column("Consent to", lambda c: c.kind.label),
                Column("Given by", lambda c: ctx.name(c.person_id) if c.person_id else ""),
                Column("Given on", lambda c: c.given_on, text=_date_text),
                Column("Withdrawn on", lambda c: c.withdrawn_on, text=_date_text),
                Column("In force today", lambda c: "Yes" if c.in_force(ctx.today) else "No"),
            ),
            self,
        )
        self.model.set_rows(
            sorted(
                (c for c in ctx.consents if not c.deleted and not c.in_error),
                key=lambda c: c.given_on,
            )
        )
        self.view = make_table(self, "Consents on the family record")
        self.view.setModel(self.model)
        layout.addWidget(self.view)
        layout.addWidget(
            help_label(
                "Shown from the family record, not typed again. To change it, use the Consent tab.",
                self,
            )
        )


class HouseholdPage(StepPage):
    def __init__(self, step: Step, ctx: FlowContext, parent: QWidget | None = None) -> None:
        super().__init__(step, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        today = ctx.today
        self.model: RowTableModel[Person] = RowTableModel(
            (
                Column("Name", lambda p: p.display_name),
                Column("Role", lambda p: p.relationship or p.role.label),
                Column("Born", lambda p: p.date_of_birth or p.expected_date, text=_date_text),
                Column("Age", lambda p: p.age_text(today)),
                Column("School or setting", lambda p: p.school),
                Column("First language", lambda p: p.language),
            ),
            self,
        )
        self.model.set_rows(ctx.members)
        self.view = make_table(self, "Who lives in the home")
        self.view.setModel(self.model)
        layout.addWidget(self.view)
        layout.addWidget(
            help_label(
                "Shown from the family record, not typed again. To correct a name, a date of birth "
                "or a school, use the Household tab.",
                self,
            )
        )


# ---- indicators and agencies ----------------------------------------------------------------


def _person_combo(parent: QWidget, name: str, ctx: FlowContext) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName(name)
    combo.addItem(WHOLE_FAMILY, "")
    names = short_names(ctx.members)
    for person in ctx.members:
        combo.addItem(names[person.id], person.id)
    return combo


class IndicatorsPage(StepPage):
    def __init__(
        self, step: Step, draft: Assessment, ctx: FlowContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(step, parent)
        self.ctx = ctx
        choices = ctx.indicators
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if choices.framework is not None:
            source = f"Indicators of {choices.framework.name}."
        else:
            source = (
                "This family is not attached to an outcomes framework loaded on this "
                "computer: type each indicator's code as the framework writes it."
            )
        layout.addWidget(help_label(source, self))
        self.model: RowTableModel[IndicatorTick] = RowTableModel(
            (
                Column("Code", lambda t: t.code),
                Column("Indicator", lambda t: choices.wording(t.code)),
                Column("About", lambda t: ctx.name(t.person_id)),
                Column("Evidence", lambda t: t.evidence),
            ),
            self,
        )
        self.view = make_table(self, "Indicators ticked")
        self.view.setModel(self.model)
        layout.addWidget(self.view, 1)
        self.eligibility = QLabel(self)
        self.eligibility.setWordWrap(True)
        self.eligibility.setAccessibleName("Eligibility as ticked")
        layout.addWidget(self.eligibility)

        self.code = QComboBox(self)
        self.code.setAccessibleName("Indicator to tick")
        self.code.setEditable(choices.framework is None)
        for code, words in choices.codes:
            self.code.addItem(f"{code} — {words}", code)
        self.code.setMinimumContentsLength(30)
        self.code.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.about = _person_combo(self, "Indicator is about", ctx)
        self.evidence = QLineEdit(self)
        self.evidence.setAccessibleName("Evidence for the indicator")
        self.evidence.setPlaceholderText("Where the evidence comes from, e.g. school register")
        self.tick_button = QPushButton("&Tick indicator", self)
        self.untick_button = QPushButton("&Untick selected", self)
        form = QFormLayout()
        form.addRow("Indicator:", self.code)
        form.addRow("About:", self.about)
        form.addRow("Evidence:", self.evidence)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tick_button)
        buttons.addWidget(self.untick_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        for w in (self.code, self.about, self.evidence, self.tick_button, self.untick_button):
            w.setEnabled(not ctx.read_only)
        self.tick_button.clicked.connect(self.tick)
        self.untick_button.clicked.connect(self.untick_selected)
        self.show_ticks(draft)

    def show_ticks(self, draft: Assessment) -> None:
        self.model.set_rows(list(draft.indicators))
        framework = self.ctx.indicators.framework
        if framework is None:
            self.eligibility.clear()
            return
        ticks = tuple(
            OutcomeTick(
                family_id=draft.family_id,
                indicator=t.code,
                person_id=t.person_id,
                on=self.ctx.today,
            )
            for t in draft.indicators
        )
        data = FamilyOutcomeData(family=self.ctx.family, people=tuple(self.ctx.people), ticks=ticks)
        result = eligibility(framework, data)
        self.eligibility.setText(f"As ticked, the family is {result.reason}")

    def tick(self) -> None:
        code = self.code.currentData() if not self.code.isEditable() else None
        code = (code or self.code.currentText()).strip()
        if not code:
            return
        person_id = self.about.currentData() or ""
        evidence = self.evidence.text().strip()
        self.evidence.clear()
        self.edited.emit(
            lambda draft: tick_indicator(draft, code, person_id=person_id, evidence=evidence)
        )

    def untick_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        tick = self.model.row_at(index.row())
        self.edited.emit(lambda draft: untick_indicator(draft, tick.code, person_id=tick.person_id))

    def focus_first(self) -> None:
        self.code.setFocus()


class AgenciesPage(StepPage):
    def __init__(
        self, step: Step, draft: Assessment, ctx: FlowContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(step, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.model: RowTableModel[AgencyInvolved] = RowTableModel(
            (
                Column("Agency", lambda a: a.agency),
                Column("Worker", lambda a: a.worker),
                Column("Contact", lambda a: a.contact),
                Column("Works with", lambda a: ctx.name(a.person_id)),
            ),
            self,
        )
        self.view = make_table(self, "Agencies involved")
        self.view.setModel(self.model)
        layout.addWidget(self.view, 1)
        self.agency = QLineEdit(self)
        self.agency.setAccessibleName("Agency")
        self.agency.setPlaceholderText("e.g. Hillside Primary School")
        self.worker = QLineEdit(self)
        self.worker.setAccessibleName("Worker")
        self.contact = QLineEdit(self)
        self.contact.setAccessibleName("Contact")
        self.contact.setPlaceholderText("Phone or email")
        self.works_with = _person_combo(self, "Agency works with", ctx)
        form = QFormLayout()
        form.addRow("Agency:", self.agency)
        form.addRow("Worker:", self.worker)
        form.addRow("Contact:", self.contact)
        form.addRow("Works with:", self.works_with)
        layout.addLayout(form)
        self.add_button = QPushButton("&Add agency", self)
        self.remove_button = QPushButton("Remo&ve selected", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(problem_style())
        layout.addWidget(self.problem)
        for w in (
            self.agency,
            self.worker,
            self.contact,
            self.works_with,
            self.add_button,
            self.remove_button,
        ):
            w.setEnabled(not ctx.read_only)
        self.add_button.clicked.connect(self.add)
        self.agency.returnPressed.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.show_agencies(draft)

    def show_agencies(self, draft: Assessment) -> None:
        self.model.set_rows(list(draft.agencies))

    def add(self) -> None:
        if not self.agency.text().strip():
            self.problem.setText("Name the agency first.")
            return
        self.problem.clear()
        entry = AgencyInvolved(
            agency=self.agency.text().strip(),
            worker=self.worker.text().strip(),
            contact=self.contact.text().strip(),
            person_id=self.works_with.currentData() or "",
        )
        for field in (self.agency, self.worker, self.contact):
            field.clear()
        self.edited.emit(lambda draft: set_agencies(draft, [*draft.agencies, entry]))

    def remove_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        gone = index.row()
        self.edited.emit(
            lambda draft: set_agencies(
                draft, [a for i, a in enumerate(draft.agencies) if i != gone]
            )
        )

    def focus_first(self) -> None:
        self.agency.setFocus()


def make_page(
    step: Step, draft: Assessment, ctx: FlowContext, parent: QWidget | None = None
) -> StepPage:
    kind = step.section.kind
    if kind is SectionKind.CONSENT:
        return ConsentPage(step, ctx, parent)
    if kind is SectionKind.HOUSEHOLD:
        return HouseholdPage(step, ctx, parent)
    if kind is SectionKind.INDICATORS:
        return IndicatorsPage(step, draft, ctx, parent)
    if kind is SectionKind.AGENCIES:
        return AgenciesPage(step, draft, ctx, parent)
    return QuestionsPage(step, draft, ctx, parent)


def separator(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
