"""Every row of an identified-families CSV is accounted for (issue 17): a cell too long for the
reader and an unclosed quote are problems on their own rows, the rows after them still read;
people are matched on the council's identifiers, and a shared name and birthday is only
flagged for a person to confirm."""

from pathlib import Path

import pytest

from db.store import Store
from fmdesk.families import Family, Person
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk

HEADER = "family_key,role,given_name,surname,date_of_birth,upn"


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def write(folder: Path, *rows: str) -> Path:
    path = folder / "identified.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def families(home: Path) -> list[str]:
    with Store.open(home / "store", PASSPHRASE) as store:
        return sorted(f.reference for f in store.list(Family))


def test_a_cell_too_long_for_the_reader_does_not_stop_the_rows_after_it(
    home: Path, tmp_path: Path
) -> None:
    rows = [f"K-{n},parent,Ann,Lee{n},1980-01-01," for n in range(1, 50)]
    rows.insert(3, 'K-99,parent,"' + "x" * 140_000 + '",Long,1980-01-01,')
    path = write(tmp_path, *rows)
    done = fmdesk(home, "families", "import-csv", str(path), "--valid-only")
    assert done.returncode == 0, done.stderr
    assert "50 rows read, 49 new families" in done.stdout
    assert "1 row could not be read" in done.stdout
    assert "Row 5: cannot be read" in done.stdout
    assert len(families(home)) == 49


def test_an_unclosed_quote_is_named_and_the_rows_it_took_are_counted(
    home: Path, tmp_path: Path
) -> None:
    rows = [
        "K-1,parent,Ann,Lee,1980-01-01,",
        'K-2,parent,"Bea,Moss,1981-02-02,',
        "K-3,parent,Cal,Ng,1982-03-03,",
        "K-4,parent,Dee,Ode,1983-04-04,",
    ]
    path = write(tmp_path, *rows)
    checked = fmdesk(home, "families", "import-csv", str(path), "--valid-only")
    assert checked.returncode == 0, checked.stderr
    assert "given_name is empty" not in checked.stdout
    assert "Row 3, column given_name: opens a quote" in checked.stdout
    assert "the 2 lines after it (lines 4 to 5 of the file)" in checked.stdout
    assert "4 rows read, 1 new family" in checked.stdout
    assert "2 rows could not be read" in checked.stdout
    assert families(home) == ["K-1"]  # none of the families the quote touched, in part


def test_namesakes_born_the_same_day_in_two_families_are_two_people(
    home: Path, tmp_path: Path
) -> None:
    rows = [
        "K-1,child,Oliver,Smith,2015-06-01,A123456789012",
        "K-2,child,Oliver,Smith,2015-06-01,",
    ]
    path = write(tmp_path, *rows)
    done = fmdesk(home, "families", "import-csv", str(path))
    assert done.returncode == 0, done.stderr
    assert "2 new families" in done.stdout
    assert "warning: Row 3, column given_name: Oliver Smith born 2015-06-01 is also on row 2" in (
        done.stdout
    )
    assert "confirm they are two people" in done.stdout
    assert families(home) == ["K-1", "K-2"]

    # Next month: the same child by UPN under a new key is the person held; a namesake with
    # another UPN is a new family, not flagged.
    later = write(
        tmp_path,
        "K-7,child,Olly,Smith,2015-06-01,A123456789012",
        "K-8,child,Oliver,Smith,2015-06-01,J987654321098",
    )
    again = fmdesk(home, "families", "import-csv", str(later))
    assert again.returncode == 0, again.stderr
    assert "already held: K-7 (rows 2): Olly Smith (A123456789012) is already in family K-1" in (
        again.stdout
    )
    with Store.open(home / "store", PASSPHRASE) as store:
        assert len(store.list(Person)) == 3
