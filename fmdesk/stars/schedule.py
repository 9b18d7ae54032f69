"""When a family's next Star reading is due: "Star due" and "Star overdue" on the caseload."""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable

from fmdesk.stars.reading import StarReading, completed_readings


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarSchedule:
    """The first reading within `first_within_days` of engagement, then one every
    `every_days`; "Star due" shows from `notice_days` before a review's due date."""

    first_within_days: int = 28
    every_days: int = 84
    notice_days: int = 14

    def __post_init__(self) -> None:
        if self.first_within_days < 0 or self.every_days < 1 or self.notice_days < 0:
            raise ValueError("Star intervals must be positive numbers of days")


class DueState(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"not_due": "", "due": "Star due", "overdue": "Star overdue"}[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarDue:
    state: DueState
    due_on: dt.date | None  # None when the family is not engaged

    @property
    def label(self) -> str:
        return self.state.label


def next_star_due(
    engaged_on: dt.date | None,
    readings: Iterable[StarReading],
    schedule: StarSchedule = StarSchedule(),
) -> dt.date | None:
    """When the next reading is due: after engagement, then after the latest completed one."""
    return _next_due(engaged_on, _latest_taken(readings), schedule)


def _latest_taken(readings: Iterable[StarReading]) -> dt.date | None:
    done = completed_readings(readings)
    return done[-1].taken_on if done else None


def _next_due(
    engaged_on: dt.date | None, latest_taken: dt.date | None, schedule: StarSchedule
) -> dt.date | None:
    if latest_taken is not None:
        return latest_taken + dt.timedelta(days=schedule.every_days)
    if engaged_on is None:
        return None
    return engaged_on + dt.timedelta(days=schedule.first_within_days)


def star_due(
    engaged_on: dt.date | None,
    readings: Iterable[StarReading],
    on: dt.date,
    schedule: StarSchedule = StarSchedule(),
) -> StarDue:
    """The caseload's "Star due" / "Star overdue" for a family on `on`.

    Pass engaged_on=None for a family not (yet) engaged; callers leave out closed families.
    The first reading is due from engagement; a review from `notice_days` before its date.
    """
    return star_due_after(engaged_on, _latest_taken(readings), on, schedule)


def star_due_after(
    engaged_on: dt.date | None,
    latest_taken: dt.date | None,
    on: dt.date,
    schedule: StarSchedule = StarSchedule(),
) -> StarDue:
    """`star_due` from the date of the latest completed reading alone (None: no reading yet),
    which is all the rule needs; the caseload reads that date in SQL for every family."""
    due_on = _next_due(engaged_on, latest_taken, schedule)
    if due_on is None:
        return StarDue(state=DueState.NOT_DUE, due_on=None)
    if on > due_on:
        return StarDue(state=DueState.OVERDUE, due_on=due_on)
    first = latest_taken is None
    opens = engaged_on if first and engaged_on else due_on - dt.timedelta(schedule.notice_days)
    state = DueState.DUE if on >= opens else DueState.NOT_DUE
    return StarDue(state=state, due_on=due_on)
