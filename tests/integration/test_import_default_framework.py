"""`import-csv` without --framework attaches the council's current framework (issue 17): the
council's own framework added last, else the national Supporting Families framework, and says
which in its summary; --no-framework attaches none."""

from pathlib import Path

from db.store import Store
from fmdesk.families import Family
from tests.integration.test_cli import PASSPHRASE, fmdesk
from tests.integration.test_definition_bundles import council_framework
from tests.integration.test_identification_from_data import ROWS, csv_file, home

__all__ = ["home"]  # the fixture, shared


def frameworks_of(home: Path) -> dict[str, str]:
    with Store.open(home / "store", PASSPHRASE) as store:
        return {f.reference: f.framework for f in store.list(Family)}


def test_import_csv_attaches_the_councils_current_framework_and_says_which(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, *ROWS[:2])
    done = fmdesk(home, "families", "import-csv", str(path))
    assert done.returncode == 0, done.stderr
    assert "eligible under supporting-families-2022@1" in done.stdout  # the preview
    assert done.stdout.rstrip().endswith(
        "Attached to Supporting Families national outcome framework, 2022–25 "
        "(supporting-families-2022@1)."
    )
    assert set(frameworks_of(home).values()) == {"supporting-families-2022@1"}

    added = fmdesk(home, "frameworks", "add", str(council_framework(tmp_path)))
    assert added.returncode == 0, added.stderr
    path = csv_file(tmp_path, *(row.replace("K-1", "K-9") for row in ROWS[:2]))
    checked = fmdesk(home, "families", "import-csv", str(path), "--check")
    assert "would be attached to Anytown outcomes plan 2025 (anytown-outcomes@1)" in checked.stdout
    done = fmdesk(home, "families", "import-csv", str(path))
    assert done.returncode == 0, done.stderr
    assert "Attached to Anytown outcomes plan 2025 (anytown-outcomes@1)." in done.stdout
    assert sorted(frameworks_of(home).values()) == [
        "anytown-outcomes@1",
        "supporting-families-2022@1",
    ]


def test_import_csv_with_no_framework_attaches_none(home: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, *ROWS)
    both = fmdesk(home, "families", "import-csv", str(path), "--no-framework", "--framework", "x@1")
    assert both.returncode == 2
    assert "Give --framework or --no-framework, not both." in both.stderr
    done = fmdesk(home, "families", "import-csv", str(path), "--no-framework")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("No framework attached.")
    assert set(frameworks_of(home).values()) == {""}
