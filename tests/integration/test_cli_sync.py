"""Sync from the command line, end to end: two stores enrol each other, exchange bundles, meet a
conflict, decide it, and recover a forgotten passphrase. Each step runs the `fmdesk` command group
in this process (tests/cli.py) on stores copied from the test run's templates; one scenario runs
through in order (module-scoped fixtures) rather than rebuilding stores per test."""

import json
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

PASSPHRASE = TEST_PASSPHRASE
NEW_PASSPHRASE = "Siobhán's bicycle under the pier"


def fmdesk(
    home: Path,
    store: Path,
    *args: str | Path,
    new: str | None = None,
    passphrase: str | None = PASSPHRASE,
) -> Ran:
    env = {"FMDESK_HOME": str(home), "FMDESK_STORE": str(store)}
    if passphrase is not None:
        env["FMDESK_PASSPHRASE"] = passphrase
    if new is not None:
        env["FMDESK_NEW_PASSPHRASE"] = new
    return run_cli(*args, env=env)


def ok(result: Ran) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: Ran, *words: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    for word in words:
        assert word in result.stderr
    return result.stderr


class Scene:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.home = folder / "home"
        self.practitioner = folder / "practitioner"
        self.coordinator = folder / "coordinator"

    def p(self, *args: str | Path, **kw: str | None) -> Ran:
        return fmdesk(self.home, self.practitioner, *args, **kw)

    def c(self, *args: str | Path, **kw: str | None) -> Ran:
        return fmdesk(self.home, self.coordinator, *args, **kw)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, store_templates: StoreTemplates) -> Scene:
    """Both stores made and enrolled both ways; the practitioner has 3 demo families."""
    s = Scene(tmp_path_factory.mktemp("sync-cli"))
    # Two templates, so two stores with their own ids and keys.
    store_templates.copy(s.practitioner, Role.PRACTITIONER, name="Zoë Adeyemi")
    store_templates.copy(s.coordinator, Role.COORDINATOR, name="Central Team")
    ok(s.p("demo-data", "--families", "3", "--seed", "4"))
    s.p_fingerprint = ok(s.p("enrol", "export", "-o", s.folder / "p.fmid")).split(": ")[1][:24]
    s.c_fingerprint = ok(s.c("enrol", "export", "-o", s.folder / "c.fmid")).split(": ")[1][:24]
    # Without a terminal, enrolment refuses to go ahead unasked.
    refused(s.p("enrol", "import", s.folder / "c.fmid"), "Check the fingerprint by phone", "--yes")
    shown = ok(s.p("enrol", "import", s.folder / "c.fmid", "--yes"))
    assert s.c_fingerprint in shown
    assert "sealed to the coordinator" in shown
    assert s.p_fingerprint in ok(s.c("enrol", "import", s.folder / "p.fmid", "--yes"))
    return s


def test_enrolment_shows_each_sides_fingerprint(scene: Scene) -> None:
    status = json.loads(ok(scene.p("sync", "status", "--json")))
    assert status["fingerprint"] == scene.p_fingerprint
    (partner,) = status["partners"]
    assert partner["name"] == "Central Team"
    assert partner["fingerprint"] == scene.c_fingerprint
    assert partner["pending"] > 3  # three families and their people, notes, consents...


def test_bundles_travel_conflicts_are_shown_and_decided(scene: Scene) -> None:
    first = scene.folder / "1.fmb"
    assert "Wrote bundle 1 for Central Team" in ok(scene.p("bundle", "export", "-o", first))
    imported = ok(scene.c("bundle", "import", first))
    assert imported.startswith("1.fmb: ")
    new = int(imported.split(": ")[1].split(" new")[0])
    assert new > 3
    assert "0 conflicts" in imported
    assert "Already imported: nothing changed." in ok(scene.c("bundle", "import", first))

    # Both sides change the same family's postcode.
    with Store.open(scene.practitioner, PASSPHRASE) as store:
        family = sorted(store.list(Family), key=lambda f: f.reference)[0]
        store.save(family.replace(postcode="LS2 2BB"))
    with Store.open(scene.coordinator, PASSPHRASE) as store:
        store.save(store.get(Family, family.id).replace(postcode="LS9 9ZZ"))
    second = scene.folder / "2.fmb"
    ok(scene.p("bundle", "export", "-o", second))
    assert "1 conflict to decide" in ok(scene.c("bundle", "import", second))

    (conflict,) = json.loads(ok(scene.c("conflicts", "list", "--json")))
    assert conflict["field"] == "postcode"
    assert {conflict["local"], conflict["incoming"]} == {"LS9 9ZZ", "LS2 2BB"}
    assert conflict["family"].startswith(family.reference)
    decided = ok(scene.c("conflicts", "resolve", str(conflict["id"]), "--keep", "incoming"))
    assert "'LS2 2BB'" in decided
    assert ok(scene.c("conflicts", "list")).strip() == "No conflicts to decide."
    (history,) = json.loads(ok(scene.c("conflicts", "list", "--all", "--json")))
    assert history["choice"] == "incoming"
    assert history["decided_at"]
    with Store.open(scene.coordinator, PASSPHRASE) as store:
        assert store.get(Family, family.id).postcode == "LS2 2BB"


def test_a_damaged_bundle_is_refused_and_the_others_still_import(scene: Scene) -> None:
    good = scene.folder / "3.fmb"
    ok(scene.p("bundle", "export", "-o", good))
    damaged = scene.folder / "damaged.fmb"
    damaged.write_bytes(good.read_bytes()[:-40])
    result = scene.c("bundle", "import", damaged, good)
    refused(result, "damaged.fmb", "damaged or incomplete")
    assert "3.fmb: " in result.stdout
    not_ours = scene.folder / "not-a-bundle.fmb"
    not_ours.write_text("hello")
    refused(scene.c("bundle", "import", not_ours), "not an fmdesk sync bundle")


def test_intake_imports_the_good_bundles_and_exits_1_for_a_refused_one(scene: Scene) -> None:
    folder = scene.folder / "intake"
    folder.mkdir()
    good = folder / "zoe-4.fmb"
    ok(scene.p("bundle", "export", "-o", good))
    (folder / "zoe-5.fmb").write_bytes(good.read_bytes()[:-40])
    result = scene.c("programme", "intake", folder)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"2 bundles in {folder}"
    assert lines[1].startswith("Zoë Adeyemi: 1 bundle, ")
    assert lines[2].startswith("Refused zoe-5.fmb: ")
    assert result.stderr.strip().splitlines() == [
        "fmdesk: 1 bundle was refused (named above); the others were imported."
    ]
    status = json.loads(ok(scene.c("sync", "status", "--json")))
    assert status["partners"][0]["received_up_to"] == 4


def test_a_forgotten_passphrase_is_recovered_through_the_coordinator(scene: Scene) -> None:
    request = scene.folder / "help.fmrq"
    asked = ok(scene.p("recover", "request", "-o", request, passphrase=None, new=NEW_PASSPHRASE))
    code = asked.split("code: ")[1].strip()
    # With no terminal and no --yes, the coordinator is told what to check: the code.
    unasked = scene.c("recover", "issue", request, "-o", scene.folder / "unlock.fmul")
    message = refused(unasked, "Check who is asking", f"matches {code}", "--yes")
    assert "fingerprint" not in message
    assert not (scene.folder / "unlock.fmul").exists()
    issued = scene.c("recover", "issue", request, "-o", scene.folder / "unlock.fmul", "--yes")
    assert code in ok(issued)
    assert "Zoë Adeyemi" in issued.stdout
    done = scene.p(
        "recover",
        "--unlock-file",
        scene.folder / "unlock.fmul",
        passphrase=None,
        new=NEW_PASSPHRASE,
    )
    assert "new passphrase is set" in ok(done)
    assert "sound" in ok(scene.p("check", passphrase=NEW_PASSPHRASE))
    refused(scene.p("check"), "passphrase")
