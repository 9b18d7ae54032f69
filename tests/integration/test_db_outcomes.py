"""db/outcomes on a real encrypted store: the family's outcome picture, the claim requirements its
records meet, attaching a framework, Star readings as evidence, a council's framework file, and
the caseload's claim status column."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db import programme
from db.families import load_caseload
from db.outcomes import (
    NO_FRAMEWORK,
    add_framework_file,
    attach_family_framework,
    family_outcomes_for_json,
    load_family_outcomes,
    load_frameworks,
    save_outcome_records,
    use_star_reading,
)
from db.programme import claim_status_by_family
from db.store import Store
from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.outcomes import (
    EvidenceBasis,
    IndicatorTick,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import PlanGoal, first_plan
from fmdesk.stars import AreaScore, ReadingStatus, StarReading

FM = "families-matter@2015.1"
TODAY = dt.date(2016, 6, 1)
DAY = dt.date(2015, 9, 10)


def household(store: Store, *, lead: str = "Siobhán Kelly") -> tuple[Family, Person, Person]:
    family = Family(reference="FM-0101", name="Nowak family", lead_practitioner=lead)
    child = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="N",
        date_of_birth=dt.date(2006, 4, 1),
    )
    parent = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Łukasz", family_name="N"
    )
    store.save(family, child, parent)
    return family, child, parent


def tick(family: Family, code: str, person: Person | None = None) -> IndicatorTick:
    return IndicatorTick(
        family_id=family.id,
        indicator=code,
        person_id=person.id if person else "",
        on=DAY,
        evidence_source="School census",
    )


def test_a_family_without_a_framework_says_so_everywhere(store: Store) -> None:
    family, _, _ = household(store)
    outcomes = load_family_outcomes(store, family.id, TODAY)
    assert outcomes.framework is None
    assert outcomes.readiness is None
    assert outcomes.problem == NO_FRAMEWORK
    assert FM in [f.ref for f in outcomes.frameworks]
    shown = family_outcomes_for_json(store, family, TODAY)
    assert shown["eligible"] is None
    assert shown["claim"]["status"] == "not_eligible"
    assert "attach one" in shown["claim"]["missing"][0]
    assert claim_status_by_family(store, TODAY) == {}


def test_eligibility_and_requirements_come_from_the_records(store: Store) -> None:
    family, child, parent = household(store, lead="")
    attach_family_framework(store, family.id, FM)
    save_outcome_records(store, family.id, [tick(family, "2A", child), tick(family, "6A", parent)])

    outcomes = load_family_outcomes(store, family.id, TODAY)
    assert outcomes.framework is not None
    assert outcomes.framework.ref == FM
    assert outcomes.requirements_met == frozenset()
    readiness = outcomes.readiness
    assert readiness is not None
    assert readiness.eligibility.eligible
    assert readiness.eligibility.reason.startswith("eligible: 2 of 6 problems")
    missing = " ".join(readiness.missing)
    assert "whole-family assessment" in missing
    assert "no lead practitioner" in missing
    assert claim_status_by_family(store, TODAY)[family.id] == "In progress"

    # A completed assessment, a plan with a goal and a named keyworker meet the three.
    store.save(
        Assessment(
            family_id=family.id,
            template="whole-family@1",
            started_on=DAY,
            state=AssessmentState.COMPLETED,
            completed_on=DAY,
            completed_by="Siobhán Kelly",
        ),
        first_plan(family.id, made_on=DAY, goals=[PlanGoal(words="Mornings without a fight")]),
        store.get(Family, family.id).replace(lead_practitioner="Siobhán Kelly"),  # type: ignore[union-attr]
    )
    outcomes = load_family_outcomes(store, family.id, TODAY)
    assert outcomes.requirements_met == {
        "whole_family_assessment",
        "action_plan",
        "lead_practitioner",
    }
    assert outcomes.readiness is not None
    assert not any("has not been recorded" in m for m in outcomes.readiness.missing)

    shown = family_outcomes_for_json(store, store.get(Family, family.id), TODAY)  # type: ignore[arg-type]
    assert shown["eligible"] is True
    assert [p["code"] for p in shown["problems"]] == ["2", "6"]
    assert shown["problems"][0]["indicators"][0]["person"] == "Zoë"
    assert shown["claim"]["status"] == "in_progress"


def test_a_draft_assessment_does_not_meet_the_requirement(store: Store) -> None:
    family, _, _ = household(store)
    attach_family_framework(store, family.id, FM)
    store.save(Assessment(family_id=family.id, template="whole-family@1", started_on=DAY))
    assert "whole_family_assessment" not in load_family_outcomes(store, family.id).requirements_met


def test_a_family_keeps_its_framework_version(store: Store) -> None:
    family, _, _ = household(store)
    attach_family_framework(store, family.id, FM)
    with pytest.raises(ValidationError, match=r"attached under families-matter@2015\.1"):
        attach_family_framework(store, family.id, "supporting-families-2022@1")
    assert store.get(Family, family.id).framework == FM  # type: ignore[union-attr]


def test_a_closed_family_is_read_only(store: Store) -> None:
    family, child, _ = household(store)
    closed = family.replace(status=FamilyStatus.CLOSED, closure_reason=ClosureReason.NEEDS_MET)
    store.save(closed)
    with pytest.raises(UserError, match="closed"):
        save_outcome_records(store, family.id, [tick(family, "2A", child)])
    with pytest.raises(UserError, match="closed"):
        attach_family_framework(store, family.id, FM)
    assert store.list(IndicatorTick) == []


def completed_reading(family: Family, score: int, on: dt.date) -> StarReading:
    return StarReading(
        family_id=family.id,
        instrument="family-progress-star@1",
        taken_on=on,
        scores=(AreaScore(area="safety", score=score), AreaScore(area="work", score=3)),
        status=ReadingStatus.COMPLETED,
    )


def test_a_star_reading_becomes_evidence_naming_the_reading(store: Store) -> None:
    family, _, _ = household(store)
    attach_family_framework(store, family.id, FM)
    low = completed_reading(family, 5, dt.date(2016, 1, 5))
    store.save(low)
    with pytest.raises(UserError, match="scored 5; 7 or more needed"):
        use_star_reading(store, family.id, "3.6", "safety", TODAY)
    with pytest.raises(UserError, match=r"does not accept a Star reading for 3\.1"):
        use_star_reading(store, family.id, "3.1", "safety", TODAY)

    high = completed_reading(family, 8, dt.date(2016, 3, 2))
    store.save(high)
    outcomes = load_family_outcomes(store, family.id, TODAY)
    assert "safety" in [a.id for a in outcomes.star_areas]  # the built-in instrument's areas
    evidence = use_star_reading(store, family.id, "3.6", "safety", TODAY)
    assert evidence.basis is EvidenceBasis.STAR
    assert evidence.star_score == 8
    assert evidence.holds_from == dt.date(2016, 3, 2)
    assert high.id in evidence.description
    assert "2 March 2016" in evidence.source
    assert store.list(OutcomeEvidence, family_id=family.id) == [evidence]


def test_council_framework_file_is_held_and_a_broken_one_refused(
    store: Store, tmp_path: Path
) -> None:
    shipped = Path("fmdesk/definitions/frameworks/supporting-families-2022.json")
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "our-council", "Our council's outcomes plan"
    good = tmp_path / "ours.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    added = add_framework_file(store, good)
    assert added.ref == "our-council@1"
    assert "our-council@1" in [f.ref for f in load_frameworks(store).library.all()]

    data["problems"][0]["outcomes"][0]["period"] = {"unit": "months", "count": 0}
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken.json: problems\[0\].outcomes\[0\].period"):
        add_framework_file(store, bad)

    good.unlink()  # the store holds the content, so the file may go
    loaded = load_frameworks(store)
    assert FM in [f.ref for f in loaded.library.all()]
    assert "our-council@1" in [f.ref for f in loaded.library.all()]
    assert loaded.problems == ()


def test_caseload_claim_status_column(store: Store) -> None:
    family, child, parent = household(store)
    other = Family(reference="FM-0102", name="Okafor family")
    store.save(other)
    assert {r.reference: r.claim_status for r in load_caseload(store)} == {
        "FM-0101": "",
        "FM-0102": "",
    }
    attach_family_framework(store, family.id, FM)
    attach_family_framework(store, other.id, FM)
    store.save(tick(family, "2A", child), tick(family, "6A", parent))
    store.save(OutcomeClaim(family_id=other.id, claimed_on=DAY))
    rows = {r.reference: r.claim_status for r in load_caseload(store)}
    assert rows == {"FM-0101": "In progress", "FM-0102": "Claimed"}
    store.save(other.replace(framework="families-matter@1999.9"))
    assert claim_status_by_family(store)[other.id] == "Framework missing"


def test_a_family_under_a_council_framework_is_judged_by_caseload_and_programme(
    store: Store, tmp_path: Path
) -> None:
    family, child, parent = household(store)
    attach_family_framework(store, family.id, FM)
    store.save(tick(family, "2A", child), tick(family, "6A", parent))
    assert claim_status_by_family(store, TODAY)[family.id] == "In progress"

    shipped = Path("fmdesk/definitions/frameworks/families-matter-2015.json")
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "our-council", "Our council's outcomes plan"
    ours = tmp_path / "ours.json"
    ours.write_text(json.dumps(data), encoding="utf-8")
    # Attached before the file is added: the cached judgement says so until it is.
    store.save(store.get(Family, family.id).replace(framework="our-council@2015.1"))  # type: ignore[union-attr]
    assert claim_status_by_family(store, TODAY)[family.id] == "Framework missing"
    add_framework_file(store, ours)
    assert claim_status_by_family(store, TODAY)[family.id] == "In progress"
    standing = programme.load_outcomes(store, TODAY)[family.id]
    assert standing.framework is not None
    assert standing.framework.ref == "our-council@2015.1"
