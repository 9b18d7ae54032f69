"""The Outcomes tab as a keyworker uses it: attach a framework, tick indicators until the family is
eligible and read the reason, add a baseline and a later attendance figure and see the outcome's
progress toward its sustained date; and a closed case that can be read, not changed."""

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate

from db.outcomes import load_family_outcomes
from db.store import Store
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.outcomes import IndicatorTick, Measure, MeasureKind, MeasureStage
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.record.outcomes.tab import OutcomesTab
from ui.window.main_window import MainWindow

FM = "families-matter@2015.1"


def family_with_a_child(path: Path) -> tuple[Family, Person]:
    with Store.open(path, TEST_PASSPHRASE) as store:
        for family in store.list(Family):
            if family.is_read_only or family.framework:
                continue
            children = [
                p for p in store.list(Person, family_id=family.id) if p.role is PersonRole.CHILD
            ]
            if children:
                return family, children[0]
    raise AssertionError("the demo caseload has no open family with a child")


def open_outcomes_tab(qtbot, window: MainWindow, family: Family) -> OutcomesTab:
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    tab = next(t for t in window.family_page.feature_tabs if isinstance(t, OutcomesTab))
    window.family_page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.outcomes is not None and tab.outcomes.family.id == family.id)
    return tab


def settled(tab: OutcomesTab) -> bool:
    return not tab.measures.editor.dirty and not tab.runner.busy


def choose_indicator(tab: OutcomesTab, code: str) -> None:
    rows = tab.indicators.model.rows()
    tab.indicators.view.selectRow(next(i for i, r in enumerate(rows) if r.indicator.code == code))


def tick(qtbot, tab: OutcomesTab, code: str, who: str) -> None:
    choose_indicator(tab, code)
    tab.indicators.tick_who.setCurrentIndex(tab.indicators.tick_who.findData(who))
    tab.indicators.tick_button.click()
    qtbot.waitUntil(
        lambda: (
            any(r.indicator.code == code and r.ticked for r in tab.indicators.model.rows())
            and settled(tab)
        )
    )


def test_tick_until_eligible_then_measure_attendance(
    qtbot, qtmodeltester, make_window, make_store, tmp_path: Path
) -> None:
    path = make_store(6)
    family, child = family_with_a_child(path)
    window = make_window(path)
    tab = open_outcomes_tab(qtbot, window, family)

    # No framework yet: attach Families Matter.
    assert "No framework attached" in tab.summary.framework_label.text()
    assert tab.summary.attach_button.isVisible()
    assert not tab.indicators.tick_button.isEnabled()
    tab.summary.framework_choice.setCurrentIndex(tab.summary.framework_choice.findData(FM))
    tab.summary.attach_button.click()
    qtbot.waitUntil(lambda: tab.framework is not None and tab.framework.ref == FM)
    assert "families-matter@2015.1" in tab.summary.framework_label.text()
    assert not tab.summary.attach_button.isVisible()
    assert tab.indicators.model.rowCount() == 39
    qtmodeltester.check(tab.indicators.model)
    assert tab.summary.eligibility_label.text().startswith("Not eligible: no indicators")

    # One problem is not enough under Families Matter; two are, and the reason says which.
    tab.indicators.tick_on.setDate(QDate(2015, 10, 1))
    tab.indicators.tick_source.setCurrentText("School census")
    tick(qtbot, tab, "2A", child.id)
    assert tab.summary.eligibility_label.text().startswith("Not eligible: 1 of 6 problems")
    assert "at least 2 are needed" in tab.summary.eligibility_label.text()
    tick(qtbot, tab, "1B", "")
    name = child.known_as or child.given_name
    reason = tab.summary.eligibility_label.text()
    assert reason.startswith("Eligible: 2 of 6 problems")
    assert f"school attendance (2A {name})" in reason
    assert "crime/ASB (1B)" in reason
    row = next(r for r in tab.indicators.model.rows() if r.indicator.code == "2A")
    columns = [
        tab.indicators.model.index(tab.indicators.model.rows().index(row), c).data()
        for c in range(8)
    ]
    assert columns[3:7] == ["✓ Ticked", name, "1 Oct 2015", "School census"]
    assert columns[7] == "Pat Keyworker"
    assert "Claim: <b>In progress</b>" in tab.summary.claim_label.text()
    assert "no outcome is sustained yet" in tab.summary.claim_label.text()

    # A tick can be taken back.
    tick(qtbot, tab, "6A", "")
    assert tab.evidence.problem_model.rowCount() == 3
    choose_indicator(tab, "6A")
    tab.indicators.tick_who.setCurrentIndex(tab.indicators.tick_who.findData(""))
    tab.indicators.untick_button.click()
    qtbot.waitUntil(lambda: tab.evidence.problem_model.rowCount() == 2 and settled(tab))

    # A baseline attendance figure, then a later one for the autumn 2015 term.
    tab.sections.setCurrentIndex(1)
    tab.measures.add_baseline_button.click()
    qtbot.waitUntil(lambda: tab.measures.model.rowCount() == 1 and settled(tab))
    editor = tab.measures.editor
    assert editor.kind.currentData() == MeasureKind.ATTENDANCE
    assert editor.stage.currentData() == MeasureStage.BASELINE
    editor.person.setCurrentIndex(editor.person.findData(child.id))
    editor.value.setValue(72.5)
    editor.on.setDate(QDate(2015, 7, 20))
    qtbot.waitUntil(lambda: settled(tab) and tab.measures.model.index(0, 3).data() == "72.5")

    tab.measures.add_later_button.click()
    qtbot.waitUntil(lambda: tab.measures.model.rowCount() == 2 and settled(tab))
    editor.person.setCurrentIndex(editor.person.findData(child.id))
    editor.value.setValue(96)
    editor.on.setDate(QDate(2015, 11, 27))
    qtbot.waitUntil(
        lambda: (
            settled(tab)
            and any(
                m.value == 96 and m.on == dt.date(2015, 11, 27) for m in tab.measures.model.rows()
            )
        )
    )
    qtmodeltester.check(tab.measures.model)

    # Outcome 2.1: one good term of three, so a third of the way, sustained when summer 2016 ends.
    tab.sections.setCurrentIndex(2)
    codes = [r.outcome.code for r in tab.evidence.outcome_model.rows()]
    tab.evidence.outcome_view.selectRow(codes.index("2.1"))
    qtbot.waitUntil(lambda: tab.evidence.outcome_progress.value() == 33)
    index = codes.index("2.1")
    assert tab.evidence.outcome_model.index(index, 2).data() == "Not yet"
    assert tab.evidence.outcome_model.index(index, 3).data() == "1 Sep 2015"
    assert tab.evidence.outcome_model.index(index, 5).data() == "33%"
    assert "1 of 3 consecutive terms so far, from Autumn 2015" in (
        tab.evidence.outcome_explanation.text()
    )
    sustained = tab.evidence.outcome_model.index(index, 4).data()
    assert sustained
    assert sustained in tab.evidence.outcome_progress.format()
    qtmodeltester.check(tab.evidence.outcome_model)

    # What the tab shows is what the store holds.
    with Store.open(path, TEST_PASSPHRASE) as store:
        saved = load_family_outcomes(store, family.id)
    assert saved.family.framework == FM
    assert sorted(t.indicator for t in saved.data.ticks) == ["1B", "2A"]
    assert sorted((m.stage.value, m.value) for m in saved.data.measures) == [
        ("baseline", 72.5),
        ("later", 96.0),
    ]


def test_a_closed_case_is_read_only(qtbot, make_window, make_store) -> None:
    path = make_store(3)
    family, child = family_with_a_child(path)
    with Store.open(path, TEST_PASSPHRASE) as store:
        closed = family.replace(
            framework=FM, status=FamilyStatus.CLOSED, closure_reason=ClosureReason.NEEDS_MET
        )
        store.save(
            closed,
            IndicatorTick(
                family_id=family.id, indicator="2A", person_id=child.id, on=dt.date(2015, 10, 1)
            ),
            Measure(
                family_id=family.id,
                kind=MeasureKind.ATTENDANCE,
                value=91,
                on=dt.date(2015, 11, 1),
                person_id=child.id,
            ),
        )
    window = make_window(path)
    tab = open_outcomes_tab(qtbot, window, family)
    assert "closed" in tab.summary.notice.text()
    assert tab.indicators.model.rowCount() == 39
    assert not tab.indicators.tick_button.isEnabled()
    assert not tab.indicators.untick_button.isEnabled()
    assert not tab.measures.add_baseline_button.isEnabled()
    assert not tab.measures.editor.isEnabled()
    assert tab.measures.model.rowCount() == 1
