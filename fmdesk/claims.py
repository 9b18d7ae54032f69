"""Payment-by-results claims on the coordinator's side: who is ready, claim batches, schedules.

- `FamilyOutcomes` gathers one family's records and works out where it stands against the
  framework it was attached under (`readiness_by_family` does it for the whole programme, reading
  each kind of record once).
- `ClaimBatch` is a programme-level record (no family): the families claimed for a period, its
  reference, and whether it has been submitted. Making a batch also writes one `OutcomeClaim`
  per family, the record the outcome rules already read as "claimed"; so a family in a batch is
  claimed, everywhere, and `make_batch` refuses to claim it twice.
- `schedule_rows` is the claim schedule internal audit reads: one row per piece of outcome
  evidence behind each claim (source, date, who recorded it).
"""

import dataclasses
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from fmdesk.assessment.record import Assessment, AssessmentState
from fmdesk.errors import ValidationError
from fmdesk.families import Family
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
from fmdesk.outcomes.records import Measure, MeasureKind
from fmdesk.outcomes.sustainment import OutcomeProgress
from fmdesk.plans import FamilyPlan, current_plan
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
class FamilyOutcomes:
    """One family, its outcome records and its readiness (None when it has no framework, or
    one this computer does not have; `problem` then says which)."""

    family: Family
    data: FamilyOutcomeData
    framework: Framework | None
    readiness: ClaimReadiness | None
    problem: str = ""

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
) -> dict[str, FamilyOutcomes]:
    """Every family's outcome standing, keyed by family id. `records` is any mix of the kinds
    the rules read (people, ticks, measures, evidence, approvals, claims, assessments, plans)."""
    by_family: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if not record.deleted:
            by_family[record.family_id].append(record)
    result = {}
    for family in families:
        own = by_family.get(family.id, [])
        data = FamilyOutcomeData.from_records(family, own)
        if not family.framework:
            result[family.id] = FamilyOutcomes(family, data, None, None, "No framework attached.")
            continue
        try:
            framework = library.for_family(family)
        except FrameworkNotFound as exc:
            result[family.id] = FamilyOutcomes(family, data, None, None, str(exc))
            continue
        met = requirements_met(
            family,
            (r for r in own if isinstance(r, Assessment)),
            (r for r in own if isinstance(r, FamilyPlan)),
        )
        readiness = claim_readiness(framework, data, today, requirements_met=met)
        result[family.id] = FamilyOutcomes(family, data, framework, readiness)
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

    @property
    def label(self) -> str:
        return {"draft": "Draft", "submitted": "Submitted"}[self.value]


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
    submitted_on: dt.date | None = None
    submitted_by: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise ValueError("a claim batch needs a reference")
        if self.period_end < self.period_start:
            raise ValueError("the claim period must end after it starts")
        if len(set(self.family_ids)) != len(self.family_ids):
            raise ValueError("a family appears twice in the batch")
        if (self.status is BatchStatus.SUBMITTED) != (self.submitted_on is not None):
            raise ValueError("a submitted batch has the date it was submitted, and only that one")


def make_batch(
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    chosen: Sequence[FamilyOutcomes],
    existing: Iterable[ClaimBatch],
    made_on: dt.date,
    made_by: str,
) -> tuple[ClaimBatch, list[OutcomeClaim]]:
    """A draft batch of `chosen` families and their OutcomeClaim records. Refused, naming the
    family, when one is already claimed (in a batch, or an OutcomeClaim from a practitioner), is
    not ready, or is chosen twice; and when the reference is taken."""
    reference = reference.strip()
    live = [b for b in existing if not b.deleted]
    if any(b.reference.casefold() == reference.casefold() for b in live):
        raise ValidationError(f"There is already a claim batch called {reference}.")
    in_batch = {fid: b.reference for b in live for fid in b.family_ids}
    if not chosen:
        raise ValidationError("Choose at least one family to claim for.")
    seen: set[str] = set()
    claims = []
    for item in chosen:
        family = item.family
        if family.id in seen:
            raise ValidationError(f"Family {family.reference} is chosen twice.")
        seen.add(family.id)
        if family.id in in_batch:
            raise ValidationError(
                f"Family {family.reference} has already been claimed for, in batch "
                f"{in_batch[family.id]}; a family cannot be claimed twice."
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
            raise ValidationError(f"Family {family.reference} is not ready to claim: {why}")
        claims.append(
            OutcomeClaim(
                family_id=family.id,
                claimed_on=made_on,
                batch=reference,
                framework=readiness.framework,
                route=readiness.route,
                recorded_by=made_by,
            )
        )
    batch = ClaimBatch(
        reference=reference,
        period_start=period_start,
        period_end=period_end,
        made_on=made_on,
        made_by=made_by,
        family_ids=tuple(item.family.id for item in chosen),
    )
    return batch, claims


def submit_batch(batch: ClaimBatch, *, on: dt.date, by: str) -> ClaimBatch:
    if batch.status is BatchStatus.SUBMITTED:
        raise ValidationError(
            f"Batch {batch.reference} was already submitted on {day_text(batch.submitted_on)}."
        )
    return batch.replace(status=BatchStatus.SUBMITTED, submitted_on=on, submitted_by=by)


def withdraw_batch(
    batch: ClaimBatch, claims: Iterable[OutcomeClaim]
) -> tuple[ClaimBatch, list[OutcomeClaim]]:
    """A draft batch and its claims, marked deleted (so the families can be claimed again).
    A submitted batch is part of the audit trail and stays."""
    if batch.status is BatchStatus.SUBMITTED:
        raise ValidationError(
            f"Batch {batch.reference} has been submitted, so it cannot be withdrawn."
        )
    mine = [
        c.replace(deleted=True)
        for c in claims
        if c.batch == batch.reference and c.family_id in batch.family_ids and not c.deleted
    ]
    return batch.replace(deleted=True), mine


# ---- the claim schedule ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScheduleRow:
    """One piece of evidence behind one outcome of one claimed family."""

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
    recorded_by: str
    person: str
    detail: str


SCHEDULE_HEADER = (
    "batch",
    "family_reference",
    "family_name",
    "framework",
    "route",
    "problem",
    "outcome",
    "outcome_text",
    "basis",
    "evidence_source",
    "evidence_date",
    "sustained_on",
    "recorded_by",
    "person",
    "detail",
)


def schedule_csv_row(row: ScheduleRow) -> list[str]:
    return [
        row.batch,
        row.reference,
        row.family,
        row.framework,
        row.route,
        row.problem,
        row.outcome,
        row.outcome_text,
        row.basis,
        row.source,
        row.evidence_date.isoformat() if row.evidence_date else "",
        row.sustained_on.isoformat() if row.sustained_on else "",
        row.recorded_by,
        row.person,
        row.detail,
    ]


def evidence_rows(item: FamilyOutcomes, batch: str = "") -> list[ScheduleRow]:
    """The evidence behind each outcome that makes the family's claim: for every required
    problem its meeting outcome(s), or the alternative route's outcome; one row per evidence
    record, one row for an outcome met by measures, one for an equivalent-progress approval."""
    readiness, framework = item.readiness, item.framework
    if readiness is None or framework is None:
        return []
    family = item.family
    rows: list[ScheduleRow] = []

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
        }
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
        rows.append(
            row(
                problem,
                outcome,
                basis="Measures",
                source="; ".join(sorted({m.source for m in measures if m.source})),
                evidence_date=max((m.on for m in measures), default=None),
                recorded_by="; ".join(sorted({m.recorded_by for m in measures if m.recorded_by})),
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


def schedule_rows(batch: ClaimBatch, outcomes: Mapping[str, FamilyOutcomes]) -> list[ScheduleRow]:
    """The schedule of a batch: every family's evidence rows, in the batch's order."""
    rows: list[ScheduleRow] = []
    for family_id in batch.family_ids:
        item = outcomes.get(family_id)
        if item is not None:
            rows.extend(evidence_rows(item, batch.reference))
    return rows


def ready_families(outcomes: Mapping[str, FamilyOutcomes]) -> list[FamilyOutcomes]:
    """Families whose claim is ready (not yet claimed), by reference."""
    ready = [o for o in outcomes.values() if o.status is ClaimStatus.READY]
    return sorted(ready, key=lambda o: o.family.reference)
