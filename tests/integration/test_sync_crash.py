"""The import process killed (SIGKILL) at different points: the store still passes `fmdesk check`,
and every bundle is either wholly applied (and recorded as imported) or not at all. Importing
again then finishes the job."""

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db import sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.demo import demo_caseload
from fmdesk.hlc import Clock
from fmdesk.roles import Role
from fmdesk.sync.authority import COORDINATOR_KINDS
from fmdesk.sync.bundle import Change, open_bundle, write_bundle
from fmdesk.sync.identity import StoreIdentity
from tests.conftest import TEST_PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
BUNDLES = 6

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

# The child imports every bundle, committing every ~1,500 records so that kills land before,
# inside and after commits, and reports each bundle it starts on stdout.
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from db import sync
    from db.store import Store

    sync.inbox.GROUP_RECORDS = 1500
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    paths = [Path(p) for p in sys.argv[3:]]
    print("ready", flush=True)
    sync.import_bundles(store, paths, progress=lambda done, total: print(done, flush=True))
    store.close()
    print("finished", flush=True)
    """
)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], str]:
    """A coordinator store (kept as a template) and bundles from enrolled practitioners."""
    folder = tmp_path_factory.mktemp("crash")
    template = folder / "template"
    store = Store.create(
        template, TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central", kdf=KdfParams.fast()
    )
    me = sync.identity(store)
    caseload = list(demo_caseload(120, seed=9))
    paths = []
    for n in range(BUNDLES):
        sender = StoreIdentity.generate(
            store_id=f"practitioner-{n}", role=Role.PRACTITIONER, name=f"Keyworker {n}"
        )
        sync.enrol(store, sender.enrolment)
        clock = Clock(f"p{n}")
        changes = [
            Change.from_record(r.replace(revision=clock.now()))
            for family in caseload[n::BUNDLES]
            for r in family
            if r.KIND not in COORDINATOR_KINDS  # the demo's claims: a practitioner sends none
        ]
        paths.append(folder / f"{n}.fmb")
        write_bundle(
            paths[-1],
            sender=sender,
            recipient=me.enrolment,
            changes=changes,
            sequence=1,
            previous_sequence=0,
            acknowledged_up_to=0,
        )
    secret = store.get_setting(sync.IDENTITY_SETTING)
    store.close()
    return template, paths, secret


def copy_store(template: Path, to: Path) -> Path:
    to.mkdir()
    for name in ("fmdesk.db", "keys.json"):
        (to / name).write_bytes((template / name).read_bytes())
    return to


def check_all_or_nothing(path: Path, paths: list[Path]) -> set[str]:
    """Per bundle, all of its records or none; returns the ids of bundles applied."""
    applied = set()
    with Store.open(path, TEST_PASSPHRASE) as store:
        me = sync.identity(store)
        known = [p.enrolment for p in sync.partners(store)]
        held = {r[0] for r in store.db.execute("SELECT id FROM records")}
        imported = {r[0] for r in store.db.execute("SELECT bundle_id FROM sync_imported")}
        for bundle_path in paths:
            bundle = open_bundle(bundle_path, me, known)
            present = [c.id in held for c in bundle.changes]
            assert all(present) or not any(present), f"{bundle_path.name} half applied"
            assert all(present) == (bundle.manifest.bundle_id in imported)
            if all(present):
                applied.add(bundle.manifest.bundle_id)
    return applied


def fmdesk_check(path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMDESK_")}
    env.update(FMDESK_PASSPHRASE=TEST_PASSPHRASE, FMDESK_HOME=str(path.parent / "home"))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "ui", "check", "--store", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("kill_after", [0, 1, 2, 3, 4, 5])
def test_a_killed_import_leaves_whole_bundles_and_a_sound_store(
    bundles: tuple[Path, list[Path], str], tmp_path: Path, kill_after: int
) -> None:
    template, paths, _ = bundles
    path = copy_store(template, tmp_path / "store")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), TEST_PASSPHRASE, *map(str, paths)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    # Wait until the child has started bundle `kill_after`, then kill it a moment later:
    # somewhere in reading, merging, writing or committing.
    for line in child.stdout:
        if line.strip() == str(kill_after):
            break
    else:
        pytest.fail(f"the child ended early: {child.stderr.read() if child.stderr else ''}")
    delay = random.Random(kill_after).uniform(0, 0.15)
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    if child.stderr:
        child.stderr.close()

    checked = fmdesk_check(path)
    assert checked.returncode == 0, checked.stderr
    assert "sound" in checked.stdout
    check_all_or_nothing(path, paths)

    # Importing everything again finishes the job, with nothing applied twice.
    with Store.open(path, TEST_PASSPHRASE) as store:
        results = sync.import_bundles(store, paths)
        assert all(isinstance(r, sync.ImportResult) for r in results)
        assert all(r.unchanged == 0 for r in results)  # a whole bundle, or a duplicate
    assert len(check_all_or_nothing(path, paths)) == BUNDLES
