"""The desktop app as a practitioner uses it: first run, unlock, caseload, family, autosave."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from db.families import load_caseload, load_family
from db.store import Store
from fmdesk.families import Family, FamilyStatus, PersonRole
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.record.dialogs import NewFamilyDialog
from ui.window.caseload import CASELOAD_COLUMNS
from ui.window.main_window import MainWindow

STRONG = "marmalade lighthouse crocus tandem"


def open_first_family(qtbot, window: MainWindow) -> Family:
    """Open the first family whose case is open (a closed one is read-only)."""
    model = window.caseload.table.model()
    index = next(
        model.index(r, 0)
        for r in range(model.rowCount())
        if model.index(r, 0).data(ROW_ROLE).status is not FamilyStatus.CLOSED
    )
    row = index.data(ROW_ROLE)
    window.caseload.table.doubleClicked.emit(index)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    assert window.family_page.family is not None
    assert window.family_page.family.id == row.family_id
    return window.family_page.family


def test_first_run_creates_a_store(qtbot, make_window, tmp_path: Path) -> None:
    path = tmp_path / "new-store"
    window = make_window(path)
    assert window.pages.currentWidget() is window.welcome
    page = window.welcome
    page.name.setText("Sam Keyworker")
    page.passphrase.setText("password1")
    page.again.setText("password1")
    page.create_button.click()
    assert "stronger" in page.problem.text()
    assert not path.exists()

    page.passphrase.setText(STRONG)
    page.again.setText(STRONG + "x")
    page.create_button.click()
    assert "different" in page.problem.text()

    page.again.setText(STRONG)
    page.create_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.caseload, timeout=10_000)
    qtbot.waitUntil(lambda: "Sam Keyworker" in window.status_store.text())
    assert window.status_lock.text() == "Unlocked"
    window.close()
    with Store.open(path, STRONG) as store:
        assert store.info.owner_name == "Sam Keyworker"


def test_unlock_with_wrong_then_right_passphrase(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(5))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.unlock_page)
    window.unlock_page.passphrase.setText("not the passphrase")
    window.unlock_page.button.click()
    qtbot.waitUntil(lambda: "does not unlock" in window.unlock_page.error.text())
    assert window.caseload.model.rowCount() == 0
    unlock(qtbot, window)
    assert window.caseload.model.rowCount() == 5


def test_filter_narrows_the_caseload_as_you_type(qtbot, make_window, make_store) -> None:
    path = make_store(12)
    window = make_window(path)
    unlock(qtbot, window)
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = store.list(Family)[3]
        child = next(p for p in load_family(store, family.id).people if p.given_name.isascii())
    qtbot.keyClick(window.caseload.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.caseload.filter.hasFocus()
    qtbot.keyClicks(window.caseload.filter, child.given_name.lower())
    shown = [
        window.caseload.proxy.index(r, 0).data(ROW_ROLE)
        for r in range(window.caseload.proxy.rowCount())
    ]
    assert 0 < len(shown) < 12
    assert family.id in {r.family_id for r in shown}
    assert all(child.given_name.casefold() in r.search_text for r in shown)
    window.caseload.filter.clear()
    assert window.caseload.proxy.rowCount() == 12


def test_add_a_family_and_a_child_and_see_them_in_the_list(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(2)
    window = make_window(path)
    unlock(qtbot, window)

    def fill_and_accept(dialog: NewFamilyDialog) -> int:
        dialog.name.setText("Nowak family")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewFamilyDialog, "exec", fill_and_accept)
    window.caseload.add_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    page = window.family_page
    assert page.family is not None
    assert page.family.name == "Nowak family"

    page.add_child_button.click()
    qtbot.waitUntil(lambda: page.people_model.rowCount() == 1)
    name = page.person_form.editor("given_name")
    assert isinstance(name, QLineEdit)
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Zofia")
    qtbot.waitUntil(
        lambda: (
            page.people_model.rowCount() == 1 and page.people_model.row_at(0).given_name == "Zofia"
        ),
        timeout=5000,
    )

    window.show_caseload()
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 3 and not window.runner.busy)
    window.caseload.filter.setText("zofia")
    assert window.caseload.proxy.rowCount() == 1
    row = window.caseload.proxy.index(0, 0).data(ROW_ROLE)
    assert row.name == "Nowak family"
    assert row.children == 1


def test_autosave_survives_closing_the_window(qtbot, make_window, make_store) -> None:
    path = make_store(3)
    window = make_window(path)
    unlock(qtbot, window)
    family = open_first_family(qtbot, window)
    editor = window.family_page.details_form.editor("next_action")
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "Ring the school nurse")
    window.close()  # straight away: the edit is still waiting for its autosave timer
    with Store.open(path, TEST_PASSPHRASE) as store:
        assert store.get(Family, family.id).next_action == "Ring the school nurse"


def test_auto_lock_hides_family_data_and_returns_to_the_same_record(
    qtbot, make_window, make_store
) -> None:
    window = make_window(make_store(4))
    unlock(qtbot, window)
    family = open_first_family(qtbot, window)
    notes_tab = 3
    window.family_page.tabs.setCurrentIndex(notes_tab)
    window.idle.setInterval(100)
    window.idle.start()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.unlock_page, timeout=3000)
    assert window.status_lock.text() == "Locked"
    assert window.family_page.record is None
    assert window.family_page.people_model.rowCount() == 0
    assert window.family_page.notes_model.rowCount() == 0
    assert window.caseload.model.rowCount() == 0
    assert family.name not in window.family_page.title.text()
    qtbot.waitUntil(lambda: not window.runner.busy)
    window.idle.setInterval(60_000)  # so it does not lock again while we look

    unlock_page = window.unlock_page
    unlock_page.passphrase.setText(TEST_PASSPHRASE)
    unlock_page.button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page, timeout=10_000)
    assert window.family_page.family is not None
    assert window.family_page.family.id == family.id
    assert window.family_page.tabs.currentIndex() == notes_tab


def test_ctrl_l_locks(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(1))
    unlock(qtbot, window)
    window.lock_action.trigger()
    assert window.pages.currentWidget() is window.unlock_page
    assert not window.caseload_action.isEnabled()


def test_clicking_a_column_header_sorts_the_caseload_and_keeps_the_selection(
    qtbot, make_window, make_store
) -> None:
    window = make_window(make_store(12))
    unlock(qtbot, window)
    page = window.caseload
    header = page.table.horizontalHeader()

    def shown(column: str) -> list:
        rows = [page.proxy.index(r, 0).data(ROW_ROLE) for r in range(page.proxy.rowCount())]
        return [getattr(r, column) for r in rows]

    page.table.selectRow(5)
    chosen = page.table.currentIndex().data(ROW_ROLE).family_id
    family_column = [c.title for c in CASELOAD_COLUMNS].index("Family")
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(family_column) + 5, 5),
    )
    names = shown("name")
    assert names in (sorted(names, key=str.casefold), sorted(names, key=str.casefold)[::-1])
    assert page.table.currentIndex().data(ROW_ROLE).family_id == chosen

    children_column = [c.title for c in CASELOAD_COLUMNS].index("Children")
    page.table.sortByColumn(children_column, Qt.SortOrder.DescendingOrder)
    assert shown("children") == sorted(shown("children"), reverse=True)
    # A refresh from the store keeps the order the user chose, and filtering still works.
    page.set_rows(list(reversed(page.model.rows())))
    assert shown("children") == sorted(shown("children"), reverse=True)
    page.filter.setText(shown("name")[0].split()[0])
    assert 0 < page.proxy.rowCount() <= 12
    assert shown("children") == sorted(shown("children"), reverse=True)


def test_table_models_pass_qts_model_tester(qtmodeltester, make_store) -> None:
    from db.families import FamilyRecord
    from db.history import family_chronology
    from ui.kit.models import RowTableModel
    from ui.record.family_page import NOTE_COLUMNS, _people_columns
    from ui.record.timeline import TIMELINE_COLUMNS, KindFilter, TimelineModel
    from ui.window.caseload import CASELOAD_COLUMNS, CaseloadFilterProxy

    with Store.open(make_store(6), TEST_PASSPHRASE) as store:
        rows = load_caseload(store)
        record: FamilyRecord = load_family(store, rows[0].family_id)
        events = family_chronology(store, rows[0].family_id)
    import datetime as dt

    caseload = RowTableModel(CASELOAD_COLUMNS)
    caseload.set_rows(rows)
    qtmodeltester.check(caseload)
    proxy = CaseloadFilterProxy()
    proxy.setSourceModel(caseload)
    proxy.set_text(rows[0].name.split()[0])
    qtmodeltester.check(proxy)
    for column in range(len(CASELOAD_COLUMNS)):  # the tester watches the sorts' layout changes
        proxy.sort(column, Qt.SortOrder.DescendingOrder)
        caseload.sort(column)
    for columns, items in (
        (_people_columns(dt.date.today()), record.people),
        (NOTE_COLUMNS, record.notes),
    ):
        model = RowTableModel(columns)
        model.set_rows(items)
        qtmodeltester.check(model)
    timeline = TimelineModel(TIMELINE_COLUMNS)
    timeline.set_rows(events)
    qtmodeltester.check(timeline)
    kinds = KindFilter()
    kinds.setSourceModel(timeline)
    kinds.set_kind(events[-1].kind)
    qtmodeltester.check(kinds)
    assert any(p.role is PersonRole.CHILD for p in record.people) or record.people


def test_without_a_display_the_app_says_how_to_run_it(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["FMDESK_HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from ui.main import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "xvfb-run" in result.stderr
    assert "Traceback" not in result.stderr


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from ui.window.main_window import MainWindow

    app = QApplication([])
    path, passphrase, text = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    window = MainWindow(path, settings=QSettings(sys.argv[4], QSettings.Format.IniFormat))
    window.show()
    window.start()
    window.unlock_page.passphrase.setText(passphrase)
    window.unlock_page.button.click()

    def when(cond, then):
        timer = QTimer(app)
        def check():
            if cond():
                timer.stop()
                then()
        timer.timeout.connect(check)
        timer.start(50)

    def open_family():
        rows = window.caseload.model.rows()
        row = next(r for r in rows if r.status.value != "closed")
        window.open_family(row.family_id, tab=3)
        when(lambda: window.family_page.family is not None, type_note)

    def type_note():
        page = window.family_page
        page.new_note_button.click()
        when(lambda: page.note_form.record is not None and not page.note_form.record.text,
             lambda: edit(page))

    def edit(page):
        page.note_form.editor("text").setPlainText(text)
        # Mid-edit: the user has stopped typing for a moment, nothing more.
        QTimer.singleShot(1500, lambda: print("TYPED", flush=True))

    when(lambda: window.caseload.model.rowCount() > 0, open_family)
    app.exec()
""")


def test_killing_the_app_mid_edit_loses_nothing_typed(make_store, tmp_path: Path) -> None:
    path = make_store(2)
    text = "Mum rang: the boiler is fixed at last."
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FMDESK_HOME": str(tmp_path / "h")}
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            str(path),
            TEST_PASSPHRASE,
            text,
            str(tmp_path / "s.ini"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "TYPED"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    with Store.open(path, TEST_PASSPHRASE) as store:
        notes = [n for f in store.list(Family) for n in load_family(store, f.id).notes]
        assert text in [n.text for n in notes]
        assert store.check() == []


def test_status_filter_shows_only_that_status(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(15))
    unlock(qtbot, window)
    combo = window.caseload.status
    combo.setCurrentIndex(combo.findText("Closed"))
    shown = [
        window.caseload.proxy.index(r, 0).data(ROW_ROLE)
        for r in range(window.caseload.proxy.rowCount())
    ]
    expected = [r for r in window.caseload.model.rows() if r.status is FamilyStatus.CLOSED]
    assert len(shown) == len(expected)
    assert all(r.status is FamilyStatus.CLOSED for r in shown)


def test_closing_a_case_from_the_status_dialog(
    qtbot, make_window, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmdesk.closure import ClosureSummary
    from fmdesk.families import ClosureReason
    from ui.record.dialogs import StatusDialog
    from ui.record.plan.dialogs import CloseCaseDialog

    path = make_store(4)
    window = make_window(path)
    unlock(qtbot, window)
    family = open_first_family(qtbot, window)

    def choose_close(dialog: StatusDialog) -> int:
        dialog.to.setCurrentIndex(dialog.to.findData(FamilyStatus.CLOSED))
        dialog.closure.setCurrentIndex(dialog.closure.findData(ClosureReason.STEPPED_DOWN))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(StatusDialog, "exec", choose_close)
    # Closing goes on to the closing summary (tests/ui/test_status_close.py has more).
    monkeypatch.setattr(CloseCaseDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    window.family_page.status_button.click()
    page = window.family_page
    qtbot.waitUntil(lambda: page.family is not None and page.family.status is FamilyStatus.CLOSED)
    assert page.read_only
    assert not page.details_form.isEnabled()
    assert "closed" in page.banner.text()
    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        saved = store.get(Family, family.id)
        assert saved.status is FamilyStatus.CLOSED
        assert saved.closure_reason is ClosureReason.STEPPED_DOWN
        [summary] = store.list(ClosureSummary, family_id=family.id)
        assert summary.reason is ClosureReason.STEPPED_DOWN


def test_remember_on_this_computer_unlocks_next_time_until_forgotten(
    qtbot, make_window, make_store, memory_keyring
) -> None:
    path = make_store(3)
    first = make_window(path)
    qtbot.waitUntil(lambda: first.pages.currentWidget() is first.unlock_page)
    assert first.unlock_page.remember.isVisible()
    first.unlock_page.remember.setChecked(True)
    unlock(qtbot, first)
    qtbot.waitUntil(first.remember_action.isChecked)
    assert Store.read_key_file(path).has_slot("keychain")
    assert len(memory_keyring.secrets) == 1
    first.close()

    # The next start opens straight to the caseload, without the passphrase.
    second = make_window(path)
    qtbot.waitUntil(lambda: second.pages.currentWidget() is second.caseload, timeout=10_000)
    qtbot.waitUntil(second.remember_action.isChecked)
    assert second.remember_action.isEnabled()
    second.remember_action.trigger()  # untick: forget on this computer
    qtbot.waitUntil(lambda: "Forgotten" in second.statusBar().currentMessage())
    assert not second.remember_action.isChecked()
    assert not Store.read_key_file(path).has_slot("keychain")
    assert memory_keyring.secrets == {}
    second.close()

    third = make_window(path)
    qtbot.waitUntil(lambda: third.pages.currentWidget() is third.unlock_page)
    qtbot.wait(200)
    assert third.pages.currentWidget() is third.unlock_page


def test_the_window_appears_before_the_record_tabs_and_pdf_code_load() -> None:
    """What the welcome and unlock screens need is all the window imports at start; the tabs,
    workspace pages, reportlab and the outcome rules load at first unlock (start-up speed)."""
    probe = (
        "import sys, ui.window.main_window; "
        "late = ['reportlab', 'ui.record.plan.tab', 'ui.workspace.programme', 'db.programme', "
        "'db.families']; "
        "print([m for m in late if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_window_fits_a_small_screen(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(1))
    room = window.screen().availableGeometry()
    assert window.width() <= room.width()
    assert window.height() <= room.height()


def test_the_claim_status_column_fills_in_after_the_caseload_shows(
    qtbot, make_window, make_store
) -> None:
    from db.outcomes import attach_family_framework

    path = make_store(4)
    with Store.open(path, TEST_PASSPHRASE) as store:
        # An open case: a closed one cannot be attached (the demo's statuses follow the date).
        attached = next(f for f in store.list(Family) if not f.is_read_only)
        attach_family_framework(store, attached.id, "families-matter@2015.1")
    window = make_window(path)
    unlock(qtbot, window)

    def claim_column() -> dict[str, str]:
        return {r.family_id: r.claim_status for r in window.caseload.model.rows()}

    qtbot.waitUntil(lambda: claim_column()[attached.id] != "")
    assert claim_column()[attached.id] == "Not eligible"
    assert [v for k, v in claim_column().items() if k != attached.id] == ["", "", ""]
