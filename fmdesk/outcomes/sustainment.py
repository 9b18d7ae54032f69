"""One outcome: whether its test holds for a family on a day, since when, and when it is sustained.

The tests are those of the framework file (evidence, attendance over consecutive terms, a fall
in a count, continuous employment); docs/frameworks.md gives the decisions behind each. Nothing
is stored: the answer changes as time passes and as records arrive, so it is worked out each
time it is shown.
"""

import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

from fmdesk.families import PersonRole
from fmdesk.outcomes.dates import add_months, day_text
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import (
    AttendanceTest,
    EmploymentRule,
    EmploymentTest,
    FallTest,
    Framework,
    Outcome,
    PeopleFilter,
    Period,
    PeriodUnit,
    Problem,
)
from fmdesk.outcomes.records import (
    EvidenceBasis,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeEvidence,
)


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
        finding = _employment(framework, outcome, test, data, today)
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
    entry = data.entry_on
    for item in data.evidence:
        if item.deleted or item.outcome != outcome.code or item.holds_from > today:
            continue
        unusable = evidence_refused(item, entry)
        if unusable:
            refused.append(unusable)
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


def evidence_refused(item: OutcomeEvidence, entry: dt.date | None) -> str:
    """Why a piece of evidence cannot count towards a claim; "" when it can. Evidence needs its
    source and what it shows, and must date from the family's entry or after: what held before
    the family came in shows no progress against a problem found at entry."""
    when = day_text(item.holds_from)
    if not item.source.strip():
        return f"The evidence from {when} for {item.outcome} names no source, so it does not count."
    if not item.description.strip():
        return (
            f"The evidence from {when} for {item.outcome} does not say what it shows, "
            "so it does not count."
        )
    if entry is not None and item.holds_from < entry:
        return (
            f"The evidence for {item.outcome} holds from {when}, before the family's entry on "
            f"{day_text(entry)}, so it shows no progress since then."
        )
    return ""


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


def _months(start: dt.date, end: dt.date) -> Fraction:
    """The length of the period from `start` to `end` (both days included) in months: whole
    calendar months when it is exactly that (1 Jan to 31 Dec is 12), else its days over the
    average month's (365.25 / 12)."""
    after_end = end + dt.timedelta(days=1)
    whole = (after_end.year - start.year) * 12 + after_end.month - start.month
    if whole > 0 and add_months(start, whole) == after_end:
        return Fraction(whole)
    return Fraction((after_end - start).days * 12 * 4, 1461)


def _fall(outcome: Outcome, test: FallTest, data: FamilyOutcomeData, today: dt.date) -> _Finding:
    label = test.measure.label.lower()
    window = outcome.period.count
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
    entry = data.entry_on
    early = [m for m in later if entry is not None and (m.period_start or m.on) < entry]
    later = [m for m in later if m not in early]
    if not later:
        text = f"No count of {label} since entry is recorded yet."
        if early:
            text = (
                f"The count of {label} from {day_text(early[-1].period_start)} starts before the "
                f"family's entry on {day_text(entry)}, so it shows no progress since then."
            )
        return dataclasses.replace(_NOTHING, explanation=text)
    # The baseline's own period, from its start date: a rate per month over that length.
    starts = [m.period_start for m in baseline if m.period_start is not None]
    if starts:
        base_from, base_to = min(starts), max(m.on for m in baseline)
        base_months = _months(base_from, base_to)
        base_words = f" over {int(base_months)} months" if base_months.denominator == 1 else ""
    else:
        base_months = Fraction(test.baseline_months or window)
        base_words = ""
    groups: dict[tuple[dt.date, dt.date], float] = {}
    for m in later:
        assert m.period_start is not None  # Measure checks counts carry their period
        key = (m.period_start, m.on)
        groups[key] = groups.get(key, 0) + m.value
    (start, end), after = max(
        groups.items(), key=lambda item: (item[0][1], -item[0][0].toordinal())
    )
    # A fall of at least X% in the rate: the count over the window may be at most the
    # baseline's rate over the same length, less X%. Compared exactly (fractions), so exactly
    # 60% passes without rounding luck; a count part way through the window is judged against
    # the whole window's allowance (it can only grow).
    before_q = Fraction(before).limit_denominator(10**6)
    after_q = Fraction(after).limit_denominator(10**6)
    length = max(_months(start, end), Fraction(window))
    allowed = before_q * length / base_months * (100 - Fraction(test.min_fall_percent)) / 100
    on_track = after_q <= allowed
    target = add_months(start, window)
    covered_to = end + dt.timedelta(days=1)
    fall = 100 * (1 - (after_q / length) / (before_q / base_months))
    text = (
        f"{test.measure.label}: {before:g} at baseline{base_words}, {after:g} from "
        f"{day_text(start)} to {day_text(end)} — a fall of {float(fall):.0f}% in the rate "
        f"({test.min_fall_percent:g}% needed)."
    )
    if not on_track:
        return _Finding(False, None, None, 0.0, "measures", text)
    if covered_to >= target:
        return _Finding(True, start, target, 1.0, "measures", text)
    text += f" Sustained if it holds to {day_text(target)}."
    return _Finding(False, start, target, _fraction(start, covered_to, target), "measures", text)


def _spells(measures: list[Measure], on_value: float) -> list[tuple[dt.date, dt.date | None]]:
    """The spells a yes/no status held `on_value`, from readings in date order: (from, until),
    until None while it still holds."""
    spells: list[tuple[dt.date, dt.date | None]] = []
    since: dt.date | None = None
    for m in measures:
        if m.value == on_value and since is None:
            since = m.on
        elif m.value != on_value and since is not None:
            spells.append((since, m.on))
            since = None
    if since is not None:
        spells.append((since, None))
    return spells


def _employment(
    framework: Framework,
    outcome: Outcome,
    test: EmploymentTest,
    data: FamilyOutcomeData,
    today: dt.date,
) -> _Finding:
    in_work_now = framework.rules.employment is EmploymentRule.IN_WORK_NOW
    entry = data.entry_on
    live = sorted(
        (m for m in data.measures if not m.deleted and m.person_id and m.on <= today),
        key=lambda m: m.on,
    )
    people = sorted({m.person_id for m in live if m.kind is MeasureKind.EMPLOYMENT})
    best: _Finding | None = None
    reasons: list[str] = []
    for person_id in people:
        name = data.name(person_id)
        own = [m for m in live if m.person_id == person_id]
        work = _spells([m for m in own if m.kind is MeasureKind.EMPLOYMENT], 1)
        if not work:
            reasons.append(f"{name} is not recorded as in work.")
            continue
        weeks = outcome.period.count
        spells = work
        if test.off_benefits:
            benefits = [m for m in own if m.kind is MeasureKind.BENEFITS]
            at_entry = [m for m in benefits if m.stage is MeasureStage.BASELINE and m.value == 1]
            since = [m for m in benefits if m.stage is MeasureStage.LATER]
            if not at_entry:
                reasons.append(f"{name} was not recorded as on out-of-work benefits at entry.")
                continue
            off = _spells(since, 0)
            if not off:
                reasons.append(f"{name} is not yet recorded as off out-of-work benefits.")
                continue
            benefit = at_entry[-1].detail.strip().lower()
            weeks = test.weeks_by_benefit.get(benefit, weeks)
            # Work and off benefits at once: the overlap of the two kinds of spell.
            spells = []
            for w_from, w_to in work:
                for o_from, o_to in off:
                    start = max(w_from, o_from)
                    ends = [d for d in (w_to, o_to) if d is not None]
                    until = min(ends) if ends else None
                    if until is None or start < until:
                        spells.append((start, until))
        if entry is not None:
            # Work before the family's entry shows no progress: weeks count from entry.
            spells = [
                (max(start, entry), until)
                for start, until in spells
                if until is None or until > entry
            ]
        if not spells:
            reasons.append(f"{name} has not been in work, off benefits, since the family's entry.")
            continue
        for start, until in spells:
            target = start + dt.timedelta(weeks=weeks)
            ended = until is not None and until <= today
            reached = target <= today and (until is None or target <= until)
            if reached and not (in_work_now and ended):
                later = f"; the job ended on {day_text(until)}" if ended else ""
                finding = _Finding(
                    True,
                    start,
                    target,
                    1.0,
                    "measures",
                    f"{name} was in work, off benefits, from {day_text(start)} ({weeks} weeks "
                    f"reached on {day_text(target)}){later}.",
                )
            elif ended:
                why = (
                    "the framework counts only an adult still in work"
                    if reached
                    else f"before {weeks} weeks"
                )
                finding = _Finding(
                    False,
                    None,
                    None,
                    0.0,
                    "measures",
                    f"{name} was in work, off benefits, from {day_text(start)} to "
                    f"{day_text(until)}: {why}.",
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
