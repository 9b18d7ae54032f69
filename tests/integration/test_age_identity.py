"""Never locked in: `fmdesk age-identity` writes this store's age identity to a new file that the
standard `age` tool (Debian's package) uses to open a bundle sent to this store, and the bundle
inside holds the three members docs/bundle-format.md lists."""

import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from db import sync
from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates
from tests.tools import require_tools


@pytest.fixture
def sent(tmp_path: Path, store_templates: StoreTemplates) -> tuple[Path, Path]:
    """A coordinator's store and a bundle a practitioner sent it."""
    coordinator = store_templates.open(tmp_path / "c", Role.COORDINATOR, name="Central Team")
    practitioner = store_templates.open(tmp_path / "p", Role.PRACTITIONER, name="Zoë Adeyemi")
    sync.enrol(practitioner, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    practitioner.save(Family(reference="EH-7", name="Ó Súilleabháin family"))
    bundle = tmp_path / "to-central.fmb"
    sync.export_bundle(practitioner, coordinator.info.store_id, bundle)
    practitioner.close()
    coordinator.close()
    return tmp_path / "c", bundle


def env_for(store: Path, home: Path) -> dict[str, str]:
    return {
        "FMDESK_HOME": str(home),
        "FMDESK_STORE": str(store),
        "FMDESK_PASSPHRASE": TEST_PASSPHRASE,
    }


def test_the_identity_file_is_new_private_and_comes_with_a_warning(
    sent: tuple[Path, Path], tmp_path: Path
) -> None:
    store, _ = sent
    key = tmp_path / "central-key.txt"
    wrote = run_cli("age-identity", "-o", key, env=env_for(store, tmp_path / "home"))
    assert wrote.returncode == 0, wrote.stderr
    assert "opens every sync bundle sent to this store" in wrote.stderr
    text = key.read_text(encoding="utf-8")
    with Store.open(store, TEST_PASSPHRASE) as opened:
        me = sync.identity(opened)
    assert me.age_identity_text() in text.splitlines()
    assert f"# public key: {me.enrolment.age_recipient}" in text
    if sys.platform != "win32":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = run_cli("age-identity", "-o", key, env=env_for(store, tmp_path / "home"))
    assert again.returncode == 1
    assert "will not overwrite it" in again.stderr
    assert key.read_text(encoding="utf-8") == text


@pytest.mark.interop
def test_age_opens_a_bundle_with_the_identity_file(sent: tuple[Path, Path], tmp_path: Path) -> None:
    require_tools("age")
    store, bundle = sent
    key = tmp_path / "central-key.txt"
    assert run_cli("age-identity", "-o", key, env=env_for(store, tmp_path / "home")).returncode == 0
    opened = subprocess.run(
        ["age", "-d", "-i", str(key), "-o", str(tmp_path / "bundle.zip"), str(bundle)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert opened.returncode == 0, opened.stderr
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        assert sorted(zf.namelist()) == ["manifest.json", "manifest.json.minisig", "records.jsonl"]
        assert "Ó Súilleabháin family" in zf.read("records.jsonl").decode("utf-8")
