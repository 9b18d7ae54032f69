"""The outbox: what a partner has not yet acknowledged, and exporting it as a bundle.

A record is in a partner's outbox while its revision differs from the last version both sides
know (`sync_base`); every export carries it until the partner acknowledges a bundle that held
it (`apply_acknowledgement`, when its next bundle arrives). So a lost bundle costs nothing: the
next one carries the same changes.

Threading: like the Store, call on its thread.
"""

import dataclasses
import json
from pathlib import Path
from typing import Any

from db.store import Store
from db.sync import quarantine
from db.sync.enrolment import Partner, identity, partner
from db.sync.tables import ACKNOWLEDGED_AT_SETTING, REKEYED_SETTING, dump, now, rekeyed_at
from fmdesk.catalog import RECORD_KINDS
from fmdesk.definition import Definition
from fmdesk.families import Family
from fmdesk.programme import Allocation
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import Record
from fmdesk.roles import Role
from fmdesk.sync.bundle import Change, write_bundle


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportResult:
    path: Path
    partner: str
    sequence: int
    changes: int
    rejected_reported: int


def pending_count(store: Store, partner_id: str) -> int:
    """How many records the partner has not yet acknowledged."""
    with store.transaction():
        return len(unacknowledged(store, partner_id))


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
        to = partner(store, partner_id)
        outbox = unacknowledged(store, partner_id)
        progress(0, len(outbox))
        sequence = to.last_sent + 1
        changes = [
            Change.from_record_dict(kind, body, base_revision=base_revision)
            for kind, body, base_revision in outbox
        ]
        store.db.conn.executemany(
            "INSERT INTO sync_sent (partner, sequence, id, revision, body) VALUES (?, ?, ?, ?, ?)",
            [(partner_id, sequence, c.id, c.revision, dump(c.record_dict())) for c in changes],
        )
        rejected = quarantine.report_in(store, partner_id, sequence)
        store.db.execute(
            "UPDATE sync_partners SET last_sent = ?, last_sent_at = ? WHERE store_id = ?",
            [sequence, now(), partner_id],
        )
        write_bundle(
            path,
            sender=me,
            recipient=to.enrolment,
            changes=changes,
            sequence=sequence,
            previous_sequence=to.last_sent,
            acknowledged_up_to=to.received_up_to,
            rejected=rejected,
            # Every bundle says when this store was last re-keyed: a lost bundle loses nothing.
            rekeyed_at=rekeyed_at(store.get_setting(REKEYED_SETTING)),
            cancel=cancel,
        )
    progress(len(outbox), len(outbox))
    return ExportResult(
        path=Path(path),
        partner=partner_id,
        sequence=sequence,
        changes=len(changes),
        rejected_reported=len(rejected),
    )


def unacknowledged(store: Store, partner_id: str) -> list[tuple[str, dict[str, Any], str]]:
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
        local = local_defaults(kind)
        if local:
            body.update(local)
    # A record made and deleted before the partner ever saw it need not travel at all.
    sent = {
        r[0] for r in store.db.execute("SELECT id FROM sync_sent WHERE partner = ?", [partner_id])
    }
    return [row for row in outbox if row[2] or not row[1].get("deleted") or row[1]["id"] in sent]


_LOCAL_DEFAULTS: dict[str, dict[str, Any]] = {}


def local_defaults(kind: str) -> dict[str, Any]:
    """The fields a kind keeps only in its own store (`LOCAL_FIELDS`), at their defaults: what
    a bundle carries in their place, and what an incoming record's are set to."""
    found = _LOCAL_DEFAULTS.get(kind)
    if found is None:
        cls = RECORD_KINDS.get(kind)
        names = set(getattr(cls, "LOCAL_FIELDS", ())) if cls is not None else set()
        found = {f.name: f.default for f in dataclasses.fields(cls or Record) if f.name in names}
        _LOCAL_DEFAULTS[kind] = found
    return found


def apply_acknowledgement(store: Store, sender: Partner, acked: int) -> None:
    """The partner has everything we sent up to bundle `acked`: those versions become the base
    (unless the base is already later), so they leave the outbox."""
    if acked <= sender.acked_by_them:
        return
    partner_id = sender.enrolment.store_id
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
    quarantine.acknowledge(store, partner_id, acked)
    store.db.execute(
        "UPDATE sync_partners SET acked_by_them = ? WHERE store_id = ?", [acked, partner_id]
    )
    # When each partner last acknowledged something: the Sync page and the caseload say it.
    when = store.get_setting(ACKNOWLEDGED_AT_SETTING, {})
    store.set_setting(
        ACKNOWLEDGED_AT_SETTING, {**(when if isinstance(when, dict) else {}), partner_id: now()}
    )
