"""What a feature tab on the family record (assessment, Star, plan, outcomes) and a workspace
page (Sync, Programme...) implement, and the one way they read and write.

Change signal: after every job the task runner emits `changed(changes, initiator)`
(ui/kit/tasks.py). The window hands it to each tab's `on_changes`, which reloads only when the
changes touch a kind the tab `shows` for the family it shows, and never for the tab's own writes
(it already shows them). A tab that is hidden when its kinds change reloads when it is next shown.

Reads and writes: `read(op, apply)` and `write(op, then)` run Tasks with the tab as initiator. A
read whose result arrives after the tab queued a write is older than what the tab shows, so it is
dropped and asked for again (the new read queues after the write and sees it); a read for a
family no longer shown is dropped. This is the one stale-read rule for every tab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk.changes import Changes
from fmdesk.records import Record
from fmdesk.roles import Role
from ui.kit.errors import show_error
from ui.kit.tasks import Task, TaskContext, TaskRunner

if TYPE_CHECKING:  # db.families pulls in the outcome rules; the window imports it at unlock
    from db.families import FamilyRecord

T = TypeVar("T")


def kinds(*classes: type[Record] | str) -> frozenset[str]:
    """The record kinds (KIND) of `classes`, for a tab's `shows`; strings are taken as kinds."""
    return frozenset(c if isinstance(c, str) else c.KIND for c in classes)


def started_by(widget: QWidget, initiator: object) -> bool:
    """Whether `initiator` (a job's parent widget) is `widget` or inside it."""
    return initiator is widget or (
        isinstance(initiator, QWidget) and widget.isAncestorOf(initiator)
    )


class FeatureTab(QWidget):
    """A tab on the family record. Register a class in ui/window/main_window.py feature_tabs().

    The family page calls `open_family(record)` when a family is opened, `on_changes` after
    every write, `update_record(record)` when the family or its people changed (no reload:
    tabs that show those kinds reload through on_changes), `flush()` before lock, close or
    leaving the family, and `clear()` on lock (forget every name)."""

    title = "Feature"
    # The record kinds this tab shows (kinds(...)): it reloads when one of them changes.
    shows: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.record: FamilyRecord | None = None
        self._writes = 0  # writes queued by this tab so far: a read older than one is dropped
        self._stale = False

    # ---- the family page's calls ---------------------------------------------------------

    def open_family(self, record: FamilyRecord) -> None:
        """A family was opened (or the same one opened again): show it."""
        if self.record is not None and self.record.family.id != record.family.id:
            self.flush()
        self.record = record
        self._stale = False
        self.reload()

    def update_record(self, record: FamilyRecord) -> None:
        """The family or its people changed: keep the latest to hand, without reloading."""
        if self.record is not None and self.record.family.id == record.family.id:
            self.record = record

    def on_changes(self, changes: Changes, initiator: object) -> None:
        if self.record is None or started_by(self, initiator):
            return
        if not changes.touches(self.shows, self.record.family.id):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.record is not None:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Read what the tab shows for `self.record` (through `read`)."""

    def flush(self) -> None:
        """Save anything typed but not yet saved."""

    def clear(self) -> None:
        self.record = None
        self._stale = False

    # ---- reading and writing ---------------------------------------------------------------

    def read(self, op: Callable[[TaskContext], T], apply: Callable[[T], None]) -> None:
        """Run `op` and `apply` its result, unless the family changed meanwhile; a result
        older than a write this tab queued after asking is dropped and read again."""
        if self.record is None:
            return
        family_id, writes = self.record.family.id, self._writes

        def done(result: T) -> None:
            if self.record is None or self.record.family.id != family_id:
                return  # locked, or another family opened meanwhile
            if self._writes != writes:
                self.read(op, apply)  # queued after those writes, so it sees them
                return
            apply(result)

        Task(self.runner, op, done, parent=self).run()

    def write(
        self,
        op: Callable[[TaskContext], T],
        then: Callable[[T], None] | None = None,
        *,
        label: str | None = None,
        failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Queue a write. On failure `failure` runs, or else the error is shown and the tab
        reloads, to show what the store really holds."""
        self._writes += 1

        def failed(exc: BaseException) -> None:
            show_error(self, exc)
            self.reload()

        task = Task(self.runner, op, then or (lambda _: None), parent=self)
        task.failure(failure or failed)
        if label:
            task.with_progress(label)
        task.run()


class WorkspacePage(QWidget):
    """A whole page reached from the Go menu (Sync, Programme dashboard, Claims...).

    `roles` says which stores show it. `refresh()` is called each time the page is shown (load
    what it shows through Tasks) and when a write by another screen changes a kind it `shows`
    while it is on screen; `clear()` on lock. Register in ui/window/main_window.py
    workspace_pages().
    """

    title = "Page"
    shortcut = ""  # e.g. "Ctrl+3"
    roles: tuple[Role, ...] = (Role.PRACTITIONER, Role.COORDINATOR)
    # Kinds whose change (by another screen, while this page shows) calls refresh(); the
    # empty set means every kind.
    shows: ClassVar[frozenset[str]] = frozenset()
    # Ask the window to open a family record (e.g. from a list of families behind a figure).
    open_family = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner

    def on_changes(self, changes: Changes, initiator: object) -> None:
        if not self.isVisible() or started_by(self, initiator):
            return
        if not self.shows or changes.touches(self.shows):
            self.refresh()

    def refresh(self) -> None:
        """Called when the page is shown."""

    def clear(self) -> None:
        """Called on lock: forget everything shown."""
