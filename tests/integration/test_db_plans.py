"""db/plans.py on a real encrypted store: versions, the team, meetings, closing and reopening."""

import datetime as dt

import pytest

from db.plans import (
    close_case,
    delete_team,
    load_plans,
    reopen_case,
    save_meeting,
    save_plan_version,
    save_team,
)
from db.store import Store
from fmdesk.closure import FamilyClosedError, OutcomeAtClosure, OutcomeResult
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import (
    ActionOwner,
    ActionStatus,
    DriftFlag,
    PlanAction,
    PlanGoal,
    first_plan,
    new_version,
)
from fmdesk.taf import TafMeeting, TafMember, meeting_plan

START = dt.date(2025, 2, 3)


@pytest.fixture
def family(store: Store) -> Family:
    family = Family(reference="FM-2025-0101", name="Wiśniewski family", status=FamilyStatus.ACTIVE)
    mum = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Łucja",
        family_name="Wiśniewska",
    )
    saved, _ = store.save(family, mum)
    return saved


def _goal(owner_id: str) -> PlanGoal:
    return PlanGoal(
        words="Mornings without shouting",
        problems=("2",),
        actions=(
            PlanAction(
                what="Set out uniforms the night before",
                owner=ActionOwner.family_member(owner_id),
                by_when=START + dt.timedelta(weeks=2),
            ),
        ),
    )


def test_versions_are_saved_in_order_and_an_older_one_is_kept_as_agreed(
    store: Store, family: Family
) -> None:
    mum = load_plans(store, family.id).people[0]
    one = save_plan_version(store, first_plan(family.id, made_on=START, goals=[_goal(mum.id)]))
    # The current version is updated in place between reviews.
    action = one.goals[0].actions[0].replace(status=ActionStatus.IN_PROGRESS)
    one = save_plan_version(store, one.replace(goals=(one.goals[0].replace(actions=(action,)),)))
    two = save_plan_version(store, new_version(one, made_on=START + dt.timedelta(weeks=10)))

    record = load_plans(store, family.id)
    assert [v.version for v in record.versions] == [1, 2]
    assert record.current == two
    assert record.previous == one
    assert record.current.goals[0].actions[0].status is ActionStatus.IN_PROGRESS
    assert record.names[mum.id] == "Łucja Wiśniewska"
    assert record.practitioner == "Test Practitioner"

    with pytest.raises(ValidationError, match="earlier version"):
        save_plan_version(store, one.replace(made_at="Changed later"))
    with pytest.raises(ValidationError, match="next version of the plan is 3"):
        save_plan_version(store, new_version(two, made_on=two.made_on).replace(version=5))
    assert load_plans(store, family.id).versions[0].made_at == "First plan"


def test_a_meeting_and_the_version_it_made_are_saved_together(store: Store, family: Family) -> None:
    one = save_plan_version(store, first_plan(family.id, made_on=START))
    nurse = TafMember(family_id=family.id, agency="School health", name="Siobhán Byrne")
    [nurse] = save_team(store, nurse)
    meeting = TafMeeting(
        family_id=family.id,
        number=1,
        held_on=START + dt.timedelta(weeks=6),
        member_ids=(nurse.id,),
        next_meeting=START + dt.timedelta(weeks=12),
    )
    meeting, two = meeting_plan(meeting, one)
    saved_meeting, saved_plan = save_meeting(store, meeting, two)
    assert saved_plan is not None
    assert saved_meeting.plan_id == saved_plan.id

    record = load_plans(store, family.id)
    assert record.current is not None
    assert record.current.made_at == "TAF meeting 1"
    assert record.meetings[0].member_ids == (nurse.id,)
    assert record.members == [nurse]
    # The meeting counts as a review, so 13 weeks after the first plan nothing has drifted.
    assert record.drift(START + dt.timedelta(weeks=13)) == ()
    assert record.drift(START + dt.timedelta(weeks=19)) == (DriftFlag.NO_RECENT_REVIEW,)

    delete_team(store, nurse)
    assert load_plans(store, family.id).members == []


def test_a_closed_family_refuses_changes_until_reopened_with_a_reason(
    store: Store, family: Family
) -> None:
    one = save_plan_version(store, first_plan(family.id, made_on=START))
    closed, summary = close_case(
        store,
        family.id,
        on=START + dt.timedelta(weeks=20),
        reason=ClosureReason.STEPPED_DOWN,
        outcomes=[OutcomeAtClosure(problem="2", result=OutcomeResult.SOME_PROGRESS)],
        moving_on="We know who to ring now.",
        moving_on_from="Łucja",
    )
    assert closed.status is FamilyStatus.CLOSED
    assert closed.closure_reason is ClosureReason.STEPPED_DOWN

    record = load_plans(store, family.id)
    assert record.family.is_read_only
    assert record.latest_closure == summary
    assert record.latest_closure.moving_on == "We know who to ring now."
    assert record.drift(START + dt.timedelta(weeks=200)) == ()

    with pytest.raises(FamilyClosedError, match="is closed"):
        save_plan_version(store, one.replace(made_by="someone"))
    with pytest.raises(FamilyClosedError):
        save_team(store, TafMember(family_id=family.id, agency="Housing", name="Ade Okoro"))
    with pytest.raises(UserError, match="already closed"):
        close_case(store, family.id, on=START, reason=ClosureReason.NEEDS_MET)
    with pytest.raises(UserError, match="Say why"):
        reopen_case(store, family.id, on=START + dt.timedelta(weeks=30), reason=" ")

    reopened = reopen_case(
        store, family.id, on=START + dt.timedelta(weeks=30), reason="Moved back to the area"
    )
    assert reopened.status is FamilyStatus.ACTIVE
    assert save_plan_version(store, one.replace(made_by="Pat")).made_by == "Pat"
    # The closing summary stays on file as history.
    assert load_plans(store, family.id).latest_closure == record.latest_closure
