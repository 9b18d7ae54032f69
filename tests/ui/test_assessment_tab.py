"""The guided whole-family assessment, as a practitioner walks it with a family of five."""

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPlainTextEdit

from db.assessments import load_assessments
from db.keyslots import KdfParams
from db.library import add_definition_file
from db.store import Store
from fmdesk.assessment import Assessment, AssessmentState, SectionKind
from fmdesk.definition import DefinitionKind
from fmdesk.families import (
    ClosureReason,
    Consent,
    ConsentKind,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
)
from fmdesk.outcomes import FamilyOutcomeData, FrameworkLibrary, eligibility
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import RowTableModel
from ui.record.assessment import flow as assessment_flow
from ui.record.assessment.flow import AssessmentFlow, StepListModel, StepState, step_states
from ui.record.assessment.steps import (
    AgenciesPage,
    ComboEditor,
    IndicatorsPage,
    QuestionsPage,
    StrengthsNeedsEditor,
    TextEditor,
)
from ui.record.assessment.tab import ASSESSMENT_COLUMNS, AssessmentTab, make_rows
from ui.window.main_window import MainWindow

FRAMEWORK = "families-matter@2015.1"
ZOE_VIEWS = (
    "I like it when Dad walks me to school.\nI don't like it when they shout — it's scary & loud."
)
KACPER_VIEWS = "Football on Saturdays <3\nMaja takes my Lego."


def household(family: Family) -> list[Person]:
    def person(role: PersonRole, given: str, born: dt.date, **more: object) -> Person:
        return Person(
            family_id=family.id,
            role=role,
            given_name=given,
            family_name="Nowak",
            date_of_birth=born,
            **more,
        )  # type: ignore[arg-type]

    return [
        person(PersonRole.PARENT_CARER, "Siobhán", dt.date(1988, 1, 2), relationship="Mother"),
        person(PersonRole.PARENT_CARER, "Łukasz", dt.date(1985, 5, 6), relationship="Father"),
        person(PersonRole.CHILD, "Zoë", dt.date(2014, 3, 3), school="Hillside Primary"),
        person(PersonRole.CHILD, "Kacper", dt.date(2017, 8, 9), school="Hillside Primary"),
        person(PersonRole.CHILD, "Maja", dt.date(2021, 1, 1)),
    ]


@pytest.fixture
def family_store(tmp_path: Path) -> Callable[..., tuple[Path, Family, list[Person]]]:
    """A store holding the Nowak family of five (two adults, three children)."""

    def make(*, consent: bool = True, closed: bool = False) -> tuple[Path, Family, list[Person]]:
        path = tmp_path / "store"
        store = Store.create(
            path,
            TEST_PASSPHRASE,
            role=Role.PRACTITIONER,
            name="Pat Keyworker",
            kdf=KdfParams.fast(),
        )
        family = Family(
            reference="FM-2026-0042",
            name="Nowak family",
            status=FamilyStatus.CLOSED if closed else FamilyStatus.ACTIVE,
            closure_reason=ClosureReason.NEEDS_MET if closed else None,
            framework=FRAMEWORK,
        )
        people = household(family)
        records: list = [family, *people]
        if consent:
            records.append(
                Consent(
                    family_id=family.id,
                    kind=ConsentKind.ASSESS,
                    person_id=people[0].id,
                    given_on=dt.date(2025, 1, 6),
                )
            )
        store.save(*records)
        store.close()
        return path, family, people

    return make


def open_tab(qtbot, window: MainWindow, family: Family) -> AssessmentTab:
    unlock(qtbot, window)
    tab = next(t for t in window.family_page.feature_tabs if isinstance(t, AssessmentTab))
    window.open_family(family.id, tab=window.family_page.tabs.indexOf(tab))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert window.family_page.tabs.currentWidget() is tab
    return tab


def start(qtbot, tab: AssessmentTab) -> AssessmentFlow:
    assert tab.start_button.isEnabled()
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.flow.is_open and tab.stack.currentWidget() is tab.flow)
    return tab.flow


def stored(path: Path, family: Family) -> list[Assessment]:
    with Store.open(path, TEST_PASSPHRASE) as store:
        return load_assessments(store, family.id)


def go_to_step(qtbot, flow: AssessmentFlow, title: str) -> None:
    """Click the step in the sidebar, as the practitioner would."""
    titles = [s.title for s in flow.step_model.steps()]
    row = titles.index(title)
    rect = flow.step_view.visualRect(flow.step_model.index(row))
    flow.step_view.scrollTo(flow.step_model.index(row))
    rect = flow.step_view.visualRect(flow.step_model.index(row))
    qtbot.mouseClick(flow.step_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert flow.page is not None
    assert flow.page.step.title == title


def answer_required(page: QuestionsPage, words: str) -> None:
    for editor in page.editors.values():
        if editor.element.required and isinstance(editor, TextEditor):
            assert isinstance(editor.edit, QPlainTextEdit)
            editor.edit.setPlainText(words)


def test_a_whole_assessment_for_a_family_of_five(
    qtbot, make_window, family_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, family, people = family_store()
    zoe, kacper = people[2], people[3]
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    assert not tab.notice.isVisible()
    flow = start(qtbot, tab)

    titles = [s.title for s in flow.step_model.steps()]
    for name in ("Zoë", "Kacper", "Maja"):
        assert f"How the child is growing and developing — {name}" in titles
        assert f"Child's views — {name}" in titles
    for name in ("Siobhán", "Łukasz"):
        assert f"Parenting — {name}" in titles
        assert f"Parent's or carer's views — {name}" in titles
    assert flow.step_model.state(0) is StepState.FROM_RECORD  # consent, from the record
    assert flow.step_model.state(1) is StepState.FROM_RECORD  # who lives in the home
    assert flow.page is not None
    assert flow.page.step.section.kind is SectionKind.CONSENT

    # Walk every step with the Next button (and its shortcut), answering as we go.
    visited = []
    while True:
        page = flow.page
        assert page is not None
        step = page.step
        visited.append(step.title)
        if isinstance(page, QuestionsPage):
            if step.section.id == "child_views":
                views = {zoe.id: ZOE_VIEWS, kacper.id: KACPER_VIEWS}.get(
                    step.person_id, "She smiled and pointed at the swings."
                )
                answer_required(page, views)
            elif step.section.id == "reason":
                box = page.editors["what_led_here"]
                assert isinstance(box, TextEditor)
                box.edit.setFocus()
                qtbot.keyClicks(box.edit, "School raised worries about attendance")
                asked = page.editors["asked_for_by"]
                assert isinstance(asked, ComboEditor)
                asked.combo.setCurrentIndex(asked.combo.findData("school"))
            else:
                answer_required(page, "Talked through together at home.")
            learning = page.editors.get("learning")
            if isinstance(learning, StrengthsNeedsEditor) and step.person_id == zoe.id:
                learning.needs.setPlainText("Late most mornings")
                learning.rating.setCurrentIndex(learning.rating.findData("2"))
        elif isinstance(page, IndicatorsPage):
            for code, person in (("1A", kacper), ("2A", zoe)):
                page.code.setCurrentIndex(page.code.findData(code))
                page.about.setCurrentIndex(page.about.findData(person.id))
                page.evidence.setText("School register")
                page.tick_button.click()
            assert page.model.rowCount() == 2
            assert "eligible: 2 of 6 problems" in page.eligibility.text()
        elif isinstance(page, AgenciesPage):
            page.agency.setText("Hillside Primary School")
            page.worker.setText("Mrs Ng")
            page.add_button.click()
            assert page.model.rowCount() == 1
        if not flow.next_button.isEnabled():
            break
        if len(visited) % 2:
            flow.next_button.click()
        else:
            qtbot.keyClick(flow, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert visited == titles
    assert flow.missing_model.rowCount() == 0
    states = [flow.step_model.state(r) for r in range(flow.step_model.rowCount())]
    assert StepState.REQUIRED not in states
    assert states[titles.index("Child's views — Maja")] is StepState.DONE

    monkeypatch.setattr(assessment_flow, "confirm_completion", lambda parent: True)
    flow.complete_button.click()
    assert flow.read_only
    assert "can no longer be changed" in flow.banner.text()
    qtbot.waitUntil(lambda: not window.runner.busy)

    (done,) = stored(path, family)
    assert done.state is AssessmentState.COMPLETED
    assert done.completed_by == "Pat Keyworker"
    assert done.answer("child_views", "views", zoe.id).text == ZOE_VIEWS
    assert done.answer("child_development", "learning", zoe.id).rating == 2
    assert done.answer("reason", "asked_for_by").choice == "school"
    assert {(t.code, t.person_id) for t in done.indicators} == {("1A", kacper.id), ("2A", zoe.id)}
    framework = FrameworkLibrary.shipped().get(FRAMEWORK)
    with Store.open(path, TEST_PASSPHRASE) as store:
        records = [*store.list(Person, family_id=family.id), done]
    assert eligibility(framework, FamilyOutcomeData.from_records(family, records)).eligible

    # Read-only now: the page refuses typing; sharing is recorded; a review links back.
    page = flow.page
    assert isinstance(page, AgenciesPage)
    assert not page.add_button.isEnabled()
    flow.share_button.click()
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert stored(path, family)[0].state is AssessmentState.SHARED
    flow.back_button.click()
    assert tab.stack.currentWidget() is tab.list_page
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.review_button.isEnabled())
    tab.review_button.click()
    qtbot.waitUntil(lambda: tab.flow.is_open and tab.model.rowCount() == 2)
    assert tab.flow.draft is not None
    assert tab.flow.draft.review_of == done.id
    assert "review of" in tab.flow.title.text()
    qtbot.waitUntil(lambda: not window.runner.busy)
    review = next(a for a in stored(path, family) if a.id != done.id)
    assert review.review_of == done.id
    assert review.state is AssessmentState.DRAFT


def test_closing_mid_way_resumes_at_the_same_step(qtbot, make_window, family_store) -> None:
    path, family, people = family_store()
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    flow = start(qtbot, tab)
    go_to_step(qtbot, flow, "Child's views — Kacper")
    page = flow.page
    assert isinstance(page, QuestionsPage)
    box = page.editors["views"]
    assert isinstance(box, TextEditor)
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "I want a dog")
    window.close()  # at once: the typing is still waiting for its autosave timer

    (draft,) = stored(path, family)
    assert draft.answer("child_views", "views", people[3].id).text == "I want a dog"

    again = make_window(path)
    tab = open_tab(qtbot, again, family)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.open_button.isEnabled()
    tab.open_button.click()
    flow = tab.flow
    assert flow.page is not None
    assert flow.page.step.title == "Child's views — Kacper"
    assert flow.step_view.currentIndex().row() == flow.index
    resumed = flow.page
    assert isinstance(resumed, QuestionsPage)
    views = resumed.editors["views"]
    assert isinstance(views, TextEditor)
    assert isinstance(views.edit, QPlainTextEdit)
    assert views.edit.toPlainText() == "I want a dog"


def test_a_missing_required_answer_blocks_completion_and_is_named(
    qtbot, make_window, family_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, family, _ = family_store()
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    flow = start(qtbot, tab)
    asked: list[bool] = []
    monkeypatch.setattr(
        assessment_flow, "confirm_completion", lambda parent: asked.append(True) or True
    )
    for row in range(flow.step_model.rowCount()):
        flow.go_to(row)
        page = flow.page
        if isinstance(page, QuestionsPage) and page.step.section.id != "analysis":
            answer_required(page, "Agreed with the family.")
    flow.complete_button.click()

    assert "Practitioner's analysis: required" in flow.problem.text()
    assert [flow.missing_model.row_at(r).message for r in range(flow.missing_model.rowCount())] == [
        "Practitioner's analysis: required"
    ]
    assert not asked  # refused before asking to confirm
    analysis = [s.title for s in flow.step_model.steps()].index("Practitioner's analysis")
    assert flow.step_model.state(analysis) is StepState.REQUIRED
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert stored(path, family)[0].state is AssessmentState.DRAFT

    # The item in "What is still needed" goes to its step, at the question.
    flow.go_to(0)
    rect = flow.missing_view.visualRect(flow.missing_model.index(0, 0))
    qtbot.mouseClick(flow.missing_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert flow.page is not None
    assert flow.page.step.title == "Practitioner's analysis"


def test_the_summary_pdf_holds_the_childs_views_verbatim(
    qtbot, make_window, family_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, family, _people = family_store()
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    flow = start(qtbot, tab)
    go_to_step(qtbot, flow, "Child's views — Zoë")
    assert isinstance(flow.page, QuestionsPage)
    answer_required(flow.page, ZOE_VIEWS)
    target = tmp_path / "out" / "summary"
    target.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF files (*.pdf)")
    )
    flow.pdf_button.click()
    pdf = target.with_suffix(".pdf")
    qtbot.waitUntil(pdf.exists, timeout=20_000)
    qtbot.waitUntil(lambda: "Summary saved" in flow.problem.text(), timeout=20_000)

    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    for line in ZOE_VIEWS.splitlines():
        assert line in text
    assert "Whole-family assessment (draft)" in text
    assert "Zoë Nowak" in text


def test_without_consent_to_assess_nothing_can_be_started(qtbot, make_window, family_store) -> None:
    path, family, _ = family_store(consent=False)
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    assert tab.notice.isVisible()
    assert "No consent to assess is in force" in tab.notice.text()
    assert not tab.start_button.isEnabled()
    tab.start_assessment()  # the shortcut's slot, too, starts nothing
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert not tab.flow.is_open
    assert stored(path, family) == []


def test_a_closed_case_shows_its_assessment_read_only(
    qtbot, make_window, family_store, tmp_path: Path
) -> None:
    path, family, _people = family_store(closed=True)
    with Store.open(path, TEST_PASSPHRASE) as store:
        store.save(
            Assessment(
                family_id=family.id,
                template="fmdesk.whole-family@1",
                started_on=dt.date(2025, 2, 3),
            )
        )
    window = make_window(path)
    tab = open_tab(qtbot, window, family)
    assert "closed" in tab.notice.text()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert not tab.start_button.isEnabled()
    assert not tab.copy_button.isEnabled()
    tab.open_selected()
    flow = tab.flow
    assert flow.read_only
    assert not flow.complete_button.isVisible()
    go_to_step(qtbot, flow, "Practitioner's analysis")
    page = flow.page
    assert isinstance(page, QuestionsPage)
    editor = page.editors["analysis"]
    assert isinstance(editor, TextEditor)
    assert editor.edit.isReadOnly()


def test_step_and_assessment_models_pass_qts_model_tester(qtmodeltester, family_store) -> None:
    from fmdesk.assessment import default_template, new_assessment, steps

    _, family, people = family_store()
    template = default_template()
    draft = new_assessment(family.id, template, practitioner="Pat", on=dt.date(2026, 1, 5))
    step_list = steps(template, people)
    model = StepListModel()
    model.set_steps(step_list, step_states(step_list, draft, []))
    qtmodeltester.check(model)
    rows: RowTableModel = RowTableModel(ASSESSMENT_COLUMNS)
    rows.set_rows(make_rows([draft]))
    qtmodeltester.check(rows)


def test_the_indicator_step_offers_a_council_frameworks_codes(
    qtbot, family_store, make_window, tmp_path: Path
) -> None:
    """A family attached to the council's own framework (held in the store, not shipped) is
    offered that framework's indicators, in its words, to tick."""
    path, family, _ = family_store()
    shipped = Path("fmdesk/definitions/frameworks/supporting-families-2022.json")
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown-outcomes", "Anytown outcomes plan"
    indicator = data["problems"][1]["indicators"][0]
    indicator["text"] = "Anytown: a child not yet ready for school at four"
    council_file = tmp_path / "anytown-outcomes.json"
    council_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with Store.open(path, TEST_PASSPHRASE) as store:
        add_definition_file(store, DefinitionKind.FRAMEWORK, council_file)
        store.save(family.replace(framework="anytown-outcomes@1"))

    window = make_window(path)
    flow = start(qtbot, open_tab(qtbot, window, family))
    go_to_step(qtbot, flow, "Outcomes framework indicators that apply")
    page = flow.page
    assert isinstance(page, IndicatorsPage)
    offered = [page.code.itemText(i) for i in range(page.code.count())]
    assert f"{indicator['code']} — {indicator['text']}" in offered
    assert not page.code.isEditable()  # the codes are known: nothing to type
