"""The coordinator's preview of an identified-families CSV lists, by row and column, the values a
spreadsheet would run as a formula, and still offers the import."""

from fmdesk.identified_csv import parse_identified_csv
from tests.unit.test_identified_csv import GOOD, TODAY, csv_bytes
from ui.workspace.allocation import PreviewDialog


def test_the_preview_warns_about_a_formula_and_still_imports(qtbot) -> None:
    evil = 'K-300,2 Dock Rd,,parent,Ola,"=HYPERLINK(""http://evil.example"")",1980-01-01,,,,,,,,,,,'
    checked = parse_identified_csv(csv_bytes(*GOOD, evil), today=TODAY)
    dialog = PreviewDialog("families.csv", checked)
    qtbot.addWidget(dialog)
    assert dialog.warnings.rowCount() == 1
    warning = dialog.warnings.row_at(0)
    assert (warning.row, warning.column) == (6, "surname")
    assert "may run it as a formula" in warning.message
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert dialog.choice == PreviewDialog.IMPORT_ALL
