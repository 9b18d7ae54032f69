"""One family, one identity on every laptop: families registered on three practitioners' laptops
reach the coordinator with distinct references; references an older fmdesk numbered on each
laptop alike are found, shown and put right, never merged or resolved by picking one."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db import allocation, sync
from db.families import (
    AmbiguousReference,
    add_demo_families,
    add_family,
    export_family,
    find_family,
    import_family,
    next_family_reference,
    reference_code,
    rename_reference,
    set_practitioner_code,
    set_reference_code,
    shared_codes,
    shared_references,
    store_codes,
)
from db.keyslots import KdfParams
from db.store import Store
from fmdesk import references
from fmdesk.errors import UserError
from fmdesk.families import CaseNote, Family, Person, PersonRole
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

NAMES = ("Zoë Adebayo", "Łukasz Brown", "Amara Okafor")


def practitioner(tmp_path: Path, name: str) -> Store:
    return Store.create(
        tmp_path / name.split()[0],
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name=name,
        kdf=KdfParams.fast(),
    )


@pytest.fixture
def programme(coordinator_store: Store, tmp_path: Path):
    """The coordinator with three enrolled practitioners, each on a laptop of their own."""
    laptops = [practitioner(tmp_path, name) for name in NAMES]
    for laptop in laptops:
        sync.enrol(laptop, sync.identity(coordinator_store).enrolment)
        sync.enrol(coordinator_store, sync.identity(laptop).enrolment)
    yield coordinator_store, laptops
    for laptop in laptops:
        laptop.close()


def send_all(laptops: list[Store], coordinator: Store, folder: Path) -> allocation.IntakeSummary:
    folder.mkdir(exist_ok=True)
    for n, laptop in enumerate(laptops):
        sync.export_bundle(laptop, coordinator.info.store_id, folder / f"laptop-{n}.fmb")
    return allocation.intake_folder(coordinator, folder)


def test_families_registered_on_three_laptops_arrive_with_distinct_references(
    programme, tmp_path: Path
) -> None:
    coordinator, laptops = programme
    # Each practitioner registers families the way the app and `families add` do, offline,
    # and fills in a demo caseload: before, each laptop numbered FM-YYYY-0001 on from its own.
    for laptop in laptops:
        for surname in ("Nowak", "Khan", "Brown"):
            add_family(laptop, name=f"{surname} family", identified_on=dt.date(2026, 3, 2))
        add_demo_families(laptop, 4, seed=3, outcomes=False)  # the same seed on every laptop

    summary = send_all(laptops, coordinator, tmp_path / "inbox")
    held = coordinator.list(Family)
    assert len(held) == 3 * 7
    keys = {references.reference_key(f.reference) for f in held}
    assert len(keys) == len(held)  # no reference twice
    assert shared_references(coordinator) == []
    assert summary.shared_references == 0
    assert not any("more than one family" in line for line in summary.lines())
    # Every family carries the code of the laptop that registered it; the coordinator worked
    # out each practitioner's code from their enrolment, before any family arrived.
    codes = {c.name: c.code for c in store_codes(coordinator)}
    for laptop in laptops:
        code = reference_code(laptop)
        assert codes[laptop.info.owner_name] == code
        mine = [f for f in held if f.lead_practitioner == laptop.info.owner_name]
        assert len(mine) == 7
        assert all(references.parse_reference(f.reference).code == code for f in mine)  # type: ignore[union-attr]
    assert shared_codes(coordinator) == []
    # Each reference names one family at the coordinator.
    for family in held:
        assert find_family(coordinator, family.reference.lower()).id == family.id


def legacy_families(laptops: list[Store]) -> list[Family]:
    """What fmdesk made before: each laptop numbered its own caseload from 1."""
    made = []
    for laptop, surname in zip(laptops, ("Nowak", "Khan", "Brown"), strict=True):
        family = Family(
            reference="FM-2025-0001",
            name=f"{surname} family",
            lead_practitioner=laptop.info.owner_name,
        )
        child = Person(
            family_id=family.id, role=PersonRole.CHILD, given_name="Ada", family_name=surname
        )
        laptop.save(family, child)
        made.append(family)
    laptops[0].save(Family(reference="FM-2025-0002", name="Adams family"))
    laptops[1].save(Family(reference="fm-2025-0002", name="Okoro family"))
    return made


def test_references_numbered_alike_on_old_laptops_are_shown_never_merged(
    programme, tmp_path: Path
) -> None:
    coordinator, laptops = programme
    nowak, khan, brown = legacy_families(laptops)
    summary = send_all(laptops, coordinator, tmp_path / "inbox")
    # All five families are kept, each under its own id.
    assert len(coordinator.list(Family)) == 5
    assert summary.shared_references == 2
    assert "2 references are held by more than one family; nothing was merged" in "\n".join(
        summary.lines()
    )
    first, second = shared_references(coordinator)
    assert first.reference.upper() == "FM-2025-0001"
    assert [(f.id, f.name, f.practitioner) for f in first.families] == [
        (brown.id, "Brown family", "Amara Okafor"),
        (khan.id, "Khan family", "Łukasz Brown"),
        (nowak.id, "Nowak family", "Zoë Adebayo"),
    ]
    assert first.families[0].members == ("Ada Brown",)
    assert {f.name for f in second.families} == {"Adams family", "Okoro family"}  # case aside

    # Nothing resolves the shared reference by picking one of them.
    with pytest.raises(AmbiguousReference) as refused:
        find_family(coordinator, "FM-2025-0001")
    assert {c.id for c in refused.value.candidates} == {nowak.id, khan.id, brown.id}
    for family in (nowak, khan, brown):
        assert family.id in str(refused.value)
        assert find_family(coordinator, family.id).id == family.id
        assert find_family(coordinator, family.id[:8]).id == family.id

    # The coordinator gives two of them new references; the third keeps its own.
    allocation.allocate(coordinator, [khan.id], laptops[1].info.store_id)
    renamed = rename_reference(coordinator, khan.id)
    # Without a new reference given, the coordinator's own next one: its code is its own.
    year = dt.date.today().year
    assert renamed.reference == references.format_reference(year, reference_code(coordinator), 1)
    assert next_family_reference(coordinator).endswith("-0002")
    assert renamed.former_references == ("FM-2025-0001",)
    with pytest.raises(
        UserError, match=f"Another family already has reference {renamed.reference}"
    ):
        rename_reference(coordinator, brown.id, renamed.reference.lower())
    with pytest.raises(UserError, match="already has that reference"):
        rename_reference(coordinator, brown.id, "fm-2025-0001")
    rename_reference(coordinator, brown.id, "FM-2025-BRWN-0001")
    assert find_family(coordinator, "FM-2025-0001").id == nowak.id
    remaining = shared_references(coordinator)
    assert [s.reference.upper() for s in remaining] == ["FM-2025-0002"]
    notes = coordinator.list(CaseNote, family_id=khan.id)
    assert [n.text for n in notes] == [
        f"Case reference changed from FM-2025-0001 to {renamed.reference}."
    ]

    # The new reference reaches the practitioner the family is allocated to.
    sync.export_bundle(coordinator, laptops[1].info.store_id, tmp_path / "to-lukasz.fmb")
    sync.import_bundle(laptops[1], tmp_path / "to-lukasz.fmb")
    on_laptop = laptops[1].get(Family, khan.id)
    assert on_laptop is not None
    assert on_laptop.reference == renamed.reference


def test_a_store_upgraded_with_shared_references_shows_them_and_refuses_to_pick(
    coordinator_store: Store,
) -> None:
    # An older build's coordinator store: two families took one reference from two bundles.
    old = [
        Family(reference="FM-2024-0031", name="Nowak family", lead_practitioner="Zoë Adebayo"),
        Family(reference="FM-2024-0031", name="Khan family", lead_practitioner="Łukasz Brown"),
        Family(reference="FM-2024-0032", name="Adams family"),
    ]
    coordinator_store.save(*old)
    (shared,) = shared_references(coordinator_store)
    assert [(f.name, f.practitioner) for f in shared.families] == [
        ("Khan family", "Łukasz Brown"),
        ("Nowak family", "Zoë Adebayo"),
    ]
    with pytest.raises(AmbiguousReference, match="2 families have reference FM-2024-0031"):
        find_family(coordinator_store, "fm-2024-0031")
    # A family file carrying that reference is refused rather than adding a third.
    data = export_family(coordinator_store, old[2])
    data["family"]["id"] = data["family"]["family_id"] = "another"
    data["family"]["reference"] = "FM-2024-0031"
    with pytest.raises(UserError, match="Another family already has reference"):
        import_family(coordinator_store, data)


def test_codes_two_practitioners_share_are_shown_and_given_anew(programme) -> None:
    coordinator, (zoe, lukasz, _amara) = programme
    # Łukasz set his laptop to Zoë's code (as a derived code could, rarely, be the same).
    set_reference_code(lukasz, reference_code(zoe))
    set_practitioner_code(coordinator, "Łukasz Brown", reference_code(zoe))
    (clash,) = shared_codes(coordinator)
    assert sorted(clash.holders) == ["Zoë Adebayo", "Łukasz Brown"]
    # The coordinator gives him another and records it; he sets the same on his laptop.
    given = set_practitioner_code(coordinator, lukasz.info.store_id, "lb2")
    assert given.code == "LB2"
    assert shared_codes(coordinator) == []
    set_reference_code(lukasz, "LB2")
    family = add_family(lukasz, name="Nowak family", identified_on=dt.date(2026, 5, 1))
    assert family.reference == "FM-2026-LB2-0001"
    with pytest.raises(UserError, match="2 to 6 letters and digits"):
        set_reference_code(lukasz, "2B")
    with pytest.raises(UserError, match="not an enrolled practitioner"):
        set_practitioner_code(coordinator, "Nobody", "NB")


def test_the_council_identifiers_travel_in_the_family_file(store: Store) -> None:
    family = add_family(store, name="Nowak family", case_id="EHM-40021")
    assert references.parse_reference(family.reference).code == reference_code(store)  # type: ignore[union-attr]
    child = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zofia",
        family_name="Nowak",
        upn="B801200005001",
        nhs_number="999 111 2227",
    )
    store.save(child)
    data = json.loads(json.dumps(export_family(store, family)))
    assert data["family"]["case_id"] == "EHM-40021"
    (person,) = [r["record"] for r in data["records"] if r["kind"] == "person"]
    assert (person["upn"], person["nhs_number"]) == ("B801200005001", "9991112227")
    with pytest.raises(UserError, match="Another family already has reference"):
        add_family(store, name="Someone else", reference=family.reference.lower())
