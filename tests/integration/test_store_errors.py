"""Faults of the disk and the file system, met for real on an encrypted store: each says what
actually happened and what to do (db/connection.translate judges SQLite's result code, never
its words), and none leaves anything half-written.

A disk I/O error is made by the operating system: a file-size limit (RLIMIT_FSIZE) makes the
write fail as a failing disk or a removed stick would. A full database comes from SQLite's own
page limit. Read-only files are read-only to the user who owns them: root may write anything,
so when the tests run as root the open happens under an unprivileged user's identity."""

import contextlib
import datetime as dt
import os
import resource
import secrets
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2

from db.connection import translate
from db.errors import (
    DiskError,
    DiskFull,
    OutOfMemory,
    StoreBusy,
    StoreCannotOpen,
    StoreDamaged,
    StoreReadOnly,
)
from db.keyslots import KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.families import CaseNote, Family
from fmdesk.roles import Role
from tests.conftest import PRACTITIONER_NAME, StoreTemplates

NOBODY = 65534
FULL = "The disk is full"


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """No file this process writes may grow past `size` bytes: writes beyond it fail (EFBIG),
    as on a disk that fails or a stick pulled out."""
    previous = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous)
        signal.signal(signal.SIGXFSZ, handler)


def note(family: Family, size: int) -> CaseNote:
    return CaseNote(family_id=family.id, on=dt.date(2026, 1, 5), text="x" * size)


def test_a_disk_io_error_says_so_and_not_that_the_disk_is_full(store: Store) -> None:
    (family,) = store.save(Family(reference="EH-1", name="Adeyemi family"))
    files = sum(p.stat().st_size for p in store.path.iterdir() if p.is_file())
    with file_size_limit(files + 4096), pytest.raises(DiskError) as caught:
        store.save(note(family, 90_000), note(family, 90_000))
    said = str(caught.value)
    assert "could not be read or written (a disk I/O error)" in said
    assert "USB stick" in said
    assert FULL not in said
    # Nothing was half-written, and once the disk behaves the same save goes through.
    assert store.list(CaseNote) == []
    store.save(note(family, 90_000))
    assert len(store.list(CaseNote)) == 1


def test_a_full_database_says_the_disk_is_full(store: Store) -> None:
    (family,) = store.save(Family(reference="EH-1", name="Brennan family"))
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(DiskFull, match="The disk is full, so the change was not saved"):
        store.save(*(note(family, 50_000) for _ in range(4)))
    assert store.list(CaseNote) == []


@pytest.fixture
def shared(store_templates: StoreTemplates) -> Iterator[tuple[Path, bytes]]:
    """A store in a folder the unprivileged user may reach, its files owned by that user (as a
    council laptop's user owns theirs), and its data key."""
    top = Path(tempfile.mkdtemp(prefix="fmdesk-errors-"))
    top.chmod(0o755)
    folder = store_templates.copy(top / "store", Role.PRACTITIONER, name=PRACTITIONER_NAME)
    _, key = store_templates.template(Role.PRACTITIONER, PRACTITIONER_NAME)
    if os.geteuid() == 0:
        for item in (folder, *folder.iterdir()):
            os.chown(item, NOBODY, NOBODY)
    try:
        yield folder, key
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)


@contextlib.contextmanager
def as_the_user() -> Iterator[None]:
    root = os.geteuid() == 0
    if root:
        os.setegid(NOBODY)
        os.seteuid(NOBODY)
    try:
        yield
    finally:
        if root:
            os.seteuid(0)
            os.setegid(0)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def open_and_save(folder: Path, key: bytes, keys: KeyFile) -> None:
    """As the store's user: open it and save a family, as the app does."""
    with as_the_user(), Store.open_with_key(folder, key, keys) as store:
        store.save(Family(reference="EH-9", name="Okafor family"))


def test_a_read_only_store_file_says_so_and_changes_nothing(shared: tuple[Path, bytes]) -> None:
    folder, key = shared
    keys = KeyFile.load(folder / KEY_NAME)
    (folder / DB_NAME).chmod(0o444)
    before = contents(folder)[DB_NAME]
    # Before: a raw OperationalError ('attempt to write a readonly database'), a traceback.
    with pytest.raises(StoreReadOnly) as caught:
        open_and_save(folder, key, keys)
    assert str(caught.value).startswith(f"The store at {folder} cannot be changed: its file")
    assert "Move the store to a folder you may write to" in str(caught.value)
    assert contents(folder)[DB_NAME] == before


def test_a_read_only_store_folder_is_not_called_damaged(shared: tuple[Path, bytes]) -> None:
    folder, key = shared
    keys = KeyFile.load(folder / KEY_NAME)
    for item in folder.iterdir():
        item.chmod(0o444)
    folder.chmod(0o555)
    before = contents(folder)
    # Before: "The store ... is damaged and cannot be read ... Restore it from your backup".
    with pytest.raises(StoreReadOnly):
        open_and_save(folder, key, keys)
    assert contents(folder) == before


def test_a_store_file_that_cannot_be_opened_says_so(shared: tuple[Path, bytes]) -> None:
    folder, key = shared
    keys = KeyFile.load(folder / KEY_NAME)
    (folder / DB_NAME).chmod(0o000)
    with pytest.raises(StoreCannotOpen, match="cannot open the store's files"):
        open_and_save(folder, key, keys)


def test_a_file_that_is_not_a_database_is_a_damaged_store(shared: tuple[Path, bytes]) -> None:
    folder, key = shared
    keys = KeyFile.load(folder / KEY_NAME)
    size = (folder / DB_NAME).stat().st_size
    (folder / DB_NAME).write_bytes(secrets.token_bytes(size))
    with pytest.raises(StoreDamaged, match="is damaged and cannot be read"):
        open_and_save(folder, key, keys)


def sqlite_error(code: int, name: str, words: str) -> dbapi2.OperationalError:
    """An error as sqlcipher3 raises it, for the result codes no test can provoke for real here
    (another process holding the lock, a failing allocator, an extended I/O code)."""
    exc = dbapi2.OperationalError(words)
    exc.sqlite_errorcode = code
    exc.sqlite_errorname = name
    return exc


@pytest.mark.parametrize(
    ("code", "name", "words", "expected"),
    [
        (10, "SQLITE_IOERR", "disk I/O error", DiskError),
        (778, "SQLITE_IOERR_WRITE", "disk I/O error", DiskError),
        (3850, "SQLITE_IOERR_LOCK", "disk I/O error", DiskError),
        (13, "SQLITE_FULL", "database or disk is full", DiskFull),
        (5, "SQLITE_BUSY", "database is locked", StoreBusy),
        (6, "SQLITE_LOCKED", "database table is locked", StoreBusy),
        (8, "SQLITE_READONLY", "attempt to write a readonly database", StoreReadOnly),
        (14, "SQLITE_CANTOPEN", "unable to open database file", StoreCannotOpen),
        (3, "SQLITE_PERM", "access permission denied", StoreCannotOpen),
        (11, "SQLITE_CORRUPT", "database disk image is malformed", StoreDamaged),
        (26, "SQLITE_NOTADB", "file is not a database", StoreDamaged),
        (7, "SQLITE_NOMEM", "out of memory", OutOfMemory),
    ],
)
def test_each_result_code_is_translated_by_its_code(
    code: int, name: str, words: str, expected: type
) -> None:
    assert isinstance(translate(sqlite_error(code, name, words), "/stores/s"), expected)


def test_the_words_of_an_error_are_not_what_is_judged() -> None:
    # A bug whose message happens to mention a full disk is still a bug, shown as one.
    misleading = sqlite_error(1, "SQLITE_ERROR", "no such table: disk_full_busy_locked")
    assert translate(misleading, "/stores/s") is misleading
    assert isinstance(translate(OSError(28, "No space left on device"), "/s"), DiskFull)
    assert isinstance(translate(OSError(5, "Input/output error"), "/s"), DiskError)
