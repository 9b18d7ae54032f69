"""File → Definitions… lists and adds a council's definitions; the Assessment tab offers the
council's templates; a family the coordinator reassigned is read-only with the reason."""

import datetime as dt
import json
from pathlib import Path

import pytest

import ui.workspace.definitions
from db.assessments import add_template_file
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import Consent, ConsentKind, Family, FamilyStatus, Person, PersonRole
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.record.assessment.tab import AssessmentTab
from ui.record.outcomes.tab import OutcomesTab
from ui.record.plan.tab import PlanTab
from ui.window.main_window import MainWindow
from ui.workspace.definitions import DefinitionsDialog

SHIPPED = Path("fmdesk/definitions")


def council_template(folder: Path, name: str = "Anytown family CAF") -> Path:
    data = json.loads((SHIPPED / "templates" / "whole-family.json").read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown.family-caf", name
    data["sections"][2]["title"] = "Why we are meeting"
    path = folder / "anytown-caf.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def make_store(tmp_path: Path, *, template: bool = False, withdrawn: bool = False) -> Path:
    path = tmp_path / "store"
    store = Store.create(
        path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Pat Keyworker", kdf=KdfParams.fast()
    )
    family = Family(
        reference="FM-0042",
        name="Nowak family",
        status=FamilyStatus.ACTIVE,
        withdrawn_on=dt.date(2025, 7, 14) if withdrawn else None,
        withdrawn_reason="Pat is on long-term leave" if withdrawn else "",
    )
    carer = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Siobhán", family_name="Nowak"
    )
    consent = Consent(
        family_id=family.id,
        kind=ConsentKind.ASSESS,
        person_id=carer.id,
        given_on=dt.date(2025, 1, 6),
    )
    store.save(family, carer, consent)
    if template:
        files = tmp_path / "files"
        files.mkdir()
        add_template_file(store, council_template(files))
    store.close()
    return path


def assessment_tab(qtbot, window: MainWindow) -> AssessmentTab:
    unlock(qtbot, window)
    tab = next(t for t in window.family_page.feature_tabs if isinstance(t, AssessmentTab))
    family_id = window.caseload.model.rows()[0].family_id
    window.open_family(family_id, tab=window.family_page.tabs.indexOf(tab))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    return tab


def test_the_definitions_dialog_adds_a_council_file(
    qtbot, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr(
        ui.workspace.definitions, "show_error", lambda _parent, exc: errors.append(exc)
    )
    window = make_window(make_store(tmp_path))
    assert not window.definitions_action.isEnabled()  # locked: nothing to show
    unlock(qtbot, window)
    assert window.definitions_action.isEnabled()
    assert window.definitions_action in window.menuBar().actions()[0].menu().actions()
    dialog = window.show_definitions()
    assert isinstance(dialog, DefinitionsDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 5)  # 3 frameworks, 1 template, 1 star
    origins = {r.ref: r.origin for r in dialog.model.rows()}
    assert origins["fmdesk.whole-family@1"] == "Comes with fmdesk"

    broken = tmp_path / "our-star.json"
    data = json.loads((SHIPPED / "instruments" / "family-progress-star.json").read_text("utf-8"))
    data["id"], data["scale"] = "our-star", {"min": 1, "max": 0}
    broken.write_text(json.dumps(data), encoding="utf-8")
    dialog.add_file(broken)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert str(errors[0]) == "our-star.json: scale: max (0) must be above min (1)"
    assert dialog.model.rowCount() == 5

    files = tmp_path / "files"
    files.mkdir()
    good = council_template(files)
    dialog.add_file(good)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 6, timeout=10_000)
    assert dialog.message.text() == (
        "Added the assessment template Anytown family CAF (anytown.family-caf@1) from "
        "anytown-caf.json. This store keeps a copy."
    )
    added = next(r for r in dialog.model.rows() if r.ref == "anytown.family-caf@1")
    assert added.origin.startswith("Council: anytown-caf.json, added ")
    assert added.origin.endswith("by Pat Keyworker")
    dialog.grab().save(str(tmp_path / "definitions.png"))
    assert errors == [errors[0]]
    dialog.close()


def test_the_assessment_tab_offers_the_council_template_first(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(make_store(tmp_path, template=True))
    tab = assessment_tab(qtbot, window)
    qtbot.waitUntil(lambda: tab.template_combo.count() == 2)
    assert tab.template_combo.isVisible()
    assert [tab.template_combo.itemText(i) for i in range(2)] == [
        "Anytown family CAF (council)",
        "Whole-family assessment",
    ]
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.flow.is_open)
    assert tab.flow.draft is not None
    assert tab.flow.draft.template == "anytown.family-caf@1"
    assert "Why we are meeting" in [s.title for s in tab.flow.step_model.steps()]
    tab.show_list()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.index(0, 0).data() == "Anytown family CAF"
    # fmdesk's own is still there to choose.
    tab.template_combo.setCurrentIndex(1)
    tab.template_combo.activated.emit(1)  # as a choice made with the mouse or keys
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.flow.is_open and tab.flow.draft.template == "fmdesk.whole-family@1")


def test_with_only_our_template_there_is_no_choice_to_make(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(make_store(tmp_path))
    tab = assessment_tab(qtbot, window)
    assert tab.template_combo.isHidden()
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.flow.is_open)
    assert tab.flow.draft.template == "fmdesk.whole-family@1"


def test_a_reassigned_family_is_read_only_and_says_why(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window(make_store(tmp_path, withdrawn=True))
    tab = assessment_tab(qtbot, window)
    said = (
        "Reassigned to another practitioner by the coordinator on 14 July 2025: "
        "Pat is on long-term leave"
    )
    reassigned = "This family was reassigned to another practitioner on 14 July 2025"
    assert not tab.start_button.isEnabled()
    assert tab.notice.text().startswith(f"{reassigned}: its assessments can be read, not changed.")
    page = window.family_page
    assert page.banner.text().startswith(said + ". It can be read here, not changed")
    assert page.read_only
    assert not page.new_note_button.isEnabled()
    # Not "closed": neither Change status nor the Plan tab offers to reopen or close it.
    assert not page.status_button.isEnabled()
    plan = next(t for t in page.feature_tabs if isinstance(t, PlanTab))
    page.tabs.setCurrentWidget(plan)
    qtbot.waitUntil(lambda: plan.plans is not None)
    assert plan.header.notices.text().startswith(f"{reassigned}, so the plan is read-only.")
    assert "closed" not in plan.header.notices.text()
    assert not plan.header.reopen_button.isVisibleTo(plan)
    assert not plan.header.close_button.isVisibleTo(plan)
    outcomes = next(t for t in page.feature_tabs if isinstance(t, OutcomesTab))
    page.tabs.setCurrentWidget(outcomes)
    qtbot.waitUntil(
        lambda: f"{reassigned}: its outcomes can be read" in outcomes.summary.notice.text()
    )
    window.grab().save(str(tmp_path / "withdrawn.png"))
