"""Opening SQLCipher connections, and the one place sqlcipher3's errors are translated.

sqlite-utils picks its driver (and the exception classes it catches) when it is first imported:
it prefers a module called `pysqlite3`. We alias sqlcipher3 under that name *before* importing
sqlite_utils, so its internal `except OperationalError` fallbacks see sqlcipher3's classes
(they are not subclasses of the stdlib's). `tests/integration/test_store.py` checks this holds.
sqlite-utils is only ever handed a keyed connection, never a path (it would open it unkeyed).
"""

import sys
from pathlib import Path

import sqlcipher3
from sqlcipher3 import dbapi2

sys.modules.setdefault("pysqlite3", sqlcipher3)
sys.modules.setdefault("pysqlite3.dbapi2", dbapi2)

import sqlite_utils  # noqa: E402 - must follow the alias above

from db.errors import DiskFull, StoreBusy, StoreDamaged, StoreError  # noqa: E402

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


def translate(exc: BaseException, path: object) -> BaseException:
    """Turn an environment fault from sqlcipher3 into a StoreError; anything else is a bug."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, DatabaseError):
        message = str(exc).lower()
        if "database or disk is full" in message or "disk i/o" in message:
            return DiskFull()
        if "locked" in message or "busy" in message:
            return StoreBusy()
        if "not a database" in message or "malformed" in message or "corrupt" in message:
            return StoreDamaged(path)
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        return DiskFull()
    return exc
