"""Team Around the Family members and meetings; closing and reopening a case."""

import datetime as dt

import pytest

from fmdesk.closure import (
    ClosureSummary,
    ContinuingSupport,
    FamilyClosedError,
    OutcomeAtClosure,
    OutcomeResult,
    close_family,
    closure_warnings,
    ensure_editable,
    latest_closure,
    reopen_family,
)
from fmdesk.errors import ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus
from fmdesk.plans import ActionOwner, ActionStatus, PlanAction, PlanGoal, first_plan
from fmdesk.taf import (
    ReviewRating,
    TafMeeting,
    TafMember,
    current_members,
    meeting_plan,
    next_meeting_number,
)

DAY = dt.date(2025, 4, 7)


def active_family() -> Family:
    return Family(reference="FM-0042", name="Ashworth", status=FamilyStatus.ACTIVE)


# ---- TAF -------------------------------------------------------------------------------------


def test_members_current_on_a_date() -> None:
    family = active_family()
    nurse = TafMember(
        family_id=family.id,
        agency="Community health",
        role="School nurse",
        name="Siobhán Kelly",
        contact="01632 960 123",
        joined_on=dt.date(2025, 1, 6),
    )
    left = TafMember(
        family_id=family.id,
        agency="Youth service",
        name="Łukasz Nowak",
        joined_on=dt.date(2025, 1, 6),
        left_on=dt.date(2025, 3, 31),
    )
    assert current_members([nurse, left], DAY) == [nurse]
    assert current_members([nurse, left], dt.date(2025, 3, 30)) == [nurse, left]
    assert nurse.described == "Siobhán Kelly, School nurse, Community health"
    with pytest.raises(ValueError, match="agency"):
        TafMember(family_id=family.id, agency=" ", name="Zoë")


def test_meeting_rules_and_numbering() -> None:
    family = active_family()
    with pytest.raises(ValueError, match="after this one"):
        TafMeeting(family_id=family.id, number=1, held_on=DAY, next_meeting=DAY)
    first = TafMeeting(family_id=family.id, number=1, held_on=DAY)
    second = TafMeeting(family_id=family.id, number=2, held_on=DAY + dt.timedelta(weeks=6))
    assert next_meeting_number([]) == 1
    assert next_meeting_number([first, second]) == 3
    assert next_meeting_number([first, second.replace(deleted=True)]) == 2


def test_a_meeting_makes_a_new_plan_version_linked_both_ways() -> None:
    family = active_family()
    goal = PlanGoal(
        words="Less shouting at home",
        actions=(
            PlanAction(
                what="Go to the Tuesday parenting group",
                owner=ActionOwner(person_id="p-1"),
                by_when=dt.date(2025, 5, 1),
            ),
        ),
    )
    plan = first_plan(family.id, made_on=dt.date(2025, 2, 3), goals=[goal])
    meeting = TafMeeting(
        family_id=family.id,
        number=3,
        held_on=DAY,
        decisions=("Zoë to carry on with the group", "School to send weekly attendance"),
        rating=ReviewRating.BETTER,
        next_meeting=DAY + dt.timedelta(weeks=8),
        recorded_by="Amira Shah",
    )
    linked, new_plan = meeting_plan(meeting, plan)
    assert new_plan.version == 2
    assert new_plan.made_at == "TAF meeting 3"
    assert new_plan.made_on == DAY
    assert new_plan.meeting_id == meeting.id
    assert new_plan.next_review == meeting.next_meeting
    assert new_plan.goals == plan.goals
    assert linked.plan_id == new_plan.id
    assert TafMeeting.from_dict(linked.to_dict()) == linked
    assert linked.to_dict()["rating"] == "better"


# ---- closure ---------------------------------------------------------------------------------


def test_closing_makes_the_family_read_only_until_reopened_with_a_reason() -> None:
    family = active_family()
    ensure_editable(family)
    closed, change, summary = close_family(
        family,
        on=DAY,
        reason=ClosureReason.NEEDS_MET,
        by="Amira Shah",
        summary="Kai is in school every day and the damp is fixed.",
        outcomes=[OutcomeAtClosure(problem="2", measure="2.1", result=OutcomeResult.ACHIEVED)],
        continuing_support=[ContinuingSupport(service="Hillside Primary", what="Breakfast club")],
        moving_on="  We get up on time now and the house feels like ours.  ",
        moving_on_from="Zoë",
    )
    assert closed.status is FamilyStatus.CLOSED
    assert closed.closure_reason is ClosureReason.NEEDS_MET
    assert change.to_status is FamilyStatus.CLOSED
    assert summary.family_id == family.id
    assert summary.moving_on == "We get up on time now and the house feels like ours."
    assert ClosureSummary.from_dict(summary.to_dict()) == summary
    with pytest.raises(FamilyClosedError, match="Reopen"):
        ensure_editable(closed)
    with pytest.raises(ValidationError, match="already closed"):
        close_family(closed, on=DAY, reason=ClosureReason.MOVED_AWAY)

    with pytest.raises(ValidationError, match="reopened"):
        reopen_family(closed, on=DAY, reason="  ")
    reopened, back = reopen_family(closed, on=DAY, reason="New worries about school", by="Amira")
    assert reopened.status is FamilyStatus.ACTIVE
    assert reopened.closure_reason is None
    assert back.reason == "New worries about school"
    ensure_editable(reopened)
    with pytest.raises(ValidationError, match="Only a closed case"):
        reopen_family(reopened, on=DAY, reason="again")


def test_latest_closure_is_the_most_recent_live_one() -> None:
    family = active_family()
    first = ClosureSummary(family_id=family.id, closed_on=DAY, reason=ClosureReason.MOVED_AWAY)
    second = ClosureSummary(
        family_id=family.id, closed_on=DAY.replace(year=2026), reason=ClosureReason.NEEDS_MET
    )
    assert latest_closure([second, first]) == second
    assert latest_closure([first, second.replace(deleted=True)]) == first
    assert latest_closure([]) is None


def test_closure_warnings_point_at_loose_ends() -> None:
    family = active_family()
    goal = PlanGoal(
        words="Kai at school",
        problems=("2",),
        actions=(
            PlanAction(what="A", owner=ActionOwner(person_id="p"), by_when=DAY),
            PlanAction(
                what="B",
                owner=ActionOwner(person_id="p"),
                by_when=DAY,
                status=ActionStatus.DONE,
            ),
        ),
    )
    money = PlanGoal(words="Bills paid", problems=("5",))
    plan = first_plan(family.id, made_on=DAY, goals=[goal, money])
    outcomes = [OutcomeAtClosure(problem="2", result=OutcomeResult.SOME_PROGRESS)]
    assert closure_warnings(plan, outcomes, "") == [
        "1 action in the plan is not done or dropped yet.",
        "No outcome recorded for problem 5 from the plan.",
        "The family's own words on moving on have not been written down.",
    ]
    done = plan.replace(
        goals=(goal.replace(actions=(goal.actions[1],)), money.replace(problems=()))
    )
    assert closure_warnings(done, outcomes, "We're fine") == []
