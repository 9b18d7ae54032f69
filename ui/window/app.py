"""Starting the desktop app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HEADLESS_MESSAGE = (
    "fmdesk: the app needs a desktop session (no display found). On a server, run it under a "
    "virtual display: xvfb-run -a fmdesk. The command line works without one: fmdesk --help."
)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_app(*, store_path: Path, demo: bool = False) -> int:
    if not has_display():
        print(HEADLESS_MESSAGE, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from ui.actions import paths
    from ui.kit.errors import setup_logging
    from ui.window.main_window import MainWindow

    setup_logging(paths.log_dir() / "fmdesk.log")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("fmdesk")
    app.setOrganizationName("fmdesk")
    # With no store yet the window opens on the welcome screen, which offers the demo.
    window = MainWindow(store_path, demo=demo)
    window.show()
    window.start()
    return app.exec()
