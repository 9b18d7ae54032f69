"""Shared fixtures. Qt runs offscreen; stores are real SQLCipher files in tmp_path with cheap key
derivation (a real store's Argon2id costs ~0.4 s an unlock: it adds up over hundreds of tests).

Every test is marked by its folder (unit, integration, ui, reports, packaging), so that
`pytest -m unit` runs the core's tests alone (qutebrowser's tests/conftest.py does the same).

Stores come from templates (anki's pylib/tests/shared.py): each kind of store is made and migrated
once per test run, and each test gets a copy of the folder opened with its raw data key.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import keyring.backend

from db.keyslots import KdfParams, KeyFile
from db.store import KEY_NAME, Store
from fmdesk.roles import Role

TEST_PASSPHRASE = "correct horse battery staple"
PRACTITIONER_NAME = "Test Practitioner"
COORDINATOR_NAME = "Central Team"
TESTS = Path(__file__).resolve().parent
FOLDERS = ("unit", "integration", "ui", "reports", "packaging")
# What a unit test may not ask for: the core's tests run without Qt and without a store.
NOT_IN_UNIT = {"qtbot", "qapp", "store", "coordinator_store", "store_templates", "make_store"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.resolve().relative_to(TESTS).parts[0]
        if folder not in FOLDERS:
            # A new folder needs a marker of its own, or `pytest -m` would quietly miss it.
            raise pytest.UsageError(
                f"{item.nodeid}: a test belongs in one of tests/{{{','.join(FOLDERS)}}}"
            )
        item.add_marker(getattr(pytest.mark, folder))
        if folder == "unit" and NOT_IN_UNIT & set(getattr(item, "fixturenames", ())):
            wanted = ", ".join(sorted(NOT_IN_UNIT & set(item.fixturenames)))  # type: ignore[attr-defined]
            raise pytest.UsageError(
                f"{item.nodeid} asks for {wanted}: a unit test runs without Qt and without a "
                "store; it belongs in tests/integration or tests/ui"
            )


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


# ---- stores ------------------------------------------------------------------------------------


class StoreTemplates:
    """Empty stores made once per test run, one per role and owner name, copied per test.

    A copy is the same store as its template: the same store_id, device_id and data key. Two
    copies of one template in the same test are therefore not two stores to sync between; a
    test that wants two stores of one role with the same name makes them with Store.create.
    Copies of different templates (another role or another owner name) are distinct stores.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[tuple[Role, str], tuple[Path, bytes]] = {}

    def template(self, role: Role, name: str) -> tuple[Path, bytes]:
        """The template's folder and data key, made on first use."""
        if (role, name) not in self._made:
            path = self.folder / f"{role.value}-{len(self._made)}"
            with Store.create(
                path, TEST_PASSPHRASE, role=role, name=name, kdf=KdfParams.fast()
            ) as store:
                key = store.data_key
            # Closing checkpoints the WAL: the folder is then two files, safe to copy.
            self._made[role, name] = (path, key)
        return self._made[role, name]

    def copy(self, to: Path, role: Role = Role.PRACTITIONER, *, name: str) -> Path:
        """A closed store at `to` (a new or empty folder), unlocked by TEST_PASSPHRASE."""
        template, _key = self.template(role, name)
        if to.exists() and any(to.iterdir()):
            raise FileExistsError(f"{to} is not empty")
        shutil.copytree(template, to, dirs_exist_ok=True)
        return to

    def open(self, to: Path, role: Role = Role.PRACTITIONER, *, name: str) -> Store:
        """A copy at `to`, opened with its raw data key (no key derivation at all)."""
        self.copy(to, role, name=name)
        _template, key = self.template(role, name)
        return Store.open_with_key(to, key, KeyFile.load(to / KEY_NAME))


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplates:
    templates = StoreTemplates(tmp_path_factory.mktemp("store-templates"))
    # The two the fixtures below copy, made before any test's own fixtures (a monkeypatch)
    # could change how a store is made.
    templates.template(Role.PRACTITIONER, PRACTITIONER_NAME)
    templates.template(Role.COORDINATOR, COORDINATOR_NAME)
    return templates


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path, store_templates: StoreTemplates) -> Iterator[Store]:
    """An open, empty practitioner store."""
    s = store_templates.open(store_path, Role.PRACTITIONER, name=PRACTITIONER_NAME)
    yield s
    s.close()


@pytest.fixture
def coordinator_store(tmp_path: Path, store_templates: StoreTemplates) -> Iterator[Store]:
    s = store_templates.open(tmp_path / "coordinator", Role.COORDINATOR, name=COORDINATOR_NAME)
    yield s
    s.close()
