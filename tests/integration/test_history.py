"""The store's history on real encrypted stores: every version written is kept beside today's
records, in the same transaction, with who wrote it and when; versions a bundle brings are the
partner's; an upgraded store starts its history with the records it holds; and the records as
at a day are the versions current at the end of that day."""

import datetime as dt
from pathlib import Path

import pytest

from db import history, sync
from db.store import Store
from fmdesk.families import CaseNote, ClosureReason, Family, FamilyStatus, Person, PersonRole
from tests.conftest import COORDINATOR_NAME, PRACTITIONER_NAME
from tests.integration.test_migrations import PASSPHRASE, make_previous_schema_store
from tests.recorded import recorded_on

D = dt.date.fromisoformat


def test_every_save_and_delete_adds_the_version_written_with_who_and_when(store: Store) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=1)  # kept to the millisecond
    family = store.save(Family(reference="EH-0001", name="Nowak family", postcode="LS1 1AA"))[0]
    moved = store.save(family.replace(postcode="LS2 2BB"))[0]
    store.delete(moved)
    versions = history.history(store, family.id)
    assert [(v.body["postcode"], v.deleted) for v in versions] == [
        ("LS1 1AA", False),
        ("LS2 2BB", False),
        ("LS2 2BB", True),
    ]
    assert [v.revision for v in versions][:2] == [family.revision, moved.revision]
    assert {(v.written_by, v.written_by_store, v.held) for v in versions} == {
        (PRACTITIONER_NAME, store.info.store_id, True)
    }
    assert all(before <= v.written_at <= dt.datetime.now(dt.UTC) for v in versions)
    assert all(v.written_at.tzinfo is not None for v in versions)


def test_a_write_that_rolls_back_leaves_no_history(store: Store) -> None:
    family = store.save(Family(reference="EH-0002", name="Khan family"))[0]

    def job() -> None:
        with store.transaction():
            store.save(family.replace(name="Khan-Ali family"))
            raise RuntimeError("the job failed after saving")

    with pytest.raises(RuntimeError):
        job()
    assert [v.body["name"] for v in history.history(store, family.id)] == ["Khan family"]
    assert store.get(Family, family.id).name == "Khan family"


def test_records_as_at_a_day_are_the_versions_current_at_its_end(store: Store) -> None:
    with recorded_on(store, D("2025-03-01")):
        family = store.save(Family(reference="EH-0003", name="Reed family"))[0]
        kept = store.save(CaseNote(family_id=family.id, on=D("2025-03-01"), text="First visit"))[0]
    with recorded_on(store, D("2025-03-10")):
        store.save(kept.replace(text="First visit: both parents there"))
        later = store.save(CaseNote(family_id=family.id, on=D("2025-03-10"), text="School call"))
        store.save(family.replace(name="Reed-Okafor family"))
    with recorded_on(store, D("2025-03-20")):
        store.delete(*later)

    def notes(day: str) -> list[str]:
        found = history.records_as_at(store, D(day), [CaseNote], family_ids=[family.id])
        return sorted(n.text for n in found if isinstance(n, CaseNote))

    assert history.records_as_at(store, D("2025-02-28"), [Family]) == []  # not yet registered
    assert notes("2025-03-09") == ["First visit"]  # as it was, before the edit
    assert notes("2025-03-10") == ["First visit: both parents there", "School call"]
    assert notes("2025-03-19") == ["First visit: both parents there", "School call"]
    assert notes("2025-03-20") == ["First visit: both parents there"]  # deleted that day
    (then,) = history.records_as_at(store, D("2025-03-09"), [Family])
    assert isinstance(then, Family)
    assert then.name == "Reed family"


def test_what_a_bundle_brings_is_the_partners_and_a_merged_version_is_seen(
    store: Store, coordinator_store: Store, tmp_path: Path
) -> None:
    practitioner, coordinator = store, coordinator_store
    sync.enrol(practitioner, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    family = practitioner.save(Family(reference="EH-0042", name="Nowak family"))[0]
    child = practitioner.save(
        Person(family_id=family.id, role=PersonRole.CHILD, given_name="Zoë", family_name="Nowak")
    )[0]
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "1.fmb")
    first = sync.import_bundle(coordinator, tmp_path / "1.fmb")
    (arrived,) = history.history(coordinator, child.id)
    assert (arrived.revision, arrived.held, arrived.written_by, arrived.written_by_store) == (
        child.revision,
        True,
        PRACTITIONER_NAME,
        practitioner.info.store_id,
    )
    assert arrived.bundle_id == first.bundle_id

    # Both sides change the family: the coordinator keeps a merged version of its own, and the
    # practitioner's version it merged is in its history too, as seen (never current).
    theirs = practitioner.save(family.replace(postcode="LS2 2BB"))[0]
    coordinator.save(coordinator.get(Family, family.id).replace(next_action="Call school"))
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "2.fmb")
    sync.import_bundle(coordinator, tmp_path / "2.fmb")
    versions = history.history(coordinator, family.id)
    seen = [v for v in versions if v.revision == theirs.revision]
    assert [(v.held, v.written_by, v.body["postcode"]) for v in seen] == [
        (False, PRACTITIONER_NAME, "LS2 2BB")
    ]
    merged = versions[-1]
    assert (merged.held, merged.body["postcode"], merged.body["next_action"]) == (
        True,
        "LS2 2BB",
        "Call school",
    )
    assert merged.revision == coordinator.get(Family, family.id).revision
    # The coordinator's own edit is the coordinator's; the merge is the bundle's doing.
    (own,) = [v for v in versions if v.body["next_action"] and v.body["postcode"] != "LS2 2BB"]
    assert (own.written_by, own.written_by_store, own.bundle_id) == (
        COORDINATOR_NAME,
        coordinator.info.store_id,
        None,
    )
    assert merged.written_by == PRACTITIONER_NAME


def test_a_purged_family_leaves_no_history_behind(
    store: Store, coordinator_store: Store, tmp_path: Path
) -> None:
    practitioner, coordinator = store, coordinator_store
    sync.enrol(practitioner, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    family = practitioner.save(Family(reference="EH-0050", name="Okafor family"))[0]
    practitioner.save(
        family.replace(status=FamilyStatus.CLOSED, closure_reason=ClosureReason.NEEDS_MET)
    )
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "1.fmb")
    sync.import_bundle(coordinator, tmp_path / "1.fmb")
    sync.export_bundle(coordinator, practitioner.info.store_id, tmp_path / "2.fmb")
    sync.import_bundle(practitioner, tmp_path / "2.fmb")
    assert len(history.family_history(practitioner, family.id)) == 2
    sync.purge_family(practitioner, family.id)
    assert history.family_history(practitioner, family.id) == []
    assert len(history.family_history(coordinator, family.id)) == 1  # the coordinator keeps it


def test_an_upgraded_store_starts_its_history_with_the_records_it_holds(tmp_path: Path) -> None:
    family, child = make_previous_schema_store(tmp_path / "store")
    with Store.open(tmp_path / "store", PASSPHRASE) as store:
        versions = history.history(store, child.id)
        assert [(v.id, v.held, v.written_by) for v in versions] == [
            (child.id, True, "Siobhán Kelly")  # this device's revision: its owner's
        ]
        assert versions[0].body["given_name"] == "Zoë"
        assert history.began(store) == dt.date.today()
        assert len(history.family_history(store, family.id)) == 2
        # And from now on every write adds to it.
        store.save(store.get(Person, child.id).replace(given_name="Zoe"))
        assert [v.body["given_name"] for v in history.history(store, child.id)] == ["Zoë", "Zoe"]


def test_a_malformed_revision_held_from_before_the_strict_check_does_not_stop_the_timeline(
    store: Store,
) -> None:
    """Before revisions were checked strictly on import, a bundle could bring `9-0-zz`: a store
    holding one still shows the family's chronology, the version dated when this store wrote it."""
    family = Family(reference="FM-1", name="Nowak family")
    store.save(family)
    note = CaseNote(family_id=family.id, on=dt.date(2026, 3, 2), text="Visit", revision="9-0-zz")
    with store.transaction():
        store.write_rows([note])  # as an old import wrote it: exactly as given
    (version,) = history.history(store, note.id)
    assert version.made_at == version.written_at
    events = history.family_chronology(store, family.id)
    assert any(event.record_id == note.id for event in events)
