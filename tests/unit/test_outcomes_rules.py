"""Eligibility, each kind of outcome test at its boundaries, and claim readiness."""

import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest

from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.assessment import IndicatorTick as AssessmentIndicator
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    ClaimStatus,
    EquivalentProgress,
    EvidenceBasis,
    FamilyOutcomeData,
    Framework,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeClaim,
    OutcomeEvidence,
    add_months,
    claim_readiness,
    eligibility,
    evaluate_outcome,
    family_outcomes_json,
    parse_framework,
)
from fmdesk.outcomes.framework import shipped_frameworks

LIBRARY = FrameworkLibrary.shipped()
PHASE1 = LIBRARY.get("troubled-families-2012@1")
FM = LIBRARY.get("families-matter@2015.1")
SF = LIBRARY.get("supporting-families-2022@1")
ALL_MET = ("whole_family_assessment", "action_plan", "lead_practitioner")


class Case:
    """One synthetic family and its records, built up a line at a time."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.family = Family(reference="T-0001", name="Nowak", framework=framework.ref)
        self.records: list[Any] = []

    def person(
        self, name: str, role: PersonRole = PersonRole.CHILD, born: dt.date | None = None
    ) -> Person:
        """A child is born in 2009 (3 in 2012, 13 in 2023), an adult in 1985, unless `born`."""
        if born is None:
            born = dt.date(2009, 3, 1) if role is PersonRole.CHILD else dt.date(1985, 6, 1)
        person = Person(
            family_id=self.family.id,
            role=role,
            given_name=name,
            family_name="Nowak",
            date_of_birth=born,
        )
        self.records.append(person)
        return person

    def tick(
        self, code: str, person: Person | None = None, on: dt.date = dt.date(2012, 9, 1)
    ) -> None:
        self.records.append(
            IndicatorTick(
                family_id=self.family.id,
                indicator=code,
                person_id=person.id if person else "",
                on=on,
                evidence_source="School census",
                recorded_by="Siobhán Kelly",
            )
        )

    def measure(self, kind: MeasureKind, value: float, on: dt.date, **fields: Any) -> None:
        self.records.append(
            Measure(family_id=self.family.id, kind=kind, value=value, on=on, **fields)
        )

    def attendance(self, child: Person, term: str, percent: float, exclusions: int = 0) -> None:
        index = self.framework.term_named(term)
        assert index is not None, term
        end = self.framework.term_calendar[index].end
        self.measure(MeasureKind.ATTENDANCE, percent, end, term=term, person_id=child.id)
        if exclusions:
            self.measure(MeasureKind.EXCLUSIONS, exclusions, end, term=term, person_id=child.id)

    def evidence(self, outcome: str, holds_from: dt.date, **fields: Any) -> None:
        fields.setdefault("source", "Keyworker report")
        fields.setdefault("description", "The review found the need met and still met.")
        self.records.append(
            OutcomeEvidence(
                family_id=self.family.id, outcome=outcome, holds_from=holds_from, **fields
            )
        )

    @property
    def data(self) -> FamilyOutcomeData:
        return FamilyOutcomeData.from_records(self.family, self.records)

    def outcome(self, code: str, today: dt.date) -> Any:
        return evaluate_outcome(self.framework, code, self.data, today)

    def readiness(self, today: dt.date, met: tuple[str, ...] = ALL_MET) -> Any:
        return claim_readiness(self.framework, self.data, today, requirements_met=met)


# ---- attendance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "achieved"),
    [(84.9, False), (85.0, False), (85.1, True), (90.0, True)],
)
def test_phase1_attendance_must_be_over_85_percent(percent: float, achieved: bool) -> None:
    case = Case(PHASE1)
    zoe = case.person("Zoë")
    for term in ("Autumn 2012", "Spring 2013", "Summer 2013"):
        case.attendance(zoe, term, percent)
    result = case.outcome("2.1", dt.date(2013, 8, 1))
    assert result.achieved is achieved
    if achieved:
        assert result.started_on == dt.date(2012, 9, 1)
        assert result.sustained_on == dt.date(2013, 7, 22)
    else:
        assert f"{percent:g}%" in result.explanation


@pytest.mark.parametrize(("percent", "achieved"), [(84.9, False), (85.0, True), (90.0, True)])
def test_a_council_can_read_85_percent_as_at_least(percent: float, achieved: bool) -> None:
    data = json.loads(_shipped_text("troubled-families-2012.json"))
    data["version"] = "1-at-least"
    data["problems"][1]["outcomes"][0]["test"]["comparison"] = "at_least"
    case = Case(parse_framework(data))
    zoe = case.person("Zoë")
    for term in ("Autumn 2012", "Spring 2013", "Summer 2013"):
        case.attendance(zoe, term, percent)
    assert case.outcome("2.1", dt.date(2013, 8, 1)).achieved is achieved


def _shipped_text(name: str) -> str:
    return (
        resources.files("fmdesk")
        .joinpath("definitions", "frameworks", name)
        .read_text(encoding="utf-8")
    )


def test_three_consecutive_terms_broken_by_one_bad_term_start_again() -> None:
    case = Case(FM)
    child = case.person("Łukasz")
    case.attendance(child, "Autumn 2015", 95)
    case.attendance(child, "Spring 2016", 80)  # the bad term
    case.attendance(child, "Summer 2016", 95)
    case.attendance(child, "Autumn 2016", 96)
    result = case.outcome("2.1", dt.date(2017, 1, 10))
    assert not result.achieved
    assert result.started_on == dt.date(2016, 4, 15)  # Summer 2016, after the bad term
    assert result.sustained_on == dt.date(2017, 3, 31)  # the end of Spring 2017
    assert result.progress == pytest.approx(2 / 3)
    assert "80% in Spring 2016" in result.explanation

    case.attendance(child, "Spring 2017", 97)
    assert not case.outcome("2.1", dt.date(2017, 3, 30)).achieved  # the term has not ended
    done = case.outcome("2.1", dt.date(2017, 3, 31))
    assert done.achieved
    assert (done.started_on, done.sustained_on) == (dt.date(2016, 4, 15), dt.date(2017, 3, 31))


def test_every_child_counts_and_a_missing_term_is_not_a_good_one() -> None:
    case = Case(FM)
    first, second = case.person("Zoë"), case.person("Siobhán")
    for term in ("Autumn 2015", "Spring 2016", "Summer 2016"):
        case.attendance(first, term, 98)
    case.attendance(second, "Autumn 2015", 97)
    case.attendance(second, "Summer 2016", 97)
    result = case.outcome("2.1", dt.date(2016, 9, 1))
    assert not result.achieved
    assert "No attendance is recorded for Siobhán in Spring 2016" in result.explanation


@pytest.mark.parametrize(("exclusions", "achieved"), [(2, True), (3, False)])
def test_fewer_than_3_exclusions_across_the_three_terms(exclusions: int, achieved: bool) -> None:
    case = Case(PHASE1)
    child, sibling = case.person("Zoë"), case.person("Kacper")
    case.attendance(child, "Autumn 2012", 92, exclusions=1)
    case.attendance(child, "Spring 2013", 92, exclusions=exclusions - 1)
    case.attendance(child, "Summer 2013", 92)
    for term in ("Autumn 2012", "Spring 2013", "Summer 2013"):
        case.attendance(sibling, term, 99, exclusions=0)
    case.tick("2A", child)
    result = case.outcome("2.1", dt.date(2013, 9, 1))
    assert result.achieved is achieved
    if not achieved:
        assert "Zoë had 3 fixed-term exclusions" in result.explanation


def test_a_child_who_has_left_school_no_longer_counts_in_phase1() -> None:
    case = Case(PHASE1)
    leaver, younger = case.person("Kacper"), case.person("Zoë")
    case.attendance(leaver, "Summer 2013", 70)
    case.measure(MeasureKind.LEFT_SCHOOL, 1, dt.date(2013, 7, 22), person_id=leaver.id)
    for term in ("Autumn 2013", "Spring 2014", "Summer 2014"):
        case.attendance(younger, term, 96)
    result = case.outcome("2.1", dt.date(2014, 8, 1))
    assert result.achieved
    assert result.started_on == dt.date(2013, 9, 1)


def test_a_permanent_exclusion_breaks_outcome_2_3() -> None:
    case = Case(FM)
    child = case.person("Zoë")
    for term in ("Autumn 2015", "Spring 2016", "Summer 2016"):
        case.attendance(child, term, 95)
    today = dt.date(2016, 8, 1)
    assert case.outcome("2.3", today).achieved
    case.measure(
        MeasureKind.PERMANENT_EXCLUSION,
        1,
        dt.date(2016, 2, 1),
        term="Spring 2016",
        person_id=child.id,
    )
    assert not case.outcome("2.3", today).achieved
    assert case.outcome("2.1", today).achieved  # 2.1 does not look at exclusions


# ---- falls ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "achieved"),
    [(10, 3, True), (10, 4, True), (10, 5, False), (5, 2, True), (5, 3, False)],
)
def test_asb_must_fall_by_at_least_60_percent(before: int, after: int, achieved: bool) -> None:
    case = Case(PHASE1)
    start = dt.date(2013, 1, 1)
    case.measure(
        MeasureKind.ASB_INCIDENTS,
        before,
        dt.date(2012, 12, 31),
        stage=MeasureStage.BASELINE,
        period_start=dt.date(2012, 7, 1),
    )
    case.measure(MeasureKind.ASB_INCIDENTS, after, dt.date(2013, 6, 30), period_start=start)
    result = case.outcome("1.1", dt.date(2013, 7, 1))
    assert result.achieved is achieved
    if achieved:
        assert (result.started_on, result.sustained_on) == (start, dt.date(2013, 7, 1))


@pytest.mark.parametrize(
    ("before", "after", "achieved"), [(3, 2, True), (6, 5, False), (6, 4, True)]
)
def test_offending_by_children_must_fall_by_a_third(
    before: int, after: int, achieved: bool
) -> None:
    case = Case(PHASE1)
    child, parent = case.person("Kacper"), case.person("Marta", PersonRole.PARENT_CARER)
    for who, count in ((child, before), (parent, 9)):
        case.measure(
            MeasureKind.OFFENCES,
            count,
            dt.date(2012, 12, 31),
            stage=MeasureStage.BASELINE,
            period_start=dt.date(2012, 7, 1),
            person_id=who.id,
        )
    case.measure(
        MeasureKind.OFFENCES,
        after,
        dt.date(2013, 6, 30),
        period_start=dt.date(2013, 1, 1),
        person_id=child.id,
    )
    # The adult's offending is not part of this measure, whatever it does.
    assert case.outcome("1.2", dt.date(2013, 7, 1)).achieved is achieved


def test_a_fall_part_way_through_the_six_months_is_progress_not_success() -> None:
    case = Case(PHASE1)
    case.measure(
        MeasureKind.ASB_INCIDENTS,
        10,
        dt.date(2012, 12, 31),
        stage=MeasureStage.BASELINE,
        period_start=dt.date(2012, 7, 1),
    )
    case.measure(
        MeasureKind.ASB_INCIDENTS, 1, dt.date(2013, 3, 31), period_start=dt.date(2013, 1, 1)
    )
    result = case.outcome("1.1", dt.date(2013, 4, 2))
    assert not result.achieved
    assert result.sustained_on == dt.date(2013, 7, 1)
    assert result.progress == pytest.approx(90 / 181)


def test_hospital_admissions_compare_six_months_doubled_against_a_year() -> None:
    case = Case(FM)
    # 6 admissions in the baseline year; 2 in the next six months is 4 a year: a third fewer.
    case.measure(
        MeasureKind.HOSPITAL_ADMISSIONS,
        6,
        dt.date(2015, 12, 31),
        stage=MeasureStage.BASELINE,
        period_start=dt.date(2015, 1, 1),
    )
    case.measure(
        MeasureKind.HOSPITAL_ADMISSIONS, 2, dt.date(2016, 6, 30), period_start=dt.date(2016, 1, 1)
    )
    assert case.outcome("6.7", dt.date(2016, 7, 1)).achieved
    case.measure(
        MeasureKind.HOSPITAL_ADMISSIONS, 3, dt.date(2016, 12, 31), period_start=dt.date(2016, 7, 1)
    )
    assert not case.outcome("6.7", dt.date(2017, 1, 1)).achieved  # 6 a year: no fall


# ---- sustained periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "achieved"),
    [(dt.date(2016, 6, 15), False), (dt.date(2016, 7, 14), False), (dt.date(2016, 7, 15), True)],
)
def test_six_months_means_six_months(today: dt.date, achieved: bool) -> None:
    case = Case(FM)
    case.evidence("3.4", dt.date(2016, 1, 15), source="Children's social care case record")
    result = case.outcome("3.4", today)
    assert result.achieved is achieved
    assert result.started_on == dt.date(2016, 1, 15)
    assert result.sustained_on == dt.date(2016, 7, 15)
    if today == dt.date(2016, 6, 15):
        assert result.progress == pytest.approx(152 / 182)


def test_an_outcome_that_stopped_holding_does_not_count() -> None:
    case = Case(FM)
    case.evidence("3.6", dt.date(2016, 1, 15), broken_on=dt.date(2016, 5, 1))
    result = case.outcome("3.6", dt.date(2016, 9, 1))
    assert not result.achieved
    assert "stopped on 1 May 2016" in result.explanation


def test_month_arithmetic_keeps_to_the_end_of_short_months() -> None:
    assert add_months(dt.date(2016, 8, 31), 6) == dt.date(2017, 2, 28)
    assert add_months(dt.date(2015, 11, 30), 3) == dt.date(2016, 2, 29)


@pytest.mark.parametrize(
    ("benefit", "framework", "code", "weeks"),
    [("jsa", PHASE1, "3.1", 26), ("uc", FM, "4.1", 13), ("jsa", FM, "4.1", 26)],
)
def test_continuous_employment_counts_weeks_off_benefits(
    benefit: str, framework: Framework, code: str, weeks: int
) -> None:
    case = Case(framework)
    parent = case.person("Marta", PersonRole.PARENT_CARER)
    started = dt.date(2016, 3, 1)
    case.measure(
        MeasureKind.BENEFITS,
        1,
        dt.date(2015, 9, 1),
        stage=MeasureStage.BASELINE,
        person_id=parent.id,
        detail=benefit,
    )
    case.measure(MeasureKind.BENEFITS, 0, started, person_id=parent.id)
    case.measure(MeasureKind.EMPLOYMENT, 1, started, person_id=parent.id)
    reached = started + dt.timedelta(weeks=weeks)
    assert not case.outcome(code, reached - dt.timedelta(days=1)).achieved
    result = case.outcome(code, reached)
    assert result.achieved
    assert result.sustained_on == reached
    case.measure(MeasureKind.EMPLOYMENT, 0, reached - dt.timedelta(days=7), person_id=parent.id)
    assert not case.outcome(code, reached).achieved  # the job ended a week short


# ---- Star evidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("framework", "code", "score", "achieved"),
    [
        (FM, "6.13", 7, True),
        (FM, "6.13", 10, True),
        (FM, "6.13", 6, False),
        (FM, "6.5", 9, False),  # this outcome does not take a Star reading
    ],
)
def test_star_readings_count_only_where_the_framework_accepts_them(
    framework: Framework, code: str, score: int, achieved: bool
) -> None:
    case = Case(framework)
    case.evidence(
        code,
        dt.date(2016, 3, 1),
        basis=EvidenceBasis.STAR,
        star_area="parenting",
        star_score=score,
    )
    result = case.outcome(code, dt.date(2016, 4, 1))
    assert result.achieved is achieved
    assert result.basis == ("star" if achieved else "")


# ---- eligibility ----------------------------------------------------------------------


def test_eligibility_says_why_in_words() -> None:
    case = Case(FM)
    child = case.person("Child K")
    case.tick("1A", child)
    case.tick("2A")
    case.tick("4A")
    result = eligibility(FM, case.data)
    assert result.eligible
    assert result.reason == (
        "eligible: 3 of 6 problems — crime/ASB (1A Child K), school attendance (2A), "
        "worklessness (4A)"
    )


def test_one_problem_is_not_enough_and_the_shortfall_is_plain() -> None:
    case = Case(FM)
    case.person("Zoë")
    case.tick("6A")
    case.tick("6B")
    result = eligibility(FM, case.data)
    assert not result.eligible
    assert result.reason.startswith("not eligible: 1 of 6 problems — health (6A, 6B)")
    assert (
        result.shortfall
        == "Indicators are ticked under 1 of the 6 problems; at least 2 are needed."
    )


def test_a_family_without_dependent_children_is_not_eligible() -> None:
    case = Case(FM)
    case.person("Marta", PersonRole.PARENT_CARER)
    case.tick("5A")
    case.tick("6A")
    result = eligibility(FM, case.data)
    assert not result.eligible
    assert result.shortfall == (
        "No dependent child or expected baby (aged 0 to 15, or up to 18 in education or "
        "training) was in the household on 1 Sep 2012."
    )


@pytest.mark.parametrize(
    ("codes", "eligible", "summary"),
    [
        (("1A", "3A"), False, "2 of 3 national criteria and no local filter"),
        (("1A", "3A", "LC"), True, "2 of 3 national criteria and a local filter"),
        (("1A", "2C", "3A"), True, "3 of 3 national criteria —"),
        (("1A", "LC", "LD"), False, "1 of 3 national criteria and a local filter"),
    ],
)
def test_phase1_needs_two_national_criteria_and_a_local_filter(
    codes: tuple[str, ...], eligible: bool, summary: str
) -> None:
    case = Case(PHASE1)
    for code in codes:
        case.tick(code)
    result = eligibility(PHASE1, case.data)
    assert result.eligible is eligible
    assert summary in result.reason


@pytest.mark.parametrize(("codes", "eligible"), [(("1A", "1B"), False), (("1A", "1B", "9A"), True)])
def test_supporting_families_needs_three_needs(codes: tuple[str, ...], eligible: bool) -> None:
    case = Case(SF)
    case.person("Zoë")
    for code in codes:
        case.tick(code)
    result = eligibility(SF, case.data)
    assert result.eligible is eligible
    if eligible:
        assert result.reason.startswith("eligible: 3 needs across 2 of 10 headlines")


def test_indicators_from_a_completed_assessment_count() -> None:
    case = Case(SF)
    case.person("Zoë")
    draft = Assessment(
        family_id=case.family.id,
        template="early-help@1",
        indicators=(AssessmentIndicator(code="1A"), AssessmentIndicator(code="3A")),
    )
    case.records.append(draft)
    case.tick("8A")
    assert not eligibility(SF, case.data).eligible  # a draft's indicators do not count yet
    case.records[-2] = draft.replace(
        state=AssessmentState.COMPLETED, completed_on=dt.date(2023, 1, 9), completed_by="Siobhán"
    )
    assert eligibility(SF, case.data).eligible


# ---- claim readiness ----------------------------------------------------------------------


def families_matter_case() -> Case:
    """Eligible on school attendance (2) and health (6)."""
    case = Case(FM)
    zoe = case.person("Zoë")
    case.person("Marta", PersonRole.PARENT_CARER)
    case.tick("2A", zoe, on=dt.date(2015, 9, 10))
    case.tick("6A", on=dt.date(2015, 9, 10))
    for term in ("Autumn 2015", "Spring 2016", "Summer 2016"):
        case.attendance(zoe, term, 94)
    return case


def test_ready_when_every_problem_has_one_sustained_outcome() -> None:
    case = families_matter_case()
    today = dt.date(2016, 8, 1)
    progress = case.readiness(today)
    assert progress.status is ClaimStatus.IN_PROGRESS
    assert progress.missing == ("Health: no outcome is sustained yet, and none is under way.",)
    case.evidence("6.5", dt.date(2016, 5, 3), source="Keyworker assessment")
    ready = case.readiness(today)
    assert ready.status is ClaimStatus.READY
    assert ready.missing == ()
    assert ready.route == "every problem"
    assert [(p.code, p.met_by) for p in ready.problems] == [("2", "2.1"), ("6", "6.5")]


def test_the_closest_outcome_is_named_when_a_problem_is_not_met() -> None:
    case = families_matter_case()
    case.evidence("6.9", dt.date(2016, 5, 1))
    progress = case.readiness(dt.date(2016, 8, 1))
    assert progress.missing == (
        "Health: no outcome is sustained yet; the closest is 6.9 (50% of the way, "
        "sustained on 1 Nov 2016).",
    )


def test_unmet_claim_requirements_are_listed() -> None:
    case = families_matter_case()
    case.evidence("6.5", dt.date(2016, 5, 3))
    progress = case.readiness(dt.date(2016, 8, 1), met=("lead_practitioner",))
    assert progress.status is ClaimStatus.IN_PROGRESS
    assert progress.missing == (
        "A whole-family assessment has not been recorded.",
        "No action plan covering every family member who needs one has been recorded.",
    )


def test_equivalent_progress_counts_and_is_shown_as_such() -> None:
    case = families_matter_case()
    case.records.append(
        EquivalentProgress(
            family_id=case.family.id,
            problem="6",
            approved_by="Aoife Byrne",
            approver_role="Head of Service",
            approved_on=dt.date(2016, 7, 20),
            reason="GP confirms the condition is managed; no formal review was held",
        )
    )
    today = dt.date(2016, 8, 1)
    ready = case.readiness(today)
    assert ready.status is ClaimStatus.READY
    assert ready.uses_equivalent_progress
    health = next(p for p in ready.problems if p.code == "6")
    assert health.met_by == (
        "equivalent progress approved by Aoife Byrne (Head of Service) on 20 Jul 2016: "
        "GP confirms the condition is managed; no formal review was held"
    )
    shown = family_outcomes_json(FM, case.data, today, requirements_met=ALL_MET)
    assert shown["claim"]["equivalent_progress"] is True


def test_equivalent_progress_needs_a_named_approver_and_a_reason() -> None:
    with pytest.raises(ValueError, match="name of the person"):
        EquivalentProgress(
            family_id="f",
            problem="6",
            approved_by=" ",
            approved_on=dt.date(2016, 1, 1),
            reason="x",
        )
    with pytest.raises(ValueError, match="reason"):
        EquivalentProgress(
            family_id="f",
            problem="6",
            approved_by="Aoife",
            approved_on=dt.date(2016, 1, 1),
            reason="",
        )


def test_equivalent_progress_is_refused_where_the_framework_does_not_allow_it() -> None:
    case = Case(SF)
    case.person("Zoë")
    for code in ("1A", "3A", "8A"):
        case.tick(code)
    case.records.append(
        EquivalentProgress(
            family_id=case.family.id,
            problem="8",
            approved_by="Aoife Byrne",
            approved_on=dt.date(2023, 5, 1),
            reason="Risk assessment shows lower risk",
        )
    )
    progress = case.readiness(dt.date(2023, 9, 1))
    assert progress.status is ClaimStatus.IN_PROGRESS
    assert any("does not allow equivalent progress" in w for w in progress.warnings)
    assert not progress.uses_equivalent_progress


def test_continuous_employment_is_an_alternative_route() -> None:
    case = families_matter_case()
    marta = next(p for p in case.records if isinstance(p, Person) and p.given_name == "Marta")
    case.tick("4A", marta, on=dt.date(2015, 9, 10))
    case.measure(
        MeasureKind.BENEFITS,
        1,
        dt.date(2015, 9, 10),
        stage=MeasureStage.BASELINE,
        person_id=marta.id,
        detail="uc",
    )
    case.measure(MeasureKind.BENEFITS, 0, dt.date(2016, 2, 1), person_id=marta.id)
    case.measure(MeasureKind.EMPLOYMENT, 1, dt.date(2016, 2, 1), person_id=marta.id)
    ready = case.readiness(dt.date(2016, 5, 2))  # 13 weeks on; health and work not met
    assert ready.status is ClaimStatus.READY
    assert ready.route == "Continuous employment"


def test_claimed_is_final_and_shown_with_its_batch() -> None:
    case = families_matter_case()
    case.evidence("6.5", dt.date(2016, 5, 3))
    case.records.append(
        OutcomeClaim(
            family_id=case.family.id,
            claimed_on=dt.date(2016, 8, 5),
            batch="2016-Q2",
            framework=FM.ref,
            route="every problem",
        )
    )
    shown = family_outcomes_json(FM, case.data, dt.date(2016, 9, 1), requirements_met=ALL_MET)
    assert shown["claim"] == {
        "status": "claimed",
        "missing": [],
        "route": "every problem",
        "equivalent_progress": False,
        "claimed_on": "2016-08-05",
        "batch": "2016-Q2",
    }


def test_not_eligible_lists_the_shortfall() -> None:
    case = Case(FM)
    case.person("Zoë")
    case.tick("3B")
    progress = case.readiness(dt.date(2016, 1, 1))
    assert progress.status is ClaimStatus.NOT_ELIGIBLE
    assert progress.missing == (
        "Indicators are ticked under 1 of the 6 problems; at least 2 are needed.",
    )


def test_the_command_line_json_has_the_agreed_shape() -> None:
    case = families_matter_case()
    shown = family_outcomes_json(FM, case.data, dt.date(2016, 8, 1))
    assert json.loads(json.dumps(shown)) == shown  # plain JSON types only
    assert shown["eligible"] is True
    assert [(p["code"], p["name"]) for p in shown["problems"]] == [
        ("2", "School attendance"),
        ("6", "Health"),
    ]
    assert shown["problems"][0]["indicators"][0]["code"] == "2A"
    assert shown["problems"][0]["indicators"][0]["person"] == "Zoë"
    assert shown["claim"]["status"] == "in_progress"
    assert "A whole-family assessment has not been recorded." in shown["claim"]["missing"]
    attendance = next(o for o in shown["outcomes"] if o["code"] == "2.1")
    assert attendance["achieved"] is True
    assert attendance["sustained_on"] == "2016-07-22"


# ---- versions ----------------------------------------------------------------------


def test_a_family_attached_under_one_version_is_unaffected_by_a_newer_one() -> None:
    newer_data = json.loads(_shipped_text("families-matter-2015.json"))
    newer_data["version"] = "2017.1"
    newer_data["problems"][1]["outcomes"][0]["test"]["min_percent"] = 95
    newer = parse_framework(newer_data, "families-matter-2017.json")
    library = FrameworkLibrary([*shipped_frameworks(), newer])
    assert library.latest("families-matter") is newer

    case = families_matter_case()  # attended 94% each term, attached under 2015.1
    today = dt.date(2016, 8, 1)
    attached = library.for_family(case.family)
    assert attached.ref == "families-matter@2015.1"
    assert evaluate_outcome(attached, "2.1", case.data, today).achieved
    # The same family judged under the newer rules would not have met 2.1.
    assert not evaluate_outcome(newer, "2.1", case.data, today).achieved


def test_records_naming_codes_the_version_lacks_are_reported() -> None:
    case = families_matter_case()
    case.tick("7A")
    case.evidence("9.1", dt.date(2016, 1, 1))
    progress = case.readiness(dt.date(2016, 8, 1))
    assert "Indicator 7A is not in families-matter@2015.1." in progress.warnings
    assert "Outcome 9.1 is not in families-matter@2015.1." in progress.warnings
