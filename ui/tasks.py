"""The one way to run store and PDF work off the GUI thread, with progress and cancel.

Shaped like Anki's QueryOp: `Task(runner, op, success).failure(f).with_progress("Saving…").run()`.
`op(ctx)` runs on the runner's single worker thread, which owns the open Store (sqlcipher3
connections are thread-bound) and reaches it as `ctx.store`. `success(result)` and `failure(exc)`
run back on the GUI thread. The GUI thread never touches the store.
Tasks run in the order submitted, so a save queued before a lock is written before the lock.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.store import Store
from fmdesk.errors import Cancelled
from fmdesk.progress import CancelToken
from ui.errors import show_error

T = TypeVar("T")


class TaskContext:
    """What an op sees on the worker thread."""

    def __init__(self, runner: TaskRunner, cancel: CancelToken, report: Callable[[int, int], None]):
        self._runner = runner
        self.cancel = cancel
        self.progress = report

    @property
    def store(self) -> Store:
        if self._runner._store is None:
            raise Cancelled()  # locked meanwhile: the job is dropped, silently
        return self._runner._store

    def set_store(self, store: Store | None) -> None:
        """Only on the worker thread: hand over (or drop) the open store."""
        old = self._runner._store
        if old is not None and old is not store:
            old.close()
        self._runner._store = store

    @property
    def has_store(self) -> bool:
        return self._runner._store is not None


class TaskRunner(QObject):
    """Owns the worker thread and the store on it. One per application window."""

    _deliver = Signal(object)  # a callable to run on the GUI thread
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store")
        self._store: Store | None = None
        self._pending = 0
        self._closed = False
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    def _on_deliver(self, fn: Callable[[], None]) -> None:
        fn()

    def submit(
        self,
        op: Callable[[TaskContext], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None],
        cancel: CancelToken,
        report: Callable[[int, int], None],
    ) -> None:
        if self._closed:  # the window is closing: follow-up reads have nobody to show them to
            return
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def work() -> None:
            ctx = TaskContext(self, cancel, lambda d, t: self._deliver.emit(lambda: report(d, t)))
            try:
                result = op(ctx)
            except BaseException as exc:
                error = exc  # `exc` is unbound when the except block ends; the lambda runs later
                self._deliver.emit(lambda: self._finish(lambda: failure(error)))
            else:
                self._deliver.emit(lambda: self._finish(lambda: success(result)))

        self._executor.submit(work)

    def _finish(self, then: Callable[[], None]) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        then()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        """Finish queued work, close the store, stop the thread (on quit)."""

        def close(ctx: TaskContext) -> None:
            ctx.set_store(None)

        if self._closed:
            return
        self._closed = True
        self._executor.submit(lambda: close(TaskContext(self, CancelToken(), lambda d, t: None)))
        self._executor.shutdown(wait=True)


class Task(Generic[T]):
    def __init__(
        self,
        runner: TaskRunner,
        op: Callable[[TaskContext], T],
        success: Callable[[T], None] = lambda _: None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        self._runner = runner
        self._op = op
        self._success = success
        self._parent = parent
        self._failure: Callable[[BaseException], None] | None = None
        self._label: str | None = None
        self._cancellable = False

    def failure(self, handler: Callable[[BaseException], None]) -> Task[T]:
        self._failure = handler
        return self

    def with_progress(self, label: str, *, cancellable: bool = False) -> Task[T]:
        self._label = label
        self._cancellable = cancellable
        return self

    def run(self) -> None:
        cancel = CancelToken()
        dialog: QProgressDialog | None = None
        if self._label is not None:
            dialog = QProgressDialog(self._label, "Cancel" if self._cancellable else "", 0, 0,
                                     self._parent)
            dialog.setWindowTitle("fmdesk")
            dialog.setAccessibleName(self._label)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)  # quick jobs never flash a dialog
            if not self._cancellable:
                dialog.setCancelButton(None)
            dialog.canceled.connect(cancel.cancel)
            dialog.setValue(0)

        def report(done: int, total: int) -> None:
            if dialog is not None:
                dialog.setMaximum(max(total, 1))
                dialog.setValue(done)

        def close_dialog() -> None:
            if dialog is not None:
                # Deferred, so a dialog closing never re-enters the slot that ended the task.
                QTimer.singleShot(0, dialog.deleteLater)
                dialog.reset()

        def on_success(result: T) -> None:
            close_dialog()
            self._success(result)

        def on_failure(exc: BaseException) -> None:
            close_dialog()
            if self._failure is not None:
                self._failure(exc)
            else:
                show_error(self._parent, exc)

        self._runner.submit(self._op, on_success, on_failure, cancel, report)
