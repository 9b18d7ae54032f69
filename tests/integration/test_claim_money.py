"""The programme's money on a real coordinator's store (db.programme.load_money): each
family's claim priced by its framework's payment table (Families Matter: £800 results after a
£1,000 attachment fee), claimed in the quarter its batch was sent, paid in the quarter the
funder paid; a draft or a rejected batch claims nothing; the families claimed to date against
the whole programme's target, a setting beside the yearly targets."""

import csv
import datetime as dt
from pathlib import Path

import pypdf
import pytest

from db import programme
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.programme import Stage, quarter_label
from tests.integration.test_as_at import home, save_programme
from tests.integration.test_cli import fmdesk
from tests.recorded import recorded_on

__all__ = ["home"]  # the fixture, shared
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


# ---- the command line --------------------------------------------------------------------


def test_the_money_and_the_programme_target_on_the_command_line(home: Path, tmp_path: Path) -> None:
    ready = fmdesk(home, "claims", "ready")
    assert ready.returncode == 0, ready.stderr
    assert "    Claim: £800.00 (results £800.00 for every problem; attachment fee £1,000.00" in (
        ready.stdout
    )
    unset = fmdesk(home, "claims", "target")
    assert "  Turned around  not set" in unset.stdout
    target = fmdesk(home, "claims", "target", "--turned-around", "8")
    assert target.returncode == 0, target.stderr
    assert "  Turned around  8" in target.stdout
    negative = fmdesk(home, "claims", "target", "--turned-around", "-1")
    assert negative.returncode == 2
    assert "-1 is not in the range x>=0" in negative.stderr
    assert "  Turned around  8" in fmdesk(home, "claims", "target").stdout

    fmdesk(
        home, "claims", "batch", "Q3", "--from", "2025-10-01", "--to", "2025-12-31", "--all-ready"
    )
    assert "; draft; claims £800.00" in fmdesk(home, "claims", "ready").stdout
    fmdesk(home, "claims", "submit", "Q3", "--approved-by", "Amara Okafor")
    today = dt.date.today()
    fmdesk(home, "claims", "paid", "Q3", "--on", str(today), "--amount", "750")
    money = fmdesk(home, "claims", "money")
    assert money.returncode == 0, money.stderr
    label = quarter_label(today)
    assert f"  {label:<12} {1:>8} {'£800.00':>14} {'£750.00':>14}" in money.stdout
    assert "To date: claimed £800.00, paid £750.00." in money.stdout
    # FM-002's claim from before, and FM-001's: 2 of 8.
    assert "Programme target: 2 of 8 families claimed (25.0%)." in money.stdout

    pdf, csv_path = tmp_path / "schedule.pdf", tmp_path / "schedule.csv"
    wrote = fmdesk(home, "claims", "schedule", "Q3", "--pdf", str(pdf), "--csv", str(csv_path))
    assert wrote.returncode == 0, wrote.stderr
    page = pypdf.PdfReader(pdf).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["claim_amount"] for r in rows} == {"800.00"}
    assert {r["keyworker"] for r in rows} == {"Pat Keyworker"}
