"""Validation and status messages are said to a screen reader (issue 16; WCAG 2.2 4.1.3, EN 301 549
clause 11).

A sighted keyworker sees a problem appear under a form, a message in the status bar, a notice at
the top of a page; a screen-reader user hears them only if the app hands Qt a
QAccessibleAnnouncementEvent. These tests switch Qt's accessibility on (as a running screen reader
does), drive real widgets, and read the app's own record of what it announced (ui/kit/announce.py
`announcer().recent`, written from the very event given to QAccessible.updateAccessibility):
a problem interrupts (assertive), a status waits its turn (polite).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from db.caseload import caseload_extras
from db.families import load_caseload
from db.store import Store
from fmdesk.errors import UserError
from tests.integration.test_cli_caseload import TODAY, fill_practitioner_store
from ui.kit import errors
from ui.kit.announce import Announcement, announce, announcer
from ui.kit.dialogs import DateDialog
from ui.window.caseload import CaseloadPage
from ui.window.main_window import MainWindow


@pytest.fixture(autouse=True)
def screen_reader_on(qapp) -> Iterator[None]:
    was = QAccessible.isActive()
    QAccessible.setActive(True)  # as when a screen reader is running
    announcer().recent.clear()
    yield
    QAccessible.setActive(was)


def said() -> list[Announcement]:
    return list(announcer().recent)


def test_a_form_problem_is_said_at_once_and_again_on_each_try(qtbot) -> None:
    dialog = DateDialog("Consent", "Date given")
    qtbot.addWidget(dialog)
    dialog.show()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    dialog.date.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(announcer().announced) as blocker:
        ok.click()
    problem = dialog.problem.text()
    assert "future" in problem
    assert dialog.isVisible()
    assert blocker.args == [Announcement(problem, urgent=True, source="Problem")]
    ok.click()  # the same problem, pressed again: said again
    assert said() == [Announcement(problem, urgent=True, source="Problem")] * 2


def test_a_record_forms_problem_is_said_urgently(qtbot) -> None:
    """The household's person form, a given name blanked: the problem under it is said."""
    from fmdesk.families import Person, PersonRole
    from ui.kit.forms import RecordForm
    from ui.record.family_page import PERSON_FIELDS

    form = RecordForm(PERSON_FIELDS)
    qtbot.addWidget(form)
    form.show()
    form.load(
        Person(family_id="f1", role=PersonRole.PARENT_CARER, given_name="Megan", family_name="Holt")
    )
    given = form.editor("given_name")
    assert isinstance(given, QLineEdit)
    given.setText("")
    given.textEdited.emit("")
    form.flush()
    assert "needs a name" in form.problem.text()
    assert said() == [Announcement(form.problem.text(), urgent=True, source="Form problem")]


def test_a_wrong_passphrase_is_said_urgently(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(0))
    page = window.unlock_page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    announcer().recent.clear()
    page.passphrase.setText("not the passphrase at all")
    page.button.click()
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=10_000)
    assert "does not unlock this store" in page.error.text()
    assert (page.error.text(), True) in [(a.text, a.urgent) for a in said()]


def test_an_error_shown_is_said_urgently(qtbot) -> None:
    errors.headless(True)
    try:
        errors.show_error(None, UserError("That file is not an fmdesk store. Choose another."))
    finally:
        errors.headless(False)
    assert [(a.text, a.urgent) for a in said()] == [
        ("That file is not an fmdesk store. Choose another.", True)
    ]


def test_the_status_bar_is_said_politely(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FMDESK_HOME", str(tmp_path / "home"))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(tmp_path / "no-store-yet", settings=settings)
    qtbot.addWidget(window)
    window.show()
    announcer().recent.clear()
    window.statusBar().showMessage("Saved", 1500)
    window.statusBar().clearMessage()  # a cleared message says nothing
    assert [(a.text, a.urgent) for a in said()] == [("Saved", False)]


def test_the_caseloads_unsent_warning_is_said_politely_once(qtbot, store: Store) -> None:
    """The caseload's notice that changes have waited too long to reach the coordinator."""
    fill_practitioner_store(store)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    page = CaseloadPage()
    qtbot.addWidget(page)
    page.set_rows(load_caseload(store))
    page.show_extras(caseload_extras(store, TODAY, now=later))
    page.show_extras(caseload_extras(store, TODAY, now=later))  # refreshed, unchanged
    warned = page.sync_warning.text()
    assert warned.startswith("6 changes made on this laptop have reached nobody")
    assert [(a.text, a.urgent) for a in said()] == [(warned, False)]


def test_blank_words_are_not_announced(qtbot) -> None:
    announce(None, "   ")
    assert said() == []
