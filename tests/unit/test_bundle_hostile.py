"""Crafted bundles: files made by someone who has only this store's public key (anyone it was
sent to), or by an enrolled sender whose writer is broken. Each is refused with a BundleError
saying what is wrong, at the signature check or before it, and never crashes the import; a
line of records that is not a record is set aside alone (Bundle.unreadable)."""

import hashlib
import io
import json
import struct
import unicodedata
import zipfile
from typing import Any

import pyrage
import pytest

from fmdesk.families import Family
from fmdesk.roles import Role
from fmdesk.sync import bundle as fmb
from fmdesk.sync.bundle import (
    BadSignature,
    BundleDamaged,
    BundleError,
    BundleTooLarge,
    Change,
    UnknownSender,
    make_bundle,
    read_bundle,
)
from fmdesk.sync.identity import StoreIdentity

FAMILY = Family(
    id="5d3c9a7e-1b2f-4c6d-8e9f-0a1b2c3d4e5f",
    reference="EH-0007",
    name="Okafor family",
    revision="001772446500000-00000-p1",
)


@pytest.fixture(scope="module")
def practitioner() -> StoreIdentity:
    return StoreIdentity.generate(store_id="p1", role=Role.PRACTITIONER, name="Aoife Byrne")


@pytest.fixture(scope="module")
def coordinator() -> StoreIdentity:
    return StoreIdentity.generate(store_id="c1", role=Role.COORDINATOR, name="Central team")


def encrypt_to(recipient: StoreIdentity, plain: bytes) -> bytes:
    """What anyone holding the recipient's public key can make."""
    key = pyrage.x25519.Recipient.from_str(recipient.enrolment.age_recipient)
    return pyrage.encrypt(plain, [key])


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", method) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return archive.getvalue()


def real_members(sender: StoreIdentity, recipient: StoreIdentity) -> dict[str, bytes]:
    data, _ = make_bundle(
        sender=sender,
        recipient=recipient.enrolment,
        changes=[Change.from_record(FAMILY)],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    with zipfile.ZipFile(io.BytesIO(pyrage.decrypt(data, [recipient.age_identity]))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def signed(
    sender: StoreIdentity,
    manifest: dict[str, Any],
    records: bytes,
    trusted_comment: str | None = None,
) -> dict[str, bytes]:
    """A bundle's members as the enrolled sender's own (broken) writer would make them."""
    manifest = json.loads(json.dumps(manifest))
    manifest["members"]["records.jsonl"] = {
        "sha256": hashlib.sha256(records).hexdigest(),
        "size": len(records),
    }
    manifest_bytes = json.dumps(manifest).encode()
    comment = trusted_comment or fmb.Manifest.from_dict(manifest).trusted_comment
    return {
        "manifest.json": manifest_bytes,
        "manifest.json.minisig": sender.sign(manifest_bytes, trusted_comment=comment).encode(),
        "records.jsonl": records,
    }


def refuse(data: bytes, coordinator: StoreIdentity, practitioner: StoreIdentity) -> BundleError:
    with pytest.raises(BundleError) as caught:
        read_bundle(data, coordinator, [practitioner.enrolment])
    assert str(caught.value)
    return caught.value


# ---- made with only the public key: refused before the signature is trusted ------------------


def manifest_with(extra: bytes) -> bytes:
    return b'{"format": "fmdesk-bundle", "format_version": 1, "sender": ' + extra + b"}"


@pytest.mark.parametrize(
    ("manifest", "said"),
    [
        # Nested 100,000 deep: a RecursionError before.
        (manifest_with(b"[" * 100_000 + b"]" * 100_000), "nested more than 32 levels"),
        # Nested 900 deep: read by Python's json, only to break what walks it later.
        (manifest_with(b"[" * 900 + b"]" * 900), "nested more than 32 levels"),
        # A 5,000-digit number: a ValueError (CPython converts at most 4,300 digits).
        (manifest_with(b"9" * 5000), "a number 5,000 digits long"),
        (manifest_with(b"1e999"), "too large"),
        (manifest_with(b"NaN"), "not a JSON number"),
        (b'{"format": "fmdesk-bundle", "format_version": 1, "x": "\xff"}', "not UTF-8"),
        (b'{"format": "fmdesk-bundle", "format_version": ', "not JSON"),
    ],
)
def test_a_crafted_manifest_is_refused_as_damaged(
    manifest: bytes, said: str, coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    members = {"manifest.json": manifest, "manifest.json.minisig": b"not a signature"}
    error = refuse(encrypt_to(coordinator, zip_of(members)), coordinator, practitioner)
    assert isinstance(error, BundleDamaged)
    assert said in str(error)


def patched_zip(members: dict[str, bytes], patch: Any) -> bytes:
    data = bytearray(zip_of(members))
    patch(data)
    return bytes(data)


def version_byte(data: bytearray) -> None:
    # "version needed to extract" of the first member, in its local and central headers.
    data[4] = 70
    data[data.find(b"PK\x01\x02") + 6] = 70


def compression_method(data: bytearray) -> None:
    # Method 99 (AES, WinZip) in the central directory.
    central = data.find(b"PK\x01\x02")
    data[central + 10 : central + 12] = struct.pack("<H", 99)
    data[8:10] = struct.pack("<H", 99)


def encrypted_flag(data: bytearray) -> None:
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01
    data[6] |= 0x01


def many_members(data: bytearray) -> None:
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = struct.pack("<HH", 60_000, 60_000)


def zip64_count(data: bytearray) -> None:
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = struct.pack("<HH", 0xFFFF, 0xFFFF)


@pytest.mark.parametrize(
    ("patch", "error", "said"),
    [
        # A ZIP version byte: a NotImplementedError from zipfile before.
        (version_byte, BundleDamaged, "cannot be read"),
        (compression_method, BundleDamaged, "packed in a way fmdesk does not read"),
        (encrypted_flag, BundleDamaged, "password-protected"),
        (many_members, BundleTooLarge, "60000 files inside"),
        (zip64_count, BundleDamaged, "ZIP64"),
    ],
)
def test_a_crafted_archive_is_refused_before_it_is_unpacked(
    patch: Any,
    error: type[BundleError],
    said: str,
    coordinator: StoreIdentity,
    practitioner: StoreIdentity,
) -> None:
    members = real_members(practitioner, coordinator)
    refused = refuse(
        encrypt_to(coordinator, patched_zip(members, patch)), coordinator, practitioner
    )
    assert isinstance(refused, error)
    assert said in str(refused)


def test_a_forged_manifest_naming_an_enrolled_sender_fails_the_signature(
    coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    # A well-formed manifest with the enrolled sender's key id, but no key to sign it with.
    members = real_members(practitioner, coordinator)
    manifest = json.loads(members["manifest.json"])
    manifest["sequence"] = 2**63
    members["manifest.json"] = json.dumps(manifest).encode()
    refused = refuse(encrypt_to(coordinator, zip_of(members)), coordinator, practitioner)
    assert isinstance(refused, BadSignature)


def test_the_claimed_name_of_an_unknown_sender_is_shown_safely(
    coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    stranger = StoreIdentity.generate(
        store_id="s1", role=Role.PRACTITIONER, name="Mallory \x1b[2J\u202eevil" + "x" * 500
    )
    data, _ = make_bundle(
        sender=stranger,
        recipient=coordinator.enrolment,
        changes=[],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    refused = refuse(data, coordinator, practitioner)
    assert isinstance(refused, UnknownSender)
    assert "Mallory" in str(refused)
    assert "\x1b" not in str(refused)
    assert "\u202e" not in str(refused)
    assert len(str(refused)) < 400


# ---- signed by the enrolled sender, but out of bounds -----------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sequence", 2**63),  # overflowed SQLite's integer when the import recorded it
        ("acknowledged_up_to", 2**63),
        ("previous_sequence", -1),
        ("sequence", 2**53 + 1),
        ("sequence", 1.5),
        ("sequence", True),
        ("bundle_id", "x" * 100_000),
        ("rejected", [{"kind": "family", "id": "a", "revision": "r"}]),
        ("rejected", "abc"),
        ("members", []),
    ],
)
def test_a_signed_manifest_out_of_bounds_is_refused_as_damaged(
    field: str, value: Any, coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    members = real_members(practitioner, coordinator)
    manifest = json.loads(members["manifest.json"])
    comment = fmb.Manifest.from_dict(manifest).trusted_comment
    manifest[field] = value
    manifest_bytes = json.dumps(manifest).encode()
    members["manifest.json"] = manifest_bytes
    members["manifest.json.minisig"] = practitioner.sign(
        manifest_bytes, trusted_comment=comment
    ).encode()
    refused = refuse(encrypt_to(coordinator, zip_of(members)), coordinator, practitioner)
    assert isinstance(refused, BundleDamaged)
    assert "manifest is incomplete" in str(refused)


def test_a_sequence_up_to_2_to_the_53_is_read(
    coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    data, _ = make_bundle(
        sender=practitioner,
        recipient=coordinator.enrolment,
        changes=[],
        sequence=2**53,
        previous_sequence=2**53 - 1,
        acknowledged_up_to=2**53,
    )
    assert read_bundle(data, coordinator, [practitioner.enrolment]).manifest.sequence == 2**53


# ---- lines of records that are not records: set aside one by one ------------------------------


def test_each_unreadable_line_is_set_aside_and_the_rest_are_read(
    coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    good = Change.from_record(FAMILY).to_line()
    missing_keys = json.dumps({"kind": "family", "id": "f-2", "fields": {}}).encode() + b"\n"
    lone_surrogate = good.replace(b"Okafor", b"Oka\\udc00for")
    deep = (
        b'{"kind":"note","id":"n-1","family_id":"","revision":"r","base_revision":"",'
        b'"deleted":false,"fields":{"x":' + b"[" * 50 + b"]" * 50 + b"}}\n"
    )
    digits = good.replace(b'"deleted":false', b'"deleted":false,"n":' + b"9" * 5000)
    records = b"".join(
        [good, b"this is not JSON\n", missing_keys, lone_surrogate, deep, digits, b"[1, 2]\n"]
    )
    manifest = json.loads(real_members(practitioner, coordinator)["manifest.json"])
    manifest["counts"] = {"records": 7, "by_kind": {"family": 7}}
    members = signed(practitioner, manifest, records)
    opened = read_bundle(
        encrypt_to(coordinator, zip_of(members)), coordinator, [practitioner.enrolment]
    )
    assert opened.changes == (Change.from_record(FAMILY),)
    reasons = {line.number: line.reason for line in opened.unreadable}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "records.jsonl line 2 cannot be read: it is not JSON" in reasons[2]
    assert "line 3 lacks its kind, id, family or revision" in reasons[3]
    assert "broken character" in reasons[4]
    assert "nested more than 32 levels" in reasons[5]
    assert "5,000 digits" in reasons[6]
    assert "not a record" in reasons[7]
    # What could be read of a line names it in the quarantine and in the report back.
    missing = next(line for line in opened.unreadable if line.number == 3)
    assert (missing.kind, missing.id) == ("family", "f-2")
    assert missing.as_change().fields["line"] == missing_keys.decode().rstrip("\n")


def test_text_in_a_bundle_arrives_in_normal_form_c(
    coordinator: StoreIdentity, practitioner: StoreIdentity
) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Brontë family")
    change = Change.from_record(FAMILY.replace(name="x"))
    line = change.to_line().replace(b'"name":"x"', f'"name":"{decomposed}"'.encode())
    escaped = change.to_line().replace(b'"name":"x"', b'"name":"Zoe\\u0308"')
    manifest = json.loads(real_members(practitioner, coordinator)["manifest.json"])
    manifest["counts"] = {"records": 2, "by_kind": {"family": 2}}
    members = signed(practitioner, manifest, line + escaped)
    opened = read_bundle(
        encrypt_to(coordinator, zip_of(members)), coordinator, [practitioner.enrolment]
    )
    names = [c.fields["name"] for c in opened.changes]
    assert names == ["Zoë Brontë family", "Zoë"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
