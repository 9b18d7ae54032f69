"""The optional "remember on this computer" slot, through the OS keychain (keyring).

Only a real keychain is used. On a headless machine keyring may quietly pick a plaintext file
(keyrings.alt) or a null backend that "stores" and returns nothing; either would be worse than
asking for the passphrase, so both are refused, and every write is read back.
"""

import contextlib

import keyring
import keyring.backend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError

SERVICE = "fmdesk"


def _real(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    module = type(backend).__module__
    if module.startswith("keyrings.alt") or "plaintext" in type(backend).__name__.lower():
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:
        return False


def available() -> bool:
    """True when a real OS keychain is there to hold the key."""
    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        return any(_real(b) for b in backend.backends)
    return _real(backend)


def store_key(account: str, key: bytes) -> bool:
    """Keep `key` for `account`; True only if it was stored and reads back the same."""
    if not available():
        return False
    try:
        keyring.set_password(SERVICE, account, key.hex())
        return keyring.get_password(SERVICE, account) == key.hex()
    except KeyringError:
        return False


def load_key(account: str) -> bytes | None:
    if not available():
        return None
    try:
        value = keyring.get_password(SERVICE, account)
    except KeyringError:
        return None
    if not value:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def forget_key(account: str) -> None:
    if not available():
        return
    with contextlib.suppress(KeyringError):
        keyring.delete_password(SERVICE, account)
