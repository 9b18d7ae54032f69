"""The next status is offered when its event is saved (issue 16: "a family stays Identified
through consent, assessment, plan and TAF"): consent given → engaged, a plan agreed → active.
An offer, never a move: "Not now" leaves the status alone."""

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from db.families import add_family
from db.store import Store
from fmdesk.families import ConsentKind, Family, FamilyStatus, StatusChange, change_status
from tests.conftest import TEST_PASSPHRASE
from tests.ui.test_plan_tab import open_plan_tab, settled, type_into
from ui.record.dialogs import ConsentDialog
from ui.window.main_window import MainWindow


def new_family(path: Path, status: FamilyStatus = FamilyStatus.IDENTIFIED) -> Family:
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = add_family(store, name="Offer family")
        if status is FamilyStatus.ENGAGED:
            for step in (FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED):
                family, move = change_status(family, step, on=dt.date.today())
                store.save(family, move)
    return family


def offer_box(window: MainWindow) -> QMessageBox | None:
    box = window.status_offers.box
    return box if box is not None and box.isVisible() else None


def button(box: QMessageBox, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def give_consent(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(dialog: ConsentDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData(ConsentKind.ASSESS))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConsentDialog, "exec", answer)


def test_consent_given_offers_engaged_and_accepting_moves_the_family(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(1)
    family = new_family(path)
    window = make_window(path)
    open_plan_tab(qtbot, window, family)
    give_consent(monkeypatch)
    window.record_consent()
    qtbot.waitUntil(lambda: offer_box(window) is not None, timeout=10_000)
    box = offer_box(window)
    assert box is not None
    assert "Consent to assess is recorded" in box.text()
    assert "from Identified to Engaged" in box.text()
    # Nothing moved by itself.
    assert window.family_page.family.status is FamilyStatus.IDENTIFIED
    button(box, "Move to Engaged").click()
    page = window.family_page
    qtbot.waitUntil(lambda: page.family.status is FamilyStatus.ENGAGED, timeout=10_000)
    with Store.open(path, TEST_PASSPHRASE) as store:
        moves = store.list(StatusChange, family_id=family.id)
    assert sorted((m.from_status, m.to_status) for m in moves) == sorted(
        [
            (FamilyStatus.IDENTIFIED, FamilyStatus.ALLOCATED),
            (FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED),
        ]
    )
    assert all(m.by == "Pat Keyworker" for m in moves)


def test_a_plan_agreed_offers_active_and_not_now_is_not_asked_again(
    qtbot, make_window, make_store
) -> None:
    path = make_store(1)
    family = new_family(path, FamilyStatus.ENGAGED)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    tab.header.start_button.click()
    qtbot.waitUntil(lambda: tab.goals.goal_model.rowCount() == 1)
    type_into(qtbot, tab.goals.goal_editor.words, "Kai at school every day")
    qtbot.waitUntil(settled(tab))
    assert offer_box(window) is None  # an empty plan is not yet agreed
    tab.goals.add_action_button.click()
    qtbot.waitUntil(lambda: offer_box(window) is not None, timeout=10_000)
    box = offer_box(window)
    assert box is not None
    assert "from Engaged to Active" in box.text()
    button(box, "Not now").click()
    type_into(qtbot, tab.goals.action_editor.what, "Set two alarms")
    qtbot.waitUntil(settled(tab))
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert offer_box(window) is None
    assert window.family_page.family.status is FamilyStatus.ENGAGED
