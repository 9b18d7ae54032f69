"""Saving records as if on an earlier day: the store's own hybrid logical clock, reading a wall
clock set to noon UTC on that day, so the revisions (and so the history's as-at judgement) say
the records were made then. The clock never goes back: use it on a store whose records are all
older, oldest day first."""

import contextlib
import datetime as dt
from collections.abc import Iterator

from db.store import Store
from fmdesk.hlc import Clock


def noon(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp()


@contextlib.contextmanager
def recorded_on(store: Store, day: dt.date) -> Iterator[None]:
    """Inside this, `store.save` stamps revisions made at noon (UTC) on `day`."""
    real = store.clock
    assert real.last <= Clock(store.info.device_id, wall=lambda: noon(day)).now(), (
        "the store holds revisions later than that day; the clock cannot go back"
    )
    store.clock = Clock(store.info.device_id, real.last, wall=lambda: noon(day))
    try:
        yield
    finally:
        real.observe(store.clock.last)
        store.clock = real
