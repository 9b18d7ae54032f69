"""Small pieces the Outcomes panels share: the "for whom" box (the household or one person)
and turning a date box's day into a date and back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, QSignalBlocker
from PySide6.QtWidgets import QComboBox, QDateEdit

from fmdesk.families import Person

HOUSEHOLD = ""  # the person id of a tick or measure that concerns the whole household


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(edit: QDateEdit) -> dt.date:
    return edit.date().toPython()  # type: ignore[return-value]


def people_choices(combo: QComboBox, people: Sequence[Person], household: str) -> None:
    """Fill a "for whom" box: the household first, then each person; keeps the choice made."""
    chosen = combo.currentData()
    with QSignalBlocker(combo):
        combo.clear()
        combo.addItem(household, HOUSEHOLD)
        for person in people:
            combo.addItem(person.display_name, person.id)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
