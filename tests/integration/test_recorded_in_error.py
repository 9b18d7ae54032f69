""" "Recorded in error" on a real store: a consent, a person, a note, a Star reading and outcome
evidence entered by mistake are marked with why, who and when; each stays in the family's
record and its history and drops out of every figure and claim; the mark travels in a bundle
to the coordinator, whose figures leave the record out too."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from db import programme, sync
from db.families import export_family, load_caseload, load_family
from db.history import family_chronology, history, record_in_error, records_as_at
from db.outcomes import load_family_outcomes
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import (
    CaseNote,
    ClosureReason,
    Consent,
    ConsentKind,
    ContactType,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    has_consent,
)
from fmdesk.family_file import parse_family_file
from fmdesk.outcomes import EvidenceBasis, FrameworkLibrary, OutcomeEvidence, attach_framework
from fmdesk.plans import (
    ActionOwner,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    current_plan,
    first_plan,
)
from fmdesk.records import mark_in_error
from fmdesk.stars import AreaScore, ReadingStatus, StarReading, builtin_instruments
from tests.conftest import PRACTITIONER_NAME
from ui.actions.documents import build_plan_pdf

TODAY = dt.date.today()
STAR = next(i for i in builtin_instruments() if i.id == "family-progress-star")


def _family(store: Store) -> dict[str, object]:
    framework = FrameworkLibrary.shipped().latest("families-matter")
    family = attach_framework(Family(reference="FM-0042", name="Nowak family"), framework)
    mum = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Ewa", family_name="Nowak"
    )
    child = Person(
        family_id=family.id, role=PersonRole.CHILD, given_name="Zoë", family_name="Nowak"
    )
    consent = Consent(
        family_id=family.id, kind=ConsentKind.ASSESS, person_id=mum.id, given_on=TODAY
    )
    note = CaseNote(
        family_id=family.id,
        on=TODAY - dt.timedelta(days=3),
        contact=ContactType.HOME_VISIT,
        text="Visit, meant for another family",
    )
    reading = StarReading(
        family_id=family.id,
        instrument=STAR.ref,
        taken_on=TODAY - dt.timedelta(days=2),
        scores=(AreaScore(area=STAR.areas[0].id, score=6),),
        status=ReadingStatus.COMPLETED,
    )
    outcome = framework.problems[0].outcomes[0]
    evidence = OutcomeEvidence(
        family_id=family.id,
        outcome=outcome.code,
        holds_from=TODAY - dt.timedelta(days=1),
        basis=EvidenceBasis.EVIDENCE,
        source="School attendance report",
        description="Attendance above 90%",
    )
    store.save(family, mum, child, consent, note, reading, evidence)
    return {
        "family": family,
        "child": child,
        "consent": consent,
        "note": note,
        "reading": reading,
        "evidence": evidence,
    }


def test_each_kind_marked_in_error_stays_in_the_record_and_leaves_the_figures(
    store: Store,
) -> None:
    made = _family(store)
    family = made["family"]
    assert isinstance(family, Family)
    before = load_family(store, family.id)
    assert has_consent(before.consents, ConsentKind.ASSESS, TODAY)
    assert next(r for r in load_caseload(store, claim_status=False)).children == 1
    assert len(load_family_outcomes(store, family.id).data.evidence) == 1
    assert len(programme.load_programme(store, TODAY).readings) == 1

    for name in ("consent", "child", "note", "reading", "evidence"):
        record = made[name]
        record_in_error(store, record.id, f"{name} entered on the wrong family")  # type: ignore[attr-defined]

    after = load_family(store, family.id)
    # Still in the family's record, each with its mark: why, who and when.
    child = next(p for p in after.people if p.given_name == "Zoë")
    assert child.recorded_in_error is not None
    assert child.recorded_in_error.reason == "child entered on the wrong family"
    assert child.recorded_in_error.by == PRACTITIONER_NAME
    assert after.consents[0].in_error
    assert after.notes[0].in_error
    # ...and out of every figure: consent in force, the caseload's children and last contact,
    # the family's outcome evidence, the programme's Star readings.
    assert not has_consent(after.consents, ConsentKind.ASSESS, TODAY)
    row = next(r for r in load_caseload(store, claim_status=False))
    assert (row.children, row.last_contact) == (0, None)
    assert load_family_outcomes(store, family.id).data.evidence == ()
    assert load_family_outcomes(store, family.id).data.people[0].given_name == "Ewa"
    assert programme.load_programme(store, TODAY).readings == []
    assert programme.load_outcomes(store, TODAY)[family.id].data.evidence == ()

    # The history keeps the version before and the marking, with who wrote each.
    versions = history(store, child.id)
    assert [v.record().in_error for v in versions] == [False, True]
    assert versions[-1].written_by == PRACTITIONER_NAME


def test_marking_needs_a_reason_and_happens_once(store: Store) -> None:
    made = _family(store)
    child = made["child"]
    assert isinstance(child, Person)
    with pytest.raises(UserError, match="Say why the person was recorded in error"):
        record_in_error(store, child.id, "   ")
    assert len(history(store, child.id)) == 1  # nothing written
    record_in_error(store, child.id, "A duplicate of Zofia")
    with pytest.raises(UserError, match="already marked as recorded in error by"):
        record_in_error(store, child.id, "Again")
    with pytest.raises(UserError, match="Only a consent, person"):
        record_in_error(store, made["family"].id, "Whole family")  # type: ignore[attr-defined]
    with pytest.raises(UserError, match="no such record"):
        record_in_error(store, "no-such-id", "Gone")


def test_a_closed_case_is_not_marked(store: Store) -> None:
    made = _family(store)
    family = store.get(Family, made["family"].id)  # type: ignore[attr-defined]
    assert family is not None
    store.save(family.replace(status=FamilyStatus.CLOSED, closure_reason=ClosureReason.MOVED_AWAY))
    with pytest.raises(UserError, match="This case is closed"):
        record_in_error(store, made["note"].id, "Wrong family")  # type: ignore[attr-defined]


def test_the_mark_travels_to_the_coordinator_and_leaves_its_figures(
    store: Store, coordinator_store: Store, tmp_path: Path
) -> None:
    practitioner, coordinator = store, coordinator_store
    sync.enrol(practitioner, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    made = _family(practitioner)
    family, evidence = made["family"], made["evidence"]
    assert isinstance(family, Family)
    assert isinstance(evidence, OutcomeEvidence)
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "1.fmb")
    sync.import_bundle(coordinator, tmp_path / "1.fmb")
    assert len(programme.load_outcomes(coordinator, TODAY)[family.id].data.evidence) == 1
    assert len(programme.load_programme(coordinator, TODAY).readings) == 1

    record_in_error(practitioner, evidence.id, "Evidence of another family")
    record_in_error(practitioner, made["reading"].id, "Taken with the wrong family")  # type: ignore[attr-defined]
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "2.fmb")
    result = sync.import_bundle(coordinator, tmp_path / "2.fmb")
    assert (result.updated, result.conflicts, result.rejected) == (2, 0, ())

    held = coordinator.get(OutcomeEvidence, evidence.id)
    assert held is not None
    assert held.recorded_in_error is not None
    assert held.recorded_in_error.reason == "Evidence of another family"
    assert held.recorded_in_error.by == PRACTITIONER_NAME
    assert programme.load_outcomes(coordinator, TODAY)[family.id].data.evidence == ()
    assert programme.load_programme(coordinator, TODAY).readings == []
    # The coordinator's history says who marked it, brought by which bundle.
    last = history(coordinator, evidence.id)[-1]
    assert last.record().in_error
    assert last.bundle_id is not None


def _revision(day: dt.date) -> str:
    """A revision made at noon on `day` on some laptop (the clock's 15-digit form)."""
    noon = dt.datetime.combine(day, dt.time(12)).astimezone()
    return f"{int(noon.timestamp() * 1000):015d}-00000-ab12cd34"


def test_as_at_a_day_before_the_mark_the_record_counted_and_after_it_does_not(
    store: Store,
) -> None:
    made = _family(store)
    family, evidence = made["family"], made["evidence"]
    assert isinstance(family, Family)
    assert isinstance(evidence, OutcomeEvidence)
    # Both versions arrive as a bundle writes them, made on the laptop ten and five days ago.
    held = evidence.replace(revision=_revision(TODAY - dt.timedelta(days=10)))
    marked = mark_in_error(
        held, "Another family's letter", by="Pat Keyworker", at=dt.datetime.now(dt.UTC)
    ).replace(revision=_revision(TODAY - dt.timedelta(days=5)))
    with store.transaction():
        store.write_rows([held])
        store.write_rows([marked])

    def evidence_as_at(day: dt.date) -> list[OutcomeEvidence]:
        return [
            r
            for r in records_as_at(store, day, [OutcomeEvidence], family_ids=[family.id])
            if isinstance(r, OutcomeEvidence)
        ]

    assert [e.id for e in evidence_as_at(TODAY - dt.timedelta(days=7))] == [evidence.id]
    assert evidence_as_at(TODAY - dt.timedelta(days=3)) == []
    shown = records_as_at(store, TODAY - dt.timedelta(days=3), [OutcomeEvidence], in_error=True)
    assert [r.in_error for r in shown] == [True]  # the history still has it, marked


def test_a_plan_action_recorded_in_error_stays_in_the_plan_and_leaves_what_counts(
    store: Store,
) -> None:
    made = _family(store)
    family = made["family"]
    assert isinstance(family, Family)
    walk = PlanAction(
        what="Walk to school together",
        owner=ActionOwner.agency_worker("Early Help", "Pat Keyworker"),
        by_when=TODAY + dt.timedelta(days=14),
    )
    wrong = PlanAction(
        what="Speech therapy referral for the Khan twins",
        owner=ActionOwner.agency_worker("Health visiting", "Sam Okafor"),
        by_when=TODAY + dt.timedelta(days=7),
    )
    goal = PlanGoal(words="Zoë gets to school on time", problems=("2",), actions=(walk, wrong))
    store.save(first_plan(family.id, made_on=TODAY, goals=[goal]))

    saved = record_in_error(store, wrong.id, "Meant for another family's plan", family_id=family.id)
    assert isinstance(saved, FamilyPlan)
    plan = current_plan(store.list(FamilyPlan, family_id=family.id))
    assert plan is not None
    # Still in its goal, marked; out of what every rule and figure counts.
    kept = plan.goals[0].actions[1]
    assert kept.what == wrong.what
    assert kept.recorded_in_error is not None
    assert kept.recorded_in_error.reason == "Meant for another family's plan"
    assert [a.id for a in plan.actions] == [walk.id]
    # The printed plan leaves it out; the chronology has it agreed, then corrected.
    pdf = build_plan_pdf(store, family.id)
    printed = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Walk to school together" in printed
    assert "Speech therapy referral" not in printed
    events = [e for e in family_chronology(store, family.id) if e.record_id == wrong.id]
    assert [e.what for e in events] == [
        "Recorded in error: plan action",
        "Action agreed",
    ]
    assert all(e.in_error for e in events)
    with pytest.raises(UserError, match="already marked as recorded in error"):
        record_in_error(store, wrong.id, "Again")


def test_a_family_file_keeps_the_mark(store: Store) -> None:
    """A subject access export shows what was recorded in error, and reads back with it."""
    made = _family(store)
    family, child = made["family"], made["child"]
    assert isinstance(family, Family)
    assert isinstance(child, Person)
    record_in_error(store, child.id, "A duplicate of Zofia")
    data = json.loads(json.dumps(export_family(store, family), ensure_ascii=False))
    _, records = parse_family_file(data)
    back = next(r for r in records if r.id == child.id)
    assert back.recorded_in_error is not None
    assert back.recorded_in_error.reason == "A duplicate of Zofia"


def test_a_person_recorded_in_error_gets_no_line_on_the_printed_plan(store: Store) -> None:
    made = _family(store)
    family, child = made["family"], made["child"]
    assert isinstance(family, Family)
    assert isinstance(child, Person)
    action = PlanAction(
        what="Breakfast club place",
        owner=ActionOwner.agency_worker("School", "Sam Okafor"),
        by_when=TODAY + dt.timedelta(days=7),
    )
    goal = PlanGoal(words="Mornings go calmly", problems=("2",), actions=(action,))
    store.save(first_plan(family.id, made_on=TODAY, goals=[goal]))

    def printed() -> str:
        pdf = build_plan_pdf(store, family.id)
        return " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
        )

    assert "Zoë" in printed()
    record_in_error(store, child.id, "Entered on the wrong family")
    words = printed()
    assert "Zoë" not in words
    assert "Ewa" in words
