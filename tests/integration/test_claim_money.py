"""The programme's money on a real coordinator's store (db.programme.load_money): each
family's claim priced by its framework's payment table (Families Matter: £800 results after a
£1,000 attachment fee), claimed in the quarter its batch was sent, paid in the quarter the
funder paid; a draft or a rejected batch claims nothing; the families claimed to date against
the whole programme's target, a setting beside the yearly targets."""

import datetime as dt

import pytest

from db import programme
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.programme import Stage
from tests.integration.test_as_at import save_programme
from tests.recorded import recorded_on

D = dt.date.fromisoformat
Q3 = {"period_start": D("2025-10-01"), "period_end": D("2025-12-31")}


@pytest.fixture
def held(coordinator_store: Store) -> tuple[Store, dict[str, str]]:
    return coordinator_store, save_programme(coordinator_store)


def quarters(money) -> dict[str, tuple[int, int, int]]:
    return {q.label: (q.families_claimed, q.claimed, q.paid) for q in money.quarters}


def test_claimed_and_paid_amounts_by_quarter_and_progress_to_the_programme_target(held) -> None:
    store, ids = held
    with recorded_on(store, D("2026-01-05")):
        programme.create_batch(store, "Q3", family_ids=[ids["FM-001"]], today=D("2026-01-05"), **Q3)
    assert programme.get_programme_target(store) == {}
    programme.set_programme_target(store, {Stage.TURNED_AROUND: 8, Stage.WORKED_WITH: 20})
    assert programme.get_programme_target(store) == {
        Stage.TURNED_AROUND: 8,
        Stage.WORKED_WITH: 20,
    }
    draft = programme.load_money(store, D("2026-03-01"), 2025)
    assert draft.claimed_in_year == 0  # a draft claims nothing
    # FM-002 was claimed on 1 Aug 2025, before this store kept batches: counted, not priced.
    assert (draft.families_claimed_to_date, draft.target) == (1, 8)

    with recorded_on(store, D("2026-01-10")):
        programme.submit(
            store, "Q3", on=D("2026-01-10"), approved_by="Amara Okafor", today=D("2026-01-10")
        )
    with recorded_on(store, D("2026-04-02")):
        programme.record_paid(store, "Q3", on=D("2026-04-02"), pence=750_00, today=D("2026-04-02"))
    money = programme.load_money(store, D("2026-04-30"), 2025)
    assert quarters(money) == {
        "2025/26 Q1": (0, 0, 0),
        "2025/26 Q2": (0, 0, 0),
        "2025/26 Q3": (0, 0, 0),
        "2025/26 Q4": (1, 800_00, 0),  # sent 10 Jan 2026; paid in the next year
    }
    assert (money.claimed_to_date, money.paid_to_date) == (800_00, 750_00)
    assert money.families_claimed_to_date == 2
    assert money.percent_of_target == 25.0
    next_year = programme.load_money(store, D("2026-04-30"), 2026)
    assert quarters(next_year)["2026/27 Q1"] == (0, 0, 750_00)
    # As at a day before it was paid, nothing was paid; before it was sent, nothing claimed.
    before = programme.load_money(store, D("2026-04-30"), 2025, as_at=D("2026-03-31"))
    assert (before.claimed_to_date, before.paid_to_date) == (800_00, 0)
    unsent = programme.load_money(store, D("2026-04-30"), 2025, as_at=D("2026-01-09"))
    assert (unsent.claimed_to_date, unsent.families_claimed_to_date) == (0, 1)


def test_a_rejected_batch_claims_no_money(held) -> None:
    store, ids = held
    programme.create_batch(store, "Q3", family_ids=[ids["FM-001"]], today=D("2026-01-05"), **Q3)
    programme.submit(
        store, "Q3", on=D("2026-01-10"), approved_by="Amara Okafor", today=D("2026-01-10")
    )
    programme.record_rejected(
        store, "Q3", reason="Evidence not verified", on=D("2026-02-01"), today=D("2026-02-01")
    )
    money = programme.load_money(store, D("2026-03-01"), 2025)
    assert (money.claimed_in_year, money.families_claimed_to_date) == (0, 1)


def test_a_programme_target_cannot_be_negative(held) -> None:
    store, _ = held
    with pytest.raises(UserError, match="cannot be negative"):
        programme.set_programme_target(store, {Stage.TURNED_AROUND: -1})
    assert programme.get_programme_target(store) == {}
