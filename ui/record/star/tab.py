"""The Star tab of the family record: readings over time, the chart, and taking a reading.

The overview shows every reading (drafts too), the completed ones area by area with the change
from first to latest, the stage movement in a sentence, and the radar chart of any two readings
(first against latest unless the user picks another pair); "Side by side" shows every reading as
a row of small charts, each against the one before (ui/record/star/side_by_side.py), and the
Star progress PDF the same. "Take a reading" opens the guided
flow (ui/record/star/reading.py); a draft left half-way is resumed from the same button. Changing or
deleting a completed reading asks for a reason first, and the store keeps it with the before
and after values. The tab also saves the Star progress PDF and loads a council's instrument
file, which then serves every family in the store.

All store and PDF work goes through `Task`s (db/stars.py on the worker thread).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.families import FamilyRecord
from db.history import record_in_error
from db.stars import (
    FamilyStars,
    add_instrument_file,
    load_catalogue,
    load_family_stars,
    remove_reading,
    save_completed,
    save_draft,
    save_edit,
)
from fmdesk.definition import Definition
from fmdesk.errors import ValidationError
from fmdesk.families import FamilyStatus
from fmdesk.plans import date_text
from fmdesk.stars import (
    DueState,
    Instrument,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
    compare_readings,
    completed_readings,
    new_reading,
    readings_table,
    star_due,
)
from reports.star import star_progress_pdf
from ui.actions import documents
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.dialogs import FormDialog
from ui.kit.errors import show_error
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.pages import FeatureTab, kinds
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import record_table, shortcut
from ui.record.in_error import InErrorDialog, mark_text
from ui.record.star.chart import StarChartWidget
from ui.record.star.reading import StarReadingPage
from ui.record.star.side_by_side import StarSideBySide


@dataclasses.dataclass(frozen=True)
class ReadingRow:
    """A reading as the list shows it."""

    reading: StarReading
    instrument: str  # its name, or its id@version when that instrument is not loaded
    total: int | None
    scored: int
    areas: int
    edits: int


READING_COLUMNS: tuple[Column[ReadingRow], ...] = (
    Column("Date", lambda r: r.reading.taken_on),
    Column(
        "Status",
        lambda r: (
            "Recorded in error"
            if r.reading.in_error
            else r.reading.status.label
            if r.reading.is_completed
            else f"Draft ({r.scored} of {r.areas} scored)"
        ),
        tooltip=lambda r: mark_text(m) if (m := r.reading.recorded_in_error) else "",
    ),
    Column("Who took part", lambda r: r.reading.participation.label),
    Column("Retrospective", lambda r: "Yes" if r.reading.retrospective else ""),
    Column("Total", lambda r: r.total, align_right=True),
    Column("Changed", lambda r: f"{r.edits} times" if r.edits > 1 else "Once" if r.edits else ""),
    Column("Taken by", lambda r: r.reading.taken_by),
    Column("Star", lambda r: r.instrument),
)


@dataclasses.dataclass(frozen=True)
class OverTimeRow:
    """One area (or the total) across the completed readings, oldest first."""

    name: str
    scores: tuple[int | None, ...]
    change: int | None


def signed(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


def over_time_columns(readings: tuple[StarReading, ...]) -> tuple[Column[OverTimeRow], ...]:
    def score_at(i: int) -> Column[OverTimeRow]:
        return Column(
            f"{readings[i].taken_on.day} {readings[i].taken_on:%b %Y}",
            lambda r: r.scores[i],
            align_right=True,
        )

    # The change comes straight after the area, so it stays in view however many readings.
    return (
        Column("Area", lambda r: r.name),
        Column("Change", lambda r: r.change, text=signed, align_right=True),
        *(score_at(i) for i in range(len(readings))),
    )


class ReasonDialog(FormDialog):
    """Asks why a completed reading is being changed or a reading deleted."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        explain = QLabel(prompt, self)
        explain.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setMinimumWidth(380)
        self.form.addRow(explain)
        self.form.addRow("&Reason:", self.reason)
        self.finish_layout()

    def check(self) -> str:
        return "" if self.reason.text().strip() else "Say why, in a few words."


def ask_reason(parent: QWidget, title: str, prompt: str) -> str | None:
    dialog = ReasonDialog(title, prompt, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.text().strip()


class StarTab(FeatureTab):
    title = "Sta&r"
    # The readings, their edits and deletions, and the instruments (council ones arrive as
    # definitions); the family's status (when a Star is due) comes through update_record.
    shows = kinds(StarReading, StarReadingEdit, StarReadingDeletion, Definition)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.data: FamilyStars | None = None
        self.instrument: Instrument | None = None  # the one the overview shows
        self.today = dt.date.today()

        self.pages = QStackedWidget(self)
        self.overview = QWidget(self)
        self.reading_page = StarReadingPage(self)
        self.pages.addWidget(self.overview)
        self.pages.addWidget(self.reading_page)
        QVBoxLayout(self).addWidget(self.pages)
        self._build_overview()

        self.reading_page.draft_changed.connect(self._save_draft)
        self.reading_page.complete_requested.connect(self._complete)
        self.reading_page.edit_finished.connect(self._save_edit)
        self.reading_page.closed.connect(self._back_to_overview)

    def _build_overview(self) -> None:
        page = self.overview
        self.instrument_label = QLabel(page)
        self.instrument_label.setAccessibleName("Star instrument")
        self.due_label = QLabel(page)
        self.due_label.setAccessibleName("When the next reading is due")
        self.notice = MessageLabel(page)  # said to a screen reader (issue 16)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(notice_style())
        self.notice.setAccessibleName("Star notices")
        self.notice.hide()
        self.message = QLabel(page)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Star message")

        self.take_button = QPushButton("Ta&ke a reading", page)
        self.take_button.setMinimumHeight(44)
        self.take_button.setToolTip("Take a reading with the family, or resume the draft (Ctrl+R)")
        self.open_button = QPushButton("Chang&e reading…", page)
        self.open_button.setToolTip("Continue a draft, or change a completed reading (Enter)")
        self.delete_button = QPushButton("De&lete reading…", page)
        self.delete_button.setToolTip("Delete the chosen reading, with a reason (Delete)")
        self.in_error_button = QPushButton("Recorded in erro&r…", page)
        self.in_error_button.setToolTip(
            "Mark the chosen reading as taken by mistake (another family, the wrong Star), "
            "saying why: it stays listed, marked, and leaves the charts and every figure"
        )
        self.pdf_button = QPushButton("Save Star &progress PDF…", page)
        self.pdf_button.setToolTip("Save the Star progress report as a PDF (Ctrl+P)")
        self.load_button = QPushButton("Load a council &instrument file…", page)
        self.load_button.setToolTip("Use a council's licensed Star instrument for new readings")
        for button in (
            self.take_button,
            self.open_button,
            self.delete_button,
            self.in_error_button,
            self.pdf_button,
            self.load_button,
        ):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        buttons = QHBoxLayout()
        for button in (
            self.take_button,
            self.open_button,
            self.delete_button,
            self.in_error_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.load_button)

        self.readings_model: RowTableModel[ReadingRow] = RowTableModel(READING_COLUMNS, self)
        self.readings_view = record_table(page, "Star readings")
        self.readings_view.setModel(self.readings_model)
        self.over_time_model: RowTableModel[OverTimeRow] = RowTableModel(
            over_time_columns(()), self
        )
        self.over_time_view = record_table(page, "Scores over time")
        self.over_time_view.setModel(self.over_time_model)
        self.over_time_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.movement = QLabel(page)
        self.movement.setWordWrap(True)
        self.movement.setAccessibleName("What has changed")

        self.chart = StarChartWidget(page)
        self.instrument_combo = QComboBox(page)
        self.instrument_combo.setAccessibleName("Star shown")
        self.first_combo = QComboBox(page)
        self.first_combo.setAccessibleName("Compare the reading of")
        self.second_combo = QComboBox(page)
        self.second_combo.setAccessibleName("With the reading of")
        for combo in (self.instrument_combo, self.first_combo, self.second_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumHeight(36)
        compare = QHBoxLayout()
        compare_label = QLabel("Co&mpare:", page)
        compare_label.setBuddy(self.first_combo)
        with_label = QLabel("&with:", page)
        with_label.setBuddy(self.second_combo)
        for w in (compare_label, self.first_combo, with_label, self.second_combo):
            compare.addWidget(w)
        compare.addStretch(1)
        compare.addWidget(self.instrument_combo)

        left = QWidget(page)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Readings</b>", left))
        left_layout.addWidget(self.readings_view, 2)
        left_layout.addWidget(QLabel("<b>Scores over time</b>", left))
        left_layout.addWidget(self.over_time_view, 3)
        left_layout.addWidget(self.movement)
        pair = QWidget(page)
        right_layout = QVBoxLayout(pair)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(compare)
        right_layout.addWidget(self.chart, 1)
        self.side_by_side = StarSideBySide(page)
        self.chart_views = QTabWidget(page)
        self.chart_views.setAccessibleName("Star charts")
        self.chart_views.addTab(pair, "Two readings")
        self.chart_views.addTab(self.side_by_side, "Side by side")
        split = QSplitter(page)
        split.addWidget(left)
        split.addWidget(self.chart_views)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 640])

        header = QHBoxLayout()
        header.addWidget(self.instrument_label, 1)
        header.addWidget(self.due_label)
        layout = QVBoxLayout(page)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)

        self.take_button.clicked.connect(self.take_reading)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.in_error_button.clicked.connect(self.mark_selected_in_error)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.load_button.clicked.connect(self.load_instrument_file)
        self.readings_view.doubleClicked.connect(lambda _: self.open_selected())
        self.readings_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons()
        )
        self.first_combo.currentIndexChanged.connect(lambda _: self._show_pair())
        self.second_combo.currentIndexChanged.connect(lambda _: self._show_pair())
        self.instrument_combo.currentIndexChanged.connect(lambda _: self._instrument_chosen())
        shortcut("Ctrl+R", page, self.take_reading, "Take a reading")
        shortcut(QKeySequence.StandardKey.Print, page, self.save_pdf, "Save Star progress PDF")
        table_context = Qt.ShortcutContext.WidgetShortcut
        shortcut(
            Qt.Key.Key_Return,
            self.readings_view,
            self.open_selected,
            "Change the chosen reading",
            table_context,
        )
        shortcut(
            QKeySequence.StandardKey.Delete,
            self.readings_view,
            self.delete_selected,
            "Delete the chosen reading",
            table_context,
        )

    # ---- FeatureTab ---------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.record is None or self.record.family.is_read_only

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is None or self.record.family.id != record.family.id:
            self.flush()
            self.reading_page.close_reading()
            self.pages.setCurrentWidget(self.overview)
            self.data = None
            self.instrument = None
            self.message.clear()
        super().open_family(record)
        self._update_buttons()

    def update_record(self, record: FamilyRecord) -> None:
        """The family's status changed (a Star is due from engagement) or it became read-only."""
        super().update_record(record)
        self._update_buttons()
        self._show_due()

    def flush(self) -> None:
        self.reading_page.flush()

    def clear(self) -> None:
        self.flush()
        self.reading_page.close_reading()
        self.pages.setCurrentWidget(self.overview)
        self.data = None
        self.instrument = None
        self.readings_model.set_rows([])
        self.over_time_model.set_rows([])
        self.chart.set_readings(None, None)
        self.side_by_side.set_readings(None, ())
        for combo in (self.first_combo, self.second_combo, self.instrument_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        for label in (self.instrument_label, self.due_label, self.movement, self.message):
            label.clear()
        self.notice.hide()
        super().clear()

    # ---- loading and showing ------------------------------------------------------------

    def reload(self) -> None:
        if self.record is None:
            return
        family_id = self.record.family.id
        self.read(lambda ctx: load_family_stars(ctx.store, family_id), self._show_data)

    def _show_data(self, data: FamilyStars) -> None:
        self.data = data
        catalogue = data.catalogue.instruments
        names: dict[str, str] = {}
        missing: dict[str, int] = {}
        for reading in data.readings:
            try:
                names[reading.instrument] = catalogue.get(reading.instrument).name
            except ValidationError:
                names[reading.instrument] = reading.instrument
                missing[reading.instrument] = missing.get(reading.instrument, 0) + 1
        edits: dict[str, int] = {}
        for edit in data.edits:
            edits[edit.reading_id] = edits.get(edit.reading_id, 0) + 1
        rows = []
        for reading in sorted(data.readings, key=lambda r: (r.taken_on, r.id), reverse=True):
            scored = [s.score for s in reading.scores if s.score is not None]
            rows.append(
                ReadingRow(
                    reading=reading,
                    instrument=names[reading.instrument],
                    total=sum(scored) if reading.is_completed else None,
                    scored=len(scored),
                    areas=len(reading.scores),
                    edits=edits.get(reading.id, 0),
                )
            )
        selected = self._selected_reading()
        self.readings_model.set_rows(rows)
        keep = next(
            (i for i, r in enumerate(rows) if selected and r.reading.id == selected.id), None
        )
        if keep is not None:
            self.readings_view.selectRow(keep)

        notices = list(data.catalogue.problems)
        for ref, count in missing.items():
            notices.append(
                f"{count} reading{'s were' if count > 1 else ' was'} taken with the Star "
                f"instrument {ref}, which is not loaded on this computer: ask the coordinator "
                f"for its file and load it here."
            )
        self.notice.setText("\n".join(notices))
        self.notice.setVisible(bool(notices))

        # Which instruments the family's completed readings use; the chart shows one at once.
        in_use: list[Instrument] = []
        for reading in completed_readings(data.readings):
            try:
                instrument = catalogue.get(reading.instrument_id)
            except ValidationError:
                continue
            if instrument not in in_use:
                in_use.append(instrument)
        if not in_use:
            in_use = [catalogue.default]
        current = self.instrument.id if self.instrument else None
        chosen = next((i for i in in_use if i.id == current), in_use[-1])
        self.instrument_combo.blockSignals(True)
        self.instrument_combo.clear()
        for instrument in in_use:
            self.instrument_combo.addItem(instrument.name, instrument.id)
        self.instrument_combo.setCurrentIndex(in_use.index(chosen))
        self.instrument_combo.blockSignals(False)
        self.instrument_combo.setVisible(len(in_use) > 1)
        self._show_instrument(chosen)
        self._show_due()
        self._update_buttons()

    def _instrument_chosen(self) -> None:
        if self.data is None:
            return
        instrument_id = self.instrument_combo.currentData()
        if instrument_id:
            self._show_instrument(self.data.catalogue.instruments.get(instrument_id))

    def _show_instrument(self, instrument: Instrument) -> None:
        assert self.data is not None
        self.instrument = instrument
        default = self.data.catalogue.instruments.default
        text = (
            f"<b>{instrument.name}</b> · version {instrument.version} · scored "
            f"{instrument.scale_min}–{instrument.scale_max}"
        )
        if default.ref != instrument.ref:
            text += f" · new readings use {default.name} (version {default.version})"
        self.instrument_label.setText(text)
        table = readings_table(instrument, self.data.readings)
        # One column per reading, so the model is rebuilt when the readings change.
        old = self.over_time_model
        self.over_time_model = RowTableModel(over_time_columns(table.readings), self)
        rows = [OverTimeRow(row.name, row.scores, row.change) for row in table.rows]
        if table.readings:
            rows.append(OverTimeRow("Total", table.totals, table.total_change))
        self.over_time_model.set_rows(rows)
        self.over_time_view.setModel(self.over_time_model)
        old.deleteLater()

        done = list(table.readings)
        previous = (self.first_combo.currentData(), self.second_combo.currentData())
        for combo in (self.first_combo, self.second_combo):
            combo.blockSignals(True)
            combo.clear()
            for reading in done:
                extra = " · retrospective" if reading.retrospective else ""
                combo.addItem(f"{date_text(reading.taken_on)}{extra}", reading.id)
            combo.blockSignals(False)
        ids = [r.id for r in done]
        if done:
            first = previous[0] if previous[0] in ids else ids[0]
            second = previous[1] if previous[1] in ids else ids[-1]
            if previous[1] in ids and ids[-1] not in previous:
                second = ids[-1]  # a new reading was completed: compare with it
            self.first_combo.setCurrentIndex(ids.index(first))
            self.second_combo.setCurrentIndex(ids.index(second))
        for combo in (self.first_combo, self.second_combo):
            combo.setEnabled(len(done) > 1)
        self.side_by_side.set_readings(instrument, done)
        self._show_pair()

    def chosen_pair(self) -> tuple[StarReading | None, StarReading | None]:
        """(earlier, later) of the two readings chosen in the combo boxes; one reading alone
        comes back as (None, it)."""
        if self.data is None:
            return None, None
        by_id = {r.id: r for r in self.data.readings}
        a = by_id.get(self.first_combo.currentData())
        b = by_id.get(self.second_combo.currentData())
        if a is None or b is None:
            return None, a or b
        if a.id == b.id:
            return None, a
        earlier, later = sorted((a, b), key=lambda r: (r.taken_on, r.id))
        return earlier, later

    def _show_pair(self) -> None:
        earlier, later = self.chosen_pair()
        self.chart.set_readings(self.instrument, later, earlier)
        if self.instrument is None or later is None:
            self.movement.setText("No reading has been completed yet.")
        elif earlier is None:
            self.movement.setText(
                f"One reading shown ({date_text(later.taken_on)}). Choose two readings to see "
                "what has changed."
                if self.first_combo.count() > 1
                else f"The first reading was taken on {date_text(later.taken_on)}. The next one "
                "will show what has changed."
            )
        else:
            comparison = compare_readings(self.instrument, earlier, later)
            self.movement.setText(
                f"From {date_text(earlier.taken_on)} to {date_text(later.taken_on)}: "
                f"{comparison.movement_text().lower()}. The total went from "
                f"{comparison.total_before} to {comparison.total_after} "
                f"({signed(comparison.total_change)})."
            )

    def _show_due(self) -> None:
        if self.record is None or self.data is None:
            self.due_label.clear()
            return
        family = self.record.family
        engaged = [c.on for c in self.record.changes if c.to_status is FamilyStatus.ENGAGED]
        if family.status not in (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE):
            self.due_label.clear()
            return
        due = star_due(
            max(engaged, default=None), self.data.readings, self.today, self.data.schedule
        )
        if due.due_on is None:
            self.due_label.clear()
        elif due.state is DueState.OVERDUE:
            self.due_label.setText(
                f"<b style='color:#a4262c'>Star overdue</b>: was due by {date_text(due.due_on)}"
            )
        elif due.state is DueState.DUE:
            self.due_label.setText(f"<b>Star due</b> by {date_text(due.due_on)}")
        else:
            self.due_label.setText(f"Next reading by {date_text(due.due_on)}")

    def _latest_draft(self) -> StarReading | None:
        if self.data is None:
            return None
        drafts = [r for r in self.data.readings if not r.is_completed]
        return max(drafts, key=lambda r: (r.taken_on, r.revision), default=None)

    def _selected_reading(self) -> StarReading | None:
        index = self.readings_view.currentIndex()
        if not index.isValid():
            return None
        row = index.data(ROW_ROLE)
        return row.reading if row is not None else None

    def _update_buttons(self) -> None:
        loaded = self.data is not None and self.record is not None
        editable = loaded and not self.read_only
        draft = self._latest_draft()
        if draft is not None:
            self.take_button.setText(f"Res&ume the draft of {date_text(draft.taken_on)}")
        else:
            self.take_button.setText("Ta&ke a reading")
        self.take_button.setAccessibleName(self.take_button.text().replace("&", ""))
        selected = self._selected_reading()
        self.take_button.setEnabled(editable)
        # A reading recorded in error stays listed, and is changed or deleted no more.
        marked = selected is not None and selected.in_error
        self.open_button.setEnabled(editable and selected is not None and not marked)
        self.open_button.setText(
            "Op&en this draft"
            if selected is not None and not selected.is_completed
            else "Chang&e reading…"
        )
        self.delete_button.setEnabled(editable and selected is not None and not marked)
        self.in_error_button.setEnabled(
            editable and selected is not None and selected.is_completed and not marked
        )
        self.pdf_button.setEnabled(loaded)
        self.load_button.setEnabled(loaded)

    # ---- taking and changing readings ---------------------------------------------------

    def _instrument_for(self, reading: StarReading) -> Instrument | None:
        assert self.data is not None
        try:
            return self.data.catalogue.instruments.get(reading.instrument)
        except ValidationError as exc:
            show_error(self, exc)
            return None

    def take_reading(self) -> None:
        """Start a new reading with the default instrument, or resume the latest draft."""
        if self.data is None or self.record is None or self.read_only:
            return
        draft = self._latest_draft()
        if draft is not None:
            self._open_draft(draft)
            return
        instrument = self.data.catalogue.instruments.default
        reading = new_reading(
            instrument,
            family_id=self.record.family.id,
            taken_on=self.today,
            taken_by=self.data.practitioner,
        )
        self.reading_page.open_draft(instrument, reading)
        self._show_reading_page()

    def _open_draft(self, draft: StarReading) -> None:
        instrument = self._instrument_for(draft)
        if instrument is not None:
            self.reading_page.open_draft(instrument, draft)
            self._show_reading_page()

    def _show_reading_page(self) -> None:
        self.message.clear()
        self.pages.setCurrentWidget(self.reading_page)
        self.reading_page.setFocus()

    def open_selected(self) -> None:
        """Continue the chosen draft, or change the chosen completed reading (with a reason)."""
        reading = self._selected_reading()
        if reading is None or self.data is None or self.read_only:
            return
        if not reading.is_completed:
            self._open_draft(reading)
            return
        instrument = self._instrument_for(reading)
        if instrument is None:
            return
        reason = ask_reason(
            self,
            "Change a completed reading",
            f"Why does the reading of {date_text(reading.taken_on)} need changing? The reason "
            "is kept with the scores before and after the change.",
        )
        if reason:
            self.reading_page.open_completed(instrument, reading, reason)
            self._show_reading_page()

    def delete_selected(self) -> None:
        reading = self._selected_reading()
        if reading is None or self.data is None or self.read_only:
            return
        kind = "reading" if reading.is_completed else "draft reading"
        reason = ask_reason(
            self,
            "Delete a Star reading",
            f"Why is the {kind} of {date_text(reading.taken_on)} being deleted? The reason is "
            "kept, and the reading leaves the family's record and reports.",
        )
        if not reason:
            return
        by = self.data.practitioner

        def done(_: object) -> None:
            if self.record is not None:
                self.message.setText(f"The {kind} of {date_text(reading.taken_on)} was deleted.")
            self._saved()

        self.write(lambda ctx: remove_reading(ctx.store, reading, by=by, reason=reason), done)

    def mark_selected_in_error(self) -> None:
        """Ask why the chosen completed reading was recorded in error, then mark it."""
        reading = self._selected_reading()
        if reading is None or self.read_only or reading.in_error or not reading.is_completed:
            return
        dialog = InErrorDialog(reading.KIND, f"Star reading of {date_text(reading.taken_on)}", self)
        if dialog.exec() != InErrorDialog.DialogCode.Accepted:
            return
        reason = dialog.value()

        def done(_: object) -> None:
            if self.record is not None:
                self.message.setText(
                    f"The reading of {date_text(reading.taken_on)} is marked as recorded in "
                    "error; it no longer counts."
                )
            self._saved()

        self.write(lambda ctx: record_in_error(ctx.store, reading.id, reason), done)

    def _save_draft(self, reading: StarReading) -> None:
        instrument = self.reading_page.instrument
        if instrument is None:
            return
        self.write(lambda ctx: save_draft(ctx.store, reading, instrument))

    def _complete(self, reading: StarReading) -> None:
        instrument = self.reading_page.instrument
        if instrument is None:
            return

        def done(saved: StarReading) -> None:
            self.reading_page.close_reading()
            self.pages.setCurrentWidget(self.overview)
            self.message.setText(f"The reading of {date_text(saved.taken_on)} is complete.")
            self._saved()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.reading_page.problem.setText(str(exc))
            else:
                show_error(self, exc)

        self.write(
            lambda ctx: save_completed(ctx.store, reading, instrument),
            done,
            label="Saving the reading…",
            failure=failed,
        )

    def _save_edit(self, before: StarReading, after: StarReading, reason: str) -> None:
        instrument = self.reading_page.instrument
        if instrument is None or self.data is None:
            return
        by = self.data.practitioner

        def done(_: object) -> None:
            if self.record is not None:  # not after a lock, which also saves pending changes
                self.message.setText(
                    f"The change to the reading of {date_text(after.taken_on)} was saved with "
                    "its reason."
                )
            self._saved()

        self.write(
            lambda ctx: save_edit(
                ctx.store, before, after, instrument=instrument, by=by, reason=reason
            ),
            done,
        )

    def _back_to_overview(self) -> None:
        self.pages.setCurrentWidget(self.overview)
        self.reload()

    def _saved(self) -> None:
        if self.record is not None:
            self.reload()

    # ---- files --------------------------------------------------------------------------

    def save_pdf(self) -> None:
        if self.record is None or self.data is None or self.instrument is None:
            return
        family = self.record.family
        suggested = str(Path.home() / f"Star progress {family.reference}.pdf")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Star progress PDF", suggested, "PDF files (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        instrument, readings = self.instrument, list(self.data.readings)
        earlier, later = self.chosen_pair()
        printed_on = self.today

        def op(_: TaskContext) -> Path:
            pdf = star_progress_pdf(
                family,
                instrument,
                readings,
                printed_on=printed_on,
                first=earlier,
                latest=later if earlier is not None else None,
            )
            return documents.save(path, pdf)

        def done(saved: Path) -> None:
            self.message.setText(f"Saved the Star progress PDF to {saved}.")

        Task(self.runner, op, done, parent=self).with_progress(
            "Saving the Star progress PDF…"
        ).failure(lambda exc: show_error(self, exc)).run()

    def load_instrument_file(self) -> None:
        """Check a council's instrument file and use it for new readings in this store."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Load a council Star instrument file",
            str(Path.home()),
            "Star instrument files (*.json);;All files (*)",
        )
        if not path:
            return

        def op(ctx: TaskContext) -> tuple[Instrument, Instrument]:
            added = add_instrument_file(ctx.store, path)
            return added, load_catalogue(ctx.store).instruments.default

        def done(result: tuple[Instrument, Instrument]) -> None:
            added, default = result
            text = f"Loaded {added.name} (version {added.version}) from {Path(path).name}."
            if default.ref == added.ref:
                text += " New readings in every family will use it."
            self.message.setText(text)
            self.reload()

        Task(self.runner, op, done, parent=self).failure(lambda exc: show_error(self, exc)).run()
