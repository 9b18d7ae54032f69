"""A family's chronology, put together from the store: for the Timeline, the printed chronology
(reports/chronology.py) and `fmdesk families chronology`. Shared by the app (on the task
runner's worker thread) and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from db.history import family_chronology
from db.store import Store
from fmdesk.chronology import EventKind
from fmdesk.errors import UserError
from fmdesk.families import Family, Person
from reports.base import DEFAULT_MARKING
from reports.chronology import chronology_pdf


def build_chronology_pdf(
    store: Store,
    family_id: str,
    *,
    kinds: Sequence[EventKind] = (),
    purpose: str = "",
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The family's chronology as PDF bytes: every event, or those of `kinds`."""
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That family is no longer in this store.")
    events = family_chronology(store, family_id)
    if kinds:
        wanted = set(kinds)
        events = [e for e in events if e.kind in wanted]
    people = sorted(
        store.list(Person, family_id=family_id),
        key=lambda p: (p.role != "parent_carer", p.date_of_birth or dt.date.max),
    )
    return chronology_pdf(
        family,
        people,
        events,
        printed_by=store.info.owner_name,
        printed_on=today or dt.date.today(),
        kinds=kinds,
        purpose=purpose,
        marking=marking,
        password=password,
    )
