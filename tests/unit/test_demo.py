"""The synthetic caseload: repeatable from its seed, varied households, histories that are true
to each family's status."""

import collections
import datetime as dt
from typing import Any

from fmdesk.assessment import (
    Assessment,
    AssessmentState,
    default_template,
    missing_before_completion,
    set_answer,
)
from fmdesk.claims import FamilyOutcomes, readiness_by_family
from fmdesk.demo import demo_caseload
from fmdesk.families import (
    CaseNote,
    Consent,
    ConsentKind,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    StatusChange,
    change_status,
)
from fmdesk.outcomes import (
    EVERY_PROBLEM,
    ClaimStatus,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import FamilyPlan, current_plan, live_versions
from fmdesk.records import Record
from fmdesk.stars import StarReading

TODAY = dt.date(2025, 3, 3)


def caseload(count: int, seed: int) -> list[list[Record]]:
    return list(demo_caseload(count, seed=seed, today=TODAY, practitioner="Zoë Fairweather"))


def without_ids(families: list[list[Record]]) -> list[list[dict[str, Any]]]:
    """The records' contents, with their random UUIDs replaced by their order of appearance:
    every "id" and "..._id" field, including those nested in plans (goal and action ids, an
    action's owner, whom a goal is for) and assessments (answers about a person)."""
    names: dict[str, str] = {}

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: names.setdefault(item, f"#{len(names)}")
                if (key == "id" or key.endswith("_id")) and isinstance(item, str) and item
                # whom a plan goal is for: a list of person ids
                else [names.setdefault(i, f"#{len(names)}") for i in item]
                if key == "for_people"
                else rename(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    def plain(record: Record) -> dict[str, Any]:
        out = rename(record.to_dict())
        if isinstance(record, Assessment):
            # An assessment keeps its answers sorted by (section, person id, element), so their
            # order follows the random ids; put them in the order of the renamed ids instead.
            out["answers"].sort(key=lambda a: (a["section"], a["person_id"], a["element"]))
        return out

    return [[plain(record) for record in records] for records in families]


def test_the_same_seed_gives_the_same_families() -> None:
    assert without_ids(caseload(25, seed=7)) == without_ids(caseload(25, seed=7))
    assert without_ids(caseload(25, seed=7)) != without_ids(caseload(25, seed=8))


def test_each_family_comes_first_and_owns_its_records() -> None:
    families = caseload(60, seed=3)
    assert len(families) == 60
    references = [records[0].reference for records in families if isinstance(records[0], Family)]
    assert len(set(references)) == 60
    for family, *rest in families:
        assert {r.family_id for r in rest} == {family.id}
        assert family.lead_practitioner == "Zoë Fairweather"


def test_households_have_one_to_eight_people_of_mixed_ages() -> None:
    sizes = collections.Counter()
    child_ages: set[int] = set()
    for family, *rest in caseload(300, seed=11):
        household = [p for p in rest if isinstance(p, Person) and p.in_household]
        sizes[len(household)] += 1
        carers = [p for p in household if p.role is PersonRole.PARENT_CARER]
        assert carers, f"{family.reference} has no parent or carer"
        for carer in carers:
            assert 18 <= carer.age(TODAY) <= 56
        for child in (p for p in household if p.role is PersonRole.CHILD):
            age = child.age(TODAY)
            assert age is not None
            assert 0 <= age <= 17
            child_ages.add(age)
    assert set(sizes) == set(range(1, 9))
    assert {0, 5, 10, 15} <= child_ages  # babies, primary and secondary school ages


def test_each_status_history_replays_to_the_family_s_status() -> None:
    statuses = collections.Counter()
    for family, *rest in caseload(200, seed=5):
        statuses[family.status] += 1
        changes = [r for r in rest if isinstance(r, StatusChange)]
        assert [c.on for c in changes] == sorted(c.on for c in changes)
        replayed = Family(reference=family.reference, name=family.name, id=family.id)
        for c in changes:
            replayed, _ = change_status(
                replayed, c.to_status, on=c.on, closure_reason=c.closure_reason
            )
        assert replayed.status is family.status
        assert replayed.closure_reason == family.closure_reason
        assert all(c.on <= TODAY for c in changes)
    assert set(statuses) == set(FamilyStatus)


def test_only_engaged_families_have_consent_and_notes() -> None:
    for family, *rest in caseload(200, seed=9):
        consents = [r for r in rest if isinstance(r, Consent)]
        notes = [r for r in rest if isinstance(r, CaseNote)]
        engaged = family.status in (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE, FamilyStatus.CLOSED)
        if engaged:
            assert {c.kind for c in consents} == set(ConsentKind)
            assert 1 <= len(notes) <= 12
            assert all(family.identified_on <= n.on <= TODAY for n in notes)
        else:
            assert consents == []
            assert notes == []


def test_engaged_families_have_star_readings_after_engagement_and_never_after_closing() -> None:
    from fmdesk.stars import StarReading

    with_readings = 0
    for _family, *rest in caseload(80, seed=5):
        readings = [r for r in rest if isinstance(r, StarReading)]
        engaged = [
            c.on
            for c in rest
            if isinstance(c, StatusChange) and c.to_status is FamilyStatus.ENGAGED
        ]
        if not engaged:
            assert readings == []
            continue
        with_readings += bool(readings)
        closed = [
            c.on for c in rest if isinstance(c, StatusChange) and c.to_status is FamilyStatus.CLOSED
        ]
        for reading in readings:
            assert reading.is_completed
            assert engaged[0] < reading.taken_on <= (closed[0] if closed else TODAY)
            assert all(1 <= s.score <= 10 for s in reading.scores)
    assert with_readings > 20


# ---- beyond the household: outcomes, assessment, plan -------------------------------------------

FAMILIES_MATTER = "families-matter@2015.1"
WORKING = (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE)


def judged(families: list[list[Record]]) -> dict[str, FamilyOutcomes]:
    """Each family's claim standing, judged as the app's caseload column judges it."""
    return readiness_by_family(
        [records[0] for records in families if isinstance(records[0], Family)],
        [r for records in families for r in records[1:]],
        FrameworkLibrary.shipped(),
        TODAY,
    )


def test_the_caseload_shows_a_mix_of_claim_statuses() -> None:
    families = caseload(60, seed=7)
    outcomes = judged(families)
    statuses = collections.Counter(o.status for o in outcomes.values())
    assert {f.framework for f, *_ in families} == {FAMILIES_MATTER}
    assert None not in statuses  # every family's framework was found
    assert {ClaimStatus.NOT_ELIGIBLE, ClaimStatus.IN_PROGRESS, ClaimStatus.READY} <= set(statuses)
    assert statuses[ClaimStatus.IN_PROGRESS] < 50  # not one status for nearly everyone
    for o in outcomes.values():
        assert o.readiness is not None
        assert o.readiness.warnings == ()  # every code the records name is in the framework
        if o.status in (ClaimStatus.READY, ClaimStatus.CLAIMED):
            assert o.family.status in (*WORKING, FamilyStatus.CLOSED)
    # Over a bigger caseload some families have been claimed for, by both routes.
    bigger = judged(caseload(300, seed=7)).values()
    assert any(o.status is ClaimStatus.CLAIMED for o in bigger)
    routes = {o.readiness.route for o in bigger if o.status is ClaimStatus.READY and o.readiness}
    assert routes == {EVERY_PROBLEM, "Continuous employment"}


def test_most_families_are_eligible_on_indicators_from_the_data_match() -> None:
    families = caseload(200, seed=5)
    outcomes = judged(families)
    eligible = sum(
        o.readiness is not None and o.readiness.eligibility.eligible for o in outcomes.values()
    )
    assert eligible > 150
    for family, *rest in families:
        ticks = [r for r in rest if isinstance(r, IndicatorTick)]
        assert ticks, f"{family.reference} has no indicators"
        assert all(t.on == family.identified_on and t.evidence_source for t in ticks)
        problems = {t.indicator[0] for t in ticks}
        assert 1 <= len(problems) <= 3


def test_engaged_and_active_families_have_a_current_plan_tied_to_their_problems() -> None:
    for family, *rest in caseload(120, seed=5):
        plans = [r for r in rest if isinstance(r, FamilyPlan)]
        if family.status not in (*WORKING, FamilyStatus.CLOSED):
            assert plans == []
            continue
        plan = current_plan(plans)
        assert plan is not None, f"{family.reference} has no plan"
        if family.status in WORKING:
            assert plan.goals, f"{family.reference}'s plan has no goal"
        assert [p.version for p in live_versions(plans)] == list(range(1, len(plans) + 1))
        ticked = {t.indicator[0] for t in rest if isinstance(t, IndicatorTick)}
        household = {p.id for p in rest if isinstance(p, Person)}
        for version in plans:
            assert family.identified_on <= version.made_on <= TODAY
            assert set(version.problems) <= ticked
            for action in version.actions:
                assert action.owner.person_id in household or action.owner.worker
                assert action.by_when >= plans[0].made_on
        if family.status is FamilyStatus.CLOSED:
            assert not any(a.status.is_open for a in plan.actions)


def test_completed_assessments_pass_the_completion_check() -> None:
    template = default_template()
    completed = 0
    for family, *rest in caseload(80, seed=5):
        assessments = [r for r in rest if isinstance(r, Assessment)]
        assert len(assessments) <= 1
        for assessment in assessments:
            assert assessment.template == template.ref
            # Every answer is one the template's questions take (set_answer checks each).
            draft = Assessment(family_id=family.id, template=template.ref)
            for answer in assessment.answers:
                draft = set_answer(draft, template, answer)
            assert draft.answers == assessment.answers
            if assessment.state is AssessmentState.DRAFT:
                continue
            completed += 1
            people = [r for r in rest if isinstance(r, Person)]
            consents = [r for r in rest if isinstance(r, Consent)]
            assert assessment.completed_on is not None
            assert assessment.completed_on <= TODAY
            missing = missing_before_completion(
                assessment, template, people, consents, on=assessment.completed_on
            )
            assert missing == [], f"{family.reference}: {missing}"
    assert completed > 40


def test_outcome_evidence_says_where_it_came_from_and_who_recorded_it() -> None:
    kinds: collections.Counter[str] = collections.Counter()
    for family, *rest in caseload(200, seed=9):
        for record in rest:
            kinds[type(record).__name__] += 1
            if isinstance(record, OutcomeEvidence):
                assert record.source
                assert record.recorded_by == "Zoë Fairweather"
                assert family.identified_on < record.holds_from <= TODAY
            elif isinstance(record, Measure):
                assert record.source
                assert record.on <= TODAY
            elif isinstance(record, OutcomeClaim):
                assert record.framework == FAMILIES_MATTER
                assert record.claimed_on <= TODAY
    assert {"OutcomeEvidence", "Measure", "EquivalentProgress", "OutcomeClaim"} <= set(kinds)


def test_without_outcomes_the_same_households_have_no_framework_plan_or_outcome_records() -> None:
    full = caseload(40, seed=3)
    bare = list(
        demo_caseload(40, seed=3, today=TODAY, practitioner="Zoë Fairweather", outcomes=False)
    )
    household = (Family, Person, StatusChange, Consent, CaseNote, StarReading)
    assert {type(r) for records in bare for r in records} <= set(household)
    assert all(records[0].framework == "" for records in bare if isinstance(records[0], Family))
    kept = [
        [r.replace(framework="") if isinstance(r, Family) else r for r in records]
        for records in full
    ]
    assert without_ids(bare) == without_ids(
        [[r for r in records if isinstance(r, household)] for records in kept]
    )
