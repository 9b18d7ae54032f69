"""A record recorded in error can be read, not changed (issue 16): its form on the family page
is read-only and says why (the mark's reason, who and when); a consent so marked cannot be
withdrawn. And the page's notice banner is said to a screen reader."""

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible
from pytestqt.qtbot import QtBot

from db.store import Store
from fmdesk.families import CaseNote, Consent, ConsentKind, Family, FamilyStatus, Person
from fmdesk.records import mark_in_error
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.announce import announcer
from ui.window.main_window import MainWindow

MARKED_AT = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def screen_reader_on(qapp) -> Iterator[None]:
    was = QAccessible.isActive()
    QAccessible.setActive(True)  # as when a screen reader is running
    announcer().recent.clear()
    yield
    QAccessible.setActive(was)


def marked_family(path: Path) -> tuple[Family, Person, CaseNote, Consent]:
    """An open family with one person, one note and one consent marked in error by Sam."""
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(f for f in store.list(Family) if f.status is not FamilyStatus.CLOSED)
        person = store.list(Person, family_id=family.id)[0]
        note = CaseNote(family_id=family.id, on=dt.date(2026, 3, 1), text="Visit on Tuesday")
        consent = Consent(family_id=family.id, kind=ConsentKind.SHARE, given_on=dt.date(2026, 2, 1))
        saved = store.save(
            mark_in_error(person, "A duplicate of the mother", by="Sam Coordinator", at=MARKED_AT),
            mark_in_error(note, "Written on the wrong family", by="Sam Coordinator", at=MARKED_AT),
            mark_in_error(consent, "Typed twice", by="Sam Coordinator", at=MARKED_AT),
        )
    return family, saved[0], saved[1], saved[2]


def choose(qtbot: QtBot, view, form, record_id: str) -> None:
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.row_at(r).id == record_id)
    view.selectRow(row)
    qtbot.waitUntil(lambda: form.record is not None and form.record.id == record_id)


def test_a_person_note_or_consent_recorded_in_error_is_read_only_and_says_why(
    qtbot: QtBot,
    make_window: Callable[[Path], MainWindow],
    make_store: Callable[[int], Path],
) -> None:
    path = make_store(2)
    family, person, note, consent = marked_family(path)
    window = make_window(path)
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    page = window.family_page

    page.tabs.setCurrentIndex(1)  # Household
    choose(qtbot, page.people_view, page.person_form, person.id)
    assert not page.person_form.isEnabled()
    why = page.person_form.locked
    assert why.isVisible()
    assert "Sam Coordinator" in why.text()
    assert "4 Mar 2026" in why.text()
    assert "A duplicate of the mother" in why.text()
    # Another person of the family can still be edited.
    others = [p for p in page.people_model.rows() if not p.in_error]
    if others:
        choose(qtbot, page.people_view, page.person_form, others[0].id)
        assert page.person_form.isEnabled()
        assert not page.person_form.locked.isVisible()

    page.tabs.setCurrentIndex(3)  # Notes and visits
    choose(qtbot, page.notes_view, page.note_form, note.id)
    assert not page.note_form.isEnabled()
    assert "Written on the wrong family" in page.note_form.locked.text()

    page.tabs.setCurrentIndex(2)  # Consent
    model = page.consent_model
    page.consent_view.selectRow(
        next(r for r in range(model.rowCount()) if model.row_at(r).id == consent.id)
    )
    asked: list[Consent] = []
    page.withdraw_requested.connect(asked.append)
    page.withdraw_button.click()
    assert asked == []
    assert "Typed twice" in page.banner.text()
    assert "cannot be withdrawn" in page.banner.text()


def test_the_family_notice_banner_is_said_to_a_screen_reader(
    qtbot: QtBot,
    make_window: Callable[[Path], MainWindow],
    make_store: Callable[[int], Path],
    screen_reader_on: None,
) -> None:
    path = make_store(2)
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(f for f in store.list(Family) if f.status is not FamilyStatus.CLOSED)
        for consent in store.list(Consent, family_id=family.id):
            store.delete(consent)
    window = make_window(path)
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    banner = window.family_page.banner
    assert "No consent to assess is in force" in banner.text()
    said = [a for a in announcer().recent if a.source == "Family notices"]
    assert said
    assert "No consent to assess" in said[-1].text
    assert not said[-1].urgent
