"""`--as-at DATE`, shared by the commands that judge families as at a day (`families show`,
`claims ready`, `programme dashboard`): the option, its check, and the note printed when the
day is before the store began keeping history (db/history.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from db import history
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.outcomes.dates import day_text
from ui.cli.options import parse_date

F = TypeVar("F", bound=Callable[..., Any])


def as_at_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--as-at",
        "as_at",
        default=None,
        metavar="DATE",
        help=f"{what} as at the end of this day (YYYY-MM-DD): only the records each family "
        "had then, as they were then. Default: today.",
    )


def parse_as_at(value: str | None, today: dt.date | None = None) -> dt.date | None:
    """The day `--as-at` names; None for today (today's records are the day's). A day still
    to come is refused in one line."""
    if value is None:
        return None
    today = today or dt.date.today()
    day = parse_date(value, "--as-at")
    if day > today:
        raise UserError(f"--as-at: {day_text(day)} is still to come; give today or an earlier day.")
    return None if day == today else day


def history_note(store: Store, as_at: dt.date | None) -> None:
    """A line on stderr when `as_at` is before this store kept every version of its records."""
    began = history.began(store) if as_at is not None else None
    if as_at is not None and began is not None and as_at < began:
        click.echo(
            f"Note: this store has kept every version of its records since {day_text(began)}; "
            "as at an earlier day, a record changed since then is not shown.",
            err=True,
        )
