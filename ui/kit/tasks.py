"""The one way to run store and PDF work off the GUI thread, with progress, cancel and one change
signal.

Shaped like Anki's QueryOp/CollectionOp: `Task(runner, op, success).failure(f).with_progress(
"Saving…").run()`. `op(ctx)` runs on the runner's single worker thread, which owns the open Store
(sqlcipher3 connections are thread-bound) and reaches it as `ctx.store`. `success(result)` and
`failure(exc)` run back on the GUI thread. The GUI thread never touches the store.
Tasks run in the order submitted, so a save queued before a lock is written before the lock, and
a read queued after a save sees it.

After each job the runner asks the store what its writes touched (fmdesk/changes.py) and, on the
GUI thread, emits `changed(changes, initiator)` once: every screen reloads only when a kind it
shows changed, and the screen that made the change (the task's `parent`, the initiator) can skip
reloading what it already shows (Anki's `operation_did_execute(changes, handler)`).

How results cross back (Anki's taskman `run_on_main`): the worker never emits a signal with a
payload and never drops the last reference to anything a job holds. A job's callables and then
its outcome are kept in the runner; the worker appends a plain closure to a list under a lock
and emits `_wake`, a signal that carries nothing; the GUI thread takes the list and runs it, and
so releases everything a job held (widgets, the progress dialog, a failure's traceback) on the
GUI thread. (The worker once freed those Qt wrappers itself, holding a Qt lock while waiting for
the GIL: a hang in the UI tests.)
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import threading
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.store import Store
from fmdesk.changes import Changes
from fmdesk.errors import Cancelled
from fmdesk.progress import CancelToken
from ui.kit.errors import show_error

T = TypeVar("T")


class TaskContext:
    """What an op sees on the worker thread."""

    def __init__(
        self, runner: TaskRunner, cancel: CancelToken, report: Callable[[int, int], None]
    ) -> None:
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
    initiator: object
    # Held here, not in the executor's work item: a progress dialog's `canceled` is connected
    # to it, and PySide keeps a receiver object for that connection which it destroys when the
    # token goes. Were the work item the last to hold it, that Qt object would be destroyed on
    # the worker thread as the executor lets the item go (the suite segfaulted there, in
    # concurrent/futures/thread.py `del work_item`, twice in ten runs).
    cancel: CancelToken


class _Outcome(NamedTuple):
    succeeded: bool
    value: Any
    changes: Changes


class TaskRunner(QObject):
    """Owns the worker thread and the store on it. One per application window."""

    # Emitted on the GUI thread after a job whose writes changed something: (Changes, the
    # widget that started the job or None).
    changed = Signal(object, object)
    busy_changed = Signal(bool)
    _wake = Signal()  # carries nothing: closures wait in _closures

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store")
        self._store: Store | None = None
        self._pending = 0
        self._closed = False
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._closures: list[Callable[[], None]] = []
        self._jobs: dict[int, _Job] = {}
        self._outcomes: dict[int, _Outcome] = {}
        self._wake.connect(self._run_closures, Qt.ConnectionType.QueuedConnection)

    # ---- the handoff to the GUI thread ----------------------------------------------------

    def _run_on_main(self, closure: Callable[[], None]) -> None:
        """From any thread: run `closure` on the GUI thread, soon."""
        with self._lock:
            self._closures.append(closure)
        self._wake.emit()

    def _run_closures(self) -> None:
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            closure()

    # ---- jobs ------------------------------------------------------------------------------

    def submit(
        self,
        op: Callable[[TaskContext], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None],
        cancel: CancelToken,
        report: Callable[[int, int], None],
        initiator: object = None,
    ) -> None:
        if self._closed:  # the window is closing: follow-up reads have nobody to show them to
            return
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        job_id = next(self._ids)
        self._jobs[job_id] = _Job(op, success, failure, report, initiator, cancel)
        # The work item holds the job's number only: everything the job holds is let go on the
        # GUI thread, in _end.
        self._executor.submit(self._work, job_id)

    def _work(self, job_id: int) -> None:
        """On the worker thread: run the job's op, leave its outcome for the GUI thread and
        keep no reference to anything the job holds."""
        job = self._jobs[job_id]
        run = job.op
        ctx = TaskContext(self, job.cancel, functools.partial(self._progress, job_id))
        del job
        try:
            value: Any = run(ctx)
            succeeded = True
        except BaseException as exc:
            value, succeeded = exc, False
        changes = self._store.take_changes() if self._store is not None else Changes()
        self._outcomes[job_id] = _Outcome(succeeded, value, changes)
        del run, ctx, value
        self._run_on_main(functools.partial(self._end, job_id))

    def _progress(self, job_id: int, done: int, total: int) -> None:
        self._run_on_main(functools.partial(self._report, job_id, done, total))

    def _report(self, job_id: int, done: int, total: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.report(done, total)

    def _end(self, job_id: int) -> None:
        job = self._jobs.pop(job_id, None)
        outcome = self._outcomes.pop(job_id, None)
        if job is None or outcome is None:  # dropped by shutdown
            return
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if outcome.succeeded:
            job.success(outcome.value)
        else:
            job.failure(outcome.value)
        if outcome.changes and not self._closed:
            self.changed.emit(outcome.changes, job.initiator)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        """Finish queued work, close the store, stop the thread (on quit). On the GUI thread."""

        def close() -> None:
            store, self._store = self._store, None
            if store is not None:
                store.close()

        if self._closed:
            return
        self._closed = True
        self._executor.submit(close)
        self._executor.shutdown(wait=True)
        # What the finished jobs held goes here, on the GUI thread, not with the runner's
        # wrapper at exit (the closures left undelivered hold only the runner and job ids).
        with self._lock:
            self._closures.clear()
        self._jobs.clear()
        self._outcomes.clear()


class Task(Generic[T]):
    def __init__(
        self,
        runner: TaskRunner,
        op: Callable[[TaskContext], T],
        success: Callable[[T], None] = lambda _: None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        """`parent` is where the progress and error dialogs show, and the initiator named
        with the changes the op's writes make."""
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

        self._runner.submit(self._op, on_success, on_failure, cancel, report, self._parent)
