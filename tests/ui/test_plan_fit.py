"""At 1366×768 the Plan tab's goal and action editors give every field the height it needs: a
wrapped "Helps with" line inside the Plan's sections squashed What, Who, By when and Status."""

from PySide6.QtWidgets import QFormLayout, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from tests.ui.test_plan_tab import active_family, make_plan_with_two_actions, open_plan_tab, settled
from ui.kit.widgets import ScrollingTabs, WrappedLabel

LONG_GOAL = (
    "Both children at school on time every day, Mum back at work part-time, and the family "
    "settled in their new flat with the rent paid and the debts in hand"
)


def test_the_action_editor_fields_get_their_height_at_1366x768(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    window.resize(1366, 768)
    tab = open_plan_tab(qtbot, window, family)
    make_plan_with_two_actions(qtbot, tab)
    editor = tab.goals.goal_editor
    for code in list(editor.problems.boxes)[:6]:  # a goal serving many problems: a long line
        if not editor.problems.boxes[code].isChecked():
            editor.problems.boxes[code].click()
    editor.words.setPlainText(LONG_GOAL)
    qtbot.waitUntil(settled(tab))
    tab.goals.actions_view.selectRow(0)
    qtbot.waitUntil(lambda: tab.goals.action_editor.item is not None)
    qtbot.wait(50)  # let the layouts settle (not a sync: the check below does not depend on it)
    assert editor.linked.text().startswith("Helps with")
    assert editor.linked.height() >= editor.linked.heightForWidth(editor.linked.width())

    action = tab.goals.action_editor
    fields: list[QWidget] = [action.what, action.who, action.by_when, action.status]
    squashed = {
        f.accessibleName(): (f.height(), f.sizeHint().height())
        for f in [*fields, editor.problems, editor.measures]
        if f.isVisible() and f.height() < f.sizeHint().height()
    }
    assert squashed == {}


def test_a_wrapped_line_in_tabs_inside_scrolling_tabs_makes_the_page_scroll(qtbot) -> None:
    """The kit's part: a page in ScrollingTabs holding tabs (as the Plan holds its sections)
    whose form has a long wrapped line scrolls rather than squashing the fields under it."""
    outer = ScrollingTabs()
    qtbot.addWidget(outer)
    sections = QTabWidget()
    form_page = QWidget()
    form = QFormLayout(form_page)
    line = WrappedLabel("Helps with: " + "; ".join(f"problem {n} of the family" for n in range(40)))
    form.addRow(line)
    edits = [QLineEdit() for _ in range(4)]
    for n, edit in enumerate(edits):
        edit.setAccessibleName(f"Field {n}")
        form.addRow(f"Field {n}:", edit)
    sections.addTab(form_page, "Goals and actions")
    page = QWidget()
    QVBoxLayout(page).addWidget(sections)
    outer.addTab(page, "Plan")
    outer.resize(420, 260)
    outer.show()
    qtbot.waitExposed(outer)
    qtbot.waitUntil(lambda: line.height() >= line.heightForWidth(line.width()) > 60)
    assert [e.height() >= e.sizeHint().height() for e in edits] == [True] * 4
