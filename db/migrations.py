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


KNOWN = [m.name for m in migrations._migrations]
