"""The interface a feature tab on the family record implements (assessment, Star, plan, outcomes).

A tab is built with the window's TaskRunner and does its own store work through `Task`s (never on
the GUI thread). The family page calls `show_family()` whenever the family is opened or changes,
`flush()` before lock, close or leaving the family, and `clear()` on lock (forget every name).
Register a tab class in `ui/window/main_window.py: feature_tabs()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from fmdesk.roles import Role
from ui.kit.tasks import TaskRunner

if TYPE_CHECKING:  # db.families pulls in the outcome rules; the window imports it at unlock
    from db.families import FamilyRecord


class FeatureTab(QWidget):
    title = "Feature"
    # Emitted after the tab saved something that other parts of the record show (timeline,
    # caseload columns): the window reloads the family.
    family_changed = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.record: FamilyRecord | None = None

    def show_family(self, record: FamilyRecord) -> None:
        self.record = record

    def flush(self) -> None:
        """Save anything typed but not yet saved."""

    def clear(self) -> None:
        self.record = None


class WorkspacePage(QWidget):
    """A whole page reached from the Go menu (Sync, Programme dashboard, Claims...).

    `roles` says which stores show it. `refresh()` is called each time the page is shown (load
    what it shows through Tasks); `clear()` on lock. Register in `ui/window/main_window.py:
    workspace_pages()`.
    """

    title = "Page"
    shortcut = ""  # e.g. "Ctrl+3"
    roles: tuple[Role, ...] = (Role.PRACTITIONER, Role.COORDINATOR)
    # Ask the window to open a family record (e.g. from a list of families behind a figure).
    open_family = Signal(str)
    # Something changed that the caseload shows: the window reloads it.
    caseload_changed = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner

    def refresh(self) -> None:
        """Called when the page is shown."""

    def clear(self) -> None:
        """Called on lock: forget everything shown."""
