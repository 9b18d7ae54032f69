"""The coordinator's pages in the real window on a real store: dashboard, allocation, claims."""

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from db import sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import DeliveredBy, Family, PastOrPresent, ReferralSource, Tenure
from fmdesk.identified_csv import parse_identified_csv
from fmdesk.programme import Chart, Figure, Section
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.recorded import recorded_on
from tests.ui.conftest import unlock
from tests.unit.test_identified_csv import GOOD, csv_bytes
from tests.unit.test_programme import TODAY, fixture_programme
from ui.kit.models import ROW_ROLE
from ui.workspace.allocation import AllocationPage, PreviewDialog
from ui.workspace.claims import ClaimsPage
from ui.workspace.programme import ROW, BarChart, FamiliesDialog, ProgrammePage


@pytest.fixture
def coordinator_path(tmp_path: Path) -> tuple[Path, dict[str, Family], str]:
    """A coordinator store holding the hand-computed programme and one enrolled practitioner."""
    path = tmp_path / "coordinator"
    store = Store.create(
        path, TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central Team", kdf=KdfParams.fast()
    )
    worker = Store.create(
        tmp_path / "worker",
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name="Zoë Adebayo",
        kdf=KdfParams.fast(),
    )
    sync.enrol(store, sync.identity(worker).enrolment)
    worker_id = worker.info.store_id
    worker.close()
    records, refs = fixture_programme()
    # Saved in November 2025: a claim batch is judged as at the end of its period.
    with recorded_on(store, dt.date(2025, 11, 15)):
        store.save(*records)
    store.close()
    return path, refs, worker_id


def page_of(window, cls):
    return next(p for p in window.workspace_pages if isinstance(p, cls))


def go_to(qtbot, window, cls):
    action = next(a for a, p in window.page_actions if isinstance(p, cls))
    assert action.isVisible()
    assert action.isEnabled()
    action.trigger()
    page = page_of(window, cls)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    return page


def test_the_dashboard_draws_each_section_and_opens_the_families_behind_a_bar(
    qtbot, make_window, coordinator_path
) -> None:
    path, _refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ProgrammePage)
    page.year.setValue(2025)
    qtbot.waitUntil(
        lambda: page.dashboard is not None and page.dashboard.year == 2025, timeout=10_000
    )
    board = page.dashboard
    charted = [s.key for s in board.sections if s.figures and s.chart is not Chart.TREND]
    assert [c.section.key for c in page.charts] == charted
    consent = next(c for c in page.charts if c.section.key == "consent")
    assert "Refused: 1 of 6 (17%)" in consent.accessibleDescription()

    # Click the "Refused" bar: the list behind it holds FM-003, and Enter opens it.
    consent.resize(700, consent.height())
    qtbot.mouseClick(consent, Qt.MouseButton.LeftButton, pos=QPoint(400, 2 + ROW + ROW // 2))
    qtbot.waitUntil(lambda: isinstance(getattr(page, "families_dialog", None), FamiliesDialog))
    dialog = page.families_dialog
    qtbot.waitUntil(lambda: dialog.isVisible())
    rows = [dialog.model.row_at(r) for r in range(dialog.model.rowCount())]
    assert [r.reference for r in rows] == ["FM-003"]
    dialog.open_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    assert window.family_page.family.reference == "FM-003"


def test_keyboard_chooses_a_bar(qtbot, make_window, coordinator_path) -> None:
    path, _, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ProgrammePage)
    qtbot.waitUntil(lambda: bool(page.charts), timeout=10_000)
    chart = page.charts[0]
    chosen = []
    chart.figure_chosen.connect(chosen.append)
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert [f.key for f in chosen] == ["allocated"]


def test_allocation_shows_caseloads_and_allocates_a_family(
    qtbot, make_window, coordinator_path
) -> None:
    path, refs, worker_id = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, AllocationPage)
    qtbot.waitUntil(lambda: page.practitioner_model.rowCount() == 1)
    assert page.practitioner_model.row_at(0).name == "Zoë Adebayo"
    open_refs = {page.family_model.row_at(r).reference for r in range(page.family_model.rowCount())}
    assert open_refs == {"FM-001", "FM-003", "FM-004", "FM-006"}
    page.only_unallocated.setChecked(True)
    shown = [
        page.family_table.model().index(r, 0).data(ROW_ROLE).reference
        for r in range(page.family_table.model().rowCount())
    ]
    assert shown == ["FM-004"]  # the only one with no practitioner yet

    page.allocate([refs["FM-004"].id], worker_id, "")
    qtbot.waitUntil(
        lambda: (
            page.practitioner_model.rowCount() == 1 and page.practitioner_model.row_at(0).held == 1
        )
    )
    qtbot.waitUntil(lambda: page.family_table.model().rowCount() == 0)


def test_the_csv_preview_names_each_problem_and_offers_only_the_valid_families(qtbot) -> None:
    bad = "K-300,,,child,Ola,Reed,2015-13-01,,,,,,,,,,,"
    checked = parse_identified_csv(csv_bytes(*GOOD, bad), today=TODAY)
    dialog = PreviewDialog("families.csv", checked)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.valid_button.isEnabled()
    problem = dialog.problems.row_at(0)
    assert (problem.row, problem.column) == (6, "date_of_birth")
    dialog.valid_button.click()
    assert dialog.choice == PreviewDialog.IMPORT_VALID


def test_claims_page_shows_the_evidence_and_a_batch_takes_the_family_off_the_list(
    qtbot, make_window, coordinator_path
) -> None:
    path, refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    assert page.ready_model.row_at(0).family.reference == "FM-001"
    qtbot.waitUntil(lambda: page.evidence_model.rowCount() == 2)
    assert [page.evidence_model.row_at(r).outcome for r in range(2)] == ["5.2", "6.1"]
    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [refs["FM-001"].id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 0)
    assert page.batch_model.row_at(0).reference == "Q3"


def test_pages_are_only_on_the_coordinators_menu(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(2))
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    for action, _ in window.page_actions:
        if action.text() in ("Programme &dashboard", "&Allocation", "C&laims"):
            assert not action.isVisible()


def test_a_long_problem_label_wraps_and_its_row_grows_to_hold_it(qtbot) -> None:
    label = "Crime and anti-social behaviour (families-matter-2015@1)"
    short = Figure("fm:6", "Health", 1, ("a",), of=3)
    section = Section(
        "outcomes",
        "Outcomes by problem",
        Chart.SHARE,
        (Figure("fm:1", label, 2, ("a", "b"), of=3), short),
    )
    chart = BarChart(section)
    qtbot.addWidget(chart)
    chart.resize(560, chart.height())
    chart.show()
    qtbot.waitExposed(chart)
    (top, tall), (_, one_line) = chart.rows()
    assert one_line == ROW
    # The label's width is a third of the chart: the name takes two lines or more, all shown.
    label_width = chart._layout()[0]
    metrics = chart.fontMetrics()
    assert metrics.horizontalAdvance(label) > label_width
    assert tall > ROW
    qtbot.waitUntil(lambda: chart.height() >= top + tall + one_line)
    # A click on the second row still chooses the second figure.
    assert chart.figure_at(top + tall + ROW // 2) == 1


def test_the_quarterly_trend_is_a_table_whose_cells_open_their_families(
    qtbot, make_window, coordinator_path
) -> None:
    path, _refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ProgrammePage)
    page.year.setValue(2025)
    qtbot.waitUntil(
        lambda: page.dashboard is not None and page.dashboard.year == 2025 and bool(page.trends),
        timeout=10_000,
    )
    trend = page.trends[0]
    rows = trend.model.rows()
    assert [r.series for r in rows] == [
        "Identified",
        "Allocated",
        "Worked with",
        "Turned around",
        "Claimed",
        "Claimed (£)",
        "Paid (£)",
    ]
    identified = rows[0]
    assert [c.value for c in identified.cells] == [3, 2, 0, 0]
    assert identified.year.value == 5
    # Enter on "Identified, Q2" lists FM-004 and FM-006.
    table = trend.table
    table.setFocus()
    table.setCurrentIndex(trend.model.index(0, 2))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(getattr(page, "families_dialog", None), FamiliesDialog))
    dialog = page.families_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert {dialog.model.row_at(r).reference for r in range(2)} == {"FM-004", "FM-006"}


def test_the_family_details_form_takes_what_the_dashboard_counts(
    qtbot, make_window, coordinator_path
) -> None:
    path, _refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() > 0)
    table = window.caseload.table
    row = next(
        r
        for r in range(table.model().rowCount())
        if table.model().index(r, 0).data(ROW_ROLE).reference == "FM-006"
    )
    table.doubleClicked.emit(table.model().index(row, 0))
    page = window.family_page
    qtbot.waitUntil(lambda: page.family is not None and page.family.reference == "FM-006")
    form = page.details_form
    for name, value in (
        ("referral_source", ReferralSource.SOCIAL_CARE_STEP_DOWN),
        ("delivered_by", DeliveredBy.CORE_TEAM),
        ("tenure", Tenure.COUNCIL),
        ("known_to_social_care", PastOrPresent.YES),
    ):
        box = form.editor(name)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(box.findData(value))
    agency = form.editor("lead_agency")
    assert isinstance(agency, QLineEdit)
    agency.setFocus()
    qtbot.keyClicks(agency, "Youth Offending Team")
    form.flush()
    qtbot.waitUntil(lambda: not window.runner.busy)
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(f for f in store.list(Family) if f.reference == "FM-006")
    assert (family.referral_source, family.delivered_by, family.tenure) == (
        ReferralSource.SOCIAL_CARE_STEP_DOWN,
        DeliveredBy.CORE_TEAM,
        Tenure.COUNCIL,
    )
    assert (family.known_to_social_care, family.lead_agency) == (
        PastOrPresent.YES,
        "Youth Offending Team",
    )
