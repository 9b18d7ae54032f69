"""Shared fixtures. Qt runs offscreen; stores are real SQLCipher files in tmp_path with cheap key
derivation (a real store's Argon2id costs ~0.4 s an unlock: it adds up over hundreds of tests)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import keyring.backend

from db.keyslots import KdfParams
from db.store import Store
from fmdesk.roles import Role

TEST_PASSPHRASE = "correct horse battery staple"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps secrets in memory, for tests of the keychain slot."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    """An open, empty practitioner store."""
    s = Store.create(
        store_path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Test Practitioner",
        kdf=KdfParams.fast(),
    )
    yield s
    s.close()


@pytest.fixture
def coordinator_store(tmp_path: Path) -> Iterator[Store]:
    s = Store.create(
        tmp_path / "coordinator", TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central Team",
        kdf=KdfParams.fast(),
    )
    yield s
    s.close()
