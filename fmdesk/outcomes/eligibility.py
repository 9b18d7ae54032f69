"""Which problems a family shows at entry, and whether it is eligible under the framework's rule.

Every answer carries its reason in words, because a claim is audited and a practitioner must be
able to say why a family is, or is not, eligible.
"""

import dataclasses

from fmdesk.families import PersonRole
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import (
    EligibilityKind,
    Framework,
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


def problems_present(framework: Framework, data: FamilyOutcomeData) -> list[ProblemPresent]:
    """Each problem with at least one of its indicators ticked, in the framework's order."""
    problem_of = framework.problem_code_by_indicator
    ticks_by_problem: dict[str, list[IndicatorTick]] = {}
    for tick in data.ticks:
        code = None if tick.deleted else problem_of.get(tick.indicator)
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
    elif rule.kind is EligibilityKind.NEEDS:
        needs = len({t.indicator for p in present for t in p.ticks})
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
    if eligible and rule.requires_children and not _has_dependent_children(data):
        eligible = False
        summary += ", but no dependent child or expected baby is recorded"
        shortfall = "No dependent child or expected baby is recorded in the household."
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


def _has_dependent_children(data: FamilyOutcomeData) -> bool:
    return any(p.role is PersonRole.CHILD and not p.deleted for p in data.people)
