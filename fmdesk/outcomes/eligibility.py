"""Which problems a family shows at entry, and whether it is eligible under the framework's rule.

Every answer carries its reason in words, because a claim is audited and a practitioner must be
able to say why a family is, or is not, eligible.
"""

import dataclasses
import datetime as dt

from fmdesk.families import Person, PersonRole
from fmdesk.outcomes.dates import day_text
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import (
    EligibilityKind,
    Framework,
    IndicatorPerson,
    NeedsCounted,
    Problem,
)
from fmdesk.outcomes.records import (
    IndicatorTick,
)


@dataclasses.dataclass(frozen=True)
class ProblemPresent:
    problem: Problem
    ticks: tuple[IndicatorTick, ...]

    def words(self, data: FamilyOutcomeData) -> str:
        """ "crime/ASB (1A Child K, 1C)": the short name and what was ticked, for whom."""
        seen: list[str] = []
        for tick in sorted(self.ticks, key=lambda t: (t.indicator, t.on)):
            item = (
                f"{tick.indicator} {data.name(tick.person_id)}"
                if tick.person_id
                else tick.indicator
            )
            if item not in seen:
                seen.append(item)
        return f"{self.problem.short_name} ({', '.join(seen)})"


def is_adult(framework: Framework, person: Person, on: dt.date) -> bool:
    """Adult by age on `on` (the framework's adult_age); by role when no date of birth is known."""
    age = person.age(on)
    if age is not None:
        return age >= framework.rules.adult_age
    if person.is_unborn:
        return False
    return person.role is not PersonRole.CHILD


def tick_mismatch(framework: Framework, data: FamilyOutcomeData, tick: IndicatorTick) -> str:
    """ "Indicator 4A is for an adult; Zoë is a child" when the tick names someone the
    indicator is not for (the framework's rules.indicator_people); "" when it may be ticked."""
    who = framework.rules.indicator_person(tick.indicator)
    if who is IndicatorPerson.ANY or not tick.person_id:
        return ""
    person = data.person(tick.person_id)
    if person is None:
        return ""
    adult = is_adult(framework, person, tick.on)
    if adult == (who is IndicatorPerson.ADULT):
        return ""
    name = data.name(tick.person_id)
    if who is IndicatorPerson.ADULT:
        return f"Indicator {tick.indicator} is for an adult; {name} is a child"
    return f"Indicator {tick.indicator} is for a child; {name} is an adult"


def tick_refused(framework: Framework, data: FamilyOutcomeData, tick: IndicatorTick) -> str:
    """Why a tick cannot count (an indicator for an adult ticked for a child, or the reverse);
    "" when it can."""
    mismatch = tick_mismatch(framework, data, tick)
    return f"{mismatch}, so it does not count." if mismatch else ""


def refused_ticks(framework: Framework, data: FamilyOutcomeData) -> list[str]:
    return sorted(
        {
            reason
            for t in data.ticks
            if not t.deleted and (reason := tick_refused(framework, data, t))
        }
    )


def problems_present(framework: Framework, data: FamilyOutcomeData) -> list[ProblemPresent]:
    """Each problem with at least one of its indicators ticked, in the framework's order. A
    tick the framework refuses (an adult's indicator for a child) does not count."""
    problem_of = framework.problem_code_by_indicator
    checks_people = bool(framework.rules.indicator_people)
    ticks_by_problem: dict[str, list[IndicatorTick]] = {}
    for tick in data.ticks:
        code = None if tick.deleted else problem_of.get(tick.indicator)
        if code is not None and checks_people and tick_refused(framework, data, tick):
            code = None
        if code is not None:
            ticks_by_problem.setdefault(code, []).append(tick)
    return [
        ProblemPresent(problem, tuple(ticks_by_problem[problem.code]))
        for problem in framework.problems
        if problem.code in ticks_by_problem
    ]


@dataclasses.dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reason: str  # "eligible: 3 of 6 problems — crime/ASB (1A Child K), ..."
    shortfall: str  # a plain sentence saying what is lacking; "" when eligible
    problems: tuple[ProblemPresent, ...]


def eligibility(framework: Framework, data: FamilyOutcomeData) -> EligibilityResult:
    rule = framework.eligibility
    present = problems_present(framework, data)
    listing = ", ".join(p.words(data) for p in present)
    dash = f" — {listing}" if listing else ""
    total = len(framework.problems)
    if rule.kind is EligibilityKind.PROBLEMS:
        count = len(present)
        eligible = count >= rule.min
        summary = f"{count} of {total} problems"
        shortfall = (
            f"Indicators are ticked under {count} of the {total} problems; "
            f"at least {rule.min} are needed."
        )
    elif rule.kind is EligibilityKind.NEEDS and (
        framework.rules.needs_counted is NeedsCounted.EVERY_HEADLINE
    ):
        # Needs read as headlines with a need: the same count the claim's success uses.
        count = len(present)
        eligible = count >= rule.min
        summary = f"needs under {count} of {total} headlines"
        shortfall = (
            f"Needs are evidenced under {count} of the {total} headlines; "
            f"at least {rule.min} are needed."
        )
    elif rule.kind is EligibilityKind.NEEDS:
        needs = len(needs_present(framework, present))
        eligible = needs >= rule.min
        summary = (
            f"{needs} need{'s' if needs != 1 else ''} across {len(present)} of {total} headlines"
        )
        shortfall = (
            f"{needs} need{'s are' if needs != 1 else ' is'} evidenced; "
            f"at least {rule.min} are needed."
        )
    else:
        codes = {p.problem.code for p in present}
        national = sum(code in codes for code in rule.national)
        local = sum(code in codes for code in rule.local)
        with_local = national >= rule.min_national_with_local and local >= rule.min_local
        eligible = national >= rule.min_national_alone or with_local
        summary = f"{national} of {len(rule.national)} national criteria"
        if national < rule.min_national_alone:
            summary += " and a local filter" if local else " and no local filter"
        shortfall = (
            f"{national} of {len(rule.national)} national criteria are met; "
            f"{rule.min_national_alone} are needed, or {rule.min_national_with_local} "
            "with a local filter."
        )
    if eligible and rule.requires_children:
        lacking = _no_dependent_child(framework, data)
        if lacking:
            eligible = False
            summary += f", but {lacking[0].lower()}{lacking[1:]}"
            shortfall = f"{lacking}."
    if not present:
        return EligibilityResult(
            False,
            "not eligible: no indicators of need ticked yet",
            ("No indicators of need have been ticked yet."),
            (),
        )
    word = "eligible" if eligible else "not eligible"
    return EligibilityResult(
        eligible, f"{word}: {summary}{dash}", "" if eligible else shortfall, tuple(present)
    )


def needs_present(framework: Framework, present: list[ProblemPresent]) -> list[tuple[str, str]]:
    """The needs counted under every_need: each indicator for each person it was ticked for
    (person id "" for the household), as (indicator, person id) pairs."""
    return sorted({(t.indicator, t.person_id) for p in present for t in p.ticks})


def dependent_child(framework: Framework, person: Person, on: dt.date) -> bool:
    """A dependent child on `on` by the framework's ages: up to max_age, or up to
    max_age_in_education with a school, college or training place recorded; an expected baby
    where the framework counts one. The household role alone decides nothing."""
    if person.deleted or not person.in_household or person.role is PersonRole.PARENT_CARER:
        return False
    rule = framework.rules.dependent_children
    if person.is_unborn:
        return rule.unborn
    age = person.age(on)
    if age is None:
        return False
    return age <= rule.max_age or (age <= rule.max_age_in_education and bool(person.school.strip()))


def _no_dependent_child(framework: Framework, data: FamilyOutcomeData) -> str:
    """ "" when the household has a dependent child on the family's entry date; else why not."""
    on = data.entry_on
    if on is None:
        return "No date of entry is recorded, so no child's age can be worked out"
    if any(dependent_child(framework, p, on) for p in data.people):
        return ""
    rule = framework.rules.dependent_children
    undated = [
        data.name(p.id)
        for p in data.people
        if not p.deleted
        and p.role is PersonRole.CHILD
        and p.date_of_birth is None
        and not p.is_unborn
    ]
    ages = (
        f"aged 0 to {rule.max_age}, or up to {rule.max_age_in_education} in education or training"
    )
    baby = " or expected baby" if rule.unborn else ""
    text = f"No dependent child{baby} ({ages}) was in the household on {day_text(on)}"
    if undated:
        text += f"; no date of birth is recorded for {', '.join(undated)}"
    return text
