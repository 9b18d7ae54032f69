"""Hybrid logical clock: revisions that order edits across laptops whose clocks disagree.

A timestamp is (wall milliseconds, counter, device id). It never goes backwards on one device,
even if the clock does, and `observe()` pulls it past any revision received from elsewhere,
so a later edit always sorts after what it was made on top of (Kulkarni et al., 2014).
Timestamps are encoded as fixed-width strings so that string order is time order: 15 digits of
milliseconds, 5 of counter, then the device id. The counter never outgrows its five digits:
the 100,000th revision within one millisecond carries into the next millisecond instead.

A revision from elsewhere is taken only in exactly that form (`parse`), and only if it is not
far ahead of this computer's clock (`Clock.check_incoming`): one laptop with its date set to
2099 would otherwise pull every later revision on every store past it, and its edits could
never be overtaken.
"""

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MILLIS_DIGITS = 15
COUNTER_DIGITS = 5
MAX_COUNTER = 10**COUNTER_DIGITS - 1
MAX_MILLIS = 10**MILLIS_DIGITS - 1
# How far ahead of this computer's clock an incoming revision may be. Laptops' clocks drift by
# seconds or minutes, or sit in another time zone's idea of UTC by hours; a day is a wrong date.
MAX_AHEAD_MILLIS = 24 * 3600 * 1000
_DAY_MILLIS = 24 * 3600 * 1000

_DEVICE = re.compile(r"[0-9A-Za-z_]{1,64}")
_REVISION = re.compile(
    rf"(?P<millis>[0-9]{{{MILLIS_DIGITS}}})-(?P<counter>[0-9]{{{COUNTER_DIGITS}}})-"
    r"(?P<device>[0-9A-Za-z_]{1,64})"
)


class RevisionError(ValueError):
    """A revision is not in the clock's form, or cannot be taken from another store."""


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.millis:0{MILLIS_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}d}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> "Timestamp":
        """The timestamp of a revision in exactly the form `encode` writes; RevisionError for
        anything else (`9-0-zz` would sort after every real revision)."""
        found = _REVISION.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise RevisionError(f"{_shown(text)} is not a revision")
        return cls(int(found["millis"]), int(found["counter"]), found["device"])


def parse(text: str) -> Timestamp:
    """`Timestamp.decode`: the strict check every incoming revision goes through."""
    return Timestamp.decode(text)


def is_revision(text: object) -> bool:
    return isinstance(text, str) and _REVISION.fullmatch(text) is not None


class Clock:
    """One per store; thread-safe. `now()` gives a fresh, strictly increasing revision."""

    def __init__(
        self,
        device: str,
        last: str = "",
        wall: Callable[[], float] = time.time,
        *,
        max_ahead_millis: int = MAX_AHEAD_MILLIS,
    ) -> None:
        if not device or "-" in device or not _DEVICE.fullmatch(device):
            raise ValueError(
                "device id must be non-empty, contain no '-' and be letters, digits or '_'"
            )
        self.device = device
        self._wall = wall
        self._max_ahead = max_ahead_millis
        self._lock = threading.Lock()
        self._last = Timestamp.decode(last) if last else Timestamp(0, 0, device)

    def _wall_millis(self) -> int:
        return int(self._wall() * 1000)

    def now(self) -> str:
        with self._lock:
            wall = self._wall_millis()
            last = self._last
            if wall > last.millis:
                self._last = Timestamp(wall, 0, self.device)
            elif last.counter < MAX_COUNTER:
                self._last = Timestamp(last.millis, last.counter + 1, self.device)
            else:
                # Five digits of counter are used up within one millisecond (a 200,000-row
                # import): carry into the time, so that string order stays time order.
                self._last = Timestamp(last.millis + 1, 0, self.device)
            return self._last.encode()

    def ahead_millis(self, revision: str) -> int:
        """How far `revision` is ahead of this computer's clock (negative: behind it)."""
        return Timestamp.decode(revision).millis - self._wall_millis()

    def check_incoming(self, revision: str) -> None:
        """Refuse a revision from another store that is not in the clock's form, or that is
        more than a day ahead of this computer's clock: taking it would pin every revision
        made here after it. RevisionError says which, in words for the person importing."""
        ahead = self.ahead_millis(revision)
        if ahead > self._max_ahead:
            days = max(1, round(ahead / _DAY_MILLIS))
            plural = "s" if days != 1 else ""
            raise RevisionError(
                f"it was saved on a computer whose date is later than this one's: its clock "
                f"is ahead by {days:,} day{plural}; check the date on the sending laptop (and "
                "on this computer), then send it again"
            )

    def observe(self, revision: str) -> bool:
        """Move past a revision that arrived from another device. One more than a day ahead
        of this computer's clock is not taken (see `check_incoming`); returns whether the
        clock moved."""
        other = Timestamp.decode(revision)
        with self._lock:
            if other.millis - self._wall_millis() > self._max_ahead:
                return False
            if (other.millis, other.counter) > (self._last.millis, self._last.counter):
                self._last = Timestamp(other.millis, other.counter, self.device)
                return True
            return False

    @property
    def last(self) -> str:
        return self._last.encode()


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
