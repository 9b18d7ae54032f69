"""The council's follow-up CSV (issue 17): next term's and next quarter's figures for families
already held, matched by the council's identifiers, applied as measures with their period and
source; problems and unmatched rows listed first; nothing half-applied; the same file twice
changes nothing."""

from pathlib import Path

import pytest

from db.store import Store
from fmdesk.outcomes import Measure, MeasureKind, MeasureStage
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk

BASELINE = (
    "family_key,case_id,role,given_name,surname,date_of_birth,upn,attendance_percent,term_end\n"
    "K-1,EHM-1001,parent,Zofia,Nowak,1985-03-02,,,\n"
    "K-1,,child,Kuba,Nowak,2012-05-12,A123456789012,82,2026-07-22\n"
    "K-2,EHM-1002,carer,Niamh,Kelly,1979-11-30,,,\n"
)
UPDATE_HEADER = (
    "case_id,family_key,upn,given_name,attendance_percent,exclusions,term_end,police_callouts,"
    "period_start,period_end,out_of_work_benefits,benefits_on,source"
)


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    (tmp_path / "baseline.csv").write_text(BASELINE, encoding="utf-8")
    done = fmdesk(home, "families", "import-csv", str(tmp_path / "baseline.csv"))
    assert done.returncode == 0, done.stderr
    return home


def update(folder: Path, *rows: str) -> Path:
    path = folder / "update.csv"
    path.write_text("\n".join([UPDATE_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def later(home: Path) -> list[Measure]:
    with Store.open(home / "store", PASSPHRASE) as store:
        return [m for m in store.list(Measure) if m.stage is MeasureStage.LATER]


GOOD = [
    "EHM-1001,,A123456789012,,94.5,0,2026-12-18,,,,,,School census autumn 2026",
    "EHM-1001,,,,,,,2,2026-07-01,2026-09-30,,,Police quarterly return",
    ",K-2,,Niamh,,,,,,,no,2026-11-30,DWP monthly match",
]


def test_a_termly_update_is_applied_by_identifiers_and_again_changes_nothing(
    home: Path, tmp_path: Path
) -> None:
    path = update(tmp_path, *GOOD)
    checked = fmdesk(home, "programme", "update-csv", str(path), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "3 rows read, 4 new figures for 2 families, 0 already held." in checked.stdout
    assert later(home) == []

    done = fmdesk(home, "programme", "update-csv", str(path))
    assert done.returncode == 0, done.stderr
    assert "Applied 4 new figures to 2 families; 0 already held." in done.stdout
    figures = {m.kind: m for m in later(home)}
    attendance = figures[MeasureKind.ATTENDANCE]
    assert (attendance.value, attendance.on.isoformat()) == (94.5, "2026-12-18")
    assert attendance.source == "School census autumn 2026"
    assert attendance.person_id  # Kuba's, found by his UPN
    callouts = figures[MeasureKind.POLICE_CALLOUTS]
    assert (callouts.period_start.isoformat(), callouts.person_id) == ("2026-07-01", "")
    assert figures[MeasureKind.BENEFITS].value == 0  # off out-of-work benefits

    again = fmdesk(home, "programme", "update-csv", str(path))
    assert "Applied 0 new figures to 0 families; 4 already held." in again.stdout
    assert len(later(home)) == 4  # exclusions 0 too


def test_problems_and_unmatched_rows_are_listed_and_nothing_is_half_applied(
    home: Path, tmp_path: Path
) -> None:
    path = update(
        tmp_path,
        *GOOD,
        "EHM-9999,,,,,,,1,2026-07-01,2026-09-30,,,",
        "EHM-1002,,A123456789012,,90,,2026-12-18,,,,,,",
    )
    refused = fmdesk(home, "programme", "update-csv", str(path))
    assert refused.returncode == 1
    assert "unmatched: Row 5: no family held with case id EHM-9999" in refused.stdout
    assert "Row 6, column upn: A123456789012 is Kuba Nowak of family K-1, not K-2" in (
        refused.stdout
    )
    assert refused.stderr.startswith("fmdesk: Nothing was applied:")
    assert later(home) == []

    partial = fmdesk(home, "programme", "update-csv", str(path), "--valid-only")
    assert partial.returncode == 0, partial.stderr
    # K-2's own row is fine, but another row names K-2 wrongly: K-2 is left out whole.
    assert "Applied 3 new figures to 1 family" in partial.stdout
    assert "1 family left out for problems" in partial.stdout
