"""The Plan tab as a keyworker uses it: a plan with a goal and two actions, a review that makes a
new version and says what changed, the plan saved as a PDF, a TAF meeting, closing the case; a
council's own framework names its problems in the tab."""

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from db.keyslots import KdfParams
from db.library import add_definition_file
from db.outcomes import attach_family_framework
from db.plans import close_case, load_plans, save_plan_version
from db.store import Store
from fmdesk.closure import ClosureSummary, OutcomeAtClosure, OutcomeResult
from fmdesk.definition import DefinitionKind
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import ActionStatus, PlanGoal, first_plan
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.print_preview import PrintPreviewDialog
from ui.record.plan.dialogs import (
    CloseCaseDialog,
    MeetingDialog,
    MemberDialog,
    NewVersionDialog,
    PdfOptionsDialog,
)
from ui.record.plan.editors import AGENCY_OWNER
from ui.record.plan.tab import PlanTab
from ui.window.main_window import MainWindow

GOAL = "Kids at school on time every day"


def active_family(path: Path) -> Family:
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(f for f in store.list(Family) if f.status is FamilyStatus.ACTIVE)
        assert not load_plans(store, family.id).versions
        # Under the national framework, whose problems a goal is chosen from.
        if not family.framework:
            family = attach_family_framework(store, family.id, "supporting-families-2022@1")
    return family


def open_plan_tab(qtbot, window: MainWindow, family: Family) -> PlanTab:
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    tab = next(t for t in window.family_page.feature_tabs if isinstance(t, PlanTab))
    window.family_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.plans is not None and tab.plans.family.id == family.id)
    return tab


def settled(tab: PlanTab) -> Callable[[], bool]:
    """Nothing typed is waiting and every save has been written."""
    editors = (
        tab.goals.goal_editor,
        tab.goals.action_editor,
        tab.team.member_form,
        tab.team.meeting_form,
    )
    return lambda: not any(e.dirty for e in editors) and not tab.runner.busy


def type_into(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def preview_shown(qtbot, title: str) -> PrintPreviewDialog:
    """The print preview that opened, once it has drawn its pages."""

    def shown() -> PrintPreviewDialog | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, PrintPreviewDialog) and w.isVisible() and title in w.windowTitle()
            ),
            None,
        )

    qtbot.waitUntil(lambda: shown() is not None and shown().preview.pageCount() > 0, timeout=20_000)
    dialog = shown()
    assert dialog is not None
    return dialog


def pdf_options(monkeypatch: pytest.MonkeyPatch, marking: str = "", password: str = "") -> None:
    """Answer the marking and password question (leaving the marking as offered when blank)."""

    def answer(dialog: PdfOptionsDialog) -> int:
        if marking:
            dialog.marking.setCurrentText(marking)
        dialog.password.setText(password)
        dialog.again.setText(password)
        dialog.buttons.accepted.emit()  # through the dialog's own check
        return dialog.result()

    monkeypatch.setattr(PdfOptionsDialog, "exec", answer)


def save_pdf_to(monkeypatch: pytest.MonkeyPatch, path: Path, password: str = "") -> None:
    """Answer the save dialog with `path` and the password question with `password`."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    pdf_options(monkeypatch, password=password)


def make_plan_with_two_actions(qtbot, tab: PlanTab) -> None:
    tab.header.start_button.click()
    qtbot.waitUntil(lambda: tab.goals.goal_model.rowCount() == 1)
    type_into(qtbot, tab.goals.goal_editor.words, GOAL)
    tab.goals.goal_editor.problems.boxes["2"].click()
    qtbot.waitUntil(settled(tab))

    tab.goals.add_action_button.click()
    qtbot.waitUntil(lambda: tab.goals.action_model.rowCount() == 1)
    type_into(qtbot, tab.goals.action_editor.what, "Set two alarms")
    qtbot.waitUntil(settled(tab))

    tab.goals.add_action_button.click()
    qtbot.waitUntil(lambda: tab.goals.action_model.rowCount() == 2)
    editor = tab.goals.action_editor
    type_into(qtbot, editor.what, "Breakfast club place")
    editor.who.setCurrentIndex(editor.who.findData(AGENCY_OWNER))
    type_into(qtbot, editor.agency, "Riverside Primary")
    type_into(qtbot, editor.worker, "Ms Patel")
    qtbot.waitUntil(settled(tab))


def test_plan_review_pdf_and_closing(
    qtbot,
    qtmodeltester,
    make_window,
    make_store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    assert "There is no plan yet" in tab.header.notices.text()

    make_plan_with_two_actions(qtbot, tab)
    assert tab.goals.goal_model.index(0, 0).data() == GOAL
    whats = [tab.goals.action_model.index(r, 0).data() for r in range(2)]
    assert whats == ["Set two alarms", "Breakfast club place"]
    assert tab.goals.action_model.index(1, 1).data() == "Ms Patel (Riverside Primary)"
    assert "Plan version 1" in tab.header.summary.text()

    # A review: a new version, then the first action is marked done in it.
    monkeypatch.setattr(NewVersionDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    tab.header.new_version_button.click()
    qtbot.waitUntil(lambda: tab.versions.version_model.rowCount() == 2)
    assert "Plan version 2" in tab.header.summary.text()
    tab.goals.actions_view.selectRow(0)
    qtbot.waitUntil(
        lambda: (
            tab.goals.action_editor.item is not None
            and tab.goals.action_editor.item.what == "Set two alarms"
        )
    )
    status = tab.goals.action_editor.status
    status.setCurrentIndex(status.findData(ActionStatus.DONE))
    qtbot.waitUntil(settled(tab))
    tab.sections.setCurrentIndex(1)
    assert "from version 1 to version 2" in tab.versions.changes_heading.text()
    changes = tab.versions.changes.toPlainText()
    assert "Action “Set two alarms”: not started → done." in changes
    assert "Breakfast club place" not in changes  # unchanged actions are not listed

    # Save the plan as a password-protected PDF, marked OFFICIAL.
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(tmp_path / "our plan"), "PDF files (*.pdf)"),
    )
    pdf_options(monkeypatch, marking="OFFICIAL", password="kite harbour")
    tab.header.pdf_button.click()
    pdf_path = tmp_path / "our plan.pdf"
    qtbot.waitUntil(pdf_path.exists, timeout=20_000)
    reader = PdfReader(pdf_path)
    assert reader.is_encrypted
    assert reader.decrypt("kite harbour") != 0
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert GOAL in text
    assert "Set two alarms" in text
    assert "Breakfast club place" in text
    assert "Version 2, agreed on" in text
    for page in reader.pages:
        assert page.extract_text().count("OFFICIAL") == 2  # top and foot
        assert "OFFICIAL-SENSITIVE" not in page.extract_text()

    # Print: the same plan in the print preview, every page of it, ready to print.
    tab.header.print_button.click()
    preview = preview_shown(qtbot, f"Family plan – {family.name}")
    assert preview.preview.pageCount() == len(reader.pages)
    preview.grab().save(str(tmp_path / "plan preview.png"))
    preview.reject()
    qtbot.waitUntil(lambda: not preview.isVisible())

    for model in (tab.goals.goal_model, tab.goals.action_model, tab.versions.version_model):
        qtmodeltester.check(model)

    # Close the case with its closing summary; the plan becomes read-only.
    def fill_closing(dialog: CloseCaseDialog) -> int:
        code, result, note = dialog.outcomes[0]
        assert code == "2"
        result.setCurrentIndex(result.findData(OutcomeResult.ACHIEVED))
        note.setText("Attendance over 95% for two terms")
        dialog.support[0][0].setText("Hillside Family Hub")
        dialog.moving_on.setPlainText("Mornings are calm now – we’ve got this.")
        assert "not done or dropped" in dialog.warnings.text()  # one action still open
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CloseCaseDialog, "exec", fill_closing)
    tab.header.close_button.click()
    qtbot.waitUntil(lambda: tab.plans is not None and tab.plans.family.is_read_only, timeout=10_000)
    assert "closed" in tab.header.notices.text()
    assert not tab.goals.goal_editor.isEnabled()
    assert not tab.goals.action_editor.isEnabled()
    for button in (
        tab.goals.add_goal_button,
        tab.goals.add_action_button,
        tab.goals.remove_action_button,
        tab.header.new_version_button,
        tab.header.meeting_button,
        tab.team.add_member_button,
    ):
        assert not button.isEnabled(), button.text()
    assert tab.header.close_button.isHidden()
    assert tab.header.reopen_button.isVisible()
    assert tab.header.reopen_button.isEnabled()
    assert tab.header.pdf_button.isEnabled()  # a closed plan can still be printed
    assert "Mornings are calm now" in tab.closing.closure_text.text()
    # The family page reads the family in a job of its own, queued after the plan's read.
    qtbot.waitUntil(lambda: "Closed" in window.family_page.title.text())

    # The closing summary prints and saves.
    tab.closing.print_closure_button.click()
    preview = preview_shown(qtbot, f"Closing summary – {family.name}")
    preview.reject()
    save_pdf_to(monkeypatch, tmp_path / "closing.pdf")
    tab.closing.closure_pdf_button.click()
    qtbot.waitUntil((tmp_path / "closing.pdf").exists, timeout=20_000)
    closing = " ".join(p.extract_text() for p in PdfReader(tmp_path / "closing.pdf").pages)
    assert "Mornings are calm now" in closing
    assert "Hillside Family Hub" in closing

    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        record = load_plans(store, family.id)
        assert record.family.status is FamilyStatus.CLOSED
        assert [v.version for v in record.versions] == [1, 2]
        first, second = record.versions
        assert [a.status for a in first.actions] == [ActionStatus.NOT_STARTED] * 2
        assert [a.status for a in second.actions] == [ActionStatus.DONE, ActionStatus.NOT_STARTED]
        [summary] = store.list(ClosureSummary, family_id=family.id)
        assert summary.outcomes[0].result is OutcomeResult.ACHIEVED
        assert summary.continuing_support[0].service == "Hillside Family Hub"
        assert summary.moving_on == "Mornings are calm now – we’ve got this."


def test_a_taf_meeting_makes_a_new_version_and_a_reopened_case_is_editable(
    qtbot,
    qtmodeltester,
    make_window,
    make_store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    tab.header.start_button.click()
    qtbot.waitUntil(lambda: tab.goals.goal_model.rowCount() == 1)
    qtbot.waitUntil(settled(tab))

    def fill_member(dialog: MemberDialog) -> int:
        dialog.name.setText("Siobhán Kelly")
        dialog.role.setText("School nurse")
        dialog.agency.setText("Community health")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MemberDialog, "exec", fill_member)
    tab.team.add_member_button.click()
    qtbot.waitUntil(lambda: tab.team.member_model.rowCount() == 1)
    qtbot.waitUntil(settled(tab))

    def fill_meeting(dialog: MeetingDialog) -> int:
        for box, _kind, _ident in dialog.came:
            box.setChecked(True)
        dialog.decisions.setPlainText("Keep the breakfast club\nMeet again in six weeks")
        assert dialog.makes_version.isChecked()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MeetingDialog, "exec", fill_meeting)
    tab.header.meeting_button.click()
    qtbot.waitUntil(
        lambda: (
            tab.team.meeting_model.rowCount() == 1 and tab.versions.version_model.rowCount() == 2
        )
    )
    assert tab.team.meeting_model.index(0, 5).data() == "Version 2"
    assert "TAF meeting 1" in tab.header.summary.text()
    assert "Siobhán Kelly" in tab.team.meeting_details.text()
    assert "Keep the breakfast club" in tab.team.meeting_details.text()
    for model in (tab.team.member_model, tab.team.meeting_model):
        qtmodeltester.check(model)

    # The meeting's record prints and saves, with a password when one is given.
    pdf_options(monkeypatch)
    tab.team.print_meeting_button.click()
    preview = preview_shown(qtbot, f"TAF meeting 1 – {family.name}")
    preview.reject()
    save_pdf_to(monkeypatch, tmp_path / "meeting", password="plum tree")
    tab.team.meeting_pdf_button.click()
    record = tmp_path / "meeting.pdf"
    qtbot.waitUntil(record.exists, timeout=20_000)
    reader = PdfReader(record)
    assert reader.is_encrypted
    assert reader.decrypt("plum tree") != 0
    words = " ".join(p.extract_text() for p in reader.pages)
    assert "Team Around the Family meeting 1" in words
    assert "Siobhán Kelly" in words
    assert "Keep the breakfast club" in words
    assert "Changes to the plan" in words

    # Close with the least the dialog allows, then reopen with a reason.
    monkeypatch.setattr(CloseCaseDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    tab.header.close_button.click()
    qtbot.waitUntil(lambda: tab.plans is not None and tab.plans.family.is_read_only, timeout=10_000)
    assert not tab.goals.add_goal_button.isEnabled()

    from ui.record.plan.dialogs import ReopenDialog

    def fill_reopen(dialog: ReopenDialog) -> int:
        dialog.reason.setPlainText("School raised new worries")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReopenDialog, "exec", fill_reopen)
    tab.header.reopen_button.click()
    qtbot.waitUntil(
        lambda: tab.plans is not None and not tab.plans.family.is_read_only, timeout=10_000
    )
    assert tab.goals.add_goal_button.isEnabled()
    assert tab.goals.goal_editor.isEnabled()
    assert "reopened since" in tab.closing.closure_text.text()


def test_pdf_options_need_a_marking_and_the_same_password_twice(qtbot) -> None:
    dialog = PdfOptionsDialog("Save the plan", "OFFICIAL-SENSITIVE", password=True)
    qtbot.addWidget(dialog)
    assert dialog.values() == ("OFFICIAL-SENSITIVE", None)  # no password unless one is typed
    dialog.password.setText("kite harbour")
    dialog.again.setText("kite harbor")
    dialog.buttons.accepted.emit()
    assert "not the same" in dialog.problem.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.again.setText("kite harbour")
    dialog.marking.setCurrentText("  ")
    dialog.buttons.accepted.emit()
    assert "protective marking" in dialog.problem.text()
    dialog.marking.setCurrentText("OFFICIAL")
    dialog.buttons.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values() == ("OFFICIAL", "kite harbour")

    printing = PdfOptionsDialog("Print the plan", "OFFICIAL", password=False)
    qtbot.addWidget(printing)
    assert not printing.password.isVisibleTo(printing)
    assert printing.marking.currentText() == "OFFICIAL"


def test_locking_closes_the_print_preview(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview shows the family's plan, so it goes when the store locks."""
    path = make_store(6)
    family = active_family(path)
    window = make_window(path)
    tab = open_plan_tab(qtbot, window, family)
    make_plan_with_two_actions(qtbot, tab)
    pdf_options(monkeypatch)
    tab.header.print_button.click()
    preview = preview_shown(qtbot, f"Family plan – {family.name}")
    closed: list[int] = []
    preview.finished.connect(closed.append)
    window.lock()
    assert closed
    assert not preview.isVisible()
    assert window.pages.currentWidget() is window.unlock_page


def test_a_council_framework_names_its_problems_in_the_tab(
    qtbot, make_window, tmp_path: Path
) -> None:
    """The names come from the store's definitions, so a council's own framework shows its
    words (not bare codes) in the goal editor and the closing summary."""
    council_name = "Ready for school in Anytown"
    shipped = Path("fmdesk/definitions/frameworks/supporting-families-2022.json")
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown-outcomes", "Anytown outcomes plan"
    next(p for p in data["problems"] if p["code"] == "2")["name"] = council_name
    framework_file = tmp_path / "anytown-outcomes.json"
    framework_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    path = tmp_path / "store"
    store = Store.create(
        path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Pat Keyworker", kdf=KdfParams.fast()
    )
    add_definition_file(store, DefinitionKind.FRAMEWORK, framework_file)
    family = Family(
        reference="FM-2025-0201",
        name="Okafor family",
        status=FamilyStatus.ACTIVE,
        framework="anytown-outcomes@1",
    )
    mum = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Adaeze", family_name="Okafor"
    )
    store.save(family, mum)
    start = dt.date(2025, 2, 3)
    goal = PlanGoal(words="Zara starts nursery in September", problems=("2",))
    save_plan_version(store, first_plan(family.id, made_on=start, goals=[goal]))
    close_case(
        store,
        family.id,
        on=start + dt.timedelta(weeks=20),
        reason=ClosureReason.NEEDS_MET,
        outcomes=[OutcomeAtClosure(problem="2", result=OutcomeResult.SOME_PROGRESS)],
    )
    store.close()

    tab = open_plan_tab(qtbot, make_window(path), family)
    assert tab.problem_names["2"] == council_name
    assert tab.goals.goal_editor.linked.text() == f"Helps with: {council_name}"
    assert f"{council_name}: Some progress" in tab.closing.closure_text.text()
