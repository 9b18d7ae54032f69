"""The coordinator's Programme and Claims pages judged as at a day (the date box beside the
programme year), and a claim batch's life in the app: submitted with who approved it, and a
draft withdrawn only after the user says yes. The store holds the hand-computed programme,
saved on 15 November 2025 (tests/ui/test_programme_page.py, coordinator_path)."""

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from fmdesk.claims import BatchStatus
from tests.ui.conftest import unlock
from tests.ui.test_programme_page import coordinator_path, go_to
from tests.unit.test_programme import TODAY
from ui.workspace.claims import ClaimsPage, last_quarter
from ui.workspace.programme import ProgrammePage

__all__ = ["coordinator_path"]  # the fixture, shared


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def open_page(qtbot, make_window, path, cls):
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    return window, go_to(qtbot, window, cls)


def test_the_dashboard_as_at_a_day_sees_only_what_the_store_held_then(
    qtbot, make_window, coordinator_path
) -> None:
    path, _, _ = coordinator_path
    _, page = open_page(qtbot, make_window, path, ProgrammePage)
    qtbot.waitUntil(lambda: page.dashboard is not None, timeout=10_000)
    assert page.as_at.accessibleName() == "As at"
    assert page.dashboard.family_count == 7
    page.as_at.setDate(qdate(dt.date(2025, 11, 14)))  # the day before anything was saved
    qtbot.waitUntil(lambda: page.dashboard.today == dt.date(2025, 11, 14), timeout=10_000)
    assert page.dashboard.family_count == 0
    assert page.year.value() == 2025  # the year holding the day
    assert "as at 14 Nov 2025" in page.heading.text()
    page.as_at.setDate(qdate(dt.date(2025, 11, 15)))
    qtbot.waitUntil(lambda: page.dashboard.today == dt.date(2025, 11, 15), timeout=10_000)
    assert page.dashboard.family_count == 7
    assert page.dashboard.figure("to_date.claimed").value == 1  # FM-002, claimed 1 Aug 2025


def test_the_claims_page_as_at_a_day_and_a_batch_through_its_life(
    qtbot, make_window, coordinator_path
) -> None:
    path, refs, _ = coordinator_path
    _, page = open_page(qtbot, make_window, path, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    page.as_at.setDate(qdate(dt.date(2025, 11, 14)))
    qtbot.waitUntil(lambda: page.view is not None and page.view.as_at is not None, timeout=10_000)
    assert page.ready_model.rowCount() == 0
    assert "as at 14 Nov 2025" in page.ready_label.text()
    page.as_at.setDate(QDate.currentDate())
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)

    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [refs["FM-001"].id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 0)

    # Withdraw asks first; No keeps the draft.
    page.batch_table.selectRow(0)
    page.withdraw_button.click()
    box = page.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "Withdraw draft batch Q3 of 1 family?" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: not box.isVisible())
    qtbot.wait(50)
    assert not page.runner.busy
    assert page.batch_model.rowCount() == 1

    page.submit("Q3", dt.date.today(), "Amara Okafor")
    qtbot.waitUntil(lambda: page.batch_model.row_at(0).status is BatchStatus.SUBMITTED)
    sent = page.batch_model.row_at(0)
    assert (sent.submitted_on, sent.approved_by) == (dt.date.today(), "Amara Okafor")
    page.record_paid("Q3", dt.date.today(), 180_000)
    qtbot.waitUntil(lambda: page.batch_model.row_at(0).status is BatchStatus.PAID)
    model = page.batch_model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = titles.index("Funder")
    shown = page.batch_model.index(0, column).data()
    assert shown.startswith("Paid ")
    assert shown.endswith("£1,800.00")


def test_withdrawing_a_draft_in_the_app_happens_only_on_yes(
    qtbot, make_window, coordinator_path
) -> None:
    path, refs, _ = coordinator_path
    _, page = open_page(qtbot, make_window, path, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [refs["FM-001"].id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    page.batch_table.selectRow(0)
    page.withdraw_button.click()
    box = page.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1)


def test_a_new_batch_is_offered_for_the_last_quarter_that_has_ended() -> None:
    assert last_quarter(dt.date(2026, 12, 7)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert last_quarter(dt.date(2026, 4, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def column_text(model, row: int, title: str) -> str:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, titles.index(title)).data()


def test_the_claims_page_shows_what_each_claim_and_batch_is_worth(
    qtbot, make_window, coordinator_path
) -> None:
    """Families Matter pays £800 results after a £1,000 attachment fee (its payment table);
    the evidence list has the practitioner and the family member in columns of their own."""
    path, refs, _ = coordinator_path
    _, page = open_page(qtbot, make_window, path, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    assert column_text(page.ready_model, 0, "Claim") == "£800.00"
    qtbot.waitUntil(lambda: page.evidence_model.rowCount() > 0)
    assert column_text(page.evidence_model, 0, "Recorded by") == "Pat Keyworker"
    assert column_text(page.evidence_model, 0, "About") == "Household"
    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [refs["FM-001"].id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    assert column_text(page.batch_model, 0, "Claims") == "£800.00"
