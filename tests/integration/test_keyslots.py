"""Key slots: changing the passphrase rewraps the data key only, and "remember on this
computer" uses a real keychain or nothing at all."""

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import fail, null

from db import keychain
from db.errors import StoreDamaged, WrongPassphrase
from db.keyslots import KdfParams, KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.families import Family
from fmdesk.roles import Role

OLD = "quillfeather maple lantern harbour"
NEW = "Łódź tram ticket on a rainy Tuesday"


def make_store(path: Path) -> Family:
    store = Store.create(path, OLD, role=Role.PRACTITIONER, name="Zoë", kdf=KdfParams.fast())
    (family,) = store.save(Family(reference="EH-1", name="Okonkwo family"))
    store.close()
    return family


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the passphrase slot ---------------------------------------------------------------------


def test_after_a_passphrase_change_only_the_new_one_unlocks(store_path: Path) -> None:
    family = make_store(store_path)
    database_before = digest(store_path / DB_NAME)
    with Store.open(store_path, OLD) as store:
        store.change_passphrase(NEW, KdfParams.fast())
    # The data key was rewrapped, not changed: the database itself was not re-encrypted.
    assert digest(store_path / DB_NAME) == database_before
    with pytest.raises(WrongPassphrase):
        Store.open(store_path, OLD)
    with Store.open(store_path, NEW) as store:
        assert store.get(Family, family.id) == family


def test_the_key_derivation_settings_are_kept_with_the_slot(store_path: Path) -> None:
    make_store(store_path)
    (slot,) = json.loads((store_path / KEY_NAME).read_text())["slots"]
    assert slot["type"] == "passphrase"
    assert slot["kdf"]["name"] == "argon2id"
    assert (slot["kdf"]["memory_kib"], slot["kdf"]["iterations"]) == (8 * 1024, 1)
    # Raising the cost later needs only a rewrap; stores made with the old cost still open.
    stronger = KdfParams(memory_kib=16 * 1024, iterations=2, lanes=2)
    with Store.open(store_path, OLD) as store:
        store.change_passphrase(NEW, stronger)
    (slot,) = json.loads((store_path / KEY_NAME).read_text())["slots"]
    assert (slot["kdf"]["memory_kib"], slot["kdf"]["iterations"], slot["kdf"]["lanes"]) == (
        16 * 1024,
        2,
        2,
    )
    Store.open(store_path, NEW).close()


def test_the_default_cost_is_a_real_one() -> None:
    default = KdfParams()
    assert default.memory_kib >= 64 * 1024
    assert default.iterations >= 2


def test_the_key_file_holds_no_key_in_the_clear(store_path: Path) -> None:
    make_store(store_path)
    with Store.open(store_path, OLD) as store:
        key = store.data_key
    text = (store_path / KEY_NAME).read_bytes()
    assert len(key) == 32
    assert key.hex().encode() not in text
    assert key not in text
    assert OLD.encode() not in text


def test_a_slot_moved_to_another_store_does_not_open(tmp_path: Path) -> None:
    make_store(tmp_path / "a")
    make_store(tmp_path / "b")
    keys_a = KeyFile.load(tmp_path / "a" / KEY_NAME)
    keys_b = KeyFile.load(tmp_path / "b" / KEY_NAME)
    # Store b's key file with store a's wrapped key: the slot is bound to its store id.
    KeyFile(store_id=keys_b.store_id, slots=keys_a.slots).save(tmp_path / "b" / KEY_NAME)
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "b", OLD)


def test_a_key_file_without_a_passphrase_slot_is_damaged(store_path: Path) -> None:
    make_store(store_path)
    keys = KeyFile.load(store_path / KEY_NAME)
    keys.remove_slot("passphrase")
    keys.save(store_path / KEY_NAME)
    with pytest.raises(StoreDamaged, match="no passphrase slot"):
        Store.open(store_path, OLD)


# ---- the keychain slot ------------------------------------------------------------------------


def test_remember_on_this_computer_then_forget(store_path: Path, memory_keyring: object) -> None:
    family = make_store(store_path)
    with Store.open(store_path, OLD) as store:
        assert store.remember_on_this_computer() is True
        store_id = store.info.store_id
    assert KeyFile.load(store_path / KEY_NAME).has_slot("keychain")
    assert keyring.get_password(keychain.SERVICE, store_id)

    with Store.open(store_path, None, use_keychain=True) as store:
        assert store.get(Family, family.id) == family

    with Store.open(store_path, None, use_keychain=True) as store:
        store.forget_on_this_computer()
    assert not KeyFile.load(store_path / KEY_NAME).has_slot("keychain")
    assert keyring.get_password(keychain.SERVICE, store_id) is None
    with pytest.raises(WrongPassphrase):
        Store.open(store_path, None, use_keychain=True)
    Store.open(store_path, OLD).close()


def test_a_keychain_that_lost_the_secret_falls_back_to_the_passphrase(
    store_path: Path, memory_keyring: object
) -> None:
    make_store(store_path)
    with Store.open(store_path, OLD) as store:
        assert store.remember_on_this_computer()
    keyring.get_keyring().secrets.clear()  # type: ignore[attr-defined]
    with pytest.raises(WrongPassphrase):
        Store.open(store_path, None, use_keychain=True)
    Store.open(store_path, OLD, use_keychain=True).close()


def test_the_keychain_is_not_asked_unless_the_caller_wants_it(
    store_path: Path, memory_keyring: object
) -> None:
    make_store(store_path)
    with Store.open(store_path, OLD) as store:
        assert store.remember_on_this_computer()
    with pytest.raises(WrongPassphrase):
        Store.open(store_path, None)


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Shaped like keyrings.alt's plaintext file backend: it works, and it must not be used."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(params=["null", "fail", "plaintext"])
def unfit_keyring(request: pytest.FixtureRequest) -> Iterator[keyring.backend.KeyringBackend]:
    backends = {"null": null.Keyring, "fail": fail.Keyring, "plaintext": PlaintextKeyring}
    previous = keyring.get_keyring()
    backend = backends[request.param]()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_null_failing_or_plaintext_keychain_is_refused(
    store_path: Path, unfit_keyring: keyring.backend.KeyringBackend
) -> None:
    make_store(store_path)
    key_file_before = digest(store_path / KEY_NAME)
    with Store.open(store_path, OLD) as store:
        assert not keychain.available()
        assert store.remember_on_this_computer() is False
    assert digest(store_path / KEY_NAME) == key_file_before
    if isinstance(unfit_keyring, PlaintextKeyring):
        assert unfit_keyring.secrets == {}
    with pytest.raises(WrongPassphrase):
        Store.open(store_path, None, use_keychain=True)
