"""Closing a case with things missing asks first and says what; a goal serves only the
problems of the family's framework; outcome evidence says what it shows."""

from PySide6.QtWidgets import QDialogButtonBox, QWidget

from db.plans import load_plans
from fmdesk.families import FamilyStatus
from fmdesk.outcomes import FrameworkLibrary
from tests.ui.test_drafts import answer, locked_store, while_open
from tests.ui.test_plan_tab import active_family, make_plan_with_two_actions, open_plan_tab, settled
from ui.record.outcomes.evidence import EvidenceDialog
from ui.record.plan.dialogs import CloseCaseDialog


def test_closing_with_what_changed_empty_and_open_actions_asks_saying_what_is_missing(
    qtbot, make_window, make_store
) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    make_plan_with_two_actions(qtbot, tab)
    qtbot.waitUntil(settled(tab))
    seen: dict[str, object] = {}

    def try_to_close(dialog: QWidget) -> None:
        assert isinstance(dialog, CloseCaseDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["missing"] = dialog.missing()
        answer("Go back")
        ok.click()
        seen["still open"] = dialog.isVisible()
        seen["said"] = dialog.problem.text()
        dialog.summary.setPlainText("Both children at school on time since October")
        seen["missing after"] = dialog.missing()
        answer("Close anyway")
        ok.click()

    while_open(CloseCaseDialog, try_to_close)
    tab.close_case()
    missing = seen["missing"]
    assert isinstance(missing, list)
    assert missing[0] == "Nothing is written under 'What changed'."
    assert "2 actions in the plan are not done or dropped" in missing[1]
    assert "'Set two alarms'" in missing[1]
    assert seen["still open"] is True
    assert "What changed" in str(seen["said"])
    assert len(seen["missing after"]) == 1  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: tab.plans is not None and tab.plans.family.is_read_only)
    with locked_store(qtbot, window, path) as store:
        plans = load_plans(store, family.id)
    assert plans.family.status is FamilyStatus.CLOSED
    assert plans.latest_closure is not None
    assert plans.latest_closure.summary == "Both children at school on time since October"


def test_a_goal_chooses_only_from_the_frameworks_problems(qtbot, make_window, make_store) -> None:
    path = make_store(3)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    make_plan_with_two_actions(qtbot, tab)
    editor = tab.goals.goal_editor
    offered = set(editor.problems.boxes)
    assert offered == set(tab.problem_names)  # nothing else can be ticked or typed
    assert "99" not in offered
    editor.problems.boxes["5"].click()
    qtbot.waitUntil(settled(tab))
    current = tab.plans.current if tab.plans else None
    assert current is not None
    assert current.goals[0].problems == ("2", "5")
    assert f"Helps with: {tab.problem_names['2']}; {tab.problem_names['5']}" in (
        editor.linked.text()
    )


def test_evidence_needs_what_it_shows(qtbot) -> None:
    framework = FrameworkLibrary.shipped().latest("supporting-families-2022")
    outcome = framework.problems[0].outcomes[0]
    dialog = EvidenceDialog(outcome)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.source.setCurrentText("School attendance report")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible()
    assert "Say what the evidence shows" in dialog.problem.text()
    dialog.description.setPlainText("Attendance 96% over the autumn and spring terms")
    ok.click()
    assert not dialog.isVisible()
    record = dialog.record(family_id="f1", outcome=outcome.code, recorded_by="Pat")
    assert record.description == "Attendance 96% over the autumn and spring terms"
