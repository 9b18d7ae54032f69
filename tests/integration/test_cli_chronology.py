"""`fmdesk families chronology` and `families recorded-in-error` end to end, on a real store in
this process (tests/cli.py): the history listed with who and when, a record marked with its
reason and then listed as such, refusals in one line, and the chronology as a PDF read back."""

import datetime as dt
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from fmdesk.families import CaseNote, ContactType, Family, FamilyStatus, Person, PersonRole
from fmdesk.roles import Role
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

REFERENCE = "FM-2026-0042"
Home = tuple[Path, dict[str, str]]


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Home:
    home = tmp_path / "home"
    store = store_templates.open(home / "store", Role.PRACTITIONER, name="Pat Keyworker")
    try:
        family = Family(reference=REFERENCE, name="Ó Briain family", status=FamilyStatus.ACTIVE)
        child = Person(
            family_id=family.id, role=PersonRole.CHILD, given_name="Niamh", family_name="Ó Briain"
        )
        note = CaseNote(
            family_id=family.id,
            on=dt.date.today() - dt.timedelta(days=2),
            contact=ContactType.HOME_VISIT,
            text="Visit: talked about school mornings.",
        )
        store.save(family, child, note)
    finally:
        store.close()
    return home, {"child": child.id, "note": note.id}


def fmdesk(home: Path, *args: str) -> Ran:
    return run_cli(*args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE})


def test_a_note_marked_recorded_in_error_shows_so_in_the_chronology(
    home: Home, tmp_path: Path
) -> None:
    path, ids = home
    listed = fmdesk(path, "families", "chronology", REFERENCE)
    assert listed.returncode == 0, listed.stderr
    assert "Home visit: Home visit" in listed.stdout
    assert "[Pat Keyworker, " in listed.stdout
    assert f"id {ids['note']}" in listed.stdout

    marked = fmdesk(
        path,
        "families",
        "recorded-in-error",
        REFERENCE,
        ids["note"],
        "--reason",
        "Meant for another family",
    )
    assert marked.returncode == 0, marked.stderr
    assert "Marked the note or visit as recorded in error (Meant for another family)" in (
        marked.stdout
    )

    events = json.loads(fmdesk(path, "families", "chronology", REFERENCE, "--json").stdout)
    correction = next(e for e in events if e["kind"] == "correction")
    assert "Reason: Meant for another family" in correction["detail"]
    assert correction["by"] == "Pat Keyworker"
    assert all(e["in_error"] for e in events if e["record_id"] == ids["note"])
    only = json.loads(
        fmdesk(path, "families", "chronology", REFERENCE, "--kind", "household", "--json").stdout
    )
    assert [e["what"] for e in only] == ["Person added"]

    out = tmp_path / "chronology.pdf"
    wrote = fmdesk(
        path,
        "families",
        "chronology",
        REFERENCE,
        "-o",
        str(out),
        "--purpose",
        "Subject access request",
        "--marking",
        "OFFICIAL",
    )
    assert wrote.returncode == 0, wrote.stderr
    reader = PdfReader(out)
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Chronology: Ó Briain family" in words
    assert "Subject access request" in words
    assert "OFFICIAL" in words
    assert f"Page 1 of {len(reader.pages)}" in words
    assert "recorded in error" in words
    assert "Meant for another family" in words
    assert str(reader.root_object["/Lang"]) == "en-GB"


def test_marking_is_refused_in_one_line(home: Home) -> None:
    path, ids = home
    no_reason = fmdesk(
        path, "families", "recorded-in-error", REFERENCE, ids["child"], "--reason", " "
    )
    assert no_reason.returncode == 1
    assert "Say why the person was recorded in error" in no_reason.stderr
    assert "Traceback" not in no_reason.stderr
    unknown = fmdesk(path, "families", "recorded-in-error", REFERENCE, "nope", "--reason", "x")
    assert unknown.returncode == 1
    assert "no such record" in unknown.stderr


def test_families_show_says_who_was_recorded_in_error(home: Home) -> None:
    path, ids = home
    before = fmdesk(path, "families", "show", REFERENCE).stdout
    assert "Niamh Ó Briain" in before
    assert "(recorded in error)" not in before
    fmdesk(path, "families", "recorded-in-error", REFERENCE, ids["child"], "--reason", "Twin")
    after = fmdesk(path, "families", "show", REFERENCE).stdout
    line = next(x for x in after.splitlines() if "Niamh" in x)
    assert line.endswith("(recorded in error)")
