"""Schema migrations: a store made by the previous schema is upgraded on open, its data kept and
the old file set aside first; a store with a migration this build does not know is refused."""

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import uuid
from pathlib import Path

import pytest

from db import migrations
from db.connection import connect
from db.errors import StoreTooNew
from db.keyslots import KdfParams, KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.families import Family, Person, PersonRole

PASSPHRASE = "quillfeather maple lantern harbour"


def make_previous_schema_store(path: Path) -> tuple[Family, Person]:
    """A store as the build before `m002_settings` made it, holding one family."""
    path.mkdir()
    store_id = str(uuid.uuid4())
    data_key = secrets.token_bytes(32)
    keys = KeyFile(store_id=store_id, slots=[])
    keys.set_passphrase(data_key, PASSPHRASE, KdfParams.fast())
    keys.save(path / KEY_NAME)

    db = connect(path / DB_NAME, data_key)
    migrations.migrations.apply(db, stop_before="m002_settings")
    family = Family(reference="EH-2024-0001", name="Adeyemi family", revision="1")
    child = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="Adeyemi",
        date_of_birth=dt.date(2017, 5, 9),
        revision="2",
    )
    with db.atomic():
        db["meta"].insert_all(
            [
                {"key": "store_id", "value": store_id},
                {"key": "role", "value": "practitioner"},
                {"key": "owner_name", "value": "Siobhán Kelly"},
                {"key": "device_id", "value": "a1b2c3d4"},
                {"key": "created_on", "value": "2024-06-01"},
            ]
        )
        for record in (family, child):
            db["records"].insert(
                {
                    "id": record.id,
                    "kind": record.KIND,
                    "family_id": record.family_id,
                    "revision": f"{int(record.revision):015d}-00000-a1b2c3d4",
                    "deleted": 0,
                    "body": json.dumps(record.to_dict()),
                }
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return family, child


def applied(path: Path, key: bytes) -> list[str]:
    db = connect(path, key, read_only=True)
    try:
        return [m.name for m in migrations.migrations.applied(db)]
    finally:
        db.close()


def test_the_previous_schema_really_lacks_the_new_table(tmp_path: Path) -> None:
    make_previous_schema_store(tmp_path / "store")
    key, _ = Store.unlock_key(tmp_path / "store", PASSPHRASE)
    assert applied(tmp_path / "store" / DB_NAME, key) == ["m001_records_and_meta"]


def test_opening_a_previous_schema_store_upgrades_it_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "store"
    family, child = make_previous_schema_store(path)
    old_bytes = (path / DB_NAME).read_bytes()

    with Store.open(path, PASSPHRASE) as store:
        assert store.get(Family, family.id).name == "Adeyemi family"
        assert store.get(Person, child.id).date_of_birth == dt.date(2017, 5, 9)
        assert store.info.owner_name == "Siobhán Kelly"
        # The table the new migration adds is there and works.
        store.set_setting("auto_lock_minutes", 5)
        assert store.get_setting("auto_lock_minutes") == 5
        # A save after the upgrade sorts after the records made before it.
        (saved,) = store.save(family.replace(next_action="Star review"))
        assert saved.revision > f"{2:015d}-00000-a1b2c3d4"
        key = store.data_key

    assert applied(path / DB_NAME, key) == migrations.KNOWN

    (aside,) = path.glob(f"{DB_NAME}.before-upgrade-*")
    # The copy is the file as it was before the upgrade, still encrypted.
    assert hashlib.sha256(aside.read_bytes()).digest() == hashlib.sha256(old_bytes).digest()
    assert applied(aside, key) == ["m001_records_and_meta"]
    conn = sqlite3.connect(aside)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        conn.close()


def test_a_store_already_up_to_date_is_not_copied_again(tmp_path: Path) -> None:
    path = tmp_path / "store"
    make_previous_schema_store(path)
    Store.open(path, PASSPHRASE).close()
    Store.open(path, PASSPHRASE).close()
    assert len(list(path.glob(f"{DB_NAME}.before-upgrade-*"))) == 1


def test_a_new_store_has_every_migration(store: Store) -> None:
    assert applied(store.path / DB_NAME, store.data_key) == migrations.KNOWN
    assert list(store.path.glob("*before-upgrade*")) == []


def test_a_migration_this_build_does_not_know_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store"
    make_previous_schema_store(path)
    Store.open(path, PASSPHRASE).close()
    key, _ = Store.unlock_key(path, PASSPHRASE)
    db = connect(path / DB_NAME, key)
    db["_sqlite_migrations"].insert(
        {
            "migration_set": "fmdesk",
            "name": "m003_something_newer",
            "applied_at": "2030-01-01 00:00:00+00:00",
        }
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    files_before = sorted(p.name for p in path.iterdir())
    with pytest.raises(StoreTooNew, match="newer version"):
        Store.open(path, PASSPHRASE)
    assert sorted(p.name for p in path.iterdir()) == files_before
