"""A claim batch shows its families on the Claims page (issue 17): the batch list names them by
reference, with their names in the tooltip."""

from PySide6.QtCore import Qt

from tests.ui.test_claims_as_at import column_text, coordinator_path, open_page
from tests.unit.test_programme import TODAY
from ui.workspace.claims import ClaimsPage

__all__ = ["coordinator_path"]  # the fixture, shared


def test_a_batch_on_the_claims_page_names_its_families(
    qtbot, make_window, coordinator_path
) -> None:
    path, refs, _ = coordinator_path
    _, page = open_page(qtbot, make_window, path, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    family = refs["FM-001"]
    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [family.id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    assert column_text(page.batch_model, 0, "Which families") == "FM-001"
    titles = [
        page.batch_model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(page.batch_model.columnCount())
    ]
    tip = page.batch_model.index(0, titles.index("Which families")).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert tip == f"FM-001: {family.name}"
