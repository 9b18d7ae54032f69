"""The Allocation page's preview shows each new family's eligibility under the chosen
framework, from its figures, before anything is written (issue 17)."""

from db import programme
from db.store import Store
from fmdesk.families import Family
from tests.integration.test_h17_identification import HEADER, ROWS
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
