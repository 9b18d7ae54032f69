"""The rules for dates a user gives: a date must be a real day of the calendar, the date of
something that happened cannot be after today, and an age that is unlikely for a person's role is
asked about before it is kept. The UI shows these; it decides none of them itself.

Each check returns the sentence to show ("" when the date is fine), written to say what to do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from fmdesk.families import PersonRole

# The ages (whole years, inclusive) that are usual for each role; outside them the app asks
# "is this right?" rather than refusing: a 19-year-old may still be a child of the family, a
# grandparent carer may be 90.
USUAL_AGES: dict[PersonRole, tuple[int, int]] = {
    PersonRole.CHILD: (0, 19),
    PersonRole.PARENT_CARER: (14, 90),
    PersonRole.OTHER_ADULT: (16, 105),
    PersonRole.SIGNIFICANT_ADULT: (14, 105),
}
# Nobody alive was born before this many years ago.
OLDEST = 120

_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def show(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def impossible(text: str) -> str:
    """Why `text`, typed as day/month/year, is not a day of the calendar ("" when it is one,
    or when it is not yet a whole date: 3/0/2027 while the month is being typed).

    >>> impossible("31/02/2027")
    '31/02/2027 is not a date: February 2027 has 28 days. Type the date again.'
    """
    match = _DAY_MONTH_YEAR.match(text)
    if match is None:
        return ""
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return f"{text.strip()} is not a date: there is no month {month}. Type the date again."
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if day == 0 or day > days:
        name = dt.date(max(year, 1), month, 1).strftime("%B")
        return f"{text.strip()} is not a date: {name} {year} has {days} days. Type the date again."
    return ""


def happened(day: dt.date | None, today: dt.date, what: str) -> str:
    """`what` (e.g. "The date consent was given") names something that has happened, so it
    cannot be after `today`."""
    if day is None or day <= today:
        return ""
    return (
        f"{what} cannot be in the future: {show(day)} is after today ({show(today)}). "
        "Give the date it happened."
    )


def not_before(day: dt.date | None, earliest: dt.date | None, what: str, other: str) -> str:
    if day is None or earliest is None or day >= earliest:
        return ""
    return f"{what} cannot be before {other} ({show(earliest)})."


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def birth_date(born: dt.date | None, today: dt.date) -> str:
    """A date of birth is in the past, and within a lifetime."""
    if born is None:
        return ""
    found = happened(born, today, "A date of birth")
    if found:
        return found
    if age_on(born, today) > OLDEST:
        return f"A date of birth of {show(born)} would make them over {OLDEST}: check the year."
    return ""


def age_question(role: PersonRole, born: dt.date | None, today: dt.date) -> str:
    """The question to ask before keeping a date of birth that gives an unusual age for
    `role` ("" when the age is usual, or there is no date)."""
    if born is None or born > today:
        return ""
    low, high = USUAL_AGES[role]
    years = age_on(born, today)
    if low <= years <= high:
        return ""
    age = f"{years} year{'' if years == 1 else 's'} old"
    return (
        f"A date of birth of {show(born)} makes them {age} today, which is unusual for "
        f"'{role.label}'. Is the date right?"
    )
