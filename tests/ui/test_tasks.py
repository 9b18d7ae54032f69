"""The background-work runner: what a job holds is let go on the GUI thread, never on the worker.

A job's callables hold widgets and its progress dialog. Were the worker thread to drop the last
reference to a Qt wrapper, it would free it holding a Qt lock while it waits for the GIL, as the
GUI thread, holding the GIL, waits for that lock: the app hangs (seen once in CI, in
QStatusBar.showMessage after a PDF was saved)."""

import gc
import threading
import weakref

from PySide6.QtWidgets import QLabel

from fmdesk.progress import CancelToken
from ui.kit.tasks import Task, TaskRunner


class Held:
    """Stands for a widget a job's callables capture; records the thread that frees it."""


def freed_on(held: Held) -> list[str]:
    threads: list[str] = []
    weakref.finalize(held, lambda: threads.append(threading.current_thread().name))
    return threads


def test_what_the_op_and_callbacks_hold_is_freed_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner()
    in_op, in_success = Held(), Held()
    op_freed, success_freed = freed_on(in_op), freed_on(in_success)
    results: list[int] = []

    def op(ctx, held=in_op) -> int:
        ctx.progress(1, 2)
        return 42

    def success(value: int, held=in_success) -> None:
        results.append(value)

    runner.submit(op, success, lambda exc: None, CancelToken(), lambda done, total: None)
    del op, success, in_op, in_success
    qtbot.waitUntil(lambda: results == [42])
    qtbot.waitUntil(lambda: bool(op_freed) and bool(success_freed))
    gc.collect()
    assert op_freed == success_freed == [threading.main_thread().name]
    runner.shutdown()


def test_a_failing_job_reaches_its_failure_handler_and_its_traceback_is_freed_on_the_gui_thread(
    qtbot,
) -> None:
    runner = TaskRunner()
    held = Held()
    freed = freed_on(held)
    failures: list[str] = []

    def op(ctx, widget_like: Held = held) -> None:
        # `widget_like` is a local of the failing frame, kept alive by the traceback.
        raise ValueError(f"no good {type(widget_like).__name__}")

    runner.submit(
        op,
        lambda _: None,
        lambda exc: failures.append(str(exc)),
        CancelToken(),
        lambda done, total: None,
    )
    del op, held
    qtbot.waitUntil(lambda: failures == ["no good Held"])
    qtbot.waitUntil(lambda: bool(freed))
    assert freed == [threading.main_thread().name]
    runner.shutdown()


def test_a_task_with_progress_shows_its_result_and_closes_its_dialog(qtbot) -> None:
    runner = TaskRunner()
    parent = QLabel()
    qtbot.addWidget(parent)
    seen: list[str] = []
    Task(runner, lambda ctx: "saved", seen.append, parent=parent).with_progress("Saving…").run()
    qtbot.waitUntil(lambda: seen == ["saved"])
    assert not runner.busy
    runner.shutdown()


def test_the_cancel_token_is_freed_on_the_gui_thread(qtbot) -> None:
    """A progress dialog's Cancel is connected to the job's token, and PySide destroys the Qt
    receiver of that connection when the token goes: the token must go on the GUI thread too.
    (The suite segfaulted in the worker's `del work_item` while it held the last reference.)"""
    runner = TaskRunner()
    token = CancelToken()
    token_freed: list[str] = []
    weakref.finalize(token, lambda: token_freed.append(threading.current_thread().name))
    results: list[int] = []
    runner.submit(lambda ctx: 7, results.append, lambda exc: None, token, lambda d, t: None)
    del token
    qtbot.waitUntil(lambda: results == [7])
    qtbot.waitUntil(lambda: bool(token_freed))
    assert token_freed == [threading.main_thread().name]
    runner.shutdown()
