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


KNOWN = [m.name for m in migrations._migrations]
