"""Allocation travels to the practitioner through real bundles; a folder of bundles comes back."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from db import allocation, programme, sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import CaseNote, Family, FamilyStatus, Person, StatusChange
from fmdesk.outcomes import Measure
from fmdesk.programme import Allocation
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.unit.test_identified_csv import GOOD, csv_bytes

DAY = dt.date(2025, 6, 2)


def practitioner(tmp_path: Path, name: str) -> Store:
    return Store.create(
        tmp_path / name.replace(" ", "-"),
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name=name,
        kdf=KdfParams.fast(),
    )


@pytest.fixture
def programme_stores(coordinator_store: Store, tmp_path: Path):
    """The coordinator with two enrolled practitioners and the CSV's two families."""
    stores = [practitioner(tmp_path, "Zoë Adebayo"), practitioner(tmp_path, "Łukasz Brown")]
    for store in stores:
        sync.enrol(store, sync.identity(coordinator_store).enrolment)
        sync.enrol(coordinator_store, sync.identity(store).enrolment)
    checked = programme.preview_identified_csv(coordinator_store, csv_bytes(*GOOD), today=DAY)
    programme.import_identified(coordinator_store, checked)
    yield coordinator_store, stores
    for store in stores:
        store.close()


def family(store: Store, reference: str) -> Family:
    return next(f for f in store.list(Family) if f.reference == reference)


def send(source: Store, target: Store, path: Path) -> sync.ImportResult:
    sync.export_bundle(source, target.info.store_id, path)
    return sync.import_bundle(target, path)


def test_an_allocation_travels_in_the_next_bundle_to_that_practitioner(
    programme_stores, tmp_path: Path
) -> None:
    coordinator, (zoe, lukasz) = programme_stores
    nowak = family(coordinator, "K-100")
    result = allocation.allocate(coordinator, [nowak.id], zoe.info.store_id, on=DAY)
    assert result.warning == ""
    allocated = family(coordinator, "K-100")
    assert (allocated.allocated_to, allocated.lead_practitioner, allocated.status) == (
        zoe.info.store_id,
        "Zoë Adebayo",
        FamilyStatus.ALLOCATED,
    )

    got = send(coordinator, zoe, tmp_path / "to-zoe-1.fmb")
    assert got.rejected == ()
    held = family(zoe, "K-100")
    assert held.allocated_to == zoe.info.store_id
    assert held.status is FamilyStatus.ALLOCATED
    assert sorted(p.given_name for p in zoe.list(Person)) == ["Zoë", "Łukasz"]
    assert len(zoe.list(Measure)) == 6  # the baseline measures came too
    (note,) = zoe.list(Allocation)
    assert (note.to_name, note.on) == ("Zoë Adebayo", DAY)
    assert [c.to_status for c in zoe.list(StatusChange)] == [FamilyStatus.ALLOCATED]
    # Only the family allocated to her: K-200 stays with the coordinator.
    assert [f.reference for f in zoe.list(Family)] == ["K-100"]
    # Łukasz has nothing allocated, so his bundle carries no family.
    sync.export_bundle(coordinator, lukasz.info.store_id, tmp_path / "to-lukasz-1.fmb")
    sync.import_bundle(lukasz, tmp_path / "to-lukasz-1.fmb")
    assert lukasz.list(Family) == []


def test_reassigning_needs_a_reason_and_goes_to_the_new_practitioner(
    programme_stores, tmp_path: Path
) -> None:
    coordinator, (zoe, lukasz) = programme_stores
    nowak = family(coordinator, "K-100")
    allocation.allocate(coordinator, [nowak.id], zoe.info.store_id, on=DAY)
    with pytest.raises(UserError, match="K-100 is with Zoë Adebayo: say why it is moving"):
        allocation.allocate(coordinator, [nowak.id], lukasz.info.store_id, on=DAY)
    allocation.allocate(
        coordinator, [nowak.id], lukasz.info.store_id, reason="Zoë is on leave", on=DAY
    )
    send(coordinator, lukasz, tmp_path / "to-lukasz-1.fmb")
    assert family(lukasz, "K-100").lead_practitioner == "Łukasz Brown"
    history = allocation.allocation_history(lukasz, nowak.id)
    assert [(a.to_name, a.from_name, a.reason) for a in history] == [
        ("Zoë Adebayo", "", ""),
        ("Łukasz Brown", "Zoë Adebayo", "Zoë is on leave"),
    ]
    # The status moved once, on the first allocation.
    assert len(lukasz.list(StatusChange)) == 1


def test_caseload_sizes_warn_past_the_limit(programme_stores) -> None:
    coordinator, (zoe, _lukasz) = programme_stores
    allocation.set_caseload_limit(coordinator, 1)
    ids = [f.id for f in coordinator.list(Family)]
    result = allocation.allocate(coordinator, ids, zoe.info.store_id, on=DAY)
    assert result.warning == "Zoë Adebayo holds 2 families, over the limit of 1."
    loads = {p.name: p for p in allocation.practitioners(coordinator)}
    assert (loads["Zoë Adebayo"].held, loads["Zoë Adebayo"].over_limit) == (2, True)
    assert (loads["Łukasz Brown"].held, loads["Łukasz Brown"].over_limit) == (0, False)
    with pytest.raises(UserError, match="at least 1"):
        allocation.set_caseload_limit(coordinator, 0)


def test_a_folder_of_bundles_is_summed_up_per_practitioner(
    programme_stores, tmp_path: Path
) -> None:
    coordinator, (zoe, lukasz) = programme_stores
    nowak = family(coordinator, "K-100")
    allocation.allocate(coordinator, [nowak.id], zoe.info.store_id, on=DAY)
    send(coordinator, zoe, tmp_path / "out.fmb")
    # Zoë records two visits and sends two bundles; Łukasz registers a family of his own.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    zoe.save(CaseNote(family_id=nowak.id, on=DAY, text="First visit", minutes=60))
    sync.export_bundle(zoe, coordinator.info.store_id, inbox / "zoe-1.fmb")
    zoe.save(CaseNote(family_id=nowak.id, on=DAY, text="Second visit", minutes=45))
    sync.export_bundle(zoe, coordinator.info.store_id, inbox / "zoe-2.fmb")
    own = Family(reference="EH-9", name="Kowalski family")
    lukasz.save(own)
    sync.export_bundle(lukasz, coordinator.info.store_id, inbox / "lukasz-1.fmb")
    # A stranger's store, never enrolled here, sends one too.
    stranger = practitioner(tmp_path, "Siobhán Walsh")
    sync.enrol(stranger, sync.identity(coordinator).enrolment)
    stranger.save(Family(reference="X-1", name="Unknown family"))
    sync.export_bundle(stranger, coordinator.info.store_id, inbox / "stranger.fmb")
    stranger.close()
    shutil.copy(inbox / "zoe-1.fmb", inbox / "zoe-1-copy.fmb")

    summary = allocation.intake_folder(coordinator, inbox)
    by_name = {s.name: s for s in summary.senders}
    assert (by_name["Zoë Adebayo"].bundles, by_name["Zoë Adebayo"].duplicates) == (2, 1)
    assert by_name["Zoë Adebayo"].new == 2  # the two notes
    assert (by_name["Łukasz Brown"].bundles, by_name["Łukasz Brown"].new) == (1, 1)
    ((name, why),) = summary.refused
    assert name == "stranger.fmb"
    assert "Siobhán Walsh" in why
    assert "not enrolled" in why
    assert len(coordinator.list(CaseNote)) == 2
    assert "X-1" not in {f.reference for f in coordinator.list(Family)}
    lines = summary.lines()
    assert lines[0] == f"5 bundles in {inbox}"
    assert any(line.startswith("Refused stranger.fmb: ") for line in lines)
    # Łukasz's own family counts in his caseload, though the coordinator never allocated it.
    loads = {p.name: p for p in allocation.practitioners(coordinator)}
    assert loads["Łukasz Brown"].family_ids == ()  # identified, not yet allocated or engaged
    assert allocation.family_holders(coordinator)[own.id] == lukasz.info.store_id


def test_an_empty_folder_says_so(coordinator_store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no sync bundles"):
        allocation.intake_folder(coordinator_store, tmp_path)
