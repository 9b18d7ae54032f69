"""The coordinator's programme on a real encrypted store: CSV import, dashboard, claim batches."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db import programme
from db.outcomes import add_framework_file
from db.store import Store
from fmdesk.claims import BatchStatus, ClaimBatch
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family, Person
from fmdesk.outcomes import Measure, OutcomeClaim
from fmdesk.programme import Stage
from tests.recorded import recorded_on
from tests.unit.test_identified_csv import GOOD, csv_bytes
from tests.unit.test_programme import TODAY, fixture_programme

FRAMEWORKS = Path(__file__).resolve().parents[2] / "fmdesk" / "definitions" / "frameworks"
BAD_ROW = "K-300,,,child,Ola,Reed,2015-13-01,,,,,,,,,,,"


def test_a_file_with_a_bad_row_imports_nothing(coordinator_store: Store) -> None:
    checked = programme.preview_identified_csv(coordinator_store, csv_bytes(*GOOD, BAD_ROW))
    with pytest.raises(UserError, match=r"Nothing was imported: Row 6, column date_of_birth"):
        programme.import_identified(coordinator_store, checked)
    assert coordinator_store.list(Family) == []
    assert coordinator_store.list(Person) == []


def test_valid_only_imports_the_families_without_errors(coordinator_store: Store) -> None:
    checked = programme.preview_identified_csv(
        coordinator_store, csv_bytes(*GOOD, BAD_ROW, bom=True)
    )
    done = programme.import_identified(coordinator_store, checked, valid_only=True)
    assert (done.families, done.people, done.skipped_with_errors) == (2, 4, 1)
    assert sorted(f.reference for f in coordinator_store.list(Family)) == ["K-100", "K-200"]
    assert len(coordinator_store.list(Measure)) == done.measures == 7


def test_importing_the_same_file_again_finds_every_family_held(coordinator_store: Store) -> None:
    data = csv_bytes(*GOOD)
    programme.import_identified(
        coordinator_store, programme.preview_identified_csv(coordinator_store, data)
    )
    again = programme.preview_identified_csv(coordinator_store, data)
    assert again.families == ()
    assert [d.key for d in again.duplicates] == ["K-100", "K-200"]
    done = programme.import_identified(coordinator_store, again)
    assert (done.families, done.skipped_duplicates) == (0, 2)
    assert len(coordinator_store.list(Family)) == 2


RECORDED = dt.date(2025, 11, 15)  # the day the fixture's records were saved (their revisions)


@pytest.fixture
def held(coordinator_store: Store) -> tuple[Store, dict[str, Family]]:
    """The hand-computed programme, saved in November 2025: a claim for the quarter to 31
    December 2025 is judged on the records as they were then."""
    records, refs = fixture_programme()
    with recorded_on(coordinator_store, RECORDED):
        coordinator_store.save(*records)
    return coordinator_store, refs


def test_the_dashboard_from_the_store_gives_the_hand_computed_figures(held) -> None:
    store, _refs = held
    programme.set_targets(store, 2025, {Stage.IDENTIFIED: 10, Stage.CLAIMED: 4})
    programme.set_targets(store, 2025, {Stage.CLAIMED: None, Stage.WORKED_WITH: 6})
    assert programme.get_targets(store) == {2025: {Stage.IDENTIFIED: 10, Stage.WORKED_WITH: 6}}
    board = programme.load_dashboard(store, TODAY)
    year = {f.key: (f.value, f.target) for f in board.section("year").figures}
    assert year == {
        "identified": (5, 10),
        "allocated": (4, None),
        "worked_with": (3, 6),
        "turned_around": (1, None),
        "claimed": (1, None),
    }
    refused = board.figure("consent.refused")
    rows = programme.family_rows(store, refused.families)
    assert [r.reference for r in rows] == ["FM-003"]


def test_a_claimed_family_cannot_be_claimed_again(held) -> None:
    store, refs = held
    view = programme.load_claims(store, TODAY)
    assert [o.family.reference for o in view.ready] == ["FM-001"]
    f1 = refs["FM-001"].id
    batch = programme.create_batch(
        store,
        "2025/26 Q3",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        family_ids=[f1],
        today=TODAY,
    )
    assert batch.revision
    assert batch.family_id == ""
    # A draft claims nothing yet; it holds its family, so no other batch may take it.
    assert not any(c.family_id == f1 for c in store.list(OutcomeClaim))
    assert programme.load_claims(store, TODAY).ready == []
    with pytest.raises(ValidationError, match="FM-001 is already in draft batch 2025/26 Q3"):
        programme.create_batch(
            store,
            "2025/26 Q3 again",
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            family_ids=[f1],
            today=TODAY,
        )
    assert len(store.list(ClaimBatch)) == 1
    sent = programme.submit(store, "2025/26 q3", on=TODAY, approved_by="Head of Service")
    assert sent.status is BatchStatus.SUBMITTED
    claim = next(c for c in store.list(OutcomeClaim) if c.family_id == f1)
    assert (claim.batch, claim.claimed_on) == ("2025/26 Q3", TODAY)
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        programme.withdraw(store, "2025/26 Q3")
    _, rows = programme.batch_schedule(store, "2025/26 Q3", TODAY)
    assert [r.outcome for r in rows] == ["5.2", "6.1"]


def test_withdrawing_a_draft_batch_frees_its_families(held) -> None:
    store, refs = held
    programme.create_batch(
        store,
        "Trial",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        family_ids=[refs["FM-001"].id],
        today=TODAY,
    )
    programme.withdraw(store, "Trial")
    assert [o.family.reference for o in programme.load_claims(store, TODAY).ready] == ["FM-001"]
    assert programme.load_claims(store, TODAY).batches == []


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_target_for_a_year_out_of_range_is_refused_before_anything_is_written(
    coordinator_store: Store, year: int
) -> None:
    programme.set_targets(coordinator_store, 2025, {Stage.CLAIMED: 4})
    with pytest.raises(ValidationError, match="must be from 2000 to 2100"):
        programme.set_targets(coordinator_store, year, {Stage.CLAIMED: 3})
    assert programme.get_targets(coordinator_store) == {2025: {Stage.CLAIMED: 4}}


def test_a_batch_of_every_ready_family_and_of_none(held) -> None:
    store, refs = held
    batch = programme.create_ready_batch(
        store,
        "2025/26 Q3",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        today=TODAY,
    )
    assert batch.family_ids == (refs["FM-001"].id,)
    with pytest.raises(UserError, match="No family is ready to claim as at 2025-12-31, the end"):
        programme.create_ready_batch(
            store,
            "2025/26 Q3b",
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            today=TODAY,
        )
    assert [b.reference for b in store.list(ClaimBatch)] == ["2025/26 Q3"]


def test_identified_families_attach_to_a_council_framework_the_store_holds(
    coordinator_store: Store, tmp_path: Path
) -> None:
    data = json.loads((FRAMEWORKS / "troubled-families-2012.json").read_text(encoding="utf-8"))
    council = tmp_path / "ours.json"
    council.write_text(json.dumps({**data, "id": "ours", "version": "2"}), encoding="utf-8")
    with pytest.raises(UserError, match=r"no outcomes framework ours@2: add its file first"):
        programme.preview_identified_csv(coordinator_store, csv_bytes(*GOOD), framework="ours@2")
    add_framework_file(coordinator_store, council)
    checked = programme.preview_identified_csv(
        coordinator_store, csv_bytes(*GOOD), framework="ours@2"
    )
    programme.import_identified(coordinator_store, checked)
    assert {f.framework for f in coordinator_store.list(Family)} == {"ours@2"}
