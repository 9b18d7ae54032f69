"""Progress reporting and cancellation for long jobs, with no Qt.

Core and store functions that may take more than a moment take `progress` and `cancel`
keyword arguments. The UI's task runner passes a callback that emits a Qt signal and a token
its Cancel button sets; the command line and the tests pass nothing.
"""

import threading
from typing import Protocol

from fmdesk.errors import Cancelled


class Progress(Protocol):
    def __call__(self, done: int, total: int, /) -> None: ...


def no_progress(done: int, total: int) -> None:
    """The default progress callback: reports to nobody."""


class CancelToken:
    """Set from any thread; checked by the worker between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()
