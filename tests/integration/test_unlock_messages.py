"""The messages a locked-out user reads tell the truth (issue 15): the coordinator is offered
only where a recovery slot exists, a missing keys.json says recovery needs it too, and another
store's keys.json is named as that, not as a damaged store. Each is checked where the user meets
it: Store.open (the app's unlock screen shows its message) and the command line."""

import json
import shutil
from pathlib import Path

import pytest

from db import recovery, sync
from db.errors import KeyFileMissing, KeyFileOfAnotherStore, WrongPassphrase
from db.keyslots import KdfParams, KeyFile
from db.store import DB_NAME, KEY_NAME, Store
from fmdesk.roles import Role
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

COORDINATOR_CAN = "your coordinator can recover the store"
NOBODY_CAN = "nobody else can unlock this store"


def wrong(path: Path) -> str:
    with pytest.raises(WrongPassphrase) as caught:
        Store.open(path, "not the passphrase at all")
    return str(caught.value)


def cli_refusal(path: Path, passphrase: str = "not the passphrase at all") -> str:
    ran = run_cli(
        "families", "list", env={"FMDESK_STORE": str(path), "FMDESK_PASSPHRASE": passphrase}
    )
    assert ran.returncode == 1
    return ran.stderr


def enrolled_practitioner(tmp_path: Path, templates: StoreTemplates) -> Path:
    """A practitioner's store that has enrolled a coordinator: it has a recovery slot."""
    path = tmp_path / "practitioner"
    coordinator = templates.open(tmp_path / "coordinator", Role.COORDINATOR, name="Central Team")
    with templates.open(path, Role.PRACTITIONER, name="Zoë Adeyemi") as store:
        sync.enrol(store, sync.identity(coordinator).enrolment)
    coordinator.close()
    return path


def test_a_practitioner_with_no_coordinator_is_not_told_the_coordinator_can_help(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = store_templates.copy(tmp_path / "p", Role.PRACTITIONER, name="Zoë Adeyemi")
    message = wrong(path)
    assert COORDINATOR_CAN not in message
    assert NOBODY_CAN in message
    assert "its data cannot be read" in message
    assert NOBODY_CAN in cli_refusal(path)


def test_the_coordinators_own_store_is_not_told_the_coordinator_can_help(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = store_templates.copy(tmp_path / "c", Role.COORDINATOR, name="Central Team")
    message = wrong(path)
    assert COORDINATOR_CAN not in message
    assert NOBODY_CAN in message
    with pytest.raises(recovery.RecoveryError, match="a coordinator's own store never has one"):
        recovery.make_request(path, "a brand new passphrase here", kdf=KdfParams.fast())


def test_a_store_with_a_recovery_slot_says_the_coordinator_can_recover_it(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = enrolled_practitioner(tmp_path, store_templates)
    message = wrong(path)
    assert COORDINATOR_CAN in message
    assert NOBODY_CAN not in message
    assert COORDINATOR_CAN in cli_refusal(path)


def test_a_missing_key_file_says_recovery_needs_it_too(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = enrolled_practitioner(tmp_path, store_templates)
    (path / KEY_NAME).unlink()
    with pytest.raises(KeyFileMissing) as caught:
        Store.open(path, TEST_PASSPHRASE)
    message = str(caught.value)
    assert "recovery needs keys.json too" in message
    assert "ask your coordinator" not in message
    assert "backup" in message
    # Asking the coordinator for help is refused with the same words, before anything is made.
    with pytest.raises(KeyFileMissing, match=r"recovery needs keys\.json too"):
        recovery.make_request(path, "a brand new passphrase here", kdf=KdfParams.fast())
    assert sorted(p.name for p in path.iterdir()) == [DB_NAME]


def test_another_stores_key_file_is_named_as_such_whatever_the_passphrase(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    mine = store_templates.copy(tmp_path / "mine", Role.PRACTITIONER, name="Zoë Adeyemi")
    theirs = store_templates.copy(tmp_path / "theirs", Role.PRACTITIONER, name="Pat Keyworker")
    their_id = KeyFile.load(theirs / KEY_NAME).store_id
    shutil.copy2(theirs / KEY_NAME, mine / KEY_NAME)
    for passphrase in (TEST_PASSPHRASE, "not the passphrase at all"):
        with pytest.raises(KeyFileOfAnotherStore) as caught:
            Store.open(mine, passphrase)
        message = str(caught.value)
        assert f"belongs to another store (store id {their_id})" in message
        assert "put back this store's keys.json" in message.lower()
        assert "damaged" not in message
    assert f"store id {their_id}" in cli_refusal(mine, TEST_PASSPHRASE)


def test_a_key_file_made_before_it_named_its_database_learns_it_on_the_next_unlock(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = store_templates.copy(tmp_path / "old", Role.PRACTITIONER, name="Zoë Adeyemi")
    data = json.loads((path / KEY_NAME).read_text())
    salt = data.pop("database_salt")
    (path / KEY_NAME).write_text(json.dumps(data))
    Store.open(path, TEST_PASSPHRASE).close()
    head = (path / DB_NAME).read_bytes()[:16]
    assert KeyFile.load(path / KEY_NAME).database_salt == salt == head.hex()
