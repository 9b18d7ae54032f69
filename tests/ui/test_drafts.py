"""Nothing typed into a dialog is lost: a TAF meeting record, a closing summary or a consent left
open when the app locks is kept as a draft in the store and comes back after unlocking; Cancel
on a changed dialog asks first; saving or discarding lets the draft go."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget

from db.drafts import draft_kinds, load_draft
from db.store import Store
from fmdesk.families import Consent, Family, FamilyStatus
from fmdesk.outcomes import IndicatorTick
from tests.conftest import TEST_PASSPHRASE
from tests.ui.test_plan_tab import active_family, open_plan_tab
from ui.record.dialogs import ConsentDialog
from ui.record.outcomes.evidence import EvidenceDialog
from ui.record.outcomes.tab import OutcomesTab
from ui.record.plan.dialogs import CloseCaseDialog, MeetingDialog
from ui.record.plan.tab import PlanTab
from ui.window.main_window import MainWindow

PLACE = "Riverside family hub"
VIEWS = "Mum said the mornings are calmer now; Jay wants to walk to school alone."


def shown(kind: type[QWidget]) -> QWidget | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
        None,
    )


def while_open(kind: type[QWidget], then: Callable[[QWidget], None]) -> None:
    """Run `then(dialog)` once a `kind` dialog is showing (inside its own event loop)."""

    def poll() -> None:
        dialog = shown(kind)
        if dialog is None:
            QTimer.singleShot(10, poll)
        else:
            then(dialog)

    QTimer.singleShot(0, poll)


def answer(button_text: str) -> None:
    """Click `button_text` in the question box once it shows."""

    def click(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
        chosen.click()

    while_open(QMessageBox, click)


def unlock_again(qtbot, window: MainWindow, tab: PlanTab, family: Family) -> None:
    """Unlock after the auto-lock: the window goes back to the family and its Plan tab."""
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.unlock_page)
    window.unlock_page.passphrase.setText(TEST_PASSPHRASE)
    window.unlock_page.button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page, timeout=10_000)
    qtbot.waitUntil(lambda: tab.plans is not None and tab.plans.family.id == family.id)


def locked_store(qtbot, window: MainWindow, path: Path) -> Store:
    window.lock()
    qtbot.waitUntil(lambda: not window.runner.busy)
    return Store.open(path, TEST_PASSPHRASE)


def test_a_meeting_record_left_open_at_auto_lock_comes_back_after_unlock(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)

    def type_then_lock(dialog: QWidget) -> None:
        assert isinstance(dialog, MeetingDialog)
        dialog.place.setText(PLACE)
        dialog.family_views.setPlainText(VIEWS)
        dialog.decisions.setPlainText("School nurse to visit\nReview in six weeks")
        window.lock()  # what the idle timer does after the auto-lock time

    while_open(MeetingDialog, type_then_lock)
    tab.record_meeting()
    assert shown(MeetingDialog) is None

    seen: dict[str, str] = {}

    def carry_on(dialog: QWidget) -> None:
        assert isinstance(dialog, MeetingDialog)
        qtbot.waitUntil(lambda: dialog.place.text() == PLACE)
        seen["views"] = dialog.family_views.toPlainText()
        seen["decisions"] = dialog.decisions.toPlainText()
        seen["notice"] = dialog.restored.text()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    # Unlocked, the window goes back to the Plan tab and opens the meeting record again by
    # itself, carrying on from the draft: nobody has to remember to reopen it.
    while_open(MeetingDialog, carry_on)
    unlock_again(qtbot, window, tab, family)
    qtbot.waitUntil(lambda: "notice" in seen, timeout=10_000)
    assert seen["views"] == VIEWS
    assert seen["decisions"] == "School nurse to visit\nReview in six weeks"
    assert "Carried on from what you typed" in seen["notice"]
    qtbot.waitUntil(
        lambda: tab.plans is not None and any(m.place == PLACE for m in tab.plans.meetings)
    )
    with locked_store(qtbot, window, path) as store:
        assert load_draft(store, family.id, "taf_meeting") is None  # saved: the draft went


def test_cancel_on_a_changed_closing_summary_asks_and_discard_lets_the_draft_go(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    seen: dict[str, object] = {}

    def cancel_twice(dialog: QWidget) -> None:
        assert isinstance(dialog, CloseCaseDialog)
        dialog.summary.setPlainText("Attendance up; Mum back at work")
        # Wait for the draft to be written a moment after the typing.
        qtbot.waitUntil(lambda: not dialog._draft_timer.isActive() and not window.runner.busy)
        answer("Keep editing")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        seen["kept open"] = dialog.isVisible()
        seen["kept typing"] = dialog.summary.toPlainText()
        answer("Discard")
        dialog.reject()  # Esc

    while_open(CloseCaseDialog, cancel_twice)
    tab.close_case()
    assert seen == {"kept open": True, "kept typing": "Attendance up; Mum back at work"}
    assert shown(CloseCaseDialog) is None
    with locked_store(qtbot, window, path) as store:
        assert draft_kinds(store, family.id) == []
        assert store.get(Family, family.id).status is not FamilyStatus.CLOSED


def test_a_consent_left_open_is_kept_and_an_unchanged_dialog_closes_without_asking(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    open_plan_tab(qtbot, window, family)
    window.family_page.tabs.setCurrentIndex(2)  # Consent

    def type_then_lock(dialog: QWidget) -> None:
        assert isinstance(dialog, ConsentDialog)
        dialog.kind.setCurrentIndex(1)
        dialog.notes.setText("Signed form scanned to the case system")
        window.lock()

    while_open(ConsentDialog, type_then_lock)
    window.record_consent()
    with locked_store(qtbot, window, path) as store:
        kept = load_draft(store, family.id, "consent")
        consents_before = sum(c.family_id == family.id for c in store.list(Consent))
    assert kept is not None
    assert kept.state["Notes"] == "Signed form scanned to the case system"

    seen: dict[str, object] = {}

    def look_then_cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, ConsentDialog)
        qtbot.waitUntil(lambda: dialog.notes.text() != "")
        seen["notes"] = dialog.notes.text()
        seen["kind"] = dialog.kind.currentIndex()
        answer("Discard")
        dialog.reject()

    # Unlocked, the consent dialog opens again by itself with what was typed.
    while_open(ConsentDialog, look_then_cancel)
    window.unlock_page.passphrase.setText(TEST_PASSPHRASE)
    window.unlock_page.button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page, timeout=10_000)
    qtbot.waitUntil(lambda: "kind" in seen, timeout=10_000)
    assert seen == {"notes": "Signed form scanned to the case system", "kind": 1}

    def cancel_untouched(dialog: QWidget) -> None:
        qtbot.waitUntil(lambda: not window.runner.busy)
        dialog.reject()  # nothing typed: no question, it just closes

    while_open(ConsentDialog, cancel_untouched)
    window.record_consent()
    assert shown(ConsentDialog) is None
    assert shown(QMessageBox) is None
    with locked_store(qtbot, window, path) as store:
        assert draft_kinds(store, family.id) == []
        assert sum(c.family_id == family.id for c in store.list(Consent)) == consents_before


def test_outcome_evidence_typed_before_the_lock_comes_back_for_the_same_outcome(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    with Store.open(path, TEST_PASSPHRASE) as store:  # a problem present, so its outcomes show
        store.save(IndicatorTick(family_id=family.id, indicator="5A", on=dt.date.today()))
    window = make_window(path)
    open_plan_tab(qtbot, window, family)
    tab = next(t for t in window.family_page.feature_tabs if isinstance(t, OutcomesTab))
    window.family_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.outcomes is not None and tab.outcomes.family.id == family.id)
    tab.sections.setCurrentIndex(2)
    qtbot.waitUntil(lambda: tab.evidence.problem_model.rowCount() > 0)
    tab.evidence.problem_view.selectRow(0)  # its outcomes are listed
    qtbot.waitUntil(lambda: tab.evidence.outcome_model.rowCount() > 0)
    tab.evidence.outcome_view.selectRow(0)
    code = tab.evidence.outcome_model.rows()[0].outcome.code
    shows = "Attendance 96% over the autumn and spring terms (school report)"

    def type_then_lock(dialog: QWidget) -> None:
        assert isinstance(dialog, EvidenceDialog)
        dialog.source.setEditText("School attendance report")
        dialog.description.setPlainText(shows)
        window.lock()

    while_open(EvidenceDialog, type_then_lock)
    tab.evidence.record_evidence()
    seen: dict[str, str] = {}

    def look_then_keep(dialog: QWidget) -> None:
        assert isinstance(dialog, EvidenceDialog)
        qtbot.waitUntil(lambda: dialog.description.toPlainText() != "")
        seen["title"] = dialog.windowTitle()
        seen["shows"] = dialog.description.toPlainText()
        seen["source"] = dialog.source.currentText()
        answer("Discard")
        dialog.reject()

    while_open(EvidenceDialog, look_then_keep)
    window.unlock_page.passphrase.setText(TEST_PASSPHRASE)
    window.unlock_page.button.click()
    qtbot.waitUntil(lambda: "shows" in seen, timeout=10_000)
    assert seen == {
        "title": f"Evidence for outcome {code}",
        "shows": shows,
        "source": "School attendance report",
    }
