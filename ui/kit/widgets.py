"""Small widget builders every screen shares, so tables, buttons and dates look and behave alike."""

import calendar
import datetime as dt
import re
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QSize, Qt
from PySide6.QtGui import (
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QResizeEvent,
    QShortcut,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk import dates
from ui.kit.models import ROW_ROLE, RowFilterProxy, RowTableModel


def keep_none_and_bools_alive() -> None:
    """Make None, True and False immortal, as Python 3.12 does, on Python 3.11.

    PySide6 6.12 hands back None from every method that returns nothing (QLabel.setText,
    QLayout.invalidate, QCheckBox.setChecked...) without taking a reference to it, as if None were
    immortal, which it is only from Python 3.12: on 3.11 each such call takes one from None's
    count (measured: 1000 calls of setText, None's count 1000 lower; a pure Python function 0).
    The app makes hundreds of them a second, so None (or True/False, the same way) reached a
    count of 0 and the interpreter died: "Fatal Python error: bool_dealloc" (or none_dealloc) on
    closing the window, reproduced by opening and closing the window 25 times under
    `python -X dev`, and by 3000 layout passes in a script of a few lines. With a count no leak
    can use up (2^40), the objects are never freed, as on 3.12. Called once, on import of this
    module, before any widget is made."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for singleton in (None, True, False):
        # A CPython object starts with its reference count (Py_ssize_t ob_refcnt).
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < 1 << 40:
            count.value += 1 << 40


keep_none_and_bools_alive()


def record_table(parent: QWidget | None, name: str) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, columns fit their text."""
    view = QTableView(parent)
    view.setAccessibleName(name)
    # Tab leaves the table for the next control (arrow keys move between cells): a table that
    # kept Tab trapped the keyboard on 11 pages (WCAG 2.1.1, 2.1.2).
    view.setTabKeyNavigation(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Fit to the rows on screen only, so that long lists stay fast.
    view.horizontalHeader().setResizeContentsPrecision(0)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def stretch_column(view: QTableView, column: int) -> None:
    """Give the wordy column the spare width rather than the last one."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


def ask(
    parent: QWidget,
    title: str,
    question: str,
    *,
    go: str,
    stay: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> bool:
    """Ask before going on: True when the user chooses `go`. `stay` (keep what is there, go
    back) is the default and what Esc gives, so a stray Enter or Esc never loses work."""
    box = QMessageBox(icon, title, question, QMessageBox.StandardButton.NoButton, parent)
    chosen = box.addButton(go, QMessageBox.ButtonRole.AcceptRole)
    back = box.addButton(stay, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    return box.clickedButton() is chosen


def plain(text: str) -> str:
    """A control's text without its mnemonic marker and trailing ellipsis, for names."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut(
    keys: QKeySequence | QKeySequence.StandardKey | Qt.Key | str,
    parent: QWidget,
    slot: Callable[[], object],
    description: str,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
) -> QShortcut:
    """A keyboard shortcut that works while focus is in `parent` (by default), named by
    `description` for Help → Keyboard shortcuts (kept as the shortcut's whatsThis).

    The context is set after construction: PySide6 6.x ignores a `context=` keyword given to
    QShortcut's constructor together with a slot, and every shortcut became a window-wide one."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    made = QShortcut(sequence, parent)
    made.setContext(context)
    made.setWhatsThis(description)
    made.activated.connect(slot)
    return made


def action_button(
    parent: QWidget, text: str, shortcut_keys: str = "", tip: str = ""
) -> QPushButton:
    """A button with an accessible name, a shortcut that works anywhere in `parent`, and a
    tooltip that names the shortcut."""
    button = QPushButton(text, parent)
    button.setAccessibleName(plain(text))
    button.setMinimumHeight(32)  # the family often looks at the screen with the keyworker
    if shortcut_keys:
        shortcut(shortcut_keys, parent, button.click, plain(text))
        tip = f"{tip} ({shortcut_keys})" if tip else shortcut_keys
    if tip:
        button.setToolTip(tip)
    return button


class DateEdit(QDateEdit):
    """A day-month-year date that can be typed straight after a click: the click that brings
    focus selects the day, so typing 12032027 gives 12/03/2027 wherever the click landed (it
    used to type into whichever part was under the pointer, giving 12/03/2026).

    A date that is not a day of the calendar is refused, not changed: Qt would make 31/02/2027
    into 28/02/2027 as the month was typed; here the typed text stays as typed (the date keeps
    its last real value) and `problem()` says why (fmdesk/dates.py), for the form to show.
    `happened` marks the date of something that has happened, which cannot be in the future
    (the forms check it with fmdesk.dates.happened)."""

    def __init__(self, date: QDate, parent: QWidget | None = None) -> None:
        super().__init__(date, parent)
        self._focus_by_click = False
        self._refused = ""
        self.happened = False

    def problem(self) -> str:
        """Why the date typed last is not a date ("" when it is one)."""
        return dates.impossible(self._refused) if self._refused else ""

    @override
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if dates.impossible(text):
            self._refused = text
            return QValidator.State.Intermediate, text, pos
        if _no_day_yet(text):  # 31/02/2 while the year is typed: Qt would make it 28/02
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A new key starts a new attempt; validate() refuses it again if it is no date.
        if event.text() or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._refused = ""
        super().keyPressEvent(event)

    @override
    def stepBy(self, steps: int) -> None:
        self._refused = ""
        super().stepBy(steps)

    def set_day(self, day: dt.date) -> None:
        self._refused = ""
        self.setDate(QDate(day.year, day.month, day.day))

    def day(self) -> dt.date:
        return self.date().toPython()  # type: ignore[return-value]

    @override
    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._focus_by_click = event.reason() == Qt.FocusReason.MouseFocusReason

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._focus_by_click:
            self._focus_by_click = False
            self.setSelectedSection(QDateEdit.Section.DaySection)


_PARTS = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{0,3})$")


def _no_day_yet(text: str) -> bool:
    """A day and month that may make no date, before the year is whole (31/02/20, 29/02/20)."""
    match = _PARTS.match(text.strip())
    if match is None:
        return False
    day, month = int(match.group(1)), int(match.group(2))
    limit = 28 if month == 2 else calendar.monthrange(2000, month)[1] if 1 <= month <= 12 else 0
    return 1 <= month <= 12 and day > limit


def date_problem(edit: QDateEdit, what: str, today: dt.date | None = None) -> str:
    """What is wrong with the date in `edit` ("" when nothing): not a day of the calendar, or,
    for the date of something that happened, after today."""
    if isinstance(edit, DateEdit):
        found = edit.problem()
        if found:
            return found
        if edit.happened:
            day: dt.date = edit.date().toPython()  # type: ignore[assignment]
            return dates.happened(day, today or dt.date.today(), what)
    return ""


def date_edit(
    parent: QWidget, name: str, day: dt.date | None = None, *, happened: bool = False
) -> DateEdit:
    """A day-month-year date with a calendar, starting at `day` (today when not given);
    `happened`: the date of something that has happened, which cannot be after today."""
    start = QDate.currentDate() if day is None else QDate(day.year, day.month, day.day)
    edit = DateEdit(start, parent)
    edit.happened = happened
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setAccessibleName(name)
    return edit


def column(parent: QWidget, *items: QWidget | QLayout | tuple[QWidget, int] | int) -> QWidget:
    """Widgets and layouts stacked top to bottom with no margin of their own (one side of a
    splitter, usually a list with its buttons under it). `(widget, n)` gives the widget
    stretch n; a bare number is spare space with that stretch."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
        elif isinstance(item, tuple):
            layout.addWidget(*item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return box


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """Buttons left-aligned in a row."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def list_beside_editor(tab: QWidget, list_side: QWidget, editor: QWidget) -> QSplitter:
    """The record screens' shape: the list on the left (wider), its editor on the right,
    filling `tab`."""
    split = QSplitter(tab)
    split.addWidget(list_side)
    split.addWidget(editor)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    QVBoxLayout(tab).addWidget(split)
    return split


def make_table(
    model: RowTableModel[Any], name: str, *, multi: bool = False, stretch: int = 1
) -> QTableView:
    """A sortable, read-only table over `model`, as every list on these pages is; column
    `stretch` (the wordy one) takes the spare width, the others fit their contents."""
    proxy = RowFilterProxy(model)
    proxy.setSourceModel(model)
    table = record_table(None, name)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    if multi:
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    stretch_column(table, stretch)
    table.setWordWrap(False)
    return table


def selected_rows(table: QTableView) -> list[Any]:
    rows = {i.row() for i in table.selectionModel().selectedRows()}
    return [table.model().index(r, 0).data(ROW_ROLE) for r in sorted(rows)]


class ElidedLabel(QLabel):
    """One line of text that shortens itself with "…" to the room it has, so a long name (a
    200-character family name made the window 2890 px wide) never widens the window. The full
    text is the tooltip and the accessible name; `text()` returns it."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    @override
    def text(self) -> str:
        return self._full

    @override
    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._elide()
        self.updateGeometry()

    @override
    def clear(self) -> None:
        self.setText("")

    @override
    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, hint.height())

    @override
    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("Ab…"), super().minimumSizeHint().height()
        )

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(self.width(), 1)
        )
        super().setText(shown)


class WrappedLabel(QLabel):
    """Word-wrapped text that asks for the height its lines take at the width it has. A
    wrapped QLabel's height for width counts only in layouts that ask for it, and a page in a
    scroll area (`_Fit`) is given its minimum size, which counts one line: inside the Plan's
    sections a long "Helps with" line squashed the action editor's What, Who, By when and
    Status below their height. Its minimum height here is its height for its width, so the page
    scrolls instead."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._asked = -1

    @override
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self.text() or self.width() <= 1:
            return hint
        return QSize(hint.width(), max(hint.height(), self.heightForWidth(self.width())))

    @override
    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed != self._asked:  # the lines changed with the width: ask again
            self._asked = needed
            self.updateGeometry()


def scrolling(content: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """`content` in a frameless scroll area that gives it all the room there is and scrolls
    when the window is smaller than the content needs."""
    area = QScrollArea(parent)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(content)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a container, not a stop for Tab
    return area


class _Fit(QWidget):
    """Holds one page in a scroll area and gives it all the room there is, asking for no more
    than the page's minimum size. A page with word-wrapped text has a height for each width,
    and a scroll area gives such a page its preferred height for the width (every table at
    full height), so the page scrolled when it would have fitted; this holder has no height
    for width of its own."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.page = page
        page.setParent(self)
        page.installEventFilter(self)

    @override
    def hasHeightForWidth(self) -> bool:
        return False

    @override
    def minimumSizeHint(self) -> QSize:
        return self.page.minimumSizeHint().expandedTo(self.page.minimumSize())

    @override
    def sizeHint(self) -> QSize:
        return self.page.sizeHint()

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.page.setGeometry(self.rect())

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.page and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return False


def _unwrap(widget: QWidget | None) -> QWidget | None:
    if isinstance(widget, QScrollArea) and isinstance(widget.widget(), _Fit):
        return widget.widget().page  # type: ignore[union-attr]
    return widget


def _wrap(page: QWidget) -> QScrollArea:
    return scrolling(_Fit(page))


class ScrollingTabs(QTabWidget):
    """Tabs whose pages scroll when the window is smaller than a page needs, so no page sets
    the window's minimum size (the Plan tab made it 894 px tall). Each page sits in its own
    scroll area; `widget`, `currentWidget`, `indexOf` and `setCurrentWidget` speak of the pages
    themselves, as for a plain QTabWidget."""

    @override
    def addTab(self, page: QWidget, label: str) -> int:  # type: ignore[override]  # text only
        return super().addTab(_wrap(page), label)

    @override
    def insertTab(self, index: int, page: QWidget, label: str) -> int:  # type: ignore[override]
        return super().insertTab(index, _wrap(page), label)

    @override
    def widget(self, index: int) -> QWidget:
        return _unwrap(super().widget(index))  # type: ignore[return-value]

    @override
    def currentWidget(self) -> QWidget:
        return _unwrap(super().currentWidget())  # type: ignore[return-value]

    @override
    def indexOf(self, page: QWidget) -> int:
        return next((i for i in range(self.count()) if self.widget(i) is page), -1)

    @override
    def setCurrentWidget(self, page: QWidget) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)


class ScrollingStack(QStackedWidget):
    """The window's pages (caseload, family record, Sync...), each in a scroll area, so the
    window can be made small and a page scrolls rather than growing it; the methods speak of
    the pages themselves, as ScrollingTabs' do."""

    @override
    def addWidget(self, page: QWidget) -> int:
        return super().addWidget(_wrap(page))

    @override
    def widget(self, index: int) -> QWidget:
        return _unwrap(super().widget(index))  # type: ignore[return-value]

    @override
    def currentWidget(self) -> QWidget:
        return _unwrap(super().currentWidget())  # type: ignore[return-value]

    @override
    def indexOf(self, page: QWidget) -> int:
        return next((i for i in range(self.count()) if self.widget(i) is page), -1)

    @override
    def setCurrentWidget(self, page: QWidget) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)
