"""Saving a document into a folder fmdesk may not write in: the one error presenter says so in
plain words (choose another folder), never "something went wrong inside fmdesk", and nothing is
left half-written. One test for each of the app's save paths: the Star progress PDF, the
assessment summary, the dashboard's PDF and CSV, and the claim schedule.

The folder is really read-only. Root may write anywhere, so when the tests run as root (as CI
does) the process takes an unprivileged user's identity while the save happens, as a council
laptop's user has. Each save is made once into a writable folder first: it shows the save works,
and it loads what Python imports lazily (codecs, fonts) while it still can.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.ui import test_assessment_tab, test_programme_page, test_star_tab
from tests.ui.conftest import unlock
from tests.ui.test_assessment_tab import open_tab, start
from tests.ui.test_programme_page import go_to
from tests.ui.test_star_tab import LEFT
from tests.unit.test_programme import TODAY
from ui.workspace.claims import ClaimsPage
from ui.workspace.programme import ProgrammePage

# The fixtures those tests build their stores and screens with.
family_store = test_assessment_tab.family_store
coordinator_path = test_programme_page.coordinator_path
open_star_tab = test_star_tab.open_tab

NOBODY = 65534
PLAIN = "fmdesk may not write in that folder"
BUG = "Something went wrong inside fmdesk"


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    root = os.geteuid() == 0
    if root:
        os.setegid(NOBODY)
        os.seteuid(NOBODY)
    try:
        yield folder
    finally:
        if root:
            os.seteuid(0)
            os.setegid(0)
        folder.chmod(0o755)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every message box the app opens (the presenter's dialog, not run modally)."""
    texts: list[str] = []

    def record(box: QMessageBox) -> int:
        texts.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    return texts


def choose_file(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "")),
    )


def said_plainly(texts: list[str], folder: Path) -> None:
    assert len(texts) == 1, texts
    assert "Could not save" in texts[0]
    assert PLAIN in texts[0]
    assert BUG not in texts[0]
    assert list(folder.iterdir()) == []  # nothing half-written


def test_the_star_progress_pdf(
    qtbot, open_star_tab, shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_star_tab(readings=2)
    # The tab has its own presenter hook for errors it shows itself; the save goes to the one
    # presenter, whose dialog this test reads.
    choose_file(monkeypatch, tmp_path / "Star progress.pdf")
    qtbot.mouseClick(opened.tab.pdf_button, LEFT)
    qtbot.waitUntil(
        lambda: "Saved the Star progress PDF" in opened.tab.message.text(), timeout=20_000
    )
    folder = tmp_path / "read-only"
    choose_file(monkeypatch, folder / "Star progress.pdf")
    with read_only(folder):
        qtbot.mouseClick(opened.tab.pdf_button, LEFT)
        qtbot.waitUntil(lambda: bool(shown) or bool(opened.errors), timeout=20_000)
    texts = shown or [str(e) for e in opened.errors]
    said_plainly(texts, folder)


def test_the_assessment_summary(
    qtbot, make_window, family_store, shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, family, _people = family_store()
    window = make_window(path)
    flow = start(qtbot, open_tab(qtbot, window, family))
    choose_file(monkeypatch, tmp_path / "summary.pdf")
    flow.pdf_button.click()
    qtbot.waitUntil(lambda: "Summary saved" in flow.problem.text(), timeout=20_000)
    folder = tmp_path / "read-only"
    choose_file(monkeypatch, folder / "summary.pdf")
    with read_only(folder):
        flow.pdf_button.click()
        qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    said_plainly(shown, folder)


@pytest.mark.parametrize("export", ["export_pdf", "export_csv"])
def test_the_dashboard(
    qtbot,
    make_window,
    coordinator_path,
    shown,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    export: str,
) -> None:
    path, _refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ProgrammePage)
    qtbot.waitUntil(lambda: page.dashboard is not None, timeout=10_000)
    name = "dashboard.pdf" if export == "export_pdf" else "figures.csv"
    choose_file(monkeypatch, tmp_path / name)
    getattr(page, export)()
    qtbot.waitUntil((tmp_path / name).exists, timeout=20_000)
    folder = tmp_path / "read-only"
    choose_file(monkeypatch, folder / name)
    with read_only(folder):
        getattr(page, export)()
        qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    said_plainly(shown, folder)


@pytest.mark.parametrize("as_pdf", [True, False])
def test_the_claim_schedule(
    qtbot, make_window, coordinator_path, shown, tmp_path: Path, as_pdf: bool
) -> None:
    path, refs, _ = coordinator_path
    window = make_window(path)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.info is not None)
    page = go_to(qtbot, window, ClaimsPage)
    qtbot.waitUntil(lambda: page.ready_model.rowCount() == 1, timeout=10_000)
    page.make_batch("Q3", TODAY.replace(month=10, day=1, year=2025), TODAY, [refs["FM-001"].id])
    qtbot.waitUntil(lambda: page.batch_model.rowCount() == 1)
    page.write_schedule("Q3", tmp_path / "schedule.out", as_pdf=as_pdf)
    qtbot.waitUntil((tmp_path / "schedule.out").exists, timeout=20_000)
    qtbot.waitUntil(lambda: not window.runner.busy)
    folder = tmp_path / "read-only"
    with read_only(folder):
        page.write_schedule("Q3", folder / "schedule.out", as_pdf=as_pdf)
        qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    said_plainly(shown, folder)
