"""PySide6 6.12 on Python 3.11 takes a reference from None with every call of a method that
returns nothing; the app makes hundreds a second, and died with "Fatal Python error:
bool_dealloc" (or none_dealloc) on closing the window. ui/kit/widgets.py keeps None, True and
False alive, as Python 3.12 does. Run in a fresh interpreter under -X dev, as the crash ends it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
calls = sys.getrefcount(None) + 50_000  # more than None has references as the app starts
import ui.kit.widgets  # what every screen imports first
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel
app = QApplication([])
label, box = QLabel(), QCheckBox()
for _ in range(calls):
    label.setText("x")
    box.setChecked(True)
print("closed cleanly")
"""


def test_many_qt_calls_do_not_use_up_none_or_the_bools(qtbot) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "dealloc" not in done.stderr
    assert (done.returncode, done.stdout.strip()) == (0, "closed cleanly")
