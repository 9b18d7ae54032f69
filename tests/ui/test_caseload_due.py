"""The caseload shows what is late and due this week, what has not reached the coordinator, and
on a coordinator's store who holds each family (issues 16 and 17). Real stores, real widgets."""

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from db import allocation, sync
from db.caseload import caseload_extras
from db.families import load_caseload
from db.store import Store
from fmdesk.families import (
    Family,
)
from fmdesk.roles import Role
from tests.conftest import StoreTemplates
from tests.integration.test_cli_caseload import TODAY, fill_practitioner_store
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.window.caseload import CaseloadPage, DueView


def shown(page: CaseloadPage, column: str) -> dict[str, str]:
    titles = [
        page.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(page.proxy.columnCount())
    ]
    col = titles.index(column)
    return {
        page.proxy.index(r, 0).data(ROW_ROLE).name: page.proxy.index(r, col).data()
        for r in range(page.proxy.rowCount())
    }


def test_late_things_show_and_filter(qtbot, store: Store) -> None:
    fill_practitioner_store(store)
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_rows(load_caseload(store))
    page.show_extras(caseload_extras(store, TODAY))

    due = shown(page, "What's due")
    assert due["Ashworth"] == "3 late: Star reading, action"  # earliest first
    assert due["Begum"] == "1 due this week: consent to renew"
    assert due["Carter"] == ""
    tip = page.proxy.index(0, 6).data(Qt.ItemDataRole.ToolTipRole)
    assert "Action “Set two alarms” was due" in tip
    assert "Star reading was due" in tip
    assert shown(page, "Next action due")["Ashworth"].endswith("(late)")

    page.due.setCurrentIndex(page.due.findData(DueView.LATE.name))
    assert list(shown(page, "Family")) == ["Ashworth"]
    assert page.count.text() == "1 of 3 families"
    page.due.setCurrentIndex(page.due.findData(DueView.THIS_WEEK.name))
    assert sorted(shown(page, "Family")) == ["Ashworth", "Begum"]
    page.due.setCurrentIndex(page.due.findData(DueView.ALL.name))
    assert page.count.text() == "3 families"

    # Sorting by what is due puts the late family first.
    page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    page.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)
    assert page.proxy.index(0, 1).data() == "Ashworth"

    # What has not reached the coordinator: nobody is enrolled, every record waits.
    assert page.sync.text() == "No bundle sent yet · 6 changes wait to reach the coordinator"
    assert not page.sync.isHidden()
    # A practitioner's caseload has no practitioner column or filter.
    assert page.table.isColumnHidden(2)
    assert page.practitioner.isHidden()

    page.set_rows(load_caseload(store)[:1])
    assert page.count.text() == "1 family"


def test_the_warning_after_the_councils_days(qtbot, store: Store) -> None:
    fill_practitioner_store(store)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert caseload_extras(store, TODAY).sync_warning == ""
    warned = caseload_extras(store, TODAY, now=later).sync_warning
    assert warned.startswith("6 changes made on this laptop have reached nobody")
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_rows(load_caseload(store))
    page.show_extras(caseload_extras(store, TODAY))
    assert page.sync_warning.isHidden()
    page.show_extras(caseload_extras(store, TODAY, now=later))
    assert not page.sync_warning.isHidden()
    assert page.sync_warning.text() == warned
    sync.set_unsent_warning_days(store, 10)
    assert caseload_extras(store, TODAY, now=later).sync_warning == ""


def test_a_coordinator_sees_and_filters_by_practitioner(
    qtbot, coordinator_store: Store, store_templates: StoreTemplates, tmp_path: Path
) -> None:
    zoe = store_templates.open(tmp_path / "zoe", Role.PRACTITIONER, name="Zoë Practitioner")
    dev = store_templates.open(tmp_path / "dev", Role.PRACTITIONER, name="Dev Practitioner")
    for p in (zoe, dev):
        sync.enrol(coordinator_store, sync.identity(p).enrolment)
    families = [Family(reference=f"EH-00{n}", name=name) for n, name in enumerate("ABC")]
    coordinator_store.save(*families)
    allocation.allocate(coordinator_store, [families[0].id], zoe.info.store_id)
    allocation.allocate(coordinator_store, [families[1].id], dev.info.store_id)
    zoe.close()
    dev.close()

    page = CaseloadPage()
    qtbot.addWidget(page)
    page.show()
    page.set_rows(load_caseload(coordinator_store))
    page.show_extras(caseload_extras(coordinator_store, TODAY))
    assert not page.table.isColumnHidden(2)
    assert shown(page, "Practitioner") == {
        "A": "Zoë Practitioner",
        "B": "Dev Practitioner",
        "C": "",
    }
    assert page.practitioner.isVisible()
    choices = [page.practitioner.itemText(i) for i in range(page.practitioner.count())]
    assert choices == ["All practitioners", "Dev Practitioner", "Zoë Practitioner", "Nobody yet"]
    page.practitioner.setCurrentIndex(page.practitioner.findText("Zoë Practitioner"))
    assert list(shown(page, "Family")) == ["A"]
    assert page.count.text() == "1 of 3 families"
    page.practitioner.setCurrentIndex(page.practitioner.findText("Nobody yet"))
    assert list(shown(page, "Family")) == ["C"]
    # A reload keeps the chosen practitioner.
    page.show_extras(caseload_extras(coordinator_store, TODAY))
    assert page.practitioner.currentText() == "Nobody yet"
    assert page.sync.text().endswith("to reach practitioners")


def test_the_window_fills_what_is_due_after_unlocking(
    qtbot, make_window, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = tmp_path / "win"
    with store_templates.open(path, Role.PRACTITIONER, name="Pat Keyworker") as store:
        fill_practitioner_store(store)
    window = make_window(path)
    unlock(qtbot, window)
    page = window.caseload
    qtbot.waitUntil(lambda: shown(page, "What's due").get("Begum") != "", timeout=10_000)
    assert shown(page, "What's due")["Begum"] == "1 due this week: consent to renew"
    assert page.sync.text().startswith("No bundle sent yet")
