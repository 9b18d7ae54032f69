"""Quarantine: incoming records refused one by one (invalid, or not the sender's to send),
kept with the reason, reported back to their sender in our next bundle, and let go once the
sender acknowledges that bundle. One bad record never blocks the rest of its bundle.

Threading: like the Store, call on its thread, inside the caller's transaction.
"""

from db.store import Store
from fmdesk.sync.bundle import Change, Rejection


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
