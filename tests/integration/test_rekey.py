"""Re-keying after a suspected compromise (db/rekey.py): the database gets a new data key, every
slot is written again around it, and no copy of the old keys.json opens the store any more. A
re-key killed at any step leaves a store that opens with the passphrase, its data whole."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db import recovery, sync
from db.errors import StoreDamaged, WrongPassphrase
from db.families import add_demo_families
from db.keyslots import KdfParams, KeyFile
from db.rekey import last_rekey, rekey
from db.store import DB_NAME, KEY_NAME, NEXT_KEY_NAME, Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE, MemoryKeyring, StoreTemplates

FAST = KdfParams.fast()
REPO = Path(__file__).resolve().parents[2]
NEW = "a brand new passphrase for the recovery"


def families_of(path: Path) -> set[str]:
    with Store.open(path, TEST_PASSPHRASE) as store:
        assert store.check() == []
        return {f.name for f in store.list(Family)}


def with_families(tmp_path: Path, templates: StoreTemplates) -> tuple[Path, set[str]]:
    path = tmp_path / "store"
    with templates.open(path, Role.PRACTITIONER, name="Zoë Adeyemi") as store:
        add_demo_families(store, 6, seed=3, outcomes=False)
    return path, families_of(path)


def test_after_a_rekey_the_old_key_file_and_data_key_no_longer_open_the_store(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path, names = with_families(tmp_path, store_templates)
    old_keys = (path / KEY_NAME).read_bytes()
    with Store.open(path, TEST_PASSPHRASE) as store:
        old_key = store.data_key
        done = rekey(store, TEST_PASSPHRASE, kdf=FAST)
        assert done.store.data_key != old_key
        assert last_rekey(done.store) == done.at
        done.store.close()
    assert not (path / NEXT_KEY_NAME).exists()
    assert families_of(path) == names  # the same data, under the new key

    # What passwd leaves open, and a re-key closes: the old keys.json with the old passphrase.
    (tmp_path / "copy").mkdir()
    shutil.copy2(path / DB_NAME, tmp_path / "copy" / DB_NAME)
    (tmp_path / "copy" / KEY_NAME).write_bytes(old_keys)
    with pytest.raises(StoreDamaged):
        Store.open(tmp_path / "copy", TEST_PASSPHRASE)
    with pytest.raises(StoreDamaged):
        Store.open_with_key(path, old_key, KeyFile.load(path / KEY_NAME))


def test_a_wrong_passphrase_changes_nothing(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path, _ = with_families(tmp_path, store_templates)
    store = Store.open(path, TEST_PASSPHRASE)
    before = (path / KEY_NAME).read_bytes()
    with pytest.raises(WrongPassphrase):
        rekey(store, "not the passphrase at all", kdf=FAST)
    assert (path / KEY_NAME).read_bytes() == before
    assert not (path / NEXT_KEY_NAME).exists()
    store.close()
    Store.open(path, TEST_PASSPHRASE).close()


def test_the_recovery_slot_is_sealed_again_and_recovery_still_works(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    coordinator = store_templates.open(tmp_path / "c", Role.COORDINATOR, name="Central Team")
    path = tmp_path / "p"
    with store_templates.open(path, Role.PRACTITIONER, name="Zoë Adeyemi") as store:
        sync.enrol(store, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(Store.open(path, TEST_PASSPHRASE)).enrolment)
    stale = recovery.make_request(path, NEW, kdf=FAST)  # made before the re-key: useless after

    with Store.open(path, TEST_PASSPHRASE) as store:
        done = rekey(store, TEST_PASSPHRASE, kdf=FAST)
        assert done.recovery == "Central Team"
        assert done.request_removed
        done.store.close()
    assert not (path / recovery.PENDING_NAME).exists()
    with pytest.raises(WrongPassphrase, match="your coordinator can recover"):
        Store.open(path, "forgotten it")

    # The forgotten-passphrase procedure works with the new slot...
    request = recovery.make_request(path, NEW, kdf=FAST)
    unlock, _ = recovery.issue_unlock(coordinator, request.to_json())
    recovery.unlock_with_file(path, unlock, NEW, kdf=FAST)
    Store.open(path, NEW).close()
    # ...and an unlock file answering a request made from the old slot opens nothing.
    old_unlock, _ = recovery.issue_unlock(coordinator, stale.to_json())
    with pytest.raises(recovery.RecoveryError):
        recovery.unlock_with_file(path, old_unlock, NEW, kdf=FAST)
    coordinator.close()


def test_remember_on_this_computer_is_kept_with_a_new_secret(
    tmp_path: Path, store_templates: StoreTemplates, memory_keyring: MemoryKeyring
) -> None:
    path, _ = with_families(tmp_path, store_templates)
    with Store.open(path, TEST_PASSPHRASE) as store:
        assert store.remember_on_this_computer()
        old_secret = dict(memory_keyring.secrets)
        done = rekey(store, TEST_PASSPHRASE, kdf=FAST)
        assert done.keychain
        done.store.close()
    assert memory_keyring.secrets != old_secret
    Store.open(path, None, use_keychain=True).close()


# ---- killed part-way ---------------------------------------------------------------------------

# The child re-keys and dies (os._exit: no clean-up, as a power cut) when the re-key reports the
# step given: 1 passphrase checked, 2 keys.json.next written, 3 database re-keyed, 4 database
# reopened with the new key, 5 keys.json replaced.
CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from db.keyslots import KdfParams
    from db.rekey import rekey
    from db.store import Store

    step = int(sys.argv[3])
    def progress(done, total):
        if done == step:
            os._exit(9)
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    rekey(store, sys.argv[2], kdf=KdfParams.fast(), progress=progress)
    os._exit(0)
    """
)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_a_rekey_killed_at_any_step_leaves_a_store_that_opens(
    tmp_path: Path, store_templates: StoreTemplates, step: int
) -> None:
    path, names = with_families(tmp_path, store_templates)
    old_keys = (path / KEY_NAME).read_bytes()
    killed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), TEST_PASSPHRASE, str(step)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr
    assert families_of(path) == names  # opens, and every page checks out
    rekeyed = step >= 3
    # Once the database took its new key, opening finished the job: one key file, the new one.
    assert (path / NEXT_KEY_NAME).exists() == (step == 2)
    assert ((path / KEY_NAME).read_bytes() == old_keys) == (not rekeyed)
    if rekeyed:
        (path / KEY_NAME).write_bytes(old_keys)
        with pytest.raises(StoreDamaged):
            Store.open(path, TEST_PASSPHRASE)


# ---- the command -------------------------------------------------------------------------------


def test_fmdesk_rekey_with_a_new_passphrase_and_sync_status_says_so(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    from tests.cli import run_cli

    path, names = with_families(tmp_path, store_templates)
    old_keys = (path / KEY_NAME).read_bytes()
    env = {"FMDESK_HOME": str(tmp_path / "home"), "FMDESK_STORE": str(path)}
    wrong = run_cli("rekey", env={**env, "FMDESK_PASSPHRASE": "not the passphrase at all"})
    assert wrong.returncode == 1
    assert "does not unlock this store" in wrong.stderr
    assert (path / KEY_NAME).read_bytes() == old_keys

    done = run_cli(
        "rekey",
        "--new-passphrase",
        env={**env, "FMDESK_PASSPHRASE": TEST_PASSPHRASE, "FMDESK_NEW_PASSPHRASE": NEW},
    )
    assert done.returncode == 0, done.stderr
    assert "Re-keyed: the database has a new data key" in done.stdout
    assert "The passphrase is now the new one." in done.stdout
    assert "Tell your coordinator" in done.stdout
    with pytest.raises(WrongPassphrase):
        Store.open(path, TEST_PASSPHRASE)
    with Store.open(path, NEW) as store:
        assert {f.name for f in store.list(Family)} == names

    status = run_cli("sync", "status", env={**env, "FMDESK_PASSPHRASE": NEW})
    assert status.returncode == 0, status.stderr
    assert "Re-keyed on " in status.stdout
    assert "tell your coordinator" in status.stdout


def test_a_re_key_reaches_the_coordinator_in_the_next_bundle(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    from tests.cli import run_cli

    coordinator_path = tmp_path / "c"
    with store_templates.open(coordinator_path, Role.COORDINATOR, name="Central Team") as central:
        path = tmp_path / "p"
        with store_templates.open(path, Role.PRACTITIONER, name="Zoë Adeyemi") as store:
            sync.enrol(store, sync.identity(central).enrolment)
            sync.enrol(central, sync.identity(store).enrolment)
            before = tmp_path / "before.fmb"
            sync.export_bundle(store, sync.identity(central).store_id, before)
            done = rekey(store, TEST_PASSPHRASE, kdf=FAST)
            after = tmp_path / "after.fmb"
            sync.export_bundle(done.store, sync.identity(central).store_id, after)
            done.store.close()
        sync.import_bundle(central, before)
        (zoe,) = sync.status(central).partners
        assert zoe.rekey_warning == ""  # nothing to say before it was re-keyed
        sync.import_bundle(central, after)
        (zoe,) = sync.status(central).partners
        assert zoe.rekeyed_at == done.at
        assert zoe.rekey_warning.startswith(
            f"Zoë Adeyemi's store was re-keyed on {done.at[:10]} after a suspected compromise"
        )
    env = {
        "FMDESK_HOME": str(tmp_path / "home"),
        "FMDESK_STORE": str(coordinator_path),
        "FMDESK_PASSPHRASE": TEST_PASSPHRASE,
    }
    status = run_cli("sync", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "Warning: Zoë Adeyemi's store was re-keyed on" in status.stdout
    assert "treat bundles signed by it before then with care" in status.stdout
