"""Mistakes corrected and the history shown, through a real window on a real store (issue 16):
Household's "Recorded in error…" asks why and keeps the person, struck through, instead of
deleting them with one click; the Timeline shows the whole case history with who and when,
filters by kind, marks a record from there, and prints and saves the chronology."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from db.families import load_caseload
from db.history import history
from db.store import Store
from fmdesk.chronology import EventKind
from fmdesk.families import CaseNote, Family, FamilyStatus, Person, PersonRole
from fmdesk.records import mark_in_error
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.kit.print_preview import PrintPreviewDialog
from ui.record.dialogs import ConsentDialog
from ui.record.in_error import InErrorDialog
from ui.record.plan.dialogs import PdfOptionsDialog
from ui.record.timeline import TimelineTab
from ui.window.main_window import MainWindow

MakeWindow = Callable[[Path], MainWindow]
MakeStore = Callable[[int], Path]


def open_family(qtbot: QtBot, window: MainWindow, path: Path) -> Family:
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(
            f
            for f in store.list(Family)
            if f.status is not FamilyStatus.CLOSED
            and any(p.role is PersonRole.CHILD for p in store.list(Person, family_id=f.id))
        )
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    return family


def answer_in_error(monkeypatch: pytest.MonkeyPatch, reason: str, asked: list[str]) -> None:
    """Type `reason` into the Recorded in error dialog and press OK (through its own check)."""

    def answer(dialog: InErrorDialog) -> int:
        asked.append(dialog.windowTitle())
        dialog.reason.setPlainText(reason)
        dialog.buttons.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(InErrorDialog, "exec", answer)


def timeline_of(window: MainWindow) -> TimelineTab:
    return next(t for t in window.family_page.feature_tabs if isinstance(t, TimelineTab))


def test_household_recorded_in_error_asks_why_and_keeps_the_person_struck_through(
    qtbot: QtBot, make_window: MakeWindow, make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(4)
    window = make_window(path)
    family = open_family(qtbot, window, path)
    page = window.family_page
    page.tabs.setCurrentIndex(1)  # Household
    assert not any(
        b.text() == "&Remove person" for b in page.findChildren(type(page.add_person_button))
    )
    model = page.people_model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).role is PersonRole.CHILD)
    child = model.row_at(row)
    page.people_view.selectRow(row)
    qtbot.waitUntil(
        lambda: page.person_form.record is not None and page.person_form.record.id == child.id
    )
    with Store.open(path, TEST_PASSPHRASE) as store:
        children_before = next(
            r for r in load_caseload(store, claim_status=False) if r.family_id == family.id
        ).children

    # A blank reason is refused by the dialog itself, and nothing is written.
    blank = InErrorDialog(child.KIND, child.display_name)
    qtbot.addWidget(blank)
    blank.buttons.accepted.emit()
    assert "Say why the person was recorded in error" in blank.problem.text()

    asked: list[str] = []
    answer_in_error(monkeypatch, "Entered on the wrong family", asked)
    page.person_in_error_button.click()
    assert asked == ["Mark this person as recorded in error"]
    qtbot.waitUntil(
        lambda: any(
            model.row_at(r).id == child.id and model.row_at(r).in_error
            for r in range(model.rowCount())
        ),
        timeout=10_000,
    )
    row = next(r for r in range(model.rowCount()) if model.row_at(r).id == child.id)
    assert model.index(row, 0).data().endswith("(recorded in error)")
    assert model.index(row, 0).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert "Entered on the wrong family" in model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)

    window.close()
    with Store.open(path, TEST_PASSPHRASE) as store:
        held = store.get(Person, child.id)
        assert held is not None
        assert not held.deleted  # kept, not deleted
        assert held.recorded_in_error is not None
        assert held.recorded_in_error.by == "Pat Keyworker"
        assert [v.record().in_error for v in history(store, child.id)][-1]
        row_after = next(
            r for r in load_caseload(store, claim_status=False) if r.family_id == family.id
        )
        assert row_after.children == children_before - 1


def test_the_timeline_shows_the_whole_history_filters_by_kind_and_prints(
    qtbot: QtBot,
    make_window: MakeWindow,
    make_store: MakeStore,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = make_store(4)
    window = make_window(path)
    family = open_family(qtbot, window, path)
    page = window.family_page
    timeline = timeline_of(window)
    page.tabs.setCurrentWidget(timeline)
    qtbot.waitUntil(lambda: timeline.model.rowCount() > 0 and not window.runner.busy)
    events = timeline.model.rows()
    kinds = {e.kind for e in events}
    # The demo family's history: registration, household, consent, notes and status changes,
    # each with who recorded it.
    assert {EventKind.FAMILY, EventKind.HOUSEHOLD, EventKind.NOTE, EventKind.STATUS} <= kinds
    assert all(e.by == "Pat Keyworker" for e in events)
    assert timeline.model.headerData(4, Qt.Orientation.Horizontal) == "Recorded by"

    # Choose a note and mark it recorded in error from the Timeline.
    notes_row = next(
        r
        for r in range(timeline.proxy.rowCount())
        if timeline.proxy.index(r, 0).data(ROW_ROLE).kind is EventKind.NOTE
    )
    timeline.view.selectRow(notes_row)
    note_event = timeline.chosen()
    assert note_event is not None
    assert timeline.in_error_button.isEnabled()
    answer_in_error(monkeypatch, "Typed into the wrong family's record", [])
    timeline.in_error_button.click()
    qtbot.waitUntil(
        lambda: (
            any(e.kind is EventKind.CORRECTION for e in timeline.model.rows())
            and not window.runner.busy
        ),
        timeout=10_000,
    )
    correction = next(e for e in timeline.model.rows() if e.kind is EventKind.CORRECTION)
    assert "Typed into the wrong family's record" in correction.detail
    assert correction.by == "Pat Keyworker"
    struck = [e for e in timeline.model.rows() if e.record_id == note_event.record_id]
    assert all(e.in_error for e in struck)

    # Filter by kind: only corrections, then every kind again.
    index = timeline.kind_choice.findText(EventKind.CORRECTION.label)
    assert index > 0
    timeline.kind_choice.setCurrentIndex(index)
    assert timeline.proxy.rowCount() == 1
    assert "1 of" in timeline.summary.text()
    timeline.kind_choice.setCurrentIndex(0)
    assert timeline.proxy.rowCount() == timeline.model.rowCount()

    # The notes tab shows the note struck through too.
    with Store.open(path, TEST_PASSPHRASE) as store:
        held = store.get(CaseNote, note_event.record_id)
        assert held is not None
        assert held.in_error

    # Save as PDF (marking asked first), read it back.
    def accept_options(dialog: PdfOptionsDialog) -> int:
        dialog.buttons.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(PdfOptionsDialog, "exec", accept_options)
    target = tmp_path / "chronology.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    timeline.save_button.click()
    qtbot.waitUntil(target.exists, timeout=20_000)
    reader = PdfReader(target)
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Chronology: {family.name}" in words
    assert "OFFICIAL-SENSITIVE" in words
    assert f"Page 1 of {len(reader.pages)}" in words
    assert "Typed into the wrong family's record" in words
    assert "recorded in error" in words

    # Print: the preview shows the chronology.
    timeline.print_button.click()

    def preview() -> PrintPreviewDialog | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, PrintPreviewDialog)
                and w.isVisible()
                and "Chronology" in w.windowTitle()
            ),
            None,
        )

    def drawn() -> bool:
        shown = preview()
        return shown is not None and shown.preview.pageCount() > 0

    qtbot.waitUntil(drawn, timeout=20_000)
    shown = preview()
    assert shown is not None
    shown.reject()


def test_consent_is_not_offered_as_given_by_someone_recorded_in_error(qtbot: QtBot) -> None:
    mum = Person(family_id="f", role=PersonRole.PARENT_CARER, given_name="Ewa", family_name="N")
    wrong = mark_in_error(
        Person(family_id="f", role=PersonRole.PARENT_CARER, given_name="Olga", family_name="N"),
        "Another family's mother",
        by="Pat Keyworker",
        at=dt.datetime.now(dt.UTC),
    )
    dialog = ConsentDialog([mum, wrong])
    qtbot.addWidget(dialog)
    offered = [dialog.person.itemText(i) for i in range(dialog.person.count())]
    assert offered == [mum.display_name, "The family (recorded jointly)"]
