"""The Assessment record: the template it follows, the answers, ticked indicators, agencies, and
its state (draft → completed → shared with the family), with the edits a draft takes.

A completed assessment is read-only; change is recorded by starting a review (linked with
`review_of`) or a copy (fmdesk/assessment/reviews.py).
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple, NoReturn, Self

from fmdesk.assessment.template import Element, ElementKind, SectionKind, Template
from fmdesk.errors import ValidationError
from fmdesk.records import SYNC_FIELDS, Record, record_kind


class AssessmentState(enum.StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"
    SHARED = "shared"  # completed, and a copy given to the family

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "completed": "Completed",
            "shared": "Completed and shared with the family",
        }[self.value]


class AnswerKey(NamedTuple):
    section: str
    person_id: str  # "" in a once-per-family section
    element: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Answer:
    """One element's answer. Only the fields of the element's kind are set:
    text and long text → `text`; choice → `choice` (an option id); yes/no → `yes`;
    date → `date`; strengths and needs → `strengths`, `needs`, and `rating` (1–5) or
    `no_issues`."""

    section: str
    person_id: str = ""
    element: str
    text: str = ""
    choice: str = ""
    yes: bool | None = None
    date: dt.date | None = None
    strengths: str = ""
    needs: str = ""
    rating: int | None = None
    no_issues: bool = False

    def __post_init__(self) -> None:
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise ValueError("a rating is from 1 to 5")
        if self.rating is not None and self.no_issues:
            raise ValueError("choose a rating or 'no issues', not both")

    @property
    def key(self) -> AnswerKey:
        return AnswerKey(self.section, self.person_id, self.element)

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.choice
            or self.yes is not None
            or self.date is not None
            or self.strengths.strip()
            or self.needs.strip()
            or self.rating is not None
            or self.no_issues
        )


# Which Answer fields each element kind may set.
_KIND_FIELDS: dict[ElementKind, frozenset[str]] = {
    ElementKind.TEXT: frozenset({"text"}),
    ElementKind.LONG_TEXT: frozenset({"text"}),
    ElementKind.CHOICE: frozenset({"choice"}),
    ElementKind.YES_NO: frozenset({"yes"}),
    ElementKind.DATE: frozenset({"date"}),
    ElementKind.STRENGTHS_NEEDS: frozenset({"strengths", "needs", "rating", "no_issues"}),
}
_VALUE_FIELDS = frozenset().union(*_KIND_FIELDS.values())
_BLANK = {f.name: f.default for f in dataclasses.fields(Answer) if f.name in _VALUE_FIELDS}


def stray_fields(answer: Answer, element: Element) -> list[str]:
    """The answer's value fields that `element`'s kind does not take, sorted (a yes/no answer
    with text, say). An answer fits its element when there are none."""
    allowed = _KIND_FIELDS[element.kind]
    return sorted(f for f in _VALUE_FIELDS - allowed if getattr(answer, f) != _BLANK[f])


@dataclasses.dataclass(frozen=True, kw_only=True)
class IndicatorTick:
    """An outcomes-framework indicator of need that the assessment found to apply."""

    code: str
    person_id: str = ""  # "" = the family as a whole
    evidence: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgencyInvolved:
    agency: str
    worker: str = ""
    contact: str = ""
    person_id: str = ""  # the family member the agency works with; "" = the whole family


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Assessment(Record):
    KIND: ClassVar[str] = "assessment"

    template: str  # "id@version"
    practitioner: str = ""
    started_on: dt.date | None = None
    state: AssessmentState = AssessmentState.DRAFT
    completed_on: dt.date | None = None
    completed_by: str = ""
    shared_on: dt.date | None = None
    # The key of the step the practitioner was on (Step.key), to resume there.
    current_step: str = ""
    # Sorted by key, so the same answers always give the same record.
    answers: tuple[Answer, ...] = ()
    indicators: tuple[IndicatorTick, ...] = ()
    agencies: tuple[AgencyInvolved, ...] = ()
    review_of: str = ""  # the assessment this one reviews
    copied_from: str = ""  # the assessment this one started from

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("an assessment belongs to a family")
        if "@" not in self.template:
            raise ValueError("the template is named as id@version")
        finished = self.state is not AssessmentState.DRAFT
        if finished != (self.completed_on is not None and bool(self.completed_by.strip())):
            raise ValueError("a completed assessment has a completion date and who completed it")
        if (self.state is AssessmentState.SHARED) != (self.shared_on is not None):
            raise ValueError("a shared assessment has the date it was shared, and only that one")
        if self.id in (self.review_of, self.copied_from):
            raise ValueError("an assessment cannot review or copy itself")
        keys = [a.key for a in self.answers]
        if keys != sorted(set(keys)):
            object.__setattr__(self, "answers", _sorted_answers(self.answers))

    @property
    def is_read_only(self) -> bool:
        return self.state is not AssessmentState.DRAFT

    def replace(self, **changes: Any) -> Self:
        """As Record.replace, but a completed assessment only takes sync bookkeeping."""
        if self.is_read_only and set(changes) - set(SYNC_FIELDS):
            _refuse_edit(self)
        return super().replace(**changes)

    def answer(self, section: str, element: str, person_id: str = "") -> Answer | None:
        key = AnswerKey(section, person_id, element)
        for answer in self.answers:
            if answer.key == key:
                return answer
        return None


def _sorted_answers(answers: Iterable[Answer]) -> tuple[Answer, ...]:
    by_key: dict[AnswerKey, Answer] = {}
    for answer in answers:
        by_key[answer.key] = answer  # the last one given for a key wins
    return tuple(by_key[k] for k in sorted(by_key))


def _refuse_edit(assessment: Assessment) -> NoReturn:
    when = f" on {assessment.completed_on:%d %b %Y}" if assessment.completed_on else ""
    raise ValidationError(
        f"This assessment was completed{when} and can no longer be changed. "
        "Start a review to record what has changed."
    )


def check_editable(assessment: Assessment) -> None:
    """Refuse (ValidationError) any change to a completed assessment."""
    if assessment.is_read_only:
        _refuse_edit(assessment)


def new_assessment(
    family_id: str, template: Template, *, practitioner: str, on: dt.date
) -> Assessment:
    return Assessment(
        family_id=family_id, template=template.ref, practitioner=practitioner, started_on=on
    )


def set_answer(assessment: Assessment, template: Template, answer: Answer) -> Assessment:
    """Store one answer (an empty answer clears it), checked against the template."""
    check_editable(assessment)
    section = template.section(answer.section)
    if section.kind is not SectionKind.QUESTIONS:
        raise ValidationError(f"{section.title}: this section has no questions to answer")
    element = section.element(answer.element)
    if section.scope.per_person and not answer.person_id:
        raise ValidationError(f"{section.title}: say which person this answer is about")
    if not section.scope.per_person and answer.person_id:
        raise ValidationError(f"{section.title}: this section is about the whole family")
    stray = stray_fields(answer, element)
    if stray:
        raise ValidationError(
            f"{section.title}, {element.label}: a {element.kind.value} answer has no "
            f"{', '.join(stray)}"
        )
    choices = {o.id for o in element.options}
    if element.kind is ElementKind.CHOICE and answer.choice and answer.choice not in choices:
        raise ValidationError(f"{element.label}: {answer.choice!r} is not one of the choices")
    kept = [a for a in assessment.answers if a.key != answer.key]
    if not answer.is_empty:
        kept.append(answer)
    return dataclasses.replace(assessment, answers=_sorted_answers(kept))


def tick_indicator(
    assessment: Assessment, code: str, *, person_id: str = "", evidence: str = ""
) -> Assessment:
    """Tick an indicator for a person (or the family); ticking again replaces the evidence."""
    check_editable(assessment)
    if not code.strip():
        raise ValidationError("Choose an indicator to tick.")
    kept = [t for t in assessment.indicators if (t.code, t.person_id) != (code, person_id)]
    kept.append(IndicatorTick(code=code.strip(), person_id=person_id, evidence=evidence.strip()))
    return dataclasses.replace(assessment, indicators=tuple(kept))


def untick_indicator(assessment: Assessment, code: str, *, person_id: str = "") -> Assessment:
    check_editable(assessment)
    kept = tuple(t for t in assessment.indicators if (t.code, t.person_id) != (code, person_id))
    return dataclasses.replace(assessment, indicators=kept)


def set_agencies(assessment: Assessment, agencies: Iterable[AgencyInvolved]) -> Assessment:
    check_editable(assessment)
    listed = tuple(agencies)
    for index, entry in enumerate(listed, start=1):
        if not entry.agency.strip():
            raise ValidationError(f"Agencies involved, row {index}: name the agency")
    return dataclasses.replace(assessment, agencies=listed)


def at_step(assessment: Assessment, step_key: str) -> Assessment:
    """Remember the step the practitioner is on, so the flow resumes there."""
    check_editable(assessment)
    return dataclasses.replace(assessment, current_step=step_key)
