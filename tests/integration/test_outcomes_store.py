"""Outcome records round-trip through the real encrypted store, and the rules read them back
to the same answer."""

import datetime as dt
from pathlib import Path

from db.store import Store
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    OUTCOME_RECORD_CLASSES,
    ClaimStatus,
    EquivalentProgress,
    EvidenceBasis,
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
)
from fmdesk.records import Record

PASSPHRASE = "correct horse battery staple"  # what the `store` fixture is created with
LIBRARY = FrameworkLibrary.shipped()


def load(store: Store, family: Family) -> FamilyOutcomeData:
    records: list[Record] = list(store.list(Person, family_id=family.id))
    for cls in OUTCOME_RECORD_CLASSES:
        records.extend(store.list(cls, family_id=family.id))
    return FamilyOutcomeData.from_records(family, records)


def test_outcome_records_survive_the_store_and_give_the_same_answer(
    store: Store, store_path: Path
) -> None:
    framework = LIBRARY.latest("families-matter")
    family = attach_framework(Family(reference="FM-0042", name="Wiśniewski"), framework)
    zoe = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="W",
        date_of_birth=dt.date(2006, 4, 1),
    )
    marta = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Marta", family_name="W"
    )
    on = dt.date(2015, 9, 10)
    records: list[Record] = [
        family,
        zoe,
        marta,
        IndicatorTick(
            family_id=family.id,
            indicator="2A",
            person_id=zoe.id,
            on=on,
            evidence_source="School census",
            recorded_by="Siobhán Kelly",
        ),
        IndicatorTick(family_id=family.id, indicator="6A", person_id=marta.id, on=on),
        Measure(
            family_id=family.id,
            kind=MeasureKind.ASB_INCIDENTS,
            value=5,
            stage=MeasureStage.BASELINE,
            on=dt.date(2015, 8, 31),
            period_start=dt.date(2015, 3, 1),
            source="Police data",
        ),
        OutcomeEvidence(
            family_id=family.id,
            outcome="6.13",
            holds_from=dt.date(2016, 5, 3),
            basis=EvidenceBasis.STAR,
            star_area="parenting",
            star_score=8,
            source="Family Star Plus",
            description="A reading of 8 for parenting",
        ),
        EquivalentProgress(
            family_id=family.id,
            problem="2",
            approved_by="Aoife Byrne",
            approver_role="Head of Service",
            approved_on=dt.date(2016, 7, 1),
            reason="Child moved school; the new school confirms full attendance",
        ),
    ]
    for term in ("Autumn 2015", "Spring 2016"):
        records.append(
            Measure(
                family_id=family.id,
                kind=MeasureKind.ATTENDANCE,
                value=93.5,
                on=dt.date(2016, 3, 31),
                term=term,
                person_id=zoe.id,
            )
        )
    store.save(*records)
    today = dt.date(2016, 8, 1)
    met = ("whole_family_assessment", "action_plan", "lead_practitioner")
    before = claim_readiness(
        framework, FamilyOutcomeData.from_records(family, records), today, requirements_met=met
    )
    store.close()

    reopened = Store.open(store_path, PASSPHRASE)
    try:
        stored_family = reopened.get(Family, family.id)
        assert stored_family is not None
        assert stored_family.framework == "families-matter@2015.1"
        data = load(reopened, stored_family)
        assert {t.indicator for t in data.ticks} == {"2A", "6A"}
        assert sorted((m.kind.value, m.term, m.period_start) for m in data.measures) == [
            ("asb_incidents", "", dt.date(2015, 3, 1)),
            ("attendance", "Autumn 2015", None),
            ("attendance", "Spring 2016", None),
        ]
        assert data.evidence[0].star_score == 8
        assert data.approvals[0].approved_by == "Aoife Byrne"
        after = claim_readiness(
            LIBRARY.for_family(stored_family), data, today, requirements_met=met
        )
        assert after.status is ClaimStatus.READY
        assert after.uses_equivalent_progress
        assert (after.status, after.missing, after.route) == (
            before.status,
            before.missing,
            before.route,
        )

        claim = OutcomeClaim(
            family_id=family.id,
            claimed_on=today,
            batch="2016-Q3",
            framework=stored_family.framework,
            route=after.route,
        )
        reopened.save(claim)
        claimed = claim_readiness(framework, load(reopened, stored_family), today)
        assert claimed.status is ClaimStatus.CLAIMED
        # A deleted claim (a tombstone) no longer counts.
        reopened.delete(claimed.claim)  # type: ignore[arg-type]
        assert (
            claim_readiness(
                framework, load(reopened, stored_family), today, requirements_met=met
            ).status
            is ClaimStatus.READY
        )
    finally:
        reopened.close()
