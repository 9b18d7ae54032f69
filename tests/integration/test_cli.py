"""The `fmdesk` command end to end, run in this process through click's CliRunner (tests/cli.py)
with the passphrases in the environment as a script would give them. The module shares one demo
store, copied from the test run's template (a cheap key derivation: these tests are about the
commands); `init` and `passwd` make real Argon2id slots (~0.4 s an unlock) where they are under
test. The child process itself is tested in test_cli_process.py."""

import json
from pathlib import Path

import pytest

from fmdesk.roles import Role
from tests.cli import REPO, Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

# The template stores' passphrase, which `init` and `passwd` accept as strong too.
PASSPHRASE = TEST_PASSPHRASE
NEW_PASSPHRASE = "Łódź tram ticket on a rainy Tuesday"
__all__ = ["REPO", "assert_one_line_error", "fmdesk"]  # shared with the other CLI tests


def fmdesk(
    home: Path, *args: str, passphrase: str | None = PASSPHRASE, new: str | None = None
) -> Ran:
    env = {"FMDESK_HOME": str(home)}
    if passphrase is not None:
        env["FMDESK_PASSPHRASE"] = passphrase
    if new is not None:
        env["FMDESK_NEW_PASSPHRASE"] = new
    return run_cli(*args, env=env)


def assert_one_line_error(result: Ran, *words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fmdesk: ")
    for word in words:
        assert word in lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, store_templates: StoreTemplates) -> Path:
    """FMDESK_HOME holding a practitioner's store filled by `demo-data`."""
    home = tmp_path_factory.mktemp("home")
    store_templates.copy(home / "store", Role.PRACTITIONER, name="Zoë Fairweather")
    filled = fmdesk(home, "demo-data", "--families", "6", "--seed", "3")
    assert filled.returncode == 0, filled.stderr
    assert filled.stdout.strip() == "Added 6 synthetic families."
    return home


@pytest.fixture(scope="module")
def caseload(home: Path) -> list[dict[str, object]]:
    listed = fmdesk(home, "families", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_init_makes_the_store_under_fmdesk_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = fmdesk(home, "init", "--name", "Zoë Fairweather", passphrase=None, new=PASSPHRASE)
    assert made.returncode == 0, made.stderr
    assert "Created a lead practitioner store" in made.stdout
    assert sorted(p.name for p in (home / "store").iterdir()) == ["fmdesk.db", "keys.json"]
    listed = fmdesk(home, "families", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_families_list_as_json(caseload: list[dict[str, object]]) -> None:
    assert len(caseload) == 6
    references = [row["reference"] for row in caseload]
    assert references == sorted(references)
    for row in caseload:
        assert str(row["name"]).endswith(" family")
        assert row["status"] in {
            "identified",
            "allocated",
            "engaged",
            "refused",
            "active",
            "closed",
        }
        assert isinstance(row["children"], int)


def test_families_list_as_text(home: Path, caseload: list[dict[str, object]]) -> None:
    listed = fmdesk(home, "families", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 6
    for line, row in zip(lines, caseload, strict=True):
        assert line.startswith(str(row["reference"]))
        assert str(row["name"]) in line
        children = "1 child " if row["children"] == 1 else f"{row['children']} children"
        assert children in line + " "
    assert " 1 children" not in listed.stdout


def test_recover_help_keeps_its_numbered_steps_on_their_own_lines(home: Path) -> None:
    helped = fmdesk(home, "recover", "--help")
    assert helped.returncode == 0, helped.stderr
    lines = helped.stdout.splitlines()
    for number, step in enumerate(
        (
            "fmdesk recover request -o REQUEST.fmrq",
            "fmdesk recover issue REQUEST.fmrq -o UNLOCK.fmul",
            "fmdesk recover --unlock-file UNLOCK.fmul",
        ),
        start=1,
    ):
        assert any(line.strip().startswith(f"{number}. {step}") for line in lines), step


def test_families_show_as_json(home: Path, caseload: list[dict[str, object]]) -> None:
    reference = str(caseload[0]["reference"])
    shown = fmdesk(home, "families", "show", reference.lower(), "--json")
    assert shown.returncode == 0, shown.stderr
    family = json.loads(shown.stdout)
    assert family["reference"] == reference
    assert family["name"] == caseload[0]["name"]
    children = [p for p in family["people"] if p["role"] == "child"]
    assert len(children) == caseload[0]["children"]
    assert all(p["family_id"] == family["id"] for p in family["people"])


def test_export_then_import_into_a_second_store(
    home: Path,
    caseload: list[dict[str, object]],
    tmp_path: Path,
    store_templates: StoreTemplates,
) -> None:
    # A family with consent: its records carry a `kind` field of their own.
    row = next(r for r in caseload if r["status"] in ("active", "closed"))
    reference = str(row["reference"])
    exported = tmp_path / "family.json"
    done = fmdesk(home, "families", "export", reference, "-o", str(exported))
    assert done.returncode == 0, done.stderr
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "fmdesk-family"
    assert data["family"]["reference"] == reference
    assert {r["kind"] for r in data["records"]} >= {"person", "consent"}

    second = store_templates.copy(tmp_path / "coordinator", Role.COORDINATOR, name="Central Team")
    imported = fmdesk(home, "families", "import", str(exported), "--store", str(second))
    assert imported.returncode == 0, imported.stderr
    assert reference in imported.stdout
    shown = fmdesk(home, "families", "show", reference, "--json", "--store", str(second))
    assert shown.returncode == 0, shown.stderr
    family = json.loads(shown.stdout)
    assert family["id"] == data["family"]["id"]
    shown_kinds = {"person", "consent", "note", "status_change"}
    held = {r["record"]["id"] for r in data["records"] if r["kind"] in shown_kinds}
    shown_ids = {
        r["id"] for key in ("people", "consents", "notes", "status_changes") for r in family[key]
    }
    assert shown_ids == held


def test_check_reports_a_sound_store(home: Path) -> None:
    checked = fmdesk(home, "check")
    assert checked.returncode == 0, checked.stderr
    assert "sound" in checked.stdout


def test_passwd_then_only_the_new_passphrase_opens(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    store_templates.copy(tmp_path / "store", name="Test Practitioner")
    changed = fmdesk(tmp_path, "passwd", new=NEW_PASSPHRASE)
    assert changed.returncode == 0, changed.stderr
    assert "Passphrase changed" in changed.stdout
    assert_one_line_error(fmdesk(tmp_path, "families", "list"), "does not unlock")
    opened = fmdesk(tmp_path, "families", "list", "--json", passphrase=NEW_PASSPHRASE)
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout) == []


def test_a_wrong_passphrase_is_one_line_and_exit_1(home: Path) -> None:
    assert_one_line_error(
        fmdesk(home, "families", "list", passphrase="not it at all"), "does not unlock"
    )


def test_a_missing_store_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = fmdesk(tmp_path, "families", "list", "--store", str(tmp_path / "nowhere"))
    assert_one_line_error(result, "no fmdesk store", "fmdesk init")
    assert list(tmp_path.iterdir()) == []


def test_store_given_before_the_command_is_the_one_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    made = fmdesk(
        tmp_path,
        "--store",
        str(elsewhere),
        "init",
        "--name",
        "Ana",
        passphrase=None,
        new=PASSPHRASE,
    )
    assert made.returncode == 0, made.stderr
    assert str(elsewhere) in made.stdout
    assert (elsewhere / "keys.json").exists()
    assert not (tmp_path / "store").exists()
    checked = fmdesk(tmp_path, "--store", str(elsewhere), "check")
    assert checked.returncode == 0, checked.stderr


def test_a_weak_new_passphrase_is_refused_and_nothing_made(tmp_path: Path) -> None:
    assert_one_line_error(fmdesk(tmp_path, "init", passphrase=None, new="password1"), "too weak")
    assert not (tmp_path / "store").exists()


def test_an_unknown_reference_is_one_line_and_exit_1(home: Path) -> None:
    assert_one_line_error(fmdesk(home, "families", "show", "FM-1999-9999"), "FM-1999-9999")


@pytest.mark.parametrize(
    "args",
    [("families", "frobnicate"), ("families", "show"), ("demo-data", "--families", "lots")],
    ids=["unknown command", "missing argument", "bad option value"],
)
def test_usage_errors_exit_2(home: Path, args: tuple[str, ...]) -> None:
    result = fmdesk(home, *args)
    assert result.returncode == 2
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_data_twice_gives_new_references(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    home = tmp_path / "home"
    store_templates.copy(home / "store", name="Zoë Fairweather")
    for _ in range(2):
        filled = fmdesk(home, "demo-data", "--families", "3", "--seed", "7")
        assert filled.returncode == 0, filled.stderr
    listed = fmdesk(home, "families", "list", "--json")
    references = [f["reference"] for f in json.loads(listed.stdout)]
    assert len(references) == 6
    assert len(set(references)) == 6, references
