"""The one error presenter, and the log.

`show_error(parent, exc)` says what happened and what to do. A UserError's own message is shown;
anything else is a bug: the dialog says so in plain words and the traceback goes to the log file in
the platform's log folder, never to the screen (it may hold family data). Cancelled jobs are silent.
`headless(True)` sends dialogs to the log instead, for smoke tests and the self-test.
"""

import logging
import logging.handlers
import traceback
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from fmdesk.errors import Cancelled, UserError
from ui.kit.announce import announce

log = logging.getLogger("fmdesk")
_headless = False
# Where the log is written (setup_logging), named in the bug message: "the log file".
_log_file: Path | None = None


def log_file() -> Path | None:
    """Where the log is being written (None before setup_logging): for Help → Where the log is."""
    return _log_file


def setup_logging(log_file: Path) -> None:
    """Log to `log_file` (rotated at 1 MB); the window calls it once at start-up."""
    global _log_file
    _log_file = log_file
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in log.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def headless(value: bool) -> None:
    global _headless
    _headless = value


def message_for(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "The computer ran out of memory. Close other programs and try again."
    return (
        "Something went wrong inside fmdesk, and what you were doing was not finished. "
        "Your saved work is safe. Try again; if it happens again, send the log file "
        f"({_log_file or 'fmdesk.log'}) to your support team."
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str = "fmdesk") -> None:
    if isinstance(exc, Cancelled):
        return
    if not isinstance(exc, UserError):
        log.error("unexpected error: %s", "".join(traceback.format_exception(exc)))
    else:
        log.info("user error: %s", type(exc).__name__)
    # Said to a screen reader at once, interrupting (issue 16), as well as shown.
    announce(parent, message_for(exc), urgent=True)
    if _headless:
        log.warning("error shown to user: %s", message_for(exc))
        return
    box = QMessageBox(QMessageBox.Icon.Warning, title, message_for(exc), parent=parent)
    box.setAccessibleName("Error message")
    box.exec()
