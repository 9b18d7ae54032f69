"""The central team is never locked into fmdesk: Debian's `age` and `minisign` open our bundles."""

import datetime as dt
import subprocess
import zipfile
from pathlib import Path

import pytest

from fmdesk.families import CaseNote, Family
from fmdesk.roles import Role
from fmdesk.sync.bundle import Change, write_bundle
from fmdesk.sync.identity import StoreIdentity
from tests.tools import require_tools

pytestmark = pytest.mark.interop


@pytest.fixture(autouse=True)
def _tools() -> None:
    require_tools("age", "minisign")


@pytest.fixture
def sent(tmp_path: Path) -> tuple[Path, StoreIdentity, StoreIdentity]:
    practitioner = StoreIdentity.generate(store_id="p1", role=Role.PRACTITIONER, name="Zoë Adeyemi")
    coordinator = StoreIdentity.generate(store_id="c1", role=Role.COORDINATOR, name="Central")
    family = Family(reference="EH-7", name="Ó Súilleabháin family", revision="r1")
    note = CaseNote(family_id=family.id, on=dt.date(2026, 3, 2), text="Visit.", revision="r2")
    path = tmp_path / "to-central.fmb"
    write_bundle(
        path,
        sender=practitioner,
        recipient=coordinator.enrolment,
        changes=[Change.from_record(family), Change.from_record(note)],
        sequence=1,
        previous_sequence=0,
        acknowledged_up_to=0,
    )
    return path, practitioner, coordinator


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


def test_age_decrypts_and_minisign_verifies_our_bundle(
    sent: tuple[Path, StoreIdentity, StoreIdentity], tmp_path: Path
) -> None:
    path, practitioner, coordinator = sent
    (tmp_path / "key.txt").write_text(coordinator.age_identity_text() + "\n")
    (tmp_path / "sender.pub").write_text(practitioner.enrolment.minisign_public_key_file())

    decrypted = run("age", "-d", "-i", "key.txt", "-o", "bundle.zip", path, cwd=tmp_path)
    assert decrypted.returncode == 0, decrypted.stderr
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        zf.extractall(tmp_path / "out")
    verified = run(
        "minisign", "-V", "-p", tmp_path / "sender.pub", "-m", "manifest.json", cwd=tmp_path / "out"
    )
    assert verified.returncode == 0, verified.stderr
    assert "Signature and comment signature verified" in verified.stdout
    assert "to c1 [" + coordinator.fingerprint + "]" in verified.stdout
    records = (tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8")
    assert "Ó Súilleabháin family" in records


def test_minisign_rejects_an_altered_manifest_and_another_key(
    sent: tuple[Path, StoreIdentity, StoreIdentity], tmp_path: Path
) -> None:
    path, practitioner, coordinator = sent
    (tmp_path / "key.txt").write_text(coordinator.age_identity_text() + "\n")
    (tmp_path / "sender.pub").write_text(practitioner.enrolment.minisign_public_key_file())
    (tmp_path / "other.pub").write_text(coordinator.enrolment.minisign_public_key_file())
    assert run("age", "-d", "-i", "key.txt", "-o", "b.zip", path, cwd=tmp_path).returncode == 0
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        zf.extractall(tmp_path / "out")
    out = tmp_path / "out"
    wrong_key = run("minisign", "-V", "-p", tmp_path / "other.pub", "-m", "manifest.json", cwd=out)
    assert wrong_key.returncode != 0
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"sequence": 1', '"sequence": 2'))
    altered = run("minisign", "-V", "-p", tmp_path / "sender.pub", "-m", "manifest.json", cwd=out)
    assert altered.returncode != 0


def test_age_cannot_decrypt_with_the_senders_own_key(
    sent: tuple[Path, StoreIdentity, StoreIdentity], tmp_path: Path
) -> None:
    path, practitioner, _ = sent
    (tmp_path / "mine.txt").write_text(practitioner.age_identity_text() + "\n")
    result = run("age", "-d", "-i", "mine.txt", "-o", "b.zip", path, cwd=tmp_path)
    assert result.returncode != 0
    assert "no identity matched" in result.stderr.lower()
