"""A family reassigned by the coordinator is withdrawn from its old practitioner, through real
bundles between three stores: nothing the old practitioner wrote is lost, the new one gets it,
and the old one purges the family once the coordinator has acknowledged it."""

import datetime as dt
from pathlib import Path

import pytest

from db import allocation, sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.errors import ValidationError
from fmdesk.families import (
    CaseNote,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    change_status,
)
from fmdesk.records import record_from_dict
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

DAY = dt.date(2025, 6, 2)
MOVED = dt.date(2025, 7, 14)


def practitioner(tmp_path: Path, name: str) -> Store:
    return Store.create(
        tmp_path / name.replace(" ", "-"),
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name=name,
        kdf=KdfParams.fast(),
    )


class Post:
    """Numbered bundle files between the stores."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def write(self, source: Store, target: Store) -> Path:
        self.count += 1
        path = self.folder / f"bundle-{self.count}.fmb"
        sync.export_bundle(source, target.info.store_id, path)
        return path

    def send(self, source: Store, target: Store) -> sync.ImportResult:
        return sync.import_bundle(target, self.write(source, target))


@pytest.fixture
def three(coordinator_store: Store, tmp_path: Path):
    p1 = practitioner(tmp_path, "Zoë Adebayo")
    p2 = practitioner(tmp_path, "Łukasz Brown")
    for store in (p1, p2):
        sync.enrol(store, sync.identity(coordinator_store).enrolment)
        sync.enrol(coordinator_store, sync.identity(store).enrolment)
    family = Family(reference="EH-0412", name="Nowak family", identified_on=DAY)
    coordinator_store.save(
        family,
        Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name="Agnieszka",
            family_name="Nowak",
        ),
    )
    allocation.allocate(coordinator_store, [family.id], p1.info.store_id, on=DAY)
    yield coordinator_store, p1, p2, family.id
    p1.close()
    p2.close()


def dump(store: Store, family_id: str) -> dict[str, dict]:
    """The family's records as the store holds them, decoded, by id, without revisions."""
    return {
        row["record"]["id"]: record_from_dict(row["kind"], row["record"]).replace(revision="")
        for row in store.family_records(family_id, include_deleted=True)
    }


def p1_works_on_the_family(p1: Store, family_id: str) -> list[CaseNote]:
    family = p1.get(Family, family_id)
    assert family is not None
    engaged, move = change_status(family, FamilyStatus.ENGAGED, on=DAY, by="Zoë Adebayo")
    notes = [
        CaseNote(family_id=family_id, on=DAY, text="First visit: Agnieszka agreed to work with us"),
        CaseNote(family_id=family_id, on=MOVED, text="Łucja's school place is sorted"),
    ]
    p1.save(engaged.replace(next_action="Book the TAF meeting"), move, *notes)
    return notes


@pytest.mark.parametrize("withdrawal_first", [False, True], ids=["edits-first", "withdrawal-first"])
def test_a_reassigned_family_leaves_the_old_practitioner_with_nothing_lost(
    three, tmp_path: Path, withdrawal_first: bool
) -> None:
    coordinator, p1, p2, family_id = three
    post = Post(tmp_path)
    post.send(coordinator, p1)
    assert p1.get(Family, family_id).allocated_to == p1.info.store_id
    notes = p1_works_on_the_family(p1, family_id)

    # The coordinator reassigns before P1's edits have arrived.
    allocation.allocate(
        coordinator, [family_id], p2.info.store_id, reason="Zoë is on long-term leave", on=MOVED
    )
    withdrawal = post.write(coordinator, p1)
    if withdrawal_first:
        sync.import_bundle(p1, withdrawal)
        edits = post.write(p1, coordinator)
    else:
        edits = post.write(p1, coordinator)
        sync.import_bundle(p1, withdrawal)

    # P1 now holds the family read-only, says why, and cannot purge it yet.
    held = p1.get(Family, family_id)
    assert held.is_read_only
    assert held.withdrawn_text == (
        "Reassigned to another practitioner by the coordinator on 14 July 2025: "
        "Zoë is on long-term leave"
    )
    with pytest.raises(ValidationError, match="Reassigned to another practitioner"):
        change_status(held, FamilyStatus.ACTIVE, on=MOVED)
    assert sync.purgeable_families(p1) == []
    with pytest.raises(sync.CannotPurge):
        sync.purge_family(p1, family_id)
    # Its own edits are still pending, and the mark itself is not a change to send.
    assert sync.pending_count(p1, coordinator.info.store_id) >= 4

    got = sync.import_bundle(coordinator, edits)
    assert got.rejected == ()
    assert got.conflicts == 0
    merged = coordinator.get(Family, family_id)
    assert merged.status is FamilyStatus.ENGAGED  # P1's change
    assert merged.next_action == "Book the TAF meeting"
    assert merged.allocated_to == p2.info.store_id  # the coordinator's
    assert merged.withdrawn_on is None  # P1's mark never travelled
    assert sorted(n.text for n in coordinator.list(CaseNote)) == sorted(n.text for n in notes)

    # P2 gets the family with everything, editable.
    post.send(coordinator, p2)
    at_p2 = p2.get(Family, family_id)
    assert at_p2.lead_practitioner == "Łukasz Brown"
    assert not at_p2.is_read_only
    assert sorted(n.text for n in p2.list(CaseNote)) == sorted(n.text for n in notes)
    assert dump(p2, family_id) == dump(coordinator, family_id)

    # The coordinator's next bundle acknowledges P1's edits; then P1 may purge.
    post.send(coordinator, p1)
    assert [f.id for f in sync.purgeable_families(p1)] == [family_id]
    # Nothing lost: every record P1 holds is at the coordinator as P1 left it (the family
    # record with the coordinator's reassignment on top, and without P1's local mark).
    at_coordinator = dump(coordinator, family_id)
    for record_id, record in dump(p1, family_id).items():
        if isinstance(record, Family):
            record = record.replace(
                allocated_to=p2.info.store_id,
                lead_practitioner="Łukasz Brown",
                withdrawn_on=None,
                withdrawn_reason="",
            )
        assert at_coordinator[record_id] == record
    removed = sync.purge_family(p1, family_id)
    assert removed >= 6
    assert p1.list(Family) == []
    assert p1.family_records(family_id, include_deleted=True) == []
    assert sync.pending_count(p1, coordinator.info.store_id) == 0

    # Nothing comes back to P1 afterwards, even as P2 and the coordinator carry on.
    p2.save(CaseNote(family_id=family_id, on=MOVED, text="Met Łukasz at home"))
    post.send(p2, coordinator)
    family = coordinator.get(Family, family_id)
    coordinator.save(family.replace(next_action="Review in September"))
    post.send(coordinator, p1)
    assert p1.family_records(family_id, include_deleted=True) == []
    # And the coordinator's records were never touched by the purge.
    assert len(coordinator.list(CaseNote, family_id=family_id)) == 3


def test_a_family_allocated_back_is_editable_again(three, tmp_path: Path) -> None:
    coordinator, p1, p2, family_id = three
    post = Post(tmp_path)
    post.send(coordinator, p1)
    allocation.allocate(coordinator, [family_id], p2.info.store_id, reason="Cover", on=MOVED)
    post.send(coordinator, p1)
    assert p1.get(Family, family_id).is_read_only
    allocation.allocate(coordinator, [family_id], p1.info.store_id, reason="Zoë is back", on=MOVED)
    post.send(coordinator, p1)
    back = p1.get(Family, family_id)
    assert not back.is_read_only
    assert back.withdrawn_text == ""
    assert [a.to_store for a in allocation.allocation_history(p1, family_id)] == [
        p1.info.store_id,
        p2.info.store_id,
        p1.info.store_id,
    ]
    assert sync.purgeable_families(p1) == []
