"""The coordinator's commands end to end, run in this process (tests/cli.py) on a coordinator's
store copied from the test run's template."""

import csv
import dataclasses
import json
from pathlib import Path

import pypdf
import pytest

from db.store import Store
from fmdesk.families import FamilyStatus, Person, PersonRole
from fmdesk.outcomes import IndicatorTick, Measure, MeasureKind, MeasureStage
from fmdesk.plans import FamilyPlan, PlanGoal
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli import PASSPHRASE, REPO, assert_one_line_error, fmdesk
from tests.recorded import recorded_on
from tests.unit.test_identified_csv import GOOD, csv_bytes
from tests.unit.test_programme import FM, D, _eligible, _family, fixture_programme

FRAMEWORKS = REPO / "fmdesk" / "definitions" / "frameworks"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, store_templates: StoreTemplates) -> Path:
    home = tmp_path_factory.mktemp("coordinator-home")
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def test_import_csv_refuses_a_file_with_a_bad_row_then_imports_a_good_one(
    home: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(*GOOD, "K-300,,,child,Ola,Reed,2015-13-01,,,,,,,,,,,"))
    refused = fmdesk(home, "families", "import-csv", str(bad))
    assert refused.returncode == 1
    assert "Row 6, column date_of_birth" in refused.stdout  # the preview lists each problem
    assert refused.stderr.startswith("fmdesk: Nothing was imported: Row 6, column date_of_birth")
    listed = fmdesk(home, "families", "list", "--json")
    assert json.loads(listed.stdout) == []

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD, bom=True))
    done = fmdesk(home, "families", "import-csv", str(good))
    assert done.returncode == 0, done.stderr
    assert (
        "Imported 2 families (4 people, 7 baseline measures, 0 indicators from the data); 0 "
        "already held. Attached to Supporting Families national outcome framework, 2022–25 "
        "(supporting-families-2022@1)." in done.stdout
    )
    again = fmdesk(home, "families", "import-csv", str(good))
    assert "Imported 0 families" in again.stdout
    assert "already held: K-100 (rows 2, 3)" in again.stdout

    partial = fmdesk(home, "families", "import-csv", str(bad), "--valid-only")
    assert partial.returncode == 0, partial.stderr
    assert "Imported 0 families" in partial.stdout
    assert "2 already held; 1 left out for errors" in partial.stdout


def test_dashboard_targets_and_exports(home: Path, tmp_path: Path) -> None:
    fmdesk(home, "families", "import-csv", str(_good(tmp_path)))
    targets = fmdesk(home, "programme", "targets", "--year", "2025", "--identified", "12")
    assert targets.returncode == 0, targets.stderr
    assert "Identified     12" in targets.stdout
    out_csv, out_pdf = tmp_path / "figures.csv", tmp_path / "dashboard.pdf"
    shown = fmdesk(
        home, "programme", "dashboard", "--json", "--csv", str(out_csv), "--pdf", str(out_pdf)
    )
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    to_date = next(s for s in data["sections"] if s["key"] == "to_date")
    assert to_date["figures"][0] == {
        "key": "identified",
        "label": "Identified",
        "value": 2,
        "of": None,
        "target": None,
        "average": None,
        "families": 2,
        "text": "2",  # the figure as the dashboard says it
    }
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"Programme to date", "Consent and refusal"} <= {r["section"] for r in rows}
    reader = pypdf.PdfReader(out_pdf)
    assert "Programme dashboard" in reader.pages[0].extract_text()


def test_practitioners_and_allocation_need_an_enrolled_practitioner(home: Path) -> None:
    listed = fmdesk(home, "programme", "practitioners", "--limit", "12")
    assert listed.returncode == 0, listed.stderr
    assert "Caseload limit: 12 families" in listed.stdout
    assert "No practitioner is enrolled yet." in listed.stdout
    refused = fmdesk(home, "programme", "allocate", "K-100", "--to", "Nobody")
    assert_one_line_error(refused, "Nobody is not an enrolled practitioner")


def test_a_claim_batch_refuses_a_family_claimed_before_and_the_schedule_is_csv(
    fresh: Path, tmp_path: Path
) -> None:
    home = fresh
    records, _refs = fixture_programme()
    store = Store.open(home / "store", PASSPHRASE)
    try:
        # Saved in November 2025: the batches below are judged as at the end of their periods.
        with recorded_on(store, D("2025-11-15")):
            store.save(*records)
    finally:
        store.close()
    ready = fmdesk(home, "claims", "ready")
    assert "FM-001" in ready.stdout
    made = fmdesk(
        home,
        "claims",
        "batch",
        "Q3",
        "--from",
        "2025-10-01",
        "--to",
        "2025-12-31",
        "--family",
        "FM-001",
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "Made draft batch Q3 of 1 family, judged as at 31 Dec 2025."
    twice = fmdesk(
        home,
        "claims",
        "batch",
        "Q4",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--family",
        "FM-001",
    )
    assert_one_line_error(twice, "FM-001 is already in draft batch Q3")
    old = fmdesk(
        home,
        "claims",
        "batch",
        "Q4",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--family",
        "FM-002",
    )
    assert_one_line_error(old, "FM-002 has already been claimed for")

    schedule = tmp_path / "schedule.csv"
    wrote = fmdesk(home, "claims", "schedule", "Q3", "--csv", str(schedule))
    assert wrote.returncode == 0, wrote.stderr
    with schedule.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["family_reference"], r["outcome"], r["evidence_source"]) for r in rows] == [
        ("FM-001", "5.2", "Police domestic abuse unit"),
        ("FM-001", "6.1", "GP letter"),
    ]
    submitted = fmdesk(home, "claims", "submit", "Q3", "--approved-by", "Amara Okafor")
    assert "marked as submitted" in submitted.stdout


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes(*GOOD))
    return path


# ---- a fresh coordinator store per test -------------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    """An fmdesk home holding an empty coordinator store (a fast key derivation: these tests
    are about the commands, not the unlock)."""
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def test_a_target_year_outside_2000_to_2100_is_refused_and_nothing_is_written(
    fresh: Path,
) -> None:
    refused = fmdesk(fresh, "programme", "targets", "--year", "1999", "--claimed", "3")
    assert_one_line_error(refused, "programme year must be from 2000 to 2100", "1999")
    # Nothing was saved, so the targets and the dashboard still read.
    shown = fmdesk(fresh, "programme", "targets")
    assert shown.returncode == 0, shown.stderr
    assert "not set" in shown.stdout
    board = fmdesk(fresh, "programme", "dashboard", "--json")
    assert board.returncode == 0, board.stderr
    set_ = fmdesk(fresh, "programme", "targets", "--year", "2100", "--claimed", "3")
    assert set_.returncode == 0, set_.stderr
    assert "Claimed        3" in set_.stdout


def test_import_csv_accepts_a_council_framework_the_store_holds(
    fresh: Path, tmp_path: Path
) -> None:
    data = json.loads((FRAMEWORKS / "families-matter-2015.json").read_text(encoding="utf-8"))
    council = tmp_path / "our-council.json"
    council.write_text(
        json.dumps({**data, "id": "our-council", "version": "1", "name": "Our council plan"}),
        encoding="utf-8",
    )
    good = _good(tmp_path)
    unknown = fmdesk(fresh, "families", "import-csv", str(good), "--framework", "our-council@1")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("fmdesk: This store has no outcomes framework our-council@1")
    assert "fmdesk frameworks add FILE" in unknown.stderr
    assert "Ask your coordinator" not in unknown.stderr
    assert json.loads(fmdesk(fresh, "families", "list", "--json").stdout) == []

    added = fmdesk(fresh, "frameworks", "add", str(council))
    assert added.returncode == 0, added.stderr
    done = fmdesk(fresh, "families", "import-csv", str(good), "--framework", "our-council@1")
    assert done.returncode == 0, done.stderr
    assert "Imported 2 families" in done.stdout
    shown = json.loads(fmdesk(fresh, "families", "show", "K-100", "--json").stdout)
    assert shown["framework"] == "our-council@1"


def test_a_blank_marking_is_refused_before_any_pdf_or_csv_is_written(
    fresh: Path, tmp_path: Path
) -> None:
    pdf, csv_file = tmp_path / "d.pdf", tmp_path / "d.csv"
    dashboard = fmdesk(
        fresh, "programme", "dashboard", "--csv", str(csv_file), "--pdf", str(pdf), "--marking", ""
    )
    assert_one_line_error(
        dashboard, "The marking cannot be blank; the default is OFFICIAL-SENSITIVE."
    )
    schedule = fmdesk(fresh, "claims", "schedule", "Q3", "--pdf", str(pdf), "--marking", "  ")
    assert_one_line_error(
        schedule, "The marking cannot be blank; the default is OFFICIAL-SENSITIVE."
    )
    assert not pdf.exists()
    assert not csv_file.exists()
    for command in (("programme", "dashboard"), ("claims", "schedule")):
        helped = fmdesk(fresh, *command, "--help").stdout
        assert "--marking TEXT  The protective marking printed at the top and bottom" in helped
        assert "--csv FILE      Write the" in helped
        assert "--pdf FILE      Write the" in helped


def test_all_ready_with_no_family_ready_says_so_and_makes_no_batch(fresh: Path) -> None:
    made = fmdesk(
        fresh, "claims", "batch", "Q", "--from", "2026-07-01", "--to", "2026-09-30", "--all-ready"
    )
    assert_one_line_error(made, "No family is ready to claim", "nothing was written")
    assert "Batch Q" not in fmdesk(fresh, "claims", "ready").stdout
    both = fmdesk(
        fresh,
        "claims",
        "batch",
        "Q",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-31",
        "--all-ready",
        "--family",
        "FM-001",
    )
    assert both.returncode == 2
    assert "not both" in both.stderr


def test_claims_ready_by_continuous_employment_leaves_out_the_problems_not_met(
    fresh: Path,
) -> None:
    family = _family("FM-010", "2025-05-01", FamilyStatus.ACTIVE, framework=FM)
    parent = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Marta", family_name="Nowak"
    )
    started = D("2025-06-01")
    records = [
        family,
        parent,
        # Domestic abuse and health at entry, neither met; the plan covers those and work, as the
        # framework's plan rule asks of every problem the family has.
        *(
            dataclasses.replace(
                record, goals=(*record.goals, PlanGoal(words="Into work", problems=("4",)))
            )
            if isinstance(record, FamilyPlan)
            else record
            for record in _eligible(family, evidence={})
        ),
        IndicatorTick(family_id=family.id, indicator="4A", person_id=parent.id, on=started),
        Measure(
            family_id=family.id,
            kind=MeasureKind.BENEFITS,
            stage=MeasureStage.BASELINE,
            value=1,
            on=D("2025-05-01"),
            person_id=parent.id,
            detail="uc",
        ),
        Measure(
            family_id=family.id, kind=MeasureKind.BENEFITS, value=0, on=started, person_id=parent.id
        ),
        Measure(
            family_id=family.id,
            kind=MeasureKind.EMPLOYMENT,
            value=1,
            on=started,
            person_id=parent.id,
        ),
    ]
    with Store.open(fresh / "store", PASSPHRASE) as store:
        store.save(*records)
    ready = fmdesk(fresh, "claims", "ready")
    assert ready.returncode == 0, ready.stderr
    assert ready.stdout.splitlines() == [
        "FM-010         FM-010 family: Continuous employment",
        "    Worklessness and financial exclusion: 4.1",
        "    Claim: £800.00 (results £800.00 for Continuous employment; attachment fee £1,000.00"
        " paid on attachment)",
    ]
