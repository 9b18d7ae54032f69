"""The self-test's step that needs a desktop: Qt can load its platform plugin and draw a window.

The program (ui/main.py) hands `desktop_steps` to `fmdesk self-test`, which itself never imports
Qt (ui/actions/selftest.py runs the rest).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ui.actions.selftest import FAMILY_NAME, REINSTALL, StepFailed
from ui.window.app import has_display


def desktop_steps() -> list[tuple[str, Callable[[], str]]]:
    return [("Desktop window", desktop_window)]


def _platform_plugins() -> dict[str, Path]:
    """Qt's platform plugins this copy can load, by name ("xcb", "windows", "offscreen")."""
    from PySide6.QtCore import QCoreApplication

    found: dict[str, Path] = {}
    for folder in QCoreApplication.libraryPaths():
        platforms = Path(folder) / "platforms"
        if not platforms.is_dir():
            continue
        for plugin in platforms.iterdir():
            stem = plugin.name.split(".")[0].removeprefix("lib")
            if stem.startswith("q") and plugin.suffix in (".so", ".dll", ".dylib"):
                found.setdefault(stem[1:], plugin)
    return found


def desktop_window() -> str:
    note = ""
    if not has_display():
        # Qt would end the process on a computer with no display; check what it can here.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        note = " (no display here: checked off screen)"
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QLabel

    wanted = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    plugins = _platform_plugins()
    if wanted and wanted not in plugins:
        have = ", ".join(sorted(plugins)) or "none"
        raise StepFailed(
            f"Qt cannot show windows here: the '{wanted}' platform plugin that QT_QPA_PLATFORM "
            f"asks for is not installed (this copy has: {have}). Unset QT_QPA_PLATFORM, or "
            f"{REINSTALL[0].lower()}{REINSTALL[1:]}"
        )
    # Held: the application must outlive the label drawn below.
    _app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fmdesk"])
    label = QLabel(FAMILY_NAME)
    label.resize(320, 40)
    image = label.grab().toImage()
    label.deleteLater()
    if image.isNull() or image.width() < 1:
        raise StepFailed(
            f"Qt could not draw a window on the '{QGuiApplication.platformName()}' platform. "
            f"{REINSTALL}"
        )
    return f"drew a window with Qt on the '{QGuiApplication.platformName()}' platform{note}"
