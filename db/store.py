"""The encrypted store: one folder holding `fmdesk.db` (SQLCipher 4) and `keys.json` (key slots).

Threading: a Store and its connection belong to the thread that opened it (sqlcipher3 connections
are thread-bound). The app opens it on its single store worker thread; the command line and tests
use it on the main thread.

Every public write is one transaction. Records of every kind are JSON documents in `records`;
`save()` stamps each with a fresh hybrid-logical-clock revision so sync can order edits.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime as dt
import json
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from db import keychain
from db.connection import DatabaseError, connect, refusal, translate
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
from db.keyslots import KdfParams, KeyFile, KeyFileError, SlotDoesNotOpen
from db.migrations import KNOWN, migrations
from fmdesk.changes import SETTING_PREFIX, Changes
from fmdesk.hlc import Clock
from fmdesk.records import Record
from fmdesk.roles import Role, StoreInfo

R = TypeVar("R", bound=Record)
T = TypeVar("T")

DB_NAME = "fmdesk.db"
KEY_NAME = "keys.json"
NEXT_KEY_NAME = "keys.json.next"  # the new key file while a re-key is under way (db/rekey.py)


@dataclasses.dataclass
class _Kept:
    """One thing a reader built from the store's data and keeps on it (`Store.kept`)."""

    value: Any
    kinds: frozenset[str]  # writing a record of one of these kinds lets it go
    settings: frozenset[str]  # and so does writing one of these settings
    uncommitted: bool  # built inside a transaction that has not committed yet


class Store:
    def __init__(self, path: Path, db: Any, data_key: bytes | None, keys: KeyFile | None) -> None:
        self.path = path
        self.db = db
        self._data_key = data_key
        self._keys = keys
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        self.info = StoreInfo(
            store_id=meta["store_id"],
            role=Role(meta["role"]),
            owner_name=meta.get("owner_name", ""),
            device_id=meta["device_id"],
            created_on=dt.date.fromisoformat(meta["created_on"]),
        )
        # (kind, family id) of every record written since the last take_changes(): the app's
        # task runner hands them to the screens after each job (fmdesk/changes.py).
        self._changes: set[tuple[str, str]] = set()
        # What readers built from this store's data and keep while it is open (see `kept`).
        self._kept: dict[str, _Kept] = {}
        # Who the versions written now are by, for the history (see `writing_as`).
        self._writer = _Writer(self.info.owner_name, self.info.store_id)
        last = db.execute("SELECT max(revision) FROM records").fetchone()[0] or ""
        self.clock = Clock(self.info.device_id)
        if last:
            self.clock.observe(last)

    # ---- creating and opening ---------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        role: Role,
        name: str,
        kdf: KdfParams | None = None,
        encrypted: bool = True,
    ) -> Store:
        """Make a new store in an empty (or new) folder. `encrypted=False` is for benchmarks."""
        path = Path(path)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise StoreExists(path)
        path.mkdir(parents=True, exist_ok=True)
        store_id = str(uuid.uuid4())
        data_key = secrets.token_bytes(32) if encrypted else None
        keys = KeyFile(store_id=store_id, slots=[])
        if data_key is not None:
            keys.set_passphrase(data_key, passphrase, kdf or KdfParams())
        else:
            keys.set_sealed_slot("plain", {"note": "benchmark store: not encrypted"})
        try:
            db = connect(path / DB_NAME, data_key)
            migrations.apply(db)
            if data_key is not None:
                keys.database_salt = _cipher_salt(db)
            with db.atomic():
                db.table("meta").insert_all(
                    [
                        {"key": "store_id", "value": store_id},
                        {"key": "role", "value": role.value},
                        {"key": "owner_name", "value": name},
                        {"key": "device_id", "value": secrets.token_hex(4)},
                        {"key": "created_on", "value": dt.date.today().isoformat()},
                        {"key": "encrypted", "value": "1" if encrypted else "0"},
                    ]
                )
            keys.save(path / KEY_NAME)
        except BaseException as exc:
            shutil.rmtree(path, ignore_errors=True)
            raise translate(exc, path) from exc
        return cls(path, db, data_key, keys)

    @staticmethod
    def read_key_file(path: Path) -> KeyFile:
        """Check the folder is a store and read its key file, without opening the database."""
        path = Path(path)
        if not path.exists():
            raise StoreNotFound(path)
        if not path.is_dir():
            raise NotAStore(path)
        db_file, key_file = path / DB_NAME, path / KEY_NAME
        if not db_file.exists() and not key_file.exists():
            raise NotAStore(path)
        if not key_file.exists():
            # fmdesk's databases are encrypted from the first byte; a plain SQLite file with no
            # key file beside it is some other program's database, not a store missing its key.
            with db_file.open("rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":
                    raise NotAStore(path)
            raise KeyFileMissing(path)
        try:
            keys = KeyFile.load(key_file)
        except KeyFileError as exc:
            if not exc.ours:
                raise NotAStore(path) from None
            if str(exc) == "newer":
                raise StoreTooNew(path) from None
            raise StoreDamaged(path, str(exc)) from None
        if not db_file.exists():
            raise StoreDamaged(path, "the database file is missing")
        # keys.json names its database by the SQLCipher salt in the file's first 16 bytes
        # (random per file, kept by PRAGMA rekey, not secret), so another store's key file is
        # told apart from a damaged store, before any passphrase is tried.
        salt = _file_salt(db_file)
        if keys.database_salt and salt is not None and keys.database_salt != salt:
            raise KeyFileOfAnotherStore(path, keys.store_id)
        return keys

    @classmethod
    def unlock_key(
        cls, path: Path, passphrase: str | None, *, use_keychain: bool = False
    ) -> tuple[bytes, KeyFile]:
        """The data key, from the keychain slot (if asked and present) or the passphrase."""
        keys = cls.read_key_file(path)
        if keys.slot("plain") is not None:  # a benchmark store made with encrypted=False
            return b"", keys
        if use_keychain and keys.has_slot("keychain"):
            kek = keychain.load_key(keys.store_id)
            if kek is not None:
                with contextlib.suppress(SlotDoesNotOpen):
                    return keys.open_with_keychain_key(kek), keys
        recoverable = keys.has_slot("recovery")  # db/sync/enrolment.py RECOVERY_SLOT
        if passphrase is None:
            raise WrongPassphrase(recoverable=recoverable)
        try:
            return keys.open_with_passphrase(passphrase), keys
        except SlotDoesNotOpen:
            raise WrongPassphrase(recoverable=recoverable) from None
        except KeyFileError as exc:
            raise StoreDamaged(path, str(exc)) from None

    @classmethod
    def open(
        cls, path: Path, passphrase: str | None = None, *, use_keychain: bool = False
    ) -> Store:
        """Unlock and open. Wrong passphrase, not a store, damaged, key file missing and made
        by a newer version each raise their own StoreError, and none of them writes anything."""
        path = Path(path)
        try:
            data_key, keys = cls.unlock_key(path, passphrase, use_keychain=use_keychain)
            return cls.open_with_key(path, data_key or None, keys)
        except (WrongPassphrase, StoreDamaged):
            if not (path / NEXT_KEY_NAME).exists():
                raise
            finished = cls._finish_rekey(path, passphrase)
            if finished is None:
                raise
            return finished

    @classmethod
    def _finish_rekey(cls, path: Path, passphrase: str | None) -> Store | None:
        """keys.json.next beside keys.json: a re-key (db/rekey.py) stopped, perhaps after the
        database took its new key and before keys.json did. Open with the new key file and put
        it in place; None when it does not open this database (a re-key that stopped before
        the database changed left it behind, unused). The passphrase is the same in both."""
        if passphrase is None:  # a keychain unlock: ask for the passphrase instead
            raise WrongPassphrase()
        try:
            keys = KeyFile.load(path / NEXT_KEY_NAME)
            data_key = keys.open_with_passphrase(passphrase)
            store = cls.open_with_key(path, data_key, keys)
        except (KeyFileError, SlotDoesNotOpen, StoreError):
            return None
        # The re-keyed pages may still be in the WAL only: write them into the database file,
        # so that it is wholly under the new key before keys.json says so.
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        keys.save(path / KEY_NAME)
        (path / NEXT_KEY_NAME).unlink(missing_ok=True)
        return store

    @classmethod
    def open_with_key(cls, path: Path, data_key: bytes | None, keys: KeyFile) -> Store:
        db_file = path / DB_NAME
        created = _missing_sidecars(db_file)
        applied = _probe(path, db_file, data_key, keys)
        try:
            db = connect(db_file, data_key)
        except BaseException as exc:
            raise translate(exc, path) from exc
        try:
            _check_every_page(db, path)
            if set(KNOWN) - applied:
                _copy_aside(db, db_file)
                migrations.apply(db)
        except BaseException as exc:
            db.close()
            if isinstance(exc, StoreDamaged):
                for sidecar in created:
                    sidecar.unlink(missing_ok=True)
            raise translate(exc, path) from exc
        if data_key is not None and not keys.database_salt:
            # A store made before keys.json named its database: name it now, once.
            keys.database_salt = _cipher_salt(db)
            with contextlib.suppress(OSError):
                keys.save(path / KEY_NAME)
        return cls(path, db, data_key, keys)

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(DatabaseError):
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()
            self.db = None
        self._data_key = None
        self._kept.clear()  # no definitions or judged families stay in memory after a lock

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- keys -------------------------------------------------------------------------------

    def change_passphrase(self, new: str, kdf: KdfParams | None = None) -> None:
        """Rewrap the data key under a new passphrase (the caller has checked the old one)."""
        keys, key = self._require_keys()
        keys.set_passphrase(key, new, kdf or KdfParams())
        keys.save(self.path / KEY_NAME)

    def remember_on_this_computer(self) -> bool:
        """Add the keychain slot. False (and nothing changed) without a real OS keychain."""
        keys, key = self._require_keys()
        trial = dataclasses.replace(keys, slots=list(keys.slots))
        kek = trial.add_keychain_slot(key)
        if not keychain.store_key(keys.store_id, kek):
            return False
        trial.save(self.path / KEY_NAME)
        self._keys = trial
        return True

    def forget_on_this_computer(self) -> None:
        keys, _ = self._require_keys()
        keys.remove_slot("keychain")
        keys.save(self.path / KEY_NAME)
        keychain.forget_key(keys.store_id)

    @property
    def key_file(self) -> KeyFile:
        return self._require_keys()[0]

    @property
    def data_key(self) -> bytes:
        return self._require_keys()[1]

    def save_key_file(self) -> None:
        self.key_file.save(self.path / KEY_NAME)

    def _require_keys(self) -> tuple[KeyFile, bytes]:
        if self._keys is None or self._data_key is None:
            raise RuntimeError("this store is not encrypted or is closed")
        return self._keys, self._data_key

    # ---- records ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one transaction (nested calls join the outer one)."""
        try:
            with self.db.atomic():
                yield
        except BaseException as exc:
            # Something built from this transaction's writes would show changes now undone.
            for name in [n for n, k in self._kept.items() if k.uncommitted]:
                del self._kept[name]
            if isinstance(exc, DatabaseError):
                raise translate(exc, self.path) from exc
            raise
        if not self.db.conn.in_transaction:  # committed: what was built inside it holds
            for entry in self._kept.values():
                entry.uncommitted = False

    def save(self, *records: R) -> list[R]:
        """Write records in one transaction, each with a fresh revision; returns what was saved.

        A record kind with a `check_replaces(held)` method (a submitted claim batch) is asked
        first whether it may replace the version held: its ValidationError writes nothing."""
        saved = [r.replace(revision=self.clock.now()) for r in records]
        with self.transaction():
            for record in saved:
                check = getattr(record, "check_replaces", None)
                held = self.get(type(record), record.id) if check is not None else None
                if check is not None and held is not None:
                    check(held)
            self.write_rows(saved)
        return saved

    def write_rows(self, records: Sequence[Record]) -> None:
        """Write records exactly as given (revision included): for sync's import, in a
        transaction the caller holds. Each version written is added to the history too."""
        self.write_bodies(
            [
                (
                    r.id,
                    r.KIND,
                    r.family_id,
                    r.revision,
                    r.deleted,
                    json.dumps(r.to_dict(), ensure_ascii=False, separators=(",", ":")),
                )
                for r in records
            ]
        )

    def write_bodies(self, rows: Sequence[tuple[str, str, str, str, bool, str]]) -> None:
        """`write_rows` for records already checked and already in JSON, as (id, kind,
        family_id, revision, deleted, body) rows: sync's import has parsed and validated each
        incoming record and keeps its JSON as it came, rather than building it twice over."""
        self._changes.update((kind, family or "") for _, kind, family, _, _, _ in rows)
        self._let_go({kind for _, kind, _, _, _, _ in rows})
        values = [
            (i, kind, family, revision, int(deleted), body)
            for i, kind, family, revision, deleted, body in rows
        ]
        with self.transaction():  # the record and its history entry, or neither
            self.db.conn.executemany(
                "INSERT INTO records (id, kind, family_id, revision, deleted, body) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, "
                "family_id=excluded.family_id, revision=excluded.revision, "
                "deleted=excluded.deleted, body=excluded.body",
                values,
            )
            writer, at = self._writer, _utc_now()
            self.db.conn.executemany(
                "INSERT INTO record_history (id, kind, family_id, revision, deleted, body, "
                "written_by, written_by_store, written_at, bundle_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*v, writer.name, writer.store_id, at, writer.bundle_id) for v in values],
            )

    @contextlib.contextmanager
    def writing_as(
        self, name: str, store_id: str, *, bundle_id: str | None = None
    ) -> Iterator[None]:
        """Versions written inside this are recorded in the history as written by `name`
        (store `store_id`), brought by bundle `bundle_id`: sync's import says so for what a
        partner sent. Outside it, the writer is this store's owner."""
        before = self._writer
        self._writer = _Writer(name, store_id, bundle_id)
        try:
            yield
        finally:
            self._writer = before

    def delete(self, *records: Record) -> None:
        """Delete as tombstones, so the deletion travels to the other side."""
        self.save(*(r.replace(deleted=True) for r in records))

    def get(self, cls: type[R], record_id: str) -> R | None:
        row = self.db.execute(
            "SELECT body FROM records WHERE id = ? AND kind = ?", [record_id, cls.KIND]
        ).fetchone()
        return cls.from_stored(json.loads(row[0])) if row else None

    def list(
        self, cls: type[R], *, family_id: str | None = None, include_deleted: bool = False
    ) -> list[R]:
        sql = "SELECT body FROM records WHERE kind = ?"
        params: list[Any] = [cls.KIND]
        if family_id is not None:
            sql += " AND family_id = ?"
            params.append(family_id)
        if not include_deleted:
            sql += " AND deleted = 0"
        return [cls.from_stored(json.loads(b)) for (b,) in self.db.execute(sql, params)]

    def family_records(
        self, family_id: str, *, include_deleted: bool = False
    ) -> builtins.list[dict[str, Any]]:
        """Every record held about one family, as {"kind": ..., "record": plain dict} rows: for
        export. The record stays nested because some records have a field called `kind` too."""
        sql = "SELECT kind, body FROM records WHERE family_id = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        return [{"kind": k, "record": json.loads(b)} for k, b in self.db.execute(sql, [family_id])]

    def count(self, cls: type[Record]) -> int:
        return self.db.execute(
            "SELECT count(*) FROM records WHERE kind = ? AND deleted = 0", [cls.KIND]
        ).fetchone()[0]

    def note_change(self, kind: str, family_id: str | None = None) -> None:
        """Say a write outside the records table changed what screens of `kind` show (the sync
        state tables: partners, bundles, conflicts, quarantine)."""
        self._changes.add((kind, family_id or ""))

    def take_changes(self) -> Changes:
        """What was written since the last call, and start afresh."""
        taken, self._changes = self._changes, set()
        return Changes.of(taken)

    # ---- kept while open --------------------------------------------------------------------

    def kept(
        self,
        name: str,
        build: Callable[[], T],
        *,
        kinds: Iterable[str] = (),
        settings: Iterable[str] = (),
    ) -> T:
        """What `build` makes from this store's data, kept while the store stays open: built on
        first use, built again after a record of one of `kinds` or one of `settings` is written,
        and let go on close (so nothing read stays in memory once the store is locked) and when
        a transaction it was built in rolls back.

        The readers own what they keep and its `name` (db/library.py keeps the definitions
        library, db/programme/judgement.py the judged programme); the store only knows when to
        let go of it, so it imports none of them. Same thread as the store."""
        entry = self._kept.get(name)
        if entry is None:
            value = build()
            entry = _Kept(
                value, frozenset(kinds), frozenset(settings), bool(self.db.conn.in_transaction)
            )
            self._kept[name] = entry
        return cast(T, entry.value)

    def is_kept(self, name: str) -> bool:
        return name in self._kept

    def forget_kept(self, *names: str) -> None:
        for name in names:
            self._kept.pop(name, None)

    def _let_go(self, kinds: Iterable[str] = (), setting: str | None = None) -> None:
        written = set(kinds)
        for name in [
            n for n, k in self._kept.items() if k.kinds & written or setting in k.settings
        ]:
            del self._kept[name]

    # ---- settings ---------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        self._changes.add((SETTING_PREFIX + key, ""))
        self._let_go(setting=key)
        with self.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value)],
            )

    # ---- checks -----------------------------------------------------------------------------

    # `builtins.list`: inside the class, `list` is the method above.
    def check(self) -> builtins.list[str]:
        """Integrity problems found (empty when all is well)."""
        problems: builtins.list[str] = []
        rows = [r[0] for r in self.db.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows)
        if self._data_key is not None:
            problems.extend(
                f"cipher: {r[0]}" for r in self.db.execute("PRAGMA cipher_integrity_check")
            )
        return problems


@dataclasses.dataclass(frozen=True)
class _Writer:
    """Whose versions the history records (`Store.writing_as`)."""

    name: str
    store_id: str
    bundle_id: str | None = None


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cipher_salt(db: Any) -> str:
    return str(db.execute("PRAGMA cipher_salt").fetchone()[0])


def _file_salt(db_file: Path) -> str | None:
    """The salt SQLCipher keeps in the database file's first 16 bytes (None if unreadable)."""
    try:
        with db_file.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    return head.hex() if len(head) == 16 else None


def _copy_aside(db: Any, db_file: Path) -> None:
    """Before migrating, keep a copy of the encrypted file (still encrypted) to go back to."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    shutil.copy2(db_file, db_file.with_name(f"{db_file.name}.before-upgrade-{stamp}"))


def _missing_sidecars(db_file: Path) -> list[Path]:
    sidecars = [db_file.with_name(db_file.name + suffix) for suffix in ("-wal", "-shm")]
    return [p for p in sidecars if not p.exists()]


def _probe(path: Path, db_file: Path, data_key: bytes | None, keys: KeyFile) -> set[str]:
    """Check the database read-only, before anything writes to it; returns the migrations it has.

    A read-only connection to a WAL database still creates its -wal and -shm files, so when the
    probe refuses the store it removes those it created: a refused store is left as it was.
    """
    created = _missing_sidecars(db_file)
    try:
        try:
            probe = connect(db_file, data_key, read_only=True)
        except DatabaseError as exc:
            raise refusal(exc, path) from exc
        try:
            meta = dict(probe.execute("SELECT key, value FROM meta").fetchall())
            applied = {m.name for m in migrations.applied(probe)}
        except DatabaseError as exc:
            raise refusal(exc, path, "its tables cannot be read") from exc
        finally:
            probe.close()
        if meta.get("store_id") != keys.store_id:
            raise KeyFileOfAnotherStore(path, keys.store_id)
        if applied - set(KNOWN):
            raise StoreTooNew(path)
    except BaseException:
        for sidecar in created:
            sidecar.unlink(missing_ok=True)
        raise
    return applied


def _check_every_page(db: Any, path: Path) -> None:
    """Read every page before anything writes: a flipped byte fails its page's HMAC and a
    truncation loses pages, and either must stop the open here rather than in a later query.

    Done on the connection the store keeps (opening it writes nothing to a WAL database), so the
    pages decrypted here stay in its cache and the first screen reads them from memory rather
    than decrypting them a second time."""
    try:
        checked = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except DatabaseError as exc:
        raise refusal(exc, path, "some of its pages cannot be read") from exc
    if checked != ["ok"]:
        raise StoreDamaged(path, "some of its pages are damaged")
