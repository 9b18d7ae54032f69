"""Claims: the families ready to claim, claim batches (draft, submitted, withdrawn) and each
batch's schedule of evidence (fmdesk.claims holds the rules).

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import cast

from db.programme.judgement import load_outcomes
from db.store import Store
from fmdesk.claims import (
    ClaimBatch,
    FamilyOutcomes,
    ScheduleRow,
    make_batch,
    ready_families,
    schedule_rows,
    submit_batch,
    withdraw_batch,
)
from fmdesk.errors import UserError
from fmdesk.outcomes import OutcomeClaim


@dataclasses.dataclass(frozen=True)
class ClaimsView:
    ready: list[FamilyOutcomes]
    batches: list[ClaimBatch]
    outcomes: dict[str, FamilyOutcomes]


def load_claims(store: Store, today: dt.date | None = None) -> ClaimsView:
    outcomes = load_outcomes(store, today or dt.date.today())
    batches = sorted(store.list(ClaimBatch), key=lambda b: (b.made_on, b.reference), reverse=True)
    return ClaimsView(ready_families(outcomes), batches, outcomes)


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
    """A draft claim batch of the chosen families, with each family's OutcomeClaim, in one
    transaction. A family already claimed (here or in a batch) is refused by name."""
    today = today or dt.date.today()
    outcomes = load_outcomes(store, today)
    missing = [fid for fid in family_ids if fid not in outcomes]
    if missing:
        raise UserError("A chosen family is no longer in this store; refresh the list.")
    batch, claims = make_batch(
        reference,
        period_start=period_start,
        period_end=period_end,
        chosen=[outcomes[fid] for fid in family_ids],
        existing=store.list(ClaimBatch),
        made_on=today,
        made_by=by or store.info.owner_name,
    )
    with store.transaction():
        saved = store.save(batch, *claims)[0]
    return cast(ClaimBatch, saved)


def create_ready_batch(
    store: Store,
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date | None = None,
    by: str = "",
) -> ClaimBatch:
    """A draft claim batch of every family whose claim is ready on `today`, as `create_batch`.
    Refused, with nothing written, when no family is ready."""
    today = today or dt.date.today()
    ready = load_claims(store, today).ready
    if not ready:
        raise UserError("No family is ready to claim, so no batch was made: nothing was written.")
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


def submit(store: Store, reference: str, *, on: dt.date | None = None, by: str = "") -> ClaimBatch:
    batch = find_batch(store, reference)
    changed = submit_batch(batch, on=on or dt.date.today(), by=by or store.info.owner_name)
    return store.save(changed)[0]


def withdraw(store: Store, reference: str) -> None:
    batch = find_batch(store, reference)
    claims = [c for c in store.list(OutcomeClaim) if c.family_id in batch.family_ids]
    gone, removed = withdraw_batch(batch, claims)
    with store.transaction():
        store.save(gone, *removed)


def batch_schedule(
    store: Store, reference: str, today: dt.date | None = None
) -> tuple[ClaimBatch, list[ScheduleRow]]:
    batch = find_batch(store, reference)
    outcomes = load_outcomes(store, today or dt.date.today())
    return batch, schedule_rows(batch, outcomes)
