"""Claims: the families ready to claim, claim batches through their life (draft, submitted,
paid or rejected, or a draft withdrawn) and each batch's schedule of evidence (fmdesk.claims
holds the rules).

A batch is judged as at the end of its claim period (db/history.py: the records each family had
then, as they were then), and so is its schedule, every time it is made: a measure or a piece of
evidence edited after the claim does not change the claim reproduced. A period that is not over
is refused.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import cast

from db.history import began
from db.library import definitions
from db.programme.judgement import load_batches, load_outcomes
from db.store import Store
from fmdesk.claims import (
    COUNTED,
    ClaimBatch,
    FamilyOutcomes,
    ScheduleRow,
    batch_amounts,
    batch_claims,
    check_period,
    family_amount,
    make_batch,
    mark_paid,
    mark_rejected,
    ready_families,
    schedule_rows,
    submission_claims,
    submit_batch,
    withdraw_batch,
)
from fmdesk.definition import DefinitionKind
from fmdesk.errors import UserError
from fmdesk.outcomes import ClaimStatus, OutcomeClaim
from fmdesk.payments import (
    ClaimAmount,
    PaymentTable,
    ProgrammeMoney,
    SentBatch,
    parse_programme_target,
    programme_money,
    shipped_payment_tables,
    tables_from_contents,
)
from fmdesk.programme import (
    Stage,
    check_year,
    quarter_bounds,
    quarter_label,
    year_bounds,
    year_start,
)

PROGRAMME_TARGET_SETTING = "programme.total_target"


@dataclasses.dataclass(frozen=True)
class ClaimsView:
    ready: list[FamilyOutcomes]
    batches: list[ClaimBatch]
    outcomes: dict[str, FamilyOutcomes]
    as_at: dt.date | None = None  # None: today
    tables: Mapping[str, PaymentTable] = dataclasses.field(default_factory=dict)

    def amount(self, item: FamilyOutcomes) -> ClaimAmount:
        """What the family's claim is worth by its framework's payment table."""
        return family_amount(item, self.tables)

    def batch_total(self, batch: ClaimBatch) -> int | None:
        """What the batch claims, in pence (None when no family of it has an amount)."""
        amounts = [a.claimed for a in batch_amounts(batch, self.outcomes, self.tables)]
        priced = [a for a in amounts if a is not None]
        return sum(priced) if priced else None


def load_claims(
    store: Store, today: dt.date | None = None, *, as_at: dt.date | None = None
) -> ClaimsView:
    """The families ready to claim and the batches, today or as at `as_at` (as they were at the
    end of that day)."""
    today = today or dt.date.today()
    outcomes = load_outcomes(store, today, as_at=as_at)
    batches = sorted(
        load_batches(store, today, as_at=as_at),
        key=lambda b: (b.made_on, b.reference),
        reverse=True,
    )
    return ClaimsView(
        ready_families(outcomes, batches), batches, outcomes, as_at, payment_tables(store)
    )


def judged_at(day: dt.date, today: dt.date | None = None) -> dt.date | None:
    """The `as_at` that judges as at the end of `day`: None when that is today's judgement."""
    today = today or dt.date.today()
    return None if day >= today else day


def create_batch(
    store: Store,
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    family_ids: Sequence[str],
    today: dt.date | None = None,
    by: str = "",
) -> ClaimBatch:
    """A draft claim batch of the chosen families, judged as at the end of the claim period.
    A family already claimed, or held by another batch, is refused by name; so is a period
    that is inverted or not over yet, before anything is read."""
    today = today or dt.date.today()
    check_period(period_start, period_end, today)
    outcomes = load_outcomes(store, today, as_at=period_end)
    missing = [fid for fid in family_ids if fid not in outcomes]
    if missing:
        raise UserError(
            "A chosen family was not in this store at the end of the claim period "
            f"({period_end.isoformat()}), or is no longer in it; refresh the list."
        )
    batch = make_batch(
        reference,
        period_start=period_start,
        period_end=period_end,
        chosen=[outcomes[fid] for fid in family_ids],
        existing=store.list(ClaimBatch),
        made_on=today,
        made_by=by or store.info.owner_name,
    )
    return store.save(batch)[0]


def create_ready_batch(
    store: Store,
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date | None = None,
    by: str = "",
) -> ClaimBatch:
    """A draft claim batch of every family whose claim is ready as at the end of the period,
    as `create_batch`. Refused, with nothing written, when no family is ready."""
    today = today or dt.date.today()
    check_period(period_start, period_end, today)
    # Ready as at the end of the period, and not held by a batch now.
    outcomes = load_outcomes(store, today, as_at=judged_at(period_end, today))
    ready = ready_families(outcomes, store.list(ClaimBatch))
    if not ready:
        raise UserError(
            f"No family is ready to claim as at {period_end.isoformat()}, the end of the claim "
            "period, so no batch was made: nothing was written."
        )
    return create_batch(
        store,
        reference,
        period_start=period_start,
        period_end=period_end,
        family_ids=[o.family.id for o in ready],
        today=today,
        by=by,
    )


def find_batch(store: Store, reference: str) -> ClaimBatch:
    for batch in store.list(ClaimBatch):
        if batch.reference.casefold() == reference.strip().casefold() or batch.id == reference:
            return batch
    raise UserError(f"There is no claim batch called {reference}.")


def submit(
    store: Store,
    reference: str,
    *,
    on: dt.date | None = None,
    by: str = "",
    approved_by: str = "",
    approved_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ClaimBatch:
    """Mark a draft batch as sent to the funder on `on` (default today), signed off by
    `approved_by`, and write each family's claim, dated that day, in one transaction."""
    today = today or dt.date.today()
    if not approved_by.strip():
        raise UserError(
            "Say who approved the claim before it was sent (--approved-by NAME): a claim "
            "records who signed it off."
        )
    batch = find_batch(store, reference)
    by = by or store.info.owner_name
    sent = submit_batch(
        batch,
        on=on or today,
        by=by,
        approved_by=approved_by,
        approved_on=approved_on,
        today=today,
    )
    outcomes = load_outcomes(store, today, as_at=judged_at(batch.period_end, today))
    claims = submission_claims(sent, outcomes, by=by)
    # A draft made by an older build wrote its claims at once, dated the day it was made.
    older = [c.replace(deleted=True) for c in batch_claims(batch, store.list(OutcomeClaim))]
    with store.transaction():
        saved = store.save(sent, *claims, *older)[0]
    return cast(ClaimBatch, saved)


def record_paid(
    store: Store,
    reference: str,
    *,
    on: dt.date,
    pence: int | None = None,
    by: str = "",
    today: dt.date | None = None,
) -> ClaimBatch:
    """Record that the funder paid a submitted batch on `on` (`pence`: the amount)."""
    batch = find_batch(store, reference)
    paid = mark_paid(
        batch, on=on, by=by or store.info.owner_name, pence=pence, today=today or dt.date.today()
    )
    return store.save(paid)[0]


def record_rejected(
    store: Store,
    reference: str,
    *,
    reason: str,
    on: dt.date | None = None,
    by: str = "",
    today: dt.date | None = None,
) -> ClaimBatch:
    """Record that the funder rejected a submitted batch, and why; its families' claims are
    deleted in the same transaction, so each family may be claimed again."""
    today = today or dt.date.today()
    batch = find_batch(store, reference)
    rejected = mark_rejected(
        batch, on=on or today, by=by or store.info.owner_name, reason=reason, today=today
    )
    freed = [c.replace(deleted=True) for c in batch_claims(batch, store.list(OutcomeClaim))]
    with store.transaction():
        saved = store.save(rejected, *freed)[0]
    return cast(ClaimBatch, saved)


def withdraw(store: Store, reference: str) -> ClaimBatch:
    """Withdraw a draft batch (and any claims an older build's draft wrote), in one
    transaction; returns the batch withdrawn. A submitted batch is refused."""
    batch = find_batch(store, reference)
    gone, removed = withdraw_batch(batch, store.list(OutcomeClaim))
    with store.transaction():
        store.save(gone, *removed)
    return batch


def batch_schedule(
    store: Store, reference: str, today: dt.date | None = None
) -> tuple[ClaimBatch, list[ScheduleRow]]:
    """A batch and its schedule, judged as at the end of its claim period, as when it was made
    (a batch made before this store kept history, or whose period had not ended, is judged on
    today's records: there is nothing older to read)."""
    today = today or dt.date.today()
    batch = find_batch(store, reference)
    history_began = began(store)
    as_at = judged_at(batch.period_end, today)
    if history_began is not None and batch.made_on < history_began:
        as_at = None
    outcomes = load_outcomes(store, today, as_at=as_at)
    return batch, schedule_rows(batch, outcomes, payment_tables(store))


# ---- the money ---------------------------------------------------------------------------------


def payment_tables(store: Store) -> dict[str, PaymentTable]:
    """Every framework's payment table this store knows, by id@version: the shipped
    frameworks' and the council's held in the store (a council's own wins for its version)."""
    tables = dict(shipped_payment_tables())
    held = definitions(store).held.get(DefinitionKind.FRAMEWORK, ())
    tables.update(tables_from_contents(d.content for d in held))
    return tables


def get_programme_target(store: Store) -> dict[Stage, int]:
    """The whole programme's targets (families over every year of it, such as 685 turned
    around), beside the yearly ones (db/programme/dashboard.py get_targets)."""
    plain = parse_programme_target(store.get_setting(PROGRAMME_TARGET_SETTING, {}))
    out = {}
    for key, value in plain.items():
        try:
            out[Stage(key)] = value
        except ValueError:
            continue  # a stage a newer fmdesk counts: kept in the setting, not shown here
    return out


def set_programme_target(store: Store, values: dict[Stage, int | None]) -> dict[Stage, int]:
    """Set (or, with None, clear) the whole programme's targets; the others are kept. A
    negative target is refused before anything is written."""
    if any(v is not None and (isinstance(v, bool) or v < 0) for v in values.values()):
        raise UserError("A target cannot be negative.")
    plain = parse_programme_target(store.get_setting(PROGRAMME_TARGET_SETTING, {}))
    for stage, value in values.items():
        if value is None:
            plain.pop(stage.value, None)
        else:
            plain[stage.value] = value
    store.set_setting(PROGRAMME_TARGET_SETTING, plain)
    return get_programme_target(store)


def year_quarters(year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The four quarters of programme `year` (label, first day, last day), Q1 April to June."""
    first, _ = year_bounds(check_year(year))
    quarters = []
    day = first
    for _ in range(4):
        start, end = quarter_bounds(day)
        quarters.append((quarter_label(start), start, end))
        day = end + dt.timedelta(days=1)
    return quarters


def load_money(
    store: Store,
    today: dt.date | None = None,
    year: int | None = None,
    *,
    as_at: dt.date | None = None,
) -> ProgrammeMoney:
    """The programme's money for `year` (default: the year holding the day judged): amounts
    claimed (batches sent to the funder, not rejected, by the quarter they were sent) and paid
    (by the quarter the funder paid), each family's claim priced by its framework's payment
    table; the totals to date; and the families claimed to date against the whole programme's
    turned-around target (`get_programme_target`). Today, or as at the end of `as_at` (the
    batches and families as they were then). For the programme dashboard and
    `fmdesk claims money`."""
    today = today or dt.date.today()
    day = as_at or today
    year = year_start(day) if year is None else check_year(year)
    outcomes = load_outcomes(store, today, as_at=as_at)
    tables = payment_tables(store)
    sent = [
        SentBatch(
            submitted_on=b.submitted_on,
            paid_on=b.paid_on,
            paid_pence=b.paid_pence,
            amounts=batch_amounts(b, outcomes, tables),
        )
        for b in load_batches(store, today, as_at=as_at)
        if not b.deleted and b.status in COUNTED
    ]
    claimed_families = sum(
        1
        for o in outcomes.values()
        if o.status is ClaimStatus.CLAIMED
        and o.readiness is not None
        and o.readiness.claim is not None
        and o.readiness.claim.claimed_on <= day
    )
    return programme_money(
        sent,
        year=year,
        today=day,
        quarters=year_quarters(year),
        families_claimed=claimed_families,
        target=get_programme_target(store).get(Stage.TURNED_AROUND),
    )
