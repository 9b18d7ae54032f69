"""File → Change the store's key…: the app re-keys the open store through the task runner; the
old keys.json no longer opens the database, and the store unlocks again with its passphrase."""

import shutil
from pathlib import Path

import pytest

from db.errors import StoreDamaged
from db.store import DB_NAME, KEY_NAME, Store
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock


def test_the_file_menu_re_keys_the_store(qtbot, make_window, make_store, tmp_path: Path) -> None:
    path: Path = make_store(2)
    old_keys = (path / KEY_NAME).read_bytes()
    window = make_window(path)
    unlock(qtbot, window)
    assert window.rekey_action in window.menuBar().actions()[0].menu().actions()
    assert window.rekey_action.isEnabled()

    dialog = window.change_store_key()
    assert dialog is not None
    dialog.passphrase.setText("not the passphrase at all")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "does not unlock this store" in dialog.problem.text(), timeout=10_000)
    assert (path / KEY_NAME).read_bytes() == old_keys

    dialog.passphrase.setText(TEST_PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.result_box is not None, timeout=20_000)
    assert "Tell your coordinator" in dialog.result_box.text()
    dialog.result_box.close()
    assert (path / KEY_NAME).read_bytes() != old_keys

    window.lock()
    unlock(qtbot, window)  # the same passphrase opens the re-keyed store
    assert window.caseload.model.rowCount() == 2
    window.lock()
    qtbot.waitUntil(lambda: not window.runner.busy)

    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy2(path / DB_NAME, copy / DB_NAME)
    (copy / KEY_NAME).write_bytes(old_keys)
    with pytest.raises(StoreDamaged):
        Store.open(copy, TEST_PASSPHRASE)
