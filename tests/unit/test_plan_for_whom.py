"""A plan for every family member who needs one (Families Matter; issue 18): a goal records whom
it is for, and under every_problem_and_member each member with a need identified at entry has a
goal for them, or a whole-family goal on the problem of that need."""

import datetime as dt

import pytest

from fmdesk.demo import demo_caseload
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    ClaimStatus,
    FamilyOutcomeData,
    FrameworkLibrary,
    IndicatorTick,
    OutcomeEvidence,
    claim_readiness,
    eligibility,
)
from fmdesk.outcomes.framework import PlanCoverage
from fmdesk.outcomes.readiness import members_without_plan
from fmdesk.plans import FamilyPlan, PlanGoal, first_plan, new_version, plan_differences
from fmdesk.records import mark_in_error, record_from_dict

FM = FrameworkLibrary.shipped().get("families-matter@2015.1")
ALL_MET = ("whole_family_assessment", "action_plan", "lead_practitioner")
ENTRY = dt.date(2016, 1, 11)
TODAY = dt.date(2016, 9, 1)
FAMILY = Family(reference="T-0018M", name="Kowalczyk", framework=FM.ref, identified_on=ENTRY)
ZOE = Person(
    family_id=FAMILY.id,
    role=PersonRole.CHILD,
    given_name="Zoë",
    family_name="Kowalczyk",
    date_of_birth=dt.date(2008, 4, 2),
)
MARTA = Person(
    family_id=FAMILY.id,
    role=PersonRole.PARENT_CARER,
    given_name="Marta",
    family_name="Kowalczyk",
    date_of_birth=dt.date(1984, 2, 1),
)
NOT_COVERED = (
    "These family members with a need identified at entry have no goal in the action plan, "
    "for them or for the whole family on that problem: "
)


def readiness(*goals: PlanGoal, people: tuple[Person, ...] = (ZOE, MARTA)) -> object:
    """Zoë has a need under children who need help (3E), Marta under health (6A); both
    problems show a sustained outcome, so only the plan decides."""
    records = [
        *people,
        IndicatorTick(family_id=FAMILY.id, indicator="3E", person_id=ZOE.id, on=ENTRY),
        IndicatorTick(family_id=FAMILY.id, indicator="6A", person_id=MARTA.id, on=ENTRY),
        OutcomeEvidence(
            family_id=FAMILY.id,
            outcome="3.6",
            holds_from=dt.date(2016, 2, 1),
            source="Keyworker report",
            description="The review found the need met.",
        ),
        OutcomeEvidence(
            family_id=FAMILY.id,
            outcome="6.1",
            holds_from=dt.date(2016, 3, 1),
            source="Keyworker report",
            description="The review found the need met.",
        ),
        FamilyPlan(family_id=FAMILY.id, made_on=ENTRY, goals=goals),
    ]
    data = FamilyOutcomeData.from_records(FAMILY, records)
    return claim_readiness(FM, data, TODAY, requirements_met=ALL_MET)


def goal(problem: str, *people: Person) -> PlanGoal:
    return PlanGoal(
        words=f"Goal on {problem}", problems=(problem,), for_people=tuple(p.id for p in people)
    )


def test_families_matter_asks_for_every_member() -> None:
    assert FM.rules.plan_covers is PlanCoverage.EVERY_PROBLEM_AND_MEMBER


def test_a_member_with_a_need_and_no_goal_for_them_is_not_covered() -> None:
    # Both problems have a goal, but each is for Zoë alone: Marta's need has no goal.
    result = readiness(goal("3", ZOE), goal("6", ZOE))
    assert result.status is ClaimStatus.IN_PROGRESS
    assert result.missing == (NOT_COVERED + "Marta (health, 6).",)


def test_a_whole_family_goal_on_the_members_problem_covers_them() -> None:
    result = readiness(goal("3", ZOE), goal("6"))
    assert result.status is ClaimStatus.READY
    assert result.missing == ()


def test_a_whole_family_goal_on_another_problem_does_not_cover_them() -> None:
    # A whole-family goal on 3, and a goal on 6 for Zoë only: Marta's need (6) is not covered.
    result = readiness(goal("3"), goal("6", ZOE))
    assert result.missing == (NOT_COVERED + "Marta (health, 6).",)


def test_a_goal_for_the_member_covers_them() -> None:
    result = readiness(goal("3", ZOE), goal("6", MARTA))
    assert result.status is ClaimStatus.READY


def test_a_goal_for_two_members_covers_both() -> None:
    result = readiness(goal("3", ZOE, MARTA), goal("6", ZOE))
    assert result.status is ClaimStatus.READY


def test_every_member_left_out_is_named() -> None:
    other = Person(
        family_id=FAMILY.id, role=PersonRole.OTHER_ADULT, given_name="Ola", family_name="Nowak"
    )
    result = readiness(goal("3", other), goal("6", other), people=(ZOE, MARTA, other))
    assert result.missing == (NOT_COVERED + "Marta (health, 6); Zoë (children who need help, 3).",)


def test_a_member_recorded_in_error_is_not_asked_for() -> None:
    marked = mark_in_error(
        MARTA, "Not this family", by="A Keyworker", at=dt.datetime(2016, 2, 1, 9, 0)
    )
    result = readiness(goal("3", ZOE), goal("6", ZOE), people=(ZOE, marked))
    assert not any(m.startswith(NOT_COVERED) for m in result.missing)


def test_a_goal_written_before_the_field_reads_as_the_whole_family() -> None:
    plan = FamilyPlan(family_id=FAMILY.id, made_on=ENTRY, goals=(goal("6", MARTA),))
    stored = plan.to_dict()
    del stored["goals"][0]["for_people"]
    older = record_from_dict("family_plan", stored)
    assert isinstance(older, FamilyPlan)
    assert older.goals[0].for_people == ()
    assert older.goals[0].for_whole_family
    assert record_from_dict("family_plan", plan.to_dict()) == plan


def test_whom_a_goal_is_for_in_words_and_its_change_between_versions() -> None:
    names = {ZOE.id: "Zoë", MARTA.id: "Marta"}
    assert goal("3", ZOE, MARTA).for_text(names) == "Zoë, Marta"
    assert goal("3").for_text(names) == "the whole family"
    first = first_plan(FAMILY.id, made_on=ENTRY, goals=[goal("3")])
    second = new_version(
        first,
        made_on=ENTRY + dt.timedelta(weeks=12),
        goals=[first.goals[0].replace(for_people=(ZOE.id,))],
    )
    assert plan_differences(first, second, names) == ["“Goal on 3” is now for Zoë."]


def test_a_goal_cannot_name_a_person_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        goal("3", ZOE, ZOE)


def test_the_demo_writes_each_members_goal_for_them() -> None:
    named = 0
    for records in demo_caseload(30, seed=7, today=dt.date(2025, 3, 3)):
        family = records[0]
        assert isinstance(family, Family)
        data = FamilyOutcomeData.from_records(family, records)
        plan = data.current_plan
        if plan is None:
            continue
        people = {p.id for p in data.people}
        for g in plan.goals:
            assert set(g.for_people) <= people
            named += bool(g.for_people)
        present = eligibility(FM, data).problems
        if set(plan.problems) >= {p.problem.code for p in present}:
            assert members_without_plan(FM, data, present) == []
    assert named > 0
