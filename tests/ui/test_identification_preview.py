"""The Allocation page's preview shows each new family's eligibility under the chosen
framework, from its figures, before anything is written (issue 17)."""

from db import programme
from db.store import Store
from fmdesk.families import Family
from tests.integration.test_identification_from_data import HEADER, ROWS
from ui.workspace.allocation import PreviewDialog


def test_the_preview_lists_eligibility_and_the_indicators_the_data_ticks(
    qtbot, coordinator_store: Store
) -> None:
    data = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    checked = programme.preview_identified_csv(
        coordinator_store, data, framework="families-matter@2015.1"
    )
    dialog = PreviewDialog("identified.csv", checked)
    qtbot.addWidget(dialog)
    assert dialog.eligibility.rowCount() == 2
    nowak, kelly = (dialog.eligibility.row_at(i) for i in range(2))
    assert nowak.eligibility is not None
    assert nowak.eligibility.eligible
    assert [t.indicator for t in nowak.ticks] == ["2A", "2B", "4A"]
    assert kelly.eligibility is not None
    assert kelly.eligibility.reason.startswith("not eligible: 1 of 6 problems")
    assert coordinator_store.list(Family) == []  # nothing written by the preview


def test_the_update_preview_lists_problems_and_unmatched_rows_and_offers_the_valid_part(
    qtbot, coordinator_store: Store
) -> None:
    from db.programme import identified
    from tests.integration.test_update_csv import BASELINE, GOOD, UPDATE_HEADER
    from ui.workspace.allocation import UpdatePreviewDialog

    checked = programme.preview_identified_csv(coordinator_store, BASELINE.encode())
    programme.import_identified(coordinator_store, checked)
    rows = [
        *GOOD,
        "EHM-9999,,,,,,,1,2026-07-01,2026-09-30,,,",
        "EHM-1002,,A123456789012,,90,,2026-12-18,,,,,,",
    ]
    data = ("\n".join([UPDATE_HEADER, *rows]) + "\n").encode()
    update = identified.preview_update_csv(coordinator_store, data)
    dialog = UpdatePreviewDialog("update.csv", update)
    qtbot.addWidget(dialog)
    assert dialog.unmatched.rowCount() == 1
    assert dialog.unmatched.row_at(0).reason == "no family held with case id EHM-9999"
    assert dialog.problems.rowCount() == 1
    assert not dialog.apply_button.isEnabled()
    assert dialog.valid_button.isEnabled()
    dialog.valid_button.click()
    assert dialog.choice == UpdatePreviewDialog.APPLY_VALID


def test_attaching_selected_families_shows_eligibility_before_and_after(
    qtbot, coordinator_store: Store
) -> None:
    from db.programme import identified
    from ui.workspace.allocation import AttachDialog

    data = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    programme.import_identified(
        coordinator_store, programme.preview_identified_csv(coordinator_store, data)
    )
    ids = [f.id for f in coordinator_store.list(Family)]
    preview = identified.preview_attach(coordinator_store, ids, "families-matter@2015.1")
    dialog = AttachDialog(preview)
    qtbot.addWidget(dialog)
    assert dialog.rows.rowCount() == 2
    assert preview.summary() == (
        "2 families to families-matter@2015.1: eligible 0 before, 1 after (4 indicators ticked "
        "from their figures)."
    )
    assert dialog.attach_button.text() == "&Attach 2 families"
