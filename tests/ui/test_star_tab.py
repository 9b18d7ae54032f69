"""The Star tab as a practitioner uses it with a family: taking a reading with the big buttons,
leaving a draft and coming back to it, changing and deleting readings with a reason, the chart,
the PDF, and a council's own instrument file. Each test drives a real StarTab on a real
encrypted store, opened on the task runner's worker thread as in the app."""

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QFileDialog

import ui.record.star.tab
from db.families import load_family
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.definition import Definition
from fmdesk.errors import ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus, StatusChange
from fmdesk.plans import date_text
from fmdesk.roles import Role
from fmdesk.stars import (
    InstrumentCatalogue,
    Participation,
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
    complete_reading,
    new_reading,
)
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.record.in_error import InErrorDialog
from ui.record.star.chart import EARLIER_COLOUR, LATEST_COLOUR
from ui.record.star.tab import ReasonDialog, StarTab

STAR = InstrumentCatalogue().default
PRACTITIONER = "Siobhán Kelly"
READING_DAYS = (dt.date(2025, 1, 20), dt.date(2025, 4, 14), dt.date(2025, 7, 7))
LEFT = Qt.MouseButton.LeftButton


@dataclasses.dataclass
class Opened:
    tab: StarTab
    runner: TaskRunner
    family: Family
    readings: list[StarReading]
    errors: list[BaseException]

    def run(self, qtbot: Any, op: Callable[[TaskContext], Any]) -> Any:
        """Run `op` on the worker thread, as the app does, and wait for its answer."""
        return on_worker(qtbot, self.runner, op)

    def stored(self, qtbot: Any, kind: type) -> list:
        family_id = self.family.id
        return self.run(qtbot, lambda ctx: ctx.store.list(kind, family_id=family_id))

    def settle(self, qtbot: Any) -> None:
        """Wait until every queued save and load has finished."""
        qtbot.waitUntil(lambda: not self.runner.busy, timeout=10_000)


def on_worker(qtbot: Any, runner: TaskRunner, op: Callable[[TaskContext], Any]) -> Any:
    answer: list[Any] = []
    Task(runner, op, answer.append).failure(answer.append).run()
    qtbot.waitUntil(lambda: bool(answer), timeout=10_000)
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return answer[0]


def scored(on: dt.date, family: Family, offset: int) -> StarReading:
    reading = new_reading(STAR, family_id=family.id, taken_on=on, taken_by=PRACTITIONER)
    for i, area in enumerate(STAR.area_ids):
        reading = reading.with_score(area, min(10, 2 + (i % 3) + offset))
    return complete_reading(reading, STAR)


@pytest.fixture
def open_tab(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Opened]]:
    runners: list[TaskRunner] = []
    errors: list[BaseException] = []
    # The error presenter would open a modal box; here it notes what the user would be told.
    monkeypatch.setattr(ui.record.star.tab, "show_error", lambda parent, exc: errors.append(exc))

    def make(*, readings: int = 0, status: FamilyStatus = FamilyStatus.ACTIVE) -> Opened:
        path = tmp_path / "store"
        store = Store.create(
            path, TEST_PASSPHRASE, role=Role.PRACTITIONER, name=PRACTITIONER, kdf=KdfParams.fast()
        )
        family = Family(
            reference="FM-2025-0042",
            name="Wiśniewski family",
            status=status,
            closure_reason=ClosureReason.NEEDS_MET if status is FamilyStatus.CLOSED else None,
        )
        engaged = StatusChange(
            family_id=family.id,
            on=dt.date(2025, 1, 6),
            from_status=FamilyStatus.ALLOCATED,
            to_status=FamilyStatus.ENGAGED,
        )
        done = [scored(day, family, 2 * n) for n, day in enumerate(READING_DAYS[:readings])]
        done = store.save(family, engaged, *done)[2:]  # as stored, with revisions
        store.close()
        runner = TaskRunner()
        runners.append(runner)
        on_worker(qtbot, runner, lambda ctx: ctx.set_store(Store.open(path, TEST_PASSPHRASE)))
        record = on_worker(qtbot, runner, lambda ctx: load_family(ctx.store, family.id))
        tab = StarTab(runner)
        qtbot.addWidget(tab)
        tab.resize(1200, 760)
        tab.show()
        tab.open_family(record)
        qtbot.waitUntil(lambda: tab.data is not None, timeout=10_000)
        return Opened(tab, runner, family, done, errors)

    yield make
    for runner in runners:
        runner.shutdown()


def answer_reason(monkeypatch: pytest.MonkeyPatch, reason: str | None) -> list[str]:
    """Make the reason dialog answer `reason` (None: the user cancels); returns its prompts."""
    prompts: list[str] = []

    def exec_(dialog: ReasonDialog) -> int:
        prompts.append(dialog.windowTitle())
        if reason is None:
            return QDialog.DialogCode.Rejected
        dialog.reason.setText(reason)
        dialog._try_accept()
        return dialog.result()

    monkeypatch.setattr(ReasonDialog, "exec", exec_)
    return prompts


def select_reading(opened: Opened, reading_id: str) -> None:
    model = opened.tab.readings_model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).reading.id == reading_id)
    opened.tab.readings_view.selectRow(row)


def test_scoring_a_whole_reading_with_the_big_buttons(qtbot, open_tab) -> None:
    opened = open_tab()
    tab, page = opened.tab, opened.tab.reading_page
    assert tab.take_button.text() == "Ta&ke a reading"
    qtbot.mouseClick(tab.take_button, LEFT)
    assert tab.pages.currentWidget() is page
    assert [b.text() for b in page.score_buttons] == [str(n) for n in range(1, 11)]
    assert all(b.minimumHeight() >= 64 for b in page.score_buttons)
    assert all(b.minimumWidth() >= 48 for b in page.score_buttons)

    page.note.setFocus()
    qtbot.keyClicks(page.note, "Zoe has started swimming on Saturdays")
    last = len(STAR.areas) - 1
    for i, area in enumerate(STAR.areas):
        assert page.area_title.text().startswith(area.name)
        score = i % 10 + 1
        qtbot.mouseClick(page.score_buttons[score - 1], LEFT)
        assert page.score_buttons[score - 1].isChecked()
        stage, wording = STAR.describe(area.id, score)
        assert page.stage_label.text() == f"{score} · {stage.name} (scores {stage.range_text})"
        assert page.stage_text.text() == wording
        if i == 4:
            # Half-way: completing is refused, naming what is left, and goes to the next one.
            qtbot.mouseClick(page.complete_button, LEFT)
            assert page.problem.text().startswith("Score every area before completing")
            assert all(a.name in page.problem.text() for a in STAR.areas[5:])
            assert STAR.areas[4].name not in page.problem.text()
            assert tab.pages.currentWidget() is page
            assert page.area_title.text().startswith(STAR.areas[5].name)
        elif i < last:
            qtbot.mouseClick(page.next_button, LEFT)
    assert page.area_model.row_at(2).score == 3

    qtbot.mouseClick(page.complete_button, LEFT)
    qtbot.waitUntil(lambda: tab.pages.currentWidget() is tab.overview, timeout=10_000)
    opened.settle(qtbot)
    (saved,) = opened.stored(qtbot, StarReading)
    assert saved.status is ReadingStatus.COMPLETED
    assert [saved.score(a) for a in STAR.area_ids] == [i % 10 + 1 for i in range(10)]
    assert saved.note("health") == "Zoe has started swimming on Saturdays"
    assert saved.taken_by == PRACTITIONER
    assert saved.participation is Participation.TOGETHER
    assert tab.readings_model.rowCount() == 1
    assert tab.readings_model.index(0, 1).data() == "Completed"
    assert tab.readings_model.index(0, 4).data() == str(sum(range(1, 11)))
    assert "is complete" in tab.message.text()
    assert tab.chart.labels == [a.name for a in STAR.areas]
    assert tab.movement.text().startswith("The first reading was taken on")
    assert tab.take_button.text() == "Ta&ke a reading"


def test_number_keys_score_and_page_keys_move(qtbot, open_tab) -> None:
    opened = open_tab()
    tab, page = opened.tab, opened.tab.reading_page
    qtbot.mouseClick(tab.take_button, LEFT)
    page.area_view.setFocus()
    qtbot.keyClick(page.area_view, Qt.Key.Key_0)
    assert page.reading is not None
    assert page.reading.score(STAR.areas[0].id) == 10
    qtbot.keyClick(page.area_view, Qt.Key.Key_PageDown)
    qtbot.keyClick(page.area_view, Qt.Key.Key_7)
    assert page.reading.score(STAR.areas[1].id) == 7
    # Digits typed in the note stay in the note.
    page.note.setFocus()
    qtbot.keyClicks(page.note, "3 nights")
    assert page.reading.score(STAR.areas[1].id) == 7
    assert page.note.toPlainText() == "3 nights"


def test_a_draft_left_half_way_is_resumed_where_it_stopped(qtbot, open_tab) -> None:
    opened = open_tab()
    tab, page = opened.tab, opened.tab.reading_page
    qtbot.mouseClick(tab.take_button, LEFT)
    page.participation.setCurrentIndex(page.participation.findData(Participation.FAMILY_ONLY))
    for score in (4, 6, 5):
        qtbot.mouseClick(page.score_buttons[score - 1], LEFT)
        if score != 5:
            qtbot.mouseClick(page.next_button, LEFT)
    page.note.setPlainText("Łukasz helps with the shopping list now")
    qtbot.mouseClick(page.back_button, LEFT)
    assert tab.pages.currentWidget() is tab.overview
    opened.settle(qtbot)
    (draft,) = opened.stored(qtbot, StarReading)
    assert draft.status is ReadingStatus.DRAFT
    assert [draft.score(a) for a in STAR.area_ids[:4]] == [4, 6, 5, None]
    qtbot.waitUntil(lambda: tab.take_button.text().startswith("Res&ume the draft of"))
    assert tab.readings_model.index(0, 1).data() == "Draft (3 of 10 scored)"

    # A lock forgets everything shown; after unlocking, the draft picks up at area 4.
    tab.clear()
    assert tab.readings_model.rowCount() == 0
    record = opened.run(qtbot, lambda ctx: load_family(ctx.store, opened.family.id))
    tab.open_family(record)
    qtbot.waitUntil(lambda: tab.take_button.text().startswith("Res&ume"), timeout=10_000)
    qtbot.mouseClick(tab.take_button, LEFT)
    assert tab.pages.currentWidget() is page
    assert page.area_title.text().startswith(STAR.areas[3].name)
    assert page.participation.currentText() == Participation.FAMILY_ONLY.label
    assert [page.area_model.row_at(i).score for i in range(4)] == [4, 6, 5, None]
    page.area_view.selectRow(2)
    assert page.area_title.text().startswith(STAR.areas[2].name)
    assert page.note.toPlainText() == "Łukasz helps with the shopping list now"
    assert page.score_buttons[4].isChecked()

    # A score given just before a lock is saved, though its autosave had not fired yet.
    page.area_view.selectRow(3)
    qtbot.mouseClick(page.score_buttons[8], LEFT)
    tab.clear()
    opened.settle(qtbot)
    (draft,) = opened.stored(qtbot, StarReading)
    assert draft.score(STAR.areas[3].id) == 9
    assert draft.status is ReadingStatus.DRAFT
    assert opened.errors == []


def test_a_score_reaches_the_store_when_the_user_pauses(qtbot, open_tab) -> None:
    """No flush, no leaving the page: the autosave timer alone must save the draft."""
    opened = open_tab()
    tab, page = opened.tab, opened.tab.reading_page
    qtbot.mouseClick(tab.take_button, LEFT)
    qtbot.mouseClick(page.score_buttons[6], LEFT)
    assert tab.pages.currentWidget() is page
    qtbot.wait(1500)  # well past the 0.4 s pause that triggers a save
    opened.settle(qtbot)
    (draft,) = opened.stored(qtbot, StarReading)
    assert draft.status is ReadingStatus.DRAFT
    assert draft.score(STAR.area_ids[0]) == 7


def test_changing_a_completed_reading_keeps_the_reason_and_before_and_after(
    qtbot, open_tab, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_tab(readings=2)
    tab, page = opened.tab, opened.tab.reading_page
    latest = opened.readings[-1]
    select_reading(opened, latest.id)
    assert tab.open_button.text() == "Chang&e reading…"

    prompts = answer_reason(monkeypatch, None)
    qtbot.mouseClick(tab.open_button, LEFT)
    assert prompts == ["Change a completed reading"]
    assert tab.pages.currentWidget() is tab.overview  # cancelled: nothing opened

    answer_reason(monkeypatch, "Dad remembered the new job after the visit")
    qtbot.mouseClick(tab.open_button, LEFT)
    assert tab.pages.currentWidget() is page
    assert "Dad remembered the new job after the visit" in page.mode_banner.text()
    assert page.complete_button.text() == "Save changes"
    work = STAR.area_ids.index("work")
    page.area_view.selectRow(work)
    before_score = latest.score("work")
    qtbot.mouseClick(page.score_buttons[8], LEFT)
    page.note.setPlainText("Started at the bakery on Monday")
    qtbot.mouseClick(page.complete_button, LEFT)
    assert tab.pages.currentWidget() is tab.overview
    opened.settle(qtbot)

    (edit,) = opened.stored(qtbot, StarReadingEdit)
    assert edit.reading_id == latest.id
    assert edit.reason == "Dad remembered the new job after the visit"
    assert edit.by == PRACTITIONER
    assert {(c.field, c.area, c.before, c.after) for c in edit.changes} == {
        ("score", "work", str(before_score), "9"),
        ("note", "work", "", "Started at the bakery on Monday"),
    }
    stored = {r.id: r for r in opened.stored(qtbot, StarReading)}
    assert stored[latest.id].score("work") == 9
    assert stored[latest.id].status is ReadingStatus.COMPLETED
    qtbot.waitUntil(lambda: "saved with its reason" in tab.message.text())
    select_reading(opened, latest.id)
    assert tab.readings_model.index(tab.readings_view.currentIndex().row(), 5).data() == "Once"
    assert opened.errors == []


def test_deleting_a_reading_needs_a_reason(
    qtbot, open_tab, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_tab(readings=2)
    tab = opened.tab
    first = opened.readings[0]
    select_reading(opened, first.id)
    answer_reason(monkeypatch, None)
    qtbot.mouseClick(tab.delete_button, LEFT)
    opened.settle(qtbot)
    assert len(opened.stored(qtbot, StarReading)) == 2

    answer_reason(monkeypatch, "Entered twice by mistake")
    qtbot.mouseClick(tab.delete_button, LEFT)
    qtbot.waitUntil(lambda: tab.readings_model.rowCount() == 1, timeout=10_000)
    opened.settle(qtbot)
    assert [r.id for r in opened.stored(qtbot, StarReading)] == [opened.readings[1].id]
    (deletion,) = opened.stored(qtbot, StarReadingDeletion)
    assert (deletion.reading_id, deletion.reason, deletion.by) == (
        first.id,
        "Entered twice by mistake",
        PRACTITIONER,
    )


def _colour_count(image: Any, colour: QColor) -> int:
    hits = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - colour.red()) < 40
                and abs(pixel.green() - colour.green()) < 40
                and abs(pixel.blue() - colour.blue()) < 40
            ):
                hits += 1
    return hits


def test_chart_draws_first_against_latest_and_any_chosen_pair(qtbot, open_tab) -> None:
    opened = open_tab(readings=3)
    tab, chart = opened.tab, opened.tab.chart
    first, middle, latest = opened.readings
    assert chart.labels == [a.name for a in STAR.areas]
    assert chart.legend == [
        f"Star reading of {date_text(first.taken_on)} (earlier)",
        f"Star reading of {date_text(latest.taken_on)} (later)",
    ]
    image = chart.grab().toImage()
    assert image.width() > 300
    assert image.height() > 300
    assert _colour_count(image, LATEST_COLOUR) > 50  # the later reading's outline and points
    assert _colour_count(image, EARLIER_COLOUR) > 20  # the earlier one's dashed line
    assert "moved up a stage" in tab.movement.text()
    assert tab.movement.text().startswith(
        f"From {date_text(first.taken_on)} to {date_text(latest.taken_on)}"
    )
    # The table over time: the change first to latest, then one column per reading.
    assert tab.over_time_model.columnCount() == 5
    assert tab.over_time_model.index(0, 1).data() == "+4"
    assert tab.over_time_model.headerData(2, Qt.Orientation.Horizontal) == "20 Jan 2025"
    assert tab.over_time_model.row_at(tab.over_time_model.rowCount() - 1).name == "Total"

    tab.first_combo.setCurrentIndex(1)
    assert chart.earlier == middle
    assert chart.legend[0] == f"Star reading of {date_text(middle.taken_on)} (earlier)"
    assert tab.movement.text().startswith(f"From {date_text(middle.taken_on)}")
    # Picked the other way round, the earlier reading is still the dashed one.
    tab.first_combo.setCurrentIndex(2)
    tab.second_combo.setCurrentIndex(0)
    assert (chart.earlier, chart.latest) == (first, latest)
    tab.second_combo.setCurrentIndex(2)
    assert chart.earlier is None
    assert chart.legend == [f"Star reading of {date_text(latest.taken_on)}"]

    tab.clear()
    assert chart.labels == []
    assert _colour_count(chart.grab().toImage(), LATEST_COLOUR) == 0


def test_star_progress_pdf_saved_from_the_tab(
    qtbot, open_tab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_tab(readings=3)
    tab = opened.tab
    target = tmp_path / "out" / "Star progress"
    target.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "PDF files (*.pdf)")),
    )
    tab.first_combo.setCurrentIndex(1)  # the PDF compares the pair on screen
    qtbot.mouseClick(tab.pdf_button, LEFT)
    saved = target.with_suffix(".pdf")
    qtbot.waitUntil(lambda: "Saved the Star progress PDF" in tab.message.text(), timeout=20_000)
    assert saved.exists()
    text = "\n".join(page.extract_text() for page in PdfReader(saved).pages)
    assert "Star progress: Wiśniewski family" in text
    assert "FM-2025-0042" in text
    middle, latest = opened.readings[1:]
    assert f"From {date_text(middle.taken_on)} to {date_text(latest.taken_on)}" in text
    for area in STAR.areas[:3]:
        assert area.name in text
    assert opened.errors == []


def council_file(folder: Path, *, broken: bool = False) -> Path:
    data = {
        "format": "fmdesk-star-instrument",
        "id": "anytown-child-star",
        "version": 1,
        "name": "Anytown child star",
        "licence": "Made up for fmdesk's tests.",
        "scale": {"min": 1, "max": 5},
        "stages": [
            {"name": "Worried", "from": 1, "to": 2, "description": "Hard going."},
            {
                "name": "Getting there",
                "from": 4 if broken else 3,
                "to": 4,
                "description": "Better days.",
            },
            {"name": "Doing fine", "from": 5, "to": 5, "description": "All good."},
        ],
        "areas": [
            {"id": "school", "name": "At school"},
            {"id": "friends", "name": "Friends"},
            {"id": "home", "name": "At home", "scores": {"5": "Home feels safe and calm."}},
        ],
    }
    path = folder / ("broken-star.json" if broken else "child-star.json")
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_council_instrument_file_gives_its_own_scale(
    qtbot, open_tab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_tab()
    tab, page = opened.tab, opened.tab.reading_page
    broken = council_file(tmp_path, broken=True)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(broken), ""))
    )
    qtbot.mouseClick(tab.load_button, LEFT)
    qtbot.waitUntil(lambda: bool(opened.errors), timeout=10_000)
    (error,) = opened.errors
    assert isinstance(error, ValidationError)
    assert str(error).startswith("broken-star.json: stages: gap")
    assert "score 3" in str(error)
    opened.errors.clear()

    good = council_file(tmp_path)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(good), ""))
    )
    qtbot.mouseClick(tab.load_button, LEFT)
    qtbot.waitUntil(lambda: "Loaded Anytown child star" in tab.message.text(), timeout=10_000)
    opened.settle(qtbot)
    held = opened.run(qtbot, lambda ctx: [d.ref for d in ctx.store.list(Definition)])
    assert held == ["anytown-child-star@1"]
    assert "Anytown child star" in tab.instrument_label.text()

    qtbot.mouseClick(tab.take_button, LEFT)
    assert [b.text() for b in page.score_buttons] == ["1", "2", "3", "4", "5"]
    page.area_view.selectRow(2)
    qtbot.mouseClick(page.score_buttons[4], LEFT)
    assert page.stage_label.text().startswith("5 · Doing fine")
    assert page.stage_text.text() == "Home feels safe and calm."
    assert opened.errors == []


def test_a_closed_family_is_read_only(qtbot, open_tab) -> None:
    opened = open_tab(readings=2, status=FamilyStatus.CLOSED)
    tab = opened.tab
    select_reading(opened, opened.readings[0].id)
    assert not tab.take_button.isEnabled()
    assert not tab.open_button.isEnabled()
    assert not tab.delete_button.isEnabled()
    assert tab.pdf_button.isEnabled()
    tab.take_reading()
    assert tab.pages.currentWidget() is tab.overview


def test_star_models_pass_qts_model_tester(qtbot, qtmodeltester, open_tab) -> None:
    opened = open_tab(readings=3)
    qtmodeltester.check(opened.tab.readings_model)
    qtmodeltester.check(opened.tab.over_time_model)
    qtbot.mouseClick(opened.tab.take_button, LEFT)
    qtmodeltester.check(opened.tab.reading_page.area_model)
    assert opened.tab.readings_model.index(0, 0).data(ROW_ROLE).reading == opened.readings[-1]


def test_the_star_tab_is_on_the_family_record(qtbot, make_window, make_store) -> None:
    window = make_window(make_store(2))
    unlock(qtbot, window)
    family_id = window.caseload.model.row_at(0).family_id
    window.open_family(family_id)
    qtbot.waitUntil(lambda: window.family_page.family is not None, timeout=10_000)
    tabs = window.family_page.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert "Star" in titles
    star_tab = next(t for t in window.family_page.feature_tabs if isinstance(t, StarTab))
    qtbot.waitUntil(lambda: star_tab.data is not None, timeout=10_000)
    assert star_tab.data.family_id == family_id
    window.lock()
    assert star_tab.data is None
    assert star_tab.readings_model.rowCount() == 0


def test_every_reading_compares_side_by_side_on_screen_and_in_the_pdf(
    qtbot, open_tab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the latest against one: each reading in its own chart, against the one before,
    with its date, total and change (issue 16)."""
    opened = open_tab(readings=3)
    tab = opened.tab
    first, middle, latest = opened.readings
    tab.chart_views.setCurrentWidget(tab.side_by_side)
    side = tab.side_by_side
    assert [(c.latest, c.earlier) for c in side.charts] == [
        (first, None),
        (middle, first),
        (latest, middle),
    ]
    captions = [c.accessibleName() for c in side.captions]
    assert captions[0].startswith(f"{date_text(first.taken_on)}: Total ")
    assert captions[0].endswith("the first reading")
    assert "since the one before" in captions[2]
    assert STAR.areas[0].name in side.key.text()
    qtbot.waitUntil(lambda: side.charts[2].isVisible())
    image = side.charts[2].grab().toImage()
    assert _colour_count(image, LATEST_COLOUR) > 20
    assert _colour_count(image, EARLIER_COLOUR) > 10

    target = tmp_path / "star.pdf"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "PDF files (*.pdf)")),
    )
    qtbot.mouseClick(tab.pdf_button, LEFT)
    qtbot.waitUntil(lambda: "Saved the Star progress PDF" in tab.message.text(), timeout=20_000)
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "Each reading side by side" in words
    for reading in opened.readings:
        assert date_text(reading.taken_on) in words
    assert "since the one before" in words

    tab.clear()
    assert side.charts == []


def test_a_reading_recorded_in_error_stays_listed_and_leaves_the_charts(
    qtbot, open_tab, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_tab(readings=3)
    tab = opened.tab
    first, middle, latest = opened.readings
    select_reading(opened, middle.id)
    assert tab.in_error_button.isEnabled()

    def answer(dialog: InErrorDialog) -> int:
        dialog.reason.setPlainText("Taken with another family")
        dialog.buttons.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(InErrorDialog, "exec", answer)
    qtbot.mouseClick(tab.in_error_button, LEFT)
    qtbot.waitUntil(lambda: len(tab.side_by_side.charts) == 2, timeout=10_000)
    opened.settle(qtbot)
    rows = tab.readings_model.rows()
    assert len(rows) == 3  # still listed
    row = next(i for i, r in enumerate(rows) if r.reading.id == middle.id)
    assert tab.readings_model.index(row, 1).data() == "Recorded in error"
    assert "Taken with another family" in tab.readings_model.index(row, 1).data(
        Qt.ItemDataRole.ToolTipRole
    )
    # Out of the table over time, the comparison and the side-by-side charts.
    assert tab.over_time_model.columnCount() == 4
    assert [(c.latest, c.earlier) for c in tab.side_by_side.charts] == [
        (first, None),
        (latest, first),
    ]
    select_reading(opened, middle.id)
    assert not tab.in_error_button.isEnabled()
    assert not tab.open_button.isEnabled()
    stored = next(r for r in opened.stored(qtbot, StarReading) if r.id == middle.id)
    assert stored.in_error
    assert not stored.deleted
