"""Closing and reopening from the family page's "Change status…": closing goes through the same
closing summary as the Plan tab's "Close the case…", and reopening needs a reason."""

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from db.families import load_family
from db.store import Store
from fmdesk.closure import ClosureSummary
from fmdesk.families import ClosureReason, Family, FamilyStatus, StatusChange
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from tests.ui.test_plan_tab import active_family
from ui.record.dialogs import StatusDialog
from ui.record.plan.dialogs import CloseCaseDialog
from ui.record.plan.tab import PlanTab
from ui.window.main_window import MainWindow

CLOSED_ON = dt.date(2025, 7, 18)


def open_family(qtbot, window: MainWindow, family: Family) -> PlanTab:
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(
        lambda: (
            window.pages.currentWidget() is window.family_page
            and window.family_page.family is not None
            and window.family_page.family.id == family.id
        )
    )
    return next(t for t in window.family_page.feature_tabs if isinstance(t, PlanTab))


def choose_closed(dialog: StatusDialog) -> int:
    dialog.to.setCurrentIndex(dialog.to.findData(FamilyStatus.CLOSED))
    # Closing asks for the reason and date here; the words come in the closing summary.
    assert dialog.closure.isVisibleTo(dialog)
    assert dialog.closing_note.isVisibleTo(dialog)
    assert not dialog.reason.isVisibleTo(dialog)
    dialog.closure.setCurrentIndex(dialog.closure.findData(ClosureReason.MOVED_AWAY))
    dialog.on.setDate(CLOSED_ON)
    return QDialog.DialogCode.Accepted


def test_closing_from_change_status_writes_the_closing_summary(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    plan_tab = open_family(qtbot, window, family)
    window.family_page.tabs.setCurrentIndex(0)  # on the household, not the plan

    seen: list[CloseCaseDialog] = []

    def fill_summary(dialog: CloseCaseDialog) -> int:
        seen.append(dialog)
        # It starts from what was chosen in Change status.
        assert ClosureReason(dialog.reason.currentData()) is ClosureReason.MOVED_AWAY
        assert dialog.closed_on.date().toPython() == CLOSED_ON
        dialog.summary.setPlainText("The family moved to Leeds; school places found.")
        dialog.support[0][0].setText("Leeds Family Hub")
        dialog.moving_on.setPlainText("We’re ready for the move.")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(StatusDialog, "exec", choose_closed)
    monkeypatch.setattr(CloseCaseDialog, "exec", fill_summary)
    window.family_page.status_button.click()
    page = window.family_page
    qtbot.waitUntil(
        lambda: page.family is not None and page.family.status is FamilyStatus.CLOSED,
        timeout=10_000,
    )
    assert len(seen) == 1
    assert page.tabs.currentWidget() is plan_tab  # where the closing summary now shows
    qtbot.waitUntil(lambda: "We’re ready for the move." in plan_tab.closing.closure_text.text())
    assert page.read_only
    assert not page.details_form.isEnabled()
    assert plan_tab.header.reopen_button.isVisible()

    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        saved = store.get(Family, family.id)
        assert saved.status is FamilyStatus.CLOSED
        assert saved.closure_reason is ClosureReason.MOVED_AWAY
        [summary] = store.list(ClosureSummary, family_id=family.id)
        assert summary.reason is ClosureReason.MOVED_AWAY
        assert summary.closed_on == CLOSED_ON
        assert summary.summary == "The family moved to Leeds; school places found."
        assert summary.continuing_support[0].service == "Leeds Family Hub"
        assert summary.moving_on == "We’re ready for the move."
        assert summary.closed_by == "Pat Keyworker"


def test_cancelling_the_closing_summary_leaves_the_case_open(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    plan_tab = open_family(qtbot, window, family)
    asked: list[CloseCaseDialog] = []

    def cancel(dialog: CloseCaseDialog) -> int:
        asked.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(StatusDialog, "exec", choose_closed)
    monkeypatch.setattr(CloseCaseDialog, "exec", cancel)
    window.family_page.status_button.click()
    qtbot.waitUntil(lambda: bool(asked))
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert plan_tab._writes == 0  # cancelling queued no write
    assert window.family_page.family is not None
    assert window.family_page.family.status is FamilyStatus.ACTIVE
    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        assert store.get(Family, family.id).status is FamilyStatus.ACTIVE
        assert store.list(ClosureSummary, family_id=family.id) == []


def test_reopening_from_change_status_needs_a_reason(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    plan_tab = open_family(qtbot, window, family)
    monkeypatch.setattr(StatusDialog, "exec", choose_closed)
    monkeypatch.setattr(CloseCaseDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    window.family_page.status_button.click()
    page = window.family_page
    qtbot.waitUntil(
        lambda: page.family is not None and page.family.status is FamilyStatus.CLOSED,
        timeout=10_000,
    )

    def reopen(dialog: StatusDialog) -> int:
        # A closed case can only be reopened, and not without saying why.
        assert dialog.to.count() == 1
        assert FamilyStatus(dialog.to.currentData()) is FamilyStatus.ACTIVE
        assert dialog.reason.isVisibleTo(dialog)
        dialog.buttons.accepted.emit()
        assert "Say why the case is being reopened." in dialog.problem.text()
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.reason.setPlainText("New worries from school")
        dialog.buttons.accepted.emit()
        assert dialog.result() == QDialog.DialogCode.Accepted
        return dialog.result()

    monkeypatch.setattr(StatusDialog, "exec", reopen)
    page.status_button.click()
    qtbot.waitUntil(
        lambda: page.family is not None and page.family.status is FamilyStatus.ACTIVE,
        timeout=10_000,
    )
    assert not page.read_only
    qtbot.waitUntil(lambda: plan_tab.plans is not None and not plan_tab.plans.family.is_read_only)
    assert "reopened since" in plan_tab.closing.closure_text.text()

    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        record = load_family(store, family.id)
        assert record.family.status is FamilyStatus.ACTIVE
        changes = sorted(store.list(StatusChange, family_id=family.id), key=lambda c: c.on)
        last = changes[-1]
        assert (last.from_status, last.to_status) == (FamilyStatus.CLOSED, FamilyStatus.ACTIVE)
        assert last.reason == "New worries from school"
