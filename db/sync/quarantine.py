"""Quarantine: incoming records refused one by one (invalid, or not the sender's to send),
kept with the reason, reported back to their sender in our next bundle, and let go once the
sender acknowledges that bundle. One bad record never blocks the rest of its bundle.

`held_records` lists them for the Sync page and `fmdesk sync status`: who sent each, its kind
and family, the reason, when it arrived and whether its sender has heard.

Threading: like the Store, call on its thread, inside the caller's transaction.
"""

import dataclasses
import json

from db.store import Store
from fmdesk.families import Family
from fmdesk.sync.bundle import Change, Rejection


@dataclasses.dataclass(frozen=True, kw_only=True)
class Quarantined:
    """One incoming record this store refused, as the Sync page lists it."""

    partner: str  # the sender's store id
    partner_name: str
    kind: str
    record_id: str
    family_id: str
    family_label: str  # "FM-2026-K7QM-0031", or the first characters of an id not held here
    reason: str
    received_at: str  # UTC, when its bundle was imported
    reported_in: int | None  # our bundle that told the sender; None: not yet told
    acknowledged: bool  # the sender has that bundle

    @property
    def reported_text(self) -> str:
        if self.reported_in is None:
            return "in the next bundle"
        if not self.acknowledged:
            return f"in bundle {self.reported_in}"
        return f"in bundle {self.reported_in}, received"


def hold(store: Store, partner_id: str, bundle_id: str, change: Change, reason: str) -> Rejection:
    """Keep a refused incoming record, as it came, with the reason in plain words."""
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
            reason,
        ],
    )
    return Rejection(kind=change.kind, id=change.id, revision=change.revision, reason=reason)


def report_in(store: Store, partner_id: str, sequence: int) -> list[Rejection]:
    """The partner's records held here that it has not yet heard about, marked as reported in
    our bundle `sequence` (the export writes them into it)."""
    rows = store.db.execute(
        "SELECT rowid, kind, record_id, revision, reason FROM sync_quarantine "
        "WHERE partner = ? AND acknowledged = 0 ORDER BY rowid",
        [partner_id],
    ).fetchall()
    store.db.conn.executemany(
        "UPDATE sync_quarantine SET reported_in = ? WHERE rowid = ?",
        [(sequence, r[0]) for r in rows],
    )
    return [Rejection(kind=r[1], id=r[2], revision=r[3], reason=r[4]) for r in rows]


def acknowledge(store: Store, partner_id: str, up_to: int) -> None:
    """The partner has our bundles up to `up_to`, and with them the reports of its records we
    held: those are settled."""
    store.db.execute(
        "UPDATE sync_quarantine SET acknowledged = 1 WHERE partner = ? AND reported_in <= ?",
        [partner_id, up_to],
    )


def held_count(store: Store) -> int:
    """Incoming records refused and not yet acknowledged by their sender."""
    return store.db.execute(
        "SELECT count(*) FROM sync_quarantine WHERE acknowledged = 0"
    ).fetchone()[0]


def held_records(store: Store, *, limit: int = 500) -> list[Quarantined]:
    """The records refused here, newest first (at most `limit`), each with its sender, family
    and reason. Kept once reported back, so the coordinator can still see what was refused."""
    with store.transaction():
        rows = store.db.execute(
            "SELECT q.partner, coalesce(p.enrolment ->> '$.name', ''), q.kind, q.record_id, "
            "q.body, q.reason, coalesce(i.imported_at, ''), q.reported_in, q.acknowledged "
            "FROM sync_quarantine q "
            "LEFT JOIN sync_partners p ON p.store_id = q.partner "
            "LEFT JOIN sync_imported i ON i.bundle_id = q.bundle_id "
            "ORDER BY q.rowid DESC LIMIT ?",
            [limit],
        ).fetchall()
        family_ids = {_family_of(r[2], r[3], r[4]) for r in rows} - {""}
        references = dict(
            store.db.execute(
                "SELECT id, body ->> '$.reference' FROM records WHERE kind = ? AND id IN "
                f"({','.join('?' * len(family_ids))})",
                [Family.KIND, *sorted(family_ids)],
            ).fetchall()
        )
    found = []
    for partner, name, kind, record_id, body, reason, received, reported, acked in rows:
        family_id = _family_of(kind, record_id, body)
        found.append(
            Quarantined(
                partner=partner,
                partner_name=name or partner,
                kind=kind,
                record_id=record_id,
                family_id=family_id,
                family_label=references.get(family_id) or family_id[:8],
                reason=reason,
                received_at=received,
                reported_in=reported,
                acknowledged=bool(acked),
            )
        )
    return found


def _family_of(kind: str, record_id: str, body: str) -> str:
    """The family a quarantined record names (as it came, so perhaps not one held here)."""
    try:
        family_id = json.loads(body).get("family_id", "")
    except (ValueError, AttributeError):
        family_id = ""
    if not isinstance(family_id, str):
        return ""
    return family_id or (record_id if kind == Family.KIND else "")
