"""`fmdesk frameworks list|show|validate` and the outcomes in `fmdesk families show --json`, end
to end, run in this process (tests/cli.py)."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db.outcomes import attach_family_framework
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import IndicatorTick
from fmdesk.roles import Role
from tests.cli import REPO, Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

PASSPHRASE = TEST_PASSPHRASE
SHIPPED = REPO / "fmdesk" / "definitions" / "frameworks"


def fmdesk(home: Path, *args: str) -> Ran:
    return run_cli(*args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": PASSPHRASE})


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, store_templates: StoreTemplates) -> Path:
    """A store with two families: FM-0007 attached to Families Matter with indicators ticked
    under two problems, FM-0008 attached to nothing."""
    home = tmp_path_factory.mktemp("home")
    store = store_templates.open(home / "store", Role.PRACTITIONER, name="Zoë")
    with store:
        family = Family(reference="FM-0007", name="Kowalczyk family")
        child = Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name="Siobhán",
            family_name="K",
            date_of_birth=dt.date(2006, 4, 1),
        )
        store.save(family, child, Family(reference="FM-0008", name="Adeyemi family"))
        attach_family_framework(store, family.id, "families-matter@2015.1")
        on = dt.date(2015, 10, 1)
        store.save(
            IndicatorTick(
                family_id=family.id,
                indicator="2A",
                person_id=child.id,
                on=on,
                evidence_source="School census",
            ),
            IndicatorTick(family_id=family.id, indicator="1B", on=on, evidence_source="Police"),
        )
    return home


def test_frameworks_list_names_every_shipped_framework(tmp_path: Path) -> None:
    listed = fmdesk(tmp_path, "frameworks", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "families-matter@2015.1",
        "supporting-families-2022@1",
        "troubled-families-2012@1",
    ]
    assert "6 problems" in lines[0]
    as_json = json.loads(fmdesk(tmp_path, "frameworks", "list", "--json").stdout)
    assert [f["problems"] for f in as_json] == [6, 10, 4]


def test_frameworks_show_by_id_and_by_version(tmp_path: Path) -> None:
    shown = fmdesk(tmp_path, "frameworks", "show", "troubled-families-2012")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith("Troubled Families")
    assert "(troubled-families-2012@1)" in text.splitlines()[0]
    assert "Alternative route: Continuous employment" in text
    assert "[3 consecutive terms]" in text  # the attendance outcome and its period

    as_json = json.loads(
        fmdesk(tmp_path, "frameworks", "show", "families-matter@2015.1", "--json").stdout
    )
    outcome = as_json["problems"][1]["outcomes"][0]
    assert outcome["code"] == "2.1"
    assert outcome["test"]["kind"] == "attendance"
    assert outcome["test"]["min_percent"] == 90

    missing = fmdesk(tmp_path, "frameworks", "show", "families-matter@1999")
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert "families-matter@1999 is not loaded" in missing.stderr


def test_frameworks_validate_good_and_malformed_files(tmp_path: Path) -> None:
    good = fmdesk(tmp_path, "frameworks", "validate", str(SHIPPED / "families-matter-2015.json"))
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("valid: families-matter@2015.1")

    data = json.loads((SHIPPED / "troubled-families-2012.json").read_text(encoding="utf-8"))
    data["problems"][1]["outcomes"][0]["test"]["min_percnt"] = 85  # a misspelt threshold
    bad = tmp_path / "council-plan.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    refused = fmdesk(tmp_path, "frameworks", "validate", str(bad))
    assert refused.returncode == 1
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        "fmdesk: council-plan.json: problems[1].outcomes[0].test.min_percnt: "
        "unknown field (check the spelling)"
    )

    broken = tmp_path / "half.json"
    broken.write_text('{"format": 1, "id": ', encoding="utf-8")
    not_json = fmdesk(tmp_path, "frameworks", "validate", str(broken))
    assert not_json.returncode == 1
    assert "half.json: line 1" in not_json.stderr


def test_families_show_json_has_eligibility_problems_and_claim(home: Path) -> None:
    shown = fmdesk(home, "families", "show", "FM-0007", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["framework"] == "families-matter@2015.1"
    assert data["eligible"] is True
    assert data["eligibility"].startswith("eligible: 2 of 6 problems")
    assert [(p["code"], p["name"]) for p in data["problems"]] == [
        ("1", "Crime and anti-social behaviour"),
        ("2", "School attendance"),
    ]
    school = data["problems"][1]["indicators"]
    assert [(i["code"], i["person"], i["source"]) for i in school] == [
        ("2A", "Siobhán", "School census")
    ]
    claim = data["claim"]
    assert claim["status"] == "in_progress"
    assert "A whole-family assessment has not been recorded." in claim["missing"]
    assert any(
        m.startswith("School attendance: no outcome is sustained yet") for m in claim["missing"]
    )
    # The family's own fields are all still there.
    assert data["reference"] == "FM-0007"
    assert data["people"][0]["given_name"] == "Siobhán"


def test_families_show_as_text_words_the_claim_as_the_app_does(home: Path) -> None:
    shown = fmdesk(home, "families", "show", "FM-0007")
    assert shown.returncode == 0, shown.stderr
    outcomes = next(line for line in shown.stdout.splitlines() if line.startswith("  Outcomes:"))
    assert outcomes.startswith("  Outcomes: eligible: 2 of 6 problems")
    assert outcomes.endswith(" · claim: In progress")


def test_families_show_json_without_a_framework(home: Path) -> None:
    data = json.loads(fmdesk(home, "families", "show", "FM-0008", "--json").stdout)
    assert data["framework"] == ""
    assert data["eligible"] is None
    assert data["problems"] == []
    assert data["claim"]["status"] == "not_eligible"
    assert "No outcomes framework is attached" in data["claim"]["missing"][0]
