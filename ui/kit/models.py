"""Table models over immutable domain objects: one generic model, columns as data.

Each list in the app is a `RowTableModel` with its own column tuple (see `CASELOAD_COLUMNS` and
friends in the screens). `set_rows()` replaces the rows inside begin/endResetModel; the objects are
frozen dataclasses, so the view can never edit them behind the store's back. Sorting uses
the model: it sorts its own rows in Python (`RowTableModel.sort`), and filters are
`RowFilterProxy` subclasses that pass sorting down to it rather than sorting themselves. A
QSortFilterProxyModel sorting 3,000 rows calls `data()` ~40,000 times; list.sort takes
milliseconds (benchmarks/bench_app.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

T = TypeVar("T")

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the domain object behind a row

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    value: Callable[[T], Any]
    # Text shown; default: str of the value, dates as 1 Jan 2026, None as blank.
    text: Callable[[Any], str] | None = None
    align_right: bool = False
    tooltip: Callable[[T], str] | None = None
    # What the column sorts by, when not its value (a summary shown as words).
    sort_key: Callable[[Any], Any] | None = None


def show_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return "" if value is None else str(value)


def _sort_key(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.label if hasattr(value, "label") else value.value).casefold()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value).casefold()


class RowTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[T] = []
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace the rows, kept in the order the user last sorted by."""
        self.beginResetModel()
        self._rows = list(rows)
        if self._sorted_by is not None:
            column, order = self._sorted_by
            descending = order == Qt.SortOrder.DescendingOrder
            self._rows.sort(key=self._row_key(column), reverse=descending)
        self.endResetModel()

    def update_rows(self, rows: Sequence[T]) -> None:
        """Replace the rows with new values of the same rows in the same order (a column
        filled in later): the selection and scroll position stay where they are."""
        if len(rows) != len(self._rows):
            self.set_rows(rows)
            return
        self._rows = list(rows)
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T:
        return self._rows[row]

    @override
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    @override
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        item = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            value = column.value(item)
            return column.text(value) if column.text else show_date(value)
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(item)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by a column's value (numbers before text, blanks first), keeping the
        selection and every other persistent index on the same rows."""
        if not 0 <= column < len(self._columns):
            return
        self._sorted_by = (column, order)
        key = self._row_key(column)
        self.layoutAboutToBeChanged.emit()
        order_of = sorted(
            range(len(self._rows)),
            key=lambda i: key(self._rows[i]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [self._rows[i] for i in order_of]
        new_row = {old: new for new, old in enumerate(order_of)}
        old_indexes = self.persistentIndexList()
        self.changePersistentIndexList(
            old_indexes,
            [self.index(new_row[i.row()], i.column()) for i in old_indexes],
        )
        self.layoutChanged.emit()

    def _row_key(self, column: int) -> Callable[[T], tuple[bool, Any]]:
        value = self._columns[column].value
        by = self._columns[column].sort_key or _sort_key

        def key(item: T) -> tuple[bool, Any]:
            k = by(value(item))
            return isinstance(k, str), k  # numbers before text, so mixed columns still sort

        return key


class RowFilterProxy(QSortFilterProxyModel):
    """The base of every filter over a `RowTableModel`: it filters, and hands sorting down to
    the model (through any proxies in between), so it keeps its source's order."""

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
