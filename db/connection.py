"""Opening SQLCipher connections, and the one place sqlcipher3's errors are translated.

sqlite-utils picks its driver (and the exception classes it catches) when it is first imported:
it prefers a module called `pysqlite3`. We alias sqlcipher3 under that name *before* importing
sqlite_utils, so its internal `except OperationalError` fallbacks see sqlcipher3's classes
(they are not subclasses of the stdlib's). `tests/integration/test_store.py` checks this holds.
sqlite-utils is only ever handed a keyed connection, never a path (it would open it unkeyed).
"""

import errno
import sys
from pathlib import Path

import sqlcipher3
from sqlcipher3 import dbapi2

sys.modules.setdefault("pysqlite3", sqlcipher3)
sys.modules.setdefault("pysqlite3.dbapi2", dbapi2)

import sqlite_utils  # noqa: E402 - must follow the alias above

from db.errors import (  # noqa: E402
    DiskError,
    DiskFull,
    OutOfMemory,
    StoreBusy,
    StoreCannotOpen,
    StoreDamaged,
    StoreError,
    StoreReadOnly,
)

DatabaseError = dbapi2.DatabaseError
OperationalError = dbapi2.OperationalError


def connect(path: Path, key: bytes | None, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open `path` keyed with the 32-byte raw `key` (None: plaintext, for benchmarks only).

    The key is set before any other statement (SQLCipher >= 4.7 requires it), then probed with a
    read, because `PRAGMA key` answers ok even for a wrong key.
    """
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rwc'}"
    conn = sqlcipher3.connect(uri, uri=True, check_same_thread=True, timeout=5)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            if len(key) != 32:
                raise ValueError("the data key must be 32 bytes")
            # PRAGMAs take no bound parameters; the hex comes from our own random bytes.
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


# SQLite's primary result codes (https://sqlite.org/rescode.html); an extended code, such as
# SQLITE_IOERR_WRITE (778), carries its primary code in its low byte.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def translate(exc: BaseException, path: object) -> BaseException:
    """Turn an environment fault from sqlcipher3 into a StoreError that says what happened and
    what to do; anything else is a bug and is returned as it is.

    Judged by the error's SQLite result code (sqlcipher3 gives it as `sqlite_errorcode`), never
    by its words: "disk I/O error" is not a full disk, and a read-only folder is not damage."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(code, int):
            return exc
        primary = code & 0xFF
        if primary == SQLITE_FULL:
            return DiskFull()
        if primary == SQLITE_IOERR:
            return DiskError()
        if primary in (SQLITE_BUSY, SQLITE_LOCKED):
            return StoreBusy()
        if primary == SQLITE_READONLY:
            return StoreReadOnly(path)
        if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
            return StoreCannotOpen(path)
        if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return StoreDamaged(path)
        if primary == SQLITE_NOMEM:
            return OutOfMemory()
        return exc
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFull()
        if exc.errno == errno.EIO:
            return DiskError()
        if exc.errno == errno.EROFS:
            return StoreReadOnly(path)
    return exc


def refusal(exc: BaseException, path: object, detail: str = "") -> StoreError:
    """The StoreError for a fault met while a store is checked on opening: an environment fault
    says what it is (a read-only folder, a disk I/O error, a busy store); anything else means
    the store cannot be read, so it is damaged (`detail` says how)."""
    found = translate(exc, path)
    if isinstance(found, StoreError) and not isinstance(found, StoreDamaged):
        return found
    return StoreDamaged(path, detail)
