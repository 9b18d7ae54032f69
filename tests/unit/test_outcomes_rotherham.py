"""A worked example from the case study in Rotherham's Families for Change review (2014), judged
under the 2012–15 national results.

The family: a mother (Adult H) and stepfather (Adult J), neither in work; Child K, 16, with
offending, anti-social behaviour and poor attendance; Child L, 12, doing well at school; Child M,
4, at pre-school. The coordinator took the family on in February 2013. K finished his youth
offending order in March, left school that summer and started college. H joined an ESF-funded
employment programme; J went onto the Work Programme.

The counts and percentages below are made up to fit that story; the review gives none.
"""

import datetime as dt

import pytest

from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.outcomes import (
    ClaimStatus,
    FamilyOutcomeData,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeClaim,
    OutcomeEvidence,
    attach_framework,
    claim_readiness,
    eligibility,
    family_outcomes_json,
)
from fmdesk.records import Record

LIBRARY = FrameworkLibrary.shipped()
IDENTIFIED = dt.date(2013, 2, 11)


def rotherham_family() -> tuple[Family, list[Record]]:
    family = attach_framework(
        Family(reference="FFC-0730", name="Case study family", status=FamilyStatus.ACTIVE),
        LIBRARY.latest("troubled-families-2012"),
    )

    def person(name: str, role: PersonRole) -> Person:
        return Person(family_id=family.id, role=role, given_name=name, family_name="")

    mum, dad = (
        person("Adult H", PersonRole.PARENT_CARER),
        person("Adult J", PersonRole.PARENT_CARER),
    )
    k, l_, m = (person(n, PersonRole.CHILD) for n in ("Child K", "Child L", "Child M"))
    # The case study's ages in 2013: K 16, L 12, M 4.
    k, l_, m = (
        p.replace(date_of_birth=born)
        for p, born in (
            (k, dt.date(1996, 9, 1)),
            (l_, dt.date(2000, 6, 1)),
            (m, dt.date(2008, 11, 1)),
        )
    )

    def tick(code: str, who: Person, source: str) -> IndicatorTick:
        return IndicatorTick(
            family_id=family.id,
            indicator=code,
            person_id=who.id,
            on=IDENTIFIED,
            evidence_source=source,
            recorded_by="Families for Change coordinator",
        )

    def measure(kind: MeasureKind, value: float, on: dt.date, **fields: object) -> Measure:
        return Measure(family_id=family.id, kind=kind, value=value, on=on, **fields)  # type: ignore[arg-type]

    baseline = {"stage": MeasureStage.BASELINE, "period_start": dt.date(2012, 8, 1)}
    # Counts since entry start on the day the family was identified: a count from before then
    # shows no progress against a problem found at entry.
    since = {"period_start": IDENTIFIED}
    records: list[Record] = [
        mum,
        dad,
        k,
        l_,
        m,
        tick("1A", k, "Youth offending team"),
        tick("1B", k, "Police and ASB team"),
        tick("2C", k, "School census"),
        tick("3A", mum, "DWP data"),
        tick("3A", dad, "DWP data"),
        tick("LD", dad, "GP: depression"),
        # Six months before and six months after the family was taken on.
        measure(MeasureKind.ASB_INCIDENTS, 4, dt.date(2013, 1, 31), person_id=k.id, **baseline),
        measure(MeasureKind.OFFENCES, 2, dt.date(2013, 1, 31), person_id=k.id, **baseline),
        measure(MeasureKind.ASB_INCIDENTS, 1, dt.date(2013, 8, 10), person_id=k.id, **since),
        measure(MeasureKind.OFFENCES, 0, dt.date(2013, 8, 10), person_id=k.id, **since),
        # K's attendance, then leaving school for college; L attends well throughout.
        measure(
            MeasureKind.ATTENDANCE, 72, dt.date(2013, 3, 31), term="Spring 2013", person_id=k.id
        ),
        measure(
            MeasureKind.ATTENDANCE, 88, dt.date(2013, 7, 22), term="Summer 2013", person_id=k.id
        ),
        measure(MeasureKind.LEFT_SCHOOL, 1, dt.date(2013, 7, 22), person_id=k.id),
        measure(
            MeasureKind.ATTENDANCE, 96, dt.date(2013, 3, 31), term="Spring 2013", person_id=l_.id
        ),
        measure(
            MeasureKind.ATTENDANCE, 97, dt.date(2013, 7, 22), term="Summer 2013", person_id=l_.id
        ),
        measure(
            MeasureKind.ATTENDANCE, 95, dt.date(2013, 12, 20), term="Autumn 2013", person_id=l_.id
        ),
        measure(
            MeasureKind.ATTENDANCE, 96, dt.date(2014, 3, 31), term="Spring 2014", person_id=l_.id
        ),
        # Progress to work for both parents.
        OutcomeEvidence(
            family_id=family.id,
            outcome="3.2",
            holds_from=dt.date(2013, 5, 7),
            person_id=mum.id,
            source="ESF provider report",
            description="Joined the ESF employment support programme",
        ),
        OutcomeEvidence(
            family_id=family.id,
            outcome="3.2",
            holds_from=dt.date(2013, 6, 3),
            person_id=dad.id,
            source="Jobcentre Plus report",
            description="Started on the Work Programme",
        ),
    ]
    return family, records


def test_the_case_study_family_is_eligible_on_all_three_national_criteria() -> None:
    family, records = rotherham_family()
    framework = LIBRARY.for_family(family)
    result = eligibility(framework, FamilyOutcomeData.from_records(family, records))
    assert result.eligible
    assert result.reason == (
        "eligible: 3 of 3 national criteria — crime/ASB (1A Child K, 1B Child K), "
        "school (2C Child K), worklessness (3A Adult H, 3A Adult J), local filter (LD Adult J)"
    )


def test_in_the_autumn_crime_is_met_and_school_attendance_is_on_its_way() -> None:
    family, records = rotherham_family()
    framework = LIBRARY.for_family(family)
    readiness = claim_readiness(
        framework, FamilyOutcomeData.from_records(family, records), dt.date(2013, 10, 1)
    )
    assert readiness.status is ClaimStatus.IN_PROGRESS
    crime, school = (p for p in readiness.problems if p.code in {"1", "2"})
    assert crime.met
    assert crime.met_by == "1.1, 1.2"
    assert not school.met
    (attendance,) = school.outcomes
    assert attendance.started_on == dt.date(2013, 4, 15)  # Summer 2013, after K's 72% spring
    assert attendance.sustained_on == dt.date(2014, 3, 31)
    assert attendance.progress == pytest.approx(1 / 3)
    assert readiness.missing == (
        "Children not in school: outcome 2.1 is not yet achieved. 1 of 3 consecutive terms so "
        "far, from Summer 2013; sustained when Spring 2014 ends on 31 Mar 2014. Before that: "
        "Child K attended 72% in Spring 2013; over 85% is needed.",
    )
    # Progress to work is an extra result: met, but it does not make the family claimable.
    (progress_to_work,) = readiness.additional_results
    assert progress_to_work.achieved
    (employment,) = readiness.alternative_routes
    assert employment[0] == "Continuous employment"
    assert not employment[1].achieved


def test_after_three_good_terms_the_family_is_ready_and_then_claimed() -> None:
    family, records = rotherham_family()
    framework = LIBRARY.for_family(family)
    today = dt.date(2014, 4, 1)
    data = FamilyOutcomeData.from_records(family, records)
    readiness = claim_readiness(framework, data, today)
    assert readiness.status is ClaimStatus.READY
    assert readiness.route == "every problem"
    assert readiness.missing == ()

    claim = OutcomeClaim(
        family_id=family.id,
        claimed_on=dt.date(2014, 5, 6),
        batch="May 2014",
        framework=framework.ref,
        route=readiness.route,
    )
    shown = family_outcomes_json(
        framework, FamilyOutcomeData.from_records(family, [*records, claim]), dt.date(2014, 6, 1)
    )
    assert shown["eligible"] is True
    assert [p["code"] for p in shown["problems"]] == ["1", "2", "3", "L"]
    assert shown["claim"]["status"] == "claimed"
    assert shown["claim"]["batch"] == "May 2014"
