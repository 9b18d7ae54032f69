"""Schema migrations, one named function each. Never edit a migration once it has shipped:
add a new one. A store records which it has; one with migrations this build does not know was
made by a newer fmdesk and is refused (see Store.open).

Records of every kind live in one table of JSON documents (`records`), so new record types need
no migration; migrations are for the bookkeeping tables and indexes around them.
"""

import sqlite_utils

migrations = sqlite_utils.Migrations("fmdesk")


@migrations()
def m001_records_and_meta(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE records (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            family_id TEXT NOT NULL,
            revision TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            body TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX records_kind_family ON records (kind, family_id)")
    db.execute("CREATE INDEX records_family ON records (family_id)")
    db.execute("CREATE INDEX records_revision ON records (revision)")


@migrations()
def m002_settings(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""")


@migrations()
def m003_sync(db: sqlite_utils.Database) -> None:
    """Sync bookkeeping (db/sync.py explains each table). IF NOT EXISTS because stores made
    before this migration existed created these tables on first sync."""
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_partners (
            store_id TEXT PRIMARY KEY,
            enrolment TEXT NOT NULL,
            last_sent INTEGER NOT NULL DEFAULT 0,
            received_up_to INTEGER NOT NULL DEFAULT 0,
            acked_by_them INTEGER NOT NULL DEFAULT 0,
            last_sent_at TEXT,
            last_received_at TEXT
        )""")
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_base (
            partner TEXT NOT NULL,
            id TEXT NOT NULL,
            revision TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (partner, id)
        )""")
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_sent (
            partner TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            id TEXT NOT NULL,
            revision TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (partner, sequence, id)
        )""")
    db.execute("CREATE INDEX IF NOT EXISTS sync_sent_partner_id ON sync_sent (partner, id)")
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_imported (
            bundle_id TEXT PRIMARY KEY,
            partner TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            summary TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_conflicts (
            rowid INTEGER PRIMARY KEY,
            partner TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            family_id TEXT NOT NULL,
            field TEXT NOT NULL,
            local TEXT NOT NULL,
            incoming TEXT NOT NULL,
            base TEXT,
            provisional TEXT NOT NULL,
            found_at TEXT NOT NULL,
            resolved_at TEXT,
            choice TEXT
        )""")
    db.execute("CREATE INDEX IF NOT EXISTS sync_conflicts_record ON sync_conflicts (record_id)")
    db.execute("""
        CREATE TABLE IF NOT EXISTS sync_quarantine (
            rowid INTEGER PRIMARY KEY,
            partner TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            revision TEXT NOT NULL,
            body TEXT NOT NULL,
            reason TEXT NOT NULL,
            reported_in INTEGER,
            acknowledged INTEGER NOT NULL DEFAULT 0
        )""")
    # A coordinator's record of every recovery unlock file it issued (db/recovery.py).
    db.execute("""
        CREATE TABLE IF NOT EXISTS recovery_issued (
            request_id TEXT PRIMARY KEY,
            store_id TEXT NOT NULL,
            store_name TEXT NOT NULL,
            issued_at TEXT NOT NULL
        )""")


@migrations()
def m004_record_history(db: sqlite_utils.Database) -> None:
    """Every version of every record this store has held, append-only, beside `records`
    (db/history.py reads it; docs/bundle-format.md, "History", says what it holds).

    - `held` is 1 for a version this store kept as the record's current one (each save, each
      record a bundle brought and applied) and 0 for a partner's version that arrived and was
      merged with a change made here, or kept aside as a conflict: seen, never current.
    - `written_by`/`written_by_store`: the store owner for a local write, the partner for what
      a bundle brought (`bundle_id` says which); `written_at` is UTC, when this store wrote it.
      The version's own time is its revision's (hybrid logical clock, milliseconds UTC).

    A store upgraded to this gets each record's current version as its first entry (written by
    its owner when the revision is this device's, otherwise by an unknown hand), and the day
    history began in `meta` (`history_began`): before it, only those versions are known."""
    db.execute("""
        CREATE TABLE record_history (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            family_id TEXT NOT NULL,
            revision TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            body TEXT NOT NULL,
            held INTEGER NOT NULL DEFAULT 1,
            written_by TEXT NOT NULL,
            written_by_store TEXT NOT NULL,
            written_at TEXT NOT NULL,
            bundle_id TEXT
        )""")
    db.execute("CREATE INDEX record_history_id ON record_history (id, revision)")
    db.execute("CREATE INDEX record_history_family ON record_history (family_id)")
    db.execute("CREATE INDEX record_history_kind ON record_history (kind, revision)")
    stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    # The device id is the revision's third part, after 15 digits, '-', 5 digits and '-'.
    db.execute(f"""
        INSERT INTO record_history (id, kind, family_id, revision, deleted, body, held,
                                    written_by, written_by_store, written_at)
        SELECT r.id, r.kind, r.family_id, r.revision, r.deleted, r.body, 1,
               CASE WHEN substr(r.revision, 23) = (SELECT value FROM meta WHERE key = 'device_id')
                    THEN coalesce((SELECT value FROM meta WHERE key = 'owner_name'), '')
                    ELSE '' END,
               CASE WHEN substr(r.revision, 23) = (SELECT value FROM meta WHERE key = 'device_id')
                    THEN coalesce((SELECT value FROM meta WHERE key = 'store_id'), '')
                    ELSE '' END,
               {stamp}
        FROM records r ORDER BY r.revision""")
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('history_began', date('now'))")
    # A purge removes a family from the laptop (db/sync/purge.py): its history goes with it.
    db.execute("""
        CREATE TRIGGER record_history_purge AFTER DELETE ON records BEGIN
            DELETE FROM record_history WHERE id = old.id;
        END""")
    # A partner's version the import took as the last one both sides know (sync_base) but did
    # not keep as it came, because it merged it with a change made here or held a conflict:
    # kept as seen (held = 0), so every version a partner sent reaches this store's history.
    # Our own versions (this device's revisions) are already here, or predate the history.
    for event in ("INSERT", "UPDATE"):
        db.execute(f"""
            CREATE TRIGGER record_history_seen_{event.lower()} AFTER {event} ON sync_base
            WHEN substr(new.revision, 23) != (SELECT value FROM meta WHERE key = 'device_id')
             AND NOT EXISTS (SELECT 1 FROM record_history h
                             WHERE h.id = new.id AND h.revision = new.revision)
            BEGIN
                INSERT INTO record_history (id, kind, family_id, revision, deleted, body, held,
                                            written_by, written_by_store, written_at)
                SELECT r.id, r.kind, r.family_id, new.revision,
                       coalesce(new.body ->> '$.deleted', 0), new.body, 0,
                       coalesce((SELECT p.enrolment ->> '$.name' FROM sync_partners p
                                 WHERE p.store_id = new.partner), ''),
                       new.partner, {stamp}
                FROM records r WHERE r.id = new.id;
            END""")


@migrations()
def m005_drafts(db: sqlite_utils.Database) -> None:
    """Drafts of the dialogs a user was filling in when the store locked or they stepped away
    (db/drafts.py): one per family and dialog kind, the fields as JSON. Never synced; a
    family purged from the laptop takes its drafts with it."""
    db.execute("""
        CREATE TABLE drafts (
            family_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (family_id, kind)
        )""")
    db.execute("""
        CREATE TRIGGER drafts_purge AFTER DELETE ON records WHEN old.kind = 'family' BEGIN
            DELETE FROM drafts WHERE family_id = old.id;
        END""")


KNOWN = [m.name for m in migrations._migrations]
