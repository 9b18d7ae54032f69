"""Showing a list of items in a table and the chosen one in its editor, as every panel of the Plan
tab does: the row chosen before stays chosen, and an editor holding unsaved typing keeps it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from PySide6.QtWidgets import QTableView

from fmdesk.records import Record
from ui.kit.forms import RecordForm
from ui.kit.models import RowTableModel
from ui.record.plan.editors import AutosaveEditor

T = TypeVar("T")


def index_of(rows: Sequence[Any], ident: str | None) -> int | None:
    """Where the item with id `ident` is in `rows`, or None."""
    return next((i for i, r in enumerate(rows) if r.id == ident), None)


def select_row(
    view: QTableView,
    model: RowTableModel[T],
    rows: list[T],
    ident: str | None,
    *,
    first: bool = True,
) -> T | None:
    """List `rows` and select the one with id `ident` (else the first, if `first`); returns the
    item selected."""
    model.set_rows(rows)
    index = index_of(rows, ident)
    if index is None and rows and first:
        index = 0
    if index is None:
        return None
    view.selectRow(index)
    return rows[index]


def show_in_editor(editor: AutosaveEditor | RecordForm, item: Any, read_only: bool) -> None:
    """Show `item` in an editor, unless it holds unsaved typing for that same item."""
    shown = editor.item if isinstance(editor, AutosaveEditor) else editor.record
    same = shown is not None and item is not None and shown.id == item.id
    if not (same and editor.dirty) and not same_content(shown, item):
        editor.load(item, read_only=read_only)
    editor.setEnabled(item is not None and not read_only)


def same_content(a: Any, b: Any) -> bool:
    """Equal apart from the store's revision stamp (which changes on every save)."""
    if isinstance(a, Record) and isinstance(b, Record):
        return a == b.replace(revision=a.revision)
    return a == b
