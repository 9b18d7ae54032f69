"""On a real store (issue 18): the Outcomes tab's and `families show`'s picture of a family checks
what the current plan covers (a plan with one goal on one of two problems present at entry
leaves the action_plan requirement unmet, and says which problem it leaves out); and a tick for
someone its indicator is not for is refused with nothing saved."""

import datetime as dt

import pytest

from db.outcomes import (
    attach_family_framework,
    family_outcomes_for_json,
    load_family_outcomes,
    save_outcome_records,
)
from db.store import Store
from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import IndicatorTick
from fmdesk.plans import PlanGoal, first_plan, new_version

DAY = dt.date(2015, 9, 10)
TODAY = dt.date(2016, 6, 1)


def test_the_plan_must_have_a_goal_on_every_problem_present_at_entry(store: Store) -> None:
    family = Family(reference="FM-0181", name="Nowak family", lead_practitioner="Siobhán Kelly")
    zoe = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="N",
        date_of_birth=dt.date(2006, 4, 1),
    )
    store.save(family, zoe)
    attach_family_framework(store, family.id, "families-matter@2015.1")
    save_outcome_records(
        store,
        family.id,
        [
            IndicatorTick(family_id=family.id, indicator="2A", person_id=zoe.id, on=DAY),
            IndicatorTick(family_id=family.id, indicator="6A", on=DAY),
        ],
    )
    plan = first_plan(
        family.id, made_on=DAY, goals=[PlanGoal(words="Zoë at school", problems=("2",))]
    )
    store.save(
        Assessment(
            family_id=family.id,
            template="whole-family@1",
            started_on=DAY,
            state=AssessmentState.COMPLETED,
            completed_on=DAY,
            completed_by="Siobhán Kelly",
        ),
        plan,
    )
    readiness = load_family_outcomes(store, family.id, TODAY).readiness
    assert readiness is not None
    gap = "The action plan has no goal for every problem identified at entry: health (6)."
    assert gap in readiness.missing
    shown = family_outcomes_for_json(store, store.get(Family, family.id), TODAY)  # type: ignore[arg-type]
    assert gap in shown["claim"]["missing"]

    goals = [*plan.goals, PlanGoal(words="Mum feeling better", problems=("6",))]
    store.save(new_version(plan, made_on=dt.date(2015, 12, 1), goals=goals))
    readiness = load_family_outcomes(store, family.id, TODAY).readiness
    assert readiness is not None
    assert not any("action plan" in m for m in readiness.missing)


def test_an_adults_indicator_cannot_be_ticked_for_a_child(store: Store) -> None:
    family = Family(reference="FM-0182", name="Kowalczyk family")
    zoe = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="K",
        date_of_birth=dt.date(2008, 4, 2),
    )
    marta = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Marta",
        family_name="K",
        date_of_birth=dt.date(1984, 2, 1),
    )
    store.save(family, zoe, marta)
    attach_family_framework(store, family.id, "families-matter@2015.1")
    benefits = IndicatorTick(family_id=family.id, indicator="4A", person_id=zoe.id, on=DAY)
    school = IndicatorTick(family_id=family.id, indicator="2A", person_id=zoe.id, on=DAY)
    with pytest.raises(ValidationError) as refused:
        save_outcome_records(store, family.id, [school, benefits])
    assert str(refused.value) == (
        "Indicator 4A is for an adult; Zoë is a child: tick it for someone it is for, or for "
        "the household. Nothing was saved."
    )
    assert store.list(IndicatorTick, family_id=family.id) == []
    with pytest.raises(ValidationError, match="Indicator 2A is for a child; Marta is an adult"):
        save_outcome_records(store, family.id, [school.replace(person_id=marta.id)])
    save_outcome_records(store, family.id, [school, benefits.replace(person_id=marta.id)])
    assert len(store.list(IndicatorTick, family_id=family.id)) == 2
