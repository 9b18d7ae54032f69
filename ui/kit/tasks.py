"""The one way to run store and PDF work off the GUI thread, with progress and cancel.

Shaped like Anki's QueryOp: `Task(runner, op, success).failure(f).with_progress("Saving…").run()`.
`op(ctx)` runs on the runner's single worker thread, which owns the open Store (sqlcipher3
connections are thread-bound) and reaches it as `ctx.store`. `success(result)` and `failure(exc)`
run back on the GUI thread. The GUI thread never touches the store.
Tasks run in the order submitted, so a save queued before a lock is written before the lock.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.store import Store
from fmdesk.errors import Cancelled
from fmdesk.progress import CancelToken
from ui.kit.errors import show_error

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


class _Job(NamedTuple):
    op: Callable[[TaskContext], Any]
    success: Callable[[Any], None]
    failure: Callable[[BaseException], None]
    report: Callable[[int, int], None]


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
        self._ids = itertools.count()
        # Each job's callables, and then its outcome, are held here and dropped on the GUI
        # thread. The callables hold widgets and the progress dialog; were the worker thread to
        # drop the last reference to a Qt wrapper, it would free it holding a Qt lock while
        # waiting for the GIL, as the GUI thread, holding the GIL, waits for that lock (a hang
        # seen in the UI tests, in QStatusBar.showMessage).
        self._jobs: dict[int, _Job] = {}
        self._outcomes: dict[int, tuple[bool, Any]] = {}
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
        job_id = next(self._ids)
        self._jobs[job_id] = _Job(op, success, failure, report)
        self._executor.submit(self._work, job_id, cancel)

    def _work(self, job_id: int, cancel: CancelToken) -> None:
        """On the worker thread: run the job's op, leave its outcome for the GUI thread and
        keep no reference to anything the job holds."""
        run = self._jobs[job_id].op
        ctx = TaskContext(self, cancel, functools.partial(self._progress, job_id))
        try:
            outcome: tuple[bool, Any] = (True, run(ctx))
        except BaseException as exc:
            outcome = (False, exc)
        self._outcomes[job_id] = outcome
        del run, ctx, outcome
        self._deliver.emit(functools.partial(self._end, job_id))

    def _progress(self, job_id: int, done: int, total: int) -> None:
        self._deliver.emit(functools.partial(self._report, job_id, done, total))

    def _report(self, job_id: int, done: int, total: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.report(done, total)

    def _end(self, job_id: int) -> None:
        job = self._jobs.pop(job_id)
        succeeded, value = self._outcomes.pop(job_id)
        self._finish(lambda: job.success(value) if succeeded else job.failure(value))

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
            dialog = QProgressDialog(
                self._label, "Cancel" if self._cancellable else "", 0, 0, self._parent
            )
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
