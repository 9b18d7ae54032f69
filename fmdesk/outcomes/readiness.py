"""Claim readiness: where a family stands against the framework's claim rule on a day.

Every problem present at entry shows a sustained outcome (or equivalent progress, where the
framework allows it), or an alternative route is achieved; each claim requirement other parts
of the app know about is met. Every answer says what is still missing, in words.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Collection, Sequence

from fmdesk.outcomes.dates import day_text
from fmdesk.outcomes.eligibility import (
    EligibilityResult,
    ProblemPresent,
    eligibility,
    needs_present,
    refused_ticks,
)
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import (
    EvidenceTest,
    Framework,
    NeedsCounted,
    Outcome,
    OutcomesRequired,
    PlanCoverage,
    Problem,
)
from fmdesk.outcomes.records import (
    EquivalentProgress,
    OutcomeClaim,
)
from fmdesk.outcomes.sustainment import OutcomeProgress, evaluate_outcome


class ClaimStatus(enum.StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    CLAIMED = "claimed"

    @property
    def label(self) -> str:
        return CLAIM_STATUS_LABELS[self]


CLAIM_STATUS_LABELS = {
    ClaimStatus.NOT_ELIGIBLE: "Not eligible",
    ClaimStatus.IN_PROGRESS: "In progress",
    ClaimStatus.READY: "Ready to claim",
    ClaimStatus.CLAIMED: "Claimed",
}


@dataclasses.dataclass(frozen=True)
class ProblemProgress:
    code: str
    name: str
    required: bool  # the claim needs it (present at entry and in the claim rule)
    met: bool
    met_by: str  # "1.3", or "equivalent progress approved by ..."; "" when not met
    outcomes: tuple[OutcomeProgress, ...]
    equivalent_progress: EquivalentProgress | None = None


@dataclasses.dataclass(frozen=True)
class ClaimReadiness:
    framework: str
    status: ClaimStatus
    missing: tuple[str, ...]  # plain sentences: what still has to happen
    route: str  # how the claim is, or would be, made: "every problem" or an alternative route
    eligibility: EligibilityResult
    problems: tuple[ProblemProgress, ...]
    alternative_routes: tuple[tuple[str, OutcomeProgress], ...]
    additional_results: tuple[OutcomeProgress, ...]
    claim: OutcomeClaim | None
    warnings: tuple[str, ...]  # records that name codes this framework version does not have

    @property
    def uses_equivalent_progress(self) -> bool:
        return any(p.required and p.equivalent_progress is not None for p in self.problems)


EVERY_PROBLEM = "every problem"


def claim_readiness(
    framework: Framework,
    data: FamilyOutcomeData,
    today: dt.date,
    *,
    requirements_met: Collection[str] = (),
) -> ClaimReadiness:
    """Where the family stands against the framework's claim rule on `today`.

    `requirements_met` holds the ids of the framework's claim requirements that other parts of
    the app know to be met (e.g. "whole_family_assessment", "action_plan", "lead_practitioner");
    each one not given is listed in `missing`."""
    rule = framework.claim
    result = eligibility(framework, data)
    present = {p.problem.code for p in result.problems}
    required_codes = set(rule.required_problems) or present
    outcome_gaps: list[str] = []
    warnings = unknown_codes(framework, data)
    problems = []
    for problem in framework.problems:
        if problem.code not in present:
            continue
        progress = _problem_progress(
            framework, problem, data, today, problem.code in required_codes
        )
        problems.append(progress)
        if progress.required and not progress.met:
            outcome_gaps.extend(_problem_missing(framework, problem, progress))
        if not rule.equivalent_progress and any(
            a.problem == problem.code and not a.deleted for a in data.approvals
        ):
            warnings.append(
                f"{problem.name}: this framework does not allow equivalent progress, so the "
                "approval recorded is not counted."
            )
        if rule.equivalent_progress:
            for approval in data.approvals:
                if approval.problem == problem.code and not approval.deleted:
                    refused = approver_refused(framework, approval)
                    if refused:
                        warnings.append(f"{problem.name}: {refused}")
    if framework.rules.needs_counted is NeedsCounted.EVERY_NEED:
        unmet = _every_need_missing(framework, data, result, today, required_codes)
        for index, progress in enumerate(problems):
            gaps = unmet.get(progress.code)
            if gaps and progress.required and progress.equivalent_progress is None:
                problems[index] = dataclasses.replace(progress, met=False, met_by="")
                if progress.met:
                    outcome_gaps.extend(gaps)
    warnings.extend(refused_ticks(framework, data))
    routes = tuple(
        (route.name, evaluate_outcome(framework, route.outcome, data, today))
        for route in rule.alternative_routes
    )
    required = [p for p in problems if p.required]
    if required and all(p.met for p in required):
        route = EVERY_PROBLEM
    else:
        route = next((name for name, outcome in routes if outcome.achieved), "")
    if not required and not route:
        outcome_gaps.append("None of the problems present at entry is one this framework pays for.")
    requirement_gaps = [r.text for r in rule.requirements if r.id not in requirements_met]
    if any(r.id == "action_plan" for r in rule.requirements) and "action_plan" in requirements_met:
        requirement_gaps.extend(plan_gaps(framework, data, result.problems))
    claims = sorted((c for c in data.claims if not c.deleted), key=lambda c: c.claimed_on)
    missing: list[str] = []
    if claims:
        status = ClaimStatus.CLAIMED
    elif not result.eligible:
        status, missing = ClaimStatus.NOT_ELIGIBLE, [result.shortfall]
    elif route and not requirement_gaps:
        status = ClaimStatus.READY
    else:
        status = ClaimStatus.IN_PROGRESS
        missing = ([] if route else outcome_gaps) + requirement_gaps
    return ClaimReadiness(
        framework=framework.ref,
        status=status,
        missing=tuple(missing),
        route=route or (claims[0].route if claims else ""),
        eligibility=result,
        problems=tuple(problems),
        alternative_routes=routes,
        additional_results=tuple(
            evaluate_outcome(framework, code, data, today) for code in rule.additional_results
        ),
        claim=claims[0] if claims else None,
        warnings=tuple(warnings),
    )


def _problem_progress(
    framework: Framework, problem: Problem, data: FamilyOutcomeData, today: dt.date, required: bool
) -> ProblemProgress:
    outcomes = tuple(evaluate_outcome(framework, o.code, data, today) for o in problem.outcomes)
    if framework.claim.outcomes_required is OutcomesRequired.ALL_APPLICABLE:
        applicable = [o for o in outcomes if o.applicable] or list(outcomes)
        met = bool(applicable) and all(o.achieved for o in applicable)
        met_by = ", ".join(o.code for o in applicable) if met else ""
    else:
        achieved = sorted(
            (o for o in outcomes if o.achieved), key=lambda o: o.sustained_on or dt.date.max
        )
        met = bool(achieved)
        met_by = achieved[0].code if achieved else ""
    approval = None
    if not met and framework.claim.equivalent_progress:
        approvals = sorted(
            (
                a
                for a in data.approvals
                if a.problem == problem.code and not a.deleted and a.approved_on <= today
            ),
            key=lambda a: a.approved_on,
        )
        approvals = [a for a in approvals if not approver_refused(framework, a)]
        if approvals:
            approval = approvals[0]
            role = f" ({approval.approver_role})" if approval.approver_role else ""
            met = True
            met_by = (
                f"equivalent progress approved by {approval.approved_by}{role} on "
                f"{day_text(approval.approved_on)}: {approval.reason}"
            )
    return ProblemProgress(problem.code, problem.name, required, met, met_by, outcomes, approval)


def approver_refused(framework: Framework, approval: EquivalentProgress) -> str:
    """Why an equivalent-progress approval does not count: the approver's role must be the one
    the framework names (e.g. Head of Service); "" when it counts."""
    named = framework.claim.equivalent_progress_approver.strip()
    role = approval.approver_role.strip()
    if not named:
        if role:
            return ""
        return (
            f"The equivalent progress approved by {approval.approved_by} does not record the "
            "approver's role, so it is not counted."
        )
    if role.casefold() == named.casefold():
        return ""
    said = f"is recorded as {role}" if role else "has no role recorded"
    return (
        f"Equivalent progress must be approved by the {named}; {approval.approved_by} {said}, "
        "so the approval is not counted."
    )


def plan_gaps(
    framework: Framework, data: FamilyOutcomeData, present: Sequence[ProblemPresent]
) -> list[str]:
    """What the family's current action plan leaves out that the framework's plan rule asks it
    to cover (every problem present at entry; and, where the framework says so, every family
    member with a need): plain sentences, none when it covers them all or the plans were not
    given."""
    rule = framework.rules.plan_covers
    plan = data.current_plan
    if data.plans is None or plan is None or rule is PlanCoverage.ANY_GOAL:
        return []
    named = set(plan.problems)
    codes = {p.problem.code for p in present}
    gaps = []
    left_out = [p for p in framework.problems if p.code in codes and p.code not in named]
    if left_out:
        listing = ", ".join(f"{p.short_name} ({p.code})" for p in left_out)
        gaps.append(
            f"The action plan has no goal for every problem identified at entry: {listing}."
        )
    if rule is PlanCoverage.EVERY_PROBLEM_AND_MEMBER:
        uncovered = members_without_plan(framework, data, present)
        if uncovered:
            listing = "; ".join(
                f"{data.name(person_id)} ("
                + ", ".join(f"{p.short_name}, {p.code}" for p in problems)
                + ")"
                for person_id, problems in uncovered
            )
            gaps.append(
                "These family members with a need identified at entry have no goal in the "
                "action plan, for them or for the whole family on that problem: "
                f"{listing}."
            )
    return gaps


def members_without_plan(
    framework: Framework, data: FamilyOutcomeData, present: Sequence[ProblemPresent]
) -> list[tuple[str, tuple[Problem, ...]]]:
    """The rule every_problem_and_member (docs/frameworks.md, Rule choices): each family member
    with a need identified at entry (an indicator ticked for that person, on a problem present at
    entry) has, in the current plan, a goal for them (on any problem) or a whole-family goal on
    the problem of that need. Returns each member who has neither, with the problems of their
    needs, in the framework's order; a person deleted or recorded in error (not in the
    household list) is not asked for."""
    plan = data.current_plan
    if plan is None:
        return []
    live = {p.id for p in data.people if not p.deleted and not p.in_error}
    needs: dict[str, set[str]] = {}
    for problem_present in present:
        for tick in problem_present.ticks:
            if tick.person_id in live:
                needs.setdefault(tick.person_id, set()).add(problem_present.problem.code)
    named = {p for g in plan.goals for p in g.for_people}
    whole_family = {code for g in plan.goals if g.for_whole_family for code in g.problems}
    uncovered = []
    for person_id in sorted(needs, key=data.name):
        if person_id in named or needs[person_id] & whole_family:
            continue
        problems = tuple(p for p in framework.problems if p.code in needs[person_id])
        uncovered.append((person_id, problems))
    return uncovered


def _every_need_missing(
    framework: Framework,
    data: FamilyOutcomeData,
    result: EligibilityResult,
    today: dt.date,
    required: Collection[str],
) -> dict[str, list[str]]:
    """Under every_need: for each required problem, each need (indicator, for whom) that no
    achieved outcome answers. Evidence for the household answers every need in its problem;
    evidence for a person, that person's needs; a measured outcome, the whole family's."""
    missing: dict[str, list[str]] = {}
    for present in result.problems:
        problem = present.problem
        if problem.code not in required:
            continue
        for indicator, person_id in needs_present(framework, [present]):
            answers = [o for o in problem.outcomes if not o.indicators or indicator in o.indicators]
            if not any(_achieved_for(framework, o, data, person_id, today) for o in answers):
                who = f" for {data.name(person_id)}" if person_id else ""
                missing.setdefault(problem.code, []).append(
                    f"{problem.name}: the need {indicator}{who} shows no sustained outcome yet."
                )
    return missing


def _achieved_for(
    framework: Framework, outcome: Outcome, data: FamilyOutcomeData, person_id: str, today: dt.date
) -> bool:
    if isinstance(outcome.test, EvidenceTest) and person_id:
        own = tuple(e for e in data.evidence if e.person_id in ("", person_id))
        data = dataclasses.replace(data, evidence=own)
    return evaluate_outcome(framework, outcome.code, data, today).achieved


def _problem_missing(
    framework: Framework, problem: Problem, progress: ProblemProgress
) -> list[str]:
    if framework.claim.outcomes_required is OutcomesRequired.ALL_APPLICABLE:
        applicable = [o for o in progress.outcomes if o.applicable] or list(progress.outcomes)
        return [
            f"{problem.name}: outcome {o.code} is not yet achieved. {o.explanation}".strip()
            for o in applicable
            if not o.achieved
        ]
    under_way = [o for o in progress.outcomes if o.started_on is not None]
    if not under_way:
        return [f"{problem.name}: no outcome is sustained yet, and none is under way."]
    closest = max(under_way, key=lambda o: o.progress)
    when = f", sustained on {day_text(closest.sustained_on)}" if closest.sustained_on else ""
    return [
        f"{problem.name}: no outcome is sustained yet; the closest is {closest.code} "
        f"({round(closest.progress * 100)}% of the way{when})."
    ]


def unknown_codes(framework: Framework, data: FamilyOutcomeData) -> list[str]:
    """Sentences about records that name an indicator, outcome, problem or term this framework
    version does not have (they are left out of every answer)."""
    found = []
    for tick in data.ticks:
        if not framework.has_indicator(tick.indicator):
            found.append(f"Indicator {tick.indicator} is not in {framework.ref}.")
    for item in data.evidence:
        if not framework.has_outcome(item.outcome):
            found.append(f"Outcome {item.outcome} is not in {framework.ref}.")
    codes = {p.code for p in framework.problems}
    for approval in data.approvals:
        if approval.problem not in codes:
            found.append(f"Problem {approval.problem} is not in {framework.ref}.")
    for measure in data.measures:
        if measure.term and framework.term_named(measure.term) is None:
            found.append(
                f"The term {measure.term!r} is not in the term calendar of {framework.ref}."
            )
    return sorted(set(found))
