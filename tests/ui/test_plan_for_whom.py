"""The Plan tab's goal says whom it is for (issue 18): a tick box for each family member on the
record, none recorded in error; reached with Tab and ticked with Space; kept in the store."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from db.plans import load_plans
from db.store import Store
from fmdesk.families import Person
from fmdesk.records import mark_in_error
from tests.conftest import TEST_PASSPHRASE
from tests.ui.test_plan_tab import GOAL, active_family, open_plan_tab, settled, type_into


def test_the_goal_is_for_the_members_ticked(qtbot, make_window, make_store) -> None:
    path = make_store(6)
    family = active_family(path)
    with Store.open(path, TEST_PASSPHRASE) as store:
        people = [p for p in store.list(Person, family_id=family.id) if p.in_household]
        assert len(people) >= 2
        marked = mark_in_error(
            people[-1], "Not this family", by="Test", at=dt.datetime(2026, 1, 5, 9, 0)
        )
        store.save(marked)
    live = people[:-1]
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    tab.header.start_button.click()
    qtbot.waitUntil(lambda: tab.goals.goal_model.rowCount() == 1)
    editor = tab.goals.goal_editor
    type_into(qtbot, editor.words, GOAL)
    qtbot.waitUntil(settled(tab))

    choice = editor.for_whom
    # One box per family member, none for the person recorded in error; none ticked is the
    # whole family, and says so.
    assert set(choice.boxes) == {p.id for p in live}
    assert {b.text() for b in choice.boxes.values()} == {p.display_name for p in live}
    assert choice.hint.text() == "None ticked: the whole family."
    assert choice.person_ids() == ()

    # From the outcome measures, Tab goes to the first member; Space ticks them.
    editor.measures.setFocus()
    qtbot.waitUntil(editor.measures.hasFocus)
    qtbot.keyClick(editor.measures, Qt.Key.Key_Tab)
    first_id, first = next(iter(choice.boxes.items()))
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert first.isChecked()
    qtbot.waitUntil(settled(tab))
    with Store.open(path, TEST_PASSPHRASE) as store:
        goal = load_plans(store, family.id).current.goals[0]
    assert goal.words == GOAL
    assert goal.for_people == (first_id,)
