"""`fmdesk templates|instruments|frameworks list|show|validate|add` end to end, run in this
process (tests/cli.py): the store keeps the council's file, which may then move."""

import json
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.definition import Definition
from fmdesk.roles import Role
from tests.cli import REPO, Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

PASSPHRASE = TEST_PASSPHRASE
SHIPPED = REPO / "fmdesk" / "definitions"


def fmdesk(home: Path, *args: str) -> Ran:
    return run_cli(*args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": PASSPHRASE})


def council_copy(kind: str, shipped: str, folder: Path, **changes: object) -> Path:
    data = json.loads((SHIPPED / kind / shipped).read_text(encoding="utf-8"))
    data.update(changes)
    path = folder / f"{changes['id']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    store_templates.copy(tmp_path / "store", Role.COORDINATOR, name="Siân Evans")
    return tmp_path


def test_templates_and_instruments_from_the_command_line(home: Path) -> None:
    store = str(home / "store")
    drive = home / "drive"
    drive.mkdir()
    template = council_copy(
        "templates", "whole-family.json", drive, id="anytown.caf", name="Anytown family CAF"
    )
    star = council_copy(
        "instruments", "family-progress-star.json", drive, id="anytown-star", name="Anytown star"
    )
    framework = council_copy(
        "frameworks",
        "supporting-families-2022.json",
        drive,
        id="anytown-outcomes",
        name="Anytown outcomes",
    )

    shipped = fmdesk(home, "templates", "list")
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.startswith("fmdesk.whole-family@1  Whole-family assessment (")
    assert fmdesk(home, "templates", "validate", str(template)).stdout.startswith(
        "valid: anytown.caf@1, Anytown family CAF ("
    )
    for kind, path in (("templates", template), ("instruments", star), ("frameworks", framework)):
        added = fmdesk(home, kind, "add", "--store", store, str(path))
        assert added.returncode == 0, added.stderr
        assert "The store keeps a copy" in added.stdout
        path.unlink()  # the file may go: the store has it

    listed = fmdesk(home, "templates", "list", "--store", store, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["ref"]: r for r in json.loads(listed.stdout)}
    assert rows["anytown.caf@1"]["from"].startswith("Council: anytown.caf.json, added ")
    assert rows["fmdesk.whole-family@1"]["from"] == "Comes with fmdesk"
    shown = fmdesk(home, "instruments", "show", "anytown-star", "--store", store)
    assert shown.stdout.startswith("Anytown star (anytown-star@1)\n")
    frameworks = fmdesk(home, "frameworks", "list", "--store", store)
    assert frameworks.stdout.startswith("anytown-outcomes@1 ")
    assert "  Anytown outcomes (10 problems" in frameworks.stdout
    assert frameworks.stderr == ""
    with Store.open(home / "store", PASSPHRASE) as opened:
        assert sorted(d.ref for d in opened.list(Definition)) == [
            "anytown-outcomes@1",
            "anytown-star@1",
            "anytown.caf@1",
        ]


def test_a_broken_file_is_refused_naming_the_file_and_field(home: Path) -> None:
    data = json.loads((SHIPPED / "instruments" / "family-progress-star.json").read_text("utf-8"))
    data["id"], data["scale"] = "broken-star", {"min": 1, "max": 0}
    path = home / "broken-star.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    checked = fmdesk(home, "instruments", "validate", str(path))
    assert checked.returncode == 1
    assert checked.stderr == "fmdesk: broken-star.json: scale: max (0) must be above min (1)\n"
    added = fmdesk(home, "instruments", "add", "--store", str(home / "store"), str(path))
    assert added.returncode == 1
    assert "broken-star.json: scale" in added.stderr
    missing = fmdesk(home, "templates", "show", "anytown.nothing")
    assert missing.returncode == 1
    assert "No assessment template called 'anytown.nothing'" in missing.stderr


@pytest.mark.parametrize("kind", ["frameworks", "templates", "instruments"])
def test_the_store_option_says_what_it_adds_to_list_and_to_show(tmp_path: Path, kind: str) -> None:
    listed = fmdesk(tmp_path, kind, "list", "--help")
    shown = fmdesk(tmp_path, kind, "show", "--help")
    assert listed.returncode == shown.returncode == 0, listed.stderr + shown.stderr
    assert "--store PATH  Also list the council" in listed.stdout
    assert "--store PATH  Also show the council" in shown.stdout
    assert "Also list" not in shown.stdout
