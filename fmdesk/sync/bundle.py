"""Sync bundles: the signed, encrypted files a practitioner and the coordinator exchange.

A bundle is an age file, encrypted to the receiving store's X25519 key only, around a ZIP of
three members: `manifest.json` (who, to whom, which sequence, what it acknowledges, a SHA-256
of every other member), `records.jsonl` (one change a line) and `manifest.json.minisig`, the
sender's minisign signature of the manifest. docs/bundle-format.md is the specification.

`write_bundle` writes one atomically. `open_bundle` refuses anything oversized before
unpacking it, then decrypts, checks the signature against the enrolled sender, the recipient,
the format version and every member's hash, and raises a `BundleError` with a plain message
for each kind of failure. Checking the records themselves is the importer's job: one bad
record is quarantined there, and must not make the whole bundle unreadable here.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Self

import pyrage

import fmdesk
from fmdesk.errors import UserError
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import SYNC_FIELDS, Record
from fmdesk.roles import Role
from fmdesk.sync import minisig
from fmdesk.sync.identity import Enrolment, StoreIdentity

FORMAT_NAME = "fmdesk-bundle"
FORMAT_VERSION = 1
# The version of the record model (fields and kinds) the records were written under.
SCHEMA_VERSION = 1
SUFFIX = ".fmb"

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
RECORDS = "records.jsonl"
AGE_MAGIC = b"age-encryption.org/v1\n"
# A fixed timestamp for ZIP entries, so the same content gives the same ZIP.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# ---- errors ----------------------------------------------------------------------------------


class BundleError(UserError):
    """A bundle cannot be opened; the message says why and what to do."""


class BundleDamaged(BundleError):
    def __init__(self, detail: str = "") -> None:
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"This sync bundle is damaged or incomplete{why}. Nothing was imported from it. "
            "Ask the sender for a fresh copy; a new bundle from them carries the same changes."
        )


class NotABundle(BundleDamaged):
    def __init__(self) -> None:
        UserError.__init__(
            self,
            "This file is not an fmdesk sync bundle. Choose the .fmb file the other store sent.",
        )


class WrongRecipient(BundleError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "This sync bundle was not made for this store"
            + (f" ({detail})" if detail else ", or its opening lines are damaged")
            + ". Ask the sender to check they chose the right partner, and send it again."
        )


class UnknownSender(BundleError):
    def __init__(self, claimed_name: str, key_id: str) -> None:
        super().__init__(
            f"This sync bundle is signed by a store that is not enrolled here (it says it is "
            f"from “{claimed_name}”, key {key_id}). Enrol that store first, checking its "
            "fingerprint by phone, or ask who sent it."
        )


class BadSignature(BundleError):
    def __init__(self) -> None:
        super().__init__(
            "This sync bundle's signature does not match its sender. It may have been altered "
            "on the way. Nothing was imported; ask the sender to make a new bundle."
        )


class BundleTooLarge(BundleError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"This sync bundle is larger than fmdesk accepts ({detail}), so it was not opened. "
            "If it is genuine, ask the sender to send their changes in smaller bundles."
        )


class NewerFormat(BundleError):
    def __init__(self, version: int) -> None:
        super().__init__(
            f"This sync bundle was made by a newer version of fmdesk (bundle format {version}; "
            f"this version reads up to {FORMAT_VERSION}). Update fmdesk, then import it again."
        )


# ---- contents --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Limits:
    """What `open_bundle` accepts, checked before anything is decrypted or unpacked."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_members: int = 8
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    # Deflate can reach about 1000:1 on repeated bytes; real JSON lines stay well under 50:1.
    max_compression_ratio: float = 200.0
    # Small members can have a high ratio without harm, so the ratio applies above this size.
    ratio_floor_bytes: int = 1024 * 1024
    max_manifest_bytes: int = 16 * 1024 * 1024
    max_records: int = 2_000_000


@dataclasses.dataclass(frozen=True, kw_only=True)
class Change:
    """One line of records.jsonl: a record's whole current state and the base it was edited on."""

    kind: str
    id: str
    family_id: str
    revision: str
    deleted: bool = False
    # The revision of the version both sides last agreed on ("" when the receiver has none).
    base_revision: str = ""
    fields: Mapping[str, Any]

    @classmethod
    def from_record(cls, record: Record, *, base_revision: str = "") -> Self:
        return cls.from_record_dict(record.KIND, record.to_dict(), base_revision=base_revision)

    @classmethod
    def from_record_dict(
        cls, kind: str, data: Mapping[str, Any], *, base_revision: str = ""
    ) -> Self:
        return cls(
            kind=kind,
            id=data["id"],
            family_id=data.get("family_id", ""),
            revision=data.get("revision", ""),
            deleted=bool(data.get("deleted", False)),
            base_revision=base_revision,
            fields={k: v for k, v in data.items() if k not in SYNC_FIELDS},
        )

    def record_dict(self) -> dict[str, Any]:
        """The record in `Record.to_dict()` form, for `record_from_dict` and for merging."""
        return {
            **self.fields,
            "id": self.id,
            "family_id": self.family_id,
            "revision": self.revision,
            "deleted": self.deleted,
        }

    def to_line(self) -> bytes:
        data = {
            "kind": self.kind,
            "id": self.id,
            "family_id": self.family_id,
            "revision": self.revision,
            "deleted": self.deleted,
            "base_revision": self.base_revision,
            "fields": dict(self.fields),
        }
        return _canonical(data) + b"\n"

    @classmethod
    def from_line(cls, line: bytes, number: int) -> Self:
        where = f"{RECORDS} line {number}"
        try:
            data = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BundleDamaged(f"{where} is not JSON") from None
        if not isinstance(data, dict):
            raise BundleDamaged(f"{where} is not an object")
        text_keys = ("kind", "id", "family_id", "revision", "base_revision")
        if not all(isinstance(data.get(k), str) for k in text_keys):
            raise BundleDamaged(f"{where} lacks its kind, id, family or revision")
        if not isinstance(data.get("deleted"), bool) or not isinstance(data.get("fields"), dict):
            raise BundleDamaged(f"{where} lacks its deleted flag or fields")
        return cls(**{k: data[k] for k in (*text_keys, "deleted", "fields")})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rejection:
    """A record the receiver quarantined, reported back to its sender with the reason."""

    kind: str
    id: str
    revision: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Member:
    sha256: str
    size: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class Manifest:
    bundle_id: str
    created: str
    sender_store_id: str
    sender_role: Role
    sender_name: str
    sender_key_id: str
    recipient_store_id: str
    recipient_fingerprint: str
    sequence: int
    previous_sequence: int
    acknowledged_up_to: int
    schema_version: int
    app_version: str
    record_count: int
    kind_counts: Mapping[str, int]
    members: Mapping[str, Member]
    rejected: tuple[Rejection, ...] = ()
    format_version: int = FORMAT_VERSION

    @property
    def trusted_comment(self) -> str:
        """What the signature's trusted comment says: the bundle and whom it is for."""
        return (
            f"{FORMAT_NAME} {self.bundle_id} seq {self.sequence} "
            f"to {self.recipient_store_id} [{self.recipient_fingerprint}]"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "bundle_id": self.bundle_id,
            "created": self.created,
            "sender": {
                "store_id": self.sender_store_id,
                "role": self.sender_role.value,
                "name": self.sender_name,
                "key_id": self.sender_key_id,
            },
            "recipient": {
                "store_id": self.recipient_store_id,
                "fingerprint": self.recipient_fingerprint,
            },
            "sequence": self.sequence,
            "previous_sequence": self.previous_sequence,
            "acknowledged_up_to": self.acknowledged_up_to,
            "schema_version": self.schema_version,
            "app_version": self.app_version,
            "counts": {"records": self.record_count, "by_kind": dict(self.kind_counts)},
            "members": {
                name: {"sha256": m.sha256, "size": m.size} for name, m in self.members.items()
            },
            "rejected": [dataclasses.asdict(r) for r in self.rejected],
        }

    def to_json(self) -> bytes:
        # Indented so that a person checking a bundle by hand can read it.
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        try:
            sender, recipient, counts = data["sender"], data["recipient"], data["counts"]
            manifest = cls(
                format_version=_int(data["format_version"]),
                bundle_id=_text(data["bundle_id"]),
                created=_text(data["created"]),
                sender_store_id=_text(sender["store_id"]),
                sender_role=Role(sender["role"]),
                sender_name=_text(sender["name"]),
                sender_key_id=_text(sender["key_id"]),
                recipient_store_id=_text(recipient["store_id"]),
                recipient_fingerprint=_text(recipient["fingerprint"]),
                sequence=_int(data["sequence"]),
                previous_sequence=_int(data["previous_sequence"]),
                acknowledged_up_to=_int(data["acknowledged_up_to"]),
                schema_version=_int(data["schema_version"]),
                app_version=_text(data["app_version"]),
                record_count=_int(counts["records"]),
                kind_counts={_text(k): _int(v) for k, v in counts["by_kind"].items()},
                members={
                    _text(name): Member(sha256=_text(m["sha256"]), size=_int(m["size"]))
                    for name, m in data["members"].items()
                },
                rejected=tuple(
                    Rejection(**{k: _text(r[k]) for k in ("kind", "id", "revision", "reason")})
                    for r in data["rejected"]
                ),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleDamaged(f"the manifest is incomplete: {exc}") from None
        return manifest


@dataclasses.dataclass(frozen=True, kw_only=True)
class Bundle:
    """An opened, verified bundle: its manifest, its changes and the enrolled store that sent it."""

    manifest: Manifest
    changes: tuple[Change, ...]
    sender: Enrolment


# ---- writing ---------------------------------------------------------------------------------


def make_bundle(
    *,
    sender: StoreIdentity,
    recipient: Enrolment,
    changes: Iterable[Change],
    sequence: int,
    previous_sequence: int,
    acknowledged_up_to: int,
    rejected: Iterable[Rejection] = (),
    schema_version: int = SCHEMA_VERSION,
    bundle_id: str | None = None,
    created: dt.datetime | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[bytes, Manifest]:
    """The encrypted bytes of a bundle, and its manifest. Only `recipient` can decrypt them."""
    records = io.BytesIO()
    kinds: Counter[str] = Counter()
    for number, change in enumerate(changes):
        if number % 1000 == 0:
            cancel.raise_if_cancelled()
        records.write(change.to_line())
        kinds[change.kind] += 1
    records_bytes = records.getvalue()
    created = created or dt.datetime.now(dt.UTC)
    manifest = Manifest(
        bundle_id=bundle_id or str(uuid.uuid4()),
        created=created.astimezone(dt.UTC).isoformat(timespec="seconds"),
        sender_store_id=sender.store_id,
        sender_role=sender.role,
        sender_name=sender.name,
        sender_key_id=sender.enrolment.key_id_text,
        recipient_store_id=recipient.store_id,
        recipient_fingerprint=recipient.fingerprint,
        sequence=sequence,
        previous_sequence=previous_sequence,
        acknowledged_up_to=acknowledged_up_to,
        schema_version=schema_version,
        app_version=fmdesk.__version__,
        record_count=kinds.total(),
        kind_counts=dict(sorted(kinds.items())),
        members={
            RECORDS: Member(
                sha256=hashlib.sha256(records_bytes).hexdigest(), size=len(records_bytes)
            )
        },
        rejected=tuple(rejected),
    )
    manifest_bytes = manifest.to_json()
    signature = sender.sign(manifest_bytes, trusted_comment=manifest.trusted_comment)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, content, method in (
            (MANIFEST, manifest_bytes, zipfile.ZIP_STORED),
            (SIGNATURE, signature.encode("ascii"), zipfile.ZIP_STORED),
            (RECORDS, records_bytes, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = method
            info.external_attr = 0o600 << 16
            zf.writestr(info, content)
    cancel.raise_if_cancelled()
    recipient_key = pyrage.x25519.Recipient.from_str(recipient.age_recipient)
    return pyrage.encrypt(archive.getvalue(), [recipient_key]), manifest


def write_bundle(path: Path | str, **kwargs: Any) -> Manifest:
    """Make a bundle (see `make_bundle` for the arguments) and write it to `path` atomically:
    a temporary file beside it, flushed to disk, then renamed over it. A full disk or a crash
    leaves either the old file or none, never half a bundle."""
    data, manifest = make_bundle(**kwargs)
    write_atomically(Path(path), data)
    return manifest


def write_atomically(path: Path, data: bytes) -> None:
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# ---- reading ---------------------------------------------------------------------------------


def open_bundle(
    path: Path | str,
    identity: StoreIdentity,
    known_senders: Iterable[Enrolment],
    limits: Limits = Limits(),
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Bundle:
    """Open and verify the bundle at `path` for the store whose secrets are `identity`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BundleError(f"The file {path.name} was not found.") from None
    if size > limits.max_file_bytes:
        raise BundleTooLarge(
            f"the file is {_mib(size)}; the limit is {_mib(limits.max_file_bytes)}"
        )
    return read_bundle(
        path.read_bytes(), identity, known_senders, limits, progress=progress, cancel=cancel
    )


def read_bundle(
    data: bytes,
    identity: StoreIdentity,
    known_senders: Iterable[Enrolment],
    limits: Limits = Limits(),
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Bundle:
    """`open_bundle` for bytes already in memory."""
    if len(data) > limits.max_file_bytes:
        raise BundleTooLarge(
            f"the file is {_mib(len(data))}; the limit is {_mib(limits.max_file_bytes)}"
        )
    if not data.startswith(AGE_MAGIC):
        raise NotABundle()
    try:
        plain = pyrage.decrypt(data, [identity.age_identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise WrongRecipient() from None
        raise BundleDamaged("it does not decrypt cleanly; it may be cut short") from None
    cancel.raise_if_cancelled()

    try:
        archive = zipfile.ZipFile(io.BytesIO(plain))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise BundleDamaged("the archive inside it cannot be read") from None
    _check_sizes(infos, limits)
    members = {info.filename: info for info in infos}
    if len(members) != len(infos):
        raise BundleDamaged("the archive holds two members with the same name")
    if MANIFEST not in members or SIGNATURE not in members:
        raise BundleDamaged("the manifest or its signature is missing")

    manifest_bytes = _read_member(archive, members[MANIFEST], limits.max_manifest_bytes)
    try:
        raw_manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleDamaged("the manifest is not JSON") from None
    if not isinstance(raw_manifest, dict) or raw_manifest.get("format") != FORMAT_NAME:
        raise BundleDamaged("the manifest is not an fmdesk bundle manifest")
    version = raw_manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleDamaged("the manifest has no format version")
    # Checked before the signature: a newer format may sign differently, and refusing an
    # unverified file here is safe (it only ever leads to "update fmdesk", never to an import).
    if version > FORMAT_VERSION:
        raise NewerFormat(version)

    # Who signed it: only an enrolled store's key is ever trusted.
    signature_text = _read_member(archive, members[SIGNATURE], 4096).decode("ascii", "replace")
    try:
        signed_key_id = minisig.signature_key_id(signature_text)
    except minisig.MinisignError:
        raise BadSignature() from None
    sender = next((e for e in known_senders if e.key_id == signed_key_id), None)
    if sender is None:
        claimed = raw_manifest.get("sender")
        name = claimed.get("name") if isinstance(claimed, dict) else None
        raise UnknownSender(
            name if isinstance(name, str) else "an unknown store",
            minisig.key_id_text(signed_key_id),
        )
    try:
        trusted_comment = minisig.verify(
            sender.signing_public_key, sender.key_id, manifest_bytes, signature_text
        )
    except minisig.MinisignError:
        raise BadSignature() from None
    manifest = Manifest.from_dict(raw_manifest)
    if trusted_comment != manifest.trusted_comment:
        raise BadSignature()
    if manifest.sender_store_id != sender.store_id or manifest.sender_key_id != sender.key_id_text:
        raise BadSignature()

    # Whom it is for: the signed manifest names the recipient's keys, so a bundle cannot be
    # decrypted by one partner and passed on, re-encrypted, to another.
    mine = identity.enrolment
    if (
        manifest.recipient_store_id != mine.store_id
        or manifest.recipient_fingerprint != mine.fingerprint
    ):
        raise WrongRecipient(
            f"it is addressed to fingerprint {manifest.recipient_fingerprint}; "
            f"this store's is {mine.fingerprint}"
        )

    expected_names = {MANIFEST, SIGNATURE, *manifest.members}
    if set(members) != expected_names:
        raise BundleDamaged("its members differ from those the manifest lists")
    contents: dict[str, bytes] = {}
    for name, declared in manifest.members.items():
        content = _read_member(archive, members[name], declared.size)
        if len(content) != declared.size or hashlib.sha256(content).hexdigest() != declared.sha256:
            raise BundleDamaged(f"{name} does not match the manifest")
        contents[name] = content
    if RECORDS not in contents:
        raise BundleDamaged(f"{RECORDS} is missing")
    if manifest.record_count > limits.max_records:
        raise BundleTooLarge(f"{manifest.record_count} records; the limit is {limits.max_records}")

    changes = _parse_changes(contents[RECORDS], manifest.record_count, progress, cancel)
    if Counter(c.kind for c in changes) != Counter(manifest.kind_counts):
        raise BundleDamaged("the record counts do not match the manifest")
    return Bundle(manifest=manifest, changes=changes, sender=sender)


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise BundleTooLarge(f"{len(infos)} files inside; the limit is {limits.max_members}")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise BundleTooLarge(
            f"{_mib(total)} unpacked; the limit is {_mib(limits.max_uncompressed_bytes)}"
        )
    for info in infos:
        if info.file_size <= limits.ratio_floor_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise BundleTooLarge(
                f"{info.filename} unpacks to {ratio:.0f} times its packed size; "
                f"the limit is {limits.max_compression_ratio:.0f}"
            )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read a member, never more than `limit` bytes whatever its header claims."""
    if info.file_size > limit:
        raise BundleDamaged(f"{info.filename} is larger than expected")
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise BundleDamaged(f"{info.filename} cannot be unpacked: {exc}") from None
    except Exception as exc:  # zlib.error and other decompressor faults
        raise BundleDamaged(f"{info.filename} cannot be unpacked: {exc}") from None
    if len(content) > limit:
        raise BundleDamaged(f"{info.filename} is larger than expected")
    return content


def _parse_changes(
    records: bytes, expected: int, progress: Progress, cancel: CancelToken
) -> tuple[Change, ...]:
    lines = records.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != expected:
        raise BundleDamaged(f"{RECORDS} has {len(lines)} records; the manifest says {expected}")
    changes = []
    for number, line in enumerate(lines, start=1):
        if number % 1000 == 0:
            cancel.raise_if_cancelled()
            progress(number, expected)
        changes.append(Change.from_line(line, number))
    progress(expected, expected)
    return tuple(changes)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"
