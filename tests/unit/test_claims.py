"""Claim batches and the claim schedule, on the hand-computed programme of test_programme."""

import csv
import datetime as dt
import io

import pytest

from fmdesk.claims import (
    SCHEDULE_HEADER,
    BatchStatus,
    ClaimBatch,
    make_batch,
    readiness_by_family,
    ready_families,
    schedule_csv_row,
    schedule_rows,
    submission_claims,
    submit_batch,
    turned_around_on,
    withdraw_batch,
)
from fmdesk.errors import ValidationError
from fmdesk.families import Family
from fmdesk.outcomes import ClaimStatus, FrameworkLibrary, OutcomeEvidence
from tests.unit.test_programme import TODAY, fixture_programme

Q3 = {"period_start": dt.date(2025, 10, 1), "period_end": dt.date(2025, 12, 31)}


@pytest.fixture
def programme():
    records, refs = fixture_programme()
    families = [r for r in records if isinstance(r, Family)]
    outcomes = readiness_by_family(families, records, FrameworkLibrary.shipped(), TODAY)
    by_ref = {ref: outcomes[f.id] for ref, f in refs.items()}
    return records, outcomes, by_ref


def test_the_ready_family_is_the_one_with_every_problem_met_and_not_claimed(programme):
    _, outcomes, by_ref = programme
    assert [o.family.reference for o in ready_families(outcomes)] == ["FM-001"]
    assert by_ref["FM-002"].status is ClaimStatus.CLAIMED
    assert by_ref["FM-005"].status is ClaimStatus.IN_PROGRESS
    assert by_ref["FM-004"].readiness is None
    assert "framework" in by_ref["FM-004"].problem
    assert turned_around_on(by_ref["FM-001"]) == dt.date(2025, 10, 1)


def test_a_batch_claims_each_family_once(programme):
    _, outcomes, by_ref = programme
    batch = make_batch(
        "2025/26 Q3",
        chosen=[by_ref["FM-001"]],
        existing=[],
        made_on=TODAY,
        made_by="Central",
        **Q3,
    )
    assert batch.family_ids == (by_ref["FM-001"].family.id,)
    assert batch.status is BatchStatus.DRAFT
    with pytest.raises(ValidationError, match=r"FM-001 is already in draft batch 2025/26 Q3"):
        make_batch(
            "2025/26 Q4",
            chosen=[by_ref["FM-001"]],
            existing=[batch],
            made_on=TODAY,
            made_by="Central",
            **Q3,
        )
    sent = submit_batch(batch, on=TODAY, by="Central", approved_by="Head of Service")
    (claim,) = submission_claims(sent, outcomes, by="Central")
    assert (claim.family_id, claim.batch, claim.route, claim.claimed_on) == (
        by_ref["FM-001"].family.id,
        "2025/26 Q3",
        "every problem",
        TODAY,
    )
    with pytest.raises(ValidationError, match=r"FM-001 has already been claimed for, in batch"):
        make_batch(
            "2025/26 Q4",
            chosen=[by_ref["FM-001"]],
            existing=[sent],
            made_on=TODAY,
            made_by="Central",
            **Q3,
        )


def test_a_family_claimed_elsewhere_is_refused_by_name(programme):
    _, _, by_ref = programme
    # FM-002 carries an OutcomeClaim from before (made by a practitioner or an older batch).
    with pytest.raises(ValidationError, match=r"FM-002 has already been claimed for \(on 1 Aug"):
        make_batch("Q3", chosen=[by_ref["FM-002"]], existing=[], made_on=TODAY, made_by="C", **Q3)


def test_a_family_not_ready_or_chosen_twice_is_refused(programme):
    _, _, by_ref = programme
    with pytest.raises(ValidationError, match="FM-005 is not ready to claim as at 31 Dec 2025, "):
        make_batch("Q3", chosen=[by_ref["FM-005"]], existing=[], made_on=TODAY, made_by="C", **Q3)
    with pytest.raises(ValidationError, match="chosen twice"):
        make_batch(
            "Q3", chosen=[by_ref["FM-001"]] * 2, existing=[], made_on=TODAY, made_by="C", **Q3
        )


def test_a_batch_reference_is_used_once(programme):
    _, _, by_ref = programme
    batch = make_batch(
        "Q3", chosen=[by_ref["FM-001"]], existing=[], made_on=TODAY, made_by="C", **Q3
    )
    with pytest.raises(ValidationError, match="already a claim batch called q3"):
        make_batch(
            "q3", chosen=[by_ref["FM-001"]], existing=[batch], made_on=TODAY, made_by="C", **Q3
        )


def test_submitting_is_once_and_a_submitted_batch_cannot_be_withdrawn(programme):
    _, _, by_ref = programme
    batch = make_batch(
        "Q3", chosen=[by_ref["FM-001"]], existing=[], made_on=TODAY, made_by="C", **Q3
    )
    sent = submit_batch(batch, on=TODAY, by="C")
    claims = submission_claims(sent, programme[1], by="C")
    gone, removed = withdraw_batch(batch, claims)
    assert gone.deleted
    assert all(c.deleted for c in removed)
    assert len(removed) == 1
    assert (sent.status, sent.submitted_on) == (BatchStatus.SUBMITTED, TODAY)
    with pytest.raises(ValidationError, match="already submitted on 15 Jan 2026"):
        submit_batch(sent, on=TODAY, by="C")
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        withdraw_batch(sent, claims)


def test_the_schedule_has_one_row_per_piece_of_evidence(programme):
    records, outcomes, by_ref = programme
    f1 = by_ref["FM-001"].family
    # A second piece of evidence for 5.2, from another agency.
    extra = OutcomeEvidence(
        family_id=f1.id,
        outcome="5.2",
        holds_from=dt.date(2025, 9, 15),
        source="Refuge keyworker report",
        recorded_by="Siobhán Kelly",
    )
    families = [r for r in records if isinstance(r, Family)]
    outcomes = readiness_by_family(families, [*records, extra], FrameworkLibrary.shipped(), TODAY)
    batch = ClaimBatch(reference="Q3", made_on=TODAY, family_ids=(f1.id,), **Q3)
    rows = schedule_rows(batch, outcomes)
    assert [(r.outcome, r.source, r.recorded_by) for r in rows] == [
        ("5.2", "Police domestic abuse unit", "Pat Keyworker"),
        ("5.2", "Refuge keyworker report", "Siobhán Kelly"),
        ("6.1", "GP letter", "Pat Keyworker"),
    ]
    assert rows[0].evidence_date == dt.date(2025, 9, 1)
    assert rows[0].problem == "5 Domestic violence and abuse"

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(SCHEDULE_HEADER)
    writer.writerows(schedule_csv_row(r) for r in rows)
    read = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert len(read) == 3
    assert read[1]["evidence_source"] == "Refuge keyworker report"
    assert read[1]["evidence_date"] == "2025-09-15"


def test_claim_requirements_read_the_current_plan_and_the_allocation() -> None:
    from fmdesk.assessment import Assessment
    from fmdesk.claims import requirements_met
    from fmdesk.plans import FamilyPlan, PlanGoal

    family = Family(reference="FM-2026-0100", name="Nowak family")
    with_goal = FamilyPlan(
        family_id=family.id, version=1, made_on=TODAY, goals=(PlanGoal(words="Get to school"),)
    )
    emptied = FamilyPlan(family_id=family.id, version=2, made_on=TODAY)
    assert requirements_met(family, [], []) == frozenset()
    assert requirements_met(family, [], [with_goal]) == {"action_plan"}
    # The current version is the one that counts: a later plan with no goals is no plan.
    assert requirements_met(family, [], [with_goal, emptied]) == frozenset()
    assert requirements_met(family, [], [with_goal, emptied.replace(deleted=True)]) == {
        "action_plan"
    }
    draft = Assessment(family_id=family.id, template="whole-family@1")
    assert requirements_met(family, [draft], []) == frozenset()
    allocated = family.replace(allocated_to="practitioner-store-id")
    assert requirements_met(allocated, [], []) == {"lead_practitioner"}
    named = family.replace(lead_practitioner="Siobhán Keyworker")
    assert requirements_met(named, [], []) == {"lead_practitioner"}
