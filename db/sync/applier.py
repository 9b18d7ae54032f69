"""Applying one bundle's records to the store: each incoming record checked, then merged field
by field with the copy held here against the last version both sides knew (fmdesk.sync.merge).

`Applier.apply` is the one function every incoming record goes through: a rule about what the
sender may send belongs at its start (`_checked`), raising ValidationError with the reason, and
the inbox quarantines that record and reports it back while the rest of the bundle applies.

Threading: like the Store, call on its thread, inside the import's transaction.
"""

import json
from typing import Any

from db.store import Store
from db.sync.field_conflicts import all_differences, record_conflicts
from db.sync.outbox import local_defaults
from db.sync.tables import dump
from fmdesk.definition import Definition, check_fits
from fmdesk.errors import ValidationError
from fmdesk.families import Family
from fmdesk.hlc import is_revision
from fmdesk.programme import Allocation
from fmdesk.records import Record, kind_class
from fmdesk.sync.bundle import Change
from fmdesk.sync.merge import Outcome, merge_record

# A hybrid-logical-clock revision (fmdesk/hlc.py): milliseconds, counter, device.


class Applier:
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

    def _checked(self, change: Change) -> tuple[type[Record], dict[str, Any], Record]:
        """(its class, its fields as they will be kept, the record) of an incoming change,
        checked against its kind's own rules before anything is written. A rule about what
        this sender may send belongs here: a ValidationError quarantines the record."""
        cls = kind_class(change.kind)  # an unknown kind is a ValidationError: quarantined
        incoming = change.record_dict()
        incoming.update(local_defaults(change.kind))  # another store's own marks are not taken
        return cls, incoming, cls.from_dict(incoming)

    def apply(self, change: Change) -> tuple[Outcome, int]:
        """Apply one incoming record: (what became of it, how many of its fields conflict).
        ValidationError when it is refused: the inbox quarantines it with that reason."""
        cls, incoming, record = self._checked(change)
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
        if not is_revision(change.revision):  # exactly the clock's form (fmdesk/hlc.py)
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
                conflicts = all_differences(local or {}, incoming)
            if merged is not None:
                merged_dict = merged.to_dict()
                self._write(merged.KIND, merged_dict, dump(merged_dict))
        if conflicts:
            record_conflicts(self.store, self.partner_id, self.bundle_id, change, conflicts)
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
