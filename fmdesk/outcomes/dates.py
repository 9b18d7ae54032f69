"""Calendar arithmetic the outcome rules share, and how they write a day."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_text(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%b %Y}"
