"""Sync bundles: a round trip, and each way a bundle can be wrong refused with a plain message."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pyrage
import pytest

from fmdesk.errors import Cancelled
from fmdesk.families import CaseNote, Family, Person, PersonRole
from fmdesk.progress import CancelToken
from fmdesk.records import record_from_dict
from fmdesk.roles import Role
from fmdesk.sync import bundle as fmb
from fmdesk.sync.bundle import (
    BadSignature,
    BundleDamaged,
    BundleError,
    BundleTooLarge,
    Change,
    Limits,
    NewerFormat,
    NotABundle,
    Rejection,
    UnknownSender,
    WrongRecipient,
    make_bundle,
    open_bundle,
    read_bundle,
    write_bundle,
)
from fmdesk.sync.identity import StoreIdentity


@pytest.fixture(scope="module")
def practitioner() -> StoreIdentity:
    return StoreIdentity.generate(store_id="p1", role=Role.PRACTITIONER, name="Siobhán Ní Bhriain")


@pytest.fixture(scope="module")
def coordinator() -> StoreIdentity:
    return StoreIdentity.generate(store_id="c1", role=Role.COORDINATOR, name="Central team")


@pytest.fixture(scope="module")
def stranger() -> StoreIdentity:
    return StoreIdentity.generate(store_id="s1", role=Role.PRACTITIONER, name="Łukasz Nowak")


def family_changes() -> list[Change]:
    """The same three changes on every call: a family, a child, a deleted note."""
    family = Family(
        id="0b7f0c52-5f7e-4d53-9d44-2f6f0d1f0a01",
        reference="EH-0042",
        name="Nowak family",
        revision="000000000000001-00000-p1",
    )
    person = Person(
        id="0b7f0c52-5f7e-4d53-9d44-2f6f0d1f0a02",
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="Nowak",
        date_of_birth=dt.date(2015, 3, 9),
        revision="000000000000002-00000-p1",
    )
    note = CaseNote(
        id="0b7f0c52-5f7e-4d53-9d44-2f6f0d1f0a03",
        family_id=family.id,
        on=dt.date(2026, 1, 5),
        text="Home visit; agreed the plan.",
        revision="000000000000003-00000-p1",
        deleted=True,
    )
    return [
        Change.from_record(family),
        Change.from_record(person, base_revision="000000000000001-00000-c1"),
        Change.from_record(note),
    ]


def bundle_bytes(sender: StoreIdentity, recipient: StoreIdentity, **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "sender": sender,
        "recipient": recipient.enrolment,
        "changes": family_changes(),
        "sequence": 3,
        "previous_sequence": 2,
        "acknowledged_up_to": 7,
    }
    arguments.update(overrides)
    return make_bundle(**arguments)[0]  # type: ignore[arg-type]


def unpack(data: bytes, identity: StoreIdentity) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pyrage.decrypt(data, [identity.age_identity]))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def pack(members: dict[str, bytes], recipient: StoreIdentity) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return pyrage.encrypt(archive.getvalue(), [recipient.age_identity.to_public()])


# ---- the round trip --------------------------------------------------------------------------


def test_round_trip_keeps_every_change_and_the_manifest(
    practitioner: StoreIdentity, coordinator: StoreIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "to-central.fmb"
    written = write_bundle(
        path,
        sender=practitioner,
        recipient=coordinator.enrolment,
        changes=family_changes(),
        sequence=3,
        previous_sequence=2,
        acknowledged_up_to=7,
        rejected=[Rejection(kind="person", id="abc", revision="r", reason="no name")],
    )
    opened = open_bundle(path, coordinator, [practitioner.enrolment])

    assert opened.changes == tuple(family_changes())
    assert opened.manifest == written
    assert opened.sender == practitioner.enrolment
    manifest = opened.manifest
    assert (manifest.sequence, manifest.previous_sequence, manifest.acknowledged_up_to) == (3, 2, 7)
    assert manifest.sender_name == "Siobhán Ní Bhriain"
    assert manifest.recipient_fingerprint == coordinator.fingerprint
    assert manifest.record_count == 3
    assert manifest.kind_counts == {"family": 1, "note": 1, "person": 1}
    assert manifest.rejected[0].reason == "no name"
    # The records come back as the same domain objects, tombstone and base revision included.
    person = record_from_dict("person", opened.changes[1].record_dict())
    assert isinstance(person, Person)
    assert person.given_name == "Zoë"
    assert person.date_of_birth == dt.date(2015, 3, 9)
    assert opened.changes[1].base_revision == "000000000000001-00000-c1"
    assert opened.changes[2].deleted is True


def test_an_empty_bundle_still_carries_acknowledgements(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    data = bundle_bytes(coordinator, practitioner, changes=[], acknowledged_up_to=12)
    opened = read_bundle(data, practitioner, [coordinator.enrolment])
    assert opened.changes == ()
    assert opened.manifest.acknowledged_up_to == 12


def test_the_sender_cannot_decrypt_its_own_bundle(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    data = bundle_bytes(practitioner, coordinator)
    with pytest.raises(WrongRecipient, match="not made for this store"):
        read_bundle(data, practitioner, [practitioner.enrolment, coordinator.enrolment])


def test_zip_members_are_the_three_the_spec_names(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    assert set(members) == {"manifest.json", "manifest.json.minisig", "records.jsonl"}
    manifest = json.loads(members["manifest.json"])
    assert (
        manifest["members"]["records.jsonl"]["sha256"]
        == hashlib.sha256(members["records.jsonl"]).hexdigest()
    )
    first = json.loads(members["records.jsonl"].splitlines()[0])
    assert set(first) == {
        "kind",
        "id",
        "family_id",
        "revision",
        "deleted",
        "base_revision",
        "fields",
    }


# ---- tampering, damage and the wrong parties --------------------------------------------------


def test_every_single_byte_change_is_refused_with_a_bundle_error(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    change = Change.from_record(Family(reference="EH-1", name="Ng family", revision="r1"))
    data = bundle_bytes(practitioner, coordinator, changes=[change])
    assert read_bundle(data, coordinator, [practitioner.enrolment]).changes == (change,)
    accepted, silent = [], []
    for position in range(len(data)):
        flipped = bytearray(data)
        flipped[position] ^= 0x20
        try:
            read_bundle(bytes(flipped), coordinator, [practitioner.enrolment])
        except BundleError as exc:
            if not str(exc):  # every refusal carries a message for the user
                silent.append(position)
        else:
            accepted.append(position)
    assert accepted == []
    assert silent == []


def test_a_truncated_bundle_is_reported_as_incomplete(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    data = bundle_bytes(practitioner, coordinator)
    for length in (len(data) - 1, len(data) - 100, len(data) // 2, 200):
        with pytest.raises(BundleDamaged, match="damaged or incomplete"):
            read_bundle(data[:length], coordinator, [practitioner.enrolment])
    with pytest.raises(NotABundle):
        read_bundle(data[:10], coordinator, [practitioner.enrolment])
    with pytest.raises(NotABundle, match="not an fmdesk sync bundle"):
        read_bundle(b"", coordinator, [practitioner.enrolment])


def test_a_bundle_for_another_store_is_refused(
    practitioner: StoreIdentity, coordinator: StoreIdentity, stranger: StoreIdentity
) -> None:
    data = bundle_bytes(practitioner, coordinator)
    with pytest.raises(WrongRecipient):
        read_bundle(data, stranger, [practitioner.enrolment])


def test_a_bundle_passed_on_to_another_store_is_refused(
    practitioner: StoreIdentity, coordinator: StoreIdentity, stranger: StoreIdentity
) -> None:
    # The coordinator decrypts a genuine bundle and re-encrypts it, unchanged, to someone else.
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    with pytest.raises(WrongRecipient, match=coordinator.fingerprint):
        read_bundle(pack(members, stranger), stranger, [practitioner.enrolment])


def test_a_bundle_from_an_unenrolled_store_is_refused(
    practitioner: StoreIdentity, coordinator: StoreIdentity, stranger: StoreIdentity
) -> None:
    data = bundle_bytes(stranger, coordinator)
    with pytest.raises(UnknownSender, match="Łukasz Nowak") as caught:
        read_bundle(data, coordinator, [practitioner.enrolment])
    assert stranger.enrolment.key_id_text in str(caught.value)


def test_an_enrolled_store_cannot_sign_in_anothers_name(
    practitioner: StoreIdentity, coordinator: StoreIdentity, stranger: StoreIdentity
) -> None:
    # The stranger is enrolled, but claims in the manifest to be the practitioner.
    members = unpack(bundle_bytes(stranger, coordinator), coordinator)
    manifest = json.loads(members["manifest.json"])
    manifest["sender"]["store_id"] = practitioner.store_id
    manifest_bytes = json.dumps(manifest).encode()
    members["manifest.json"] = manifest_bytes
    trusted = fmb.Manifest.from_dict(manifest).trusted_comment
    members["manifest.json.minisig"] = stranger.sign(
        manifest_bytes, trusted_comment=trusted
    ).encode()
    with pytest.raises(BadSignature):
        read_bundle(
            pack(members, coordinator), coordinator, [practitioner.enrolment, stranger.enrolment]
        )


def test_an_altered_manifest_fails_the_signature(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    members["manifest.json"] = members["manifest.json"].replace(
        b'"acknowledged_up_to": 7', b'"acknowledged_up_to": 9'
    )
    with pytest.raises(BadSignature, match="does not match its sender"):
        read_bundle(pack(members, coordinator), coordinator, [practitioner.enrolment])


def test_an_altered_record_fails_its_hash(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    members["records.jsonl"] = members["records.jsonl"].replace(b"Zo\xc3\xab", b"Zoe")
    with pytest.raises(BundleDamaged, match=r"records\.jsonl does not match the manifest"):
        read_bundle(pack(members, coordinator), coordinator, [practitioner.enrolment])


def test_an_extra_member_is_refused(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    members["extra.txt"] = b"hello"
    with pytest.raises(BundleDamaged, match="members differ"):
        read_bundle(pack(members, coordinator), coordinator, [practitioner.enrolment])


def test_a_bundle_in_a_newer_format_asks_for_an_update(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = fmb.FORMAT_VERSION + 1
    manifest_bytes = json.dumps(manifest).encode()
    members["manifest.json"] = manifest_bytes
    members["manifest.json.minisig"] = practitioner.sign(
        manifest_bytes, trusted_comment=fmb.Manifest.from_dict(manifest).trusted_comment
    ).encode()
    with pytest.raises(NewerFormat, match=r"newer version of fmdesk.*Update fmdesk"):
        read_bundle(pack(members, coordinator), coordinator, [practitioner.enrolment])


# ---- limits, checked before unpacking --------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    members["records.jsonl"] = b"\n" * (64 * 1024 * 1024)  # deflates about 1000 to 1
    data = pack(members, coordinator)
    assert len(data) < 1024 * 1024
    with pytest.raises(BundleTooLarge, match="times its packed size"):
        read_bundle(data, coordinator, [practitioner.enrolment])


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(max_file_bytes=1000), "the file is"),
        (Limits(max_members=2), "3 files inside"),
        (Limits(max_uncompressed_bytes=500), "unpacked"),
    ],
)
def test_limits_on_size_and_count(
    practitioner: StoreIdentity, coordinator: StoreIdentity, limits: Limits, message: str
) -> None:
    data = bundle_bytes(practitioner, coordinator)
    with pytest.raises(BundleTooLarge, match=message):
        read_bundle(data, coordinator, [practitioner.enrolment], limits)


def test_file_size_is_checked_without_reading_the_file(
    practitioner: StoreIdentity, coordinator: StoreIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "big.fmb"
    with path.open("wb") as out:  # a sparse file: large on paper, nothing to read
        out.truncate(300 * 1024 * 1024)
    with pytest.raises(BundleTooLarge, match=r"300\.0 MiB"):
        open_bundle(path, coordinator, [practitioner.enrolment])


def test_a_missing_file_is_a_plain_error(coordinator: StoreIdentity, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="was not found"):
        open_bundle(tmp_path / "nope.fmb", coordinator, [])


# ---- writing ---------------------------------------------------------------------------------


def test_a_cancelled_write_leaves_the_old_file_and_no_temporary_one(
    practitioner: StoreIdentity, coordinator: StoreIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "out.fmb"
    path.write_bytes(b"previous bundle")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_bundle(
            path,
            sender=practitioner,
            recipient=coordinator.enrolment,
            changes=family_changes(),
            sequence=1,
            previous_sequence=0,
            acknowledged_up_to=0,
            cancel=token,
        )
    assert path.read_bytes() == b"previous bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["out.fmb"]


def test_writing_over_an_existing_bundle_replaces_it_whole(
    practitioner: StoreIdentity, coordinator: StoreIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "out.fmb"
    path.write_bytes(b"previous bundle")
    write_bundle(
        path,
        sender=practitioner,
        recipient=coordinator.enrolment,
        changes=family_changes(),
        sequence=4,
        previous_sequence=3,
        acknowledged_up_to=0,
    )
    assert open_bundle(path, coordinator, [practitioner.enrolment]).manifest.sequence == 4
    assert [p.name for p in tmp_path.iterdir()] == ["out.fmb"]


# ---- a re-key, told to the other side ---------------------------------------------------------


def test_a_bundle_says_when_its_store_was_re_keyed_and_one_from_before_reads_as_before(
    practitioner: StoreIdentity, coordinator: StoreIdentity
) -> None:
    told = bundle_bytes(practitioner, coordinator, rekeyed_at="2026-12-01T09:30:00+00:00")
    opened = read_bundle(told, coordinator, [practitioner.enrolment])
    assert opened.manifest.rekeyed_at == "2026-12-01T09:30:00+00:00"
    # A store never re-keyed writes no such field: its manifest is as older builds write it.
    plain = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    assert "rekeyed_at" not in json.loads(plain["manifest.json"])
    assert read_bundle(pack(plain, coordinator), coordinator, [practitioner.enrolment])


@pytest.mark.parametrize("value", ["yesterday", "2026-12-01", "2026-12-01T09:30:00", 20261201])
def test_a_re_key_time_that_is_not_one_is_refused_as_a_damaged_manifest(
    practitioner: StoreIdentity, coordinator: StoreIdentity, value: object
) -> None:
    members = unpack(bundle_bytes(practitioner, coordinator), coordinator)
    manifest = json.loads(members["manifest.json"])
    manifest["rekeyed_at"] = value
    with pytest.raises(BundleDamaged, match="rekeyed_at"):
        fmb.Manifest.from_dict(manifest)
