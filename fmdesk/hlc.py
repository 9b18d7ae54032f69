"""Hybrid logical clock: revisions that order edits across laptops whose clocks disagree.

A timestamp is (wall milliseconds, counter, device id). It never goes backwards on one device,
even if the clock does, and `observe()` pulls it past any revision received from elsewhere,
so a later edit always sorts after what it was made on top of (Kulkarni et al., 2014).
Timestamps are encoded as fixed-width strings so that string order is time order.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.millis:015d}-{self.counter:05d}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> "Timestamp":
        millis, counter, device = text.split("-", 2)
        return cls(int(millis), int(counter), device)


class Clock:
    """One per store; thread-safe. `now()` gives a fresh, strictly increasing revision."""

    def __init__(self, device: str, last: str = "", wall: Callable[[], float] = time.time) -> None:
        if not device or "-" in device:
            raise ValueError("device id must be non-empty and contain no '-'")
        self.device = device
        self._wall = wall
        self._lock = threading.Lock()
        self._last = Timestamp.decode(last) if last else Timestamp(0, 0, device)

    def now(self) -> str:
        with self._lock:
            wall = int(self._wall() * 1000)
            if wall > self._last.millis:
                self._last = Timestamp(wall, 0, self.device)
            else:
                self._last = Timestamp(self._last.millis, self._last.counter + 1, self.device)
            return self._last.encode()

    def observe(self, revision: str) -> None:
        """Move past a revision that arrived from another device."""
        other = Timestamp.decode(revision)
        with self._lock:
            if (other.millis, other.counter) > (self._last.millis, self._last.counter):
                self._last = Timestamp(other.millis, other.counter, self.device)

    @property
    def last(self) -> str:
        return self._last.encode()
