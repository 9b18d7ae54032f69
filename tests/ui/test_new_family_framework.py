"""A family registered in the app is attached under the council's current framework (the
national Supporting Families framework when the council has added none): the 2015 Families
Matter plan was offered first and the assessment asked for indicator codes to be typed."""

from PySide6.QtWidgets import QDialogButtonBox, QWidget

from tests.ui.conftest import unlock
from tests.ui.test_drafts import while_open
from ui.record.dialogs import NewFamilyDialog


def test_a_family_registered_in_the_app_gets_the_current_framework(
    qtbot, make_window, make_store
) -> None:
    window = make_window(make_store(1))
    unlock(qtbot, window)

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, NewFamilyDialog)
        dialog.name.setText("Nowak family")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    while_open(NewFamilyDialog, fill)
    window.caseload.add_button.click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page, timeout=10_000)
    family = window.family_page.family
    assert family is not None
    assert family.name == "Nowak family"
    assert family.framework == "supporting-families-2022@1"
