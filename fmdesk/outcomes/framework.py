"""Outcomes frameworks: the data that says which families are eligible and what counts as success.

A framework file is JSON (see docs/frameworks.md for every field), with a published JSON Schema
(docs/schemas/outcomes-framework.schema.json). It is checked against the schema, then for what a
schema cannot say, and read into the frozen dataclasses below: a file that breaks a rule is
refused with a `ValidationError` naming the file and the field, e.g.
`my-plan.json: problems[2].outcomes[0].period.count: expected a whole number of at least 1`.
Unknown fields are refused too, because a misspelt threshold silently ignored would change who
is paid for. Keys that start with "_" are comments.

Frameworks are versioned (`id` + `version`); a family keeps the `id@version` it was attached
under, and `FrameworkLibrary.for_family` finds exactly that one.
"""

import bisect
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

from fmdesk import terms as school_terms
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.outcomes.records import MeasureKind
from fmdesk.schemas import SchemaName, check

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


class PlanCoverage(enum.StrEnum):
    """What the family's current action plan must name before the action_plan requirement is met."""

    ANY_GOAL = "any_goal"  # a plan with at least one goal
    EVERY_PROBLEM = "every_problem"  # a goal on every problem present at entry
    EVERY_PROBLEM_AND_MEMBER = "every_problem_and_member"  # and every member with a need


class EmploymentRule(enum.StrEnum):
    """Continuous employment: sustained once the weeks are reached, or only while still in work."""

    SUSTAINED_FOR_PERIOD = "sustained_for_period"  # the weeks were reached, even if work ended
    IN_WORK_NOW = "in_work_now"  # the weeks were reached and the adult is still in work


class NeedsCounted(enum.StrEnum):
    """What the framework counts, the same way for eligibility and for success."""

    EVERY_HEADLINE = "every_headline"  # problems (headlines) with a need; one outcome each
    EVERY_NEED = "every_need"  # each need (indicator, for whom); an outcome for each


class IndicatorPerson(enum.StrEnum):
    CHILD = "child"
    ADULT = "adult"
    ANY = "any"


@dataclasses.dataclass(frozen=True)
class DependentChildren:
    """Who counts as a dependent child, by age on the family's entry date."""

    max_age: int = 15  # every child up to this age
    max_age_in_education: int = 18  # older, up to this age, when in education or training
    unborn: bool = True  # an expected baby counts


@dataclasses.dataclass(frozen=True)
class Rules:
    """The rule choices a framework states (the file's "rules"; docs/frameworks.md, Rules)."""

    dependent_children: DependentChildren = DependentChildren()
    adult_age: int = 18  # an indicator for an adult is for someone this age or older
    plan_covers: PlanCoverage = PlanCoverage.EVERY_PROBLEM
    employment: EmploymentRule = EmploymentRule.SUSTAINED_FOR_PERIOD
    needs_counted: NeedsCounted = NeedsCounted.EVERY_HEADLINE
    indicator_people: Mapping[str, IndicatorPerson] = dataclasses.field(default_factory=dict)
    source: str = ""

    def indicator_person(self, code: str) -> IndicatorPerson:
        return self.indicator_people.get(code, IndicatorPerson.ANY)


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
    # After the file's own dates: the usual English pattern (fmdesk/terms.py), so the calendar
    # does not run out (issue 17); fmdesk.terms.terms_warnings says when a day is judged by one.
    generated: bool = False
    # The council's own dates (a school-terms definition: fmdesk.definition.with_council_terms).
    council: bool = False


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
    rules: Rules = Rules()
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

    @functools.cached_property
    def _term_starts(self) -> tuple[dt.date, ...]:
        return tuple(t.start for t in self.term_calendar)

    def term_index_for(self, on: dt.date) -> int | None:
        """The term `on` falls in; in a holiday, the term that ended last (readings are often
        taken just after a term ends)."""
        index = bisect.bisect_right(self._term_starts, on) - 1
        return index if index >= 0 else None


# ---- reading and checking a file ---------------------------------------------------------------
#
# The shape of the file (fields, types, choices, code patterns, dates, minimums, which fields
# each kind of test takes) is the schema's, checked first:
# fmdesk/definitions/schemas/outcomes-framework.schema.json. The code below builds the
# dataclasses from a file that fits it, and checks only what a schema cannot say: codes that
# must start with their problem's code, codes that must be unique or must name something else
# in the file, terms in order, and counts against lists.


class _Checker:
    """Names the file and the field path in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> NoReturn:
        raise ValidationError(f"{self.source}: {path}: {message}")


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    return str(data.get(key, default)).strip()


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item).strip() for item in data.get(key, ()))


def _code(r: _Checker, value: str, path: str, pattern: str, example: str) -> str:
    """A code the schema has matched, checked against its own problem's code."""
    if not re.fullmatch(pattern, value):
        r.fail(path, f"{value!r} is not a code like {example}")
    return value


def parse_framework(data: Any, source: str = "framework") -> Framework:
    """Check plain JSON data and build a Framework; errors name `source` and the field."""
    r = _Checker(source)
    if isinstance(data, Mapping) and "format" in data and data["format"] != FORMAT_VERSION:
        # Before the shape: a newer format's new fields are not the user's mistake.
        r.fail(
            "format",
            f"this app reads framework format {FORMAT_VERSION}, not {data['format']!r}: "
            "a newer fmdesk may be needed",
        )
    check(SchemaName.OUTCOMES_FRAMEWORK, data, source=source)
    terms = _with_usual_terms(_terms(r, data.get("term_calendar", ())))
    problems = tuple(
        _problem(r, raw, f"problems[{index}]", terms) for index, raw in enumerate(data["problems"])
    )
    _check_unique(r, problems)
    framework = Framework(
        id=data["id"],
        version=data["version"],
        name=_text(data, "name"),
        description=_text(data, "description"),
        source=_text(data, "source"),
        term_calendar=terms,
        unverified=_texts(data, "unverified"),
        problems=problems,
        eligibility=_eligibility(r, data["eligibility"], "eligibility"),
        claim=_claim(data["claim"]),
        rules=_rules(data.get("rules", {})),
    )
    _check_references(r, framework)
    return framework


def _terms(r: _Checker, raw_terms: Sequence[Mapping[str, Any]]) -> tuple[Term, ...]:
    terms: list[Term] = []
    for index, item in enumerate(raw_terms):
        path = f"term_calendar[{index}]"
        term = Term(
            _text(item, "name"),
            dt.date.fromisoformat(item["start"]),
            dt.date.fromisoformat(item["end"]),
        )
        if term.end < term.start:
            r.fail(f"{path}.end", "a term must end after it starts")
        if terms and term.start <= terms[-1].end:
            r.fail(f"{path}.start", f"terms must be in order and not overlap {terms[-1].name!r}")
        if any(t.name == term.name for t in terms):
            r.fail(f"{path}.name", f"{term.name!r} is used twice")
        terms.append(term)
    return tuple(terms)


def _with_usual_terms(terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """The file's terms, then the usual English terms after its last, to 2100: a fixed list
    ends (Supporting Families 2022's with Summer 2026) and attendance after it could not be
    judged. A file without a calendar keeps none."""
    if not terms:
        return terms
    names = {t.name for t in terms}
    last = terms[-1]
    extra = tuple(
        Term(t.name, t.start, t.end, generated=True)
        for year in range(last.start.year - 1, school_terms.LAST_YEAR + 1)
        for t in school_terms.english_terms(year)
        if t.start > last.end and t.name not in names
    )
    return (*terms, *extra)


def _problem(r: _Checker, item: Mapping[str, Any], path: str, terms: Sequence[Term]) -> Problem:
    code = item["code"]
    indicators = tuple(
        Indicator(
            code=_code(
                r,
                raw["code"],
                f"{path}.indicators[{index}].code",
                re.escape(code) + r"[A-Z]",
                f"{code}A",
            ),
            text=_text(raw, "text"),
            evidence=_texts(raw, "evidence"),
        )
        for index, raw in enumerate(item["indicators"])
    )
    outcomes = tuple(
        _outcome(r, raw, f"{path}.outcomes[{index}]", code, terms)
        for index, raw in enumerate(item["outcomes"])
    )
    known = {i.code for i in indicators}
    for index, outcome in enumerate(outcomes):
        for position, ref in enumerate(outcome.indicators):
            if ref not in known:
                r.fail(
                    f"{path}.outcomes[{index}].indicators[{position}]",
                    f"{ref!r} is not an indicator of problem {code}",
                )
    name = _text(item, "name")
    return Problem(
        code=code,
        name=name,
        short_name=_text(item, "short_name", name),
        description=_text(item, "description"),
        indicators=indicators,
        outcomes=outcomes,
    )


def _outcome(
    r: _Checker, item: Mapping[str, Any], path: str, problem: str, terms: Sequence[Term]
) -> Outcome:
    code = _code(
        r, item["code"], f"{path}.code", re.escape(problem) + r"\.[0-9]{1,2}[a-z]?", f"{problem}.1"
    )
    raw_period = item["period"]
    unit = PeriodUnit(raw_period["unit"])
    period = Period(unit, 0 if unit is PeriodUnit.NONE else raw_period["count"])
    # The schema has matched the period's unit to the test's kind.
    if period.unit is PeriodUnit.TERMS and not terms:
        r.fail(f"{path}.period.unit", "terms need a term_calendar in the file")
    raw_star = item.get("star")
    return Outcome(
        code=code,
        text=_text(item, "text"),
        period=period,
        test=_test(item.get("test", {"kind": "evidence"})),
        evidence=_texts(item, "evidence"),
        indicators=_texts(item, "indicators"),
        star=None
        if raw_star is None
        else StarRule(raw_star["min_score"], _texts(raw_star, "areas")),
        priority=item.get("priority", False),
        note=_text(item, "note"),
    )


def _test(item: Mapping[str, Any]) -> OutcomeTest:
    kind = item["kind"]
    if kind == "attendance":
        return AttendanceTest(
            min_percent=float(item["min_percent"]),
            comparison=Comparison(item.get("comparison", "over")),
            max_exclusions=item.get("max_exclusions"),
            no_permanent_exclusion=item.get("no_permanent_exclusion", False),
            school_leavers_neutral=item.get("school_leavers_neutral", True),
        )
    if kind == "fall":
        return FallTest(
            measure=MeasureKind(item["measure"]),
            min_fall_percent=float(item["min_fall_percent"]),
            people=PeopleFilter(item.get("people", "family")),
            baseline_months=item.get("baseline_months", 0),
        )
    if kind == "continuous_employment":
        weeks = item.get("weeks_by_benefit", {})
        return EmploymentTest(
            off_benefits=item.get("off_benefits", True),
            weeks_by_benefit={str(k).lower(): v for k, v in weeks.items()},
        )
    return EvidenceTest()


def _eligibility(r: _Checker, item: Mapping[str, Any], path: str) -> Eligibility:
    kind = EligibilityKind(item["kind"])
    requires_children = item.get("requires_children", False)
    description = _text(item, "description")
    if kind is EligibilityKind.NATIONAL_PLUS_LOCAL:
        national = _texts(item, "national")
        with_local = item["min_national_with_local"]
        alone = item.get("min_national_alone", len(national))
        if alone < with_local:
            r.fail(
                f"{path}.min_national_alone", f"expected a whole number of at least {with_local}"
            )
        if alone > len(national):
            r.fail(
                f"{path}.min_national_alone", f"there are only {len(national)} national criteria"
            )
        return Eligibility(
            kind=kind,
            national=national,
            local=_texts(item, "local"),
            min_national_with_local=with_local,
            min_national_alone=alone,
            min_local=item.get("min_local", 1),
            requires_children=requires_children,
            description=description,
        )
    return Eligibility(
        kind=kind,
        min=item["min"],
        requires_children=requires_children,
        description=description,
    )


def _claim(item: Mapping[str, Any]) -> ClaimRule:
    equivalent = item.get("equivalent_progress", {"allowed": False})
    return ClaimRule(
        outcomes_required=OutcomesRequired(item["outcomes_required"]),
        required_problems=_texts(item, "required_problems"),
        alternative_routes=tuple(
            AlternativeRoute(_text(route, "outcome"), _text(route, "name"))
            for route in item.get("alternative_routes", ())
        ),
        additional_results=_texts(item, "additional_results"),
        star_evidence=item.get("star_evidence", False),
        equivalent_progress=equivalent["allowed"],
        equivalent_progress_approver=_text(equivalent, "approver"),
        requirements=tuple(
            Requirement(req["id"], _text(req, "text")) for req in item.get("requirements", ())
        ),
        description=_text(item, "description"),
    )


def _rules(item: Mapping[str, Any]) -> Rules:
    """The schema has checked the shape; defaults are the national rules (docs/frameworks.md)."""
    raw_children = item.get("dependent_children", {})
    default = DependentChildren()
    children = DependentChildren(
        max_age=raw_children.get("max_age", default.max_age),
        max_age_in_education=raw_children.get("max_age_in_education", default.max_age_in_education),
        unborn=raw_children.get("unborn", default.unborn),
    )
    return Rules(
        dependent_children=children,
        adult_age=item.get("adult_age", 18),
        plan_covers=PlanCoverage(item.get("plan_covers", PlanCoverage.EVERY_PROBLEM.value)),
        employment=EmploymentRule(
            item.get("employment", EmploymentRule.SUSTAINED_FOR_PERIOD.value)
        ),
        needs_counted=NeedsCounted(item.get("needs_counted", NeedsCounted.EVERY_HEADLINE.value)),
        indicator_people={
            str(code): IndicatorPerson(who)
            for code, who in item.get("indicator_people", {}).items()
        },
        source=_text(item, "source"),
    )


def _check_unique(r: _Checker, problems: Sequence[Problem]) -> None:
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


def _check_references(r: _Checker, framework: Framework) -> None:
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
    for code in framework.rules.indicator_people:
        if not framework.has_indicator(code):
            r.fail(f"rules.indicator_people.{code}", f"{code!r} is not an indicator code")
    children = framework.rules.dependent_children
    if children.max_age_in_education < children.max_age:
        r.fail(
            "rules.dependent_children.max_age_in_education",
            f"expected a whole number of at least {children.max_age}",
        )


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
