"""Small widget builders every screen shares, so tables, buttons and dates look and behave alike."""

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.kit.models import ROW_ROLE, RowFilterProxy, RowTableModel


def record_table(parent: QWidget | None, name: str) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, columns fit their text."""
    view = QTableView(parent)
    view.setAccessibleName(name)
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


def action_button(parent: QWidget, text: str, shortcut: str = "", tip: str = "") -> QPushButton:
    """A button with an accessible name, a shortcut that works anywhere in `parent`, and a
    tooltip that names the shortcut."""
    button = QPushButton(text, parent)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.setMinimumHeight(32)  # the family often looks at the screen with the keyworker
    if shortcut:
        QShortcut(
            QKeySequence(shortcut),
            parent,
            button.click,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        tip = f"{tip} ({shortcut})" if tip else shortcut
    if tip:
        button.setToolTip(tip)
    return button


def date_edit(parent: QWidget, name: str) -> QDateEdit:
    """A day-month-year date with a calendar, starting at today."""
    edit = QDateEdit(QDate.currentDate(), parent)
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
