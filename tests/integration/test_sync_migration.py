"""Migration m003_sync: a store made before it gets the sync tables on open; one whose first
sync had already made them (as the build before did) keeps its partners and history."""

import secrets
import uuid
from pathlib import Path

import pytest

from db import migrations, sync
from db.connection import connect
from db.keyslots import KdfParams, KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.roles import Role
from fmdesk.sync.identity import StoreIdentity
from tests.conftest import TEST_PASSPHRASE


def make_store_before_m003(path: Path, *, early_sync_tables: bool) -> str:
    path.mkdir()
    store_id = str(uuid.uuid4())
    data_key = secrets.token_bytes(32)
    keys = KeyFile(store_id=store_id, slots=[])
    keys.set_passphrase(data_key, TEST_PASSPHRASE, KdfParams.fast())
    keys.save(path / KEY_NAME)
    db = connect(path / DB_NAME, data_key)
    migrations.migrations.apply(db, stop_before="m003_sync")
    with db.atomic():
        db["meta"].insert_all(
            [
                {"key": "store_id", "value": store_id},
                {"key": "role", "value": "coordinator"},
                {"key": "owner_name", "value": "Central"},
                {"key": "device_id", "value": "a1b2c3d4"},
                {"key": "created_on", "value": "2025-01-01"},
            ]
        )
        if early_sync_tables:  # what db/sync.py made on first use before m003 existed
            db.execute(
                "CREATE TABLE sync_partners (store_id TEXT PRIMARY KEY, enrolment TEXT NOT NULL, "
                "last_sent INTEGER NOT NULL DEFAULT 0, received_up_to INTEGER NOT NULL DEFAULT 0, "
                "acked_by_them INTEGER NOT NULL DEFAULT 0, last_sent_at TEXT, "
                "last_received_at TEXT)"
            )
            partner = StoreIdentity.generate(
                store_id="p-1", role=Role.PRACTITIONER, name="Łukasz Nowak"
            )
            db.execute(
                "INSERT INTO sync_partners (store_id, enrolment, last_sent) VALUES (?, ?, 4)",
                ["p-1", partner.enrolment.to_json().decode()],
            )
    db.close()
    return store_id


@pytest.mark.parametrize("early", [False, True])
def test_a_store_from_before_m003_is_upgraded_and_keeps_its_partners(
    tmp_path: Path, early: bool
) -> None:
    path = tmp_path / "store"
    make_store_before_m003(path, early_sync_tables=early)
    with Store.open(path, TEST_PASSPHRASE) as store:
        applied = {m.name for m in migrations.migrations.applied(store.db)}
        assert "m003_sync" in applied
        found = sync.partners(store)
        assert [(p.enrolment.name, p.last_sent) for p in found] == (
            [("Łukasz Nowak", 4)] if early else []
        )
        assert sync.conflicts(store) == []
        assert store.db.execute("SELECT count(*) FROM recovery_issued").fetchone() == (0,)
