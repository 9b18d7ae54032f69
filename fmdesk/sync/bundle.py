"""Sync bundles: the signed, encrypted files a practitioner and the coordinator exchange.

A bundle is an age file, encrypted to the receiving store's X25519 key only, around a ZIP of
three members: `manifest.json` (who, to whom, which sequence, what it acknowledges, a SHA-256
of every other member), `records.jsonl` (one change a line) and `manifest.json.minisig`, the
sender's minisign signature of the manifest. docs/bundle-format.md is the specification.

`write_bundle` writes one atomically. `open_bundle` refuses anything oversized before
unpacking it, then decrypts, checks the signature against the enrolled sender, the recipient,
the format version and every member's hash, and raises a `BundleError` with a plain message
for each kind of failure. Checking the records themselves is the importer's job: one bad
record is quarantined there, and must not make the whole bundle unreadable here; a line of
records.jsonl that cannot be read as a record comes out as an `UnreadableLine` for the
importer to quarantine in the same way.

Everything is read within bounds (`Limits`, docs/bundle-format.md "Limits"), because up to the
signature check a file may have been made by anyone who knows this store's public key: the
archive's directory is looked at before it is parsed (members, ZIP64, compression methods,
encryption), JSON is read with bounded depth, numbers and size (fmdesk/sync/bounded_json.py),
and every number and text in the manifest is checked for range and length. Whatever is wrong
with a file, `read_bundle` raises a `BundleError` and nothing else.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import struct
import tempfile
import unicodedata
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Self

import pyrage

import fmdesk
from fmdesk import text as fmtext
from fmdesk.errors import UserError, ValidationError
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import SYNC_FIELDS, Record
from fmdesk.roles import Role
from fmdesk.sync import minisig
from fmdesk.sync.bounded_json import JsonBounds, JsonRefused, loads_text
from fmdesk.sync.bounded_json import loads as bounded_loads
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
# Sequence numbers, counts and sizes in a manifest: whole numbers from 0 to 2^53, which every
# JSON reader holds exactly and SQLite's 64-bit integers store (2^63 overflowed them).
MAX_NUMBER = 2**53


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
        # The name comes from a manifest not yet verified: show it safely (no terminal control
        # or direction-override characters) and short.
        claimed_name = fmtext.printable(claimed_name, 80)
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
    # One line of records.jsonl: one record. A long assessment is tens of KiB; a definition's
    # content (a council framework) a few hundred.
    max_line_bytes: int = 8 * 1024 * 1024
    # Objects and lists inside one another, in the manifest or in one record.
    max_json_depth: int = 32
    # Digits in any JSON number (2^53 has 16).
    max_number_digits: int = 30
    # A text in the manifest: a store id, a name, a fingerprint (a rejection's reason: 10x).
    max_manifest_text: int = 1000


DEFAULT_LIMITS = Limits()


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
    def from_line(cls, line: bytes, number: int, limits: "Limits | None" = None) -> Self:
        """The change on one line of records.jsonl, or LineRefused saying what is wrong with
        it (the importer quarantines that line alone). Text arrives in normal form C."""
        limits = limits or DEFAULT_LIMITS
        try:
            if len(line) > limits.max_line_bytes:
                raise JsonRefused(
                    f"it is {len(line):,} bytes, more than the {limits.max_line_bytes:,} allowed"
                )
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise JsonRefused("it is not UTF-8 text") from None
            data = loads_text(
                text, _line_bounds(limits), brackets=line.count(b"[") + line.count(b"{")
            )
        except JsonRefused as exc:
            raise LineRefused(f"{RECORDS} line {number} cannot be read: {exc}") from None
        if type(data) is not dict:
            raise LineRefused(f"{RECORDS} line {number} is not a record (a JSON object)")
        for key in _TEXT_KEYS:
            value = data.get(key)
            if type(value) is not str:
                raise LineRefused(
                    f"{RECORDS} line {number} lacks its kind, id, family or revision", data
                )
            if value and not _LABEL.fullmatch(value):
                raise LineRefused(
                    f"{RECORDS} line {number}: its {key.replace('_', ' ')} is not one", data
                )
        if type(data.get("deleted")) is not bool or type(data.get("fields")) is not dict:
            raise LineRefused(f"{RECORDS} line {number} lacks its deleted flag or fields", data)
        if not data["kind"] or not data["id"]:
            raise LineRefused(f"{RECORDS} line {number} lacks its kind or id", data)
        # Only an escape (\u...) can spell a lone surrogate or text that is not in normal form
        # C once read; other text is in normal form C if the whole line is.
        if b"\\u" in line or not (text.isascii() or unicodedata.is_normalized("NFC", text)):
            try:
                data["fields"] = _normal_form(data["fields"])
            except ValueError as exc:
                raise LineRefused(f"{RECORDS} line {number}: {exc}", data) from None
        return cls(
            kind=data["kind"],
            id=data["id"],
            family_id=data["family_id"],
            revision=data["revision"],
            base_revision=data["base_revision"],
            deleted=data["deleted"],
            fields=data["fields"],
        )


_TEXT_KEYS = ("kind", "id", "family_id", "revision", "base_revision")


class LineRefused(ValidationError):
    """A line of records.jsonl that is not a record; `read` is what could be read of it."""

    def __init__(self, reason: str, read: Mapping[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.read = read or {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnreadableLine:
    """A line of records.jsonl that is not a readable record: the importer quarantines it
    alone, reports it back, and applies the rest of the bundle."""

    number: int
    reason: str
    # The line as it came (undecodable bytes replaced), for the quarantine to keep.
    text: str
    # What could be read of it, where that is well formed; otherwise "".
    kind: str = ""
    id: str = ""
    revision: str = ""

    def as_change(self) -> "Change":
        """The line as the quarantine keeps it: what could be read, and the line itself."""
        return Change(
            kind=self.kind,
            id=self.id,
            family_id="",
            revision=self.revision,
            fields={"records_line": self.number, "line": self.text},
        )


# Ids, kinds and revisions: short, and nothing a terminal or a SQL LIKE would read specially.
_LABEL = re.compile(r"[0-9A-Za-z_.:@-]{1,200}")


def _normal_form(value: Any) -> Any:
    """`value` with every text in normal form C; ValueError for text that is not Unicode (a
    lone surrogate, which JSON can spell as an escape but UTF-8 cannot hold)."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ValueError("it holds a broken character that is not Unicode text")
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_normal_form(v) for v in value]
    if isinstance(value, dict):
        return {_normal_form(k): _normal_form(v) for k, v in value.items()}
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


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
    # When the sender's store was last re-keyed after a suspected compromise (ISO, UTC; "" if
    # never): signed with the rest, so the coordinator learns of it from the store itself.
    # Optional, so bundles from builds before it read as they did.
    rekeyed_at: str = ""
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
        } | ({"rekeyed_at": self.rekeyed_at} if self.rekeyed_at else {})

    def to_json(self) -> bytes:
        # Indented so that a person checking a bundle by hand can read it.
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], limits: "Limits | None" = None) -> Self:
        """The manifest, every number in 0..2^53 and every text within its length; otherwise
        BundleDamaged saying which field is wrong."""
        limits = limits or Limits()
        short = limits.max_manifest_text

        def text(value: Any, limit: int = short) -> str:
            return _text(value, limit)

        try:
            sender, recipient, counts = data["sender"], data["recipient"], data["counts"]
            by_kind, members, rejected = counts["by_kind"], data["members"], data["rejected"]
            if not isinstance(by_kind, dict) or len(by_kind) > 1000:
                raise ValueError("counts.by_kind: expected an object of counts")
            if not isinstance(members, dict) or len(members) > limits.max_members:
                raise ValueError(f"members: expected at most {limits.max_members} members")
            if not isinstance(rejected, list) or len(rejected) > limits.max_records:
                raise ValueError("rejected: expected a list of records")
            manifest = cls(
                format_version=_int(data["format_version"]),
                bundle_id=text(data["bundle_id"]),
                created=text(data["created"]),
                sender_store_id=text(sender["store_id"]),
                sender_role=Role(sender["role"]),
                sender_name=text(sender["name"]),
                sender_key_id=text(sender["key_id"]),
                recipient_store_id=text(recipient["store_id"]),
                recipient_fingerprint=text(recipient["fingerprint"]),
                sequence=_int(data["sequence"]),
                previous_sequence=_int(data["previous_sequence"]),
                acknowledged_up_to=_int(data["acknowledged_up_to"]),
                schema_version=_int(data["schema_version"]),
                app_version=text(data["app_version"]),
                record_count=_int(counts["records"]),
                kind_counts={text(k): _int(v) for k, v in by_kind.items()},
                members={
                    text(name): Member(sha256=text(m["sha256"]), size=_int(m["size"]))
                    for name, m in members.items()
                },
                rejected=tuple(
                    Rejection(
                        **{k: text(r[k]) for k in ("kind", "id", "revision")},
                        reason=text(r["reason"], 10 * short),
                    )
                    for r in rejected
                ),
                rekeyed_at=_rekeyed_at(data.get("rekeyed_at", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleDamaged(f"the manifest is incomplete: {_short(exc)}") from None
        return manifest


def _rekeyed_at(value: Any) -> str:
    """The manifest's re-key time: "" or an ISO date and time with its offset, nothing else."""
    if value == "":
        return ""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("rekeyed_at: expected a date and time")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("rekeyed_at: expected a date and time") from None
    if when.tzinfo is None:
        raise ValueError("rekeyed_at: expected a date and time with its offset from UTC")
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class Bundle:
    """An opened, verified bundle: its manifest, its changes and the enrolled store that sent it."""

    manifest: Manifest
    changes: tuple[Change, ...]
    sender: Enrolment
    # Lines of records.jsonl that are not readable records, each to be quarantined alone.
    unreadable: tuple[UnreadableLine, ...] = ()


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
    rekeyed_at: str = "",
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
        rekeyed_at=rekeyed_at,
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

    archive, infos = _open_archive(plain, limits)
    members = {info.filename: info for info in infos}
    if len(members) != len(infos):
        raise BundleDamaged("the archive holds two members with the same name")
    if MANIFEST not in members or SIGNATURE not in members:
        raise BundleDamaged("the manifest or its signature is missing")

    manifest_bytes = _read_member(archive, members[MANIFEST], limits.max_manifest_bytes)
    try:
        raw_manifest = bounded_loads(
            manifest_bytes, _json_bounds(limits, limits.max_manifest_bytes)
        )
    except JsonRefused as exc:
        raise BundleDamaged(f"the manifest cannot be read: {exc}") from None
    if not isinstance(raw_manifest, dict) or raw_manifest.get("format") != FORMAT_NAME:
        raise BundleDamaged("the manifest is not an fmdesk bundle manifest")
    version = raw_manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleDamaged("the manifest has no format version")
    # Checked before the signature: a newer format may sign differently, and refusing an
    # unverified file here is safe (it only ever leads to "update fmdesk", never to an import).
    if version > FORMAT_VERSION:
        raise NewerFormat(min(version, MAX_NUMBER))

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
    manifest = Manifest.from_dict(raw_manifest, limits)
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
            f"it is addressed to fingerprint {fmtext.printable(manifest.recipient_fingerprint)}; "
            f"this store's is {mine.fingerprint}"
        )

    expected_names = {MANIFEST, SIGNATURE, *manifest.members}
    if set(members) != expected_names:
        raise BundleDamaged("its members differ from those the manifest lists")
    contents: dict[str, bytes] = {}
    for name, declared in manifest.members.items():
        if declared.size != members[name].file_size:
            raise BundleDamaged(f"{name} does not match the manifest")
        content = _read_member(archive, members[name], declared.size)
        if len(content) != declared.size or hashlib.sha256(content).hexdigest() != declared.sha256:
            raise BundleDamaged(f"{name} does not match the manifest")
        contents[name] = content
    if RECORDS not in contents:
        raise BundleDamaged(f"{RECORDS} is missing")
    if manifest.record_count > limits.max_records:
        raise BundleTooLarge(f"{manifest.record_count} records; the limit is {limits.max_records}")

    changes, unreadable = _parse_changes(
        contents[RECORDS], manifest.record_count, limits, progress, cancel
    )
    # The kinds are counted from readable lines; an unreadable line's kind may be unknown.
    if not unreadable and Counter(c.kind for c in changes) != Counter(manifest.kind_counts):
        raise BundleDamaged("the record counts do not match the manifest")
    return Bundle(manifest=manifest, changes=changes, sender=sender, unreadable=unreadable)


# The end of a ZIP's central directory: signature, then (little-endian) this disk, the disk
# the directory starts on, entries on this disk, entries in all, its size and offset, and the
# length of the comment after it.
_END = b"PK\x05\x06"
_END_FORMAT = "<4sHHHHIIH"
_END_SIZE = struct.calcsize(_END_FORMAT)
_ZIP64_LOCATOR = b"PK\x06\x07"
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _open_archive(plain: bytes, limits: Limits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The ZIP inside a bundle and its members, looked at before it is parsed: the number of
    members from the end record, no ZIP64 and no split archive (an fmdesk bundle needs neither),
    then only stored or deflated members, none encrypted, and none too large."""
    damaged = "the archive inside it cannot be read"
    end = plain.rfind(_END, max(0, len(plain) - _END_SIZE - 0xFFFF))
    if end < 0 or len(plain) - end < _END_SIZE:
        raise BundleDamaged(damaged)
    _, disk, first_disk, here, entries, _, offset, _ = struct.unpack_from(_END_FORMAT, plain, end)
    if _ZIP64_LOCATOR in plain[max(0, end - 20) : end] or 0xFFFF in (here, entries):
        raise BundleDamaged(f"{damaged} (it is a ZIP64 archive, which a bundle never is)")
    if disk or first_disk or here != entries or offset == 0xFFFFFFFF:
        raise BundleDamaged(f"{damaged} (it is split across disks)")
    if entries > limits.max_members:
        raise BundleTooLarge(f"{entries} files inside; the limit is {limits.max_members}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(plain))
        infos = archive.infolist()
    except Exception:  # zipfile raises a dozen kinds for a malformed archive
        # (BadZipFile, NotImplementedError for a version byte, struct.error, UnicodeDecodeError,
        # OverflowError...); whichever it is, the file is damaged.
        raise BundleDamaged(damaged) from None
    _check_sizes(infos, limits)
    for info in infos:
        if info.compress_type not in _METHODS:
            raise BundleDamaged(
                f"{_member_name(info)} is packed in a way fmdesk does not read "
                f"(method {info.compress_type})"
            )
        if info.flag_bits & 0x1:
            raise BundleDamaged(f"{_member_name(info)} is password-protected")
    return archive, infos


def _member_name(info: zipfile.ZipInfo) -> str:
    return fmtext.printable(info.filename, 60)


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
                f"{_member_name(info)} unpacks to {ratio:.0f} times its packed size; "
                f"the limit is {limits.max_compression_ratio:.0f}"
            )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read a member, never more than `limit` bytes whatever its header claims."""
    if info.file_size > limit:
        raise BundleDamaged(f"{_member_name(info)} is larger than expected")
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except Exception as exc:  # zlib.error, BadZipFile, a bad CRC, EOFError...
        raise BundleDamaged(f"{_member_name(info)} cannot be unpacked: {_short(exc)}") from None
    if len(content) > limit:
        raise BundleDamaged(f"{_member_name(info)} is larger than expected")
    return content


def _parse_changes(
    records: bytes, expected: int, limits: Limits, progress: Progress, cancel: CancelToken
) -> tuple[tuple[Change, ...], tuple[UnreadableLine, ...]]:
    """The changes in records.jsonl, and the lines that are not readable records (each to be
    quarantined alone: one bad line never makes the bundle unreadable)."""
    lines = records.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != expected:
        raise BundleDamaged(f"{RECORDS} has {len(lines)} records; the manifest says {expected}")
    changes = []
    unreadable = []
    for number, line in enumerate(lines, start=1):
        if number % 1000 == 0:
            cancel.raise_if_cancelled()
            progress(number, expected)
        try:
            changes.append(Change.from_line(line, number, limits))
        except LineRefused as exc:
            unreadable.append(_unreadable(line, number, exc))
    progress(expected, expected)
    return tuple(changes), tuple(unreadable)


def _unreadable(line: bytes, number: int, refused: LineRefused) -> UnreadableLine:
    def label(key: str) -> str:
        value = refused.read.get(key)
        return value if isinstance(value, str) and _LABEL.fullmatch(value) else ""

    return UnreadableLine(
        number=number,
        reason=str(refused),
        text=line.decode("utf-8", "replace"),
        kind=label("kind"),
        id=label("id"),
        revision=label("revision"),
    )


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _text(value: Any, limit: int = 1000) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {_short(value)}")
    if len(value) > limit:
        raise ValueError(f"a text of {len(value):,} characters, more than {limit:,}")
    return value


def _int(value: Any) -> int:
    """A whole number from 0 to 2^53: a sequence, a count, a size or a version."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {_short(value)}")
    if not 0 <= value <= MAX_NUMBER:
        raise ValueError(f"{_short(value)} is out of range (0 to 2^53)")
    return value


def _short(value: Any) -> str:
    """A value or an error as a short, printable text for a message."""
    return fmtext.printable(repr(value) if not isinstance(value, Exception) else str(value), 80)


@functools.cache
def _line_bounds(limits: Limits) -> JsonBounds:
    return _json_bounds(limits, limits.max_line_bytes)


def _json_bounds(limits: Limits, max_bytes: int) -> JsonBounds:
    return JsonBounds(
        max_bytes=max_bytes,
        max_depth=limits.max_json_depth,
        max_digits=limits.max_number_digits,
    )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"
