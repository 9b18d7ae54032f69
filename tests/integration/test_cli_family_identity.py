"""The command line and family identity: every command that names a family takes its reference
or its id, and refuses a reference two families hold, listing both (exit code 1); the ids are in
`families list --json`; shared references are listed and put right; search finds a family by
its case system ID, a UPN or an NHS number."""

import json
from pathlib import Path

import pytest

from db.families import reference_code
from db.store import Store
from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.roles import Role
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

SHARED = "FM-2025-0007"


def fmdesk(home: Path, *args: str) -> Ran:
    return run_cli(*args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE})


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    """A coordinator's store that took in two families with one reference (two laptops of an
    older fmdesk each numbered theirs 0007), and a third family with identifiers."""
    home = tmp_path / "home"
    store = store_templates.open(home / "store", Role.COORDINATOR, name="Central Team")
    try:
        nowak = Family(
            reference=SHARED,
            name="Nowak family",
            status=FamilyStatus.ACTIVE,
            lead_practitioner="Zoë Adebayo",
        )
        khan = Family(
            reference=SHARED,
            name="Khan family",
            status=FamilyStatus.ACTIVE,
            lead_practitioner="Łukasz Brown",
        )
        adams = Family(reference="K-100", name="Adams family", case_id="MOS-5521")
        store.save(
            nowak,
            khan,
            adams,
            Person(
                family_id=adams.id,
                role=PersonRole.CHILD,
                given_name="Ada",
                family_name="Adams",
                upn="B801200005001",
                nhs_number="9991112227",
            ),
        )
    finally:
        store.close()
    return home


def ids_by_name(home: Path) -> dict[str, str]:
    listed = fmdesk(home, "families", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {row["name"]: row["id"] for row in json.loads(listed.stdout)}


def assert_refused_as_ambiguous(result: Ran, ids: dict[str, str]) -> None:
    assert result.returncode == 1, result.stdout
    assert result.stdout == ""
    assert f"2 families have reference {SHARED}; give the family's id instead" in result.stderr
    for name, practitioner in (("Nowak family", "Zoë Adebayo"), ("Khan family", "Łukasz Brown")):
        line = next(x for x in result.stderr.splitlines() if ids[name] in x)
        assert f"{name} ({practitioner})" in line
    assert "Traceback" not in result.stderr


def test_every_command_refuses_a_shared_reference_and_takes_an_id(
    home: Path, tmp_path: Path
) -> None:
    ids = ids_by_name(home)
    out = tmp_path / "out"
    for command in (
        ["families", "show", SHARED],
        ["families", "show", SHARED.lower(), "--json"],
        ["families", "export", SHARED, "-o", str(out)],
        ["plan", "show", SHARED],
        ["plan", "print", SHARED, "-o", str(out)],
        [
            "claims",
            "batch",
            "B-1",
            "--from",
            "2025-04-01",
            "--to",
            "2026-03-31",
            "--family",
            SHARED,
        ],
        ["programme", "allocate", SHARED, "--to", "Zoë Adebayo"],
        ["families", "rename-reference", SHARED],
    ):
        assert_refused_as_ambiguous(fmdesk(home, *command), ids)
    assert not out.exists()  # nothing written for the wrong family

    # The family's id (or its first eight characters) names the one meant.
    shown = fmdesk(home, "families", "show", ids["Khan family"], "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "Khan family"
    exported = fmdesk(home, "families", "export", ids["Nowak family"][:8], "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["family"]["name"] == "Nowak family"
    assert f"about {SHARED} (Nowak family)" in exported.stdout


def test_shared_references_are_listed_flagged_and_put_right(home: Path) -> None:
    ids = ids_by_name(home)
    listed = fmdesk(home, "families", "list")
    assert listed.returncode == 0
    flagged = [line for line in listed.stdout.splitlines() if "!" in line]
    assert len(flagged) == 2
    assert all(line.startswith(SHARED) for line in flagged)
    assert "1 reference is held by more than one family" in listed.stderr
    as_json = json.loads(fmdesk(home, "families", "list", "--json").stdout)
    assert {r["name"]: r["shared_reference"] for r in as_json} == {
        "Adams family": False,
        "Khan family": True,
        "Nowak family": True,
    }

    collisions = fmdesk(home, "families", "collisions")
    assert collisions.returncode == 0, collisions.stderr
    assert f"{SHARED} is held by 2 families:" in collisions.stdout
    assert f"{ids['Khan family']}  {SHARED}  Khan family (Łukasz Brown)" in collisions.stdout
    assert f"{ids['Nowak family']}  {SHARED}  Nowak family (Zoë Adebayo)" in collisions.stdout
    data = json.loads(fmdesk(home, "families", "collisions", "--json").stdout)
    assert [f["id"] for f in data["references"][0]["families"]] == [
        ids["Khan family"],
        ids["Nowak family"],
    ]

    renamed = fmdesk(home, "families", "rename-reference", ids["Khan family"])
    assert renamed.returncode == 0, renamed.stderr
    code = fmdesk(home, "families", "code").stdout.split("reference code: ")[1].split()[0]
    # Without NEW, the coordinator's own next reference, in a series no laptop uses.
    assert f"Khan family ({ids['Khan family']}) is now FM-" in renamed.stdout
    assert f"-{code}-0001; it was {SHARED}." in renamed.stdout
    assert fmdesk(home, "families", "collisions").stdout.strip() == (
        "No reference is held by more than one family."
    )
    # The reference now names one family; the old one is still found by a search.
    shown = fmdesk(home, "families", "show", SHARED, "--json")
    assert json.loads(shown.stdout)["name"] == "Nowak family"
    found = fmdesk(home, "families", "list", "--search", SHARED, "--json")
    assert {r["name"] for r in json.loads(found.stdout)} == {"Nowak family", "Khan family"}
    taken = fmdesk(home, "families", "rename-reference", ids["Nowak family"], "k-100")
    assert taken.returncode == 1
    assert "Another family already has reference K-100 (Adams family)" in taken.stderr


def test_search_finds_a_family_by_case_id_upn_or_nhs_number(home: Path) -> None:
    for query in ("mos-5521", "b801200005001", "999 111 2227", "9991112227"):
        found = fmdesk(home, "families", "list", "--search", query, "--json")
        assert found.returncode == 0, found.stderr
        assert [r["name"] for r in json.loads(found.stdout)] == ["Adams family"], query
    none = fmdesk(home, "families", "list", "--search", "9991112228")
    assert (none.returncode, none.stdout) == (0, "")
    shown = fmdesk(home, "families", "show", "K-100")
    assert "case system ID: MOS-5521" in shown.stdout
    assert "Ada Adams  (UPN B801200005001, NHS 999 111 2227)" in shown.stdout


def test_families_add_numbers_with_this_stores_code_and_refuses_a_taken_reference(
    home: Path,
) -> None:
    added = fmdesk(home, "families", "add", "Okoro family", "--case-id", "EHM 881", "--json")
    assert added.returncode == 0, added.stderr
    family = json.loads(added.stdout)
    coded = fmdesk(home, "families", "code")
    code = coded.stdout.split("reference code: ")[1].split()[0]
    assert family["reference"].split("-")[2] == code
    assert family["case_id"] == "EHM 881"
    again = fmdesk(home, "families", "add", "Other family", "--reference", family["reference"])
    assert again.returncode == 1
    assert "Another family already has reference" in again.stderr
    bad = fmdesk(home, "families", "add", "Other family", "--case-id", "x" * 80)
    assert bad.returncode == 1
    assert "at most 64 characters" in bad.stderr


def test_a_practitioners_code_is_shown_and_set(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    home = tmp_path / "p"
    store_templates.copy(home / "store", Role.PRACTITIONER, name="Zoë Adebayo")
    shown = fmdesk(home, "families", "code")
    assert shown.returncode == 0, shown.stderr
    assert "This store's reference code: " in shown.stdout
    set_ = fmdesk(home, "families", "code", "--set", "zA2")
    assert set_.returncode == 0, set_.stderr
    assert "next reference FM-" in set_.stdout
    assert "-ZA2-0001" in set_.stdout
    refused = fmdesk(home, "families", "code", "--for", "Someone", "--set", "AB")
    assert refused.returncode == 1
    assert "recorded at the coordinator's store" in refused.stderr
    with Store.open(home / "store", TEST_PASSPHRASE) as store:
        assert reference_code(store) == "ZA2"
