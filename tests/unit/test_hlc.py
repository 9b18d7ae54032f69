"""The hybrid logical clock behind every revision: it never goes backwards, and string order
is time order."""

import pytest

from fmdesk.hlc import Clock, Timestamp


class FakeWall:
    """A wall clock the test sets by hand (seconds since the epoch)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds


def test_revisions_increase_while_the_wall_clock_stands_still() -> None:
    clock = Clock("laptop1", wall=FakeWall(1_700_000_000.0))
    revisions = [clock.now() for _ in range(5)]
    assert revisions == sorted(revisions)
    assert len(set(revisions)) == 5
    assert [Timestamp.decode(r).counter for r in revisions] == [0, 1, 2, 3, 4]


def test_revisions_follow_the_wall_clock_when_it_moves_on() -> None:
    wall = FakeWall(1_700_000_000.0)
    clock = Clock("laptop1", wall=wall)
    clock.now()
    clock.now()
    wall.seconds += 2.5
    later = Timestamp.decode(clock.now())
    assert (later.millis, later.counter) == (1_700_000_002_500, 0)


def test_a_clock_set_back_does_not_send_revisions_backwards() -> None:
    wall = FakeWall(1_700_000_000.0)
    clock = Clock("laptop1", wall=wall)
    before = clock.now()
    wall.seconds -= 3600  # the laptop's clock was corrected by an hour
    after = clock.now()
    assert after > before


def test_observing_a_later_revision_moves_past_it() -> None:
    theirs = Clock("coord", wall=FakeWall(1_800_000_000.0)).now()
    mine = Clock("laptop1", wall=FakeWall(1_700_000_000.0))
    mine.observe(theirs)
    assert mine.now() > theirs


def test_observing_an_older_revision_changes_nothing() -> None:
    wall = FakeWall(1_800_000_000.0)
    mine = Clock("laptop1", wall=wall)
    latest = mine.now()
    mine.observe(Clock("coord", wall=FakeWall(1_700_000_000.0)).now())
    assert mine.last == latest


def test_a_clock_resumes_after_its_last_revision() -> None:
    first = Clock("laptop1", wall=FakeWall(1_800_000_000.0))
    last = first.now()
    resumed = Clock("laptop1", last=last, wall=FakeWall(1_700_000_000.0))
    assert resumed.now() > last


def test_string_order_is_time_order() -> None:
    stamps = [
        Timestamp(999, 99999, "b"),
        Timestamp(1000, 0, "a"),
        Timestamp(1000, 1, "a"),
        Timestamp(1000, 1, "b"),
        Timestamp(10**14, 0, "a"),
    ]
    encoded = [s.encode() for s in stamps]
    assert sorted(encoded) == encoded
    assert [Timestamp.decode(e) for e in encoded] == stamps


def test_a_device_id_cannot_contain_the_separator() -> None:
    with pytest.raises(ValueError, match="device id"):
        Clock("lap-top")
    with pytest.raises(ValueError, match="device id"):
        Clock("")
