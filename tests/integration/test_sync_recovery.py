"""A forgotten passphrase, recovered with the coordinator's help, on real encrypted stores."""

import base64
import json
from pathlib import Path

import pyrage
import pytest

from db import recovery, sync
from db.errors import WrongPassphrase
from db.keyslots import KdfParams
from db.store import KEY_NAME, Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

NEW = "otter kettle meadow saxophone"
FAST = KdfParams.fast()


@pytest.fixture
def enrolled(store: Store, coordinator_store: Store) -> tuple[Path, Store, Family]:
    """A practitioner store with a family, enrolled both ways, then closed (locked out)."""
    family = store.save(Family(reference="EH-0042", name="Wiśniewski family"))[0]
    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    path = store.path
    store.close()
    return path, coordinator_store, family


def test_a_forgotten_passphrase_is_replaced_with_the_coordinators_unlock_file(
    enrolled: tuple[Path, Store, Family], tmp_path: Path
) -> None:
    path, coordinator, family = enrolled
    request = recovery.make_request(path, NEW, kdf=FAST)
    # Only the request travels: the slot, a one-off public key and the code; never the data.
    raw_request = request.to_json()
    sent = json.loads(raw_request)
    assert set(sent) == {"format", "request_id", "store_id", "made", "reply_to", "code", "slot"}
    assert family.name.encode() not in raw_request

    unlock, issued = recovery.issue_unlock(coordinator, raw_request)
    assert issued.code == request.code
    assert issued.name == "Test Practitioner"
    logged = coordinator.db.execute("SELECT store_id FROM recovery_issued").fetchall()
    assert logged == [(request.store_id,)]

    recovery.unlock_with_file(path, unlock, NEW, kdf=FAST)
    with Store.open(path, NEW) as store:
        assert store.get(Family, family.id) == family
    with pytest.raises(WrongPassphrase):
        Store.open(path, TEST_PASSPHRASE)
    # One-off: the secret that opens the unlock file is gone, so the file is now useless.
    assert not (path / recovery.PENDING_NAME).exists()
    with pytest.raises(recovery.RecoveryError, match="no open recovery request"):
        recovery.unlock_with_file(path, unlock, NEW, kdf=FAST)


def test_the_recovery_slot_holds_the_key_only_sealed_to_the_coordinator(
    enrolled: tuple[Path, Store, Family],
) -> None:
    path, coordinator, _ = enrolled
    keys = json.loads((path / KEY_NAME).read_text())
    (slot,) = [s for s in keys["slots"] if s["type"] == "recovery"]
    assert slot["coordinator"] == coordinator.info.store_id
    assert slot["coordinator_fingerprint"] == sync.identity(coordinator).fingerprint
    data_key = Store.unlock_key(path, TEST_PASSPHRASE)[0]
    text = (path / KEY_NAME).read_bytes()
    assert data_key.hex().encode() not in text
    assert base64.b64encode(data_key) not in text
    assert base64.b64decode(slot["sealed"]).startswith(b"age-encryption.org/v1\n")


def test_the_wrong_new_passphrase_changes_nothing(
    enrolled: tuple[Path, Store, Family],
) -> None:
    path, coordinator, _ = enrolled
    request = recovery.make_request(path, NEW, kdf=FAST)
    unlock, _ = recovery.issue_unlock(coordinator, request.to_json())
    keys_before = (path / KEY_NAME).read_bytes()
    with pytest.raises(recovery.RecoveryError, match="not the new passphrase"):
        recovery.unlock_with_file(path, unlock, "some other words entirely", kdf=FAST)
    assert (path / KEY_NAME).read_bytes() == keys_before
    Store.open(path, TEST_PASSPHRASE).close()


def test_an_unlock_file_for_an_older_request_is_refused(
    enrolled: tuple[Path, Store, Family],
) -> None:
    path, coordinator, _ = enrolled
    older = recovery.make_request(path, NEW, kdf=FAST)
    unlock_for_older, _ = recovery.issue_unlock(coordinator, older.to_json())
    recovery.make_request(path, NEW, kdf=FAST)  # replaces the older request
    with pytest.raises(recovery.RecoveryError, match="does not answer"):
        recovery.unlock_with_file(path, unlock_for_older, NEW, kdf=FAST)
    Store.open(path, TEST_PASSPHRASE).close()


def test_the_coordinator_refuses_requests_it_cannot_or_should_not_answer(
    enrolled: tuple[Path, Store, Family], tmp_path: Path
) -> None:
    path, coordinator, _ = enrolled
    request = recovery.make_request(path, NEW, kdf=FAST)

    altered = json.loads(request.to_json())
    altered["reply_to"] = str(pyrage.x25519.Identity.generate().to_public())
    with pytest.raises(recovery.RecoveryError, match="altered"):
        recovery.issue_unlock(coordinator, json.dumps(altered).encode())

    with pytest.raises(recovery.RecoveryError, match="not an fmdesk recovery request"):
        recovery.issue_unlock(coordinator, b"{}")

    stranger = Store.create(
        tmp_path / "other-coordinator",
        TEST_PASSPHRASE,
        role=Role.COORDINATOR,
        name="Elsewhere",
        kdf=FAST,
    )
    with stranger, pytest.raises(recovery.RecoveryError, match="not enrolled here"):
        recovery.issue_unlock(stranger, request.to_json())


def test_a_store_never_enrolled_has_no_recovery(tmp_path: Path) -> None:
    path = tmp_path / "alone"
    Store.create(path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Solo", kdf=FAST).close()
    with pytest.raises(recovery.RecoveryError, match="no recovery slot"):
        recovery.make_request(path, NEW, kdf=FAST)
    assert not (path / recovery.PENDING_NAME).exists()
