"""What a framework pays: its payment table (the framework file's "payments"), the amount of
each family's claim worked out from it, and the money claimed and paid by quarter against the
programme's total target.

A payment table says, in pounds, as its source states them (docs/frameworks.md, "Payment
tables", names each source):
- an attachment fee per family, either fixed (`attachment_fee`) or a share of the most one
  family can earn (`family_total`) that changes with the programme year the family was attached
  in (`attachment_share_by_year`: phase 1's 80 %, 60 %, 40 %);
- the results payment for each route a claim can take ("every problem", or an alternative
  route's name, such as "Continuous employment"): either fixed (`results`) or the family's
  whole payment by that route (`total`), of which the attachment fee was paid already, so the
  results payment is what is left;
- a payment for an additional result (phase 1's progress to work), claimed with the family
  when that result is achieved.

A framework whose sources state no amounts has a table with no routes: its claims carry no
amount ("no amount in the framework"), never a guessed one. Pure: no store, no Qt.
"""

import dataclasses
import datetime as dt
import functools
import json
import types
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from fmdesk.errors import ValidationError

# ---- the table -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class YearShare:
    """The share of `family_total` paid as the attachment fee for families attached in the
    programme year starting in April of `year` (2012: 2012/13), and in later years until the
    next share."""

    year: int
    percent: int


@dataclasses.dataclass(frozen=True)
class RoutePayment:
    route: str  # "every problem", or an alternative route's name
    results: int | None = None  # pence: the results payment itself
    total: int | None = None  # pence: the family's whole payment by this route


@dataclasses.dataclass(frozen=True)
class ExtraPayment:
    outcome: str  # an additional result's outcome code
    amount: int  # pence


@dataclasses.dataclass(frozen=True)
class PaymentTable:
    attachment_fee: int | None = None  # pence, the same for every family
    family_total: int | None = None  # pence: the most one family can earn
    shares: tuple[YearShare, ...] = ()
    routes: tuple[RoutePayment, ...] = ()
    additional: tuple[ExtraPayment, ...] = ()
    description: str = ""
    source: str = ""

    @property
    def states_amounts(self) -> bool:
        return bool(self.routes)

    def share_for(self, attached_on: dt.date | None) -> YearShare | None:
        """The attachment share of the programme year `attached_on` falls in: the latest share
        whose year has begun by then (the first share before the first year)."""
        if not self.shares:
            return None
        if attached_on is None:
            return None
        year = attached_on.year if attached_on.month >= 4 else attached_on.year - 1
        found = self.shares[0]
        for share in self.shares:
            if share.year <= year:
                found = share
        return found

    def attachment_fee_for(self, attached_on: dt.date | None) -> int | None:
        if self.attachment_fee is not None:
            return self.attachment_fee
        share = self.share_for(attached_on)
        if share is None or self.family_total is None:
            return None
        return self.family_total * share.percent // 100

    def route(self, name: str) -> RoutePayment | None:
        for route in self.routes:
            if route.route.casefold() == name.strip().casefold():
                return route
        return None


def _pence(value: Any) -> int:
    return round(float(value) * 100)


def parse_payments(data: Any, source: str = "framework") -> PaymentTable | None:
    """The framework file's "payments", as the schema has checked its shape; None when the
    file has none. Refused (naming the field) where a schema cannot say: a route given both or
    neither of results and total, a total without a way to work out the attachment fee, years
    of the share out of order."""
    if data is None:
        return None

    def fail(path: str, message: str) -> ValidationError:
        return ValidationError(f"{source}: payments.{path}: {message}")

    shares = tuple(
        YearShare(int(s["year"]), int(s["percent"]))
        for s in data.get("attachment_share_by_year", ())
    )
    for index in range(1, len(shares)):
        if shares[index].year <= shares[index - 1].year:
            raise fail(f"attachment_share_by_year[{index}].year", "expected years in order")
    fee = data.get("attachment_fee")
    total = data.get("family_total")
    if fee is not None and shares:
        raise fail("attachment_fee", "give a fixed fee or a share by year, not both")
    if shares and total is None:
        raise fail("family_total", "a share by year needs the family total it is a share of")
    routes = []
    for index, raw in enumerate(data.get("routes", ())):
        has_results, has_total = raw.get("results") is not None, raw.get("total") is not None
        if has_results == has_total:
            raise fail(f"routes[{index}]", "give either results or total")
        if has_total and fee is None and not shares:
            raise fail(
                f"routes[{index}].total",
                "a route's total needs the attachment fee it includes (attachment_fee, or "
                "family_total with attachment_share_by_year)",
            )
        routes.append(
            RoutePayment(
                route=str(raw["route"]).strip(),
                results=_pence(raw["results"]) if has_results else None,
                total=_pence(raw["total"]) if has_total else None,
            )
        )
    names = [r.route.casefold() for r in routes]
    if len(set(names)) != len(names):
        raise fail("routes", "a route is named twice")
    return PaymentTable(
        attachment_fee=_pence(fee) if fee is not None else None,
        family_total=_pence(total) if total is not None else None,
        shares=shares,
        routes=tuple(routes),
        additional=tuple(
            ExtraPayment(str(a["outcome"]).strip(), _pence(a["amount"]))
            for a in data.get("additional_results", ())
        ),
        description=str(data.get("description", "")).strip(),
        source=str(data.get("source", "")).strip(),
    )


def tables_from_contents(contents: Iterable[Mapping[str, Any]]) -> dict[str, PaymentTable]:
    """The payment table of each framework file's JSON, by the framework's id@version (a
    file with no "payments" has none)."""
    tables = {}
    for content in contents:
        ref = f"{content.get('id', '')}@{content.get('version', '')}"
        table = parse_payments(content.get("payments"), str(content.get("id", "framework")))
        if table is not None:
            tables[ref] = table
    return tables


@functools.cache
def shipped_payment_tables() -> Mapping[str, PaymentTable]:
    """The payment tables of the frameworks that come with fmdesk, by id@version."""
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    contents = [
        json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    ]
    return types.MappingProxyType(tables_from_contents(contents))


# ---- one family's claim ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClaimAmount:
    """What one family's claim is worth by its framework's table: the attachment fee (paid on
    attachment, not claimed), the results payment claimed by its route, any additional result,
    and how each was worked out. `claimed` is None when the table states no amount."""

    attachment_fee: int | None
    results: int | None
    additional: int
    basis: str

    @property
    def claimed(self) -> int | None:
        if self.results is None:
            return None
        return self.results + self.additional


NO_AMOUNT = ClaimAmount(None, None, 0, "no amount in the framework")


def money_text(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def claim_amount(
    table: PaymentTable | None,
    route: str,
    *,
    attached_on: dt.date | None,
    additional_met: Iterable[str] = (),
) -> ClaimAmount:
    """The amount of one family's claim by `route` (family attached on `attached_on`; the
    additional results it has achieved, by outcome code)."""
    if table is None or not table.states_amounts:
        return NO_AMOUNT
    paid = table.route(route)
    if paid is None:
        return ClaimAmount(None, None, 0, f"the payment table has no amount for route {route}")
    fee = table.attachment_fee_for(attached_on)
    share = table.share_for(attached_on)
    fee_words = ""
    if fee is not None:
        fee_words = f"attachment fee {money_text(fee)}"
        if share is not None and table.family_total is not None:
            year = f"{share.year}/{(share.year + 1) % 100:02d}"
            fee_words += f" ({share.percent}% of {money_text(table.family_total)}, {year} share)"
    if paid.results is not None:
        results = paid.results
        basis = f"results {money_text(results)} for {route}"
    else:
        assert paid.total is not None  # parse_payments allows one or the other
        if fee is None:
            return ClaimAmount(
                None,
                None,
                0,
                "no attachment date, so the year's share of the payment cannot be worked out",
            )
        results = max(0, paid.total - fee)
        basis = f"results {money_text(results)}: {money_text(paid.total)} for {route} less the"
        fee_words = fee_words.removeprefix("attachment fee ")
        basis += f" attachment fee {fee_words}"
        fee_words = ""
    met = set(additional_met)
    extra = [a for a in table.additional if a.outcome in met]
    extra_pence = sum(a.amount for a in extra)
    parts = [basis]
    if extra:
        parts.append(
            "; ".join(f"{money_text(a.amount)} for additional result {a.outcome}" for a in extra)
        )
    if table.family_total is not None:
        # The most one family can earn holds the whole payment, attachment fee included.
        room = max(0, table.family_total - (fee or 0))
        if results + extra_pence > room:
            results = min(results, room)
            extra_pence = room - results
            parts.append(f"within the {money_text(table.family_total)} a family can earn")
    if fee_words:
        parts.append(f"{fee_words} paid on attachment")
    return ClaimAmount(fee, results, extra_pence, "; ".join(parts))


# ---- the programme's money -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QuarterMoney:
    """One programme quarter: what was claimed in it (batches sent to the funder that quarter,
    not rejected) and what was paid in it (by the day the funder paid)."""

    label: str  # "2025/26 Q3"
    start: dt.date
    end: dt.date
    families_claimed: int
    claimed: int  # pence
    paid: int  # pence
    unpriced: int  # families claimed whose framework states no amount


@dataclasses.dataclass(frozen=True)
class ProgrammeMoney:
    """Claimed and paid amounts by quarter of a programme year, the year's and the
    programme's totals to date, and the families claimed to date against the programme's total
    target (`target`: None when not set)."""

    year: int
    quarters: tuple[QuarterMoney, ...]
    claimed_to_date: int  # pence, every quarter of every year up to the day judged
    paid_to_date: int
    families_claimed_to_date: int
    target: int | None
    paid_unstated: int  # batches paid without the amount recorded (their claim counts as paid)

    @property
    def claimed_in_year(self) -> int:
        return sum(q.claimed for q in self.quarters)

    @property
    def paid_in_year(self) -> int:
        return sum(q.paid for q in self.quarters)

    @property
    def percent_of_target(self) -> float | None:
        if not self.target:
            return None
        return 100.0 * self.families_claimed_to_date / self.target


@dataclasses.dataclass(frozen=True)
class SentBatch:
    """What the money needs of one batch: when it was sent (None: a draft, withdrawn or
    rejected batch claims nothing), when it was paid and how much, and each family's claim."""

    submitted_on: dt.date | None
    paid_on: dt.date | None
    paid_pence: int | None
    amounts: Sequence[ClaimAmount]


def programme_money(
    batches: Sequence[SentBatch],
    *,
    year: int,
    today: dt.date,
    quarters: Sequence[tuple[str, dt.date, dt.date]],
    families_claimed: int | None = None,
    target: int | None = None,
) -> ProgrammeMoney:
    """The money of programme `year` by its `quarters` (label, first day, last day), counting
    what happened by `today`. A paid batch whose amount the funder did not state counts as paid
    what it claimed (and is counted in `paid_unstated`). `families_claimed`: the families
    claimed to date, when the caller knows more claims than the batches hold (a claim made
    before the store kept batches); by default, the batches' families."""
    by_quarter: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    claimed_to_date = paid_to_date = families_to_date = unstated = 0

    def quarter_of(day: dt.date) -> str | None:
        for label, start, end in quarters:
            if start <= day <= end:
                return label
        return None

    for batch in batches:
        if batch.submitted_on is None or batch.submitted_on > today:
            continue
        claimed = sum(a.claimed or 0 for a in batch.amounts)
        claimed_to_date += claimed
        families_to_date += len(batch.amounts)
        label = quarter_of(batch.submitted_on)
        if label is not None:
            row = by_quarter[label]
            row[0] += len(batch.amounts)
            row[1] += claimed
            row[3] += sum(1 for a in batch.amounts if a.claimed is None)
        if batch.paid_on is not None and batch.paid_on <= today:
            paid = batch.paid_pence if batch.paid_pence is not None else claimed
            unstated += batch.paid_pence is None
            paid_to_date += paid
            label = quarter_of(batch.paid_on)
            if label is not None:
                by_quarter[label][2] += paid
    return ProgrammeMoney(
        year=year,
        quarters=tuple(
            QuarterMoney(
                label=label,
                start=start,
                end=end,
                families_claimed=by_quarter[label][0],
                claimed=by_quarter[label][1],
                paid=by_quarter[label][2],
                unpriced=by_quarter[label][3],
            )
            for label, start, end in quarters
        ),
        claimed_to_date=claimed_to_date,
        paid_to_date=paid_to_date,
        families_claimed_to_date=families_to_date if families_claimed is None else families_claimed,
        target=target,
        paid_unstated=unstated,
    )


# ---- the programme's total target --------------------------------------------------------------


def parse_programme_target(data: Any) -> dict[str, int]:
    """The programme's total targets as the settings keep them ({"turned_around": 685}), each
    a whole number of families, 0 or more."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValidationError("programme target: expected an object")
    out = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"programme target {key}: expected a whole number, 0 or more")
        out[str(key)] = value
    return out
