"""The Allocation page's CSV import asks which framework the new families go under, with the
council's current framework chosen to start with, as `import-csv` attaches when given none."""

from pathlib import Path

from db.keyslots import KdfParams
from db.library import add_definition_file
from db.store import Store
from fmdesk.definition import DefinitionKind
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.integration.test_council_framework_in_use import council_framework
from tests.ui.conftest import unlock
from tests.ui.test_programme_page import go_to
from tests.unit.test_identified_csv import GOOD, csv_bytes
from ui.workspace.allocation import NO_FRAMEWORK_CHOICE, AllocationPage


def asked_framework(qtbot, make_window, path: Path, tmp_path: Path):
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, AllocationPage)
    csv = tmp_path / "identified.csv"
    csv.write_bytes(csv_bytes(*GOOD))
    page.import_csv_file(csv)
    qtbot.waitUntil(lambda: page.framework_dialog is not None and page.framework_dialog.isVisible())
    return page.framework_dialog


def test_the_csv_import_starts_on_the_councils_current_framework(
    qtbot, make_window, tmp_path: Path
) -> None:
    path = tmp_path / "coordinator"
    with Store.create(
        path, TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central Team", kdf=KdfParams.fast()
    ) as store:
        pass
    dialog = asked_framework(qtbot, make_window, path, tmp_path)
    # The national framework, not the first in the library (Families Matter sorts first).
    assert dialog.textValue() == "supporting-families-2022@1"
    assert dialog.comboBoxItems()[0].startswith("families-matter@")
    assert dialog.comboBoxItems()[-1] == NO_FRAMEWORK_CHOICE
    dialog.reject()

    with Store.open(path, TEST_PASSPHRASE) as store:
        add_definition_file(store, DefinitionKind.FRAMEWORK, council_framework(tmp_path))
    dialog = asked_framework(qtbot, make_window, path, tmp_path)
    assert dialog.textValue() == "anytown-outcomes@1"  # the council's own, added last
    dialog.reject()
