"""Sync on the store: enrolled partners, the outbox, exporting and importing bundles.

The bookkeeping (tables made by db/migrations.py: m003_sync) is per partner:
- `sync_partners`: each enrolled partner's enrolment, the last sequence we sent it, the highest
  sequence we imported from it, and the highest of our sequences it has acknowledged.
- `sync_base`: for each record, the last version both we and the partner know. A record whose
  revision differs from it is in the outbox: every export carries it until acknowledged.
- `sync_sent`: which version of each record went in which bundle, so that an acknowledgement
  can move the base forward.
- `sync_imported`: every bundle imported, by id, with its summary (importing twice is a no-op).
- `sync_conflicts`: both values of every field two sides changed differently, until resolved.
- `sync_quarantine`: incoming records that failed validation, reported back in the next bundle.

Every import and export is one transaction. Threading: like the Store, call on its thread.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyrage

from db.store import Store
from fmdesk.catalog import RECORD_KINDS
from fmdesk.definition import Definition, check_fits
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family, FamilyStatus
from fmdesk.programme import Allocation
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import Record, kind_class
from fmdesk.roles import Role
from fmdesk.sync.bundle import Change, Limits, Rejection, open_bundle, write_bundle
from fmdesk.sync.identity import Enrolment, StoreIdentity
from fmdesk.sync.merge import META_KEYS, MISSING, FieldConflict, Outcome, merge_record

IDENTITY_SETTING = "sync.identity"
# A hybrid-logical-clock revision (fmdesk/hlc.py): milliseconds, counter, device.
_REVISION = re.compile(r"\d+-\d+-[^-]+\Z")
# The key-file slot holding the data key sealed to the coordinator (db/recovery.py).
RECOVERY_SLOT = "recovery"
RECOVERY_KEY_FORMAT = "fmdesk-recovery-key/1"


class NotEnrolled(UserError):
    def __init__(self) -> None:
        super().__init__(
            "No partner is enrolled yet. Import the other store's enrolment file first."
        )


class CannotPurge(UserError):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class Partner:
    enrolment: Enrolment
    last_sent: int
    received_up_to: int
    acked_by_them: int
    last_sent_at: str | None
    last_received_at: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportResult:
    path: Path
    partner: str
    sequence: int
    changes: int
    rejected_reported: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportResult:
    bundle_id: str
    partner: str
    sequence: int
    duplicate: bool = False
    # (first, last) sequences missing before this bundle; the bundle was still applied.
    gap: tuple[int, int] | None = None
    new: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: tuple[Rejection, ...] = ()
    # What the partner told us about our records it quarantined.
    reported_back: tuple[Rejection, ...] = ()

    def describe(self) -> list[str]:
        """The result in plain words: a headline, then a line per rejected record and gap."""
        if self.duplicate:
            return ["Already imported: nothing changed."]
        parts = [
            _count(self.new, "new record", "new records"),
            f"{self.updated} updated",
            f"{self.merged} merged with changes made here",
            _count(self.conflicts, "conflict", "conflicts")
            + (" to decide" if self.conflicts else ""),
            f"{len(self.rejected)} rejected",
        ]
        lines = [", ".join(parts) + "."]
        if self.unchanged:
            lines[0] += f" {self.unchanged} already up to date."
        lines += [f"Rejected {r.kind} {r.id[:8]}: {r.reason}" for r in self.rejected]
        if self.gap:
            first, last = self.gap
            missing = f"bundle {first}" if first == last else f"bundles {first} to {last}"
            lines.append(
                f"The partner's {missing} never arrived here; nothing is lost (each bundle "
                "carries every change not yet acknowledged)."
            )
        lines += [
            f"The partner could not accept our {r.kind} {r.id[:8]}: {r.reason}"
            for r in self.reported_back
        ]
        return lines

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ImportResult:
        data = json.loads(text)
        data["gap"] = tuple(data["gap"]) if data["gap"] else None
        data["rejected"] = tuple(Rejection(**r) for r in data["rejected"])
        data["reported_back"] = tuple(Rejection(**r) for r in data["reported_back"])
        return cls(**data)


# ---- identity and partners -------------------------------------------------------------------


def identity(store: Store) -> StoreIdentity:
    """This store's sync keys, made on first use and kept in its encrypted settings."""
    saved = store.get_setting(IDENTITY_SETTING)
    if saved is not None:
        return StoreIdentity.from_secret_bytes(base64.b64decode(saved))
    made = StoreIdentity.generate(
        store_id=store.info.store_id, role=store.info.role, name=store.info.owner_name
    )
    store.set_setting(IDENTITY_SETTING, base64.b64encode(made.secret_bytes()).decode("ascii"))
    return made


def enrol(store: Store, enrolment: Enrolment) -> None:
    """Record a partner whose fingerprint the user has confirmed. A practitioner store knows one
    coordinator; a coordinator knows many practitioners. Re-enrolling replaces the keys."""
    if enrolment.store_id == store.info.store_id:
        raise UserError("That is this store's own enrolment file; import the other store's.")
    if enrolment.role is store.info.role:
        raise UserError(
            f"Both stores are {store.info.role.label.lower()} stores; a practitioner enrols "
            "the coordinator and the coordinator enrols practitioners."
        )
    with store.transaction():
        if store.info.role is Role.PRACTITIONER:
            others = store.db.execute(
                "SELECT store_id FROM sync_partners WHERE store_id != ?", [enrolment.store_id]
            ).fetchall()
            if others:
                raise UserError("This store already has a coordinator enrolled.")
        store.db.execute(
            "INSERT INTO sync_partners (store_id, enrolment) VALUES (?, ?) "
            "ON CONFLICT(store_id) DO UPDATE SET enrolment = excluded.enrolment",
            [enrolment.store_id, enrolment.to_json().decode("utf-8")],
        )
    if store.info.role is Role.PRACTITIONER:
        seal_recovery_slot(store, enrolment)


def seal_recovery_slot(store: Store, coordinator: Enrolment) -> bool:
    """Seal the store's data key to the coordinator's age recipient, as the `recovery` slot
    of keys.json, so that a forgotten passphrase never loses work (docs/recovery.md). This is
    escrow: the coordinator store's keys can unlock this store. False, with nothing written,
    for a store that is not encrypted (a benchmark store)."""
    try:
        keys, data_key = store.key_file, store.data_key
    except RuntimeError:
        return False
    payload = json.dumps(
        {
            "format": RECOVERY_KEY_FORMAT,
            "store_id": keys.store_id,
            "data_key": base64.b64encode(data_key).decode("ascii"),
        }
    ).encode("utf-8")
    recipient = pyrage.x25519.Recipient.from_str(coordinator.age_recipient)
    keys.set_sealed_slot(
        RECOVERY_SLOT,
        {
            "coordinator": coordinator.store_id,
            "coordinator_name": coordinator.name,
            "coordinator_fingerprint": coordinator.fingerprint,
            "sealed": base64.b64encode(pyrage.encrypt(payload, [recipient])).decode("ascii"),
        },
    )
    store.save_key_file()
    return True


def partners(store: Store) -> list[Partner]:
    with store.transaction():
        rows = store.db.execute(
            "SELECT enrolment, last_sent, received_up_to, acked_by_them, last_sent_at, "
            "last_received_at FROM sync_partners ORDER BY store_id"
        ).fetchall()
    return [_partner_from_row(r) for r in rows]


def _partner_from_row(row: Sequence[Any]) -> Partner:
    return Partner(
        enrolment=Enrolment.from_json(row[0].encode("utf-8")),
        last_sent=row[1],
        received_up_to=row[2],
        acked_by_them=row[3],
        last_sent_at=row[4],
        last_received_at=row[5],
    )


def pending_count(store: Store, partner_id: str) -> int:
    """How many records the partner has not yet acknowledged."""
    with store.transaction():
        return len(_outbox(store, partner_id))


# ---- export ----------------------------------------------------------------------------------


def export_bundle(
    store: Store,
    partner_id: str,
    path: Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExportResult:
    """Write a bundle for `partner_id`: every change it has not acknowledged, what we have
    received from it, and the records of its we quarantined. The file is written inside the
    transaction that records it, so either both happen or neither does."""
    me = identity(store)
    with store.transaction():
        partner = _partner(store, partner_id)
        outbox = _outbox(store, partner_id)
        progress(0, len(outbox))
        sequence = partner.last_sent + 1
        changes = [
            Change.from_record_dict(kind, body, base_revision=base_revision)
            for kind, body, base_revision in outbox
        ]
        store.db.conn.executemany(
            "INSERT INTO sync_sent (partner, sequence, id, revision, body) VALUES (?, ?, ?, ?, ?)",
            [(partner_id, sequence, c.id, c.revision, _dump(c.record_dict())) for c in changes],
        )
        quarantined = store.db.execute(
            "SELECT rowid, kind, record_id, revision, reason FROM sync_quarantine "
            "WHERE partner = ? AND acknowledged = 0 ORDER BY rowid",
            [partner_id],
        ).fetchall()
        store.db.conn.executemany(
            "UPDATE sync_quarantine SET reported_in = ? WHERE rowid = ?",
            [(sequence, r[0]) for r in quarantined],
        )
        store.db.execute(
            "UPDATE sync_partners SET last_sent = ?, last_sent_at = ? WHERE store_id = ?",
            [sequence, _now(), partner_id],
        )
        write_bundle(
            path,
            sender=me,
            recipient=partner.enrolment,
            changes=changes,
            sequence=sequence,
            previous_sequence=partner.last_sent,
            acknowledged_up_to=partner.received_up_to,
            rejected=[
                Rejection(kind=r[1], id=r[2], revision=r[3], reason=r[4]) for r in quarantined
            ],
            cancel=cancel,
        )
    progress(len(outbox), len(outbox))
    return ExportResult(
        path=Path(path),
        partner=partner_id,
        sequence=sequence,
        changes=len(changes),
        rejected_reported=len(quarantined),
    )


def _outbox(store: Store, partner_id: str) -> list[tuple[str, dict[str, Any], str]]:
    """(kind, record, base revision) of every record whose current version the partner lacks.

    A coordinator sends a practitioner the records of the families allocated to it, every
    council definition (frameworks, templates, instruments: they belong to no family), and the
    Allocation record of each family moved away from it (the withdrawal: docs/bundle-format.md).
    Fields a record keeps only in this store (`LOCAL_FIELDS`) never travel."""
    rows = store.db.execute(
        "SELECT r.kind, r.body, coalesce(b.revision, '') FROM records r "
        "LEFT JOIN sync_base b ON b.partner = ? AND b.id = r.id "
        "WHERE b.revision IS NULL OR b.revision != r.revision ORDER BY r.revision",
        [partner_id],
    ).fetchall()
    outbox = [(kind, json.loads(body), base) for kind, body, base in rows]
    if store.info.role is Role.COORDINATOR:
        allocated = {
            f.id for f in store.list(Family, include_deleted=True) if f.allocated_to == partner_id
        }
        outbox = [
            row
            for row in outbox
            if row[1].get("family_id") in allocated
            or row[0] == Definition.KIND
            or (row[0] == Allocation.KIND and row[1].get("from_store") == partner_id)
        ]
    for kind, body, _ in outbox:
        local = _local_defaults(kind)
        if local:
            body.update(local)
    # A record made and deleted before the partner ever saw it need not travel at all.
    sent = {
        r[0] for r in store.db.execute("SELECT id FROM sync_sent WHERE partner = ?", [partner_id])
    }
    return [row for row in outbox if row[2] or not row[1].get("deleted") or row[1]["id"] in sent]


_LOCAL_DEFAULTS: dict[str, dict[str, Any]] = {}


def _local_defaults(kind: str) -> dict[str, Any]:
    """The fields a kind keeps only in its own store (`LOCAL_FIELDS`), at their defaults: what
    a bundle carries in their place, and what an incoming record's are set to."""
    found = _LOCAL_DEFAULTS.get(kind)
    if found is None:
        cls = RECORD_KINDS.get(kind)
        names = set(getattr(cls, "LOCAL_FIELDS", ())) if cls is not None else set()
        found = {f.name: f.default for f in dataclasses.fields(cls or Record) if f.name in names}
        _LOCAL_DEFAULTS[kind] = found
    return found


# ---- import ----------------------------------------------------------------------------------


def import_bundle(
    store: Store,
    path: Path,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Verify and apply one bundle in one transaction (all of it or none of it)."""
    me, known = _keys_and_senders(store)
    return _import(store, path, me, known, limits, progress, cancel)


def _keys_and_senders(store: Store) -> tuple[StoreIdentity, list[Enrolment]]:
    known = [p.enrolment for p in partners(store)]
    if not known:
        raise NotEnrolled()
    return identity(store), known


def _import(
    store: Store,
    path: Path,
    me: StoreIdentity,
    known: list[Enrolment],
    limits: Limits,
    progress: Progress,
    cancel: CancelToken,
) -> ImportResult:
    bundle = open_bundle(path, me, known, limits, progress=progress, cancel=cancel)
    manifest = bundle.manifest
    partner_id = bundle.sender.store_id
    with store.transaction():
        done = store.db.execute(
            "SELECT summary FROM sync_imported WHERE bundle_id = ?", [manifest.bundle_id]
        ).fetchone()
        if done:
            return dataclasses.replace(ImportResult.from_json(done[0]), duplicate=True)
        partner = _partner(store, partner_id)
        gap = None
        if manifest.sequence > partner.received_up_to + 1:
            gap = (partner.received_up_to + 1, manifest.sequence - 1)
        _apply_acknowledgement(store, partner, manifest.acknowledged_up_to)
        counts: dict[str, int] = dict.fromkeys(("new", "updated", "merged", "unchanged"), 0)
        conflicts = 0
        rejected: list[Rejection] = []
        applier = _Applier(store, partner_id, manifest.bundle_id, [c.id for c in bundle.changes])
        if store.info.role is Role.PRACTITIONER:
            applier.arriving_families = {
                c.family_id or c.id for c in bundle.changes if c.kind == Family.KIND
            }
        for number, change in enumerate(bundle.changes, start=1):
            if number % 500 == 0:
                cancel.raise_if_cancelled()
                progress(number, len(bundle.changes))
            try:
                outcome, found = applier.apply(change)
            except ValidationError as exc:
                rejected.append(_quarantine(store, partner_id, manifest.bundle_id, change, exc))
                continue
            conflicts += found
            key = {
                Outcome.NEW: "new",
                Outcome.TAKEN: "updated",
                Outcome.MERGED: "merged",
                Outcome.CONFLICT: "merged",
            }.get(outcome, "unchanged")
            counts[key] += 1
        applier.flush()
        if store.info.role is Role.PRACTITIONER:
            mark_withdrawals(store, applier.families - {""})
        store.db.execute(
            "UPDATE sync_partners SET received_up_to = max(received_up_to, ?), "
            "last_received_at = ? WHERE store_id = ?",
            [manifest.sequence, _now(), partner_id],
        )
        result = ImportResult(
            bundle_id=manifest.bundle_id,
            partner=partner_id,
            sequence=manifest.sequence,
            gap=gap,
            conflicts=conflicts,
            rejected=tuple(rejected),
            reported_back=manifest.rejected,
            **counts,
        )
        store.db.execute(
            "INSERT INTO sync_imported (bundle_id, partner, sequence, imported_at, summary) "
            "VALUES (?, ?, ?, ?, ?)",
            [manifest.bundle_id, partner_id, manifest.sequence, _now(), result.to_json()],
        )
    progress(len(bundle.changes), len(bundle.changes))
    return result


def mark_withdrawals(store: Store, family_ids: Iterable[str]) -> list[Family]:
    """In a practitioner's store: mark each of these families that the coordinator has moved
    to another practitioner (its latest Allocation names another store) as withdrawn, and
    unmark one allocated back here. The family record keeps its revision, and the marks are
    local fields that never travel, so nothing new is sent because of them; changes made
    before the withdrawal arrived are still in the outbox. Returns the families changed."""
    me = store.info.store_id
    changed: list[Family] = []
    for family_id in sorted(family_ids):
        family = store.get(Family, family_id)
        if family is None:
            continue
        allocations = store.list(Allocation, family_id=family_id)
        latest = max(allocations, key=lambda a: a.revision, default=None)
        if latest is not None and latest.to_store != me:
            marked = family.replace(withdrawn_on=latest.on, withdrawn_reason=latest.reason)
        else:
            marked = family.replace(withdrawn_on=None, withdrawn_reason="")
        if marked != family:
            store.write_rows([marked])  # the same revision: see above
            changed.append(marked)
    return changed


# Bundles imported together are committed in groups of about this many records. Each commit
# costs a WAL write and, now and then, a checkpoint; one per bundle made a coordinator's import
# of 70 bundles twice as slow. Each bundle is still all or nothing (its own savepoint).
GROUP_RECORDS = 50_000


def import_bundles(
    store: Store,
    paths: Sequence[Path],
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ImportResult | UserError]:
    """Import many bundles; one refused bundle does not stop the rest. Returns, per path, its
    result or the error that refused it.

    Each bundle applies whole or not at all (a savepoint inside a group transaction). Groups
    of bundles commit together (`GROUP_RECORDS`), so a cancel, a crash or a full disk loses at
    most the group under way, whole bundles only, and importing again finishes the job."""
    me, known = _keys_and_senders(store)
    results: list[ImportResult | UserError] = []
    with contextlib.ExitStack() as group:
        in_group = 0
        for done, path in enumerate(paths):
            cancel.raise_if_cancelled()
            progress(done, len(paths))
            if in_group == 0:
                group.enter_context(store.transaction())
            try:
                result = _import(store, path, me, known, limits, no_progress, cancel)
            except UserError as exc:
                results.append(exc)
                continue
            results.append(result)
            in_group += max(1, result.new + result.updated + result.merged + result.unchanged)
            if in_group >= GROUP_RECORDS:
                group.close()  # commit this group; the next bundle starts another
                in_group = 0
    progress(len(paths), len(paths))
    return results


class _Applier:
    """Applies one bundle's changes inside the import's transaction.

    Looks up the local copies and bases of all the bundle's records in a few queries, and
    writes records and bases in bulk at the end (`flush`): per-record queries cost more than
    the merging itself. Later changes in the same bundle see earlier ones (`_local`)."""

    CHUNK = 500  # ids per IN (...) query, well under SQLite's limit of bound parameters

    def __init__(self, store: Store, partner_id: str, bundle_id: str, ids: list[str]) -> None:
        self.store = store
        self.partner_id = partner_id
        self.bundle_id = bundle_id
        self._local: dict[str, tuple[str, str | dict[str, Any]]] = {}
        self._base: dict[str, str | dict[str, Any]] = {}
        for start in range(0, len(ids), self.CHUNK):
            chunk = ids[start : start + self.CHUNK]
            marks = ",".join("?" * len(chunk))
            for record_id, kind, body in store.db.execute(
                f"SELECT id, kind, body FROM records WHERE id IN ({marks})", chunk
            ):
                self._local[record_id] = (kind, body)
            for record_id, body in store.db.execute(
                f"SELECT id, body FROM sync_base WHERE partner = ? AND id IN ({marks})",
                [partner_id, *chunk],
            ):
                self._base[record_id] = body
        self._rows: dict[str, tuple[str, str, str, str, bool, str]] = {}
        self._latest = ""
        self._bases: dict[str, tuple[str, str]] = {}
        self._held_definitions: list[Definition] | None = None
        self.families: set[str] = set()  # the families whose records this bundle touched
        # Practitioner side: the families whose own record is in this bundle (None: not asked).
        self.arriving_families: set[str] | None = None

    def _stale_withdrawal(self, record: Record) -> bool:
        """A withdrawal (an Allocation moving a family away from this practitioner) for a family
        no longer held here: it was purged, and the coordinator had not yet heard that its
        withdrawal arrived. Keeping it would leave a stray record of a family that is gone."""
        if self.arriving_families is None or not isinstance(record, Allocation):
            return False
        if record.to_store == self.store.info.store_id:
            return False
        if record.family_id in self.arriving_families:
            return False
        return self.store.get(Family, record.family_id) is None

    def _definitions(self) -> list[Definition]:
        if self._held_definitions is None:
            self._held_definitions = self.store.list(Definition, include_deleted=True)
        return self._held_definitions

    def apply(self, change: Change) -> tuple[Outcome, int]:
        cls = kind_class(change.kind)  # an unknown kind is a ValidationError: quarantined
        incoming = change.record_dict()
        incoming.update(_local_defaults(change.kind))  # another store's own marks are not taken
        record = cls.from_dict(incoming)  # validate before anything is written
        if self._stale_withdrawal(record):
            return Outcome.UNCHANGED, 0
        if isinstance(record, Definition):
            # An id@version is one definition everywhere: a different one under the same
            # number is refused like any invalid record (quarantined, reported back).
            check_fits(record, self._definitions())
            self._held_definitions = [*self._definitions(), record]
        self.families.add(record.family_id)
        if record.family_id != change.family_id:  # a family's own family_id may come blank
            incoming["family_id"] = record.family_id
        # Compact, unsorted: the fastest form json writes, and this runs for every record.
        incoming_text = json.dumps(incoming, ensure_ascii=False, separators=(",", ":"))
        held = self._local.get(change.id)
        if held is not None and held[0] != change.kind:
            raise ValidationError(f"record {change.id} is a {held[0]} here, not a {change.kind}")
        local = _parsed(held[1]) if held is not None else None
        base_body = self._base.get(change.id)
        base = _parsed(base_body) if base_body is not None else None
        if base is not None and change.revision < base["revision"]:
            # A stale copy: a bundle that arrives after a later one from the same partner (they
            # crossed in the post). Its content is already in the later version; taking it
            # would look like the partner changing fields back.
            return Outcome.UNCHANGED, 0
        if local is not None and change.base_revision and change.base_revision == local["revision"]:
            base = local  # the sender edited exactly the version we hold
        if not _REVISION.match(change.revision):
            raise ValidationError(f"revision: {change.revision!r} is not a revision")
        # The clock moves past every incoming revision once, in flush(); a merged copy made
        # here must sort after this one at once.
        self._latest = max(self._latest, change.revision)
        result = merge_record(
            base=base, local=local, incoming=incoming, append_only=cls.APPEND_ONLY
        )
        conflicts = list(result.conflicts)
        taken = result.outcome in (Outcome.NEW, Outcome.TAKEN)
        # The same content under two revisions (both sides merged the same pair): both settle
        # on the later revision, or each would keep sending its copy to the other for ever.
        settled = (
            result.outcome is Outcome.UNCHANGED
            and local is not None
            and incoming["revision"] > local["revision"]
        )
        if taken or settled:
            # Kept as it came (it passed its kind's checks above), not rebuilt from `record`.
            self._write(change.kind, incoming, incoming_text)
        elif result.needs_new_revision:
            try:
                self.store.clock.observe(change.revision)
                merged = cls.from_dict({**result.record, "revision": self.store.clock.now()})
            except ValidationError:
                # Fields merged from both sides break the record's own rules (say, a closed status
                # from one side and no closure reason from the other): keep ours, ask a person.
                merged = None
                conflicts = _all_differences(local or {}, incoming)
            if merged is not None:
                merged_dict = merged.to_dict()
                self._write(merged.KIND, merged_dict, _dump(merged_dict))
        if conflicts:
            _record_conflicts(self.store, self.partner_id, self.bundle_id, change, conflicts)
        self._bases[change.id] = (change.revision, incoming_text)
        self._base[change.id] = incoming
        return (Outcome.CONFLICT if conflicts else result.outcome), len(conflicts)

    def _write(self, kind: str, body: dict[str, Any], text: str) -> None:
        record_id = body["id"]
        self._rows[record_id] = (
            record_id,
            kind,
            body["family_id"],
            body["revision"],
            bool(body["deleted"]),
            text,
        )
        self._local[record_id] = (kind, body)

    def flush(self) -> None:
        if self._latest:
            self.store.clock.observe(self._latest)
        self.store.write_bodies(list(self._rows.values()))
        self.store.db.conn.executemany(
            "INSERT INTO sync_base (partner, id, revision, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(partner, id) DO UPDATE SET revision = excluded.revision, "
            "body = excluded.body",
            [(self.partner_id, i, rev, body) for i, (rev, body) in self._bases.items()],
        )
        self._rows.clear()
        self._bases.clear()


def _parsed(body: str | dict[str, Any]) -> dict[str, Any]:
    """A record's dict from its stored JSON, or a copy this import has just written."""
    return json.loads(body) if isinstance(body, str) else body


def _all_differences(local: dict[str, Any], incoming: dict[str, Any]) -> list[FieldConflict]:
    return [
        FieldConflict(
            field=f, local=local.get(f), incoming=incoming.get(f), base=MISSING, provisional="local"
        )
        for f in sorted((set(local) | set(incoming)) - META_KEYS)
        if local.get(f) != incoming.get(f)
    ]


def _record_conflicts(
    store: Store,
    partner_id: str,
    bundle_id: str,
    change: Change,
    conflicts: Iterable[FieldConflict],
) -> None:
    store.db.conn.executemany(
        "INSERT INTO sync_conflicts (partner, bundle_id, kind, record_id, family_id, field, "
        "local, incoming, base, provisional, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                partner_id,
                bundle_id,
                change.kind,
                change.id,
                change.family_id,
                c.field,
                _dump(c.local),
                _dump(c.incoming),
                None if c.base is MISSING else _dump(c.base),
                c.provisional,
                _now(),
            )
            for c in conflicts
        ],
    )


def _quarantine(
    store: Store, partner_id: str, bundle_id: str, change: Change, exc: ValidationError
) -> Rejection:
    store.db.execute(
        "INSERT INTO sync_quarantine (partner, bundle_id, kind, record_id, revision, body, "
        "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            partner_id,
            bundle_id,
            change.kind,
            change.id,
            change.revision,
            change.to_line().decode("utf-8"),
            str(exc),
        ],
    )
    return Rejection(kind=change.kind, id=change.id, revision=change.revision, reason=str(exc))


def _apply_acknowledgement(store: Store, partner: Partner, acked: int) -> None:
    """The partner has everything we sent up to bundle `acked`: those versions become the base
    (unless the base is already later), so they leave the outbox."""
    if acked <= partner.acked_by_them:
        return
    partner_id = partner.enrolment.store_id
    store.db.execute(
        "INSERT INTO sync_base (partner, id, revision, body) "
        "SELECT partner, id, revision, body FROM sync_sent s WHERE partner = ? AND sequence <= ? "
        "AND sequence = (SELECT max(sequence) FROM sync_sent t WHERE t.partner = s.partner "
        "AND t.id = s.id AND t.sequence <= ?) "
        "ON CONFLICT(partner, id) DO UPDATE SET revision = excluded.revision, "
        "body = excluded.body WHERE excluded.revision > sync_base.revision",
        [partner_id, acked, acked],
    )
    store.db.execute(
        "DELETE FROM sync_sent WHERE partner = ? AND sequence <= ?", [partner_id, acked]
    )
    store.db.execute(
        "UPDATE sync_quarantine SET acknowledged = 1 WHERE partner = ? AND reported_in <= ?",
        [partner_id, acked],
    )
    store.db.execute(
        "UPDATE sync_partners SET acked_by_them = ? WHERE store_id = ?", [acked, partner_id]
    )


# ---- conflicts and purging -------------------------------------------------------------------


def open_conflicts(store: Store) -> list[dict[str, Any]]:
    """Unresolved conflicts, oldest first, with both values decoded."""
    with store.transaction():
        rows = store.db.execute(
            "SELECT rowid, partner, kind, record_id, family_id, field, local, incoming, base, "
            "provisional FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY rowid"
        ).fetchall()
    keys = ("conflict_id", "partner", "kind", "record_id", "family_id", "field")
    return [
        {
            **dict(zip(keys, r[:6], strict=True)),
            "local": json.loads(r[6]),
            "incoming": json.loads(r[7]),
            "base": None if r[8] is None else json.loads(r[8]),
            "provisional": r[9],
        }
        for r in rows
    ]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Conflict:
    """A field two stores changed differently, with both values, for a person to decide."""

    conflict_id: int
    partner: str
    partner_name: str
    kind: str
    record_id: str
    family_id: str
    family_label: str  # "EH-0042 Nowak family", or the id of a family no longer held
    field: str
    local: Any
    incoming: Any
    base: Any
    provisional: str  # which value the record shows meanwhile: "local" or "incoming"
    found_at: str
    resolved_at: str | None = None
    choice: str | None = None  # "local" or "incoming", once decided

    @property
    def shown(self) -> Any:
        """The value the record holds now (until decided, the provisional one)."""
        side = self.choice or self.provisional
        return self.local if side == "local" else self.incoming


def conflicts(store: Store, *, include_resolved: bool = False) -> list[Conflict]:
    """Conflicts, oldest first; decided ones too (with the choice) when asked."""
    sql = (
        "SELECT rowid, partner, kind, record_id, family_id, field, local, incoming, base, "
        "provisional, found_at, resolved_at, choice FROM sync_conflicts"
    )
    if not include_resolved:
        sql += " WHERE resolved_at IS NULL"
    with store.transaction():
        rows = store.db.execute(sql + " ORDER BY rowid").fetchall()
        names = {p.enrolment.store_id: p.enrolment.name for p in partners(store)}
        families = {f.id: f for f in store.list(Family, include_deleted=True)}
    result = []
    for r in rows:
        family = families.get(r[4])
        result.append(
            Conflict(
                conflict_id=r[0],
                partner=r[1],
                partner_name=names.get(r[1], r[1]),
                kind=r[2],
                record_id=r[3],
                family_id=r[4],
                family_label=f"{family.reference} {family.name}" if family else r[4],
                field=r[5],
                local=json.loads(r[6]),
                incoming=json.loads(r[7]),
                base=None if r[8] is None else json.loads(r[8]),
                provisional=r[9],
                found_at=r[10],
                resolved_at=r[11],
                choice=r[12],
            )
        )
    return result


def resolve_conflict(store: Store, conflict_id: int, choice: str) -> Conflict:
    """Decide a conflict: keep this store's value ("local") or the partner's ("incoming").
    The record is saved with the chosen value under a new revision, so the decision travels
    to the partner in the next bundle, and the choice is recorded with the time. Returns the
    conflict as decided."""
    if choice not in ("local", "incoming"):
        raise UserError("Choose 'local' (this store's value) or 'incoming' (the partner's).")
    with store.transaction():
        found = [c for c in conflicts(store) if c.conflict_id == conflict_id]
        if not found:
            raise UserError(f"There is no open conflict {conflict_id}; it may be decided already.")
        conflict = found[0]
        cls = kind_class(conflict.kind)
        row = store.db.execute(
            "SELECT body FROM records WHERE id = ?", [conflict.record_id]
        ).fetchone()
        if row is None:
            raise UserError("The record in conflict is no longer in this store.")
        body = json.loads(row[0])
        value = conflict.local if choice == "local" else conflict.incoming
        body[conflict.field] = bool(value) if conflict.field == "deleted" else value
        try:
            record = cls.from_dict(body)
        except ValidationError as exc:
            raise UserError(
                f"That value cannot be kept: the record would break its own rules ({exc}). "
                "Decide the record's other conflicts first, or edit it by hand."
            ) from None
        store.save(record)
        decided_at = _now()
        # Every open conflict on the same field of the same record is decided by this choice.
        store.db.execute(
            "UPDATE sync_conflicts SET resolved_at = ?, choice = ? WHERE record_id = ? "
            "AND field = ? AND resolved_at IS NULL",
            [decided_at, choice, conflict.record_id, conflict.field],
        )
    return dataclasses.replace(conflict, resolved_at=decided_at, choice=choice)


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartnerStatus:
    partner: Partner
    pending: int  # records the partner has not acknowledged

    @property
    def name(self) -> str:
        return self.partner.enrolment.name or self.partner.enrolment.store_id


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncStatus:
    """What the Sync page and `fmdesk sync status` show."""

    role: Role
    name: str
    fingerprint: str
    partners: tuple[PartnerStatus, ...]
    open_conflicts: int
    quarantined: int  # incoming records rejected and not yet acknowledged by their sender
    purgeable: tuple[Family, ...]
    last_import: ImportResult | None


def status(store: Store) -> SyncStatus:
    me = identity(store)
    with store.transaction():
        known = tuple(
            PartnerStatus(partner=p, pending=len(_outbox(store, p.enrolment.store_id)))
            for p in partners(store)
        )
        open_count = store.db.execute(
            "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL"
        ).fetchone()[0]
        quarantined = store.db.execute(
            "SELECT count(*) FROM sync_quarantine WHERE acknowledged = 0"
        ).fetchone()[0]
        last = store.db.execute(
            "SELECT summary FROM sync_imported ORDER BY imported_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
    return SyncStatus(
        role=store.info.role,
        name=store.info.owner_name,
        fingerprint=me.fingerprint,
        partners=known,
        open_conflicts=open_count,
        quarantined=quarantined,
        purgeable=tuple(purgeable_families(store)),
        last_import=ImportResult.from_json(last[0]) if last else None,
    )


def purgeable_families(store: Store) -> list[Family]:
    """Closed families, and families the coordinator has reassigned to another practitioner
    (withdrawn), whose every record the coordinator has acknowledged in its latest version:
    only these may leave a practitioner's laptop."""
    if store.info.role is not Role.PRACTITIONER:
        return []
    coordinators = [p.enrolment.store_id for p in partners(store)]
    if not coordinators:
        return []
    pending = {body.get("family_id") for _, body, _ in _outbox(store, coordinators[0])}
    return [
        f
        for f in store.list(Family)
        if (f.status is FamilyStatus.CLOSED or f.withdrawn_on is not None) and f.id not in pending
    ]


def purge_family(store: Store, family_id: str) -> int:
    """Remove a closed (or reassigned), acknowledged family and everything about it from this
    store."""
    if family_id not in {f.id for f in purgeable_families(store)}:
        raise CannotPurge(
            "This family cannot be removed yet: it must be closed or reassigned, and the "
            "coordinator must have confirmed receiving its latest records. Send a bundle and "
            "wait for the reply."
        )
    with store.transaction():
        ids = [
            r[0]
            for r in store.db.execute("SELECT id FROM records WHERE family_id = ?", [family_id])
        ]
        store.db.execute("DELETE FROM records WHERE family_id = ?", [family_id])
        store.db.conn.executemany("DELETE FROM sync_base WHERE id = ?", [(i,) for i in ids])
        store.db.execute("DELETE FROM sync_conflicts WHERE family_id = ?", [family_id])
        store.db.conn.executemany("DELETE FROM sync_sent WHERE id = ?", [(i,) for i in ids])
    return len(ids)


# ---- helpers ---------------------------------------------------------------------------------


def _partner(store: Store, partner_id: str) -> Partner:
    row = store.db.execute(
        "SELECT enrolment, last_sent, received_up_to, acked_by_them, last_sent_at, "
        "last_received_at FROM sync_partners WHERE store_id = ?",
        [partner_id],
    ).fetchone()
    if row is None:
        raise UserError(f"The store {partner_id} is not enrolled here.")
    return _partner_from_row(row)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
