"""Every action reachable on a small screen, and by the keyboard alone (issue 16).

A keyworker's laptop is 1366×768, or 1920×1080 at 150 % (1280×720 to lay out in). The tests set
the window to each size, visit every page, every family record tab and its sections, the
assessment and the Star reading, and check what a user would: each button is on screen (not
below the window's edge or scrolled out of sight), the window did not grow past the screen, Tab
reaches every control, and no two shortcuts or access keys clash where both are live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollBar,
    QSplitter,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from db.families import add_demo_families
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import FamilyStatus
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.window.main_window import MainWindow

SIZES = [(1366, 768), (1280, 720)]
# Every place is checked: the Plan tab's panels, the Timeline, the Sync, Claims, Programme,
# Allocation and Definitions pages included (issue 16).
PENDING: tuple[str, ...] = ()


def checked(place: str) -> bool:
    return not place.startswith(PENDING) if PENDING else True


MINIMUM = (800, 560)


# ---- a window on a store with casework ---------------------------------------------------


@pytest.fixture
def casework_store(tmp_path: Path) -> Callable[[Role], Path]:
    def make(role: Role) -> Path:
        path = tmp_path / f"store-{role.value}"
        store = Store.create(
            path, TEST_PASSPHRASE, role=role, name="Pat Keyworker", kdf=KdfParams.fast()
        )
        add_demo_families(store, 4, seed=7, outcomes=True)
        store.close()
        return path

    return make


@pytest.fixture
def window_on(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, casework_store
) -> Iterator[Callable[[Role], MainWindow]]:
    monkeypatch.setenv("FMDESK_HOME", str(tmp_path / "home"))
    windows: list[MainWindow] = []

    def make(role: Role) -> MainWindow:
        settings = QSettings(str(tmp_path / f"s{len(windows)}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(casework_store(role), settings=settings)
        qtbot.addWidget(window)
        window.show()
        window.start()
        windows.append(window)
        unlock(qtbot, window)
        return window

    yield make
    for w in windows:
        if w.isVisible():
            w.close()


def open_active_family(qtbot, window: MainWindow) -> None:
    model = window.caseload.table.model()
    index = next(
        model.index(r, 0)
        for r in range(model.rowCount())
        if model.index(r, 0).data(ROW_ROLE).status is FamilyStatus.ACTIVE
    )
    window.caseload.table.doubleClicked.emit(index)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)


def settle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    qtbot.wait(30)


def places(qtbot, window: MainWindow) -> Iterator[str]:
    """Put the window in each place a user can be, naming it: the caseload, every tab of a
    family's record and every section of a tab, the assessment and a Star reading, and every
    workspace page the store's role shows."""
    from ui.record.assessment.tab import AssessmentTab
    from ui.record.star.tab import StarTab

    window.show_caseload()
    settle(qtbot, window)
    yield "caseload"
    open_active_family(qtbot, window)
    tabs = window.family_page.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        settle(qtbot, window)
        name = tabs.tabText(i).replace("&", "")
        yield f"family: {name}"
        for inner in tabs.widget(i).findChildren(QTabWidget):
            if not inner.isVisible():
                continue
            for j in range(inner.count()):
                inner.setCurrentIndex(j)
                settle(qtbot, window)
                yield f"family: {name}: {inner.tabText(j).replace('&', '')}"
    assessment = next(t for t in window.family_page.feature_tabs if isinstance(t, AssessmentTab))
    tabs.setCurrentWidget(assessment)
    settle(qtbot, window)
    assessment.open_selected()
    qtbot.waitUntil(lambda: assessment.flow.isVisible(), timeout=10_000)
    steps = assessment.flow.step_model.rowCount()
    for step in range(steps):
        assessment.flow.go_to(step)
        settle(qtbot, window)
        yield f"assessment step {step + 1} of {steps}"
    assessment.flow.back.emit()
    star = next(t for t in window.family_page.feature_tabs if isinstance(t, StarTab))
    tabs.setCurrentWidget(star)
    settle(qtbot, window)
    star.take_reading()
    qtbot.waitUntil(lambda: star.reading_page.isVisible(), timeout=10_000)
    yield "Star reading"
    star.reading_page.back_button.click()
    settle(qtbot, window)
    for page in window.workspace_pages:
        assert window.info is not None
        if window.info.role not in page.roles:
            continue
        window.show_page(page)
        settle(qtbot, window)
        yield f"page: {page.title.replace('&', '')}"


# ---- what is on screen ---------------------------------------------------------------------


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of `widget` that shows in `window`: clipped by every widget it sits in (a
    scroll area's viewport, a splitter's side) and by the window's edge."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


# Buttons that are part of another control (a tab bar's arrows, a line edit's clear button).
PARTS_OF = (QTabBar, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QScrollBar)


def actions_out_of_sight(window: QWidget) -> list[str]:
    out = []
    for button in window.findChildren(QAbstractButton):
        if not isinstance(button, QPushButton | QToolButton) or not button.isVisible():
            continue
        if button.window() is not window or isinstance(button.parentWidget(), PARTS_OF):
            continue
        whole = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if visible_rect(button, window) != whole:
            out.append(f"{button.text().replace('&', '')!r} at {whole.y()}..{whole.bottom()}")
    return out


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.COORDINATOR])
def test_every_action_is_on_screen(qtbot, window_on, role: Role, width: int, height: int):
    window = window_on(role)
    window.resize(width, height)
    problems = []
    for place in filter(checked, places(qtbot, window)):
        window.resize(width, height)
        qtbot.wait(20)
        if window.width() > width or window.height() > height:
            problems.append(f"{place}: the window grew to {window.width()}×{window.height()}")
        problems += [f"{place}: {what} is out of sight" for what in actions_out_of_sight(window)]
        hint, least = window.minimumSizeHint(), window.minimumSize()
        for size in (hint, least):
            if size.width() > MINIMUM[0] or size.height() > MINIMUM[1]:
                problems.append(f"{place}: the window's minimum is {size.width()}×{size.height()}")
    assert not problems, "\n".join(problems)


def test_a_long_family_name_does_not_widen_the_window(qtbot, window_on) -> None:
    window = window_on(Role.PRACTITIONER)
    window.resize(1366, 768)
    open_active_family(qtbot, window)
    long_name = ("Ashworth-" * 22 + "family")[-200:]  # the longest a name may be
    assert len(long_name) == 200
    form = window.family_page.details_form
    name_edit = form.editor("name")
    assert isinstance(name_edit, QLineEdit)
    name_edit.setText(long_name)
    name_edit.textEdited.emit(long_name)  # as typing it would (keyClicks is too slow for 200)
    form.flush()
    qtbot.waitUntil(lambda: long_name in window.family_page.title.toolTip(), timeout=10_000)
    window.resize(1366, 768)
    qtbot.wait(50)
    assert window.width() <= 1366
    title = window.family_page.title
    assert title.accessibleName().startswith(long_name)
    assert "…" in QLabel.text(title)  # what is painted is cut short with an ellipsis
    assert visible_rect(title, window).right() < 1366


# ---- keyboard ---------------------------------------------------------------------------------


def _scope(widget: QWidget | None, context: Qt.ShortcutContext, window: QWidget) -> QWidget:
    if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
        return window
    return widget or window


def _mnemonic(text: str) -> str:
    cleaned = text.replace("&&", "")
    at = cleaned.find("&")
    return f"Alt+{cleaned[at + 1].upper()}" if 0 <= at < len(cleaned) - 1 else ""


def live_keys(window: QMainWindow) -> list[tuple[str, str, QWidget]]:
    """Every key live in the window as it stands: (keys, what it does, where it works)."""
    keys: list[tuple[str, str, QWidget]] = []

    def add(sequence: QKeySequence, what: str, scope: QWidget) -> None:
        text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        if text:
            keys.append((text, what, scope))

    for menu_action in window.menuBar().actions():
        if menu_action.isVisible() and _mnemonic(menu_action.text()):
            add(QKeySequence(_mnemonic(menu_action.text())), f"menu {menu_action.text()}", window)
    for action in window.findChildren(QAction):
        if not action.isVisible() or action.menu() is not None:
            continue
        for sequence in action.shortcuts():
            add(sequence, f"menu item {action.text()}", window)
    for sc in window.findChildren(QShortcut):
        parent = sc.parent()
        if sc.isEnabled() and isinstance(parent, QWidget) and parent.isVisible():
            for sequence in sc.keys():  # noqa: SIM118 (a QShortcut, not a dict)
                scope = _scope(parent, sc.context(), window)
                add(sequence, f"shortcut {sc.whatsThis() or '?'}", scope)
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and not button.shortcut().isEmpty():
            add(button.shortcut(), f"button {button.text()}", window)
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.buddy() is not None and _mnemonic(label.text()):
            add(QKeySequence(_mnemonic(label.text())), f"label {label.text()}", window)
    for box in window.findChildren(QGroupBox):
        if box.isVisible() and _mnemonic(box.title()):
            add(QKeySequence(_mnemonic(box.title())), f"group {box.title()}", window)
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            for i in range(bar.count()):
                if bar.isTabVisible(i) and _mnemonic(bar.tabText(i)):
                    add(QKeySequence(_mnemonic(bar.tabText(i))), f"tab {bar.tabText(i)}", window)
    return keys


def clashes(keys: list[tuple[str, str, QWidget]]) -> list[str]:
    found = []
    for i, (k1, what1, scope1) in enumerate(keys):
        for k2, what2, scope2 in keys[i + 1 :]:
            if k1 != k2 or what1 == what2:
                continue
            if scope1 is scope2 or scope1.isAncestorOf(scope2) or scope2.isAncestorOf(scope1):
                found.append(f"{k1}: {what1} and {what2}")
    return found


def menu_clashes(window: QMainWindow) -> list[str]:
    found = []
    for menu in window.findChildren(QMenu):
        seen: dict[str, str] = {}
        for action in menu.actions():
            key = _mnemonic(action.text()) if action.isVisible() else ""
            if key and key in seen:
                found.append(f"{menu.title()}: {key} is {seen[key]} and {action.text()}")
            seen[key] = action.text()
    return found


# Keys that are the same command wherever they work (Qt's standard keys and the usual ones).
SAME_EVERYWHERE = {"Ctrl+P", "Return", "Enter", "Esc", "Del", "PgUp", "PgDown", "Ctrl+Return"}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.COORDINATOR])
def test_shortcuts_do_not_clash(qtbot, window_on, role: Role) -> None:
    window = window_on(role)
    window.resize(1366, 768)
    problems = menu_clashes(window)
    meaning: dict[str, set[str]] = {}
    for place in places(qtbot, window):
        keys = live_keys(window)
        if checked(place):  # a pending place's Ctrl keys are still compared with the others'
            problems += [f"{place}: {clash}" for clash in clashes(keys)]
        on_the_record = place.startswith(("family", "assessment", "Star"))
        for sequence, what, _scope_widget in keys:
            if on_the_record and sequence.startswith("Ctrl+") and sequence not in SAME_EVERYWHERE:
                meaning.setdefault(sequence, set()).add(what.replace("&", ""))
    problems += [
        f"{sequence} means {sorted(whats)} on different tabs of the family record"
        for sequence, whats in meaning.items()
        if len({w.split(" ", 1)[1].split(" ")[0] for w in whats}) > 1
    ]
    assert not problems, "\n".join(sorted(set(problems)))


def test_a_kit_shortcut_works_only_where_it_belongs(qtbot) -> None:
    from ui.kit.widgets import action_button

    host = QWidget()
    qtbot.addWidget(host)
    first, second = QWidget(host), QWidget(host)
    one = action_button(first, "&One", "Ctrl+J")
    two = action_button(second, "&Two", "Ctrl+J")
    contexts = {sc.context() for sc in host.findChildren(QShortcut)}
    assert contexts == {Qt.ShortcutContext.WidgetWithChildrenShortcut}
    clicked: list[str] = []
    one.clicked.connect(lambda: clicked.append("one"))
    two.clicked.connect(lambda: clicked.append("two"))
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    two.setFocus()
    qtbot.keyClick(two, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert clicked == ["two"]


def focusable(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
        and not isinstance(widget, QScrollBar)
    )


def tab_round(qtbot, window: QMainWindow) -> tuple[set[QWidget], list[QWidget]]:
    """Press Tab from the first control until focus comes back round: what it reached, and
    what it should have."""
    expected = [w for w in window.findChildren(QWidget) if w.window() is window and focusable(w)]
    # Parts of a control that Tab does not stop at on their own.
    expected = [
        w
        for w in expected
        if (
            not isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)
            and not isinstance(w, QTabBar | QSplitter)
        )
        or isinstance(w, QTabBar)
    ]
    start = expected[0]
    start.setFocus(Qt.FocusReason.TabFocusReason)
    reached: set[QWidget] = set()
    # A date box takes Tab from day to month to year before it lets go, so the round is over
    # only when focus has left the first control and come back to it.
    left = False
    for _ in range(4 * len(expected) + 20):
        focus = QApplication.focusWidget()
        if focus is None:
            break
        reached.add(focus)
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        left = left or QApplication.focusWidget() is not start
        if left and QApplication.focusWidget() is start:
            break
    return reached, expected


def describe(widget: QWidget) -> str:
    name = widget.accessibleName() or getattr(widget, "text", lambda: "")() or ""
    return f"{type(widget).__name__} {name!r}"


def test_tab_reaches_every_control(qtbot, window_on) -> None:
    window = window_on(Role.PRACTITIONER)
    window.resize(1366, 768)
    window.activateWindow()
    problems = []
    for place in filter(checked, places(qtbot, window)):
        reached, expected = tab_round(qtbot, window)
        missed = [describe(w) for w in expected if w not in reached]
        if missed:
            problems.append(
                f"{place}: Tab reached {len(expected) - len(missed)} of "
                f"{len(expected)}; missed {missed}"
            )
    assert not problems, "\n".join(problems)


def test_coordinator_pages_tab_round(qtbot, window_on) -> None:
    window = window_on(Role.COORDINATOR)
    window.resize(1366, 768)
    window.activateWindow()
    problems = []
    for place in filter(checked, places(qtbot, window)):
        if not place.startswith("page"):
            continue
        reached, expected = tab_round(qtbot, window)
        missed = [describe(w) for w in expected if w not in reached]
        if missed:
            problems.append(f"{place}: missed {missed}")
    assert not problems, "\n".join(problems)


# ---- remembered and first focus -----------------------------------------------------------------


def test_welcome_puts_the_cursor_in_the_first_field(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FMDESK_HOME", str(tmp_path / "home"))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(tmp_path / "no-store-yet", settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.start()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.welcome.name)


def test_a_date_can_be_typed_after_a_click(qtbot) -> None:
    from ui.kit.widgets import date_edit

    host = QWidget()
    qtbot.addWidget(host)
    edit = date_edit(host, "When")
    edit.resize(160, 30)
    other = QLineEdit(host)
    other.move(0, 40)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    for x in (12, 40, 70):  # on the day, the month, the year
        other.setFocus()
        qtbot.waitUntil(other.hasFocus)
        qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(x, edit.height() // 2))
        qtbot.keyClicks(edit, "12032027")
        assert edit.date().toString("dd/MM/yyyy") == "12/03/2027", f"clicked at x={x}"


def test_printed_documents_say_their_language() -> None:
    """A screen reader reads a PDF in the language its catalogue names (WCAG 3.1.1)."""
    import io

    from pypdf import PdfReader
    from reportlab.platypus import Paragraph

    from reports.base import build_pdf, make_styles

    pdf = build_pdf([Paragraph("Family action plan", make_styles().body)], title="Plan")
    catalogue = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert catalogue.get("/Lang") == "en-GB"


# ---- focus is visible ------------------------------------------------------------------------


def _palette(window: str, text: str, base: str, highlight: str) -> QPalette:

    palette = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.Highlight, highlight),
    ):
        palette.setColor(role, QColor(value))
    return palette


FOCUS_PALETTES = {
    "light": ("#efefef", "#000000", "#ffffff", "#308cc6"),
    "dark": ("#2d2d2d", "#ffffff", "#1e1e1e", "#2a82da"),
    "grey dark": ("#3c3f41", "#bbbbbb", "#2b2b2b", "#4b6eaf"),
}


@pytest.mark.parametrize("name", FOCUS_PALETTES)
def test_the_dashboard_bar_with_focus_is_framed_visibly(qtbot, name: str) -> None:
    """The programme dashboard's bars are painted by hand (the only custom-painted control
    that takes focus; the Star chart is a picture Tab does not stop at): the bar with focus
    is framed at 3:1 or more against what the chart is painted on, the page behind it, in a
    light and a dark palette (WCAG 2.4.7, 1.4.11; its fill was 1.07:1)."""
    from fmdesk.programme import Chart, Figure, Section
    from ui.kit.colours import contrast
    from ui.record.star.chart import StarChartWidget
    from ui.workspace.programme import BarChart

    host = QWidget()
    host.setPalette(_palette(*FOCUS_PALETTES[name]))
    qtbot.addWidget(host)
    section = Section(
        "worked",
        "Families worked with",
        Chart.TARGET,
        (Figure("worked", "Worked with", 40, (), target=60), Figure("turned", "Turned", 9, ())),
    )
    chart = BarChart(section, host)
    chart.resize(700, chart.height())
    host.resize(720, chart.height() + 20)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(chart.hasFocus)
    image = host.grab().toImage()
    top, _height = chart.rows()[0]
    label_width, _left, _bar_width = chart._layout()
    frame = image.pixelColor(int(label_width) + 4, top + 1)  # the frame's top edge
    behind = image.pixelColor(int(label_width) + 4, top + 4)  # just inside it: the page
    assert contrast(frame, behind) >= 3.0, (
        f"{name}: focus frame {frame.name()} on {behind.name()}: {contrast(frame, behind):.2f}:1"
    )
    # The Star chart is the other painted widget: it takes no focus, so has none to show.
    star = StarChartWidget(host)
    assert star.focusPolicy() == Qt.FocusPolicy.NoFocus
