"""What each side may send, through real bundles between three real stores: a coordinator and two
enrolled practitioners. Every attack is a bundle signed with a real enrolled practitioner's key
(its own store's export, or a bundle built and signed with that store's identity); each is
refused, quarantined with its reason, reported back to the sender, and passed on to nobody,
while every honest change still arrives both ways."""

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from db import allocation, sync
from db.keyslots import KdfParams
from db.outcomes import add_framework_file
from db.store import Store
from fmdesk import hlc
from fmdesk.claims import BatchStatus, ClaimBatch
from fmdesk.definition import Definition
from fmdesk.errors import UserError
from fmdesk.families import CaseNote, Family, FamilyStatus, Person, PersonRole, change_status
from fmdesk.outcomes import OutcomeClaim
from fmdesk.programme import Allocation
from fmdesk.records import Record
from fmdesk.roles import Role
from fmdesk.sync.bundle import Change, write_bundle
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE

DAY = dt.date(2025, 6, 2)
MOVED = dt.date(2025, 7, 14)
FRAMEWORK = Path("fmdesk/definitions/frameworks/supporting-families-2022.json")


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

    def path(self) -> Path:
        self.count += 1
        return self.folder / f"bundle-{self.count}.fmb"

    def send(self, source: Store, target: Store) -> sync.ImportResult:
        path = self.path()
        sync.export_bundle(source, target.info.store_id, path)
        return sync.import_bundle(target, path)

    def crafted(self, source: Store, target: Store, records: list[Record]) -> sync.ImportResult:
        """A bundle built from `records` as they are and signed with `source`'s own key: what
        a practitioner who edits bundles by hand could send. The store's bookkeeping is left
        alone (its next real bundle has the same number, which the coordinator takes)."""
        path = self.path()
        to = next(p for p in sync.partners(source) if p.enrolment.store_id == target.info.store_id)
        write_bundle(
            path,
            sender=sync.identity(source),
            recipient=to.enrolment,
            changes=[Change.from_record(r) for r in records],
            sequence=to.last_sent + 1,
            previous_sequence=to.last_sent,
            acknowledged_up_to=to.received_up_to,
        )
        return sync.import_bundle(target, path)


@dataclasses.dataclass
class Programme:
    coordinator: Store
    zoe: Store  # practitioner 1: the one who attacks
    lukasz: Store  # practitioner 2: the one whose family is attacked
    zoes: Family  # allocated to Zoë
    lukaszs: Family  # allocated to Łukasz
    lukaszs_person: Person
    lukaszs_note: CaseNote
    post: Post


@pytest.fixture
def programme(coordinator_store: Store, tmp_path: Path):
    coordinator = coordinator_store
    zoe, lukasz = practitioner(tmp_path, "Zoë Adebayo"), practitioner(tmp_path, "Łukasz Brown")
    for store in (zoe, lukasz):
        sync.enrol(store, sync.identity(coordinator).enrolment)
        sync.enrol(coordinator, sync.identity(store).enrolment)
    zoes = Family(reference="EH-0411", name="Okafor family", identified_on=DAY)
    lukaszs = Family(reference="EH-0412", name="Nowak family", identified_on=DAY)
    person = Person(
        family_id=lukaszs.id,
        role=PersonRole.PARENT_CARER,
        given_name="Agnieszka",
        family_name="Nowak",
    )
    note = CaseNote(family_id=lukaszs.id, on=DAY, text="Agnieszka asked for help with rent")
    coordinator.save(zoes, lukaszs, person, note)
    allocation.allocate(coordinator, [zoes.id], zoe.info.store_id, on=DAY)
    allocation.allocate(coordinator, [lukaszs.id], lukasz.info.store_id, on=DAY)
    post = Post(tmp_path)
    post.send(coordinator, zoe)
    post.send(coordinator, lukasz)
    # Each practitioner's first bundle acknowledges what it got.
    post.send(zoe, coordinator)
    post.send(lukasz, coordinator)
    assert lukasz.get(Person, person.id) is not None
    assert zoe.get(Family, lukaszs.id) is None
    yield Programme(
        coordinator,
        zoe,
        lukasz,
        zoe.get(Family, zoes.id),
        coordinator.get(Family, lukaszs.id),
        coordinator.get(Person, person.id),
        coordinator.get(CaseNote, note.id),
        post,
    )
    zoe.close()
    lukasz.close()


def family_state(store: Store, family_id: str) -> dict[str, Any]:
    """Every record of the family as the store holds it, revisions and all."""
    return {
        row["record"]["id"]: row["record"]
        for row in store.family_records(family_id, include_deleted=True)
    }


def reasons(result: sync.ImportResult) -> dict[str, str]:
    return {r.id: r.reason for r in result.rejected}


def nothing_reaches_lukasz(p: Programme) -> None:
    """Łukasz's next bundle from the coordinator brings nothing of Zoë's attack: his family is
    as it was, still his and not withdrawn, and no definition or allocation came."""
    before = family_state(p.lukasz, p.lukaszs.id)
    definitions = p.lukasz.list(Definition, include_deleted=True)
    got = p.post.send(p.coordinator, p.lukasz)
    assert (got.new, got.updated, got.merged, got.rejected) == (0, 0, 0, ())
    assert family_state(p.lukasz, p.lukaszs.id) == before
    held = p.lukasz.get(Family, p.lukaszs.id)
    assert held.allocated_to == p.lukasz.info.store_id
    assert not held.is_read_only
    assert p.lukasz.list(Definition, include_deleted=True) == definitions


def reported_to_zoe(p: Programme, expected: dict[str, str]) -> None:
    """The coordinator's next bundle to Zoë tells her each refused record and why, and brings
    her nothing of Łukasz's family."""
    back = p.post.send(p.coordinator, p.zoe)
    told = {r.id: r.reason for r in back.reported_back}
    for record_id, words in expected.items():
        assert words in told[record_id]
    assert p.zoe.get(Person, p.lukaszs_person.id) is None
    assert p.zoe.get(CaseNote, p.lukaszs_note.id) is None


NOT_THEIRS = "is not the sender's: it is not allocated to them, nor did they register it"


def test_a_practitioner_cannot_allocate_another_practitioners_family_to_itself(
    programme: Programme,
) -> None:
    p = programme
    before = family_state(p.coordinator, p.lukaszs.id)
    taken = p.lukaszs.replace(allocated_to=p.zoe.info.store_id, lead_practitioner="Zoë Adebayo")
    p.zoe.save(taken)  # written into Zoë's own store, sent by her own export
    got = p.post.send(p.zoe, p.coordinator)
    assert reasons(got) == {p.lukaszs.id: f"family {p.lukaszs.id[:8]} {NOT_THEIRS}"}
    assert family_state(p.coordinator, p.lukaszs.id) == before
    assert allocation.family_holders(p.coordinator)[p.lukaszs.id] == p.lukasz.info.store_id
    # Before, the coordinator then sent her every record of the family.
    reported_to_zoe(p, {p.lukaszs.id: NOT_THEIRS})
    nothing_reaches_lukasz(p)


def test_a_practitioner_cannot_send_an_allocation(programme: Programme) -> None:
    p = programme
    grab = Allocation(
        family_id=p.lukaszs.id,
        on=MOVED,
        to_store=p.zoe.info.store_id,
        to_name="Zoë Adebayo",
        from_store=p.lukasz.info.store_id,
        from_name="Łukasz Brown",
        reason="Cover while Łukasz is away",
    )
    # Even for her own family.
    give = Allocation(family_id=p.zoes.id, on=MOVED, to_store=p.lukasz.info.store_id)
    p.zoe.save(grab, give)
    got = p.post.send(p.zoe, p.coordinator)
    only = "only the coordinator allocates families"
    assert set(reasons(got)) == {grab.id, give.id}
    assert all(only in r for r in reasons(got).values())
    assert {a.id for a in p.coordinator.list(Allocation)}.isdisjoint({grab.id, give.id})
    reported_to_zoe(p, {grab.id: only, give.id: only})
    # Before, the coordinator relayed it and the family was withdrawn on Łukasz's laptop.
    nothing_reaches_lukasz(p)
    assert [a.to_store for a in allocation.allocation_history(p.lukasz, p.lukaszs.id)] == [
        p.lukasz.info.store_id
    ]


def test_a_practitioner_cannot_send_a_framework(programme: Programme, tmp_path: Path) -> None:
    p = programme
    shipped = FRAMEWORK.read_text(encoding="utf-8")
    council = tmp_path / "zoes-framework.json"
    council.write_text(
        shipped.replace('"id": "supporting-families-2022"', '"id": "zoes-outcomes"', 1),
        encoding="utf-8",
    )
    add_framework_file(p.zoe, council)
    (made,) = p.zoe.list(Definition)
    got = p.post.send(p.zoe, p.coordinator)
    assert reasons(got) == {
        made.id: "only the coordinator sends definitions (outcomes frameworks, assessment "
        "templates, Star instruments)"
    }
    assert p.coordinator.list(Definition, include_deleted=True) == []
    reported_to_zoe(p, {made.id: "only the coordinator sends definitions"})
    # Before, it was relayed to every practitioner.
    nothing_reaches_lukasz(p)


def test_a_practitioner_cannot_send_a_claim_batch_or_a_claim(programme: Programme) -> None:
    p = programme
    batch = ClaimBatch(
        reference="2025/26 Q2",
        period_start=dt.date(2025, 7, 1),
        period_end=dt.date(2025, 9, 30),
        made_on=dt.date(2025, 10, 1),
        family_ids=(p.lukaszs.id, p.zoes.id),
        status=BatchStatus.SUBMITTED,
        submitted_on=dt.date(2025, 10, 2),
    )
    claim = OutcomeClaim(family_id=p.zoes.id, claimed_on=dt.date(2025, 10, 2))
    p.zoe.save(batch, claim)
    got = p.post.send(p.zoe, p.coordinator)
    assert reasons(got) == {
        batch.id: "only the coordinator makes claim batches",
        claim.id: "only the coordinator records payment-by-results claims",
    }
    # Before, the batch blocked the real claim ("already claimed").
    assert p.coordinator.list(ClaimBatch, include_deleted=True) == []
    assert p.coordinator.list(OutcomeClaim, include_deleted=True) == []
    reported_to_zoe(p, {batch.id: "claim batches", claim.id: "claims"})
    nothing_reaches_lukasz(p)


def test_a_practitioner_cannot_write_notes_or_tombstones_into_another_family(
    programme: Programme,
) -> None:
    p = programme
    before = family_state(p.coordinator, p.lukaszs.id)
    planted = CaseNote(family_id=p.lukaszs.id, on=MOVED, text="Family moved away; close it")
    p.zoe.save(planted)
    got = p.post.send(p.zoe, p.coordinator)
    assert reasons(got) == {planted.id: f"family {p.lukaszs.id[:8]} {NOT_THEIRS}"}
    # Tombstones of the family, its person and its note, in a bundle built by hand and signed
    # with Zoë's key (her own export never sends a deletion of a record she never held).
    later = p.zoe.clock.now()
    tombstones = [
        r.replace(deleted=True, revision=later)
        for r in (p.lukaszs, p.lukaszs_person, p.lukaszs_note)
    ]
    crafted = p.post.crafted(p.zoe, p.coordinator, tombstones)
    assert set(reasons(crafted)) == {r.id for r in tombstones}
    assert all(NOT_THEIRS in r for r in reasons(crafted).values())
    assert (crafted.new, crafted.updated, crafted.merged) == (0, 0, 0)
    assert family_state(p.coordinator, p.lukaszs.id) == before
    assert not p.coordinator.get(Family, p.lukaszs.id).deleted
    reported_to_zoe(p, {planted.id: NOT_THEIRS, p.lukaszs_note.id: NOT_THEIRS})
    nothing_reaches_lukasz(p)


def test_refused_records_are_listed_with_sender_kind_family_reason_and_date(
    programme: Programme,
) -> None:
    p = programme
    p.zoe.save(CaseNote(family_id=p.lukaszs.id, on=MOVED, text="Planted"))
    p.post.send(p.zoe, p.coordinator)
    (held,) = sync.held_records(p.coordinator)
    assert held.partner == p.zoe.info.store_id
    assert held.partner_name == "Zoë Adebayo"
    assert held.kind == "note"
    assert held.family_label == "EH-0412"  # the coordinator sees which family
    assert NOT_THEIRS in held.reason
    assert held.received_at[:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert held.reported_in is None
    p.post.send(p.coordinator, p.zoe)
    (held,) = sync.held_records(p.coordinator)
    assert held.reported_in is not None
    assert not held.acknowledged
    p.post.send(p.zoe, p.coordinator)
    (held,) = sync.held_records(p.coordinator)
    assert held.acknowledged
    assert sync.status(p.coordinator).refused == (held,)


def test_a_practitioner_cannot_change_its_own_familys_allocation(programme: Programme) -> None:
    p = programme
    moved = p.zoes.replace(allocated_to=p.lukasz.info.store_id, next_action="Ring school")
    lead = p.zoes.replace(lead_practitioner="Someone else")
    p.zoe.save(moved)
    got = p.post.send(p.zoe, p.coordinator)
    assert (
        "changes the family's allocated to, which only the coordinator sets"
        in (reasons(got)[p.zoes.id])
    )
    p.zoe.save(lead)
    got = p.post.send(p.zoe, p.coordinator)
    assert "changes the family's lead practitioner" in reasons(got)[p.zoes.id]
    held = p.coordinator.get(Family, p.zoes.id)
    assert held.allocated_to == p.zoe.info.store_id
    assert held.lead_practitioner == "Zoë Adebayo"
    assert held.next_action == ""
    # Put back as it was, the rest of her change arrives.
    p.zoe.save(p.zoes.replace(next_action="Ring school"))
    got = p.post.send(p.zoe, p.coordinator)
    assert (got.updated, got.rejected) == (1, ())
    assert p.coordinator.get(Family, p.zoes.id).next_action == "Ring school"


def test_a_change_made_after_the_family_was_reallocated_is_refused_saying_so(
    programme: Programme,
) -> None:
    p = programme
    before_move = CaseNote(family_id=p.zoes.id, on=MOVED, text="Visit before the move")
    (before_move,) = p.zoe.save(before_move)
    # Three stores on one computer may stamp the same millisecond; the order is the story's.
    p.coordinator.clock.observe(before_move.revision)
    allocation.allocate(
        p.coordinator, [p.zoes.id], p.lukasz.info.store_id, reason="Zoë is on leave", on=MOVED
    )
    (moved,) = [a for a in p.coordinator.list(Allocation) if a.from_store]
    # Zoë has not had the withdrawal yet, and writes on (later: her clock is past the move's).
    p.zoe.clock.observe(moved.revision)
    (after_move,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=MOVED, text="Visit after"))
    assert before_move.revision < moved.revision < after_move.revision
    got = p.post.send(p.zoe, p.coordinator)
    assert reasons(got) == {
        after_move.id: "family EH-0411 was reallocated to Łukasz Brown on 14 July 2025, and "
        "this change was made after that, so it was not applied; if it matters, give it to "
        "the coordinator"
    }
    # What she wrote while the family was hers arrives, and goes on to Łukasz with the family.
    assert p.coordinator.get(CaseNote, before_move.id) is not None
    assert p.coordinator.get(CaseNote, after_move.id) is None
    p.post.send(p.coordinator, p.lukasz)
    assert p.lukasz.get(CaseNote, before_move.id) is not None
    assert p.lukasz.get(CaseNote, after_move.id) is None


def test_a_family_registered_on_the_laptop_is_the_practitioners(programme: Programme) -> None:
    p = programme
    new = Family(reference="EH-0500", name="Begum family", lead_practitioner="Zoë Adebayo")
    person = Person(
        family_id=new.id, role=PersonRole.CHILD, given_name="Amira", family_name="Begum"
    )
    # The person is saved first: its revision is earlier, so it comes before its family.
    p.zoe.save(person)
    p.zoe.save(new, CaseNote(family_id=new.id, on=DAY, text="Met at the school gate"))
    got = p.post.send(p.zoe, p.coordinator)
    assert (got.new, got.rejected) == (3, ())
    # Her later changes to it are hers too, while it is allocated to nobody.
    p.zoe.save(p.zoe.get(Family, new.id).replace(next_action="Home visit"))
    got = p.post.send(p.zoe, p.coordinator)
    assert (got.updated, got.rejected) == (1, ())
    assert p.coordinator.get(Family, new.id).next_action == "Home visit"
    # Łukasz cannot write into it.
    p.lukasz.save(CaseNote(family_id=new.id, on=DAY, text="Not mine"))
    got = p.post.send(p.lukasz, p.coordinator)
    assert NOT_THEIRS in reasons(got)[next(iter(reasons(got)))]


def test_a_family_registered_then_allocated_to_its_registrar_keeps_her_earlier_records(
    programme: Programme,
) -> None:
    p = programme
    new = Family(reference="EH-0503", name="Patel family", lead_practitioner="Zoë Adebayo")
    p.zoe.save(new)
    p.post.send(p.zoe, p.coordinator)
    (early,) = p.zoe.save(CaseNote(family_id=new.id, on=DAY, text="Written before any move"))
    # The coordinator confirms the family as Zoë's, then moves it to Łukasz.
    p.coordinator.clock.observe(early.revision)
    allocation.allocate(p.coordinator, [new.id], p.zoe.info.store_id, on=DAY)
    allocation.allocate(
        p.coordinator, [new.id], p.lukasz.info.store_id, reason="Zoë is on leave", on=MOVED
    )
    p.zoe.clock.observe(p.coordinator.clock.now())
    (late,) = p.zoe.save(CaseNote(family_id=new.id, on=MOVED, text="Written after the move"))
    got = p.post.send(p.zoe, p.coordinator)
    assert set(reasons(got)) == {late.id}
    assert "was reallocated to Łukasz Brown on 14 July 2025" in reasons(got)[late.id]
    assert p.coordinator.get(CaseNote, early.id) is not None


def test_a_new_family_allocated_to_another_is_refused_with_its_records(
    programme: Programme,
) -> None:
    p = programme
    # Registered on Zoë's laptop, but made out as Łukasz's: his laptop would then be sent it.
    new = Family(
        reference="EH-0502",
        name="Khan family",
        allocated_to=p.lukasz.info.store_id,
        revision=p.zoe.clock.now(),
    )
    note = CaseNote(
        family_id=new.id, on=DAY, text="Planted in a new family", revision=p.zoe.clock.now()
    )
    crafted = p.post.crafted(p.zoe, p.coordinator, [new, note])
    assert "changes the family's allocated to" in reasons(crafted)[new.id]
    assert "is not held here" in reasons(crafted)[note.id]
    assert p.coordinator.get(Family, new.id) is None
    assert p.coordinator.get(CaseNote, note.id) is None


def test_a_bundle_from_another_practitioner_is_refused_whole(programme: Programme) -> None:
    p = programme
    # No fmdesk enrols two practitioners with each other; an older store might hold one.
    for store, other in ((p.lukasz, p.zoe), (p.zoe, p.lukasz)):
        store.db.execute(
            "INSERT INTO sync_partners (store_id, enrolment) VALUES (?, ?)",
            [other.info.store_id, sync.identity(other).enrolment.to_json().decode("utf-8")],
        )
    before = family_state(p.lukasz, p.lukaszs.id)
    imported = p.lukasz.db.execute("SELECT count(*) FROM sync_imported").fetchone()[0]
    path = p.post.path()
    write_bundle(
        path,
        sender=sync.identity(p.zoe),
        recipient=sync.identity(p.lukasz).enrolment,
        changes=[
            Change.from_record(p.lukaszs_note.replace(deleted=True, revision=p.zoe.clock.now()))
        ],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    (refused,) = sync.import_bundles(p.lukasz, [path])
    assert isinstance(refused, UserError)  # a plain refusal, naming who sent it
    assert str(refused).startswith(
        "This bundle comes from Zoë Adebayo, another lead practitioner's store"
    )
    assert family_state(p.lukasz, p.lukaszs.id) == before
    assert p.lukasz.db.execute("SELECT count(*) FROM sync_imported").fetchone()[0] == imported


def test_three_stores_every_attack_refused_and_every_honest_change_arrives(
    programme: Programme, tmp_path: Path
) -> None:
    p = programme
    zoe_id, lukasz_id = p.zoe.info.store_id, p.lukasz.info.store_id
    # Honest work on both laptops and at the centre.
    zoes = p.zoe.get(Family, p.zoes.id)
    engaged, move = change_status(zoes, FamilyStatus.ENGAGED, on=MOVED, by="Zoë Adebayo")
    zoe_note = CaseNote(family_id=zoes.id, on=MOVED, text="First visit went well")
    registered = Family(reference="EH-0501", name="Ahmed family", lead_practitioner="Zoë Adebayo")
    p.zoe.save(engaged.replace(next_action="TAF meeting"), move, zoe_note, registered)
    lukaszs = p.lukasz.get(Family, p.lukaszs.id)
    lukasz_note = CaseNote(family_id=lukaszs.id, on=MOVED, text="Rent arrears plan agreed")
    p.lukasz.save(lukaszs.replace(postcode="LS6 2AB"), lukasz_note)
    centre = p.coordinator.get(Family, p.zoes.id)
    p.coordinator.save(centre.replace(case_id="EHM-40021"))

    # And every attack from Zoë's laptop, in her own bundle.
    council = tmp_path / "zoes-framework.json"
    council.write_text(
        FRAMEWORK.read_text(encoding="utf-8").replace(
            '"id": "supporting-families-2022"', '"id": "zoes-outcomes"', 1
        ),
        encoding="utf-8",
    )
    add_framework_file(p.zoe, council)
    attacks = [
        p.lukaszs.replace(allocated_to=zoe_id, lead_practitioner="Zoë Adebayo"),
        Allocation(family_id=p.lukaszs.id, on=MOVED, to_store=zoe_id),
        ClaimBatch(
            reference="Q2",
            period_start=DAY,
            period_end=MOVED,
            made_on=MOVED,
            family_ids=(p.lukaszs.id,),
            status=BatchStatus.SUBMITTED,
            submitted_on=MOVED,
        ),
        CaseNote(family_id=p.lukaszs.id, on=MOVED, text="Planted"),
    ]
    p.zoe.save(*attacks)
    (definition,) = p.zoe.list(Definition)
    from_zoe = p.post.send(p.zoe, p.coordinator)
    refused = {*(a.id for a in attacks), definition.id}
    assert set(reasons(from_zoe)) == refused
    tombstone = p.lukaszs_person.replace(deleted=True, revision=p.zoe.clock.now())
    crafted = p.post.crafted(p.zoe, p.coordinator, [tombstone])
    assert set(reasons(crafted)) == {tombstone.id}
    from_lukasz = p.post.send(p.lukasz, p.coordinator)
    assert from_lukasz.rejected == ()

    # The coordinator holds every honest change, and none of the attacks.
    at_centre = p.coordinator.get(Family, p.zoes.id)
    assert (at_centre.status, at_centre.next_action, at_centre.case_id) == (
        FamilyStatus.ENGAGED,
        "TAF meeting",
        "EHM-40021",
    )
    assert p.coordinator.get(CaseNote, zoe_note.id) is not None
    assert p.coordinator.get(Family, registered.id) is not None
    assert p.coordinator.get(Family, p.lukaszs.id).postcode == "LS6 2AB"
    assert p.coordinator.get(Family, p.lukaszs.id).allocated_to == lukasz_id
    assert p.coordinator.get(CaseNote, lukasz_note.id) is not None
    assert not p.coordinator.get(Person, p.lukaszs_person.id).deleted
    assert all(p.coordinator.get(type(a), a.id) is None for a in attacks[1:])
    assert p.coordinator.list(Definition) == []
    listed = {q.record_id: q for q in sync.status(p.coordinator).refused}
    assert set(listed) == refused | {tombstone.id}
    assert {q.partner_name for q in listed.values()} == {"Zoë Adebayo"}

    # Each practitioner gets the honest changes back, and Łukasz nothing of the attacks.
    to_lukasz = p.post.send(p.coordinator, p.lukasz)
    assert to_lukasz.rejected == ()
    assert p.lukasz.get(Family, p.lukaszs.id).allocated_to == lukasz_id
    assert not p.lukasz.get(Family, p.lukaszs.id).is_read_only
    assert p.lukasz.get(CaseNote, attacks[3].id) is None
    assert not p.lukasz.get(Person, p.lukaszs_person.id).deleted
    assert p.lukasz.list(Definition) == []
    assert p.lukasz.list(ClaimBatch) == []
    assert [a.to_store for a in p.lukasz.list(Allocation)] == [lukasz_id]
    to_zoe = p.post.send(p.coordinator, p.zoe)
    assert p.zoe.get(Family, p.zoes.id).case_id == "EHM-40021"
    assert {r.id for r in to_zoe.reported_back} == refused | {tombstone.id}
    assert p.zoe.get(CaseNote, lukasz_note.id) is None
    assert p.zoe.get(Person, p.lukaszs_person.id) is None
    # Both sides settle: nothing is left to send either way.
    p.post.send(p.zoe, p.coordinator)
    p.post.send(p.lukasz, p.coordinator)
    for store in (p.zoe, p.lukasz):
        assert sync.pending_count(store, p.coordinator.info.store_id) == 0


def test_sync_status_lists_the_refused_records(programme: Programme, tmp_path: Path) -> None:
    p = programme
    planted = CaseNote(family_id=p.lukaszs.id, on=MOVED, text="Planted")
    p.zoe.save(planted)
    p.post.send(p.zoe, p.coordinator)
    env = {
        "FMDESK_HOME": str(tmp_path / "home"),
        "FMDESK_STORE": str(p.coordinator.path),
        "FMDESK_PASSPHRASE": TEST_PASSPHRASE,
    }
    shown = run_cli("sync", "status", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Records refused from partners, newest first (1):" in shown.stdout
    assert (
        f"from Zoë Adebayo: note {planted.id[:8]} of family EH-0412: family "
        f"{p.lukaszs.id[:8]} {NOT_THEIRS} (reported back in the next bundle)"
    ) in shown.stdout
    (listed,) = json.loads(run_cli("sync", "status", "--json", env=env).stdout)["refused"]
    assert (listed["kind"], listed["family"], listed["partner_name"]) == (
        "note",
        "EH-0412",
        "Zoë Adebayo",
    )
    assert listed["record_id"] == planted.id


# ---- Backdating: a change dated while the sender held a family, sent after it was moved -----


def later(revision: str, millis: int, store: Store) -> str:
    """A revision `millis` after `revision`, as `store`'s own clock would stamp it."""
    stamp = hlc.Timestamp.decode(revision)
    return hlc.Timestamp(stamp.millis + millis, 0, store.info.device_id).encode()


def move_zoes_family(p: Programme, after: str) -> Allocation:
    """The coordinator moves Zoë's family to Łukasz, after the revision `after` (three stores on
    one computer may stamp the same millisecond; the order is the story's)."""
    p.coordinator.clock.observe(later(after, 50, p.coordinator))
    allocation.allocate(
        p.coordinator, [p.zoes.id], p.lukasz.info.store_id, reason="Zoë is on leave", on=MOVED
    )
    (moved,) = [a for a in p.coordinator.list(Allocation) if a.from_store]
    return moved


BACKDATED = (
    "this change to family EH-0411 was made, by its revision, before the family was "
    "reallocated to Łukasz Brown on 14 July 2025, but sent only after the family was moved: "
    "its revision is older than changes this laptop sent earlier (a laptop sends every change "
    "in its next bundle), so it was not applied; if it matters, give it to the coordinator"
)


def test_a_backdated_change_to_a_family_moved_away_is_refused(programme: Programme) -> None:
    p = programme
    (first,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=MOVED, text="First visit"))
    p.zoe.clock.observe(later(first.revision, 20, p.zoe))
    (second,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=MOVED, text="Second visit"))
    got = p.post.send(p.zoe, p.coordinator)
    assert (got.new, got.rejected) == (2, ())
    moved = move_zoes_family(p, second.revision)
    p.post.send(p.coordinator, p.zoe)  # Zoë hears of the move
    # Now she writes into the family she no longer holds, dating each change between her two
    # notes: while she held it, but at or before what she has already sent. A new note, and
    # her first note rewritten; both in a bundle signed with her enrolled key.
    dated = later(first.revision, 10, p.zoe)
    assert first.revision < dated < second.revision < moved.revision
    planted = CaseNote(family_id=p.zoes.id, on=MOVED, text="Planted", revision=dated)
    rewritten = first.replace(text="Rewritten", revision=dated)
    got = p.post.crafted(p.zoe, p.coordinator, [planted, rewritten])
    assert reasons(got) == {planted.id: BACKDATED, rewritten.id: BACKDATED}
    assert p.coordinator.get(CaseNote, planted.id) is None
    assert p.coordinator.get(CaseNote, first.id).text == "First visit"
    listed = {q.record_id: q.reason for q in sync.held_records(p.coordinator)}
    assert listed == {planted.id: BACKDATED, rewritten.id: BACKDATED}
    reported_to_zoe(p, {planted.id: "sent only after the family was moved"})
    # Łukasz, who holds the family now, gets her honest notes and nothing planted.
    p.post.send(p.coordinator, p.lukasz)
    assert p.lukasz.get(CaseNote, first.id).text == "First visit"
    assert p.lukasz.get(CaseNote, second.id) is not None
    assert p.lukasz.get(CaseNote, planted.id) is None


def test_offline_changes_made_before_the_move_and_sent_after_it_arrive(
    programme: Programme,
) -> None:
    p = programme
    (sent,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=DAY, text="Sent before"))
    p.post.send(p.zoe, p.coordinator)  # the coordinator now has a mark for Zoë
    # Offline at a home visit: nothing sent.
    p.zoe.clock.observe(later(sent.revision, 20, p.zoe))
    (visit,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=MOVED, text="Home visit, offline"))
    (family,) = p.zoe.save(p.zoe.get(Family, p.zoes.id).replace(next_action="Ring school"))
    moved = move_zoes_family(p, family.revision)
    # She receives the move first, and only then sends what she wrote before it.
    p.post.send(p.coordinator, p.zoe)
    assert p.zoe.get(Family, p.zoes.id).is_read_only
    got = p.post.send(p.zoe, p.coordinator)
    assert sent.revision < visit.revision < family.revision < moved.revision
    assert (got.new, got.rejected) == (1, ())
    assert p.coordinator.get(CaseNote, visit.id) is not None
    # The family record is merged with the move made at the centre: both changes kept.
    assert p.coordinator.get(Family, p.zoes.id).allocated_to == p.lukasz.info.store_id
    assert p.coordinator.get(Family, p.zoes.id).next_action == "Ring school"
    # A bundle sent again before its acknowledgement came brings nothing refused either.
    again = p.post.send(p.zoe, p.coordinator)
    assert again.rejected == ()
    p.post.send(p.coordinator, p.lukasz)
    assert p.lukasz.get(CaseNote, visit.id) is not None


def test_two_bundles_imported_out_of_order_both_arrive(programme: Programme) -> None:
    p = programme
    to = p.coordinator.info.store_id
    (note,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=DAY, text="First"))
    earlier, later_bundle = p.post.path(), p.post.path()
    sync.export_bundle(p.zoe, to, earlier)
    # Before it arrives she changes that note and adds another: the next bundle has both.
    p.zoe.clock.observe(later(note.revision, 20, p.zoe))
    (changed,) = p.zoe.save(note.replace(text="First, corrected"))
    (other,) = p.zoe.save(CaseNote(family_id=p.zoes.id, on=DAY, text="Second"))
    sync.export_bundle(p.zoe, to, later_bundle)
    move_zoes_family(p, other.revision)
    # The later bundle is imported first; the earlier one, coming after, is older news.
    got = sync.import_bundle(p.coordinator, later_bundle)
    assert (got.new, got.rejected) == (2, ())
    got = sync.import_bundle(p.coordinator, earlier)
    assert (got.new, got.updated, got.rejected) == (0, 0, ())
    assert p.coordinator.get(CaseNote, changed.id).text == "First, corrected"
    assert p.coordinator.get(CaseNote, other.id) is not None
    assert sync.held_records(p.coordinator) == []


def test_a_laptop_restored_from_a_backup_still_sends_what_it_makes(
    programme: Programme, tmp_path: Path
) -> None:
    p = programme
    where, backup = p.zoe.path, tmp_path / "zoe-backup"
    p.zoe.close()
    shutil.copytree(where, backup)  # the night's backup
    zoe = Store.open(where, TEST_PASSPHRASE)
    try:
        (lost,) = zoe.save(CaseNote(family_id=p.zoes.id, on=DAY, text="Written, then lost"))
        p.post.send(zoe, p.coordinator)
        # The laptop dies; the backup is put back. It knows nothing of the note, or the bundle.
        zoe.close()
        shutil.rmtree(where)
        shutil.copytree(backup, where)
        zoe = Store.open(where, TEST_PASSPHRASE)
        assert zoe.get(CaseNote, lost.id) is None
        zoe.clock.observe(later(lost.revision, 20, zoe))  # time has gone on since
        (visit,) = zoe.save(CaseNote(family_id=p.zoes.id, on=MOVED, text="After the restore"))
        move_zoes_family(p, visit.revision)
        got = p.post.send(zoe, p.coordinator)
        assert lost.revision < visit.revision
        assert (got.new, got.rejected) == (1, ())
        assert p.coordinator.get(CaseNote, visit.id) is not None
        assert p.coordinator.get(CaseNote, lost.id) is not None
    finally:
        zoe.close()
