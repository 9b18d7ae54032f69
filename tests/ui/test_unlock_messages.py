"""The unlock screen offers the coordinator's help only where a recovery slot exists."""

from pathlib import Path


def test_a_wrong_passphrase_on_a_store_with_no_coordinator_says_nobody_can_recover_it(
    qtbot, make_window, make_store
) -> None:
    path: Path = make_store(0)
    window = make_window(path)
    page = window.unlock_page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    page.passphrase.setText("not the passphrase at all")
    page.button.click()
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=10_000)
    assert "does not unlock this store" in page.error.text()
    assert "nobody else can unlock this store" in page.error.text()
    assert "coordinator can recover" not in page.error.text()
