"""The "Problems and indicators" section of the Outcomes tab: every indicator of need of the
family's framework, ticked or not, for whom, when, on what evidence and by whom, and a box to
tick the chosen one for the household or a person, or take a tick back. Ticks from a completed
whole-family assessment show here too but belong to the assessment, so they cannot be untaken.

A view: `show_outcomes` fills it and it keeps its own selection; `save_requested(ticks)` and
`delete_requested(ticks)` say what the user asked for, and the tab does the writing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db.outcomes import FamilyOutcomes
from fmdesk.outcomes import IndicatorTick, Problem
from fmdesk.outcomes.framework import Indicator
from ui.kit.models import ROW_ROLE, Column, RowTableModel, show_date
from ui.kit.widgets import action_button, date_edit, record_table, stretch_column
from ui.record.outcomes.fields import HOUSEHOLD, people_choices, pydate


@dataclasses.dataclass(frozen=True)
class IndicatorRow:
    problem: Problem
    indicator: Indicator
    ticks: tuple[IndicatorTick, ...]
    names: dict[str, str]

    @property
    def ticked(self) -> bool:
        return bool(self.ticks)

    def join(self, value: Callable[[IndicatorTick], str]) -> str:
        seen: list[str] = []
        for tick in self.ticks:
            text = value(tick)
            if text and text not in seen:
                seen.append(text)
        return "; ".join(seen)

    def who(self, tick: IndicatorTick) -> str:
        return self.names.get(tick.person_id, "Household") if tick.person_id else "Household"


def _from_assessment(tick: IndicatorTick) -> bool:
    # Ticks a completed assessment gives are made on the fly with ids "<assessment id>/<n>".
    return "/" in tick.id


INDICATOR_COLUMNS: tuple[Column[IndicatorRow], ...] = (
    Column("Problem", lambda r: r.problem.short_name),
    Column("Code", lambda r: r.indicator.code),
    Column("Indicator of need", lambda r: r.indicator.text, tooltip=lambda r: r.indicator.text),
    Column("Ticked", lambda r: "✓ Ticked" if r.ticked else ""),
    Column("For whom", lambda r: r.join(r.who)),
    Column("On", lambda r: r.join(lambda t: show_date(t.on))),
    Column("Evidence", lambda r: r.join(lambda t: t.evidence_source)),
    Column("By", lambda r: r.join(lambda t: t.recorded_by)),
)


class IndicatorsPanel(QWidget):
    """The indicators table over the tick box. Ctrl+T ticks, Ctrl+Shift+T unticks."""

    save_requested = Signal(list)  # [IndicatorTick]: a new tick
    delete_requested = Signal(list)  # [IndicatorTick]: ticks to take back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outcomes: FamilyOutcomes | None = None
        self._read_only = True
        self.model: RowTableModel[IndicatorRow] = RowTableModel(INDICATOR_COLUMNS, self)
        self.view = record_table(self, "Indicators of need")
        self.view.setModel(self.model)
        stretch_column(self.view, 2)
        self.tick_who = QComboBox(self)
        self.tick_on = date_edit(self, "Seen on")
        self.tick_source = QComboBox(self)
        self.tick_source.setEditable(True)
        self.tick_by = QLineEdit(self)
        self.tick_button = action_button(self, "&Tick", "Ctrl+T", "Tick the chosen indicator")
        self.untick_button = action_button(
            self, "&Untick", "Ctrl+Shift+T", "Untick it for this person"
        )
        editor = QGroupBox("Tick the chosen indicator", self)
        form = QFormLayout(editor)
        for label, widget in (
            ("For whom", self.tick_who),
            ("Seen on", self.tick_on),
            ("Evidence source", self.tick_source),
            ("Recorded by", self.tick_by),
        ):
            caption = QLabel(label + ":", editor)
            caption.setBuddy(widget)
            widget.setAccessibleName(label)
            form.addRow(caption, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tick_button)
        buttons.addWidget(self.untick_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.tick_problem = QLabel(editor)
        self.tick_problem.setWordWrap(True)
        self.tick_problem.setAccessibleName("Tick notice")
        form.addRow(self.tick_problem)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(editor)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(split)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _: self._chosen(current)
        )
        self.tick_button.clicked.connect(self.tick)
        self.untick_button.clicked.connect(self.untick)

    def current(self) -> IndicatorRow | None:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def show_outcomes(self, outcomes: FamilyOutcomes | None, *, read_only: bool) -> None:
        """Show every indicator of `outcomes`' framework (none without one), keeping the
        indicator chosen and what is typed in the tick box."""
        self._outcomes, self._read_only = outcomes, read_only
        people_choices(self.tick_who, outcomes.data.people if outcomes else (), "Whole household")
        if outcomes is not None and not self.tick_by.isModified():
            self.tick_by.setText(outcomes.practitioner)
        keep = current.indicator.code if (current := self.current()) else None
        rows: list[IndicatorRow] = []
        framework = outcomes.framework if outcomes else None
        if outcomes is not None and framework is not None:
            names = {p.id: p.known_as or p.given_name for p in outcomes.data.people}
            for problem in framework.problems:
                for indicator in problem.indicators:
                    ticks = tuple(
                        sorted(
                            (t for t in outcomes.data.ticks if t.indicator == indicator.code),
                            key=lambda t: (t.on, t.person_id),
                        )
                    )
                    rows.append(IndicatorRow(problem, indicator, ticks, names))
        self.model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.indicator.code == keep), None)
        if target is not None:
            self.view.selectRow(target)
        elif rows:
            self.view.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        outcomes = self._outcomes
        can_tick = outcomes is not None and not self._read_only and outcomes.framework is not None
        row = self.current()
        for widget in (self.tick_who, self.tick_on, self.tick_source, self.tick_by):
            widget.setEnabled(can_tick)
        self.tick_button.setEnabled(can_tick and row is not None)
        self.untick_button.setEnabled(can_tick and row is not None and row.ticked)

    def _chosen(self, current: QModelIndex) -> None:
        row: IndicatorRow | None = current.data(ROW_ROLE) if current.isValid() else None
        self.tick_problem.clear()
        with QSignalBlocker(self.tick_source):
            text = self.tick_source.currentText()
            self.tick_source.clear()
            if row is not None:
                self.tick_source.addItems(list(row.indicator.evidence))
            self.tick_source.setCurrentText(
                text if text or row is None or not row.indicator.evidence else ""
            )
        # An indicator ticked for one person only: untick (or look at) it for them.
        if row is not None and len({t.person_id for t in row.ticks}) == 1:
            self.tick_who.setCurrentIndex(max(self.tick_who.findData(row.ticks[0].person_id), 0))
        self._update_buttons()

    def tick(self) -> None:
        """Ask for the chosen indicator to be ticked for the person chosen, unless it is."""
        row = self.current()
        if row is None or self._outcomes is None:
            return
        who = self.tick_who.currentData() or HOUSEHOLD
        if any(t.person_id == who for t in row.ticks):
            self.tick_problem.setText(
                f"{row.indicator.code} is already ticked for {self.tick_who.currentText()}."
            )
            return
        self.tick_problem.clear()
        self.save_requested.emit(
            [
                IndicatorTick(
                    family_id=self._outcomes.family.id,
                    indicator=row.indicator.code,
                    person_id=who,
                    on=pydate(self.tick_on),
                    evidence_source=self.tick_source.currentText().strip(),
                    recorded_by=self.tick_by.text().strip(),
                )
            ]
        )

    def untick(self) -> None:
        """Ask for the chosen indicator's tick for the person chosen to be taken back; say why
        not when it is not ticked for them or comes from the assessment."""
        row = self.current()
        if row is None or self._outcomes is None:
            return
        who = self.tick_who.currentData() or HOUSEHOLD
        mine = [t for t in row.ticks if t.person_id == who]
        removable = [t for t in mine if not _from_assessment(t)]
        if not mine:
            self.tick_problem.setText(
                f"{row.indicator.code} is not ticked for {self.tick_who.currentText()}; "
                f"it is ticked for {row.join(row.who)}. Choose them under For whom."
            )
            return
        if not removable:
            self.tick_problem.setText(
                f"{row.indicator.code} comes from the completed whole-family assessment. "
                "A review of the assessment can change it."
            )
            return
        self.tick_problem.clear()
        self.delete_requested.emit(removable)
