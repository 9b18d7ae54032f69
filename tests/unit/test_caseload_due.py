"""What the caseload says is late and due this week (fmdesk/caseload.py), and its counts."""

import datetime as dt

from fmdesk.caseload import (
    DueItem,
    DueKind,
    DueSummary,
    action_items,
    consent_items,
    due_text,
    plural,
    review_item,
    sync_line,
)
from fmdesk.families import ConsentKind
from fmdesk.plans import ActionStatus

ON = dt.date(2026, 12, 7)


def days(n: int) -> dt.date:
    return ON + dt.timedelta(days=n)


def test_one_family_is_one_family() -> None:
    assert plural(1, "family", "families") == "1 family"
    assert plural(0, "family", "families") == "0 families"
    assert plural(2, "family", "families") == "2 families"


def test_an_action_due_in_the_past_is_flagged_late() -> None:
    assert due_text(days(-1), ON) == "6 Dec 2026 (late)"
    assert due_text(ON, ON) == "7 Dec 2026"
    assert due_text(None, ON) == ""


def test_open_actions_are_due_and_done_ones_are_not() -> None:
    items = action_items(
        [
            ("Set two alarms", days(-3), ActionStatus.IN_PROGRESS),
            ("Book the repair", days(2), ActionStatus.NOT_STARTED),
            ("Walk to school", days(-9), ActionStatus.DONE),
            ("Old idea", days(-9), ActionStatus.DROPPED),
        ]
    )
    assert [i.what for i in items] == ["Set two alarms", "Book the repair"]


def test_review_on_its_date_or_twelve_weeks_after_the_last() -> None:
    assert review_item(days(4), days(-80)) == [DueItem(days(4), DueKind.REVIEW)]
    assert review_item(None, days(-90)) == [DueItem(days(-6), DueKind.REVIEW)]
    assert review_item(None, None) == []


def test_consent_to_renew_a_year_on_unless_withdrawn_or_renewed() -> None:
    year_ago = ON - dt.timedelta(days=365 - 3)
    held = [(ConsentKind.ASSESS, year_ago, None)]
    (item,) = consent_items(held, ON)
    assert item.kind is DueKind.CONSENT
    assert item.due_on == days(3)
    renewed = [*held, (ConsentKind.ASSESS, days(-10), None)]
    assert consent_items(renewed, ON) == []
    withdrawn = [(ConsentKind.SHARE, year_ago, days(-1))]
    assert consent_items(withdrawn, ON) == []
    # The council's own period.
    assert consent_items([(ConsentKind.ASSESS, days(-170), None)], ON, renew_after_days=180)


def test_the_summary_says_what_is_late_and_what_is_due_this_week() -> None:
    items = (
        DueItem(days(-3), DueKind.ACTION, "Set two alarms"),
        DueItem(days(-1), DueKind.STAR),
        DueItem(days(6), DueKind.REVIEW),
        DueItem(days(7), DueKind.CONSENT, "to assess"),  # next week
    )
    summary = DueSummary(items, ON)
    assert summary.text == "2 late: action, Star reading · 1 due this week: plan review"
    assert summary.sentences().splitlines() == [
        "Action “Set two alarms” was due 4 Dec 2026",
        "Star reading was due 6 Dec 2026",
        "Plan review due 13 Dec 2026",
    ]
    assert items[3].sentence(ON) == "Consent to assess due for renewal 14 Dec 2026"
    quiet = DueSummary((DueItem(days(30), DueKind.REVIEW),), ON)
    assert quiet.text == ""
    assert summary.sort_key < DueSummary(items[2:], ON).sort_key < quiet.sort_key


def test_the_sync_line() -> None:
    sent = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    acked = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
    assert sync_line(None, None, 1, coordinator=False) == (
        "No bundle sent yet · 1 change waits to reach the coordinator"
    )
    assert sync_line(sent, acked, 12, coordinator=False) == (
        "Last bundle sent 1 Dec 2026, acknowledged 2 Dec 2026 · 12 changes wait to reach "
        "the coordinator"
    )
    assert sync_line(sent, None, 0, coordinator=True) == (
        "Last bundle sent 1 Dec 2026, not yet acknowledged · nothing waits to reach practitioners"
    )
