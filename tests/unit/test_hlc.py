"""The hybrid logical clock behind every revision: it never goes backwards, and string order
is time order."""

import pytest

from fmdesk.hlc import MAX_COUNTER, Clock, RevisionError, Timestamp, is_revision, parse


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
    # Their clock is an hour ahead of ours: within what laptops' clocks differ by.
    theirs = Clock("coord", wall=FakeWall(1_700_003_600.0)).now()
    mine = Clock("laptop1", wall=FakeWall(1_700_000_000.0))
    assert mine.observe(theirs)
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


def test_the_counter_carries_into_the_time_so_revisions_always_sort() -> None:
    # 200,000 revisions in one millisecond (a big CSV import on a fast machine): the counter
    # has five digits, so the 100,000th carries into the next millisecond rather than
    # becoming "...-100000-..." (which sorted before "...-99999-...").
    clock = Clock("dev1", wall=FakeWall(1_700_000_000.0))
    revisions = [clock.now() for _ in range(200_000)]
    assert revisions == sorted(revisions)
    assert len(set(revisions)) == len(revisions)
    assert all(is_revision(r) for r in revisions)
    assert revisions[MAX_COUNTER] == "001700000000000-99999-dev1"
    assert revisions[MAX_COUNTER + 1] == "001700000000001-00000-dev1"


def test_a_clock_that_observed_a_full_counter_carries_too() -> None:
    wall = FakeWall(1_700_000_000.0)
    mine = Clock("dev1", wall=wall)
    mine.observe("001700000000000-99999-dev2")
    assert mine.now() == "001700000000001-00000-dev1"


def test_observe_does_not_take_a_revision_far_in_the_future() -> None:
    # One laptop with its date at 2099 would otherwise pin every later revision on every store.
    wall = FakeWall(1_700_000_000.0)
    mine = Clock("laptop1", wall=wall)
    from_2099 = Timestamp(4_070_908_800_000, 0, "laptop2").encode()
    assert not mine.observe(from_2099)
    assert mine.now() < from_2099
    with pytest.raises(RevisionError, match=r"its clock is ahead by 27,441 days; check the date"):
        mine.check_incoming(from_2099)


def test_a_revision_less_than_a_day_ahead_is_taken() -> None:
    wall = FakeWall(1_700_000_000.0)
    mine = Clock("laptop1", wall=wall)
    soon = Timestamp(1_700_000_000_000 + 23 * 3600 * 1000, 5, "laptop2").encode()
    mine.check_incoming(soon)
    assert mine.observe(soon)
    tomorrow = Timestamp(1_700_000_000_000 + 49 * 3600 * 1000, 0, "laptop2").encode()
    with pytest.raises(RevisionError, match="ahead by 2 days"):
        mine.check_incoming(tomorrow)


@pytest.mark.parametrize(
    "text",
    [
        "9-0-zz",  # sorted after every real revision and froze the record
        "yesterday",
        "",
        "000000000000001-0-p1",
        "0000000000000001-00000-p1",
        "000000000000001-000000-p1",
        "000000000000001-00000-",
        "000000000000001-00000-p-1",
        "000000000000001-00000-p 1",
        "000000000000001-00000-p1\n",
        "00000000000000١-00000-p1",  # an Arabic-Indic digit is a digit to int(), not to us
        "000000000000001-00000-" + "a" * 65,
    ],
)
def test_only_a_revision_in_the_clocks_own_form_is_a_revision(text: str) -> None:
    assert not is_revision(text)
    with pytest.raises(RevisionError, match="is not a revision"):
        parse(text)
    with pytest.raises(RevisionError):
        Clock("laptop1").check_incoming(text)


def test_a_real_revision_parses_back() -> None:
    revision = Clock("a1b2c3d4", wall=FakeWall(1_700_000_000.0)).now()
    assert parse(revision) == Timestamp(1_700_000_000_000, 0, "a1b2c3d4")
