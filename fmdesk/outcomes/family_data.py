"""One family's records, gathered the way the outcome rules read them.

A completed whole-family assessment's indicators count as ticks too (`ticks_from_assessment`).
"""

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any, Self

from fmdesk.assessment.record import Assessment, AssessmentState
from fmdesk.families import Family, Person
from fmdesk.outcomes.records import (
    EquivalentProgress,
    IndicatorTick,
    Measure,
    MeasureKind,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import FamilyPlan, current_plan
from fmdesk.records import Record, counts


@dataclasses.dataclass(frozen=True)
class FamilyOutcomeData:
    """One family's outcome records (live ones only), as the rules read them."""

    family: Family
    people: tuple[Person, ...] = ()
    ticks: tuple[IndicatorTick, ...] = ()
    measures: tuple[Measure, ...] = ()
    evidence: tuple[OutcomeEvidence, ...] = ()
    approvals: tuple[EquivalentProgress, ...] = ()
    claims: tuple[OutcomeClaim, ...] = ()
    # The family's action plan versions, when the caller has them (the action_plan requirement
    # then also checks what the current plan covers); None when not given.
    plans: tuple[FamilyPlan, ...] | None = None

    @functools.cached_property
    def entry_on(self) -> dt.date | None:
        """The day the family entered the programme: the day it was identified, else the day its
        first indicator of need was recorded. Progress is shown only by what came after."""
        if self.family.identified_on is not None:
            return self.family.identified_on
        return min((t.on for t in self.ticks), default=None)

    @property
    def current_plan(self) -> FamilyPlan | None:
        return current_plan(self.plans or ())

    @functools.cached_property
    def ticked_indicators(self) -> frozenset[str]:
        return frozenset(t.indicator for t in self.ticks)

    # Most of a family's outcomes have nothing recorded yet; these let the rules say so without
    # scanning the records once per outcome (3,000 families × ~20 outcomes on the dashboard).
    @functools.cached_property
    def evidenced_outcomes(self) -> frozenset[str]:
        return frozenset(e.outcome for e in self.evidence if not e.deleted)

    @functools.cached_property
    def measure_kinds(self) -> frozenset[MeasureKind]:
        return frozenset(m.kind for m in self.measures if not m.deleted)

    @classmethod
    def from_records(cls, family: Family, records: Iterable[Record]) -> Self:
        """Sort any mix of records (people, ticks, measures...) into place, skipping deleted
        ones, those recorded in error, and any that belong to another family."""
        buckets: dict[type, list[Any]] = {
            Person: [],
            IndicatorTick: [],
            Measure: [],
            OutcomeEvidence: [],
            EquivalentProgress: [],
            OutcomeClaim: [],
            FamilyPlan: [],
        }
        for record in records:
            # Recorded in error counts as never recorded (fmdesk/records.py counts).
            if not counts(record) or record.family_id != family.id:
                continue
            if isinstance(record, Assessment):
                buckets[IndicatorTick].extend(ticks_from_assessment(record))
                continue
            bucket = buckets.get(type(record))
            if bucket is not None:
                bucket.append(record)
        return cls(
            family=family,
            people=tuple(buckets[Person]),
            ticks=tuple(buckets[IndicatorTick]),
            measures=tuple(buckets[Measure]),
            evidence=tuple(buckets[OutcomeEvidence]),
            approvals=tuple(buckets[EquivalentProgress]),
            claims=tuple(buckets[OutcomeClaim]),
            plans=tuple(buckets[FamilyPlan]) if buckets[FamilyPlan] else None,
        )

    def person(self, person_id: str) -> Person | None:
        for person in self.people:
            if person.id == person_id:
                return person
        return None

    def name(self, person_id: str) -> str:
        person = self.person(person_id)
        if person is None:
            return "the household" if not person_id else "someone not in the household list"
        return person.known_as or person.given_name or person.full_name


def ticks_from_assessment(assessment: Assessment) -> list[IndicatorTick]:
    """The indicators of need a completed assessment found, as ticks dated the day it was
    completed (not saved: the assessment stays their record). A draft gives none."""
    if assessment.deleted or assessment.state is AssessmentState.DRAFT:
        return []
    on = assessment.completed_on or assessment.started_on
    if on is None:
        return []
    return [
        IndicatorTick(
            id=f"{assessment.id}/{index}",
            family_id=assessment.family_id,
            indicator=tick.code,
            person_id=tick.person_id,
            on=on,
            evidence_source=tick.evidence or "Whole-family assessment",
            recorded_by=assessment.completed_by,
        )
        for index, tick in enumerate(assessment.indicators)
    ]
