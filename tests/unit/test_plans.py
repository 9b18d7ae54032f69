"""The family action plan: actions, versions and their differences, warnings, drift."""

import datetime as dt

import pytest

from fmdesk.errors import ValidationError
from fmdesk.plans import (
    MAX_ACTIONS_PER_GOAL,
    ActionOwner,
    ActionStatus,
    DriftFlag,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    current_plan,
    drift_flags,
    first_plan,
    new_version,
    open_too_long,
    plan_differences,
    plan_warnings,
    review_overdue,
)
from fmdesk.records import RECORD_KINDS

FAMILY = "fam-1"
ZOE = "person-zoe"
NAMES = {ZOE: "Zoë Ashworth"}
START = dt.date(2025, 3, 3)


def school_goal() -> PlanGoal:
    return PlanGoal(
        words="We want Kai to get to school every day and on time",
        problems=("2",),
        outcome_measures=("2.1",),
        actions=(
            PlanAction(
                what="Set two alarms and lay out uniform the night before",
                owner=ActionOwner.family_member(ZOE),
                by_when=dt.date(2025, 3, 17),
            ),
            PlanAction(
                what="Meet Zoë and Kai at the school gate on Mondays",
                owner=ActionOwner.agency_worker("Hillside Primary", "Łukasz Nowak"),
                by_when=dt.date(2025, 4, 1),
            ),
        ),
    )


def plan_one() -> FamilyPlan:
    return first_plan(
        FAMILY, made_on=START, goals=[school_goal()], next_review=dt.date(2025, 5, 26)
    )


# ---- actions ---------------------------------------------------------------------------------


def test_an_action_needs_a_named_person() -> None:
    with pytest.raises(ValueError, match="named person"):
        ActionOwner(agency="Housing")
    with pytest.raises(ValueError, match="not both"):
        ActionOwner(person_id=ZOE, agency="Housing", worker="Siobhán Kelly")


def test_a_dropped_action_needs_a_reason() -> None:
    action = school_goal().actions[0]
    with pytest.raises(ValueError, match="why"):
        action.replace(status=ActionStatus.DROPPED)
    dropped = action.replace(status=ActionStatus.DROPPED, dropped_reason="Kai now walks with Amir")
    assert not dropped.status.is_open


def test_progress_notes_build_up_and_the_latest_is_found() -> None:
    action = school_goal().actions[0]
    action = action.with_note(dt.date(2025, 3, 10), "Alarms set, late once this week", "keyworker")
    action = action.with_note(dt.date(2025, 3, 17), "On time every day")
    assert len(action.notes) == 2
    assert action.latest_note is not None
    assert action.latest_note.text == "On time every day"


def test_plan_round_trips_as_json_and_is_registered() -> None:
    plan = plan_one()
    data = plan.to_dict()
    assert data["goals"][0]["actions"][1]["owner"]["worker"] == "Łukasz Nowak"
    assert data["goals"][0]["actions"][0]["by_when"] == "2025-03-17"
    assert FamilyPlan.from_dict(data) == plan
    assert RECORD_KINDS["family_plan"] is FamilyPlan


def test_a_bad_action_in_json_names_the_field() -> None:
    data = plan_one().to_dict()
    data["goals"][0]["actions"][0]["status"] = "finished"
    with pytest.raises(ValidationError, match=r"goals\[0\]\.actions\[0\]\.status"):
        FamilyPlan.from_dict(data)


# ---- versions and differences ------------------------------------------------------------------


def test_each_review_makes_a_new_version_and_keeps_the_old() -> None:
    one = plan_one()
    two = new_version(one, made_on=dt.date(2025, 5, 26), next_review=dt.date(2025, 8, 18))
    three = new_version(two, made_on=dt.date(2025, 8, 18), made_at="TAF meeting 3")
    assert (one.version, two.version, three.version) == (1, 2, 3)
    assert len({one.id, two.id, three.id}) == 3
    assert two.made_at == "Review"
    assert three.made_at == "TAF meeting 3"
    assert current_plan([three, one, two]) == three
    assert current_plan([one, two, three.replace(deleted=True)]) == two
    assert plan_differences(one, two, NAMES) == ["Next review set for 18 August 2025."]


def test_a_version_cannot_be_dated_before_the_one_it_follows() -> None:
    with pytest.raises(ValidationError):
        new_version(plan_one(), made_on=START - dt.timedelta(days=1))


def test_differences_name_each_change_in_words() -> None:
    one = plan_one()
    goal = one.goals[0]
    alarms, gate = goal.actions
    housing = PlanGoal(
        words="A home without damp for the baby",
        problems=("6",),
        actions=(
            PlanAction(
                what="Report the damp and chase the repair",
                owner=ActionOwner.agency_worker("Housing", "Siobhán Kelly"),
                by_when=dt.date(2025, 6, 30),
            ),
        ),
    )
    changed_goal = goal.replace(
        actions=(
            alarms.replace(status=ActionStatus.DONE),
            gate.replace(
                owner=ActionOwner.family_member(ZOE),
                by_when=dt.date(2025, 4, 15),
                status=ActionStatus.DROPPED,
                dropped_reason="Kai goes in with friends now",
            ),
        )
    )
    two = new_version(one, made_on=dt.date(2025, 5, 26), goals=[changed_goal, housing])
    changes = plan_differences(one, two, NAMES)
    gate_name = "“Meet Zoë and Kai at the school gate on Mondays”"
    assert changes == [
        "Action “Set two alarms and lay out uniform the night before”: not started → done.",
        f"Action {gate_name}: not started → dropped (Kai goes in with friends now).",
        f"Action {gate_name}: now Zoë Ashworth (was Łukasz Nowak (Hillside Primary)).",
        f"Action {gate_name}: now due 15 April 2025 (was 1 April 2025).",
        "Goal added: “A home without damp for the baby”.",
        "Action added to “A home without damp for the baby”: Report the damp and chase the "
        "repair – Siobhán Kelly (Housing), by 30 June 2025.",
    ]
    # And back again: the goal and its action are removed.
    back = plan_differences(two, new_version(two, made_on=dt.date(2025, 6, 1), goals=[goal]))
    assert "Goal removed: “A home without damp for the baby”." in back
    assert (
        "Action removed from “A home without damp for the baby”: "
        "Report the damp and chase the repair." in back
    )


def test_rewording_and_moving_an_action_are_reported() -> None:
    one = plan_one()
    goal = one.goals[0]
    alarms, gate = goal.actions
    other = PlanGoal(words="Mornings are calmer", actions=(alarms.replace(what="Two alarms"),))
    two = new_version(one, made_on=START, goals=[goal.replace(actions=(gate,)), other])
    changes = plan_differences(one, two)
    assert "Goal added: “Mornings are calmer”." in changes
    assert (
        "Action reworded: “Set two alarms and lay out uniform the night before” is now "
        "“Two alarms”." in changes
    )
    assert (
        "Action “Two alarms” moved from “We want Kai to get to school every day and on time” "
        "to “Mornings are calmer”." in changes
    )
    assert not any(c.startswith("Action removed") for c in changes)


# ---- warnings ------------------------------------------------------------------------------


def test_more_than_eight_actions_in_a_goal_warns_but_is_allowed() -> None:
    def goal_with(n: int) -> PlanGoal:
        return PlanGoal(
            words="Money worries under control",
            actions=tuple(
                PlanAction(what=f"Step {i}", owner=ActionOwner(person_id=ZOE), by_when=START)
                for i in range(n)
            ),
        )

    at_limit = first_plan(FAMILY, made_on=START, goals=[goal_with(MAX_ACTIONS_PER_GOAL)])
    over = first_plan(FAMILY, made_on=START, goals=[goal_with(MAX_ACTIONS_PER_GOAL + 1)])
    assert plan_warnings(at_limit) == []
    [warning] = plan_warnings(over)
    assert "9 actions" in warning
    assert "Money worries under control" in warning


# ---- drift, at the boundaries --------------------------------------------------------------


def test_no_review_flag_starts_the_day_after_twelve_weeks() -> None:
    one = plan_one()
    twelve_weeks = START + dt.timedelta(weeks=12)
    assert not review_overdue([one], twelve_weeks)
    assert review_overdue([one], twelve_weeks + dt.timedelta(days=1))
    # A review resets the clock; so does a TAF meeting that made no new version.
    two = new_version(one, made_on=START + dt.timedelta(weeks=10))
    assert not review_overdue([one, two], twelve_weeks + dt.timedelta(days=1))
    meeting_day = START + dt.timedelta(weeks=11)
    assert not review_overdue(
        [one], twelve_weeks + dt.timedelta(days=1), other_reviews=[meeting_day]
    )
    # No plan yet: nothing to review.
    assert not review_overdue([], START + dt.timedelta(weeks=60))


def test_open_too_long_flag_starts_the_day_after_a_year() -> None:
    one = plan_one()
    later = new_version(one, made_on=dt.date(2026, 1, 5))
    assert not open_too_long([one, later], dt.date(2026, 3, 3))
    assert open_too_long([one, later], dt.date(2026, 3, 4))


def test_open_too_long_from_a_leap_day() -> None:
    leap = first_plan(FAMILY, made_on=dt.date(2024, 2, 29))
    assert not open_too_long([leap], dt.date(2025, 2, 28))
    assert open_too_long([leap], dt.date(2025, 3, 1))


def test_drift_flags_together() -> None:
    one = plan_one()
    assert drift_flags([one], START) == ()
    assert drift_flags([one], dt.date(2025, 6, 1)) == (DriftFlag.NO_RECENT_REVIEW,)
    recent = new_version(one, made_on=dt.date(2026, 2, 20))
    assert drift_flags([one, recent], dt.date(2026, 3, 10)) == (DriftFlag.OPEN_TOO_LONG,)
    assert drift_flags([one], dt.date(2026, 3, 10)) == (
        DriftFlag.NO_RECENT_REVIEW,
        DriftFlag.OPEN_TOO_LONG,
    )
    assert DriftFlag.OPEN_TOO_LONG.label == "Plan open for over a year"
