"""Family identity in the app: the caseload filter finds a family by a child's UPN (and its
case system ID, an NHS number); the household and details forms take the council's identifiers
and refuse a mistyped one in words; a new family gets this laptop's reference; the coordinator's
Allocation page shows references two families share and gives one a new reference."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QLineEdit

from db.families import add_demo_families, load_family, reference_code
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import Family, Person, PersonRole
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from tests.ui.test_programme_page import go_to
from ui.kit.models import ROW_ROLE
from ui.record.dialogs import NewFamilyDialog
from ui.workspace.allocation import AllocationPage

UPN = "B801200005001"


@pytest.fixture
def practitioner_path(tmp_path: Path) -> Path:
    """A caseload of eight demo families and the Nowaks, whose daughter has a UPN."""
    path = tmp_path / "store"
    with Store.create(
        path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Pat Keyworker", kdf=KdfParams.fast()
    ) as store:
        add_demo_families(store, 8, seed=7, outcomes=False)
        nowak = Family(reference="FM-2026-0099", name="Nowak family", case_id="EHM-40021")
        store.save(
            nowak,
            Person(
                family_id=nowak.id,
                role=PersonRole.CHILD,
                given_name="Zofia",
                family_name="Nowak",
                upn=UPN,
            ),
            Person(
                family_id=nowak.id,
                role=PersonRole.PARENT_CARER,
                given_name="Ewa",
                family_name="Nowak",
                nhs_number="9991112227",
            ),
        )
    return path


def shown(window) -> list[str]:
    proxy = window.caseload.proxy
    return [proxy.index(r, 0).data(ROW_ROLE).name for r in range(proxy.rowCount())]


def test_the_caseload_filter_finds_a_family_by_a_childs_upn(
    qtbot, make_window, practitioner_path: Path
) -> None:
    window = make_window(practitioner_path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 9)
    assert "UPN" in window.caseload.filter.placeholderText()
    qtbot.keyClicks(window.caseload.filter, UPN.lower())
    assert shown(window) == ["Nowak family"]
    assert window.caseload.count.text() == "1 of 9 families"
    for query in ("ehm-40021", "999 111 2227"):
        window.caseload.filter.setText(query)
        assert shown(window) == ["Nowak family"], query
    window.caseload.filter.setText("B801200005002")
    assert shown(window) == []


def test_the_household_form_takes_an_nhs_number_and_refuses_a_mistyped_one(
    qtbot, make_window, practitioner_path: Path
) -> None:
    window = make_window(practitioner_path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 9)
    window.caseload.filter.setText("nowak")
    index = window.caseload.proxy.index(0, 0)
    family_id = index.data(ROW_ROLE).family_id
    window.caseload.table.doubleClicked.emit(index)
    page = window.family_page
    qtbot.waitUntil(lambda: page.family is not None and page.people_model.rowCount() == 2)
    zofia_row = next(
        r for r in range(page.people_model.rowCount()) if page.people_model.row_at(r).upn
    )
    page.people_view.selectRow(zofia_row)
    qtbot.waitUntil(lambda: page.person_form.record is not None)
    nhs = page.person_form.editor("nhs_number")
    assert isinstance(nhs, QLineEdit)
    nhs.setFocus()
    qtbot.keyClicks(nhs, "999 111 2228")
    page.person_form.flush()
    assert "does not check out (its last digit should be 7)" in page.person_form.problem.text()
    nhs.clear()
    qtbot.keyClicks(nhs, "999 111 2227")
    page.person_form.flush()
    assert page.person_form.problem.text() == ""
    case_id = page.details_form.editor("case_id")
    assert isinstance(case_id, QLineEdit)
    case_id.setFocus()
    case_id.selectAll()
    qtbot.keyClicks(case_id, "MOS-771")
    page.details_form.flush()
    qtbot.waitUntil(lambda: not window.runner.busy)
    with Store.open(practitioner_path, TEST_PASSPHRASE) as store:
        record = load_family(store, family_id)
    assert record.family.case_id == "MOS-771"
    zofia = next(p for p in record.people if p.given_name == "Zofia")
    assert (zofia.upn, zofia.nhs_number) == (UPN, "9991112227")


def test_a_new_family_gets_this_laptops_next_reference(
    qtbot, make_window, practitioner_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(practitioner_path)
    unlock(qtbot, window)
    offered: list[str] = []

    def fill_and_accept(dialog: NewFamilyDialog) -> int:
        offered.append(dialog.reference.text())
        dialog.name.setText("Khan family")
        dialog.case_id.setText("EHM-9")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewFamilyDialog, "exec", fill_and_accept)
    window.caseload.add_button.click()
    qtbot.waitUntil(lambda: window.family_page.family is not None)
    family = window.family_page.family
    assert family.name == "Khan family"
    with Store.open(practitioner_path, TEST_PASSPHRASE) as store:
        code = reference_code(store)
    # The demo families took 0001-0008 in this laptop's series; the Nowaks' older one is apart.
    assert offered == [family.reference]
    assert family.reference.endswith(f"-{code}-0009")
    assert family.case_id == "EHM-9"


def test_the_allocation_page_shows_shared_references_and_gives_one_anew(
    qtbot, make_window, tmp_path: Path
) -> None:
    path = tmp_path / "coordinator"
    with Store.create(
        path, TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central Team", kdf=KdfParams.fast()
    ) as store:
        khan = Family(reference="FM-2025-0007", name="Khan family", lead_practitioner="Łukasz")
        nowak = Family(reference="FM-2025-0007", name="Nowak family", lead_practitioner="Zoë")
        store.save(khan, nowak)
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, AllocationPage)
    qtbot.waitUntil(lambda: page.collisions.isVisible())
    said = page.collisions.text()
    assert "FM-2025-0007 is held by 2 families: Khan family (Łukasz); Nowak family (Zoë)" in said
    assert "Nothing was merged" in said
    page.rename(khan.id, "FM-2025-KHAN-0007")
    qtbot.waitUntil(lambda: not page.collisions.isVisible())
    references = {
        page.family_model.row_at(r).reference for r in range(page.family_model.rowCount())
    }
    assert references == {"FM-2025-KHAN-0007", "FM-2025-0007"}
