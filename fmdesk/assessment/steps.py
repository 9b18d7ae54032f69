"""The assessment's steps through the household: one per section, or one per person for a
per-child (per-adult...) section, in a steady order, and where to resume."""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from fmdesk.assessment.record import Assessment
from fmdesk.assessment.template import Scope, Section, Source, Template
from fmdesk.families import Person, PersonRole


@dataclasses.dataclass(frozen=True, kw_only=True)
class Step:
    section: Section
    person: Person | None = None
    title: str

    @property
    def key(self) -> str:
        return f"{self.section.id}/{self.person.id}" if self.person else self.section.id

    @property
    def person_id(self) -> str:
        return self.person.id if self.person else ""

    @property
    def read_only(self) -> bool:
        """Filled from the family record: shown, never typed."""
        return self.section.source is Source.FAMILY_RECORD


def household(people: Iterable[Person]) -> list[Person]:
    """The people an assessment walks through, in a steady order: parents and carers, other
    adults, then children oldest first (unborn last); people outside the home are left out."""
    role_order = {PersonRole.PARENT_CARER: 0, PersonRole.OTHER_ADULT: 1, PersonRole.CHILD: 2}
    present = [p for p in people if p.in_household and not p.deleted and not p.in_error]

    def order(person: Person) -> tuple[int, int, dt.date, str]:
        born = person.date_of_birth or person.expected_date
        unborn_or_unknown = 2 if person.is_unborn else (1 if born is None else 0)
        return (role_order[person.role], unborn_or_unknown, born or dt.date.max, person.full_name)

    return sorted(present, key=order)


def short_names(people: Iterable[Person]) -> dict[str, str]:
    """What a step calls each person: the name they go by, or the full name if two share it."""
    listed = list(people)
    first = {p.id: (p.known_as or p.given_name).strip() or p.full_name for p in listed}
    clashes = {n for n in first.values() if list(first.values()).count(n) > 1}
    return {p.id: p.full_name if first[p.id] in clashes else first[p.id] for p in listed}


def _people_for(scope: Scope, section: Section, people: Sequence[Person]) -> list[Person]:
    roles = {
        Scope.EACH_CHILD: {PersonRole.CHILD},
        Scope.EACH_PARENT_CARER: {PersonRole.PARENT_CARER},
        Scope.EACH_OTHER_ADULT: {PersonRole.OTHER_ADULT},
        Scope.EACH_ADULT: {PersonRole.PARENT_CARER, PersonRole.OTHER_ADULT},
    }[scope]
    chosen = [p for p in people if p.role in roles]
    if scope is Scope.EACH_CHILD and not section.include_unborn:
        chosen = [p for p in chosen if not p.is_unborn]
    return chosen


def steps(template: Template, people: Iterable[Person]) -> list[Step]:
    """The assessment's steps for this household, in order: a once-per-family section is one
    step; a per-child (per-adult...) section is one step for each such person."""
    members = household(people)
    names = short_names(members)
    result: list[Step] = []
    for section in template.sections:
        if not section.scope.per_person:
            result.append(Step(section=section, title=section.title))
            continue
        for person in _people_for(section.scope, section, members):
            title = f"{section.title} — {names[person.id]}"
            result.append(Step(section=section, person=person, title=title))
    return result


def resume_index(step_list: Sequence[Step], assessment: Assessment) -> int:
    """Where to reopen the flow: the remembered step, or the first if it no longer exists
    (say the person it was about has left the household)."""
    for index, step in enumerate(step_list):
        if step.key == assessment.current_step:
            return index
    return 0
