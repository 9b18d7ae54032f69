"""Eligibility, outcome tracking and claim readiness for one family, as pure functions.

Everything here is computed from a framework (the version the family was attached under) and
the family's records, on a given day. Nothing is stored: the answers change as time passes
(an outcome becomes sustained on its date) and as records arrive by sync, so they are worked
out each time they are shown. Every answer carries its reason in words, because a claim is
audited and a practitioner must be able to say why a family is, or is not, ready.

Entry points: `eligibility`, `evaluate_outcome`, `claim_readiness`, `family_outcomes_json`.
"""

import calendar
import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Self

from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes.framework import (
    AttendanceTest,
    EligibilityKind,
    EmploymentTest,
    FallTest,
    Framework,
    Outcome,
    OutcomesRequired,
    PeopleFilter,
    Period,
    PeriodUnit,
    Problem,
)
from fmdesk.outcomes.records import (
    EquivalentProgress,
    EvidenceBasis,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.records import Record

# ---- dates -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_text(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%b %Y}"


def sustained_date(framework: Framework, period: Period, start: dt.date) -> dt.date | None:
    """The day an outcome that started to hold on `start` will have held for `period`; None when
    the term calendar does not reach that far."""
    if period.unit is PeriodUnit.NONE:
        return start
    if period.unit is PeriodUnit.WEEKS:
        return start + dt.timedelta(weeks=period.count)
    if period.unit is PeriodUnit.MONTHS:
        return add_months(start, period.count)
    first = framework.term_index_for(start)
    last = (first if first is not None else -1) + period.count - 1
    if first is None or last >= len(framework.term_calendar):
        return None
    return framework.term_calendar[last].end


def _fraction(start: dt.date, end: dt.date, target: dt.date) -> float:
    if target <= start:
        return 1.0
    return max(0.0, min(1.0, (end - start).days / (target - start).days))


# ---- the family's records, gathered ------------------------------------------------------------


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
        ones and any that belong to another family."""
        buckets: dict[type, list[Any]] = {
            Person: [],
            IndicatorTick: [],
            Measure: [],
            OutcomeEvidence: [],
            EquivalentProgress: [],
            OutcomeClaim: [],
        }
        for record in records:
            if record.deleted or record.family_id != family.id:
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


# ---- problems present and eligibility ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProblemPresent:
    problem: Problem
    ticks: tuple[IndicatorTick, ...]

    def words(self, data: FamilyOutcomeData) -> str:
        """ "crime/ASB (1A Child K, 1C)": the short name and what was ticked, for whom."""
        seen: list[str] = []
        for tick in sorted(self.ticks, key=lambda t: (t.indicator, t.on)):
            item = (
                f"{tick.indicator} {data.name(tick.person_id)}"
                if tick.person_id
                else tick.indicator
            )
            if item not in seen:
                seen.append(item)
        return f"{self.problem.short_name} ({', '.join(seen)})"


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


def problems_present(framework: Framework, data: FamilyOutcomeData) -> list[ProblemPresent]:
    """Each problem with at least one of its indicators ticked, in the framework's order."""
    problem_of = framework.problem_code_by_indicator
    ticks_by_problem: dict[str, list[IndicatorTick]] = {}
    for tick in data.ticks:
        code = None if tick.deleted else problem_of.get(tick.indicator)
        if code is not None:
            ticks_by_problem.setdefault(code, []).append(tick)
    return [
        ProblemPresent(problem, tuple(ticks_by_problem[problem.code]))
        for problem in framework.problems
        if problem.code in ticks_by_problem
    ]


@dataclasses.dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reason: str  # "eligible: 3 of 6 problems — crime/ASB (1A Child K), ..."
    shortfall: str  # a plain sentence saying what is lacking; "" when eligible
    problems: tuple[ProblemPresent, ...]


def eligibility(framework: Framework, data: FamilyOutcomeData) -> EligibilityResult:
    rule = framework.eligibility
    present = problems_present(framework, data)
    listing = ", ".join(p.words(data) for p in present)
    dash = f" — {listing}" if listing else ""
    total = len(framework.problems)
    if rule.kind is EligibilityKind.PROBLEMS:
        count = len(present)
        eligible = count >= rule.min
        summary = f"{count} of {total} problems"
        shortfall = (
            f"Indicators are ticked under {count} of the {total} problems; "
            f"at least {rule.min} are needed."
        )
    elif rule.kind is EligibilityKind.NEEDS:
        needs = len({t.indicator for p in present for t in p.ticks})
        eligible = needs >= rule.min
        summary = (
            f"{needs} need{'s' if needs != 1 else ''} across {len(present)} of {total} headlines"
        )
        shortfall = (
            f"{needs} need{'s are' if needs != 1 else ' is'} evidenced; "
            f"at least {rule.min} are needed."
        )
    else:
        codes = {p.problem.code for p in present}
        national = sum(code in codes for code in rule.national)
        local = sum(code in codes for code in rule.local)
        with_local = national >= rule.min_national_with_local and local >= rule.min_local
        eligible = national >= rule.min_national_alone or with_local
        summary = f"{national} of {len(rule.national)} national criteria"
        if national < rule.min_national_alone:
            summary += " and a local filter" if local else " and no local filter"
        shortfall = (
            f"{national} of {len(rule.national)} national criteria are met; "
            f"{rule.min_national_alone} are needed, or {rule.min_national_with_local} "
            "with a local filter."
        )
    if eligible and rule.requires_children and not _has_dependent_children(data):
        eligible = False
        summary += ", but no dependent child or expected baby is recorded"
        shortfall = "No dependent child or expected baby is recorded in the household."
    if not present:
        return EligibilityResult(
            False,
            "not eligible: no indicators of need ticked yet",
            ("No indicators of need have been ticked yet."),
            (),
        )
    word = "eligible" if eligible else "not eligible"
    return EligibilityResult(
        eligible, f"{word}: {summary}{dash}", "" if eligible else shortfall, tuple(present)
    )


def _has_dependent_children(data: FamilyOutcomeData) -> bool:
    return any(p.role is PersonRole.CHILD and not p.deleted for p in data.people)


# ---- one outcome -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OutcomeProgress:
    code: str
    problem: str
    text: str
    applicable: bool  # one of its indicators was ticked (or it lists none)
    achieved: bool
    started_on: dt.date | None  # the day it started to hold
    sustained_on: dt.date | None  # the day it has been, or will have been, sustained
    progress: float  # 0..1 toward sustained_on, for a progress bar
    basis: str  # "measures", "evidence", "star" or ""
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "problem": self.problem,
            "text": self.text,
            "applicable": self.applicable,
            "achieved": self.achieved,
            "started_on": self.started_on.isoformat() if self.started_on else None,
            "sustained_on": self.sustained_on.isoformat() if self.sustained_on else None,
            "progress": round(self.progress, 3),
            "basis": self.basis,
            "explanation": self.explanation,
        }


@dataclasses.dataclass(frozen=True)
class _Finding:
    achieved: bool
    started_on: dt.date | None
    sustained_on: dt.date | None
    progress: float
    basis: str
    explanation: str


_NOTHING = _Finding(False, None, None, 0.0, "", "")
_NO_EVIDENCE = _Finding(False, None, None, 0.0, "", "No evidence recorded yet.")
_NO_ATTENDANCE = _Finding(
    False, None, None, 0.0, "", "No school attendance has been recorded for any child."
)
_NO_EMPLOYMENT = _Finding(False, None, None, 0.0, "", "No employment has been recorded.")


def _no_baseline(test: FallTest) -> _Finding:
    label = test.measure.label.lower()
    return _Finding(False, None, None, 0.0, "", f"No baseline count of {label} is recorded.")


def evaluate_outcome(
    framework: Framework, code: str, data: FamilyOutcomeData, today: dt.date
) -> OutcomeProgress:
    """Whether outcome `code` is achieved on `today`, since when, and how far along it is."""
    problem, outcome = framework.outcome(code)
    ticked = data.ticked_indicators
    applicable = not outcome.indicators or not ticked.isdisjoint(outcome.indicators)
    unrecorded = _unrecorded(outcome, data)
    if unrecorded is not None:
        # Nothing recorded that this outcome's test reads: the same answer for every such
        # family, so one shared (immutable) result per outcome rather than one per family.
        return _unrecorded_progress(framework, problem, outcome, applicable, unrecorded)
    test = outcome.test
    # A measured outcome is judged on its measures only: a note saying "attendance is fine"
    # must not stand in for the attendance figures an auditor will ask for.
    if isinstance(test, AttendanceTest):
        finding = _attendance(framework, outcome, test, data, today)
    elif isinstance(test, FallTest):
        finding = _fall(outcome, test, data, today)
    elif isinstance(test, EmploymentTest):
        finding = _employment(outcome, test, data, today)
    else:
        finding = _evidence(framework, outcome, data, today)
    return _progress(problem, outcome, applicable, finding)


def _unrecorded(outcome: Outcome, data: FamilyOutcomeData) -> _Finding | None:
    """What the outcome's test finds when the family has nothing recorded that it reads (no
    measure of its kind, no evidence for it); None when something is recorded. Each answer is
    the one the full test gives for such a family."""
    test = outcome.test
    kinds = data.measure_kinds
    if isinstance(test, AttendanceTest):
        return None if MeasureKind.ATTENDANCE in kinds else _NO_ATTENDANCE
    if isinstance(test, FallTest):
        return None if test.measure in kinds else _no_baseline(test)
    if isinstance(test, EmploymentTest):
        return None if MeasureKind.EMPLOYMENT in kinds else _NO_EMPLOYMENT
    return None if outcome.code in data.evidenced_outcomes else _NO_EVIDENCE


def _unrecorded_progress(
    framework: Framework, problem: Problem, outcome: Outcome, applicable: bool, finding: _Finding
) -> OutcomeProgress:
    shared = framework.shared_results
    key = (outcome.code, applicable, finding.explanation)
    progress = shared.get(key)
    if progress is None:
        progress = shared[key] = _progress(problem, outcome, applicable, finding)
    return progress


def _progress(
    problem: Problem, outcome: Outcome, applicable: bool, finding: _Finding
) -> OutcomeProgress:
    return OutcomeProgress(
        code=outcome.code,
        problem=problem.code,
        text=outcome.text,
        applicable=applicable,
        achieved=finding.achieved,
        started_on=finding.started_on,
        sustained_on=finding.sustained_on,
        progress=1.0 if finding.achieved else finding.progress,
        basis=finding.basis,
        explanation=finding.explanation,
    )


def _evidence(
    framework: Framework, outcome: Outcome, data: FamilyOutcomeData, today: dt.date
) -> _Finding:
    best: _Finding | None = None
    refused: list[str] = []
    for item in data.evidence:
        if item.deleted or item.outcome != outcome.code or item.holds_from > today:
            continue
        basis = "evidence"
        if item.basis is EvidenceBasis.STAR:
            basis = "star"
            reason = _star_refused(framework, outcome, item)
            if reason:
                refused.append(reason)
                continue
        start = item.holds_from
        target = sustained_date(framework, outcome.period, start)
        end = min(item.broken_on, today) if item.broken_on else today
        source = f" ({item.source})" if item.source else ""
        if target is None:
            finding = _Finding(False, start, None, 0.0, basis, "The term calendar ends too soon.")
        elif target <= end:
            finding = _Finding(
                True,
                start,
                target,
                1.0,
                basis,
                f"Held from {day_text(start)}, sustained on {day_text(target)}{source}.",
            )
        elif item.broken_on and item.broken_on <= today:
            finding = _Finding(
                False,
                None,
                None,
                0.0,
                basis,
                f"Held from {day_text(start)} but stopped on {day_text(item.broken_on)}, "
                f"before {outcome.period.words}.",
            )
        else:
            finding = _Finding(
                False,
                start,
                target,
                _fraction(start, end, target),
                basis,
                f"Holding since {day_text(start)}{source}; sustained on {day_text(target)}.",
            )
        best = finding if best is None else _better(best, finding)
    if best is not None:
        return best
    if refused:
        return _Finding(False, None, None, 0.0, "", " ".join(refused))
    return _NO_EVIDENCE


def _star_refused(framework: Framework, outcome: Outcome, item: OutcomeEvidence) -> str:
    star = outcome.star
    if star is None or not framework.claim.star_evidence:
        return f"A Star reading is not accepted as evidence for {outcome.code}."
    if item.star_score is None or item.star_score < star.min_score:
        return f"The Star score of {item.star_score} is below the {star.min_score} needed."
    if star.areas and item.star_area not in star.areas:
        area = item.star_area or "an unnamed area"
        return f"A Star reading for {area} does not count for {outcome.code}."
    return ""


def _better(a: _Finding, b: _Finding) -> _Finding:
    """The more advanced of two findings: achieved soonest, else furthest along."""
    if a.achieved != b.achieved:
        return a if a.achieved else b
    if a.achieved:
        return a if (a.sustained_on or dt.date.max) <= (b.sustained_on or dt.date.max) else b
    if (a.started_on is None) != (b.started_on is None):
        return a if a.started_on is not None else b
    return a if a.progress >= b.progress else b


def _attendance(
    framework: Framework,
    outcome: Outcome,
    test: AttendanceTest,
    data: FamilyOutcomeData,
    today: dt.date,
) -> _Finding:
    terms = framework.term_calendar
    needed = outcome.period.count
    live = [m for m in data.measures if not m.deleted and m.person_id and m.on <= today]
    children = sorted({m.person_id for m in live if m.kind is MeasureKind.ATTENDANCE})
    if not children:
        return _NO_ATTENDANCE

    def term_of(measure: Measure) -> int | None:
        return (
            framework.term_named(measure.term)
            if measure.term
            else framework.term_index_for(measure.on)
        )

    attendance: dict[tuple[str, int], Measure] = {}
    exclusions: dict[tuple[str, int], float] = {}
    permanent: set[tuple[str, int]] = set()
    left_on: dict[str, dt.date] = {}
    for m in sorted(live, key=lambda m: m.on):
        if m.kind is MeasureKind.LEFT_SCHOOL:
            if m.value == 1:
                left_on.setdefault(m.person_id, m.on)
            else:
                left_on.pop(m.person_id, None)
            continue
        if m.stage is not MeasureStage.LATER:
            continue
        index = term_of(m)
        if index is None:
            continue
        key = (m.person_id, index)
        if m.kind is MeasureKind.ATTENDANCE:
            attendance[key] = m  # the latest reading for the term wins
        elif m.kind is MeasureKind.EXCLUSIONS:
            exclusions[key] = exclusions.get(key, 0) + m.value
        elif m.kind is MeasureKind.PERMANENT_EXCLUSION and m.value == 1:
            permanent.add(key)
    data_terms = sorted({index for _, index in attendance})
    if not data_terms:
        return dataclasses.replace(
            _NOTHING, explanation="No school attendance has been recorded since entry."
        )

    def expected(child: str, index: int) -> bool:
        left = left_on.get(child)
        return not (test.school_leavers_neutral and left is not None and left <= terms[index].start)

    def term_problem(index: int) -> str:
        for child in children:
            if not expected(child, index):
                continue
            name, term = data.name(child), terms[index].name
            reading = attendance.get((child, index))
            if reading is None:
                return f"No attendance is recorded for {name} in {term}."
            if not test.comparison.passes(reading.value, test.min_percent):
                return (
                    f"{name} attended {reading.value:g}% in {term}; "
                    f"{test.comparison.words} {test.min_percent:g}% is needed."
                )
            if test.no_permanent_exclusion and (child, index) in permanent:
                return f"{name} was permanently excluded in {term}."
        return ""

    def exclusion_problem(first: int, last: int) -> str:
        if test.max_exclusions is None:
            return ""
        for child in children:
            total = sum(
                exclusions.get((child, i), 0) for i in range(first, last + 1) if expected(child, i)
            )
            if total > test.max_exclusions:
                return (
                    f"{data.name(child)} had {total:g} fixed-term exclusions from "
                    f"{terms[first].name} to {terms[last].name}; at most {test.max_exclusions} "
                    "are allowed."
                )
        return ""

    first_term, last_term = data_terms[0], data_terms[-1]
    for start in range(first_term, last_term - needed + 2):
        end = start + needed - 1
        if terms[end].end > today:
            break
        window_ok = all(not term_problem(i) for i in range(start, end + 1))
        if window_ok and not exclusion_problem(start, end):
            return _Finding(
                True,
                terms[start].start,
                terms[end].end,
                1.0,
                "measures",
                f"Every child in school attended {test.comparison.words} {test.min_percent:g}% "
                f"from {terms[start].name} to {terms[end].name}.",
            )
    # Not yet: how long is the current run of good terms, ending with the latest recorded?
    run, broken_by = 0, ""
    for index in range(last_term, first_term - 1, -1):
        broken_by = term_problem(index) or exclusion_problem(index, last_term)
        if broken_by:
            break
        run += 1
    if run == 0:
        return _Finding(False, None, None, 0.0, "measures", broken_by)
    start = last_term - run + 1
    end = start + needed - 1
    target = terms[end].end if end < len(terms) else None
    good = min(run, needed)
    text = f"{good} of {needed} consecutive terms so far, from {terms[start].name}"
    text += f"; sustained when {terms[end].name} ends on {day_text(target)}." if target else "."
    if broken_by and run < needed:
        text += f" Before that: {broken_by}"
    return _Finding(
        False, terms[start].start, target, min(run, needed - 1) / needed, "measures", text
    )


def _counted(measure: Measure, people: PeopleFilter, data: FamilyOutcomeData) -> bool:
    if people is PeopleFilter.FAMILY:
        return True
    person = data.person(measure.person_id)
    if person is None:
        return False
    return (person.role is PersonRole.CHILD) == (people is PeopleFilter.CHILDREN)


def _fall(outcome: Outcome, test: FallTest, data: FamilyOutcomeData, today: dt.date) -> _Finding:
    label = test.measure.label.lower()
    window = outcome.period.count
    baseline_months = test.baseline_months or window
    measures = [
        m
        for m in data.measures
        if not m.deleted and m.kind is test.measure and _counted(m, test.people, data)
    ]
    baseline = [m for m in measures if m.stage is MeasureStage.BASELINE]
    later = [m for m in measures if m.stage is MeasureStage.LATER and m.on <= today]
    if not baseline:
        return _no_baseline(test)
    before = sum(m.value for m in baseline)
    if before == 0:
        return dataclasses.replace(
            _NOTHING, explanation=f"The baseline count of {label} is 0, so no fall can be measured."
        )
    if not later:
        return dataclasses.replace(
            _NOTHING, explanation=f"No count of {label} since entry is recorded yet."
        )
    groups: dict[tuple[dt.date, dt.date], float] = {}
    for m in later:
        assert m.period_start is not None  # Measure checks counts carry their period
        key = (m.period_start, m.on)
        groups[key] = groups.get(key, 0) + m.value
    (start, end), after = max(
        groups.items(), key=lambda item: (item[0][1], -item[0][0].toordinal())
    )
    # A fall of at least X%: after (as a rate over the baseline's length) <= before * (1 - X%).
    # Compared in whole products, so exactly 60% passes without rounding luck.
    on_track = after * baseline_months * 100 <= before * (100 - test.min_fall_percent) * window
    fall = 100 * (1 - (after * baseline_months / window) / before)
    target = add_months(start, window)
    covered_to = end + dt.timedelta(days=1)
    text = (
        f"{test.measure.label}: {before:g} at baseline, {after:g} from {day_text(start)} "
        f"to {day_text(end)} — a fall of {fall:.0f}% ({test.min_fall_percent:g}% needed)."
    )
    if not on_track:
        return _Finding(False, None, None, 0.0, "measures", text)
    if covered_to >= target:
        return _Finding(True, start, target, 1.0, "measures", text)
    text += f" Sustained if it holds to {day_text(target)}."
    return _Finding(False, start, target, _fraction(start, covered_to, target), "measures", text)


def _employment(
    outcome: Outcome, test: EmploymentTest, data: FamilyOutcomeData, today: dt.date
) -> _Finding:
    live = sorted(
        (m for m in data.measures if not m.deleted and m.person_id and m.on <= today),
        key=lambda m: m.on,
    )
    people = sorted({m.person_id for m in live if m.kind is MeasureKind.EMPLOYMENT})
    best: _Finding | None = None
    reasons: list[str] = []
    for person_id in people:
        name = data.name(person_id)
        in_work_since: dt.date | None = None
        for m in live:
            if m.person_id == person_id and m.kind is MeasureKind.EMPLOYMENT:
                if m.value == 1 and in_work_since is None:
                    in_work_since = m.on
                elif m.value == 0:
                    in_work_since = None
        if in_work_since is None:
            reasons.append(f"{name} is not recorded as in work.")
            continue
        start, weeks = in_work_since, outcome.period.count
        if test.off_benefits:
            benefits = [
                m for m in live if m.person_id == person_id and m.kind is MeasureKind.BENEFITS
            ]
            at_entry = [m for m in benefits if m.stage is MeasureStage.BASELINE and m.value == 1]
            since = [m for m in benefits if m.stage is MeasureStage.LATER]
            if not at_entry:
                reasons.append(f"{name} was not recorded as on out-of-work benefits at entry.")
                continue
            if not since or since[-1].value != 0:
                reasons.append(f"{name} is not yet recorded as off out-of-work benefits.")
                continue
            start = max(start, since[-1].on)
            benefit = at_entry[-1].detail.strip().lower()
            weeks = test.weeks_by_benefit.get(benefit, weeks)
        target = start + dt.timedelta(weeks=weeks)
        if target <= today:
            finding = _Finding(
                True,
                start,
                target,
                1.0,
                "measures",
                f"{name} has been in work, off benefits, since {day_text(start)} ({weeks} weeks "
                f"reached on {day_text(target)}).",
            )
        else:
            finding = _Finding(
                False,
                start,
                target,
                _fraction(start, today, target),
                "measures",
                f"{name} in work since {day_text(start)}; "
                f"{weeks} weeks reached on {day_text(target)}.",
            )
        best = finding if best is None else _better(best, finding)
    if best is not None:
        return best
    if not reasons:
        return _NO_EMPLOYMENT
    return dataclasses.replace(_NOTHING, explanation=" ".join(reasons))


# ---- claim readiness ---------------------------------------------------------------------------


class ClaimStatus(enum.StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    CLAIMED = "claimed"

    @property
    def label(self) -> str:
        return CLAIM_STATUS_LABELS[self]


CLAIM_STATUS_LABELS = {
    ClaimStatus.NOT_ELIGIBLE: "Not eligible",
    ClaimStatus.IN_PROGRESS: "In progress",
    ClaimStatus.READY: "Ready to claim",
    ClaimStatus.CLAIMED: "Claimed",
}


@dataclasses.dataclass(frozen=True)
class ProblemProgress:
    code: str
    name: str
    required: bool  # the claim needs it (present at entry and in the claim rule)
    met: bool
    met_by: str  # "1.3", or "equivalent progress approved by ..."; "" when not met
    outcomes: tuple[OutcomeProgress, ...]
    equivalent_progress: EquivalentProgress | None = None


@dataclasses.dataclass(frozen=True)
class ClaimReadiness:
    framework: str
    status: ClaimStatus
    missing: tuple[str, ...]  # plain sentences: what still has to happen
    route: str  # how the claim is, or would be, made: "every problem" or an alternative route
    eligibility: EligibilityResult
    problems: tuple[ProblemProgress, ...]
    alternative_routes: tuple[tuple[str, OutcomeProgress], ...]
    additional_results: tuple[OutcomeProgress, ...]
    claim: OutcomeClaim | None
    warnings: tuple[str, ...]  # records that name codes this framework version does not have

    @property
    def uses_equivalent_progress(self) -> bool:
        return any(p.required and p.equivalent_progress is not None for p in self.problems)


EVERY_PROBLEM = "every problem"


def claim_readiness(
    framework: Framework,
    data: FamilyOutcomeData,
    today: dt.date,
    *,
    requirements_met: Collection[str] = (),
) -> ClaimReadiness:
    """Where the family stands against the framework's claim rule on `today`.

    `requirements_met` holds the ids of the framework's claim requirements that other parts of
    the app know to be met (e.g. "whole_family_assessment", "action_plan", "lead_practitioner");
    each one not given is listed in `missing`."""
    rule = framework.claim
    result = eligibility(framework, data)
    present = {p.problem.code for p in result.problems}
    required_codes = set(rule.required_problems) or present
    outcome_gaps: list[str] = []
    warnings = unknown_codes(framework, data)
    problems = []
    for problem in framework.problems:
        if problem.code not in present:
            continue
        progress = _problem_progress(
            framework, problem, data, today, problem.code in required_codes
        )
        problems.append(progress)
        if progress.required and not progress.met:
            outcome_gaps.extend(_problem_missing(framework, problem, progress))
        if not rule.equivalent_progress and any(
            a.problem == problem.code and not a.deleted for a in data.approvals
        ):
            warnings.append(
                f"{problem.name}: this framework does not allow equivalent progress, so the "
                "approval recorded is not counted."
            )
    routes = tuple(
        (route.name, evaluate_outcome(framework, route.outcome, data, today))
        for route in rule.alternative_routes
    )
    required = [p for p in problems if p.required]
    if required and all(p.met for p in required):
        route = EVERY_PROBLEM
    else:
        route = next((name for name, outcome in routes if outcome.achieved), "")
    if not required and not route:
        outcome_gaps.append("None of the problems present at entry is one this framework pays for.")
    requirement_gaps = [r.text for r in rule.requirements if r.id not in requirements_met]
    claims = sorted((c for c in data.claims if not c.deleted), key=lambda c: c.claimed_on)
    missing: list[str] = []
    if claims:
        status = ClaimStatus.CLAIMED
    elif not result.eligible:
        status, missing = ClaimStatus.NOT_ELIGIBLE, [result.shortfall]
    elif route and not requirement_gaps:
        status = ClaimStatus.READY
    else:
        status = ClaimStatus.IN_PROGRESS
        missing = ([] if route else outcome_gaps) + requirement_gaps
    return ClaimReadiness(
        framework=framework.ref,
        status=status,
        missing=tuple(missing),
        route=route or (claims[0].route if claims else ""),
        eligibility=result,
        problems=tuple(problems),
        alternative_routes=routes,
        additional_results=tuple(
            evaluate_outcome(framework, code, data, today) for code in rule.additional_results
        ),
        claim=claims[0] if claims else None,
        warnings=tuple(warnings),
    )


def _problem_progress(
    framework: Framework, problem: Problem, data: FamilyOutcomeData, today: dt.date, required: bool
) -> ProblemProgress:
    outcomes = tuple(evaluate_outcome(framework, o.code, data, today) for o in problem.outcomes)
    if framework.claim.outcomes_required is OutcomesRequired.ALL_APPLICABLE:
        applicable = [o for o in outcomes if o.applicable] or list(outcomes)
        met = bool(applicable) and all(o.achieved for o in applicable)
        met_by = ", ".join(o.code for o in applicable) if met else ""
    else:
        achieved = sorted(
            (o for o in outcomes if o.achieved), key=lambda o: o.sustained_on or dt.date.max
        )
        met = bool(achieved)
        met_by = achieved[0].code if achieved else ""
    approval = None
    if not met and framework.claim.equivalent_progress:
        approvals = sorted(
            (
                a
                for a in data.approvals
                if a.problem == problem.code and not a.deleted and a.approved_on <= today
            ),
            key=lambda a: a.approved_on,
        )
        if approvals:
            approval = approvals[0]
            role = f" ({approval.approver_role})" if approval.approver_role else ""
            met = True
            met_by = (
                f"equivalent progress approved by {approval.approved_by}{role} on "
                f"{day_text(approval.approved_on)}: {approval.reason}"
            )
    return ProblemProgress(problem.code, problem.name, required, met, met_by, outcomes, approval)


def _problem_missing(
    framework: Framework, problem: Problem, progress: ProblemProgress
) -> list[str]:
    if framework.claim.outcomes_required is OutcomesRequired.ALL_APPLICABLE:
        applicable = [o for o in progress.outcomes if o.applicable] or list(progress.outcomes)
        return [
            f"{problem.name}: outcome {o.code} is not yet achieved. {o.explanation}".strip()
            for o in applicable
            if not o.achieved
        ]
    under_way = [o for o in progress.outcomes if o.started_on is not None]
    if not under_way:
        return [f"{problem.name}: no outcome is sustained yet, and none is under way."]
    closest = max(under_way, key=lambda o: o.progress)
    when = f", sustained on {day_text(closest.sustained_on)}" if closest.sustained_on else ""
    return [
        f"{problem.name}: no outcome is sustained yet; the closest is {closest.code} "
        f"({round(closest.progress * 100)}% of the way{when})."
    ]


def unknown_codes(framework: Framework, data: FamilyOutcomeData) -> list[str]:
    """Sentences about records that name an indicator, outcome, problem or term this framework
    version does not have (they are left out of every answer)."""
    found = []
    for tick in data.ticks:
        if not framework.has_indicator(tick.indicator):
            found.append(f"Indicator {tick.indicator} is not in {framework.ref}.")
    for item in data.evidence:
        if not framework.has_outcome(item.outcome):
            found.append(f"Outcome {item.outcome} is not in {framework.ref}.")
    codes = {p.code for p in framework.problems}
    for approval in data.approvals:
        if approval.problem not in codes:
            found.append(f"Problem {approval.problem} is not in {framework.ref}.")
    for measure in data.measures:
        if measure.term and framework.term_named(measure.term) is None:
            found.append(
                f"The term {measure.term!r} is not in the term calendar of {framework.ref}."
            )
    return sorted(set(found))


# ---- the command line's view -------------------------------------------------------------------


def family_outcomes_json(
    framework: Framework,
    data: FamilyOutcomeData,
    today: dt.date,
    *,
    requirements_met: Collection[str] = (),
) -> dict[str, Any]:
    """The outcomes part of `fmdesk families show REF --json`: plain JSON types only."""
    readiness = claim_readiness(framework, data, today, requirements_met=requirements_met)
    result = readiness.eligibility
    claim = readiness.claim
    outcomes = [o for p in readiness.problems for o in p.outcomes]
    return {
        "framework": framework.ref,
        "eligible": result.eligible,
        "eligibility": result.reason,
        "problems": [
            {
                "code": present.problem.code,
                "name": present.problem.name,
                "indicators": [_tick_json(framework, tick, data) for tick in present.ticks],
                "required": progress.required,
                "met": progress.met,
                "met_by": progress.met_by,
            }
            for present, progress in _paired(result.problems, readiness.problems)
        ],
        "outcomes": [o.to_json() for o in outcomes],
        "alternative_routes": [
            {"name": name, **outcome.to_json()} for name, outcome in readiness.alternative_routes
        ],
        "additional_results": [o.to_json() for o in readiness.additional_results],
        "claim": {
            "status": readiness.status.value,
            "missing": list(readiness.missing),
            "route": readiness.route,
            "equivalent_progress": readiness.uses_equivalent_progress,
            "claimed_on": claim.claimed_on.isoformat() if claim else None,
            "batch": claim.batch if claim else None,
        },
        "warnings": list(readiness.warnings),
    }


def _paired(
    present: Sequence[ProblemPresent], progress: Sequence[ProblemProgress]
) -> list[tuple[ProblemPresent, ProblemProgress]]:
    by_code: Mapping[str, ProblemProgress] = {p.code: p for p in progress}
    return [(p, by_code[p.problem.code]) for p in present]


def _tick_json(
    framework: Framework, tick: IndicatorTick, data: FamilyOutcomeData
) -> dict[str, Any]:
    _, indicator = framework.indicator(tick.indicator)
    return {
        "code": tick.indicator,
        "text": indicator.text,
        "person": data.name(tick.person_id) if tick.person_id else "",
        "person_id": tick.person_id,
        "on": tick.on.isoformat(),
        "source": tick.evidence_source,
    }
