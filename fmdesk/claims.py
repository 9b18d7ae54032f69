"""Payment-by-results claims on the coordinator's side: who is ready, claim batches, schedules.

- `FamilyOutcomes` gathers one family's records and works out where it stands against the
  framework it was attached under (`readiness_by_family` does it for the whole programme, reading
  each kind of record once).
- `ClaimBatch` is a programme-level record (no family): the families claimed for a period, its
  reference, and where it is in its life: a draft (made, by whom, when), submitted to the
  funder (the day it was sent, who sent it and who approved it), then paid (the day, the
  amount) or rejected (the day, the reason). Each step only adds: a saved batch's content and
  every step's who and when never change (`ClaimBatch.check_replaces`, which the store asks).
- A draft reserves its families (no other batch may take them) but claims nothing. Submitting
  writes one `OutcomeClaim` per family, dated the day it was sent: the record the outcome rules
  read as "claimed". A rejection deletes those claims, so the family may be claimed again.
  `counted_claims` applies the same rule to the claims a store holds, so a draft made by an
  older build (which wrote its claims at once) does not count either.
- `schedule_rows` is the claim schedule internal audit reads: one row per piece of outcome
  evidence behind each claim (source, date, who recorded it).
"""

import dataclasses
import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from fmdesk.assessment.record import Assessment, AssessmentState
from fmdesk.csvcells import Number
from fmdesk.errors import ValidationError
from fmdesk.families import Family, FamilyStatus, StatusChange
from fmdesk.outcomes import (
    ClaimReadiness,
    ClaimStatus,
    FamilyOutcomeData,
    Framework,
    FrameworkLibrary,
    FrameworkNotFound,
    OutcomeClaim,
    OutcomeEvidence,
    claim_readiness,
)
from fmdesk.outcomes.dates import day_text
from fmdesk.outcomes.framework import AttendanceTest, EmploymentTest, FallTest
from fmdesk.outcomes.readiness import EVERY_PROBLEM
from fmdesk.outcomes.records import Measure, MeasureKind, MeasureStage
from fmdesk.outcomes.sustainment import OutcomeProgress
from fmdesk.payments import NO_AMOUNT, ClaimAmount, PaymentTable, claim_amount
from fmdesk.payments import money_text as money_text
from fmdesk.plans import FamilyPlan, current_plan, live_versions
from fmdesk.records import Record, record_kind

# ---- where each family stands ------------------------------------------------------------------


def requirements_met(
    family: Family, assessments: Iterable[Assessment], plans: Iterable[FamilyPlan]
) -> frozenset[str]:
    """The claim requirements (framework `claim.requirements` ids) the family's records show:
    a whole-family assessment past draft, a current plan with at least one goal, and a lead
    practitioner named or allocated. The one rule for both the practitioner's Outcomes tab and
    the coordinator's dashboard and claims."""
    met = set()
    if any(not a.deleted and a.state is not AssessmentState.DRAFT for a in assessments):
        met.add("whole_family_assessment")
    plan = current_plan(plans)
    if plan is not None and plan.goals:
        met.add("action_plan")
    if family.lead_practitioner.strip() or family.allocated_to:
        met.add("lead_practitioner")
    return frozenset(met)


@dataclasses.dataclass(frozen=True)
class EntryDates:
    """When the family came into the programme and got what a claim needs: identified (its
    identification date), attached (first worked with: its first move to engaged or active),
    assessed (its first whole-family assessment past draft), plan agreed (the first version of
    its action plan), and its keyworker (lead practitioner, or the practitioner it is allocated
    to)."""

    identified_on: dt.date | None = None
    attached_on: dt.date | None = None
    assessed_on: dt.date | None = None
    plan_agreed_on: dt.date | None = None
    keyworker: str = ""


_WORKED_WITH = frozenset({FamilyStatus.ENGAGED, FamilyStatus.ACTIVE})


def entry_dates(family: Family, records: Iterable[Record]) -> EntryDates:
    """The family's `EntryDates` from any mix of its records (status changes, assessments,
    plans, allocations; others are passed over)."""
    attached: list[dt.date] = []
    assessed: list[dt.date] = []
    plans: list[FamilyPlan] = []
    allocated: list[tuple[dt.date, str]] = []
    for record in records:
        if record.deleted or record.family_id != family.id:
            continue
        if isinstance(record, StatusChange) and record.to_status in _WORKED_WITH:
            attached.append(record.on)
        elif isinstance(record, Assessment) and record.state is not AssessmentState.DRAFT:
            day = record.completed_on or record.started_on
            if day is not None:
                assessed.append(day)
        elif isinstance(record, FamilyPlan):
            plans.append(record)
        elif type(record).KIND == "allocation":  # fmdesk.programme.Allocation (imports this)
            name = str(getattr(record, "to_name", "") or "")
            day = getattr(record, "on", None)
            if name and isinstance(day, dt.date):
                allocated.append((day, name))
    versions = live_versions(plans)
    keyworker = family.lead_practitioner.strip() or (max(allocated)[1] if allocated else "")
    return EntryDates(
        identified_on=family.identified_on,
        attached_on=min(attached, default=None),
        assessed_on=min(assessed, default=None),
        plan_agreed_on=min((v.made_on for v in versions), default=None),
        keyworker=keyworker,
    )


@dataclasses.dataclass(frozen=True)
class FamilyOutcomes:
    """One family, its outcome records and its readiness (None when it has no framework, or
    one this computer does not have; `problem` then says which), and its `EntryDates`."""

    family: Family
    data: FamilyOutcomeData
    framework: Framework | None
    readiness: ClaimReadiness | None
    problem: str = ""
    entry: EntryDates = EntryDates()

    @property
    def status(self) -> ClaimStatus | None:
        return self.readiness.status if self.readiness else None

    @property
    def turned_around(self) -> bool:
        return self.status in (ClaimStatus.READY, ClaimStatus.CLAIMED)


def readiness_by_family(
    families: Iterable[Family],
    records: Iterable[Record],
    library: FrameworkLibrary,
    today: dt.date,
    *,
    batches: Iterable["ClaimBatch"] | None = None,
) -> dict[str, FamilyOutcomes]:
    """Every family's outcome standing, keyed by family id. `records` is any mix of the kinds
    the rules read (people, ticks, measures, evidence, approvals, claims, assessments, plans).
    Given the claim `batches` the store holds, only the claims `counted_claims` keeps make a
    family claimed (without them, every claim does)."""
    by_family: dict[str, list[Record]] = defaultdict(list)
    held = [r for r in records if not r.deleted]
    if batches is not None:
        claims = [r for r in held if isinstance(r, OutcomeClaim)]
        counted = counted_claims(claims, batches, today)
        held = [r for r in held if not isinstance(r, OutcomeClaim)]
        held.extend(counted)
    for record in held:
        by_family[record.family_id].append(record)
    result = {}
    for family in families:
        own = by_family.get(family.id, [])
        data = FamilyOutcomeData.from_records(family, own)
        entry = entry_dates(family, own)
        if not family.framework:
            result[family.id] = FamilyOutcomes(
                family, data, None, None, "No framework attached.", entry
            )
            continue
        try:
            framework = library.for_family(family)
        except FrameworkNotFound as exc:
            result[family.id] = FamilyOutcomes(family, data, None, None, str(exc), entry)
            continue
        met = requirements_met(
            family,
            (r for r in own if isinstance(r, Assessment)),
            (r for r in own if isinstance(r, FamilyPlan)),
        )
        readiness = claim_readiness(framework, data, today, requirements_met=met)
        result[family.id] = FamilyOutcomes(family, data, framework, readiness, entry=entry)
    return result


def turned_around_on(outcomes: FamilyOutcomes) -> dt.date | None:
    """The day the family's results were all in: the last required problem met (its outcome
    sustained, or equivalent progress approved), or the alternative route's outcome sustained.
    For a claimed family whose results cannot be dated now, the day it was claimed."""
    readiness = outcomes.readiness
    if readiness is None or readiness.status not in (ClaimStatus.READY, ClaimStatus.CLAIMED):
        return None
    claimed_on = readiness.claim.claimed_on if readiness.claim else None
    dates: list[dt.date] = []
    if readiness.route == EVERY_PROBLEM:
        for problem in readiness.problems:
            if not problem.required:
                continue
            when = _problem_met_on(problem.outcomes, problem.met_by)
            if when is None and problem.equivalent_progress is not None:
                when = problem.equivalent_progress.approved_on
            if when is None:
                return claimed_on
            dates.append(when)
    else:
        routes = readiness.alternative_routes
        route = next((o for name, o in routes if name == readiness.route), None)
        if route is None or route.sustained_on is None:
            return claimed_on
        dates.append(route.sustained_on)
    return max(dates) if dates else claimed_on


def _problem_met_on(outcomes: Sequence[OutcomeProgress], met_by: str) -> dt.date | None:
    codes = {c.strip() for c in met_by.split(",")}
    days = [o.sustained_on for o in outcomes if o.code in codes and o.achieved and o.sustained_on]
    return max(days) if days and len(days) == len(codes) else None


# ---- claim batches -----------------------------------------------------------------------------


class BatchStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PAID = "paid"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "paid": "Paid",
            "rejected": "Rejected",
        }[self.value]


# A batch in one of these has its families claimed (submitted to the funder and not rejected).
COUNTED = frozenset({BatchStatus.SUBMITTED, BatchStatus.PAID})
# A batch in one of these holds its families: no other batch may take them.
RESERVING = frozenset({BatchStatus.DRAFT, *COUNTED})
# Claim periods and the days on a claim: the programme years fmdesk knows (fmdesk/programme.py).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
_IMMUTABLE = ("reference", "period_start", "period_end", "made_on", "made_by", "family_ids")
_SUBMISSION = ("submitted_on", "submitted_by", "approved_by", "approved_on")
_RESULT = ("paid_on", "paid_pence", "rejected_on", "rejection_reason", "result_recorded_by")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimBatch(Record):
    """The families claimed for one period. A programme-level record: `family_id` is "", so it
    stays with the coordinator (bundles to practitioners carry only their families' records)."""

    KIND: ClassVar[str] = "claim_batch"

    reference: str  # "2025/26 Q2", or the council's own claim reference
    period_start: dt.date
    period_end: dt.date
    made_on: dt.date
    made_by: str = ""
    family_ids: tuple[str, ...] = ()
    status: BatchStatus = BatchStatus.DRAFT
    submitted_on: dt.date | None = None  # the day it was sent to the funder
    submitted_by: str = ""
    approved_by: str = ""  # who signed the claim off before it was sent
    approved_on: dt.date | None = None
    paid_on: dt.date | None = None
    paid_pence: int | None = None  # what the funder paid, when it said
    rejected_on: dt.date | None = None
    rejection_reason: str = ""
    result_recorded_by: str = ""  # who recorded the payment or the rejection
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise ValueError("a claim batch needs a reference")
        if self.period_end < self.period_start:
            raise ValueError("the claim period must end after it starts")
        if len(set(self.family_ids)) != len(self.family_ids):
            raise ValueError("a family appears twice in the batch")
        sent = self.status is not BatchStatus.DRAFT
        if sent != (self.submitted_on is not None):
            raise ValueError("a submitted batch has the date it was submitted, and only that one")
        if (self.status is BatchStatus.PAID) != (self.paid_on is not None):
            raise ValueError("a paid batch has the date it was paid, and only that one")
        if (self.status is BatchStatus.REJECTED) != (self.rejected_on is not None):
            raise ValueError("a rejected batch has the date it was rejected, and only that one")
        if self.status is BatchStatus.REJECTED and not self.rejection_reason.strip():
            raise ValueError("a rejected batch has the funder's reason")
        if self.paid_pence is not None and self.paid_pence < 0:
            raise ValueError("an amount paid cannot be negative")

    def check_replaces(self, held: "ClaimBatch") -> None:
        """ValidationError unless this version may replace `held` (the store asks before
        saving): what a batch claims, and who made, sent, approved, and recorded its result and
        when, never change once saved; it moves only forward (draft, submitted, then paid or
        rejected); only a draft may be withdrawn."""
        if held.deleted:
            raise ValidationError(f"Batch {held.reference} was withdrawn; it cannot be changed.")
        changed = [f for f in _IMMUTABLE if getattr(self, f) != getattr(held, f)]
        if held.status is not BatchStatus.DRAFT:
            changed += [f for f in _SUBMISSION if getattr(self, f) != getattr(held, f)]
            if self.deleted:
                changed.append("deleted")
        if held.status in (BatchStatus.PAID, BatchStatus.REJECTED):
            changed += [f for f in (*_RESULT, "status") if getattr(self, f) != getattr(held, f)]
        allowed = {
            BatchStatus.DRAFT: {BatchStatus.DRAFT, BatchStatus.SUBMITTED},
            BatchStatus.SUBMITTED: {BatchStatus.SUBMITTED, BatchStatus.PAID, BatchStatus.REJECTED},
        }.get(held.status, {held.status})
        if self.status not in allowed:
            changed.append("status")
        if changed:
            raise ValidationError(
                f"Batch {held.reference} is {_state_words(held)}; what it claims and who made, "
                f"sent and approved it cannot be changed ({', '.join(dict.fromkeys(changed))}): "
                "nothing was saved."
            )


def _state_words(batch: ClaimBatch) -> str:
    if batch.status is BatchStatus.DRAFT:
        return f"a draft made on {day_text(batch.made_on)}"
    words = f"{batch.status.label.lower()}"
    when = {
        BatchStatus.SUBMITTED: batch.submitted_on,
        BatchStatus.PAID: batch.paid_on,
        BatchStatus.REJECTED: batch.rejected_on,
    }[batch.status]
    return f"{words} (on {day_text(when)})"


def check_period(period_start: dt.date, period_end: dt.date, today: dt.date) -> None:
    """ValidationError, in one line saying what to do, for a claim period that is inverted,
    outside the years fmdesk knows, or not over yet (a claim is judged as at the end of its
    period, so the period must have ended: it ends before `today`)."""
    for day, name in ((period_start, "starts"), (period_end, "ends")):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(
                f"The claim period {name} on {day_text(day)}: a claim period must lie between "
                f"{day_text(FIRST_DAY)} and {day_text(LAST_DAY)}."
            )
    if period_end < period_start:
        raise ValidationError(
            f"The claim period ends ({day_text(period_end)}) before it starts "
            f"({day_text(period_start)}): give the first day with --from and the last with --to."
        )
    if period_end >= today:
        raise ValidationError(
            f"The claim period ends on {day_text(period_end)}, which is not over yet: a claim "
            "is judged as at the end of its period, so make the batch once the period has ended."
        )


def reserved_families(batches: Iterable[ClaimBatch]) -> dict[str, ClaimBatch]:
    """The families held by a batch that is not withdrawn or rejected, and the batch."""
    return {
        fid: b for b in batches if not b.deleted and b.status in RESERVING for fid in b.family_ids
    }


def counted_claims(
    claims: Iterable[OutcomeClaim], batches: Iterable[ClaimBatch], today: dt.date
) -> list[OutcomeClaim]:
    """The claims that make a family claimed on `today`. One made by a batch counts only while
    that batch is submitted or paid, and is dated the day the batch was sent; one the store has
    no batch for (a practitioner's record of a claim made elsewhere) counts as it is; none
    dated after `today` counts."""
    live = {b.reference.strip().casefold(): b for b in batches if not b.deleted}
    counted = []
    for claim in claims:
        if claim.deleted:
            continue
        batch = live.get(claim.batch.strip().casefold()) if claim.batch.strip() else None
        if batch is not None:
            if batch.status not in COUNTED or batch.submitted_on is None:
                continue
            if claim.claimed_on != batch.submitted_on:
                claim = claim.replace(claimed_on=batch.submitted_on)
        if claim.claimed_on <= today:
            counted.append(claim)
    return counted


def make_batch(
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    chosen: Sequence[FamilyOutcomes],
    existing: Iterable[ClaimBatch],
    made_on: dt.date,
    made_by: str,
) -> ClaimBatch:
    """A draft batch of `chosen` families (judged as at the end of the period). Refused, naming
    the family, when one is already claimed (a claim counted, or in a batch not withdrawn or
    rejected), is not ready, or is chosen twice; and when the reference is taken. A draft claims
    nothing yet: submitting it does (`submit_batch`, `submission_claims`)."""
    reference = reference.strip()
    live = [b for b in existing if not b.deleted]
    if any(b.reference.casefold() == reference.casefold() for b in live):
        raise ValidationError(f"There is already a claim batch called {reference}.")
    check_period(period_start, period_end, made_on)
    in_batch = reserved_families(live)
    if not chosen:
        raise ValidationError("Choose at least one family to claim for.")
    seen: set[str] = set()
    for item in chosen:
        family = item.family
        if family.id in seen:
            raise ValidationError(f"Family {family.reference} is chosen twice.")
        seen.add(family.id)
        holder = in_batch.get(family.id)
        if holder is not None and holder.status is BatchStatus.DRAFT:
            raise ValidationError(
                f"Family {family.reference} is already in draft batch {holder.reference}; a "
                "family is claimed for once (withdraw that draft to claim for it in another)."
            )
        if holder is not None:
            raise ValidationError(
                f"Family {family.reference} has already been claimed for, in batch "
                f"{holder.reference}; a family cannot be claimed twice."
            )
        readiness = item.readiness
        if readiness is not None and readiness.status is ClaimStatus.CLAIMED:
            when = readiness.claim.claimed_on if readiness.claim else None
            raise ValidationError(
                f"Family {family.reference} has already been claimed for"
                + (f" (on {day_text(when)})" if when else "")
                + "; a family cannot be claimed twice."
            )
        if readiness is None or readiness.status is not ClaimStatus.READY:
            why = item.problem or (
                readiness.missing[0] if readiness and readiness.missing else "not ready"
            )
            raise ValidationError(
                f"Family {family.reference} is not ready to claim as at "
                f"{day_text(period_end)}, the end of the claim period: {why}"
            )
    return ClaimBatch(
        reference=reference,
        period_start=period_start,
        period_end=period_end,
        made_on=made_on,
        made_by=made_by,
        family_ids=tuple(item.family.id for item in chosen),
    )


def _check_day(day: dt.date, what: str, today: dt.date, after: dt.date | None, since: str) -> None:
    if day > today:
        raise ValidationError(f"The day it was {what} ({day_text(day)}) is still to come.")
    if after is not None and day < after:
        raise ValidationError(
            f"The day it was {what} ({day_text(day)}) is before it was {since} ({day_text(after)})."
        )


def submit_batch(
    batch: ClaimBatch,
    *,
    on: dt.date,
    by: str,
    approved_by: str = "",
    approved_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ClaimBatch:
    """The draft `batch`, sent to the funder on `on` by `by`, signed off by `approved_by` (on
    `approved_on`, by default the day it was sent). Refused for a batch already sent, and for
    a day still to come or before the batch was made."""
    if batch.status is not BatchStatus.DRAFT:
        raise ValidationError(
            f"Batch {batch.reference} was already submitted on {day_text(batch.submitted_on)}."
        )
    today = today or on
    _check_day(on, "sent", today, batch.made_on, "made")
    approved_on = approved_on or on
    _check_day(approved_on, "approved", today, batch.made_on, "made")
    return batch.replace(
        status=BatchStatus.SUBMITTED,
        submitted_on=on,
        submitted_by=by,
        approved_by=approved_by.strip(),
        approved_on=approved_on if approved_by.strip() else None,
    )


def submission_claims(
    batch: ClaimBatch, outcomes: Mapping[str, FamilyOutcomes], *, by: str
) -> list[OutcomeClaim]:
    """The OutcomeClaim of each family of a submitted batch, dated the day it was sent, under
    the framework and route the family is judged ready by (`outcomes`, as at the end of the
    period). Refused, naming the family, when one is no longer ready then."""
    if batch.submitted_on is None:
        raise ValidationError(f"Batch {batch.reference} has not been submitted.")
    claims = []
    for family_id in batch.family_ids:
        item = outcomes.get(family_id)
        readiness = item.readiness if item is not None else None
        if item is None or readiness is None or readiness.status is not ClaimStatus.READY:
            name = item.family.reference if item is not None else family_id
            why = readiness.missing[0] if readiness and readiness.missing else "not ready"
            if readiness is not None and readiness.status is ClaimStatus.CLAIMED:
                why = "it has been claimed for already"
            raise ValidationError(
                f"Family {name} is no longer ready to claim as at {day_text(batch.period_end)}, "
                f"the end of the claim period ({why}); nothing was submitted. Withdraw the "
                "draft and make the batch again."
            )
        claims.append(
            OutcomeClaim(
                family_id=family_id,
                claimed_on=batch.submitted_on,
                batch=batch.reference,
                framework=readiness.framework,
                route=readiness.route,
                recorded_by=by,
            )
        )
    return claims


def _settled(batch: ClaimBatch) -> None:
    if batch.status is BatchStatus.DRAFT:
        raise ValidationError(
            f"Batch {batch.reference} is a draft: it has not been sent to the funder yet."
        )
    if batch.status is not BatchStatus.SUBMITTED:
        raise ValidationError(f"Batch {batch.reference} is {_state_words(batch)} already.")


def mark_paid(
    batch: ClaimBatch, *, on: dt.date, by: str, pence: int | None = None, today: dt.date
) -> ClaimBatch:
    """A submitted batch, paid by the funder on `on` (`pence`: the amount, when known)."""
    _settled(batch)
    _check_day(on, "paid", today, batch.submitted_on, "sent")
    if pence is not None and pence < 0:
        raise ValidationError("The amount paid cannot be negative.")
    return batch.replace(
        status=BatchStatus.PAID, paid_on=on, paid_pence=pence, result_recorded_by=by
    )


def mark_rejected(
    batch: ClaimBatch, *, on: dt.date, by: str, reason: str, today: dt.date
) -> ClaimBatch:
    """A submitted batch, rejected by the funder on `on` for `reason`: its families may be
    claimed again (`rejection_withdrawals` deletes their claims)."""
    _settled(batch)
    if not reason.strip():
        raise ValidationError("Say why the funder rejected the claim (--reason TEXT).")
    _check_day(on, "rejected", today, batch.submitted_on, "sent")
    return batch.replace(
        status=BatchStatus.REJECTED,
        rejected_on=on,
        rejection_reason=reason.strip(),
        result_recorded_by=by,
    )


def batch_claims(batch: ClaimBatch, claims: Iterable[OutcomeClaim]) -> list[OutcomeClaim]:
    """The claims this batch made (or an older build's draft of it made), not yet deleted."""
    return [
        c
        for c in claims
        if not c.deleted
        and c.batch.strip().casefold() == batch.reference.strip().casefold()
        and c.family_id in batch.family_ids
    ]


def withdraw_batch(
    batch: ClaimBatch, claims: Iterable[OutcomeClaim]
) -> tuple[ClaimBatch, list[OutcomeClaim]]:
    """A draft batch and any claims it made, marked deleted (so the families can be claimed
    again). A submitted batch is part of the audit trail and stays."""
    if batch.status is not BatchStatus.DRAFT:
        raise ValidationError(
            f"Batch {batch.reference} has been submitted, so it cannot be withdrawn."
        )
    return batch.replace(deleted=True), [
        c.replace(deleted=True) for c in batch_claims(batch, claims)
    ]


AMOUNT = re.compile(r"£?\s*(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{2}))?")


def parse_amount(text: str) -> int:
    """An amount of money in pence, from pounds as people write them ("1250", "£1,250.00");
    a number of pence that is not two digits ("12.5") is refused."""
    found = AMOUNT.fullmatch(text.strip())
    if found is None:
        raise ValidationError(
            f"{text!r} is not an amount of money: write it in pounds, such as 1250 or £1,250.00."
        )
    return int(found["pounds"].replace(",", "")) * 100 + int(found["pence"] or 0)


# ---- the claim schedule ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScheduleRow:
    """One piece of evidence behind one outcome of one claimed family, with what the auditor
    ticks it against: the family's entry (`entry`, `eligibility`), the outcome's figures
    before and after (each with its period), who recorded it and, for equivalent progress, who
    approved it; and the family's claim (`amount`, the same on each of its rows)."""

    batch: str
    reference: str
    family: str
    framework: str
    route: str
    problem: str
    outcome: str
    outcome_text: str
    basis: str  # "Evidence", "Star reading", "Measures", "Equivalent progress"
    source: str
    evidence_date: dt.date | None
    sustained_on: dt.date | None
    recorded_by: str  # the practitioner who recorded it
    person: str  # the family member it is about ("" for the household)
    detail: str
    before: str = ""  # the figures at entry, each with its period ("; " between them)
    after: str = ""  # the figures since, each with its period
    approved_by: str = ""  # equivalent progress: who approved it, in what role, and when
    entry: EntryDates = EntryDates()
    eligibility: tuple["EligibilityLine", ...] = ()
    amount: ClaimAmount = NO_AMOUNT


@dataclasses.dataclass(frozen=True)
class EligibilityLine:
    """One indicator of need the family was found eligible by: its problem, code and words,
    whom it is about, its evidence source and the day it was recorded."""

    problem: str
    indicator: str
    text: str
    person: str
    source: str
    on: dt.date | None

    @property
    def words(self) -> str:
        who = f" ({self.person})" if self.person else ""
        source = f", {self.source}" if self.source else ""
        on = f", {day_text(self.on)}" if self.on else ""
        return f"{self.indicator} {self.text}{who}{source}{on}"


SCHEDULE_HEADER = (
    "batch",
    "family_reference",
    "family_name",
    "framework",
    "route",
    "identified_on",
    "attached_on",
    "assessed_on",
    "plan_agreed_on",
    "keyworker",
    "eligibility_at_entry",
    "problem",
    "outcome",
    "outcome_text",
    "basis",
    "figures_before",
    "figures_after",
    "evidence_source",
    "evidence_date",
    "sustained_on",
    "recorded_by",
    "person",
    "approved_by",
    "detail",
    "attachment_fee",
    "results_payment",
    "claim_amount",
    "amount_basis",
)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _pounds(pence: int | None) -> str | Number:
    return "" if pence is None else Number(f"{pence // 100}.{pence % 100:02d}")


def schedule_csv_row(row: ScheduleRow) -> list[str]:
    """The row as the schedule CSV's cells (SCHEDULE_HEADER); amounts in pounds as numbers,
    the family's on each of its rows."""
    return [
        row.batch,
        row.reference,
        row.family,
        row.framework,
        row.route,
        _iso(row.entry.identified_on),
        _iso(row.entry.attached_on),
        _iso(row.entry.assessed_on),
        _iso(row.entry.plan_agreed_on),
        row.entry.keyworker,
        "; ".join(line.words for line in row.eligibility),
        row.problem,
        row.outcome,
        row.outcome_text,
        row.basis,
        row.before,
        row.after,
        row.source,
        _iso(row.evidence_date),
        _iso(row.sustained_on),
        row.recorded_by,
        row.person,
        row.approved_by,
        row.detail,
        _pounds(row.amount.attachment_fee),
        _pounds(row.amount.results),
        _pounds(row.amount.claimed),
        row.amount.basis,
    ]


def eligibility_lines(item: FamilyOutcomes) -> tuple[EligibilityLine, ...]:
    """The indicators of need behind the family's eligibility, problem by problem."""
    readiness, framework = item.readiness, item.framework
    if readiness is None or framework is None:
        return ()
    lines = []
    for present in readiness.eligibility.problems:
        problem = f"{present.problem.code} {present.problem.name}"
        for tick in sorted(present.ticks, key=lambda t: (t.indicator, t.on, t.person_id)):
            try:
                text = framework.indicator(tick.indicator)[1].text
            except KeyError:
                text = ""
            lines.append(
                EligibilityLine(
                    problem=problem,
                    indicator=tick.indicator,
                    text=text,
                    person=item.data.name(tick.person_id) if tick.person_id else "",
                    source=tick.evidence_source,
                    on=tick.on,
                )
            )
    return tuple(lines)


def family_amount(item: FamilyOutcomes, tables: Mapping[str, PaymentTable]) -> ClaimAmount:
    """What the family's claim is worth by its framework's payment table (`tables`, by
    id@version), by its route, attached on its attachment day (or, without one, the day it
    was identified)."""
    readiness = item.readiness
    if readiness is None:
        return NO_AMOUNT
    # A claimed family: by the framework and route its claim was made under.
    claim = readiness.claim
    framework = (claim.framework if claim else "") or readiness.framework
    route = (claim.route if claim else "") or readiness.route
    met = [o.code for o in readiness.additional_results if o.achieved]
    attached = item.entry.attached_on or item.entry.identified_on
    return claim_amount(tables.get(framework), route, attached_on=attached, additional_met=met)


def measure_words(item: FamilyOutcomes, measure: Measure) -> str:
    """A figure with its period, as the schedule prints it: "Anti-social behaviour incidents
    10 (1 Jan 2025 to 31 Dec 2025)"; attendance with its term; a yes/no state from its day."""
    value = f"{measure.value:g}"
    if measure.kind.is_status:
        value = "yes" if measure.value else "no"
    if measure.kind.counts_over_period and measure.period_start is not None:
        when = f"{day_text(measure.period_start)} to {day_text(measure.on)}"
    elif measure.term:
        when = f"{measure.term}, {day_text(measure.on)}"
    elif measure.kind.is_status:
        when = f"from {day_text(measure.on)}"
    else:
        when = day_text(measure.on)
    who = f"{item.data.name(measure.person_id)}: " if measure.person_id else ""
    return f"{who}{measure.kind.label} {value} ({when})"


def evidence_rows(
    item: FamilyOutcomes, batch: str = "", tables: Mapping[str, PaymentTable] | None = None
) -> list[ScheduleRow]:
    """The evidence behind each outcome that makes the family's claim: for every required
    problem its meeting outcome(s), or the alternative route's outcome; one row per evidence
    record, one row for an outcome met by measures, one for an equivalent-progress approval.
    Every row carries the family's entry, eligibility and (with `tables`) its claim amount."""
    readiness, framework = item.readiness, item.framework
    if readiness is None or framework is None:
        return []
    family = item.family
    rows: list[ScheduleRow] = []
    eligibility = eligibility_lines(item)
    amount = family_amount(item, tables or {})

    def row(problem: str, outcome: OutcomeProgress | None, **fields: object) -> ScheduleRow:
        values: dict[str, object] = {
            "batch": batch,
            "reference": family.reference,
            "family": family.name,
            "framework": readiness.framework,
            "route": readiness.route,
            "problem": problem,
            "outcome": outcome.code if outcome else "",
            "outcome_text": outcome.text if outcome else "",
            "sustained_on": outcome.sustained_on if outcome else None,
            "person": "",
            "detail": "",
            "entry": item.entry,
            "eligibility": eligibility,
            "amount": amount,
        }
        if outcome is not None:
            measures = sorted(_measures_for(item, outcome), key=lambda m: (m.on, m.id))
            values["before"] = "; ".join(
                measure_words(item, m) for m in measures if m.stage is MeasureStage.BASELINE
            )
            values["after"] = "; ".join(
                measure_words(item, m) for m in measures if m.stage is not MeasureStage.BASELINE
            )
        values.update(fields)
        return ScheduleRow(**values)  # type: ignore[arg-type]

    def outcome_rows(problem: str, outcome: OutcomeProgress) -> None:
        evidence = _evidence_for(item.data.evidence, outcome.code)
        if outcome.basis in ("evidence", "star") and evidence:
            for ev in evidence:
                rows.append(
                    row(
                        problem,
                        outcome,
                        basis=ev.basis.label,
                        source=ev.source
                        + (f" ({ev.star_area}: {ev.star_score})" if ev.star_score else ""),
                        evidence_date=ev.holds_from,
                        recorded_by=ev.recorded_by,
                        person=item.data.name(ev.person_id) if ev.person_id else "",
                        detail=ev.description,
                    )
                )
            return
        measures = _measures_for(item, outcome)
        people = sorted({item.data.name(m.person_id) for m in measures if m.person_id})
        rows.append(
            row(
                problem,
                outcome,
                basis="Measures",
                source="; ".join(sorted({m.source for m in measures if m.source})),
                evidence_date=max((m.on for m in measures), default=None),
                recorded_by="; ".join(sorted({m.recorded_by for m in measures if m.recorded_by})),
                person="; ".join(people),
                detail=outcome.explanation,
            )
        )

    if readiness.route == EVERY_PROBLEM:
        for problem in readiness.problems:
            if not problem.required:
                continue
            name = f"{problem.code} {problem.name}"
            codes = {c.strip() for c in problem.met_by.split(",")}
            met = [o for o in problem.outcomes if o.code in codes and o.achieved]
            if met:
                for outcome in met:
                    outcome_rows(name, outcome)
            elif problem.equivalent_progress is not None:
                approval = problem.equivalent_progress
                role = f" ({approval.approver_role})" if approval.approver_role else ""
                rows.append(
                    row(
                        name,
                        None,
                        basis="Equivalent progress",
                        source=f"Approved by {approval.approved_by}{role}",
                        evidence_date=approval.approved_on,
                        recorded_by=approval.recorded_by,
                        approved_by=f"{approval.approved_by}{role}, "
                        f"{day_text(approval.approved_on)}",
                        detail=approval.reason,
                    )
                )
    else:
        for route_name, outcome in readiness.alternative_routes:
            if route_name == readiness.route and outcome.achieved:
                problem_code = framework.outcome(outcome.code)[0]
                outcome_rows(f"{problem_code.code} {problem_code.name}", outcome)
    return rows


def _evidence_for(evidence: Iterable[OutcomeEvidence], code: str) -> list[OutcomeEvidence]:
    return sorted(
        (e for e in evidence if not e.deleted and e.outcome == code),
        key=lambda e: (e.holds_from, e.id),
    )


def _measures_for(item: FamilyOutcomes, outcome: OutcomeProgress) -> list[Measure]:
    """The measures an outcome judged by figures was judged on."""
    if item.framework is None:
        return []
    test = item.framework.outcome(outcome.code)[1].test
    if isinstance(test, FallTest):
        kinds = {test.measure}
    elif isinstance(test, AttendanceTest):
        kinds = {
            MeasureKind.ATTENDANCE,
            MeasureKind.EXCLUSIONS,
            MeasureKind.PERMANENT_EXCLUSION,
            MeasureKind.LEFT_SCHOOL,
        }
    elif isinstance(test, EmploymentTest):
        kinds = {MeasureKind.BENEFITS, MeasureKind.EMPLOYMENT}
    else:
        return []
    return [m for m in item.data.measures if not m.deleted and m.kind in kinds]


def schedule_rows(
    batch: ClaimBatch,
    outcomes: Mapping[str, FamilyOutcomes],
    tables: Mapping[str, PaymentTable] | None = None,
) -> list[ScheduleRow]:
    """The schedule of a batch: every family's evidence rows, in the batch's order, each with
    the family's claim amount by its framework's payment table (`tables`, by id@version)."""
    rows: list[ScheduleRow] = []
    for family_id in batch.family_ids:
        item = outcomes.get(family_id)
        if item is not None:
            rows.extend(evidence_rows(item, batch.reference, tables))
    return rows


def batch_amounts(
    batch: ClaimBatch,
    outcomes: Mapping[str, FamilyOutcomes],
    tables: Mapping[str, PaymentTable],
) -> list[ClaimAmount]:
    """Each family's claim amount in the batch (NO_AMOUNT for one no longer judged here)."""
    return [
        family_amount(outcomes[fid], tables) if fid in outcomes else NO_AMOUNT
        for fid in batch.family_ids
    ]


def ready_families(
    outcomes: Mapping[str, FamilyOutcomes], batches: Iterable[ClaimBatch] = ()
) -> list[FamilyOutcomes]:
    """Families whose claim is ready (not yet claimed, nor held by a draft batch), by
    reference."""
    held = reserved_families(batches)
    ready = [
        o for o in outcomes.values() if o.status is ClaimStatus.READY and o.family.id not in held
    ]
    return sorted(ready, key=lambda o: o.family.reference)
