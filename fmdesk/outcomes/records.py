"""What a practitioner records about one family's outcomes.

- `IndicatorTick`: an indicator of need seen at identification or assessment ("1A" for Child K).
- `Measure`: a number with a date: attendance in a term, ASB incidents over six months,
  benefits or work status. Baseline measures describe the family at entry; later ones, progress.
- `OutcomeEvidence`: a dated statement that an outcome holds (a keyworker report, a closed plan,
  a Star reading of 7), and the date it stopped holding, if it did.
- `EquivalentProgress`: a discretionary decision that a problem has shown progress equivalent
  to an outcome, with the person who approved it and why. Always shown as such, never as a result.
- `OutcomeClaim`: the family has been claimed for, on a date, in a batch.

Each is a synced Record with `family_id` set. The outcome codes and indicator codes refer to
the framework the family is attached under (`Family.framework`).
"""

import dataclasses
import datetime as dt
import enum
from typing import ClassVar

from fmdesk.records import Record, record_kind


class MeasureKind(enum.StrEnum):
    ATTENDANCE = "attendance"  # percent of sessions attended in a school term
    EXCLUSIONS = "exclusions"  # fixed-term exclusions in a school term
    PERMANENT_EXCLUSION = "permanent_exclusion"  # 1 when permanently excluded in the term
    LEFT_SCHOOL = "left_school"  # 1 when the child has left school (education goes neutral)
    OFFENCES = "offences"  # proven offences over a period
    ASB_INCIDENTS = "asb_incidents"
    POLICE_CALLOUTS = "police_callouts"
    MISSING_EPISODES = "missing_episodes"  # times reported missing from home
    HOSPITAL_ADMISSIONS = "hospital_admissions"
    AE_ATTENDANCES = "ae_attendances"
    BENEFITS = "benefits"  # 1 on out-of-work benefits from `on`, 0 off them; detail: benefit
    EMPLOYMENT = "employment"  # 1 in work from `on`, 0 out of work

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self]

    @property
    def counts_over_period(self) -> bool:
        return self in PERIOD_COUNTS

    @property
    def is_status(self) -> bool:
        return self in STATUS_KINDS


MEASURE_LABELS = {
    MeasureKind.ATTENDANCE: "School attendance (%)",
    MeasureKind.EXCLUSIONS: "Fixed-term exclusions",
    MeasureKind.PERMANENT_EXCLUSION: "Permanent exclusion",
    MeasureKind.LEFT_SCHOOL: "Left school",
    MeasureKind.OFFENCES: "Proven offences",
    MeasureKind.ASB_INCIDENTS: "Anti-social behaviour incidents",
    MeasureKind.POLICE_CALLOUTS: "Police call-outs to the home",
    MeasureKind.MISSING_EPISODES: "Missing from home episodes",
    MeasureKind.HOSPITAL_ADMISSIONS: "Hospital admissions",
    MeasureKind.AE_ATTENDANCES: "A&E attendances",
    MeasureKind.BENEFITS: "On out-of-work benefits",
    MeasureKind.EMPLOYMENT: "In work",
}

# Counts of events over a stated period: a fall is judged by comparing periods.
PERIOD_COUNTS = frozenset(
    {
        MeasureKind.OFFENCES,
        MeasureKind.ASB_INCIDENTS,
        MeasureKind.POLICE_CALLOUTS,
        MeasureKind.MISSING_EPISODES,
        MeasureKind.HOSPITAL_ADMISSIONS,
        MeasureKind.AE_ATTENDANCES,
    }
)
# Yes/no states that hold from their date until the next reading of the same kind.
STATUS_KINDS = frozenset(
    {
        MeasureKind.PERMANENT_EXCLUSION,
        MeasureKind.LEFT_SCHOOL,
        MeasureKind.BENEFITS,
        MeasureKind.EMPLOYMENT,
    }
)


class MeasureStage(enum.StrEnum):
    BASELINE = "baseline"  # the family's position at entry
    LATER = "later"  # progress since

    @property
    def label(self) -> str:
        return self.value.capitalize()


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class IndicatorTick(Record):
    KIND: ClassVar[str] = "outcome_indicator"

    indicator: str  # the framework's code, e.g. "1A"
    person_id: str = ""  # "" when it concerns the whole household
    on: dt.date
    evidence_source: str = ""
    recorded_by: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("an indicator belongs to a family")
        if not self.indicator.strip():
            raise ValueError("say which indicator applies")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Measure(Record):
    KIND: ClassVar[str] = "outcome_measure"

    kind: MeasureKind
    stage: MeasureStage = MeasureStage.LATER
    value: float
    # The date of the reading; for a count over a period, the last day of the period.
    on: dt.date
    period_start: dt.date | None = None  # first day of the period a count covers
    term: str = ""  # a school term named in the framework's calendar (attendance, exclusions)
    person_id: str = ""  # "" for the whole household
    detail: str = ""  # e.g. the benefit: "jsa", "esa", "uc"
    source: str = ""
    recorded_by: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a measure belongs to a family")
        if self.value < 0:
            raise ValueError("a measure cannot be negative")
        if self.kind is MeasureKind.ATTENDANCE and self.value > 100:
            raise ValueError("attendance is a percentage, 0 to 100")
        if self.kind.is_status and self.value not in (0, 1):
            raise ValueError(f"{self.kind.label.lower()} is recorded as 1 (yes) or 0 (no)")
        if self.kind.counts_over_period:
            if self.period_start is None:
                raise ValueError(f"say which period the {self.kind.label.lower()} cover")
            if self.period_start > self.on:
                raise ValueError("the period must start before it ends")


class EvidenceBasis(enum.StrEnum):
    EVIDENCE = "evidence"  # a report, a data match, a closed plan
    STAR = "star"  # a Star reading in the framework's accepted range

    @property
    def label(self) -> str:
        return {"evidence": "Evidence", "star": "Star reading"}[self.value]


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class OutcomeEvidence(Record):
    KIND: ClassVar[str] = "outcome_evidence"

    outcome: str  # the framework's code, e.g. "3.6"
    holds_from: dt.date
    broken_on: dt.date | None = None  # the outcome stopped holding (a repeat referral, say)
    basis: EvidenceBasis = EvidenceBasis.EVIDENCE
    star_area: str = ""
    star_score: int | None = None
    person_id: str = ""
    source: str = ""
    description: str = ""
    recorded_by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("evidence belongs to a family")
        if not self.outcome.strip():
            raise ValueError("say which outcome the evidence is for")
        if self.broken_on is not None and self.broken_on < self.holds_from:
            raise ValueError("an outcome cannot stop holding before it started")
        if self.basis is EvidenceBasis.STAR and self.star_score is None:
            raise ValueError("a Star reading needs its score")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class EquivalentProgress(Record):
    """A discretionary decision, made by a named approver, that a problem has shown progress
    equivalent to one of its outcomes. Claims that rest on it are audited as such."""

    KIND: ClassVar[str] = "outcome_equivalent_progress"

    problem: str  # the framework's problem code, e.g. "2"
    approved_by: str
    approver_role: str = ""
    approved_on: dt.date
    reason: str
    recorded_by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("an approval belongs to a family")
        if not self.approved_by.strip():
            raise ValueError("equivalent progress needs the name of the person who approved it")
        if not self.reason.strip():
            raise ValueError("equivalent progress needs the reason for the decision")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class OutcomeClaim(Record):
    KIND: ClassVar[str] = "outcome_claim"

    claimed_on: dt.date
    batch: str = ""
    framework: str = ""  # "id@version" the claim was made under
    route: str = ""  # "every problem" or the name of an alternative route
    recorded_by: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a claim belongs to a family")


OUTCOME_RECORD_CLASSES: tuple[type[Record], ...] = (
    IndicatorTick,
    Measure,
    OutcomeEvidence,
    EquivalentProgress,
    OutcomeClaim,
)
