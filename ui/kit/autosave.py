"""The one autosave mechanism: save when the typing pauses, or at once when asked.

Every editor that saves without a Save button owns an `Autosave`. It calls `touch()` after each
edit and `flush()` before anything that must not lose an edit (switching records, lock, close);
`save` runs once per pause, on the GUI thread, and hands the change to a Task.

The pending flag is kept here rather than read from the timer: a single-shot QTimer is no
longer active inside its own timeout slot, which once made three editors skip their saves.
"""

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

AUTOSAVE_DELAY_MS = 400


class Autosave(QObject):
    def __init__(
        self, save: Callable[[], None], parent: QObject, delay_ms: int = AUTOSAVE_DELAY_MS
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def pending(self) -> bool:
        """An edit has been made that `save` has not yet been called for."""
        return self._pending

    def touch(self) -> None:
        """An edit was made: save once the user pauses."""
        self._pending = True
        self._timer.start()

    def flush(self) -> None:
        """Save now if an edit is pending."""
        self._timer.stop()
        if not self._pending:
            return
        self._pending = False
        self._save()

    def keep_pending(self) -> None:
        """The save failed: the next flush (not the timer, which would repeat the failure
        every pause) tries again."""
        self._pending = True

    def discard(self) -> None:
        """Forget the pending edit (the editor was cleared or its changes thrown away)."""
        self._timer.stop()
        self._pending = False
