"""Identification from the data (issue 17): `import-csv --framework` ticks the indicators the
framework's data thresholds decide from each family's baseline figures, shows eligibility
before anything is written, and `programme attach-framework` moves many families at once."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.outcomes import IndicatorTick
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk

TODAY = dt.date.today()
TERM_END = (TODAY - dt.timedelta(days=40)).isoformat()  # within the last three terms
HEADER = (
    "family_key,role,given_name,surname,date_of_birth,attendance_percent,exclusions,term_end,"
    "offences,period_start,period_end,out_of_work_benefits,benefit,benefits_on"
)
START = (TODAY - dt.timedelta(days=300)).isoformat()
END = (TODAY - dt.timedelta(days=10)).isoformat()
ROWS = [
    # Nowak: a child at 82% with 3 exclusions, a mother on benefits: 2 of 3 national criteria
    f"K-1,parent,Zofia,Nowak,1985-03-02,,,,,,,yes,uc,{END}",
    f"K-1,child,Kuba,Nowak,2012-05-12,82,3,{TERM_END},,,,,,",
    # Kelly: a child with a proven offence, at school 96%: 1 criterion only
    "K-2,carer,Niamh,Kelly,1979-11-30,,,,,,,no,,",
    f"K-2,child,Aoife,Kelly,2010-01-20,96,,{TERM_END},1,{START},{END},,,",
]


def csv_file(folder: Path, *rows: str) -> Path:
    path = folder / "identified.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def test_import_ticks_what_the_data_decides_and_shows_eligibility_first(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, *ROWS)
    checked = fmdesk(
        home,
        "families",
        "import-csv",
        str(path),
        "--framework",
        "families-matter@2015.1",
        "--check",
    )
    assert checked.returncode == 0, checked.stderr
    assert "1 eligible under families-matter@2015.1 by their figures" in checked.stdout
    assert "K-1: eligible: 2 of 6 problems" in checked.stdout
    assert "K-2: not eligible: 1 of 6 problems" in checked.stdout
    assert json.loads(fmdesk(home, "families", "list", "--json").stdout) == []

    done = fmdesk(
        home, "families", "import-csv", str(path), "--framework", "families-matter@2015.1"
    )
    assert done.returncode == 0, done.stderr
    with Store.open(home / "store", PASSPHRASE) as store:
        ticks = store.list(IndicatorTick)
    ticked = sorted(t.indicator for t in ticks)
    # 2A (attendance below 90 % over three terms), 2B (3+ exclusions), 4A (benefits), 1A
    # (a proven offence in the last 12 months); nothing for health or domestic abuse.
    assert ticked == ["1A", "2A", "2B", "4A"]
    attendance = next(t for t in ticks if t.indicator == "2A")
    assert attendance.evidence_source == "Data matching (CSV)"
    assert attendance.on.isoformat() == TERM_END
    assert "82%" in attendance.notes
    assert "below 90% over the last 3 terms" in attendance.notes
    shown = json.loads(fmdesk(home, "families", "show", "K-1", "--json").stdout)
    assert shown["framework"] == "families-matter@2015.1"


def test_attach_framework_shows_the_change_in_eligibility_then_applies_it(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, *ROWS)
    # Imported with no framework, to be attached in one go.
    assert fmdesk(home, "families", "import-csv", str(path), "--no-framework").returncode == 0
    preview = fmdesk(
        home, "programme", "attach-framework", "troubled-families-2012@1", "--csv", str(path)
    )
    assert preview.returncode == 0, preview.stderr
    assert "2 families to troubled-families-2012@1: eligible 0 before, 0 after" in preview.stdout
    assert "K-1: no framework -> not eligible: 2 of 3 national criteria" in preview.stdout
    assert "Nothing was changed" in preview.stdout
    with Store.open(home / "store", PASSPHRASE) as store:
        assert store.list(IndicatorTick) == []

    applied = fmdesk(
        home, "programme", "attach-framework", "troubled-families-2012@1", "K-1", "--apply"
    )
    assert applied.returncode == 0, applied.stderr
    assert "Attached 1 family to troubled-families-2012@1." in applied.stdout
    shown = json.loads(fmdesk(home, "families", "show", "K-1", "--json").stdout)
    assert shown["framework"] == "troubled-families-2012@1"
    with Store.open(home / "store", PASSPHRASE) as store:
        assert sorted(t.indicator for t in store.list(IndicatorTick)) == ["2A", "2C", "3A"]
    again = fmdesk(
        home, "programme", "attach-framework", "troubled-families-2012@1", "K-1", "--apply"
    )
    assert "Attached 0 families" in again.stdout  # nothing new: the ticks are held


def test_the_dashboard_can_ask_which_frameworks_dates_do_not_reach_a_day(
    home: Path, tmp_path: Path
) -> None:
    from db.programme.identified import terms_warnings_for

    path = csv_file(tmp_path, *ROWS)
    fmdesk(home, "families", "import-csv", str(path), "--framework", "supporting-families-2022@1")
    with Store.open(home / "store", PASSPHRASE) as store:
        assert terms_warnings_for(store, dt.date(2026, 3, 1)) == []
        (warning,) = terms_warnings_for(store, dt.date(2026, 12, 7))
    assert "its term dates end with Summer 2026" in warning
    assert "judged by the usual English pattern (Autumn 2026" in warning
