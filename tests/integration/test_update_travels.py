"""A termly update moves outcomes on both sides (issue 17): the coordinator applies the
council's next terms of attendance, the figures travel to the family's practitioner in the next
bundle, and the attendance outcome is judged the same there, on school terms after the
framework's own calendar has ended (Families Matter's ends in 2021)."""

import datetime as dt
from pathlib import Path

from db import allocation, programme, sync
from db.keyslots import KdfParams
from db.outcomes import load_family_outcomes
from db.programme import identified
from db.store import Store
from fmdesk.families import Family
from fmdesk.outcomes import Measure, MeasureStage, OutcomeProgress
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

TODAY = dt.date(2026, 12, 21)
BASELINE = (
    "family_key,case_id,identified_on,role,given_name,surname,date_of_birth,upn,"
    "attendance_percent,term_end,out_of_work_benefits,benefits_on\n"
    "K-1,EHM-1001,2026-01-05,parent,Zofia,Nowak,1985-03-02,,,,yes,2025-12-01\n"
    "K-1,,,child,Kuba,Nowak,2012-05-12,A123456789012,82,2025-12-19,,\n"
)
UPDATE = (
    "case_id,upn,attendance_percent,term_end,source\n"
    "EHM-1001,A123456789012,95,2026-03-27,School census spring 2026\n"
    "EHM-1001,A123456789012,96,2026-07-17,School census summer 2026\n"
    "EHM-1001,A123456789012,94,2026-12-18,School census autumn 2026\n"
)


def attendance_outcome(store: Store, family_id: str) -> OutcomeProgress:
    readiness = load_family_outcomes(store, family_id, TODAY).readiness
    assert readiness is not None
    school = next(p for p in readiness.problems if p.code == "2")
    return next(o for o in school.outcomes if o.code == "2.1")


def test_a_termly_update_moves_the_outcome_at_the_coordinator_and_the_practitioner(
    coordinator_store: Store, tmp_path: Path
) -> None:
    coordinator = coordinator_store
    zoe = Store.create(
        tmp_path / "zoe",
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name="Zoë Adebayo",
        kdf=KdfParams.fast(),
    )
    sync.enrol(zoe, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(zoe).enrolment)
    checked = programme.preview_identified_csv(
        coordinator, BASELINE.encode(), today=TODAY, framework="families-matter@2015.1"
    )
    (nowak,) = checked.families
    assert [t.indicator for t in nowak.ticks] == ["2A", "4A"]
    programme.import_identified(coordinator, checked)
    family = coordinator.list(Family)[0]
    allocation.allocate(coordinator, [family.id], zoe.info.store_id, on=TODAY)
    sync.export_bundle(coordinator, zoe.info.store_id, tmp_path / "1.fmb")
    sync.import_bundle(zoe, tmp_path / "1.fmb")
    before = attendance_outcome(zoe, family.id)
    assert not before.achieved

    update = identified.preview_update_csv(coordinator, UPDATE.encode())
    assert update.ok, (update.errors, update.unmatched)
    done = identified.apply_update(coordinator, update)
    assert done.measures == 3
    at_coordinator = attendance_outcome(coordinator, family.id)
    assert at_coordinator.achieved
    assert at_coordinator.sustained_on == dt.date(2026, 12, 20)  # the end of Autumn 2026

    sync.export_bundle(coordinator, zoe.info.store_id, tmp_path / "2.fmb")
    got = sync.import_bundle(zoe, tmp_path / "2.fmb")
    assert got.rejected == ()
    later = [m for m in zoe.list(Measure) if m.stage is MeasureStage.LATER]
    assert sorted(m.source for m in later) == [
        "School census autumn 2026",
        "School census spring 2026",
        "School census summer 2026",
    ]
    at_practitioner = attendance_outcome(zoe, family.id)
    assert (at_practitioner.achieved, at_practitioner.sustained_on) == (
        True,
        at_coordinator.sustained_on,
    )
    zoe.close()
