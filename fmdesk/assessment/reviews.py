"""Copies and reviews of an assessment, and the strengths-and-needs ratings that changed."""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable

from fmdesk.assessment.record import Answer, Assessment, AssessmentState, stray_fields
from fmdesk.assessment.steps import steps
from fmdesk.assessment.template import ElementKind, Template
from fmdesk.errors import ValidationError
from fmdesk.families import Person


def _fits(answer: Answer, template: Template) -> bool:
    try:
        section = template.section(answer.section)
        element = section.element(answer.element)
    except ValidationError:
        return False
    return not stray_fields(answer, element)


def _start_from(
    source: Assessment, template: Template | None, practitioner: str, on: dt.date
) -> Assessment:
    answers = source.answers
    ref = source.template
    if template is not None and template.ref != source.template:
        # Moving to a newer template keeps what still fits it and drops the rest.
        answers = tuple(a for a in answers if _fits(a, template))
        ref = template.ref
    return Assessment(
        family_id=source.family_id,
        template=ref,
        practitioner=practitioner or source.practitioner,
        started_on=on,
        answers=answers,
        indicators=source.indicators,
        agencies=source.agencies,
    )


def start_copy(
    source: Assessment,
    *,
    on: dt.date,
    practitioner: str = "",
    template: Template | None = None,
) -> Assessment:
    """A new draft that starts with `source`'s answers (e.g. to redo an assessment)."""
    fresh = _start_from(source, template, practitioner, on)
    return dataclasses.replace(fresh, copied_from=source.id)


def start_review(
    source: Assessment,
    *,
    on: dt.date,
    practitioner: str = "",
    template: Template | None = None,
) -> Assessment:
    """A new draft reviewing a completed assessment: it starts from the earlier answers and
    stays linked to it (`review_of`), so `rating_changes` can show what moved."""
    if source.state is AssessmentState.DRAFT:
        raise ValidationError("Complete the assessment before starting a review of it.")
    fresh = _start_from(source, template, practitioner, on)
    return dataclasses.replace(fresh, review_of=source.id, copied_from=source.id)


class Direction(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    FIRST_RATED = "first_rated"
    NO_LONGER_RATED = "no_longer_rated"

    @property
    def label(self) -> str:
        return {
            "better": "Better",
            "worse": "Worse",
            "first_rated": "Rated for the first time",
            "no_longer_rated": "No longer rated",
        }[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RatingChange:
    step_title: str
    element_label: str
    person_id: str
    before: str  # in words, e.g. "2 – Significant needs"
    after: str
    direction: Direction


def rating_changes(
    earlier: Assessment,
    later: Assessment,
    template: Template,
    people: Iterable[Person],
) -> list[RatingChange]:
    """The strengths-and-needs ratings that differ between an assessment and its review,
    in step order, each with the before and after in words."""
    scale = template.rating_scale
    changes: list[RatingChange] = []
    for step in steps(template, people):
        for element in step.section.elements:
            if element.kind is not ElementKind.STRENGTHS_NEEDS:
                continue
            old = earlier.answer(step.section.id, element.id, step.person_id)
            new = later.answer(step.section.id, element.id, step.person_id)
            old_value = (old.rating, old.no_issues) if old else (None, False)
            new_value = (new.rating, new.no_issues) if new else (None, False)
            if old_value == new_value:
                continue
            old_good, new_good = scale.goodness(*old_value), scale.goodness(*new_value)
            if old_good is None:
                direction = Direction.FIRST_RATED
            elif new_good is None:
                direction = Direction.NO_LONGER_RATED
            else:
                direction = Direction.BETTER if new_good > old_good else Direction.WORSE
            changes.append(
                RatingChange(
                    step_title=step.title,
                    element_label=element.label,
                    person_id=step.person_id,
                    before=scale.words(*old_value),
                    after=scale.words(*new_value),
                    direction=direction,
                )
            )
    return changes
