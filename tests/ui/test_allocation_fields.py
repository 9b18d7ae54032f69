"""The family's lead practitioner is set by allocating the family (db/allocation.py), which only
the coordinator does: on a practitioner's laptop the Details form shows it and says why it cannot
be changed there (the coordinator would refuse the family record until it was put back); on the
coordinator's store it can be changed."""

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from db.families import load_family
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.window.main_window import MainWindow

MakeWindow = Callable[[Path], MainWindow]


def a_store(tmp_path: Path, role: Role) -> tuple[Path, str]:
    path = tmp_path / role.value
    family = Family(reference="EH-0411", name="Okafor family", lead_practitioner="Zoë Adebayo")
    with Store.create(
        path, TEST_PASSPHRASE, role=role, name="Zoë Adebayo", kdf=KdfParams.fast()
    ) as store:
        store.save(family)
    return path, family.id


def lead_practitioner_field(
    qtbot: QtBot, make_window: MakeWindow, path: Path
) -> tuple[MainWindow, QLineEdit]:
    """The window on `path`, unlocked, with the family open on its Details tab; the field."""
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    window.caseload.table.doubleClicked.emit(window.caseload.proxy.index(0, 0))
    page = window.family_page
    qtbot.waitUntil(lambda: page.family is not None and page.details_form.isEnabled())
    page.tabs.setCurrentWidget(page.details_form)
    field = page.details_form.editor("lead_practitioner")
    assert isinstance(field, QLineEdit)
    assert window.caseload.proxy.index(0, 0).data(ROW_ROLE).name == "Okafor family"
    return window, field


def type_into(qtbot: QtBot, window: MainWindow, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    window.family_page.details_form.flush()
    qtbot.waitUntil(lambda: not window.runner.busy)


@pytest.mark.parametrize(
    ("role", "editable", "kept"),
    [
        (Role.PRACTITIONER, False, "Zoë Adebayo"),
        (Role.COORDINATOR, True, "Amara Osei"),
    ],
)
def test_the_lead_practitioner_is_the_coordinators_to_change(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, role: Role, editable: bool, kept: str
) -> None:
    path, family_id = a_store(tmp_path, role)
    window, field = lead_practitioner_field(qtbot, make_window, path)
    assert field.text() == "Zoë Adebayo"
    assert field.isReadOnly() is not editable
    why = "Set by the coordinator when the family is allocated"
    assert (field.toolTip(), field.accessibleDescription()) == (
        ("", "") if editable else (why, why)
    )
    # The next action beside it is the practitioner's to change either way.
    next_action = window.family_page.details_form.editor("next_action")
    assert isinstance(next_action, QLineEdit)
    assert not next_action.isReadOnly()
    type_into(qtbot, window, field, "Amara Osei")  # keyClicks types ASCII only
    type_into(qtbot, window, next_action, "Ring school")
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = load_family(store, family_id).family
    assert (family.lead_practitioner, family.next_action) == (kept, "Ring school")
