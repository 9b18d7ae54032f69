"""Sync between two real encrypted stores: export, import, acknowledgements, conflicts, purge."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from db import sync
from db.store import Store
from fmdesk.families import CaseNote, ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.sync.bundle import BundleError, Change, write_bundle


@pytest.fixture
def pair(store: Store, coordinator_store: Store) -> tuple[Store, Store]:
    """A practitioner and a coordinator store, each enrolled with the other."""
    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    return store, coordinator_store


def dump(store: Store) -> list[Any]:
    """Everything in the store's records and sync tables, for before/after comparisons."""
    tables = [
        "records",
        "sync_partners",
        "sync_base",
        "sync_sent",
        "sync_imported",
        "sync_conflicts",
        "sync_quarantine",
    ]
    return [sorted(map(tuple, store.db.execute(f"SELECT * FROM {t}").fetchall())) for t in tables]


def send(source: Store, target: Store, path: Path) -> sync.ImportResult:
    sync.export_bundle(source, target.info.store_id, path)
    return sync.import_bundle(target, path)


def add_family(store: Store) -> Family:
    family = Family(reference="EH-0042", name="Nowak family", postcode="LS1 1AA")
    person = Person(
        family_id=family.id, role=PersonRole.CHILD, given_name="Zoë", family_name="Nowak"
    )
    saved, _ = store.save(family, person)
    return saved


def test_round_trip_practitioner_to_coordinator_and_back(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    result = send(practitioner, coordinator, tmp_path / "1.fmb")
    assert (result.new, result.conflicts, result.rejected) == (2, 0, ())
    assert coordinator.get(Family, family.id) == family

    allocated = coordinator.save(
        coordinator.get(Family, family.id).replace(allocated_to=practitioner.info.store_id)
    )[0]
    back = send(coordinator, practitioner, tmp_path / "2.fmb")
    assert back.updated == 1
    assert practitioner.get(Family, family.id) == allocated
    # The reply acknowledged bundle 1, so the practitioner has nothing left to send.
    assert sync.pending_count(practitioner, coordinator.info.store_id) == 0


def test_importing_the_same_bundle_twice_changes_nothing(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    add_family(practitioner)
    path = tmp_path / "1.fmb"
    first = send(practitioner, coordinator, path)
    before = dump(coordinator)
    again = sync.import_bundle(coordinator, path)
    assert again.duplicate
    assert again.new == first.new
    assert dump(coordinator) == before


def test_unacknowledged_changes_travel_again_so_a_lost_bundle_costs_nothing(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "lost.fmb")
    practitioner.save(practitioner.get(Family, family.id).replace(postcode="LS2 2BB"))
    result = send(practitioner, coordinator, tmp_path / "2.fmb")
    assert result.gap == (1, 1)  # reported, and applied all the same
    assert result.new == 2
    assert coordinator.get(Family, family.id).postcode == "LS2 2BB"


def test_edits_to_different_fields_merge_and_the_same_field_is_a_conflict(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    send(practitioner, coordinator, tmp_path / "1.fmb")
    practitioner.save(family.replace(postcode="LS2 2BB", address="2 Mill Lane"))
    coordinator.save(
        coordinator.get(Family, family.id).replace(
            address="14 Canal Street", next_action="Call school"
        )
    )
    result = send(practitioner, coordinator, tmp_path / "2.fmb")
    assert result.conflicts == 1
    merged = coordinator.get(Family, family.id)
    assert (merged.postcode, merged.next_action) == ("LS2 2BB", "Call school")
    (conflict,) = sync.open_conflicts(coordinator)
    assert conflict["field"] == "address"
    assert {conflict["local"], conflict["incoming"]} == {"2 Mill Lane", "14 Canal Street"}
    assert conflict["base"] == ""


def test_an_edit_against_a_delete_is_kept_as_a_conflict(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    send(practitioner, coordinator, tmp_path / "1.fmb")
    practitioner.delete(family)
    coordinator.save(coordinator.get(Family, family.id).replace(postcode="LS3 3CC"))
    result = send(practitioner, coordinator, tmp_path / "2.fmb")
    assert result.conflicts == 1
    assert coordinator.get(Family, family.id).deleted is False
    assert [c["field"] for c in sync.open_conflicts(coordinator)] == ["deleted"]


def test_notes_from_both_sides_are_all_kept(pair: tuple[Store, Store], tmp_path: Path) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    send(practitioner, coordinator, tmp_path / "1.fmb")
    practitioner.save(CaseNote(family_id=family.id, on=dt.date(2026, 2, 1), text="Visit."))
    coordinator.save(CaseNote(family_id=family.id, on=dt.date(2026, 2, 2), text="Audit."))
    result = send(practitioner, coordinator, tmp_path / "2.fmb")
    assert result.conflicts == 0
    assert sorted(n.text for n in coordinator.list(CaseNote)) == ["Audit.", "Visit."]


def test_an_invalid_record_is_quarantined_reported_back_and_blocks_nothing(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    good = Family(reference="EH-1", name="Ng family", revision="001772446500000-00000-aa")
    bad = Change.from_record(good.replace(id="bad-1", revision="001772446500001-00000-aa"))
    bad = Change(**{**bad.__dict__, "fields": {**bad.fields, "reference": "  "}})
    write_bundle(
        tmp_path / "1.fmb",
        sender=sync.identity(practitioner),
        recipient=sync.identity(coordinator).enrolment,
        changes=[bad, Change.from_record(good)],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    result = sync.import_bundle(coordinator, tmp_path / "1.fmb")
    assert result.new == 1
    (rejection,) = result.rejected
    assert rejection.id == "bad-1"
    assert "case reference" in rejection.reason
    assert coordinator.get(Family, good.id) is not None
    # The coordinator's next bundle tells the practitioner.
    reply = send(coordinator, practitioner, tmp_path / "2.fmb")
    assert [r.id for r in reply.reported_back] == ["bad-1"]


def test_a_damaged_bundle_leaves_the_store_exactly_as_it_was(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    add_family(practitioner)
    path = tmp_path / "1.fmb"
    sync.export_bundle(practitioner, coordinator.info.store_id, path)
    data = path.read_bytes()
    before = dump(coordinator)
    for position in range(0, len(data), max(1, len(data) // 40)):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        path.write_bytes(bytes(flipped))
        with pytest.raises(BundleError):
            sync.import_bundle(coordinator, path)
    assert dump(coordinator) == before


def test_a_closed_family_may_be_purged_only_after_the_coordinator_acknowledges_it(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    practitioner.save(
        family.replace(status=FamilyStatus.CLOSED, closure_reason=ClosureReason.NEEDS_MET)
    )
    assert sync.purgeable_families(practitioner) == []
    with pytest.raises(sync.CannotPurge):
        sync.purge_family(practitioner, family.id)
    send(practitioner, coordinator, tmp_path / "1.fmb")
    assert sync.purgeable_families(practitioner) == []  # sent, but not yet acknowledged
    send(coordinator, practitioner, tmp_path / "2.fmb")
    assert [f.id for f in sync.purgeable_families(practitioner)] == [family.id]
    assert sync.purge_family(practitioner, family.id) == 2
    assert practitioner.get(Family, family.id) is None
    assert coordinator.get(Family, family.id).status is FamilyStatus.CLOSED


def test_stores_that_merged_the_same_edits_settle_without_sending_for_ever(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = add_family(practitioner)
    send(practitioner, coordinator, tmp_path / "1.fmb")
    coordinator.save(  # a coordinator sends a practitioner only the families allocated to it
        coordinator.get(Family, family.id).replace(allocated_to=practitioner.info.store_id)
    )
    send(coordinator, practitioner, tmp_path / "2.fmb")
    practitioner.save(practitioner.get(Family, family.id).replace(postcode="LS2 2BB"))
    coordinator.save(coordinator.get(Family, family.id).replace(next_action="Call school"))
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "3.fmb")
    sync.export_bundle(coordinator, practitioner.info.store_id, tmp_path / "4.fmb")
    sync.import_bundle(coordinator, tmp_path / "3.fmb")  # bundles cross in the post
    sync.import_bundle(practitioner, tmp_path / "4.fmb")
    for number in range(5, 9):
        send(practitioner, coordinator, tmp_path / f"{number}a.fmb")
        send(coordinator, practitioner, tmp_path / f"{number}b.fmb")
    p_family, c_family = practitioner.get(Family, family.id), coordinator.get(Family, family.id)
    assert p_family == c_family
    assert (p_family.postcode, p_family.next_action) == ("LS2 2BB", "Call school")
    assert sync.pending_count(practitioner, coordinator.info.store_id) == 0
    assert sync.pending_count(coordinator, practitioner.info.store_id) == 0


def test_a_record_with_a_malformed_revision_is_quarantined_not_fatal(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    good = Family(reference="EH-2", name="Öztürk family", revision="001772446500000-00000-aa")
    bad = Family(reference="EH-3", name="Kowalski family", revision="yesterday")
    write_bundle(
        tmp_path / "1.fmb",
        sender=sync.identity(practitioner),
        recipient=sync.identity(coordinator).enrolment,
        changes=[Change.from_record(bad), Change.from_record(good)],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    result = sync.import_bundle(coordinator, tmp_path / "1.fmb")
    assert result.new == 1
    assert [r.id for r in result.rejected] == [bad.id]
    assert "is not a revision" in result.rejected[0].reason
    assert coordinator.get(Family, bad.id) is None
