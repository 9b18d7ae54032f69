"""Mistakes on a form are put right, never lost or kept silently: an invalid person form keeps
the user on it with every edit; dates are real days, dates of things that happened are not in the
future, a new person has no date of birth, and an unusual age for the role is asked about."""

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox

from db.store import Store
from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from tests.ui.test_drafts import answer, locked_store, shown
from ui.kit.forms import OptionalDateEdit
from ui.record.dialogs import ConsentDialog
from ui.window.main_window import MainWindow


def family_with_two_adults(path: Path) -> tuple[Family, list[Person]]:
    with Store.open(path, TEST_PASSPHRASE) as store:
        for family in store.list(Family):
            people = sorted(
                (p for p in store.list(Person) if p.family_id == family.id and not p.deleted),
                key=lambda p: p.given_name,
            )
            if family.status is not FamilyStatus.CLOSED and len(people) >= 2:
                return family, people
    raise AssertionError("the demo caseload has a family of two or more")


def household(qtbot, window: MainWindow, family: Family) -> None:
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.family_page.record is not None)
    window.family_page.tabs.setCurrentIndex(1)


def choose(qtbot, window: MainWindow, person_id: str) -> None:
    page = window.family_page
    row = next(r for r, p in enumerate(page.people_model.rows()) if p.id == person_id)
    page.people_view.selectRow(row)


def test_an_invalid_person_form_keeps_the_user_on_it_with_the_other_edits(
    qtbot, make_window, make_store
) -> None:
    path = make_store(4)
    family, (first, second, *_) = family_with_two_adults(path)
    window = make_window(path)
    household(qtbot, window, family)
    page = window.family_page
    form = page.person_form
    choose(qtbot, window, first.id)
    qtbot.waitUntil(lambda: form.record is not None and form.record.id == first.id)

    given = form.editor("given_name")
    relationship = form.editor("relationship")
    assert isinstance(given, QLineEdit)
    assert isinstance(relationship, QLineEdit)
    given.setFocus()
    given.selectAll()
    given.del_()
    given.textEdited.emit("")
    relationship.setFocus()
    relationship.selectAll()
    qtbot.keyClicks(relationship, "Stepmother")
    choose(qtbot, window, second.id)  # click another person

    # Still on the first person, the relationship as typed, and the problem said.
    qtbot.waitUntil(lambda: page.people_view.currentIndex().row() >= 0)
    qtbot.waitUntil(
        lambda: page.people_model.rows()[page.people_view.currentIndex().row()].id == first.id
    )
    assert form.record is not None
    assert form.record.id == first.id
    assert relationship.text() == "Stepmother"
    assert "needs a name" in form.problem.text()
    assert "what you typed is kept" in form.problem.text()

    qtbot.keyClicks(given, "Dani")
    given.textEdited.emit("Dani")
    form.flush()
    assert form.problem.text() == ""
    choose(qtbot, window, second.id)
    qtbot.waitUntil(lambda: form.record is not None and form.record.id == second.id)
    with locked_store(qtbot, window, path) as store:
        saved = store.get(Person, first.id)
    assert saved is not None
    assert (saved.given_name, saved.relationship) == ("Dani", "Stepmother")


def test_a_new_person_has_no_date_of_birth_and_an_unusual_age_is_asked_about(
    qtbot, make_window, make_store
) -> None:
    path = make_store(4)
    family, people = family_with_two_adults(path)
    adult = next(p for p in people if p.date_of_birth is not None)
    window = make_window(path)
    household(qtbot, window, family)
    page = window.family_page
    form = page.person_form
    choose(qtbot, window, adult.id)
    qtbot.waitUntil(lambda: form.record is not None and form.record.id == adult.id)

    page.add_child_button.click()
    qtbot.waitUntil(lambda: any(p.given_name == "New child" for p in page.people_model.rows()))
    child = next(p for p in page.people_model.rows() if p.given_name == "New child")
    choose(qtbot, window, child.id)
    qtbot.waitUntil(lambda: form.record is not None and form.record.id == child.id)
    born = form.editor("date_of_birth")
    assert isinstance(born, OptionalDateEdit)
    assert born.value() is None
    born.known.setChecked(True)  # ticking Known starts from today, not the adult's date
    assert born.value() == dt.date.today() != adult.date_of_birth

    # The mother's 1989 date typed for the child: asked first; "Change it" puts back what the
    # record holds (no date yet) rather than keeping it.
    answer("Change it")
    born.edit.setDate(QDate(1989, 5, 4))
    form.flush()
    assert born.value() is None
    born.known.setChecked(True)
    born.edit.setDate(QDate(2011, 5, 4))  # 15: usual for a child, nothing asked
    form.flush()
    assert shown(QMessageBox) is None
    assert form.problem.text() == ""
    with locked_store(qtbot, window, path) as store:
        saved = store.get(Person, child.id)
    assert saved is not None
    assert saved.date_of_birth == dt.date(2011, 5, 4)
    assert saved.role is PersonRole.CHILD


def test_consent_dated_ahead_or_on_an_impossible_day_is_refused_in_words(qtbot) -> None:
    dialog = ConsentDialog([], None)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    ahead = dt.date.today() + dt.timedelta(days=365)
    dialog.given.set_day(ahead)
    ok.click()
    assert dialog.isVisible()
    assert "cannot be in the future" in dialog.problem.text()

    dialog.given.set_day(dt.date(2025, 1, 10))
    dialog.given.setFocus()
    dialog.given.setSelectedSection(dialog.given.Section.DaySection)
    qtbot.keyClicks(dialog.given, "3102")
    assert dialog.given.lineEdit().text() == "31/02/2025"  # as typed, not made 28/02
    ok.click()
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "31/02/2025 is not a date: February 2025 has 28 days. Type the date again."
    )

    dialog.given.setSelectedSection(dialog.given.Section.DaySection)
    qtbot.keyClicks(dialog.given, "2802")
    ok.click()
    assert not dialog.isVisible()
    assert dialog.values()[2] == dt.date(2025, 2, 28)
