"""Taking a Star reading with the family: one area at a time, with big buttons for the score.

Made for a touchscreen laptop on the sofa: the score buttons are large, the stage and what the
chosen score means are shown straight away, and every area has a note. The areas down the side
are a model/view table, so the family can jump back to any area.

Two modes. A *draft* (a new reading, or one left half-way) saves itself: every change is sent
as `draft_changed` shortly after it is made, and at once on `flush()`. A *completed* reading is
changed only with a reason, asked before the page opens; its changes are kept here and sent as
one `edit_finished(before, after, reason)` on "Save changes", on going back, or on `flush()`
(lock or close), so nothing typed is lost and every change has its reason.

The page never touches the store: the Star tab turns its signals into tasks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmdesk.plans import date_text
from fmdesk.stars import Instrument, Participation, StarReading
from ui.kit.announce import MessageLabel
from ui.kit.autosave import Autosave
from ui.kit.colours import colours, notice_style, text_style
from ui.kit.models import Column, RowTableModel
from ui.kit.widgets import date_edit, shortcut

SCORE_BUTTON_HEIGHT = 72  # px: comfortably bigger than a fingertip
SCORE_BUTTON_WIDTH = 56  # ten of them still fit a 1366-pixel laptop screen


@dataclasses.dataclass(frozen=True)
class AreaRow:
    """One row of the area list down the side."""

    number: int
    name: str
    score: int | None
    stage: str


AREA_COLUMNS: tuple[Column[AreaRow], ...] = (
    Column("Area", lambda r: f"{r.number}. {r.name}"),
    Column("Score", lambda r: "–" if r.score is None else f"{r.score} · {r.stage}"),
)


class StarReadingPage(QWidget):
    draft_changed = Signal(object)  # StarReading (a draft) to save
    complete_requested = Signal(object)  # StarReading with every area scored
    edit_finished = Signal(object, object, str)  # before, after, reason
    closed = Signal()  # back to the overview; anything pending has been sent

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument: Instrument | None = None
        self.reading: StarReading | None = None
        self.original: StarReading | None = None  # the stored completed reading, when editing
        self.reason = ""
        self.area_index = 0
        self.score_buttons: list[QPushButton] = []

        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setAccessibleName("Reading")
        self.mode_banner = MessageLabel(self)  # said to a screen reader (issue 16)
        self.mode_banner.setWordWrap(True)
        self.mode_banner.setAccessibleName("Changing a completed reading")
        self.mode_banner.setStyleSheet(notice_style())

        # Details of the reading: when, who took part, entered afterwards.
        self.taken_on = date_edit(self, "Date of the reading")
        self.taken_on.setMaximumDate(QDate.currentDate())
        self.taken_on.setAccessibleName("Date of the reading")
        self.participation = QComboBox(self)
        self.participation.setAccessibleName("Who took part")
        for member in Participation:
            self.participation.addItem(member.label, member)
        # Alt+R: Alt+F is the File menu.
        self.retrospective = QCheckBox("Entered afterwards (&retrospective)", self)
        self.retrospective.setAccessibleName("Retrospective reading")
        details = QHBoxLayout()
        date_label = QLabel("Dat&e:", self)
        date_label.setBuddy(self.taken_on)
        who_label = QLabel("&Who took part:", self)
        who_label.setBuddy(self.participation)
        for w in (date_label, self.taken_on, who_label, self.participation, self.retrospective):
            details.addWidget(w)
        details.addStretch(1)

        # The areas down the side.
        self.area_model: RowTableModel[AreaRow] = RowTableModel(AREA_COLUMNS, self)
        self.area_view = QTableView(self)
        self.area_view.setModel(self.area_model)
        self.area_view.setAccessibleName("Areas of the Star")
        self.area_view.setTabKeyNavigation(False)  # Tab moves on; the arrows choose an area
        self.area_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.area_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.area_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.area_view.verticalHeader().hide()
        self.area_view.verticalHeader().setDefaultSectionSize(40)  # rows big enough to tap
        header = self.area_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.area_view.setMinimumWidth(240)
        self.area_view.setMaximumWidth(420)

        # The area being scored.
        self.area_title = QLabel(self)
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.area_title.setFont(title_font)
        self.area_title.setAccessibleName("Area")
        self.area_help = QLabel(self)
        self.area_help.setWordWrap(True)
        self.area_help.setAccessibleName("What this area covers")
        self.score_row = QHBoxLayout()
        self.score_row.setSpacing(8)
        self.score_group = QButtonGroup(self)
        self.score_group.setExclusive(True)
        self.stage_label = QLabel(self)
        stage_font = QFont(self.font())
        stage_font.setPointSizeF(stage_font.pointSizeF() * 1.3)
        stage_font.setBold(True)
        self.stage_label.setFont(stage_font)
        self.stage_label.setAccessibleName("Stage")
        self.stage_text = QLabel(self)
        self.stage_text.setWordWrap(True)
        self.stage_text.setAccessibleName("What the score means")
        self.stage_text.setMinimumHeight(48)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("What the family said about this area, in their words")
        self.note.setAccessibleName("Note for this area")
        note_label = QLabel("Note for th&is area:", self)
        note_label.setBuddy(self.note)

        self.previous_button = self._big_button("◀ Previous area", "Previous area (Page Up)")
        self.next_button = self._big_button("Next area ▶", "Next area (Page Down)")
        self.complete_button = self._big_button(
            "Complete reading", "Complete the reading (Ctrl+Enter)"
        )
        self.discard_button = self._big_button("Discard changes", "Leave the reading as it was")
        self.back_button = self._big_button("&Back to the readings", "Back (Esc)")
        self.problem = MessageLabel(self, urgent=True)  # said to a screen reader
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setAccessibleName("Reading problem")

        right = QVBoxLayout()
        right.addWidget(self.area_title)
        right.addWidget(self.area_help)
        right.addSpacing(6)
        right.addLayout(self.score_row)
        right.addSpacing(6)
        right.addWidget(self.stage_label)
        right.addWidget(self.stage_text)
        right.addWidget(note_label)
        right.addWidget(self.note, 1)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        right.addLayout(nav)
        right.addWidget(self.problem)
        # Finishing sits at the top with the reading's name, where it is always on screen.
        finish = QHBoxLayout()
        finish.addWidget(self.back_button)
        finish.addWidget(self.heading, 1)
        finish.addWidget(self.discard_button)
        finish.addWidget(self.complete_button)
        body = QHBoxLayout()
        body.addWidget(self.area_view)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(finish)
        layout.addWidget(self.mode_banner)
        layout.addLayout(details)
        layout.addLayout(body, 1)

        self.autosave = Autosave(self._send_draft, self)

        self.score_group.idClicked.connect(self.set_score)
        self.note.textChanged.connect(self._note_typed)
        self.taken_on.dateChanged.connect(self._details_changed)
        self.participation.currentIndexChanged.connect(self._details_changed)
        self.retrospective.toggled.connect(self._details_changed)
        self.area_view.selectionModel().currentRowChanged.connect(
            lambda current, _: self.go_to(current.row()) if current.isValid() else None
        )
        self.previous_button.clicked.connect(lambda: self.go_to(self.area_index - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.area_index + 1))
        self.complete_button.clicked.connect(self.complete)
        self.back_button.clicked.connect(self.go_back)
        self.discard_button.clicked.connect(self.discard)
        for keys, slot, what in (
            (
                QKeySequence(QKeySequence.StandardKey.MoveToPreviousPage),
                self.previous_button.click,
                "Previous area",
            ),
            (
                QKeySequence(QKeySequence.StandardKey.MoveToNextPage),
                self.next_button.click,
                "Next area",
            ),
            (QKeySequence("Ctrl+Return"), self.complete_button.click, "Complete the reading"),
            (QKeySequence("Ctrl+Enter"), self.complete_button.click, "Complete the reading"),
            (QKeySequence(Qt.Key.Key_Escape), self.back_button.click, "Back to the readings"),
        ):
            shortcut(keys, self, slot, what)
        # Number keys score the area (0 for 10); a text box that has focus keeps its digits.
        for digit in range(10):
            shortcut(
                QKeySequence(str(digit)),
                self,
                functools.partial(self._score_key, digit),
                f"Score the area {digit or 10}",
            )

    def _big_button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setMinimumSize(150, 48)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", "").strip("◀▶ "))
        return button

    # ---- opening and closing --------------------------------------------------------------

    @property
    def editing_completed(self) -> bool:
        return self.original is not None

    @property
    def is_open(self) -> bool:
        return self.reading is not None

    def open_draft(self, instrument: Instrument, reading: StarReading) -> None:
        """Take a new reading or resume a draft; starts at the first area not yet scored."""
        self._open(instrument, reading, original=None, reason="")
        first_unscored = next(
            (i for i, a in enumerate(instrument.areas) if reading.score(a.id) is None), 0
        )
        self.go_to(first_unscored)

    def open_completed(self, instrument: Instrument, reading: StarReading, reason: str) -> None:
        """Change a completed reading; `reason` is kept with the before and after values."""
        self._open(instrument, reading, original=reading, reason=reason)
        self.go_to(0)

    def _open(
        self,
        instrument: Instrument,
        reading: StarReading,
        *,
        original: StarReading | None,
        reason: str,
    ) -> None:
        self.flush()
        self.instrument, self.reading, self.original, self.reason = (
            instrument,
            reading,
            original,
            reason,
        )
        self.problem.clear()
        self._build_score_buttons(instrument)
        with (
            QSignalBlocker(self.taken_on),
            QSignalBlocker(self.participation),
            QSignalBlocker(self.retrospective),
        ):
            self.taken_on.setMaximumDate(QDate.currentDate())
            day = reading.taken_on
            self.taken_on.setDate(QDate(day.year, day.month, day.day))
            self.participation.setCurrentIndex(
                max(self.participation.findData(reading.participation), 0)
            )
            self.retrospective.setChecked(reading.retrospective)
        self._show_heading()
        self.mode_banner.setText(
            f"You are changing a completed reading. Reason: {reason}. The change is kept "
            f"with the scores before and after."
            if original is not None
            else ""
        )
        self.mode_banner.setVisible(original is not None)
        self.complete_button.setText("Save changes" if original is not None else "Complete reading")
        self.complete_button.setAccessibleName(
            "Save changes" if original is not None else "Complete reading"
        )
        self.discard_button.setVisible(original is not None)
        self.area_index = -1
        self._refresh_areas()

    def _show_heading(self) -> None:
        if self.reading is None or self.instrument is None:
            self.heading.clear()
            return
        what = "Changing the reading" if self.original is not None else "Star reading"
        self.heading.setText(
            f"<h3>{what} of {date_text(self.reading.taken_on)} "
            f"<small>· {self.instrument.name} · scored {self.instrument.scale_min}–"
            f"{self.instrument.scale_max}</small></h3>"
        )

    def close_reading(self) -> None:
        """Forget the reading without sending anything (after a lock has flushed it)."""
        self.autosave.discard()
        self.instrument = self.reading = self.original = None
        self.reason = ""
        self.area_model.set_rows([])
        self.note.blockSignals(True)
        self.note.clear()
        self.note.blockSignals(False)
        self.problem.clear()

    def _build_score_buttons(self, instrument: Instrument) -> None:
        for button in self.score_buttons:
            # Out of the layout at once: deleteLater alone would leave them widening the page.
            self.score_group.removeButton(button)
            self.score_row.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.score_buttons = []
        chosen = colours()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        for score in range(instrument.scale_min, instrument.scale_max + 1):
            button = QPushButton(str(score), self)
            button.setCheckable(True)
            button.setFont(font)
            button.setMinimumSize(SCORE_BUTTON_WIDTH, SCORE_BUTTON_HEIGHT)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setAccessibleName(f"Score {score}")
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {chosen.score_checked.name()}; "
                f"color: {chosen.score_checked_text.name()}; border-radius: 6px; }}"
            )
            self.score_group.addButton(button, score)
            self.score_row.addWidget(button)
            self.score_buttons.append(button)

    # ---- moving between areas ---------------------------------------------------------------

    def go_to(self, index: int) -> None:
        if self.instrument is None or self.reading is None:
            return
        index = max(0, min(index, len(self.instrument.areas) - 1))
        if index == self.area_index:
            return
        self._save_note()
        self.area_index = index
        area = self.instrument.areas[index]
        count = len(self.instrument.areas)
        self.area_title.setText(f"{area.name}  ({index + 1} of {count})")
        self.area_help.setText(area.help)
        self.area_help.setVisible(bool(area.help))
        with QSignalBlocker(self.note):
            self.note.setPlainText(self.reading.note(area.id))
        self._show_score()
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < count - 1)
        with QSignalBlocker(self.area_view.selectionModel()):
            self.area_view.selectRow(index)

    @property
    def current_area_id(self) -> str:
        assert self.instrument is not None
        return self.instrument.areas[self.area_index].id

    def _show_score(self) -> None:
        assert self.instrument is not None
        assert self.reading is not None
        score = self.reading.score(self.current_area_id)
        self.score_group.setExclusive(False)  # so no button can be left checked
        for button in self.score_buttons:
            button.setChecked(score is not None and self.score_group.id(button) == score)
        self.score_group.setExclusive(True)
        if score is None:
            self.stage_label.setText("Not scored yet")
            self.stage_text.setText("Choose the score the family agree on.")
            return
        stage, wording = self.instrument.describe(self.current_area_id, score)
        self.stage_label.setText(f"{score} · {stage.name} (scores {stage.range_text})")
        self.stage_text.setText(wording)

    def _refresh_areas(self) -> None:
        assert self.instrument is not None
        assert self.reading is not None
        rows = []
        for number, area in enumerate(self.instrument.areas, start=1):
            score = self.reading.score(area.id)
            stage = self.instrument.stage(score).name if score is not None else ""
            rows.append(AreaRow(number, area.name, score, stage))
        self.area_model.set_rows(rows)
        if self.area_index >= 0:
            with QSignalBlocker(self.area_view.selectionModel()):
                self.area_view.selectRow(self.area_index)

    # ---- changes ------------------------------------------------------------------------

    def set_score(self, score: int) -> None:
        """Score the current area (the big buttons and number keys land here)."""
        if self.reading is None or self.instrument is None:
            return
        if not self.instrument.scale_min <= score <= self.instrument.scale_max:
            return
        self.reading = self.reading.with_score(self.current_area_id, score)
        self.problem.clear()
        self._show_score()
        self._refresh_areas()
        self._changed()

    def _score_key(self, digit: int) -> None:
        if self.instrument is None:
            return
        score = 10 if digit == 0 and self.instrument.scale_max >= 10 else digit
        self.set_score(score)

    def _note_typed(self) -> None:
        if self.reading is not None:
            self._changed()

    def _save_note(self) -> None:
        """Put the note box's text into the reading (before leaving an area, or saving)."""
        if self.reading is None or self.instrument is None or self.area_index < 0:
            return
        text = self.note.toPlainText()
        area_id = self.current_area_id
        if text != self.reading.note(area_id):
            self.reading = self.reading.with_score(area_id, self.reading.score(area_id), text)

    def _details_changed(self, *_: object) -> None:
        if self.reading is None:
            return
        taken_on: dt.date = self.taken_on.date().toPython()  # type: ignore[assignment]
        self.reading = self.reading.replace(
            taken_on=taken_on,
            participation=Participation(self.participation.currentData()),
            retrospective=self.retrospective.isChecked(),
        )
        self._show_heading()
        self._changed()

    def _changed(self) -> None:
        if not self.editing_completed:
            self.autosave.touch()

    @property
    def missing_areas(self) -> list[str]:
        if self.instrument is None or self.reading is None:
            return []
        return [a.name for a in self.instrument.areas if self.reading.score(a.id) is None]

    # ---- saving -------------------------------------------------------------------------

    def _has_changes(self) -> bool:
        """Whether a completed reading being changed differs from what was opened."""
        self._save_note()
        return self.original is not None and self.reading != self.original

    def flush(self) -> None:
        """Send what is pending now: the draft, or a completed reading's changes."""
        if self.reading is None:
            return
        self._save_note()
        if self.editing_completed:
            if self._has_changes():
                assert self.original is not None
                self.edit_finished.emit(self.original, self.reading, self.reason)
                self.original = self.reading  # sent: later changes are a new edit
            return
        self.autosave.flush()

    def _send_draft(self) -> None:
        if self.reading is None or self.editing_completed:
            return
        self._save_note()
        self.draft_changed.emit(self.reading)

    def complete(self) -> None:
        """Complete the draft (refused while any area is unscored), or save the changes."""
        if self.reading is None or self.instrument is None:
            return
        self._save_note()
        missing = self.missing_areas
        if missing:
            self.problem.setText(
                "Score every area before completing. Still to score: " + ", ".join(missing) + "."
            )
            first = next(
                i for i, a in enumerate(self.instrument.areas) if self.reading.score(a.id) is None
            )
            self.go_to(first)
            return
        if self.editing_completed:
            if self._has_changes():
                assert self.original is not None
                self.edit_finished.emit(self.original, self.reading, self.reason)
            self.close_reading()
            self.closed.emit()
            return
        self.flush()
        self.complete_requested.emit(self.reading)

    def go_back(self) -> None:
        """Back to the overview; a draft stays saved to resume, a change is saved with its
        reason."""
        self.flush()
        self.close_reading()
        self.closed.emit()

    def discard(self) -> None:
        """Leave a completed reading as it was (only offered while changing one)."""
        self.autosave.discard()
        self.close_reading()
        self.closed.emit()
