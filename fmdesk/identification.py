"""Indicators of need decided by the council's data, by the framework's own thresholds.

A framework file may carry `data_thresholds` (docs/frameworks.md, "Identification from the
data"): for an indicator the data can decide, which measure, which people, over which window
(school terms or months), and the threshold. For example, Families Matter's 2A:

    {"indicator": "2A", "measure": "attendance", "below": 90, "terms": 3, "people": "children",
     "source": "Southwark Families Matter Outcomes Plan, 2A: persistent absence over 3 terms"}

`derive_ticks` reads a family's measures (the baseline from data matching, and any since) and
returns the indicators they tick, each as an `IndicatorTick` that says which figure, from which
source and dated when, ticked it, so an audit can follow every tick back to the data. An
indicator with no threshold (domestic abuse, health, a professional's nomination) is never
ticked here: it stays for the practitioner.

Pure: the caller gives the framework's raw `data_thresholds` (or the parsed rules), the people
and the measures. Nothing here reads a store.
"""

import dataclasses
import datetime as dt
import enum
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes.dates import add_months, day_text
from fmdesk.outcomes.eligibility import EligibilityResult, eligibility
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import Framework
from fmdesk.outcomes.records import IndicatorTick, Measure, MeasureKind
from fmdesk.records import Record
from fmdesk.terms import SchoolTerm, from_framework, known_terms, last_terms

RECORDED_BY = "Data thresholds"


class People(enum.StrEnum):
    CHILDREN = "children"  # each child's own figures
    ADULTS = "adults"  # each adult's own figures
    ANYONE = "anyone"  # each person's own figures
    HOUSEHOLD = "household"  # the household's figures (police call-outs to the home)


class Aggregate(enum.StrEnum):
    MEAN = "mean"  # attendance: the average of the terms' percentages
    SUM = "sum"  # counts: exclusions, offences, incidents added up over the window
    LATEST = "latest"  # a yes/no status: the latest reading in the window


DEFAULT_AGGREGATE = {MeasureKind.ATTENDANCE: Aggregate.MEAN}


@dataclasses.dataclass(frozen=True)
class DataThreshold:
    indicator: str
    measure: MeasureKind
    below: float | None = None  # ticked when the figure is under this
    at_most: float | None = None  # ticked when the figure is this or less
    at_least: float | None = None  # ticked when the figure is this or more
    terms: int = 0  # the window: the last N school terms (the one the day falls in included)
    months: int = 0  # or the last N months
    people: People = People.ANYONE
    aggregate: Aggregate = Aggregate.SUM
    source: str = ""  # where the threshold comes from, for docs and audit

    @property
    def words(self) -> str:
        """ "attendance below 90% over the last 3 terms"."""
        label = self.measure.label.lower().replace(" (%)", "")
        unit = "%" if self.measure is MeasureKind.ATTENDANCE else ""
        if self.below is not None:
            test = f"below {self.below:g}{unit}"
        elif self.at_most is not None:
            test = f"{self.at_most:g}{unit} or less"
        elif self.measure.is_status:
            test = "yes"
        else:
            test = f"{self.at_least:g} or more"
        window = (
            f"over the last {self.terms} term{'s' if self.terms != 1 else ''}"
            if self.terms
            else f"in the last {self.months} month{'s' if self.months != 1 else ''}"
        )
        return f"{label} {test} {window}"


def parse_thresholds(
    raw: Any, framework: Framework, source: str = "framework"
) -> tuple[DataThreshold, ...]:
    """The `data_thresholds` of a framework file (the schema has checked their shape), checked
    against the framework: each names one of its indicators."""
    found = []
    for index, item in enumerate(raw or ()):
        path = f"{source}: data_thresholds[{index}]"
        code = str(item["indicator"])
        if not framework.has_indicator(code):
            raise ValidationError(f"{path}.indicator: {code!r} is not an indicator of the file")
        kind = MeasureKind(item["measure"])
        below, at_most, at_least = item.get("below"), item.get("at_most"), item.get("at_least")
        if sum(v is not None for v in (below, at_most, at_least)) != 1:
            raise ValidationError(f"{path}: give one of below, at_most and at_least")
        if bool(item.get("terms")) == bool(item.get("months")):
            raise ValidationError(f"{path}: give either terms or months")
        default = Aggregate.LATEST if kind.is_status else DEFAULT_AGGREGATE.get(kind, Aggregate.SUM)
        found.append(
            DataThreshold(
                indicator=code,
                measure=kind,
                below=None if below is None else float(below),
                at_most=None if at_most is None else float(at_most),
                at_least=None if at_least is None else float(at_least),
                terms=int(item.get("terms", 0)),
                months=int(item.get("months", 0)),
                people=People(item.get("people", "anyone")),
                aggregate=Aggregate(item.get("aggregate", default)),
                source=str(item.get("source", "")).strip(),
            )
        )
    return tuple(found)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One indicator the data ticks, with the figure behind it."""

    threshold: DataThreshold
    person_id: str
    value: float
    on: dt.date  # the day of the latest figure used
    measures: tuple[Measure, ...]
    sources: tuple[str, ...]

    def words(self, name: str = "") -> str:
        """ "2A Aoife: attendance 82.5% (average of 2 terms) below 90% over the last 3 terms,
        from Data matching (CSV), 31 Mar 2025"."""
        kind = self.threshold.measure
        figure = f"{self.value:g}{'%' if kind is MeasureKind.ATTENDANCE else ''}"
        count = len(self.measures)
        how = {
            Aggregate.MEAN: f"average of {count} reading{'s' if count != 1 else ''}",
            Aggregate.SUM: f"total of {count} reading{'s' if count != 1 else ''}",
            Aggregate.LATEST: "latest reading",
        }[self.threshold.aggregate]
        who = f" {name}" if name else ""
        return (
            f"{self.threshold.indicator}{who}: {figure} ({how}); rule: {self.threshold.words}; "
            f"from {', '.join(self.sources) or 'no named source'}, {day_text(self.on)}"
        )


def _applies(threshold: DataThreshold, person: Person | None) -> bool:
    if threshold.people is People.HOUSEHOLD:
        return person is None
    if person is None:
        return False
    if threshold.people is People.CHILDREN:
        return person.role is PersonRole.CHILD
    if threshold.people is People.ADULTS:
        return person.role is not PersonRole.CHILD
    return True


def _in_window(
    threshold: DataThreshold,
    measures: Sequence[Measure],
    as_at: dt.date,
    terms: Sequence[SchoolTerm],
) -> list[Measure]:
    dated = [m for m in measures if m.on <= as_at]
    if threshold.terms:
        window = last_terms(as_at, threshold.terms, terms)
        if not window:
            return []
        start = window[0].start
        return [m for m in dated if m.on >= start]
    start = add_months(as_at, -threshold.months)
    return [m for m in dated if m.on > start]


def find(
    thresholds: Iterable[DataThreshold],
    people: Iterable[Person],
    measures: Iterable[Measure],
    *,
    as_at: dt.date,
    terms: Sequence[SchoolTerm],
) -> list[Finding]:
    """Every (indicator, person) the figures tick as at `as_at`, in the thresholds' order."""
    held = [p for p in people if not p.deleted]
    by_person: dict[tuple[str, MeasureKind], list[Measure]] = {}
    for measure in measures:
        if not measure.deleted:
            by_person.setdefault((measure.person_id, measure.kind), []).append(measure)
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for threshold in thresholds:
        whose: list[Person | None] = [None, *held]
        for person in whose:
            if not _applies(threshold, person):
                continue
            pid = person.id if person else ""
            chosen = sorted(
                _in_window(threshold, by_person.get((pid, threshold.measure), []), as_at, terms),
                key=lambda m: m.on,
            )
            if not chosen:
                continue
            values = [m.value for m in chosen]
            if threshold.aggregate is Aggregate.MEAN:
                value = round(sum(values) / len(values), 1)
            elif threshold.aggregate is Aggregate.LATEST:
                value = values[-1]
                chosen = chosen[-1:]
            else:
                value = sum(values)
            if threshold.below is not None:
                ticked = value < threshold.below
            elif threshold.at_most is not None:
                ticked = value <= threshold.at_most
            else:
                ticked = value >= (threshold.at_least or 0)
            if not ticked or (threshold.indicator, pid) in seen:
                continue
            seen.add((threshold.indicator, pid))
            sources = tuple(dict.fromkeys(m.source for m in chosen if m.source))
            found.append(Finding(threshold, pid, value, chosen[-1].on, tuple(chosen), sources))
    return found


def ticks_for(
    family_id: str,
    findings: Iterable[Finding],
    people: Iterable[Person] = (),
    *,
    already: Iterable[IndicatorTick] = (),
) -> list[IndicatorTick]:
    """The ticks the findings make, leaving out any (indicator, person) already ticked."""
    names = {p.id: p.display_name for p in people}
    held = {(t.indicator, t.person_id) for t in already if not t.deleted}
    ticks = []
    for finding in findings:
        if (finding.threshold.indicator, finding.person_id) in held:
            continue
        ticks.append(
            IndicatorTick(
                family_id=family_id,
                indicator=finding.threshold.indicator,
                person_id=finding.person_id,
                on=finding.on,
                evidence_source=", ".join(finding.sources),
                recorded_by=RECORDED_BY,
                notes=finding.words(names.get(finding.person_id, "")),
            )
        )
    return ticks


def framework_terms(
    framework: Framework, council_terms: Iterable[SchoolTerm] = ()
) -> tuple[SchoolTerm, ...]:
    """The terms a framework's figures are judged by: the council's, its own, or generated."""
    return known_terms(from_framework(framework.term_calendar), council_terms)


def local_filter_codes(framework: Framework) -> frozenset[str]:
    """The problems that are a council's local filters (extra criteria for eligibility, named in
    the eligibility rule's `local`), not outcome headlines: a dashboard of outcomes by problem
    leaves them out, since a filter has no outcome to reach."""
    return frozenset(framework.eligibility.local)


def thresholds_of(content: Mapping[str, Any], framework: Framework) -> tuple[DataThreshold, ...]:
    """The thresholds in a framework file's JSON content."""
    return parse_thresholds(content.get("data_thresholds", ()), framework, framework.ref)


@dataclasses.dataclass(frozen=True)
class Identification:
    """What the data says about one family under a framework, before anything is saved."""

    ticks: tuple[IndicatorTick, ...]  # the new ticks the figures make
    findings: tuple[Finding, ...]
    eligibility: EligibilityResult
    left_for_practitioner: tuple[str, ...]  # indicator codes no threshold decides


def identify(
    framework: Framework,
    thresholds: Sequence[DataThreshold],
    family: Family,
    people: Sequence[Person],
    measures: Sequence[Measure],
    *,
    as_at: dt.date,
    terms: Sequence[SchoolTerm],
    held: Sequence[Record] = (),
) -> Identification:
    """The indicators `family`'s figures tick as at `as_at`, and its eligibility with them and
    with what it already holds (`held`: ticks, assessments), as the framework's rule reads it."""
    findings = find(thresholds, people, measures, as_at=as_at, terms=terms)
    already = [r for r in held if isinstance(r, IndicatorTick)]
    ticks = ticks_for(family.id, findings, people, already=already)
    data = FamilyOutcomeData.from_records(family, [*people, *measures, *held, *ticks])
    decided = {t.indicator for t in thresholds}
    left = tuple(i.code for p in framework.problems for i in p.indicators if i.code not in decided)
    return Identification(tuple(ticks), tuple(findings), eligibility(framework, data), left)


@functools.cache
def _shipped_contents() -> dict[str, dict[str, Any]]:
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    found: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            content = json.loads(entry.read_text(encoding="utf-8"))
            found[f"{content['id']}@{content['version']}"] = content
    return found


def shipped_content(ref: str) -> Mapping[str, Any] | None:
    """The JSON of a framework that comes with fmdesk, by id@version; None for another."""
    return _shipped_contents().get(ref)
