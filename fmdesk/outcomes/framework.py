"""Outcomes frameworks: the data that says which families are eligible and what counts as success.

A framework file is JSON (see docs/frameworks.md for every field). It is read into the frozen
dataclasses below and checked on the way in: a file that breaks a rule is refused with a
`ValidationError` naming the file and the field, e.g.
`my-plan.json: problems[2].outcomes[0].period.count: expected a whole number of at least 1`.
Unknown fields are refused too, because a misspelt threshold silently ignored would change who
is paid for. Keys that start with "_" are comments.

Frameworks are versioned (`id` + `version`); a family keeps the `id@version` it was attached
under, and `FrameworkLibrary.for_family` finds exactly that one.
"""

import dataclasses
import datetime as dt
import enum
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.outcomes.records import PERIOD_COUNTS, MeasureKind

FORMAT_VERSION = 1


class PeriodUnit(enum.StrEnum):
    NONE = "none"  # holds as soon as it is evidenced (e.g. "at case closure")
    WEEKS = "weeks"
    MONTHS = "months"
    TERMS = "terms"  # consecutive school terms from the framework's term calendar


class Comparison(enum.StrEnum):
    OVER = "over"  # strictly greater: "over 85%" fails at 85.0
    AT_LEAST = "at_least"  # 85.0 passes

    def passes(self, value: float, threshold: float) -> bool:
        return value > threshold if self is Comparison.OVER else value >= threshold

    @property
    def words(self) -> str:
        return "over" if self is Comparison.OVER else "at least"


class PeopleFilter(enum.StrEnum):
    FAMILY = "family"  # every measure, including those for the whole household
    CHILDREN = "children"
    ADULTS = "adults"


class EligibilityKind(enum.StrEnum):
    PROBLEMS = "problems"  # at least `min` problems with an indicator ticked
    NATIONAL_PLUS_LOCAL = "national_plus_local"  # enough national criteria, or fewer plus a local
    NEEDS = "needs"  # at least `min` distinct indicators (needs) ticked


class OutcomesRequired(enum.StrEnum):
    ONE = "one"  # one outcome per problem is enough
    ALL_APPLICABLE = "all_applicable"  # every outcome whose indicators were ticked


@dataclasses.dataclass(frozen=True)
class Period:
    unit: PeriodUnit
    count: int = 0

    @property
    def words(self) -> str:
        if self.unit is PeriodUnit.NONE:
            return "once evidenced"
        unit = self.unit.value if self.count != 1 else self.unit.value.rstrip("s")
        return f"{self.count} {'consecutive ' if self.unit is PeriodUnit.TERMS else ''}{unit}"


@dataclasses.dataclass(frozen=True)
class Term:
    name: str
    start: dt.date
    end: dt.date


@dataclasses.dataclass(frozen=True)
class Indicator:
    code: str
    text: str
    evidence: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class EvidenceTest:
    """The outcome holds from the date a practitioner records evidence that it does."""


@dataclasses.dataclass(frozen=True)
class AttendanceTest:
    """Every child in school attends above a threshold in each of N consecutive terms."""

    min_percent: float
    comparison: Comparison = Comparison.OVER
    max_exclusions: int | None = None  # fixed-term exclusions per child across the window
    no_permanent_exclusion: bool = False
    school_leavers_neutral: bool = True  # a child who has left school no longer counts


@dataclasses.dataclass(frozen=True)
class FallTest:
    """A count over the last `period` months has fallen by at least `min_fall_percent` from the
    baseline count over `baseline_months` (rates compared when the lengths differ)."""

    measure: MeasureKind
    min_fall_percent: float
    people: PeopleFilter = PeopleFilter.FAMILY
    baseline_months: int = 0  # 0: the same length as the outcome's period


@dataclasses.dataclass(frozen=True)
class EmploymentTest:
    """An adult off out-of-work benefits and in continuous work for the period (in weeks)."""

    off_benefits: bool = True
    # Weeks by the benefit held at entry (the baseline benefits measure's `detail`).
    weeks_by_benefit: Mapping[str, int] = dataclasses.field(default_factory=dict)


OutcomeTest = EvidenceTest | AttendanceTest | FallTest | EmploymentTest


@dataclasses.dataclass(frozen=True)
class StarRule:
    min_score: int
    areas: tuple[str, ...] = ()  # empty: any area


@dataclasses.dataclass(frozen=True)
class Outcome:
    code: str
    text: str
    period: Period
    test: OutcomeTest = EvidenceTest()
    evidence: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()  # the indicators it answers; empty: any in its problem
    star: StarRule | None = None
    priority: bool = False
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Problem:
    code: str
    name: str
    short_name: str
    indicators: tuple[Indicator, ...]
    outcomes: tuple[Outcome, ...]
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Eligibility:
    kind: EligibilityKind
    min: int = 0
    national: tuple[str, ...] = ()
    local: tuple[str, ...] = ()
    min_national_alone: int = 0
    min_national_with_local: int = 0
    min_local: int = 1
    requires_children: bool = False
    description: str = ""


@dataclasses.dataclass(frozen=True)
class AlternativeRoute:
    outcome: str
    name: str


@dataclasses.dataclass(frozen=True)
class Requirement:
    id: str
    text: str


@dataclasses.dataclass(frozen=True)
class ClaimRule:
    outcomes_required: OutcomesRequired = OutcomesRequired.ONE
    required_problems: tuple[str, ...] = ()  # empty: every problem present at entry
    alternative_routes: tuple[AlternativeRoute, ...] = ()
    additional_results: tuple[str, ...] = ()  # reported, never needed (e.g. progress to work)
    star_evidence: bool = False
    equivalent_progress: bool = False
    equivalent_progress_approver: str = ""
    requirements: tuple[Requirement, ...] = ()
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Framework:
    id: str
    version: str
    name: str
    problems: tuple[Problem, ...]
    eligibility: Eligibility
    claim: ClaimRule
    term_calendar: tuple[Term, ...] = ()
    description: str = ""
    source: str = ""
    unverified: tuple[str, ...] = ()  # settings a council should check before relying on them

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def problem(self, code: str) -> Problem:
        for problem in self.problems:
            if problem.code == code:
                return problem
        raise KeyError(code)

    def indicator(self, code: str) -> tuple[Problem, Indicator]:
        for problem in self.problems:
            for indicator in problem.indicators:
                if indicator.code == code:
                    return problem, indicator
        raise KeyError(code)

    def outcome(self, code: str) -> tuple[Problem, Outcome]:
        return self._outcomes[code]

    def has_indicator(self, code: str) -> bool:
        return code in self._indicator_codes

    @functools.cached_property
    def problem_code_by_indicator(self) -> dict[str, str]:
        return {i.code: p.code for p in self.problems for i in p.indicators}

    def has_outcome(self, code: str) -> bool:
        return code in self._outcomes

    # Looked up for every outcome of every family when the programme is judged (3,000
    # families × ~20 outcomes), so indexed once per framework rather than searched.
    @functools.cached_property
    def _outcomes(self) -> dict[str, tuple[Problem, Outcome]]:
        return {o.code: (p, o) for p in self.problems for o in p.outcomes}

    @functools.cached_property
    def _indicator_codes(self) -> frozenset[str]:
        return frozenset(i.code for p in self.problems for i in p.indicators)

    @functools.cached_property
    def shared_results(self) -> dict[Any, Any]:
        """Results the outcome rules share between families (the same answer for every family
        with nothing recorded for an outcome); kept here so they go when the framework does."""
        return {}

    def term_named(self, name: str) -> int | None:
        for index, term in enumerate(self.term_calendar):
            if term.name == name:
                return index
        return None

    def term_index_for(self, on: dt.date) -> int | None:
        """The term `on` falls in; in a holiday, the term that ended last (readings are often
        taken just after a term ends)."""
        found = None
        for index, term in enumerate(self.term_calendar):
            if term.start <= on:
                found = index
            if term.start <= on <= term.end:
                return index
        return found


# ---- reading and checking a file ---------------------------------------------------------------


class _Reader:
    """Reads one JSON object field by field, naming the file and the field path in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> NoReturn:
        raise ValidationError(f"{self.source}: {path}: {message}" if path else message)

    def obj(
        self, value: Any, path: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path or "(top level)", "expected an object")
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in value:
            if not str(key).startswith("_") and key not in allowed:
                self.fail(_join(path, key), "unknown field (check the spelling)")
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "missing")
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(_join(path, key), "expected text")
        return value.strip()

    def code(self, data: Mapping[str, Any], key: str, path: str, pattern: str, example: str) -> str:
        value = self.text(data, key, path)
        if not re.fullmatch(pattern, value):
            self.fail(_join(path, key), f"{value!r} is not a code like {example}")
        return value

    def whole(
        self, data: Mapping[str, Any], key: str, path: str, default: int | None = None, low: int = 0
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(_join(path, key), f"expected a whole number of at least {low}")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: str, low: float, high: float
    ) -> float:
        value = data.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.fail(_join(path, key), f"expected a number from {low:g} to {high:g}")
        return float(value)

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(_join(path, key), "expected true or false")
        return value

    def texts(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(_join(path, key), "expected a list of text")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{_join(path, key)}[{index}]", "expected text")
        return tuple(item.strip() for item in value)

    def date(self, data: Mapping[str, Any], key: str, path: str) -> dt.date:
        value = data.get(key)
        try:
            return dt.date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(_join(path, key), "expected a date written YYYY-MM-DD")

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        enum_type: type[enum.StrEnum],
        default: Any,
    ) -> Any:
        value = data.get(key, default)
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_type)
            self.fail(_join(path, key), f"{value!r} is not one of {allowed}")

    def items(self, data: Mapping[str, Any], key: str, path: str, allow_empty: bool) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list) or (not value and not allow_empty):
            self.fail(
                _join(path, key), "expected a list" + ("" if allow_empty else " of one or more")
            )
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


PROBLEM_CODE = r"[0-9A-Z]{1,3}"
ID_PATTERN = r"[a-z0-9][a-z0-9-]*"


def parse_framework(data: Any, source: str = "framework") -> Framework:
    """Check plain JSON data and build a Framework; errors name `source` and the field."""
    r = _Reader(source)
    top = r.obj(
        data,
        "",
        ("format", "id", "version", "name", "problems", "eligibility", "claim"),
        ("description", "source", "term_calendar", "unverified"),
    )
    if top["format"] != FORMAT_VERSION:
        r.fail(
            "format",
            f"this app reads framework format {FORMAT_VERSION}, not {top['format']!r}: "
            "a newer fmdesk may be needed",
        )
    framework_id = r.code(top, "id", "", ID_PATTERN, "families-matter")
    version = r.code(top, "version", "", r"[0-9A-Za-z][0-9A-Za-z.-]*", "2015.1")
    terms = _terms(r, top)
    problems = tuple(
        _problem(r, raw, f"problems[{index}]", terms)
        for index, raw in enumerate(r.items(top, "problems", "", allow_empty=False))
    )
    _check_unique(r, problems)
    framework = Framework(
        id=framework_id,
        version=version,
        name=r.text(top, "name", ""),
        description=r.text(top, "description", "", ""),
        source=r.text(top, "source", "", ""),
        term_calendar=terms,
        unverified=r.texts(top, "unverified", ""),
        problems=problems,
        eligibility=_eligibility(r, top["eligibility"], "eligibility"),
        claim=_claim(r, top["claim"], "claim"),
    )
    _check_references(r, framework)
    return framework


def _terms(r: _Reader, top: Mapping[str, Any]) -> tuple[Term, ...]:
    terms: list[Term] = []
    for index, raw in enumerate(r.items(top, "term_calendar", "", allow_empty=True)):
        path = f"term_calendar[{index}]"
        item = r.obj(raw, path, ("name", "start", "end"))
        term = Term(
            r.text(item, "name", path), r.date(item, "start", path), r.date(item, "end", path)
        )
        if term.end < term.start:
            r.fail(f"{path}.end", "a term must end after it starts")
        if terms and term.start <= terms[-1].end:
            r.fail(f"{path}.start", f"terms must be in order and not overlap {terms[-1].name!r}")
        if any(t.name == term.name for t in terms):
            r.fail(f"{path}.name", f"{term.name!r} is used twice")
        terms.append(term)
    return tuple(terms)


def _problem(r: _Reader, raw: Any, path: str, terms: Sequence[Term]) -> Problem:
    item = r.obj(
        raw,
        path,
        ("code", "name", "indicators", "outcomes"),
        ("short_name", "description"),
    )
    code = r.code(item, "code", path, PROBLEM_CODE, "1 or L")
    indicators = []
    for index, raw_indicator in enumerate(r.items(item, "indicators", path, allow_empty=False)):
        ipath = f"{path}.indicators[{index}]"
        ind = r.obj(raw_indicator, ipath, ("code", "text"), ("evidence",))
        indicators.append(
            Indicator(
                code=r.code(ind, "code", ipath, re.escape(code) + r"[A-Z]", f"{code}A"),
                text=r.text(ind, "text", ipath),
                evidence=r.texts(ind, "evidence", ipath),
            )
        )
    outcomes = tuple(
        _outcome(r, raw_outcome, f"{path}.outcomes[{index}]", code, terms)
        for index, raw_outcome in enumerate(r.items(item, "outcomes", path, allow_empty=True))
    )
    known = {i.code for i in indicators}
    for index, outcome in enumerate(outcomes):
        for position, ref in enumerate(outcome.indicators):
            if ref not in known:
                r.fail(
                    f"{path}.outcomes[{index}].indicators[{position}]",
                    f"{ref!r} is not an indicator of problem {code}",
                )
    name = r.text(item, "name", path)
    return Problem(
        code=code,
        name=name,
        short_name=r.text(item, "short_name", path, name),
        description=r.text(item, "description", path, ""),
        indicators=tuple(indicators),
        outcomes=outcomes,
    )


def _outcome(r: _Reader, raw: Any, path: str, problem: str, terms: Sequence[Term]) -> Outcome:
    item = r.obj(
        raw,
        path,
        ("code", "text", "period"),
        ("test", "evidence", "indicators", "star", "priority", "note"),
    )
    code = r.code(item, "code", path, re.escape(problem) + r"\.[0-9]{1,2}[a-z]?", f"{problem}.1")
    period = _period(r, item["period"], f"{path}.period")
    test = _test(r, item.get("test", {"kind": "evidence"}), f"{path}.test")
    needs_unit = {
        AttendanceTest: PeriodUnit.TERMS,
        FallTest: PeriodUnit.MONTHS,
        EmploymentTest: PeriodUnit.WEEKS,
    }.get(type(test))
    if needs_unit is not None and period.unit is not needs_unit:
        r.fail(f"{path}.period.unit", f"this test is measured in {needs_unit.value}")
    if period.unit is PeriodUnit.TERMS and not terms:
        r.fail(f"{path}.period.unit", "terms need a term_calendar in the file")
    star = None
    if "star" in item:
        spath = f"{path}.star"
        raw_star = r.obj(item["star"], spath, ("min_score",), ("areas",))
        star = StarRule(
            r.whole(raw_star, "min_score", spath, low=1), r.texts(raw_star, "areas", spath)
        )
    return Outcome(
        code=code,
        text=r.text(item, "text", path),
        period=period,
        test=test,
        evidence=r.texts(item, "evidence", path),
        indicators=r.texts(item, "indicators", path),
        star=star,
        priority=r.flag(item, "priority", path, False),
        note=r.text(item, "note", path, ""),
    )


def _period(r: _Reader, raw: Any, path: str) -> Period:
    item = r.obj(raw, path, ("unit",), ("count",))
    unit = r.choice(item, "unit", path, PeriodUnit, None)
    if unit is PeriodUnit.NONE:
        return Period(unit, 0)
    return Period(unit, r.whole(item, "count", path, low=1))


def _test(r: _Reader, raw: Any, path: str) -> OutcomeTest:
    if not isinstance(raw, Mapping):
        r.fail(path, "expected an object")
    kind = raw.get("kind")
    if kind == "evidence":
        r.obj(raw, path, ("kind",))
        return EvidenceTest()
    if kind == "attendance":
        item = r.obj(
            raw,
            path,
            ("kind", "min_percent"),
            ("comparison", "max_exclusions", "no_permanent_exclusion", "school_leavers_neutral"),
        )
        max_exclusions = item.get("max_exclusions")
        return AttendanceTest(
            min_percent=r.number(item, "min_percent", path, 0, 100),
            comparison=r.choice(item, "comparison", path, Comparison, "over"),
            max_exclusions=None
            if max_exclusions is None
            else r.whole(item, "max_exclusions", path),
            no_permanent_exclusion=r.flag(item, "no_permanent_exclusion", path, False),
            school_leavers_neutral=r.flag(item, "school_leavers_neutral", path, True),
        )
    if kind == "fall":
        item = r.obj(
            raw, path, ("kind", "measure", "min_fall_percent"), ("people", "baseline_months")
        )
        measure = r.choice(item, "measure", path, MeasureKind, None)
        if measure not in PERIOD_COUNTS:
            allowed = ", ".join(sorted(k.value for k in PERIOD_COUNTS))
            r.fail(f"{path}.measure", f"a fall is measured on a count: one of {allowed}")
        return FallTest(
            measure=measure,
            min_fall_percent=r.number(item, "min_fall_percent", path, 1, 100),
            people=r.choice(item, "people", path, PeopleFilter, "family"),
            baseline_months=r.whole(item, "baseline_months", path, 0),
        )
    if kind == "continuous_employment":
        item = r.obj(raw, path, ("kind",), ("off_benefits", "weeks_by_benefit"))
        weeks = item.get("weeks_by_benefit", {})
        wpath = f"{path}.weeks_by_benefit"
        r.obj(weeks, wpath, (), weeks.keys() if isinstance(weeks, Mapping) else ())
        return EmploymentTest(
            off_benefits=r.flag(item, "off_benefits", path, True),
            weeks_by_benefit={str(k).lower(): r.whole(weeks, k, wpath, low=1) for k in weeks},
        )
    r.fail(
        f"{path}.kind",
        f"{kind!r} is not one of evidence, attendance, fall, continuous_employment",
    )


def _eligibility(r: _Reader, raw: Any, path: str) -> Eligibility:
    kind = r.choice(
        r.obj(raw, path, ("kind",), _ELIGIBILITY_FIELDS), "kind", path, EligibilityKind, None
    )
    item = raw
    requires_children = r.flag(item, "requires_children", path, False)
    description = r.text(item, "description", path, "")
    if kind is EligibilityKind.NATIONAL_PLUS_LOCAL:
        r.obj(
            raw, path, ("kind", "national", "local", "min_national_with_local"), _ELIGIBILITY_FIELDS
        )
        national = r.texts(item, "national", path)
        with_local = r.whole(item, "min_national_with_local", path, low=1)
        alone = r.whole(item, "min_national_alone", path, len(national), low=with_local)
        if alone > len(national):
            r.fail(
                f"{path}.min_national_alone", f"there are only {len(national)} national criteria"
            )
        return Eligibility(
            kind=kind,
            national=national,
            local=r.texts(item, "local", path),
            min_national_with_local=with_local,
            min_national_alone=alone,
            min_local=r.whole(item, "min_local", path, 1, low=1),
            requires_children=requires_children,
            description=description,
        )
    r.obj(raw, path, ("kind", "min"), _ELIGIBILITY_FIELDS)
    return Eligibility(
        kind=kind,
        min=r.whole(item, "min", path, low=1),
        requires_children=requires_children,
        description=description,
    )


_ELIGIBILITY_FIELDS = (
    "min",
    "national",
    "local",
    "min_national_alone",
    "min_national_with_local",
    "min_local",
    "requires_children",
    "description",
)


def _claim(r: _Reader, raw: Any, path: str) -> ClaimRule:
    item = r.obj(
        raw,
        path,
        ("outcomes_required",),
        (
            "required_problems",
            "alternative_routes",
            "additional_results",
            "star_evidence",
            "equivalent_progress",
            "requirements",
            "description",
        ),
    )
    routes = []
    for index, raw_route in enumerate(r.items(item, "alternative_routes", path, allow_empty=True)):
        rpath = f"{path}.alternative_routes[{index}]"
        route = r.obj(raw_route, rpath, ("outcome", "name"))
        routes.append(
            AlternativeRoute(r.text(route, "outcome", rpath), r.text(route, "name", rpath))
        )
    requirements = []
    for index, raw_req in enumerate(r.items(item, "requirements", path, allow_empty=True)):
        qpath = f"{path}.requirements[{index}]"
        req = r.obj(raw_req, qpath, ("id", "text"))
        requirements.append(
            Requirement(
                r.code(req, "id", qpath, r"[a-z][a-z0-9_]*", "action_plan"),
                r.text(req, "text", qpath),
            )
        )
    equivalent = item.get("equivalent_progress", {"allowed": False})
    epath = f"{path}.equivalent_progress"
    r.obj(equivalent, epath, ("allowed",), ("approver",))
    return ClaimRule(
        outcomes_required=r.choice(item, "outcomes_required", path, OutcomesRequired, None),
        required_problems=r.texts(item, "required_problems", path),
        alternative_routes=tuple(routes),
        additional_results=r.texts(item, "additional_results", path),
        star_evidence=r.flag(item, "star_evidence", path, False),
        equivalent_progress=r.flag(equivalent, "allowed", epath, False),
        equivalent_progress_approver=r.text(equivalent, "approver", epath, ""),
        requirements=tuple(requirements),
        description=r.text(item, "description", path, ""),
    )


def _check_unique(r: _Reader, problems: Sequence[Problem]) -> None:
    seen: set[str] = set()
    for pindex, problem in enumerate(problems):
        if problem.code in seen:
            r.fail(f"problems[{pindex}].code", f"{problem.code!r} is used twice")
        seen.add(problem.code)
        codes_by_kind = (
            ("indicators", [i.code for i in problem.indicators]),
            ("outcomes", [o.code for o in problem.outcomes]),
        )
        for kind, codes in codes_by_kind:
            for index, code in enumerate(codes):
                if code in seen:
                    r.fail(f"problems[{pindex}].{kind}[{index}].code", f"{code!r} is used twice")
                seen.add(code)


def _check_references(r: _Reader, framework: Framework) -> None:
    problems = {p.code for p in framework.problems}
    eligibility = framework.eligibility
    for key in ("national", "local"):
        for index, code in enumerate(getattr(eligibility, key)):
            if code not in problems:
                r.fail(f"eligibility.{key}[{index}]", f"{code!r} is not a problem code")
    if eligibility.kind is EligibilityKind.PROBLEMS and eligibility.min > len(problems):
        r.fail("eligibility.min", f"the framework has only {len(problems)} problems")
    claim = framework.claim
    for index, code in enumerate(claim.required_problems):
        if code not in problems:
            r.fail(f"claim.required_problems[{index}]", f"{code!r} is not a problem code")
    for index, route in enumerate(claim.alternative_routes):
        if not framework.has_outcome(route.outcome):
            r.fail(
                f"claim.alternative_routes[{index}].outcome", f"{route.outcome!r} is not an outcome"
            )
    for index, code in enumerate(claim.additional_results):
        if not framework.has_outcome(code):
            r.fail(f"claim.additional_results[{index}]", f"{code!r} is not an outcome")


# ---- files, the shipped set, and the library -------------------------------------------------


def loads_framework(text: str, source: str = "framework") -> Framework:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    return parse_framework(data, source)


def load_framework(path: str | Path) -> Framework:
    """Read and check a framework file (a council's own, or one from a coordinator's bundle)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Could not read the framework file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name}: the file is not UTF-8 text") from None
    return loads_framework(text, path.name)


def shipped_frameworks() -> list[Framework]:
    """The frameworks that come with fmdesk (fmdesk/definitions/frameworks/*.json)."""
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            found.append(loads_framework(entry.read_text(encoding="utf-8"), entry.name))
    return found


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.findall(r"\d+|[A-Za-z]+", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


class FrameworkNotFound(UserError):
    """The framework version a family was attached under is not loaded here."""


class FrameworkLibrary:
    """Every framework version this computer knows, by `id@version`. Newer versions are added
    beside older ones, never over them, so a family keeps the rules it was attached under."""

    def __init__(self, frameworks: Iterable[Framework] = ()) -> None:
        self._by_ref: dict[str, Framework] = {}
        for framework in frameworks:
            self.add(framework)

    @classmethod
    def shipped(cls) -> "FrameworkLibrary":
        return cls(shipped_frameworks())

    def add(self, framework: Framework) -> None:
        existing = self._by_ref.get(framework.ref)
        if existing is not None and existing != framework:
            raise ValidationError(
                f"A different framework {framework.ref} is already loaded: "
                "give the changed file a new version."
            )
        self._by_ref[framework.ref] = framework

    def get(self, ref: str) -> Framework:
        try:
            return self._by_ref[ref]
        except KeyError:
            raise FrameworkNotFound(
                f"The outcomes framework {ref} is not loaded on this computer. "
                "Ask your coordinator to send it."
            ) from None

    def latest(self, framework_id: str) -> Framework:
        versions = [f for f in self._by_ref.values() if f.id == framework_id]
        if not versions:
            raise FrameworkNotFound(f"No outcomes framework called {framework_id!r} is loaded.")
        return max(versions, key=lambda f: _version_key(f.version))

    def all(self) -> list[Framework]:
        return sorted(self._by_ref.values(), key=lambda f: (f.id, _version_key(f.version)))

    def for_family(self, family: Family) -> Framework:
        if not family.framework:
            raise FrameworkNotFound(
                f"Family {family.reference} is not attached to a framework yet."
            )
        return self.get(family.framework)


def attach_framework(family: Family, framework: Framework, *, replace: bool = False) -> Family:
    """The family, attached under this framework version. A family already attached under
    another version keeps it unless `replace` is given (a deliberate, audited change)."""
    if family.framework and family.framework != framework.ref and not replace:
        raise ValidationError(
            f"Family {family.reference} is attached under {family.framework}; "
            "moving it to another framework must be done on purpose."
        )
    return family.replace(framework=framework.ref)
