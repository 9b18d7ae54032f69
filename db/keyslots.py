"""Key slots: the store's random data key, wrapped several ways, in a sidecar `keys.json`.

The SQLCipher database is keyed with a random 256-bit data key, never with the passphrase. The key
file holds that data key wrapped (ChaCha20-Poly1305) by:
- a key derived from the passphrase with Argon2id (parameters stored with the slot, so they can be
  raised later without breaking old stores);
- optionally a random key kept in the OS keychain ("remember on this computer");
- optionally the coordinator's age public key (recovery: a forgotten passphrase never loses work).
Changing the passphrase rewraps one slot; the database is not re-encrypted. Each slot's associated
data binds the store id and the slot's parameters, so slots cannot be swapped between stores.
Prior art: LUKS key slots, restic and borg repository keys.

The file is written atomically (temp file, fsync, rename), so a crash leaves the old or the new one.
"""

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

KEY_FILE_FORMAT = "fmdesk-keys"
KEY_FILE_VERSION = 1


# What an Argon2id cost in keys.json may be. The file is not signed, so a damaged or altered one
# must not ask for 4 TiB of memory (a MemoryError), a negative amount (an OverflowError) or a
# hundred million passes (an unlock that never ends): outside these it is a damaged key file.
KDF_BOUNDS = {
    "memory_kib": (8 * 1024, 4 * 1024 * 1024),  # 8 MiB to 4 GiB
    "iterations": (1, 20),
    "lanes": (1, 16),
}


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default unlocks in about 0.4 s on a 2-core laptop (benchmarks/).
    Each number is a whole number within KDF_BOUNDS (ValueError otherwise)."""

    memory_kib: int = 128 * 1024
    iterations: int = 3
    lanes: int = 4

    def __post_init__(self) -> None:
        for name, (low, high) in KDF_BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"its {name} is {value!r}, not a whole number")
            if not low <= value <= high:
                raise ValueError(f"its {name}, {value}, is outside {low} to {high}")

    @classmethod
    def fast(cls) -> "KdfParams":
        """Cheap parameters for tests only: never for a real store."""
        return cls(memory_kib=8 * 1024, iterations=1, lanes=1)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": "argon2id",
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
        }


class KeyFileError(Exception):
    """The key file is not ours, or is damaged: the store layer words the message."""

    def __init__(self, reason: str, *, ours: bool = True) -> None:
        super().__init__(reason)
        self.ours = ours


class SlotDoesNotOpen(Exception):
    """The secret offered does not open any slot of this kind (e.g. a wrong passphrase)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _aad(store_id: str, slot: dict[str, Any]) -> bytes:
    bound = {k: v for k, v in slot.items() if k not in ("nonce", "wrapped")}
    return json.dumps(
        {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "store_id": store_id,
            "slot": bound,
        },
        sort_keys=True,
    ).encode()


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(passphrase.encode("utf-8"))


def _wrap(kek: bytes, data_key: bytes, store_id: str, slot: dict[str, Any]) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    wrapped = ChaCha20Poly1305(kek).encrypt(nonce, data_key, _aad(store_id, slot))
    return {**slot, "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def _unwrap(kek: bytes, store_id: str, slot: dict[str, Any]) -> bytes:
    try:
        return ChaCha20Poly1305(kek).decrypt(
            _unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(store_id, slot)
        )
    except InvalidTag:
        raise SlotDoesNotOpen() from None


@dataclass
class KeyFile:
    """The parsed keys.json: the store id and its slots (plain dicts, as stored), and the salt
    of the database file it belongs to (db/store.py; "" in a file made before it was kept)."""

    store_id: str
    slots: list[dict[str, Any]]
    database_salt: str = ""

    # ---- reading and writing ----------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: JSON, digits
            raise KeyFileError("the key file is not readable JSON") from None
        if not isinstance(data, dict) or data.get("format") != KEY_FILE_FORMAT:
            raise KeyFileError("not an fmdesk key file", ours=False)
        version = data.get("version")
        if not isinstance(version, int):
            raise KeyFileError("the key file has no version")
        if version > KEY_FILE_VERSION:
            raise KeyFileError("newer", ours=True)
        slots = data.get("slots")
        store_id = data.get("store_id")
        if (
            not isinstance(slots, list)
            or not isinstance(store_id, str)
            or not all(isinstance(s, dict) and isinstance(s.get("type"), str) for s in slots)
        ):
            raise KeyFileError("the key file's slots are damaged")
        salt = data.get("database_salt", "")
        if not isinstance(salt, str):
            raise KeyFileError("the key file's database salt is damaged")
        return cls(store_id=store_id, slots=slots, database_salt=salt)

    def save(self, path: Path) -> None:
        body = json.dumps(
            {
                "format": KEY_FILE_FORMAT,
                "version": KEY_FILE_VERSION,
                "store_id": self.store_id,
                "slots": self.slots,
                **({"database_salt": self.database_salt} if self.database_salt else {}),
            },
            indent=2,
        )
        write_atomic(path, body.encode("utf-8"))

    # ---- passphrase slot --------------------------------------------------------------------

    def set_passphrase(self, data_key: bytes, passphrase: str, params: KdfParams) -> None:
        salt = secrets.token_bytes(16)
        slot = {"type": "passphrase", "kdf": {**params.to_json(), "salt": _b64(salt)}}
        kek = _derive(passphrase, salt, params)
        self._replace_slot("passphrase", _wrap(kek, data_key, self.store_id, slot))

    def open_with_passphrase(self, passphrase: str) -> bytes:
        slot = self._slot("passphrase")
        if slot is None:
            raise KeyFileError("the key file has no passphrase slot")
        kdf = slot.get("kdf", {})
        try:
            params = KdfParams(kdf["memory_kib"], kdf["iterations"], kdf["lanes"])
            salt = _unb64(kdf["salt"])
            kek = _derive(passphrase, salt, params)
            return _unwrap(kek, self.store_id, slot)
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyFileError(f"the passphrase slot is damaged ({exc})") from None

    # ---- keychain slot ----------------------------------------------------------------------

    def add_keychain_slot(self, data_key: bytes) -> bytes:
        """Wrap the data key with a new random key; returns that key for the keychain to hold."""
        kek = secrets.token_bytes(32)
        slot = {"type": "keychain", "account": self.store_id}
        self._replace_slot("keychain", _wrap(kek, data_key, self.store_id, slot))
        return kek

    def open_with_keychain_key(self, kek: bytes) -> bytes:
        slot = self._slot("keychain")
        if slot is None:
            raise SlotDoesNotOpen()
        return _unwrap(kek, self.store_id, slot)

    # ---- generic ----------------------------------------------------------------------------

    def has_slot(self, slot_type: str) -> bool:
        return self._slot(slot_type) is not None

    def remove_slot(self, slot_type: str) -> None:
        self.slots = [s for s in self.slots if s["type"] != slot_type]

    def set_sealed_slot(self, slot_type: str, fields: dict[str, Any]) -> None:
        """A slot sealed by something other than a symmetric key (e.g. an age recipient for
        coordinator recovery): the caller did the sealing and gives the stored fields."""
        self._replace_slot(slot_type, {"type": slot_type, **fields})

    def slot(self, slot_type: str) -> dict[str, Any] | None:
        return self._slot(slot_type)

    def _slot(self, slot_type: str) -> dict[str, Any] | None:
        return next((s for s in self.slots if s["type"] == slot_type), None)

    def _replace_slot(self, slot_type: str, slot: dict[str, Any]) -> None:
        self.remove_slot(slot_type)
        self.slots.append(slot)


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, fsync, then rename over it: never a half-written file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
