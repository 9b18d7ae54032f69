"""Plans, TAF records and closing summaries round-trip through the real encrypted store."""

import datetime as dt

from db.store import Store
from fmdesk.closure import (
    ClosureSummary,
    ContinuingSupport,
    OutcomeAtClosure,
    OutcomeResult,
    close_family,
    latest_closure,
)
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import (
    ActionOwner,
    ActionStatus,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    current_plan,
    first_plan,
    plan_differences,
)
from fmdesk.taf import ReviewRating, TafMeeting, TafMember, meeting_plan


def test_plan_versions_meetings_and_closure_round_trip(store: Store) -> None:
    family = Family(reference="FM-0042", name="Ashworth", status=FamilyStatus.ACTIVE)
    zoe = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Zoë", family_name="Ashworth"
    )
    nurse = TafMember(
        family_id=family.id, agency="Community health", role="School nurse", name="Siobhán Kelly"
    )
    goal = PlanGoal(
        words="Kai at school every day",
        problems=("2",),
        outcome_measures=("2.1",),
        actions=(
            PlanAction(
                what="Two alarms and the uniform out the night before",
                owner=ActionOwner(person_id=zoe.id),
                by_when=dt.date(2025, 3, 17),
            ).with_note(dt.date(2025, 3, 10), "Late once this week", "Amira"),
            PlanAction(
                what="Check in with Kai at break on Mondays",
                owner=ActionOwner.agency_worker("Community health", "Siobhán Kelly"),
                by_when=dt.date(2025, 4, 1),
            ),
        ),
    )
    one = first_plan(family.id, made_on=dt.date(2025, 2, 3), goals=[goal])
    store.save(family, zoe, nurse, one)

    stored_one = store.get(FamilyPlan, one.id)
    assert stored_one is not None
    assert stored_one.revision
    assert stored_one.replace(revision="") == one

    # A TAF meeting marks the first action done and makes version 2.
    meeting = TafMeeting(
        family_id=family.id,
        number=1,
        held_on=dt.date(2025, 4, 7),
        member_ids=(nurse.id,),
        person_ids=(zoe.id,),
        decisions=("Carry on with the alarms",),
        rating=ReviewRating.BETTER,
        next_meeting=dt.date(2025, 6, 2),
    )
    done = goal.replace(
        actions=(goal.actions[0].replace(status=ActionStatus.DONE), goal.actions[1])
    )
    meeting, two = meeting_plan(meeting, stored_one, goals=[done])
    store.save(meeting, two)

    plans = store.list(FamilyPlan, family_id=family.id)
    assert sorted(p.version for p in plans) == [1, 2]
    latest = current_plan(plans)
    assert latest is not None
    assert latest.id == two.id
    assert latest.made_at == "TAF meeting 1"
    old = next(p for p in plans if p.version == 1)
    assert plan_differences(old, latest) == [
        "Action “Two alarms and the uniform out the night before”: not started → done.",
        "Next review set for 2 June 2025.",
    ]
    stored_meeting = store.get(TafMeeting, meeting.id)
    assert stored_meeting is not None
    assert stored_meeting.plan_id == two.id
    assert stored_meeting.rating is ReviewRating.BETTER
    [member] = store.list(TafMember, family_id=family.id)
    assert member.name == "Siobhán Kelly"

    closed, change, summary = close_family(
        family,
        on=dt.date(2025, 9, 1),
        reason=ClosureReason.NEEDS_MET,
        outcomes=[OutcomeAtClosure(problem="2", measure="2.1", result=OutcomeResult.ACHIEVED)],
        continuing_support=[ContinuingSupport(service="Hillside Family Hub")],
        moving_on="Mornings are easy now — Kai even sets his own alarm.",
        moving_on_from="Zoë",
    )
    store.save(closed, change, summary)
    reloaded = store.get(Family, family.id)
    assert reloaded is not None
    assert reloaded.is_read_only
    stored_summary = latest_closure(store.list(ClosureSummary, family_id=family.id))
    assert stored_summary is not None
    assert stored_summary.moving_on == "Mornings are easy now — Kai even sets his own alarm."
    assert stored_summary.outcomes[0].result is OutcomeResult.ACHIEVED


def test_a_deleted_version_is_a_tombstone_and_not_current(store: Store) -> None:
    family = Family(reference="FM-0043", name="Nowak")
    one = first_plan(family.id, made_on=dt.date(2025, 1, 6))
    two = one.replace(id="v2-" + one.id, version=2, made_on=dt.date(2025, 3, 3))
    store.save(family, one, two)
    [saved_two] = [p for p in store.list(FamilyPlan, family_id=family.id) if p.version == 2]
    store.delete(saved_two)
    assert current_plan(store.list(FamilyPlan, family_id=family.id)) == store.get(
        FamilyPlan, one.id
    )
    everything = store.list(FamilyPlan, family_id=family.id, include_deleted=True)
    assert len(everything) == 2
