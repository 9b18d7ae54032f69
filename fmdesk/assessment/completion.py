"""Completing an assessment: what is still required, signing it off, and sharing it."""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from fmdesk.assessment.record import Answer, Assessment, AssessmentState, check_editable
from fmdesk.assessment.steps import steps
from fmdesk.assessment.template import Section, SectionKind, Template
from fmdesk.errors import ValidationError
from fmdesk.families import Consent, ConsentKind, Person, has_consent


@dataclasses.dataclass(frozen=True, kw_only=True)
class Missing:
    """Something that must be filled in before completion, and where."""

    step_key: str
    element_id: str  # "" when the whole step is missing something (consent, indicators)
    message: str

    def __str__(self) -> str:
        return self.message


class AssessmentIncompleteError(ValidationError):
    """Completion refused; `missing` lists what is needed, each naming its field."""

    def __init__(self, missing: Sequence[Missing]) -> None:
        self.missing = tuple(missing)
        lines = "\n".join(f"• {m.message}" for m in self.missing)
        super().__init__(f"The assessment cannot be completed yet. Still needed:\n{lines}")


def _answered(answer: Answer | None) -> bool:
    return answer is not None and not answer.is_empty


def _section_problem(
    section: Section, assessment: Assessment, consents: Sequence[Consent], day: dt.date
) -> str:
    """What a whole section lacks (as opposed to one of its questions), or ""."""
    if not section.required:
        return ""
    if section.kind is SectionKind.CONSENT and not has_consent(consents, ConsentKind.ASSESS, day):
        return "no consent to assess is in force (record it first)"
    if section.kind is SectionKind.INDICATORS and not assessment.indicators:
        return "tick at least one indicator"
    if section.kind is SectionKind.AGENCIES and not assessment.agencies:
        return "list at least one agency"
    return ""


def missing_before_completion(
    assessment: Assessment,
    template: Template,
    people: Iterable[Person],
    consents: Iterable[Consent] = (),
    *,
    on: dt.date | None = None,
) -> list[Missing]:
    """Everything still required, in step order, each named in words, e.g.
    "Child's views — Amelia: required". Consent is checked on `on` (default: today)."""
    day = on or dt.date.today()
    consents = list(consents)
    missing: list[Missing] = []
    for step in steps(template, people):
        section = step.section
        problem = _section_problem(section, assessment, consents, day)
        if problem:
            message = f"{step.title}: {problem}"
            missing.append(Missing(step_key=step.key, element_id="", message=message))
        for element in section.elements:
            if element.required and not _answered(
                assessment.answer(section.id, element.id, step.person_id)
            ):
                where = (
                    step.title
                    if len(section.elements) == 1
                    else (f"{step.title} — {element.label}")
                )
                missing.append(
                    Missing(step_key=step.key, element_id=element.id, message=f"{where}: required")
                )
    return missing


def complete(
    assessment: Assessment,
    template: Template,
    people: Iterable[Person],
    consents: Iterable[Consent] = (),
    *,
    on: dt.date,
    by: str,
) -> Assessment:
    """Sign the assessment off; refuses (AssessmentIncompleteError) while anything required is
    missing. From then on it is read-only."""
    check_editable(assessment)
    if assessment.template != template.ref:
        raise ValidationError(f"This assessment follows {assessment.template}, not {template.ref}.")
    if not by.strip():
        raise ValidationError("Say who completed the assessment.")
    if assessment.started_on is not None and on < assessment.started_on:
        raise ValidationError("An assessment cannot be completed before it was started.")
    missing = missing_before_completion(assessment, template, people, consents, on=on)
    if missing:
        raise AssessmentIncompleteError(missing)
    return dataclasses.replace(
        assessment, state=AssessmentState.COMPLETED, completed_on=on, completed_by=by.strip()
    )


def share_with_family(assessment: Assessment, *, on: dt.date) -> Assessment:
    """Record the day a copy was given to the family."""
    if assessment.state is not AssessmentState.COMPLETED or assessment.completed_on is None:
        raise ValidationError("Only a completed assessment that is not yet shared can be shared.")
    if on < assessment.completed_on:
        raise ValidationError("An assessment cannot be shared before it was completed.")
    return dataclasses.replace(assessment, state=AssessmentState.SHARED, shared_on=on)
