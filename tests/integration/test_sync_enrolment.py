"""Enrolling a store already enrolled: the same keys change nothing, other keys are refused
showing both fingerprints unless the user confirms, and a replacement is recorded and shown, in
the store and on the command line."""

import json
from pathlib import Path

import pytest

from db import sync
from db.keyslots import KeyFile
from db.store import KEY_NAME, Store
from fmdesk.errors import UserError
from fmdesk.families import Family
from fmdesk.roles import Role
from fmdesk.sync.bundle import write_bundle
from fmdesk.sync.identity import StoreIdentity
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates


@pytest.fixture
def pair(store: Store, coordinator_store: Store) -> tuple[Store, Store]:
    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    return store, coordinator_store


def impostor(of: Store) -> StoreIdentity:
    """New keys under a store's own id and name: a reinstall, or someone pretending."""
    return StoreIdentity.generate(
        store_id=of.info.store_id, role=of.info.role, name=of.info.owner_name
    )


def test_the_same_keys_again_change_nothing(pair: tuple[Store, Store]) -> None:
    practitioner, coordinator = pair
    again = sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    assert again is sync.Enrolled.ALREADY
    assert sync.re_enrolments(coordinator) == []


def test_other_keys_for_an_enrolled_store_are_refused_with_both_fingerprints(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    real = sync.identity(practitioner).enrolment
    fake = impostor(practitioner)
    with pytest.raises(sync.KeyChanged) as refused:
        sync.enrol(coordinator, fake.enrolment)
    message = str(refused.value)
    assert real.fingerprint in message
    assert fake.enrolment.fingerprint in message
    assert "what someone pretending to be them would send" in message
    assert "Nothing was changed" in message
    assert sync.enrolled(coordinator, real.store_id) == real
    assert sync.re_enrolments(coordinator) == []
    # The real practitioner's bundles still import; the impostor's are refused.
    practitioner.save(Family(reference="EH-1", name="Ng family"))
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "real.fmb")
    assert sync.import_bundle(coordinator, tmp_path / "real.fmb").new == 1
    write_bundle(
        tmp_path / "fake.fmb",
        sender=fake,
        recipient=sync.identity(coordinator).enrolment,
        changes=[],
        sequence=9,
        previous_sequence=8,
        acknowledged_up_to=0,
    )
    with pytest.raises(UserError):
        sync.import_bundle(coordinator, tmp_path / "fake.fmb")


def test_a_confirmed_replacement_is_recorded_and_reseals_the_recovery_slot(
    pair: tuple[Store, Store],
) -> None:
    practitioner, coordinator = pair
    old = sync.identity(coordinator).enrolment
    new = impostor(coordinator).enrolment  # the coordinator reinstalled, say
    assert sync.enrol(practitioner, new, replace_key=True) is sync.Enrolled.REPLACED
    assert sync.enrolled(practitioner, old.store_id) == new
    (replaced,) = sync.re_enrolments(practitioner)
    assert (replaced.store_id, replaced.name, replaced.by) == (
        old.store_id,
        "Central Team",
        "Test Practitioner",
    )
    assert (replaced.old_fingerprint, replaced.new_fingerprint) == (
        old.fingerprint,
        new.fingerprint,
    )
    assert replaced.at[:2] == "20"
    assert sync.status(practitioner).re_enrolments == (replaced,)
    # The recovery slot is sealed to the key now enrolled, not the old one.
    keys = KeyFile.load(practitioner.path / KEY_NAME)
    assert keys.slot(sync.RECOVERY_SLOT)["coordinator_fingerprint"] == new.fingerprint


# ---- the command line --------------------------------------------------------------------------


def fmdesk(home: Path, store: Path, *args: str | Path) -> Ran:
    env = {"FMDESK_HOME": str(home), "FMDESK_STORE": str(store)}
    env["FMDESK_PASSPHRASE"] = TEST_PASSPHRASE
    return run_cli(*args, env=env)


def test_the_command_line_refuses_a_changed_key_until_told_to_replace_it(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    home = tmp_path / "home"
    coordinator = store_templates.copy(tmp_path / "c", Role.COORDINATOR, name="Central Team")
    zoe = store_templates.copy(tmp_path / "p", Role.PRACTITIONER, name="Zoë Adeyemi")
    zoe_file = tmp_path / "zoe.fmid"
    assert fmdesk(home, zoe, "enrol", "export", "-o", zoe_file).returncode == 0
    first = fmdesk(home, coordinator, "sync", "enrol", zoe_file, "--yes")
    assert first.returncode == 0, first.stderr
    assert "Enrolled Zoë Adeyemi." in first.stdout

    again = fmdesk(home, coordinator, "sync", "enrol", zoe_file)
    assert again.returncode == 0, again.stderr
    assert "Zoë Adeyemi is already enrolled with these keys: nothing changed." in again.stdout

    real = json.loads(zoe_file.read_text(encoding="utf-8"))
    fake = StoreIdentity.generate(
        store_id=real["store_id"], role=Role.PRACTITIONER, name="Zoë Adeyemi"
    )
    fake_file = tmp_path / "zoe-new.fmid"
    fake_file.write_bytes(fake.enrolment.to_json())
    refused = fmdesk(home, coordinator, "sync", "enrol", fake_file, "--yes")
    assert refused.returncode == 1
    assert real["fingerprint"] in refused.stderr
    assert fake.enrolment.fingerprint in refused.stderr
    assert "run this again with --replace-key" in refused.stderr
    assert "Key replaced" not in fmdesk(home, coordinator, "sync", "status").stdout

    replaced = fmdesk(home, coordinator, "enrol", "import", fake_file, "--replace-key")
    assert replaced.returncode == 0, replaced.stderr
    assert f"Enrolled fingerprint, to be replaced: {real['fingerprint']}" in replaced.stdout
    assert "Enrolled Zoë Adeyemi again, with the new key" in replaced.stdout
    status = fmdesk(home, coordinator, "sync", "status")
    assert f"Key replaced: Zoë Adeyemi ({real['store_id']}), " in status.stdout
    assert (
        f"by Central Team: fingerprint {real['fingerprint']} became "
        f"{fake.enrolment.fingerprint}" in status.stdout
    )
    as_json = json.loads(fmdesk(home, coordinator, "sync", "status", "--json").stdout)
    (entry,) = as_json["re_enrolments"]
    assert entry["old_fingerprint"] == real["fingerprint"]
    assert entry["new_fingerprint"] == fake.enrolment.fingerprint
    assert entry["by"] == "Central Team"
