"""A framework's payment table and what a claim is worth by it, as the sources state them
(docs/frameworks.md, Payment tables): phase 1's £4,000 a family with its attachment share of
80%, 60% and 40% by year; the expanded programme's £1,000 attachment fee and £800 results; no
amount where the sources state none. And the programme's money by quarter."""

import datetime as dt
import json
from importlib import resources

import pytest

from fmdesk.errors import ValidationError
from fmdesk.outcomes import FrameworkLibrary
from fmdesk.payments import (
    ClaimAmount,
    SentBatch,
    claim_amount,
    parse_payments,
    programme_money,
    shipped_payment_tables,
)
from fmdesk.schemas import SchemaName, check

D = dt.date.fromisoformat
TABLES = shipped_payment_tables()
PHASE_1 = TABLES["troubled-families-2012@1"]
FAMILIES_MATTER = TABLES["families-matter@2015.1"]


def test_every_shipped_framework_has_a_payment_table() -> None:
    assert sorted(TABLES) == sorted(f.ref for f in FrameworkLibrary.shipped().all())
    assert all(t.source for t in TABLES.values())


@pytest.mark.parametrize(
    ("attached", "fee", "crime_route", "work_route"),
    [
        ("2012-06-01", 3_200_00, 700_00, 800_00),  # 2012/13: 80% of £4,000 up front
        ("2013-03-31", 3_200_00, 700_00, 800_00),  # the last day of 2012/13
        ("2013-04-01", 2_400_00, 1_500_00, 1_600_00),  # 2013/14: 60%
        ("2014-10-01", 1_600_00, 2_300_00, 2_400_00),  # 2014/15: 40%
    ],
)
def test_phase_1_results_are_what_the_route_pays_less_the_years_attachment_fee(
    attached: str, fee: int, crime_route: int, work_route: int
) -> None:
    crime = claim_amount(PHASE_1, "every problem", attached_on=D(attached))
    work = claim_amount(PHASE_1, "Continuous employment", attached_on=D(attached))
    assert (crime.attachment_fee, crime.results, crime.claimed) == (fee, crime_route, crime_route)
    assert (work.attachment_fee, work.claimed) == (fee, work_route)
    assert fee + crime_route == 3_900_00
    assert fee + work_route == 4_000_00


def test_progress_to_work_pays_100_pounds_within_the_4000_a_family_can_earn() -> None:
    crime = claim_amount(
        PHASE_1, "every problem", attached_on=D("2012-06-01"), additional_met=["3.2"]
    )
    assert crime.claimed == 800_00  # £700 and £100: £4,000 with the £3,200 fee
    assert "£100.00 for additional result 3.2" in crime.basis
    work = claim_amount(
        PHASE_1, "Continuous employment", attached_on=D("2012-06-01"), additional_met=["3.2"]
    )
    assert work.claimed == 800_00  # already £4,000 with the fee: nothing more
    assert "within the £4,000.00 a family can earn" in work.basis


def test_phase_1_without_an_attachment_date_has_no_amount_and_says_why() -> None:
    amount = claim_amount(PHASE_1, "every problem", attached_on=None)
    assert amount.claimed is None
    assert "no attachment date" in amount.basis


def test_the_expanded_programme_pays_800_by_either_route_after_a_1000_fee() -> None:
    for route in ("every problem", "Continuous employment"):
        amount = claim_amount(FAMILIES_MATTER, route, attached_on=None)
        assert (amount.attachment_fee, amount.results, amount.claimed) == (1_000_00, 800_00, 800_00)


def test_a_framework_whose_sources_state_no_amount_claims_none() -> None:
    amount = claim_amount(TABLES["supporting-families-2022@1"], "every problem", attached_on=None)
    assert amount == ClaimAmount(None, None, 0, "no amount in the framework")
    assert amount.claimed is None


def test_a_payment_table_is_checked_where_a_schema_cannot_say() -> None:
    cases = [
        ({"routes": [{"route": "every problem"}]}, "routes[0]: give either results or total"),
        (
            {"routes": [{"route": "every problem", "results": 1, "total": 2}]},
            "give either results or total",
        ),
        ({"routes": [{"route": "every problem", "total": 10}]}, "needs the attachment fee"),
        (
            {"attachment_share_by_year": [{"year": 2013, "percent": 60}]},
            "needs the family total",
        ),
        (
            {
                "family_total": 4000,
                "attachment_share_by_year": [
                    {"year": 2013, "percent": 60},
                    {"year": 2012, "percent": 80},
                ],
            },
            "attachment_share_by_year[1].year: expected years in order",
        ),
        (
            {"routes": [{"route": "A", "results": 1}, {"route": "a", "results": 2}]},
            "a route is named twice",
        ),
    ]
    for data, words in cases:
        with pytest.raises(ValidationError, match=words.replace("[", r"\[").replace("]", r"\]")):
            parse_payments(data, "council.json")


def test_the_schema_refuses_a_negative_amount_or_an_unknown_key() -> None:
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    data = json.loads(folder.joinpath("families-matter-2015.json").read_text(encoding="utf-8"))
    data["payments"]["attachment_fee"] = -5
    with pytest.raises(ValidationError, match=r"payments\.attachment_fee"):
        check(SchemaName.OUTCOMES_FRAMEWORK, data, source="council.json")
    data["payments"]["attachment_fee"] = 1000
    data["payments"]["bonus"] = 5
    with pytest.raises(ValidationError, match="bonus"):
        check(SchemaName.OUTCOMES_FRAMEWORK, data, source="council.json")


QUARTERS = [
    ("2025/26 Q1", D("2025-04-01"), D("2025-06-30")),
    ("2025/26 Q2", D("2025-07-01"), D("2025-09-30")),
    ("2025/26 Q3", D("2025-10-01"), D("2025-12-31")),
    ("2025/26 Q4", D("2026-01-01"), D("2026-03-31")),
]
EIGHT_HUNDRED = ClaimAmount(1_000_00, 800_00, 0, "results £800.00")
NONE = ClaimAmount(None, None, 0, "no amount in the framework")


def test_money_is_claimed_in_the_quarter_sent_and_paid_in_the_quarter_paid() -> None:
    batches = [
        SentBatch(D("2025-07-10"), D("2025-10-05"), 1_500_00, [EIGHT_HUNDRED, EIGHT_HUNDRED]),
        SentBatch(D("2025-11-01"), D("2026-01-20"), None, [EIGHT_HUNDRED, NONE]),
        SentBatch(D("2026-02-01"), None, None, [EIGHT_HUNDRED]),  # sent after the day judged
        SentBatch(None, None, None, [EIGHT_HUNDRED]),  # a draft claims nothing
        SentBatch(D("2024-12-01"), D("2025-01-05"), 800_00, [EIGHT_HUNDRED]),  # last year
    ]
    money = programme_money(batches, year=2025, today=D("2026-01-31"), quarters=QUARTERS, target=10)
    by_label = {q.label: q for q in money.quarters}
    assert [(q.families_claimed, q.claimed, q.paid) for q in money.quarters] == [
        (0, 0, 0),
        (2, 1_600_00, 0),
        (2, 800_00, 1_500_00),  # the funder paid £1,500 of the £1,600 claimed
        (0, 0, 800_00),  # paid without an amount: counted as claimed
    ]
    assert by_label["2025/26 Q3"].unpriced == 1
    assert (money.claimed_in_year, money.paid_in_year) == (2_400_00, 2_300_00)
    assert (money.claimed_to_date, money.paid_to_date) == (3_200_00, 3_100_00)
    assert money.families_claimed_to_date == 5
    assert money.percent_of_target == 50.0
    assert money.paid_unstated == 1
