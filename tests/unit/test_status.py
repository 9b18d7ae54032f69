"""The next status a family's events suggest (fmdesk/status.py): offered, never made."""

import datetime as dt

from fmdesk.families import Consent, ConsentKind, Family, FamilyStatus
from fmdesk.plans import ActionOwner, PlanAction, PlanGoal, first_plan
from fmdesk.status import (
    CaseEvent,
    accept_offer,
    best_offer,
    events_shown,
    suggest_status,
)

ON = dt.date(2026, 11, 2)


def family(status: FamilyStatus = FamilyStatus.ALLOCATED) -> Family:
    return Family(reference="FM-1", name="Ashworth", status=status)


def test_consent_given_offers_engaged_and_a_plan_agreed_offers_active() -> None:
    offer = suggest_status(family(), CaseEvent.CONSENT_GIVEN)
    assert offer is not None
    assert offer.to is FamilyStatus.ENGAGED
    assert offer.path == (FamilyStatus.ENGAGED,)
    assert "Move the family from Allocated to Engaged?" in offer.question
    active = suggest_status(family(FamilyStatus.ENGAGED), CaseEvent.PLAN_AGREED)
    assert active is not None
    assert active.to is FamilyStatus.ACTIVE


def test_an_identified_family_is_taken_through_each_step() -> None:
    offer = suggest_status(family(FamilyStatus.IDENTIFIED), CaseEvent.CONSENT_GIVEN)
    assert offer is not None
    assert offer.path == (FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED)
    moved, moves = accept_offer(family(FamilyStatus.IDENTIFIED), offer, on=ON, by="Pat")
    assert moved.status is FamilyStatus.ENGAGED
    assert [(m.from_status, m.to_status) for m in moves] == [
        (FamilyStatus.IDENTIFIED, FamilyStatus.ALLOCATED),
        (FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED),
    ]
    assert all(m.on == ON and m.by == "Pat" for m in moves)


def test_no_offer_backwards_for_a_closed_or_reassigned_family() -> None:
    assert suggest_status(family(FamilyStatus.ACTIVE), CaseEvent.CONSENT_GIVEN) is None
    assert suggest_status(family(FamilyStatus.ENGAGED), CaseEvent.CONSENT_GIVEN) is None
    closed = Family(
        reference="FM-2", name="B", status=FamilyStatus.CLOSED, closure_reason="needs_met"
    )
    assert suggest_status(closed, CaseEvent.PLAN_AGREED) is None
    away = family().replace(withdrawn_on=ON)
    assert suggest_status(away, CaseEvent.CONSENT_GIVEN) is None


def test_events_from_the_records_and_the_furthest_offer() -> None:
    f = family()
    consent = Consent(family_id=f.id, kind=ConsentKind.ASSESS, given_on=ON)
    empty = first_plan(f.id, made_on=ON)
    assert events_shown([consent], [empty], 0, ON) == [CaseEvent.CONSENT_GIVEN]
    share_only = Consent(family_id=f.id, kind=ConsentKind.SHARE, given_on=ON)
    assert events_shown([share_only], [], 0, ON) == []
    action = PlanAction(
        what="Walk to school", owner=ActionOwner.agency_worker("Early Help", "Pat"), by_when=ON
    )
    agreed = empty.replace(goals=(PlanGoal(words="School", actions=(action,)),))
    events = events_shown([consent], [agreed], 0, ON)
    assert events == [CaseEvent.CONSENT_GIVEN, CaseEvent.PLAN_AGREED]
    offer = best_offer(f, events)
    assert offer is not None
    assert offer.path == (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE)
