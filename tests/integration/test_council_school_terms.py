"""The council's own school term dates (issue 17): a definition of their own, added by the
coordinator with `fmdesk terms add` (a file that does not fit is refused naming the place, and
nothing is written), carried to the practitioner in a bundle, and used there to judge
attendance before the framework's own dates and the usual English pattern."""

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest

from db import allocation, programme, sync
from db.keyslots import KdfParams
from db.outcomes import load_family_outcomes
from db.programme import identified
from db.store import Store
from fmdesk.definition import Definition, DefinitionKind
from fmdesk.families import Family
from fmdesk.outcomes import OutcomeProgress
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE, StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk

TODAY = dt.date(2027, 1, 11)
BASELINE = (
    "family_key,case_id,identified_on,role,given_name,surname,date_of_birth,upn,"
    "attendance_percent,term_end,out_of_work_benefits,benefits_on\n"
    "K-1,EHM-1001,2026-01-05,parent,Zofia,Nowak,1985-03-02,,,,yes,2025-12-01\n"
    "K-1,,,child,Kuba,Nowak,2012-05-12,A123456789012,82,2025-12-19,,\n"
)
UPDATE = (
    "case_id,upn,attendance_percent,term_end,source\n"
    "EHM-1001,A123456789012,95,2026-03-27,School census spring 2026\n"
    "EHM-1001,A123456789012,96,2026-07-17,School census summer 2026\n"
    "EHM-1001,A123456789012,94,2026-12-18,School census autumn 2026\n"
)


def example() -> dict:
    entry = resources.files("fmdesk").joinpath(
        "definitions", "school-terms", "example-council-terms.json"
    )
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown-school-terms", "Anytown school term dates"
    del data["$schema"]
    return data


def write(folder: Path, data: dict, name: str = "anytown-terms.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def attendance_outcome(store: Store, family_id: str) -> OutcomeProgress:
    readiness = load_family_outcomes(store, family_id, TODAY).readiness
    assert readiness is not None
    school = next(p for p in readiness.problems if p.code == "2")
    return next(o for o in school.outcomes if o.code == "2.1")


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name="Central Team")
    return home


def test_a_bad_term_dates_file_is_refused_naming_the_place_and_nothing_is_written(
    home: Path, tmp_path: Path
) -> None:
    data = example()
    data["terms"][1]["start"] = "2027-02-30"
    refused = fmdesk(home, "terms", "add", str(write(tmp_path, data)))
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "fmdesk: anytown-terms.json: terms[1].start: expected a date written YYYY-MM-DD"
    )
    data = example()
    data["terms"][1]["end"] = "2027-04-14"  # Spring 2027 into Summer 2027
    refused = fmdesk(home, "terms", "add", str(write(tmp_path, data)))
    assert "terms[2].start: terms must be in order and not overlap 'Spring 2027'" in (
        refused.stderr
    )
    data = example()
    data["terms"][0]["name"] = "Autumn term"
    refused = fmdesk(home, "terms", "add", str(write(tmp_path, data)))
    assert "terms[0].name: 'Autumn term' is not a term name like Autumn 2026" in refused.stderr
    assert "Traceback" not in refused.stderr
    shown = fmdesk(home, "terms", "show", "--year", "2026")
    assert "No council term dates are held" in shown.stdout
    assert "Autumn 2026  2026-09-01 to 2026-12-20  the usual English term pattern" in shown.stdout
    with Store.open(home / "store", PASSPHRASE) as store:
        assert store.list(Definition) == []

    added = fmdesk(home, "terms", "add", str(write(tmp_path, example())))
    assert added.returncode == 0, added.stderr
    assert "Added anytown-school-terms@2026.1, Anytown school term dates (6 terms" in added.stdout
    shown = fmdesk(home, "terms", "show", "--year", "2026", "--json")
    (held,) = json.loads(shown.stdout)["held"]
    assert held["ref"] == "anytown-school-terms@2026.1"
    autumn = json.loads(shown.stdout)["terms"][0]
    assert autumn == {
        "name": "Autumn 2026",
        "start": "2026-09-03",
        "end": "2026-12-18",
        "source": "the council's term dates",
    }


def test_the_councils_term_dates_travel_to_the_practitioner_and_judge_attendance_there(
    coordinator_store: Store, tmp_path: Path
) -> None:
    coordinator = coordinator_store
    zoe = Store.create(
        tmp_path / "zoe",
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name="Zoë Adebayo",
        kdf=KdfParams.fast(),
    )
    sync.enrol(zoe, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(zoe).enrolment)
    checked = programme.preview_identified_csv(
        coordinator, BASELINE.encode(), today=TODAY, framework="families-matter@2015.1"
    )
    programme.import_identified(coordinator, checked)
    family = coordinator.list(Family)[0]
    allocation.allocate(coordinator, [family.id], zoe.info.store_id, on=TODAY)
    update = identified.preview_update_csv(coordinator, UPDATE.encode())
    identified.apply_update(coordinator, update)
    # Before the council's dates: Autumn 2026 is the usual pattern's, ending 20 December.
    assert attendance_outcome(coordinator, family.id).sustained_on == dt.date(2026, 12, 20)
    (warning,) = identified.terms_warnings_for(coordinator, TODAY)
    assert "judged by the usual English pattern (Spring 2027" in warning

    from db.library import add_definition_file

    add_definition_file(coordinator, DefinitionKind.SCHOOL_TERMS, write(tmp_path, example()))
    at_coordinator = attendance_outcome(coordinator, family.id)
    assert (at_coordinator.achieved, at_coordinator.sustained_on) == (True, dt.date(2026, 12, 18))
    # The dashboard's warning says which dates the day is judged by.
    (notice,) = programme.load_dashboard(coordinator, TODAY).notices
    assert notice.endswith(
        "is judged by the council's term dates (Spring 2027, 2027-01-05 to 2027-03-25)"
    )

    sync.export_bundle(coordinator, zoe.info.store_id, tmp_path / "1.fmb")
    got = sync.import_bundle(zoe, tmp_path / "1.fmb")
    assert got.rejected == ()
    assert [d.ref for d in zoe.list(Definition)] == ["anytown-school-terms@2026.1"]
    at_practitioner = attendance_outcome(zoe, family.id)
    # The end of the council's Autumn 2026, not the pattern's 20 December.
    assert (at_practitioner.achieved, at_practitioner.sustained_on) == (
        True,
        dt.date(2026, 12, 18),
    )
    (said,) = identified.terms_warnings_for(zoe, TODAY)
    assert said == (
        "Families Matter outcomes plan (Southwark, expanded programme): its term dates end "
        "with Summer 2021 (2021-04-15 to 2021-07-22), so attendance on 2027-01-11 is judged "
        "by the council's term dates (Spring 2027, 2027-01-05 to 2027-03-25)"
    )
    zoe.close()
