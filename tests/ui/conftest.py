"""Fixtures for the desktop app's tests: a main window on a real store in tmp_path."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from db.families import add_demo_families
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from ui.window.main_window import MainWindow


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[[int], Path]:
    def make(families: int = 5) -> Path:
        path = tmp_path / "store"
        store = Store.create(
            path,
            TEST_PASSPHRASE,
            role=Role.PRACTITIONER,
            name="Pat Keyworker",
            kdf=KdfParams.fast(),
        )
        add_demo_families(store, families, seed=7, outcomes=False)
        store.close()
        return path

    return make


@pytest.fixture
def make_window(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Path], MainWindow]]:
    monkeypatch.setenv("FMDESK_HOME", str(tmp_path / "home"))
    windows: list[MainWindow] = []

    def make(store_path: Path) -> MainWindow:
        settings = QSettings(
            str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat
        )
        window = MainWindow(store_path, settings=settings)
        qtbot.addWidget(window)
        window.show()
        window.start()
        windows.append(window)
        return window

    yield make
    for w in windows:
        if w.isVisible():
            w.close()


def unlock(qtbot, window: MainWindow, passphrase: str = TEST_PASSPHRASE) -> None:
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.unlock_page)
    window.unlock_page.passphrase.setText(passphrase)
    window.unlock_page.button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.caseload, timeout=10_000)
    qtbot.waitUntil(lambda: bool(window.workspace_pages))  # built just after the caseload shows
