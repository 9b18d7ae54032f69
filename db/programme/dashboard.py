"""The programme dashboard: the figures the council's papers report (identified, worked with,
turned around against target, and the rest: fmdesk.programme), the year's targets, and the
families behind a figure.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable

from db.programme.claims import get_programme_target, load_money
from db.programme.judgement import load_programme
from db.stars import load_catalogue
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus
from fmdesk.programme import (
    Dashboard,
    Stage,
    build_dashboard,
    check_year,
    parse_targets,
    targets_to_plain,
)

TARGETS_SETTING = "programme.targets"


def get_targets(store: Store) -> dict[int, dict[Stage, int]]:
    return parse_targets(store.get_setting(TARGETS_SETTING, {}))


def set_targets(store: Store, year: int, values: dict[Stage, int | None]) -> None:
    """Set (or, with None, clear) the year's targets; other years are kept. A year outside
    the programme years, or a negative target, is refused before anything is written (a bad
    year saved would make every later read of the targets fail)."""
    check_year(year)
    targets = get_targets(store)
    year_targets = dict(targets.get(year, {}))
    for stage, value in values.items():
        if value is None:
            year_targets.pop(stage, None)
        elif value < 0:
            raise UserError("A target cannot be negative.")
        else:
            year_targets[stage] = value
    targets[year] = year_targets
    store.set_setting(TARGETS_SETTING, targets_to_plain(targets))


def load_dashboard(
    store: Store,
    today: dt.date | None = None,
    year: int | None = None,
    *,
    as_at: dt.date | None = None,
) -> Dashboard:
    """The dashboard for programme `year` (default: the year holding the day it is judged on):
    today, or as at the end of `as_at` (the records every family had then, as they were then;
    a day still to come is refused). With the year's money (claimed and paid, by quarter) and
    the whole programme's targets beside the year's."""
    today = today or dt.date.today()
    records = load_programme(store, today, as_at=as_at)
    return build_dashboard(
        records,
        today=as_at or today,
        year=year,
        targets=get_targets(store),
        instruments=load_catalogue(store).instruments,
        money=load_money(store, today, year, as_at=as_at),
        programme_targets=get_programme_target(store),
    )


@dataclasses.dataclass(frozen=True)
class FamilyListRow:
    """A family in the list behind a figure."""

    family_id: str
    reference: str
    name: str
    status: FamilyStatus
    intensity: str
    practitioner: str
    postcode: str
    identified_on: dt.date | None


def family_rows(store: Store, family_ids: Iterable[str]) -> list[FamilyListRow]:
    wanted = set(family_ids)
    rows = [
        FamilyListRow(
            f.id,
            f.reference,
            f.name,
            f.status,
            f.intensity.label,
            f.lead_practitioner,
            f.postcode,
            f.identified_on,
        )
        for f in store.list(Family)
        if f.id in wanted
    ]
    return sorted(rows, key=lambda r: r.reference)
