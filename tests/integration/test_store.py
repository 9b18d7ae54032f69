"""The encrypted store on real SQLCipher files: records round trip, nothing readable on disk,
the four plain-language errors leave the folder exactly as it was, writes are all or nothing."""

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils.utils

from db.connection import DatabaseError
from db.errors import (
    KeyFileMissing,
    KeyFileOfAnotherStore,
    NotAStore,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreNotFound,
    StoreTooNew,
    WrongPassphrase,
)
from db.families import (
    FamilyNotFound,
    add_demo_families,
    export_family,
    find_family,
    import_family,
    load_caseload,
    load_family,
)
from db.keyslots import KdfParams, KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.errors import Cancelled, UserError
from fmdesk.families import (
    CaseNote,
    ClosureReason,
    Consent,
    ConsentKind,
    ContactType,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.progress import CancelToken
from fmdesk.records import Record
from fmdesk.roles import Role

# The stores this module makes itself; the `store` fixtures have their own passphrase.
TEST_PASSPHRASE = "quillfeather maple lantern harbour"
FAMILY_NAME = "Wiśniewska-Okonkwo"
CHILD_NAME = "Siobhán"


def one_family() -> list[Record]:
    family = Family(
        reference="EH-2025-0007",
        name=f"{FAMILY_NAME} family",
        status=FamilyStatus.CLOSED,
        closure_reason=ClosureReason.MOVED_AWAY,
        address="4 Quillfeather Row",
        identified_on=dt.date(2024, 11, 4),
    )
    mum = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Zoë",
        family_name=FAMILY_NAME,
        date_of_birth=dt.date(1991, 7, 14),
        parental_responsibility=True,
    )
    return [
        family,
        mum,
        Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name=CHILD_NAME,
            family_name=FAMILY_NAME,
            date_of_birth=dt.date(2016, 1, 30),
            school="Oakfield Primary",
        ),
        Consent(
            family_id=family.id,
            kind=ConsentKind.ASSESS,
            person_id=mum.id,
            given_on=dt.date(2024, 11, 20),
        ),
        CaseNote(
            family_id=family.id,
            on=dt.date(2024, 12, 2),
            contact=ContactType.HOME_VISIT,
            text="Łukasz from housing joined the visit.",
            minutes=60,
        ),
        StatusChange(
            family_id=family.id,
            on=dt.date(2025, 2, 1),
            from_status=FamilyStatus.ACTIVE,
            to_status=FamilyStatus.CLOSED,
            closure_reason=ClosureReason.MOVED_AWAY,
        ),
    ]


def make_store(path: Path, records: list[Record] | None = None) -> Path:
    store = Store.create(
        path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Zoë Fairweather", kdf=KdfParams.fast()
    )
    store.save(*(one_family() if records is None else records))
    store.close()
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` and a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---- records ---------------------------------------------------------------------------------


def test_every_record_type_round_trips(store: Store) -> None:
    saved = store.save(*one_family())
    for record in saved:
        assert record.revision
        assert store.get(type(record), record.id) == record
    for kind in (Family, Person, Consent, CaseNote, StatusChange):
        assert sorted(store.list(kind), key=lambda r: r.id) == sorted(
            (r for r in saved if type(r) is kind), key=lambda r: r.id
        )


def test_records_survive_closing_and_reopening(store_path: Path) -> None:
    records = one_family()
    make_store(store_path, records)
    with Store.open(store_path, TEST_PASSPHRASE) as store:
        assert [p.given_name for p in store.list(Person, family_id=records[0].id)] != []
        assert store.get(Family, records[0].id).name == f"{FAMILY_NAME} family"
        assert store.info.owner_name == "Zoë Fairweather"
        assert store.info.role is Role.PRACTITIONER


def test_each_save_gets_a_later_revision_even_after_reopening(store_path: Path) -> None:
    records = one_family()
    make_store(store_path, records)
    with Store.open(store_path, TEST_PASSPHRASE) as store:
        before = store.get(Family, records[0].id)
        (after,) = store.save(before.replace(next_action="Send closing letter"))
    assert after.revision > before.revision


def test_list_filters_by_family_and_hides_tombstones(store: Store) -> None:
    first, second = one_family(), one_family()
    store.save(*first, *second)
    assert len(store.list(Person, family_id=first[0].id)) == 2
    assert len(store.list(Person)) == 4
    store.delete(first[1])
    assert [p.id for p in store.list(Person, family_id=first[0].id)] == [first[2].id]
    gone = store.get(Person, first[1].id)
    assert gone.deleted
    assert first[1].id in {p.id for p in store.list(Person, include_deleted=True)}
    assert store.count(Person) == 3


def test_settings_are_kept(store_path: Path) -> None:
    make_store(store_path)
    with Store.open(store_path, TEST_PASSPHRASE) as store:
        store.set_setting("auto_lock_minutes", 10)
        store.set_setting("auto_lock_minutes", 15)
    with Store.open(store_path, TEST_PASSPHRASE) as store:
        assert store.get_setting("auto_lock_minutes") == 15
        assert store.get_setting("missing", "default") == "default"


def test_a_store_is_only_made_in_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "letter.docx").write_bytes(b"PK")
    with pytest.raises(StoreExists):
        Store.create(
            tmp_path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="x", kdf=KdfParams.fast()
        )
    assert snapshot(tmp_path) == {"letter.docx": hashlib.sha256(b"PK").hexdigest()}


def test_a_healthy_store_passes_its_check(store: Store) -> None:
    store.save(*one_family())
    assert store.check() == []


# ---- nothing readable on disk ----------------------------------------------------------------


def test_the_stdlib_sqlite3_cannot_read_the_file(store_path: Path) -> None:
    make_store(store_path)
    conn = sqlite3.connect(store_path / DB_NAME)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            conn.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        conn.close()


def test_no_name_appears_in_the_files_nor_the_write_ahead_log(store: Store) -> None:
    store.save(*one_family())
    # While the store is open the newest pages sit in the WAL file: check it too.
    wal = store.path / f"{DB_NAME}-wal"
    assert wal.stat().st_size > 0
    secrets = [
        s.encode(enc)
        for s in (FAMILY_NAME, CHILD_NAME, "Quillfeather", "Oakfield", "Łukasz")
        for enc in ("utf-8", "utf-16-le")
    ]
    files = [p for p in store.path.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {DB_NAME, KEY_NAME, f"{DB_NAME}-wal"}
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret not in data, f"{secret!r} readable in {path.name}"
    store.close()
    data = (store.path / DB_NAME).read_bytes()
    assert not any(secret in data for secret in secrets)
    assert not data.startswith(b"SQLite format 3")


def test_sqlite_utils_uses_sqlcipher() -> None:
    # Its fallbacks catch the driver's exception classes; the stdlib's would never fire.
    assert sqlite_utils.utils.sqlite3.__name__ == "sqlcipher3"


# ---- the four errors, and a store from a newer version -----------------------------------------


def flip_bytes_mid_file(store: Path) -> None:
    db = store / DB_NAME
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    db.write_bytes(bytes(data))


def truncate(store: Path) -> None:
    db = store / DB_NAME
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])


def damage_key_file(store: Path) -> None:
    keys = store / KEY_NAME
    keys.write_bytes(keys.read_bytes()[:40])


def damage_passphrase_slot(store: Path) -> None:
    keys = store / KEY_NAME
    data = json.loads(keys.read_text())
    del data["slots"][0]["kdf"]["salt"]
    keys.write_text(json.dumps(data))


def other_files_only(store: Path) -> None:
    shutil.rmtree(store)
    store.mkdir()
    (store / "minutes.docx").write_bytes(b"PK\x03\x04 not a store")
    (store / "photos").mkdir()
    (store / "photos" / "visit.jpg").write_bytes(b"\xff\xd8\xff")


def plain_sqlite_file(store: Path) -> None:
    shutil.rmtree(store)
    store.mkdir()
    conn = sqlite3.connect(store / DB_NAME)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def remove_key_file(store: Path) -> None:
    (store / KEY_NAME).unlink()


def key_file_version_2(store: Path) -> None:
    keys = store / KEY_NAME
    data = json.loads(keys.read_text())
    data["version"] = 2
    keys.write_text(json.dumps(data))


def unknown_migration(store: Path) -> None:
    from db.connection import connect

    key = Store.unlock_key(store, TEST_PASSPHRASE)[0]
    db = connect(store / DB_NAME, key)
    db["_sqlite_migrations"].insert(
        {
            "migration_set": "fmdesk",
            "name": "m999_from_the_future",
            "applied_at": "2031-01-01 00:00:00+00:00",
        }
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


@pytest.mark.parametrize(
    ("damage", "passphrase", "error"),
    [
        (lambda store: None, "not the passphrase", WrongPassphrase),
        (other_files_only, TEST_PASSPHRASE, NotAStore),
        (plain_sqlite_file, TEST_PASSPHRASE, NotAStore),
        (flip_bytes_mid_file, TEST_PASSPHRASE, StoreDamaged),
        (truncate, TEST_PASSPHRASE, StoreDamaged),
        (damage_key_file, TEST_PASSPHRASE, StoreDamaged),
        (damage_passphrase_slot, TEST_PASSPHRASE, StoreDamaged),
        (remove_key_file, TEST_PASSPHRASE, KeyFileMissing),
        (key_file_version_2, TEST_PASSPHRASE, StoreTooNew),
        (unknown_migration, TEST_PASSPHRASE, StoreTooNew),
    ],
    ids=[
        "wrong passphrase",
        "a folder of other files",
        "a plain SQLite file",
        "bytes flipped mid-file",
        "truncated",
        "key file damaged",
        "passphrase slot damaged",
        "key file missing",
        "key file from a newer version",
        "migration from a newer version",
    ],
)
def test_a_store_that_cannot_be_opened_is_left_exactly_as_it_was(
    tmp_path: Path,
    damage: Callable[[Path], None],
    passphrase: str,
    error: type[StoreError],
) -> None:
    store_path = make_store(tmp_path / "store", [*one_family(), *one_family()])
    # Big enough that "the middle" is a data page, not the header.
    with Store.open(store_path, TEST_PASSPHRASE) as store:
        add_demo_families(store, 40, seed=2)
    damage(store_path)
    before = snapshot(tmp_path)
    with pytest.raises(error) as caught:
        Store.open(store_path, passphrase)
    assert type(caught.value) is error
    assert snapshot(tmp_path) == before
    message = str(caught.value)
    assert "\n" not in message
    assert "Traceback" not in message
    assert FAMILY_NAME not in message


def test_the_four_errors_say_different_things(tmp_path: Path) -> None:
    messages = {
        WrongPassphrase().args[0],
        NotAStore(tmp_path).args[0],
        StoreDamaged(tmp_path).args[0],
        KeyFileMissing(tmp_path).args[0],
    }
    assert len(messages) == 4
    assert all(isinstance(e, UserError) for e in (WrongPassphrase(), StoreTooNew(tmp_path)))


def test_no_store_there_at_all(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="fmdesk init"):
        Store.open(tmp_path / "nowhere", TEST_PASSPHRASE)
    assert list(tmp_path.iterdir()) == []


def test_a_plain_file_given_as_the_store_is_not_a_store(tmp_path: Path) -> None:
    plain = tmp_path / "export.db"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(NotAStore):
        Store.open(plain, TEST_PASSPHRASE)
    assert snapshot(tmp_path) == before


def test_a_key_file_from_another_store_does_not_open_this_one(tmp_path: Path) -> None:
    mine, theirs = make_store(tmp_path / "mine"), make_store(tmp_path / "theirs")
    shutil.copy2(theirs / KEY_NAME, mine / KEY_NAME)
    before = snapshot(tmp_path)
    # Said for what it is, not as a damaged store (issue 15), and before any passphrase is tried.
    for passphrase in (TEST_PASSPHRASE, "not the passphrase"):
        with pytest.raises(KeyFileOfAnotherStore, match="belongs to another store") as caught:
            Store.open(mine, passphrase)
        assert KeyFile.load(theirs / KEY_NAME).store_id in str(caught.value)
        assert "put back this store's keys.json" in str(caught.value).lower()
    assert snapshot(tmp_path) == before


# ---- all or nothing --------------------------------------------------------------------------


def test_a_write_that_fails_midway_leaves_nothing(store: Store) -> None:
    existing = store.save(*one_family())
    records = one_family()
    # Make the database refuse the fifth row of the batch, as a full disk would.
    store.db.execute(
        "CREATE TEMP TRIGGER refuse_notes BEFORE INSERT ON records WHEN NEW.kind = 'note' "
        "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
    )
    with pytest.raises(DatabaseError, match="simulated failure"):
        store.save(*records)
    assert store.get(Family, records[0].id) is None
    assert store.get(Person, records[1].id) is None
    assert store.count(Family) == 1
    assert store.get(Family, existing[0].id) == existing[0]


def test_a_transaction_that_raises_is_rolled_back(store: Store) -> None:
    records = one_family()

    def save_in_two_steps_then_fail() -> None:
        with store.transaction():
            store.save(*records[:2])
            store.save(*records[2:])
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        save_in_two_steps_then_fail()
    assert store.count(Family) == 0
    assert store.count(Person) == 0


def test_cancelled_demo_data_adds_nothing(store: Store) -> None:
    token = CancelToken()

    def cancel_after_first_batch(done: int, total: int) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        add_demo_families(store, 120, seed=4, progress=cancel_after_first_batch, cancel=token)
    assert store.count(Family) == 0
    assert store.count(Person) == 0


# ---- whole families --------------------------------------------------------------------------


def test_caseload_and_family_record_from_the_store(store: Store) -> None:
    records = one_family()
    store.save(*records)
    added = add_demo_families(store, 12, seed=6)
    assert added == 12
    rows = load_caseload(store)
    assert len(rows) == 13
    row = next(r for r in rows if r.family_id == records[0].id)
    assert row.children == 1
    assert row.last_contact == dt.date(2024, 12, 2)
    assert "siobhán" in row.search_text

    family = find_family(store, "eh-2025-0007")
    assert family.id == records[0].id
    record = load_family(store, family.id)
    assert [p.given_name for p in record.people] == ["Zoë", CHILD_NAME]
    assert [e.what for e in record.timeline] == [
        "Status changed",
        "Home visit (60 min)",
        "Consent given",
    ]
    with pytest.raises(FamilyNotFound, match="FM-1999-9999"):
        find_family(store, "FM-1999-9999")


def test_export_then_import_into_another_store(store: Store, coordinator_store: Store) -> None:
    records = one_family()
    store.save(*records)
    exported = json.loads(json.dumps(export_family(store, records[0]), ensure_ascii=False))
    assert exported["exported_by"] == "Test Practitioner"
    assert len(exported["records"]) == len(records) - 1

    imported = import_family(coordinator_store, exported)
    assert imported.reference == "EH-2025-0007"
    for record in records:
        copy = coordinator_store.get(type(record), record.id)
        assert copy is not None
        assert copy.replace(revision="") == record
    with pytest.raises(UserError, match="already in this store"):
        import_family(coordinator_store, exported)
    assert coordinator_store.count(Person) == 2


def test_a_family_with_a_reference_already_used_is_refused(store: Store) -> None:
    store.save(*one_family())
    other = one_family()
    other_store_file = {
        "format": "fmdesk-family",
        "version": 1,
        "family": other[0].to_dict(),
        "records": [{"kind": r.KIND, "record": r.to_dict()} for r in other[1:]],
    }
    with pytest.raises(UserError, match="Another family already has reference EH-2025-0007"):
        import_family(store, other_store_file)
    assert store.count(Family) == 1
