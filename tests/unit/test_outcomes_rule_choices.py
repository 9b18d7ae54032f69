"""The rules as the frameworks state them (issue 18), each at its boundary: the plan covers every
problem, dependent children by age, nothing before entry shows progress, the approver's role,
falls compared as rates, continuous employment as each framework states it, every need, and
evidence and ticks that cannot count."""

import copy
import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest

from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    ClaimStatus,
    EquivalentProgress,
    FamilyOutcomeData,
    Framework,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeEvidence,
    claim_readiness,
    eligibility,
    evaluate_outcome,
    parse_framework,
)
from fmdesk.outcomes.framework import EmploymentRule, NeedsCounted, PlanCoverage
from fmdesk.plans import ActionOwner, FamilyPlan, PlanAction, PlanGoal

LIBRARY = FrameworkLibrary.shipped()
FM = LIBRARY.get("families-matter@2015.1")
SF = LIBRARY.get("supporting-families-2022@1")
PHASE1 = LIBRARY.get("troubled-families-2012@1")
ALL_MET = ("whole_family_assessment", "action_plan", "lead_practitioner")
ENTRY = dt.date(2016, 1, 11)


def shipped_data(name: str) -> dict[str, Any]:
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    data: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return data


class Case:
    """A synthetic family identified on ENTRY, built a record at a time."""

    def __init__(self, framework: Framework, identified_on: dt.date = ENTRY) -> None:
        self.framework = framework
        self.family = Family(
            reference="T-0018",
            name="Kowalczyk",
            framework=framework.ref,
            identified_on=identified_on,
        )
        self.records: list[Any] = []

    def person(self, name: str, born: dt.date, role: PersonRole = PersonRole.CHILD, **kw: Any):
        person = Person(
            family_id=self.family.id,
            role=role,
            given_name=name,
            family_name="Kowalczyk",
            date_of_birth=born,
            **kw,
        )
        self.records.append(person)
        return person

    def tick(self, code: str, person: Person | None = None, on: dt.date = ENTRY) -> None:
        self.records.append(
            IndicatorTick(
                family_id=self.family.id,
                indicator=code,
                person_id=person.id if person else "",
                on=on,
                evidence_source="Referral",
            )
        )

    def evidence(self, outcome: str, holds_from: dt.date, **fields: Any) -> None:
        fields.setdefault("source", "Keyworker report")
        fields.setdefault("description", "The review found the need met.")
        self.records.append(
            OutcomeEvidence(
                family_id=self.family.id, outcome=outcome, holds_from=holds_from, **fields
            )
        )

    def measure(self, kind: MeasureKind, value: float, on: dt.date, **fields: Any) -> None:
        self.records.append(
            Measure(family_id=self.family.id, kind=kind, value=value, on=on, **fields)
        )

    def plan(self, *problems: tuple[str, ...], owners: tuple[Person, ...] = ()) -> None:
        goals = [
            PlanGoal(
                words=f"Goal {n}",
                problems=codes,
                actions=tuple(
                    PlanAction(
                        what="Keep going",
                        owner=ActionOwner.family_member(p.id),
                        by_when=ENTRY + dt.timedelta(weeks=8),
                    )
                    for p in owners
                ),
            )
            for n, codes in enumerate(problems)
        ]
        self.records.append(FamilyPlan(family_id=self.family.id, made_on=ENTRY, goals=tuple(goals)))

    @property
    def data(self) -> FamilyOutcomeData:
        return FamilyOutcomeData.from_records(self.family, self.records)

    def readiness(self, today: dt.date, framework: Framework | None = None) -> Any:
        return claim_readiness(
            framework or self.framework, self.data, today, requirements_met=ALL_MET
        )


def fm_family() -> tuple[Case, Person, Person]:
    """Eligible under Families Matter on children who need help (3) and health (6), with
    evidence for 3.6 and 6.1 sustained by 1 Sep 2016."""
    case = Case(FM)
    zoe = case.person("Zoë", dt.date(2008, 4, 2))
    marta = case.person("Marta", dt.date(1984, 2, 1), PersonRole.PARENT_CARER)
    case.tick("3E", zoe)
    case.tick("6A", marta)
    case.evidence("3.6", dt.date(2016, 2, 1))
    case.evidence("6.1", dt.date(2016, 3, 1))
    return case, zoe, marta


TODAY = dt.date(2016, 9, 1)


# ---- the plan covers every problem identified at entry -------------------------------------------


def test_a_plan_with_one_goal_on_one_problem_does_not_cover_the_family() -> None:
    case, _, _ = fm_family()
    case.plan(("3",))
    readiness = case.readiness(TODAY)
    assert readiness.status is ClaimStatus.IN_PROGRESS
    assert readiness.missing == (
        "The action plan has no goal for every problem identified at entry: health (6).",
        "These family members with a need identified at entry have no goal in the action plan, "
        "for them or for the whole family on that problem: Marta (health, 6).",
    )


def test_a_plan_with_a_goal_on_every_problem_covers_the_family() -> None:
    case, _, _ = fm_family()
    case.plan(("3",), ("6",))
    assert case.readiness(TODAY).status is ClaimStatus.READY


def test_each_shipped_framework_states_its_plan_rule() -> None:
    assert SF.rules.plan_covers is PlanCoverage.EVERY_PROBLEM  # "covering all the problems"
    # "a plan for every family member who needs one": tests/unit/test_plan_for_whom.py
    assert FM.rules.plan_covers is PlanCoverage.EVERY_PROBLEM_AND_MEMBER
    assert PHASE1.rules.plan_covers is PlanCoverage.ANY_GOAL  # phase 1 claims had no plan test


# ---- dependent children by age -------------------------------------------------------------------


def eligible_with(born: dt.date, **person: Any) -> Any:
    case = Case(FM)
    case.person("Kacper", born, **person)
    case.tick("5A")
    case.tick("6A")
    return eligibility(FM, case.data)


def test_a_household_whose_only_child_is_21_is_not_eligible() -> None:
    result = eligible_with(dt.date(1994, 6, 1))
    assert not result.eligible
    assert result.shortfall == (
        "No dependent child or expected baby (aged 0 to 15, or up to 18 in education or "
        "training) was in the household on 11 Jan 2016."
    )


@pytest.mark.parametrize(
    ("born", "school", "eligible"),
    [
        (dt.date(2000, 1, 12), "", True),  # 15 on the day of entry
        (dt.date(2000, 1, 11), "", False),  # 16 that day, not in education
        (dt.date(2000, 1, 11), "Southwark College", True),  # 16 in education
        (dt.date(1997, 1, 12), "Southwark College", True),  # 18 in education
        (dt.date(1997, 1, 11), "Southwark College", False),  # 19 that day
    ],
)
def test_dependent_children_are_decided_by_age_on_the_day_of_entry(
    born: dt.date, school: str, eligible: bool
) -> None:
    assert eligible_with(born, school=school).eligible is eligible


def test_an_expected_baby_counts_and_a_child_with_no_date_of_birth_does_not() -> None:
    case = Case(SF)
    case.records.append(
        Person(
            family_id=case.family.id,
            role=PersonRole.CHILD,
            given_name="Baby",
            family_name="Kowalczyk",
        )
    )
    for code in ("3A", "8A", "9A"):
        case.tick(code)
    result = eligibility(SF, case.data)
    assert not result.eligible
    assert "no date of birth is recorded for Baby" in result.shortfall
    case.records[0] = case.records[0].replace(expected_date=dt.date(2016, 5, 1))
    assert eligibility(SF, case.data).eligible


def test_the_ages_are_data_in_the_framework_file() -> None:
    raw = shipped_data("families-matter-2015.json")
    assert raw["rules"]["dependent_children"] == {
        "max_age": 15,
        "max_age_in_education": 18,
        "unborn": True,
    }
    raw = copy.deepcopy(raw) | {"version": "2015.1-17"}
    raw["rules"]["dependent_children"]["max_age"] = 17
    seventeen = parse_framework(raw, "older.json")
    case = Case(seventeen)
    case.person("Kacper", dt.date(1998, 6, 1))
    case.tick("5A")
    case.tick("6A")
    assert eligibility(seventeen, case.data).eligible
    assert not eligibility(FM, case.data).eligible


# ---- nothing dated before entry shows progress --------------------------------------------------


@pytest.mark.parametrize(
    ("holds_from", "achieved"), [(ENTRY - dt.timedelta(days=1), False), (ENTRY, True)]
)
def test_evidence_from_before_entry_shows_no_progress(holds_from: dt.date, achieved: bool) -> None:
    case = Case(FM)
    case.evidence("3.6", holds_from)
    result = evaluate_outcome(FM, "3.6", case.data, dt.date(2016, 9, 1))
    assert result.achieved is achieved
    if not achieved:
        assert result.explanation == (
            "The evidence for 3.6 holds from 10 Jan 2016, before the family's entry on "
            "11 Jan 2016, so it shows no progress since then."
        )


def test_a_count_from_before_entry_shows_no_fall() -> None:
    case = Case(FM)
    baseline = {"stage": MeasureStage.BASELINE, "period_start": dt.date(2015, 7, 1)}
    case.measure(MeasureKind.ASB_INCIDENTS, 10, dt.date(2015, 12, 31), **baseline)
    case.measure(
        MeasureKind.ASB_INCIDENTS, 0, dt.date(2016, 6, 30), period_start=dt.date(2016, 1, 1)
    )
    result = evaluate_outcome(FM, "1.3", case.data, dt.date(2016, 9, 1))
    assert not result.achieved
    assert "starts before the family's entry on 11 Jan 2016" in result.explanation


def test_entry_is_the_first_indicator_when_no_identification_date_is_recorded() -> None:
    case = Case(FM, identified_on=None)  # type: ignore[arg-type]
    case.tick("3E", on=dt.date(2016, 3, 1))
    case.evidence("3.6", dt.date(2016, 2, 1))
    assert case.data.entry_on == dt.date(2016, 3, 1)
    assert not evaluate_outcome(FM, "3.6", case.data, dt.date(2017, 1, 1)).achieved


# ---- equivalent progress: the approver's role ----------------------------------------------------


def with_approval(role: str) -> Any:
    case, _, _ = fm_family()
    case.plan(("3", "6"))
    case.records = [r for r in case.records if getattr(r, "outcome", "") != "6.1"]
    case.records.append(
        EquivalentProgress(
            family_id=case.family.id,
            problem="6",
            approved_by="Anita Sharma",
            approver_role=role,
            approved_on=dt.date(2016, 5, 1),
            reason="The GP's letter shows the mother's depression is well managed.",
        )
    )
    return case.readiness(TODAY)


@pytest.mark.parametrize("role", ["Head of Service", "head of service "])
def test_equivalent_progress_approved_by_the_named_role_counts(role: str) -> None:
    readiness = with_approval(role)
    assert readiness.status is ClaimStatus.READY
    assert readiness.uses_equivalent_progress


@pytest.mark.parametrize(
    ("role", "said"),
    [("Team Manager", "is recorded as Team Manager"), ("", "has no role recorded")],
)
def test_equivalent_progress_approved_by_another_role_does_not_count(role: str, said: str) -> None:
    readiness = with_approval(role)
    assert readiness.status is ClaimStatus.IN_PROGRESS
    assert (
        f"Health: Equivalent progress must be approved by the Head of Service; Anita Sharma "
        f"{said}, so the approval is not counted."
    ) in readiness.warnings


# ---- falls compare rates over equal periods ------------------------------------------------------


@pytest.mark.parametrize(("after", "achieved", "fall"), [(3, False, "40%"), (2, True, "60%")])
def test_a_fall_compares_rates_over_equal_periods(after: int, achieved: bool, fall: str) -> None:
    """10 incidents over the 12 months before entry, then `after` over the next 6 months: a rate
    of 10/12 a month against after/6 (3 is a 40% fall, not 70%; 2 is exactly 60%)."""
    case = Case(FM, identified_on=dt.date(2016, 1, 1))
    baseline = {"stage": MeasureStage.BASELINE, "period_start": dt.date(2015, 1, 1)}
    case.measure(MeasureKind.ASB_INCIDENTS, 10, dt.date(2015, 12, 31), **baseline)
    case.measure(
        MeasureKind.ASB_INCIDENTS, after, dt.date(2016, 6, 30), period_start=dt.date(2016, 1, 1)
    )
    result = evaluate_outcome(FM, "1.3", case.data, dt.date(2016, 7, 1))
    assert result.achieved is achieved
    assert f"a fall of {fall} in the rate" in result.explanation
    assert "10 at baseline over 12 months" in result.explanation


# ---- continuous employment, as each framework states it -----------------------------------------


def employed_then_left(framework: Framework, code: str) -> Any:
    case = Case(framework)
    marta = case.person("Marta", dt.date(1984, 2, 1), PersonRole.PARENT_CARER)
    on = dict(person_id=marta.id)
    case.measure(MeasureKind.BENEFITS, 1, ENTRY, stage=MeasureStage.BASELINE, detail="jsa", **on)
    case.measure(MeasureKind.BENEFITS, 0, dt.date(2016, 2, 1), **on)
    case.measure(MeasureKind.EMPLOYMENT, 1, dt.date(2016, 2, 1), **on)
    # 26 weeks from 1 Feb is 1 Aug; the job ends on 15 Aug.
    case.measure(MeasureKind.EMPLOYMENT, 0, dt.date(2016, 8, 15), **on)
    return evaluate_outcome(framework, code, case.data, dt.date(2016, 10, 1))


def test_employment_sustained_for_the_period_counts_even_if_the_job_ended_later() -> None:
    assert FM.rules.employment is EmploymentRule.SUSTAINED_FOR_PERIOD
    result = employed_then_left(FM, "4.1")
    assert result.achieved
    assert result.sustained_on == dt.date(2016, 8, 1)
    assert "the job ended on 15 Aug 2016" in result.explanation


def test_in_work_now_needs_the_adult_still_in_work() -> None:
    raw = shipped_data("families-matter-2015.json") | {"version": "2015.1-now"}
    raw["rules"] = {**raw["rules"], "employment": "in_work_now"}
    now = parse_framework(raw, "now.json")
    result = employed_then_left(now, "4.1")
    assert not result.achieved
    assert "the framework counts only an adult still in work" in result.explanation


def test_a_job_that_ended_before_the_weeks_does_not_count() -> None:
    case = Case(PHASE1)
    marta = case.person("Marta", dt.date(1984, 2, 1), PersonRole.PARENT_CARER)
    on = dict(person_id=marta.id)
    case.measure(MeasureKind.BENEFITS, 1, ENTRY, stage=MeasureStage.BASELINE, **on)
    case.measure(MeasureKind.BENEFITS, 0, dt.date(2016, 2, 1), **on)
    case.measure(MeasureKind.EMPLOYMENT, 1, dt.date(2016, 2, 1), **on)
    case.measure(MeasureKind.EMPLOYMENT, 0, dt.date(2016, 7, 31), **on)  # a day short
    result = evaluate_outcome(PHASE1, "3.1", case.data, dt.date(2016, 10, 1))
    assert not result.achieved
    assert "before 26 weeks" in result.explanation


# ---- every need, for eligibility and for success (Supporting Families 2022) --------------------


def sf_family() -> tuple[Case, Person, Person]:
    case = Case(SF)
    ola = case.person("Ola", dt.date(2006, 5, 1))
    jan = case.person("Jan", dt.date(2008, 9, 1))
    case.tick("1A", ola)
    case.tick("1A", jan)
    case.tick("9A")
    case.plan(("1", "9"))
    case.evidence("9.1", dt.date(2016, 2, 1))
    return case, ola, jan


def test_supporting_families_counts_every_need_for_eligibility() -> None:
    assert SF.rules.needs_counted is NeedsCounted.EVERY_NEED
    case, _, _ = sf_family()
    result = eligibility(SF, case.data)
    assert result.eligible  # 1A for Ola, 1A for Jan and 9A: three needs
    assert result.reason.startswith("eligible: 3 needs across 2 of 10 headlines")


def test_every_need_shows_its_own_outcome() -> None:
    case, ola, jan = sf_family()
    case.evidence("1.1", dt.date(2016, 2, 1), person_id=ola.id)
    readiness = case.readiness(TODAY)
    assert readiness.status is ClaimStatus.IN_PROGRESS
    assert readiness.missing == (
        "Getting a good education: the need 1A for Jan shows no sustained outcome yet.",
    )
    case.evidence("1.1", dt.date(2016, 2, 1), person_id=jan.id)
    assert case.readiness(TODAY).status is ClaimStatus.READY


def test_every_headline_counts_headlines_the_same_way_for_both() -> None:
    raw = shipped_data("supporting-families-2022.json") | {"version": "1-headlines"}
    raw["rules"] = {**raw["rules"], "needs_counted": "every_headline"}
    headlines = parse_framework(raw, "headlines.json")
    case, ola, _ = sf_family()
    assert not eligibility(headlines, case.data).eligible  # 2 headlines, 3 needed
    case.tick("3A")
    case.plan(("1", "3", "9"))
    case.evidence("1.1", dt.date(2016, 2, 1), person_id=ola.id)
    case.evidence("3.1", dt.date(2016, 2, 1))
    assert eligibility(headlines, case.data).eligible
    assert case.readiness(TODAY, headlines).status is ClaimStatus.READY


# ---- evidence and ticks that cannot count --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"source": " "}, "The evidence from 1 Feb 2016 for 3.6 names no source"),
        ({"description": ""}, "The evidence from 1 Feb 2016 for 3.6 does not say what it shows"),
    ],
)
def test_evidence_with_no_source_or_nothing_shown_does_not_count(
    fields: dict[str, str], why: str
) -> None:
    case = Case(FM)
    case.evidence("3.6", dt.date(2016, 2, 1), **fields)
    result = evaluate_outcome(FM, "3.6", case.data, TODAY)
    assert not result.achieved
    assert result.explanation.startswith(why)


def test_an_adults_indicator_cannot_be_ticked_for_a_child_nor_the_reverse() -> None:
    case = Case(FM)
    zoe = case.person("Zoë", dt.date(2008, 4, 2))
    marta = case.person("Marta", dt.date(1984, 2, 1), PersonRole.PARENT_CARER)
    case.tick("4A", zoe)  # out-of-work benefits: an adult's indicator
    case.tick("6B", marta)  # a child with mental health problems
    case.tick("5A", marta)  # any family member
    result = eligibility(FM, case.data)
    assert [p.problem.code for p in result.problems] == ["5"]
    assert not result.eligible
    readiness = case.readiness(TODAY)
    assert "Indicator 4A is for an adult; Zoë is a child, so it does not count." in (
        readiness.warnings
    )
    assert "Indicator 6B is for a child; Marta is an adult, so it does not count." in (
        readiness.warnings
    )
    case.tick("4A", marta)
    assert eligibility(FM, case.data).eligible


def test_a_rule_naming_an_unknown_indicator_is_refused() -> None:
    raw = shipped_data("troubled-families-2012.json")
    raw["rules"] = {**raw["rules"], "indicator_people": {"9Z": "child"}}
    with pytest.raises(ValidationError, match=r"rules.indicator_people.9Z: '9Z' is not"):
        parse_framework(raw, "bad.json")
    raw["rules"] = {"employment": "while_employed"}
    with pytest.raises(ValidationError, match=r"rules.employment"):
        parse_framework(raw, "bad.json")
