"""The programme dashboard: the figures a council's papers report, each with its families.

Everything is worked out from records already read (the store reads each kind once), so the
same figures come out of the app, the PDF, the CSV and the command line. Every `Figure` carries
the ids of the families behind it, so a number on the screen opens the list it counts.

Definitions (docs/identified-families-csv.md, "The dashboard", says the same in words):
- The programme year runs 1 April to 31 March ("2025/26"); targets are set per year.
- A family is *identified* on its `identified_on` date; *allocated* on its first Allocation or
  move to allocated; *worked with* on its first move to engaged or active; *turned around* when
  its claim is ready or claimed (the day its last required result was sustained); *claimed* on
  the day the batch claiming it was sent to the funder (fmdesk.claims.counted_claims: a draft or
  a rejected batch claims nothing). "This year" counts families whose day falls in the year; "to
  date" counts every family that got there, dated or not.
- Consent: of the families that have answered (worked with, or refused), the share in each.
- Intensity: of the open cases being worked with (engaged or active).
- Step-up and step-down: of the families worked with, those closed stepped up to social care or
  stepped down to universal services (at any closure; a reopened family still counts).
- Star movement: for each area, families with two completed readings of the same instrument
  whose latest score is higher than their first; the average change is shown beside it.
- Outcomes by problem: of the families with the problem at entry, those whose problem is met.
- Claims by quarter: families claimed in each quarter of the programme year (Q1 = Apr-Jun), by
  the day their claim was sent.
"""

import dataclasses
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from fmdesk.assessment.record import Assessment, AssessmentState
from fmdesk.claims import FamilyOutcomes, turned_around_on

# Every CSV fmdesk writes goes through fmdesk/csvcells.py; csv_bytes is also named here, where
# the dashboard's callers have always imported it.
from fmdesk.csvcells import Number
from fmdesk.csvcells import csv_bytes as csv_bytes
from fmdesk.errors import ValidationError
from fmdesk.families import (
    ClosureReason,
    DeliveredBy,
    Family,
    FamilyStatus,
    Intensity,
    PastOrPresent,
    ReferralSource,
    StatusChange,
    Tenure,
)
from fmdesk.identification import local_filter_codes
from fmdesk.outcomes.framework import EligibilityKind
from fmdesk.outcomes.readiness import EVERY_PROBLEM
from fmdesk.outcomes.records import MeasureKind, MeasureStage
from fmdesk.payments import ProgrammeMoney, money_text
from fmdesk.plans import ActionStatus, FamilyPlan, current_plan, live_versions
from fmdesk.records import Record, record_kind
from fmdesk.stars.instrument import InstrumentCatalogue
from fmdesk.stars.reading import StarReading, completed_readings
from fmdesk.taf import TafMeeting, TafMember
from fmdesk.terms import terms_warnings

# ---- allocation --------------------------------------------------------------------------------


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Allocation(Record):
    """A family given to a practitioner (or moved from one to another), with the reason. It
    belongs to the family, so it travels with the family to the practitioner it names."""

    KIND: ClassVar[str] = "allocation"
    APPEND_ONLY: ClassVar[bool] = True

    on: dt.date
    to_store: str
    to_name: str = ""
    from_store: str = ""
    from_name: str = ""
    reason: str = ""
    by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("an allocation belongs to a family")
        if not self.to_store:
            raise ValueError("say which practitioner the family is allocated to")
        if self.from_store and not self.reason.strip():
            raise ValueError("say why the family is moving to another practitioner")


# ---- years, quarters and targets ---------------------------------------------------------------


def year_start(day: dt.date) -> int:
    """The calendar year the programme year holding `day` starts in (1 April)."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def year_bounds(start: int) -> tuple[dt.date, dt.date]:
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def quarter_label(day: dt.date) -> str:
    """ "2025/26 Q1" (April to June)."""
    start = year_start(day)
    quarter = ((day.month - 4) % 12) // 3 + 1
    return f"{year_label(start)} Q{quarter}"


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the programme quarter holding `day`."""
    month = 4 + 3 * (((day.month - 4) % 12) // 3)  # 4, 7, 10 or 13 (January next year)
    year = year_start(day) + (month - 1) // 12
    start = dt.date(year, (month - 1) % 12 + 1, 1)
    after = start.month + 3
    following = dt.date(start.year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


class Stage(enum.StrEnum):
    IDENTIFIED = "identified"
    ALLOCATED = "allocated"
    WORKED_WITH = "worked_with"
    TURNED_AROUND = "turned_around"
    CLAIMED = "claimed"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.IDENTIFIED: "Identified",
    Stage.ALLOCATED: "Allocated",
    Stage.WORKED_WITH: "Worked with",
    Stage.TURNED_AROUND: "Turned around",
    Stage.CLAIMED: "Claimed",
}


# The programme years targets can be set for, by the calendar year each starts in.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def check_year(year: int) -> int:
    """`year` as a programme year's first year, refused outside FIRST_YEAR to LAST_YEAR."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            f"The programme year must be from {FIRST_YEAR} to {LAST_YEAR} (the year it starts "
            f"in, e.g. 2025 for 2025/26); {year} is not."
        )
    return year


def parse_targets(data: Any) -> dict[int, dict[Stage, int]]:
    """Targets as the settings keep them: {"2025": {"identified": 400, ...}, ...}."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValidationError("targets: expected an object of years")
    targets: dict[int, dict[Stage, int]] = {}
    for year, values in data.items():
        if not str(year).isdigit() or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise ValidationError(
                f"targets.{year}: expected a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2025"
            )
        if not isinstance(values, Mapping):
            raise ValidationError(f"targets.{year}: expected an object")
        one: dict[Stage, int] = {}
        for key, value in values.items():
            try:
                stage = Stage(key)
            except ValueError:
                allowed = ", ".join(s.value for s in Stage)
                raise ValidationError(f"targets.{year}.{key}: not one of {allowed}") from None
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError(f"targets.{year}.{key}: expected a whole number, 0 or more")
            one[stage] = value
        targets[int(year)] = one
    return targets


def targets_to_plain(targets: Mapping[int, Mapping[Stage, int]]) -> dict[str, dict[str, int]]:
    return {
        str(year): {stage.value: value for stage, value in values.items()}
        for year, values in sorted(targets.items())
    }


# ---- figures -----------------------------------------------------------------------------------


class Chart(enum.StrEnum):
    TARGET = "target"  # bars against a target line
    SHARE = "share"  # each bar a share of its own whole
    COUNT = "count"  # plain counts
    TREND = "trend"  # a table: one row per `series`, one column per `period`


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    families: tuple[str, ...]  # ids of the families counted, for the list behind the figure
    target: int | None = None
    of: int | None = None  # the whole this is a share of
    average: float | None = None  # Star movement: the average change in score
    note: str = ""
    # A trend's row and column ("Identified", "Q1"); "" elsewhere.
    series: str = ""
    period: str = ""
    money: bool = False  # `value` is an amount in pence, not a count

    @property
    def percent(self) -> float | None:
        if self.of:
            return 100.0 * self.value / self.of
        if self.target:
            return 100.0 * self.value / self.target
        return None

    @property
    def value_text(self) -> str:
        if self.money:
            return money_text(self.value)
        if self.of is not None:
            share = f" ({self.percent:.0f}%)" if self.of else ""
            return f"{self.value} of {self.of}{share}"
        if self.target is not None:
            share = f" ({self.percent:.0f}%)" if self.target else ""
            return f"{self.value} of {self.target} target{share}"
        return str(self.value)


@dataclasses.dataclass(frozen=True)
class Section:
    key: str
    title: str
    chart: Chart
    figures: tuple[Figure, ...]
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Dashboard:
    year: int
    today: dt.date
    sections: tuple[Section, ...]
    family_count: int
    # Warnings about the day judged: a framework in use whose school terms do not reach it.
    notices: tuple[str, ...] = ()

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def figure(self, key: str) -> Figure:
        """A figure by its key, "section.figure" (e.g. "year.identified")."""
        section_key, _, figure_key = key.partition(".")
        for figure in self.section(section_key).figures:
            if figure.key == figure_key:
                return figure
        raise KeyError(key)

    def csv_rows(self) -> list[list[str]]:
        """The figures as rows for a CSV file, header first. The section and figure columns are
        text (names from the framework and Star instrument, which a council's file supplies);
        the rest are figures fmdesk worked out, given as `Number`s so that csv_bytes writes a
        negative average change as the number it is (fmdesk/csvcells.py)."""
        rows = [["section", "figure", "value", "of", "percent", "target", "average", "families"]]
        for section in self.sections:
            for f in section.figures:
                rows.append(
                    [
                        section.title,
                        f.label,
                        Number(f"{f.value // 100}.{f.value % 100:02d}" if f.money else f.value),
                        "" if f.of is None else Number(f.of),
                        "" if f.percent is None else Number(f"{f.percent:.1f}"),
                        "" if f.target is None else Number(f.target),
                        "" if f.average is None else Number(f"{f.average:+.2f}"),
                        Number(len(f.families)),
                    ]
                )
        return rows


@dataclasses.dataclass(frozen=True)
class ProgrammeRecords:
    """What the dashboard reads, gathered by the store (db/programme.py)."""

    families: Sequence[Family]
    changes: Sequence[StatusChange] = ()
    allocations: Sequence[Allocation] = ()
    readings: Sequence[StarReading] = ()
    outcomes: Mapping[str, FamilyOutcomes] = dataclasses.field(default_factory=dict)
    # The casework the dashboard counts: assessments, plan versions, TAF meetings and members
    # (any other kind given is ignored).
    casework: Sequence[Record] = ()


WORKING = (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE)


def stage_dates(
    records: ProgrammeRecords,
) -> dict[Stage, dict[str, dt.date | None]]:
    """For each stage, the families that reached it and the day they did (None: undated)."""
    families = [f for f in records.families if not f.deleted]
    changes: dict[str, list[StatusChange]] = defaultdict(list)
    for change in records.changes:
        if not change.deleted:
            changes[change.family_id].append(change)
    allocated_on: dict[str, dt.date] = {}
    for allocation in records.allocations:
        if allocation.deleted:
            continue
        seen = allocated_on.get(allocation.family_id)
        if seen is None or allocation.on < seen:
            allocated_on[allocation.family_id] = allocation.on
    reached: dict[Stage, dict[str, dt.date | None]] = {stage: {} for stage in Stage}
    for family in families:
        history = changes.get(family.id, [])
        reached[Stage.IDENTIFIED][family.id] = family.identified_on
        to_allocated = _first(history, {FamilyStatus.ALLOCATED})
        dates = [d for d in (to_allocated, allocated_on.get(family.id)) if d]
        worked = _first(history, set(WORKING))
        # A family closed straight from identified (never taken on) was never allocated.
        past_allocation = family.status in (FamilyStatus.ALLOCATED, FamilyStatus.REFUSED, *WORKING)
        if dates or family.allocated_to or past_allocation or worked is not None:
            reached[Stage.ALLOCATED][family.id] = min(dates) if dates else None
        if worked is not None or family.status in WORKING:
            reached[Stage.WORKED_WITH][family.id] = worked
        item = records.outcomes.get(family.id)
        if item is not None and item.turned_around:
            reached[Stage.TURNED_AROUND][family.id] = turned_around_on(item)
        claim = item.readiness.claim if item and item.readiness else None
        if claim is not None:
            reached[Stage.CLAIMED][family.id] = claim.claimed_on
    return reached


def _first(history: Iterable[StatusChange], statuses: set[FamilyStatus]) -> dt.date | None:
    days = [c.on for c in history if c.to_status in statuses]
    return min(days) if days else None


def build_dashboard(
    records: ProgrammeRecords,
    *,
    today: dt.date,
    year: int | None = None,
    targets: Mapping[int, Mapping[Stage, int]] | None = None,
    instruments: InstrumentCatalogue | None = None,
    money: ProgrammeMoney | None = None,
    programme_targets: Mapping[Stage, int] | None = None,
) -> Dashboard:
    """Every figure of the dashboard for programme year `year` (default: the one holding
    `today`), with this year's targets from `targets` and the whole programme's from
    `programme_targets` (families over every year of it, beside the programme to date); with
    the year's `money` (fmdesk.payments), its claimed and paid amounts."""
    year = year_start(today) if year is None else year
    first_day, last_day = year_bounds(year)
    year_targets = (targets or {}).get(year, {})
    families = {f.id: f for f in records.families if not f.deleted}
    reached = stage_dates(records)

    this_year = []
    to_date = []
    for stage in Stage:
        ids = reached[stage]
        in_year = tuple(
            sorted(fid for fid, day in ids.items() if day and first_day <= day <= last_day)
        )
        this_year.append(
            Figure(stage.value, stage.label, len(in_year), in_year, target=year_targets.get(stage))
        )
        everyone = tuple(sorted(ids))
        to_date.append(
            Figure(
                stage.value,
                stage.label,
                len(everyone),
                everyone,
                target=(programme_targets or {}).get(stage),
            )
        )
    against = any(f.target is not None for f in to_date)

    judged_on = today
    sections = [
        Section(
            "year",
            f"{year_label(year)} against target",
            Chart.TARGET,
            tuple(this_year),
            note=f"{first_day:%-d %b %Y} to {last_day:%-d %b %Y}",
        ),
        Section(
            "to_date",
            "Programme to date" + (" against the programme's target" if against else ""),
            Chart.TARGET if against else Chart.COUNT,
            tuple(to_date),
            note="Every year of the programme, against its target for the whole programme."
            if against
            else "",
        ),
        _trend(reached, year, judged_on, money),
        _delivery(families),
        _agencies(families),
        _taf_agencies(families, records, judged_on),
        _cohort(records),
        _characteristics(families),
        _referrals(families),
        _consent(records, reached),
        _intensity(families),
        _steps(records, reached, families),
        _closures(records, families, year),
        _casework(records, families, year),
        _actions(records, families, judged_on),
        _star(records, instruments or InstrumentCatalogue()),
        _outcomes_by_problem(records),
        _work(records, year),
        _claims_by_quarter(reached, year),
        _claims_by_route(records, year),
    ]
    if money is not None:  # the money beside the families, before the detail
        sections.insert(2, _money(money, reached, year))
    in_use = {
        item.framework.ref: item.framework
        for item in records.outcomes.values()
        if item.framework is not None and not item.family.deleted
    }
    notices = terms_warnings([in_use[ref] for ref in sorted(in_use)], today)
    return Dashboard(year, today, tuple(sections), len(families), tuple(notices))


def _quarters(year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The programme year's quarters: ("Q1", first day, last day), April to March."""
    starts = [
        dt.date(year, 4, 1),
        dt.date(year, 7, 1),
        dt.date(year, 10, 1),
        dt.date(year + 1, 1, 1),
    ]
    return [(f"Q{n}", *quarter_bounds(day)) for n, day in enumerate(starts, 1)]


def _trend(
    reached: Mapping[Stage, Mapping[str, dt.date | None]],
    year: int,
    today: dt.date,
    money: ProgrammeMoney | None = None,
) -> Section:
    """Each headline figure, quarter by quarter: the families whose day for it falls in the
    quarter, and (given the year's money) the amounts claimed and paid in it. A quarter that
    has not begun on the day judged says so."""
    figures = []
    for stage in Stage:
        for name, first, last in _quarters(year):
            ids = tuple(sorted(f for f, day in reached[stage].items() if _within(day, first, last)))
            figures.append(
                Figure(
                    f"{stage.value}:{name}",
                    f"{stage.label}, {year_label(year)} {name}",
                    len(ids),
                    ids,
                    note="still to come" if first > today else "",
                    series=stage.label,
                    period=name,
                )
            )
    if money is not None:
        for series, key, pick in (
            ("Claimed (£)", "money_claimed", "claimed"),
            ("Paid (£)", "money_paid", "paid"),
        ):
            for (name, first, _), quarter in zip(_quarters(year), money.quarters, strict=True):
                figures.append(
                    Figure(
                        f"{key}:{name}",
                        f"{series}, {year_label(year)} {name}",
                        getattr(quarter, pick),
                        (),
                        note="still to come" if first > today else "",
                        series=series,
                        period=name,
                        money=True,
                    )
                )
    return Section(
        "trend",
        f"Quarterly trend, {year_label(year)}",
        Chart.TREND,
        tuple(figures),
        note="Families reaching each stage in each quarter (Q1 is April to June)"
        + ("; the amounts claimed and paid in it." if money is not None else "."),
    )


def _within(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    return day is not None and first <= day <= last


def _open_cases(families: Mapping[str, Family]) -> list[Family]:
    return [f for f in families.values() if f.status in WORKING]


def _delivery(families: Mapping[str, Family]) -> Section:
    open_cases = _open_cases(families)
    order = [DeliveredBy.CORE_TEAM, DeliveredBy.WIDER_NETWORK, DeliveredBy.NOT_RECORDED]
    return Section(
        "delivery",
        "Who works with the families",
        Chart.SHARE,
        tuple(
            _share(
                who.value or "not_recorded",
                who.label,
                (f.id for f in open_cases if f.delivered_by is who),
                len(open_cases),
            )
            for who in order
        ),
        note="Families being worked with now: intensively by the programme's core team, or "
        "by a worker in the wider network of support.",
    )


def _by_name(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, set[str]]]:
    """(name, family id) pairs grouped by name, case and spacing aside: key -> (the spelling
    written most often, capitals first on a tie; the families)."""
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    families: dict[str, set[str]] = defaultdict(set)
    for name, family_id in pairs:
        tidy = " ".join(name.split())
        key = tidy.casefold()
        spellings[key][tidy] += 1
        families[key].add(family_id)
    return {
        key: (min(spellings[key], key=lambda w: (-spellings[key][w], w)), families[key])
        for key in families
    }


def _named_counts(
    groups: Mapping[str, tuple[str, set[str]]], whole: int, missing: Iterable[str] = ()
) -> tuple[Figure, ...]:
    figures = [
        _share(key, name, ids, whole)
        for key, (name, ids) in sorted(groups.items(), key=lambda kv: (-len(kv[1][1]), kv[0]))
    ]
    unnamed = tuple(sorted(missing))
    if unnamed:
        figures.append(_share("not_recorded", "Not recorded", unnamed, whole))
    return tuple(figures)


def _agencies(families: Mapping[str, Family]) -> Section:
    open_cases = _open_cases(families)
    groups = _by_name((f.lead_agency, f.id) for f in open_cases if f.lead_agency.strip())
    missing = (f.id for f in open_cases if not f.lead_agency.strip())
    return Section(
        "agencies",
        "Open cases by lead agency or team",
        Chart.SHARE,
        _named_counts(groups, len(open_cases), missing),
        note="Families being worked with now, by the agency or team leading the work.",
    )


def _taf_agencies(
    families: Mapping[str, Family], records: ProgrammeRecords, today: dt.date
) -> Section:
    open_ids = {f.id for f in _open_cases(families)}
    members = [
        m
        for m in records.casework
        if isinstance(m, TafMember) and m.family_id in open_ids and m.is_current(today)
    ]
    groups = _by_name((m.agency, m.family_id) for m in members)
    return Section(
        "taf_agencies",
        "Agencies in the teams around open cases",
        Chart.SHARE,
        _named_counts(groups, len(open_ids)),
        note="Families being worked with now with a current team member from each agency.",
    )


def _cohort(records: ProgrammeRecords) -> Section:
    """Of the eligible families under each framework, those showing each problem (national
    criterion) at entry; under a rule of national criteria plus local filters, those meeting
    enough national criteria alone and those meeting fewer plus a local filter."""
    eligible: dict[str, list[FamilyOutcomes]] = defaultdict(list)
    for item in records.outcomes.values():
        readiness, framework = item.readiness, item.framework
        if readiness is None or framework is None or item.family.deleted:
            continue
        if readiness.eligibility.eligible:
            eligible[framework.ref].append(item)
    many = len(eligible) > 1
    figures: list[Figure] = []
    for ref in sorted(eligible):
        items = eligible[ref]
        framework = items[0].framework
        assert framework is not None
        rule = framework.eligibility
        local = local_filter_codes(framework)
        suffix = f" ({ref})" if many else ""
        present = {
            item.family.id: {p.problem.code for p in item.readiness.eligibility.problems}
            for item in items
            if item.readiness is not None
        }
        for problem in framework.problems:
            label = (
                f"Local filter: {problem.name}"
                if problem.code in local and problem.name.casefold() != "local filter"
                else ("A local filter" if problem.code in local else problem.name)
            )
            figures.append(
                _share(
                    f"{ref}:{problem.code}",
                    label + suffix,
                    (fid for fid, codes in present.items() if problem.code in codes),
                    len(items),
                )
            )
        if rule.kind is EligibilityKind.NATIONAL_PLUS_LOCAL:
            alone, with_local = set(), set()
            for fid, codes in present.items():
                national = sum(code in codes for code in rule.national)
                if national >= rule.min_national_alone:
                    alone.add(fid)
                else:
                    with_local.add(fid)
            figures.append(
                _share(
                    f"{ref}:national_alone",
                    f"Meeting {rule.min_national_alone} national criteria{suffix}",
                    alone,
                    len(items),
                )
            )
            figures.append(
                _share(
                    f"{ref}:national_with_local",
                    f"Meeting {rule.min_national_with_local} plus a local filter{suffix}",
                    with_local,
                    len(items),
                )
            )
    return Section(
        "cohort",
        "Cohort profile: criteria at entry",
        Chart.SHARE,
        tuple(figures),
        note="Of the eligible families under each framework, those showing each problem at entry.",
    )


def _characteristics(families: Mapping[str, Family]) -> Section:
    everyone = list(families.values())
    figures: list[Figure] = []
    housed = [f for f in everyone if f.tenure is not Tenure.NOT_RECORDED]
    for tenure in Tenure:
        if tenure is Tenure.NOT_RECORDED:
            continue
        figures.append(
            _share(
                f"tenure:{tenure.value}",
                tenure.label,
                (f.id for f in housed if f.tenure is tenure),
                len(housed),
            )
        )
    for key, label, read in (
        ("domestic_abuse", "Domestic abuse a feature, past or present", "domestic_abuse"),
        ("social_care", "Known to children's social care, past or present", "known_to_social_care"),
    ):
        known = [f for f in everyone if getattr(f, read) is not PastOrPresent.NOT_RECORDED]
        figures.append(
            _share(
                key,
                label,
                (f.id for f in known if getattr(f, read) is PastOrPresent.YES),
                len(known),
            )
        )
    return Section(
        "characteristics",
        "Housing, domestic abuse and social care",
        Chart.SHARE,
        tuple(figures),
        note="Of the families for whom each is recorded.",
    )


def _referrals(families: Mapping[str, Family]) -> Section:
    everyone = list(families.values())
    order = [s for s in ReferralSource if s is not ReferralSource.NOT_RECORDED]
    return Section(
        "referrals",
        "Referral source",
        Chart.SHARE,
        tuple(
            _share(
                source.value or "not_recorded",
                source.label,
                (f.id for f in everyone if f.referral_source is source),
                len(everyone),
            )
            for source in [*order, ReferralSource.NOT_RECORDED]
        ),
        note="Every family in the programme, by where it was referred from.",
    )


def _share(key: str, label: str, ids: Iterable[str], whole: int, **extra: Any) -> Figure:
    chosen = tuple(sorted(ids))
    return Figure(key, label, len(chosen), chosen, of=whole, **extra)


def _consent(records: ProgrammeRecords, reached: Mapping[Stage, Mapping[str, Any]]) -> Section:
    worked = set(reached[Stage.WORKED_WITH])
    refused = {c.family_id for c in records.changes if c.to_status is FamilyStatus.REFUSED}
    refused |= {f.id for f in records.families if f.status is FamilyStatus.REFUSED}
    refused &= {f.id for f in records.families if not f.deleted}
    refused -= worked
    answered = len(worked) + len(refused)
    return Section(
        "consent",
        "Consent and refusal",
        Chart.SHARE,
        (
            _share("engaged", "Agreed to take part", worked, answered),
            _share("refused", "Refused", refused, answered),
        ),
        note="Of the families offered the programme who have answered.",
    )


def _intensity(families: Mapping[str, Family]) -> Section:
    open_cases = [f for f in families.values() if f.status in WORKING]
    return Section(
        "intensity",
        "Intensity of open cases",
        Chart.SHARE,
        tuple(
            _share(
                level.value,
                level.label,
                (f.id for f in open_cases if f.intensity is level),
                len(open_cases),
            )
            for level in Intensity
        ),
        note="Families being worked with now (engaged or active).",
    )


def _steps(
    records: ProgrammeRecords,
    reached: Mapping[Stage, Mapping[str, Any]],
    families: Mapping[str, Family],
) -> Section:
    worked = set(reached[Stage.WORKED_WITH])
    stepped_in = {
        f.id for f in families.values() if f.referral_source is ReferralSource.SOCIAL_CARE_STEP_DOWN
    }
    closures: dict[ClosureReason, set[str]] = defaultdict(set)
    for change in records.changes:
        if not change.deleted and change.closure_reason is not None:
            closures[change.closure_reason].add(change.family_id)
    return Section(
        "steps",
        "Step-up and step-down",
        Chart.SHARE,
        (
            _share(
                "up",
                "Stepped up to social care",
                closures[ClosureReason.STEPPED_UP] & worked,
                len(worked),
            ),
            _share(
                "down",
                "Stepped down to universal services",
                closures[ClosureReason.STEPPED_DOWN] & worked,
                len(worked),
            ),
            _share(
                "from_social_care",
                "Stepped down from social care into the programme",
                stepped_in & worked,
                len(worked),
            ),
        ),
        note="Of the families worked with: those closed stepped up or down, and those "
        "referred by children's social care stepping their case down.",
    )


def _closures(records: ProgrammeRecords, families: Mapping[str, Family], year: int) -> Section:
    first_day, last_day = year_bounds(year)
    by_reason: dict[ClosureReason, set[str]] = defaultdict(set)
    for change in records.changes:
        if (
            not change.deleted
            and change.family_id in families
            and change.to_status is FamilyStatus.CLOSED
            and change.closure_reason is not None
            and first_day <= change.on <= last_day
        ):
            by_reason[change.closure_reason].add(change.family_id)
    closed = set().union(*by_reason.values()) if by_reason else set()
    return Section(
        "closures",
        f"Cases closed in {year_label(year)}, by reason",
        Chart.SHARE,
        tuple(
            _share(reason.value, reason.label, by_reason[reason], len(closed))
            for reason in ClosureReason
        ),
        note="Of the families whose case was closed in the year, by the reason given.",
    )


def _casework(records: ProgrammeRecords, families: Mapping[str, Family], year: int) -> Section:
    first_day, last_day = year_bounds(year)
    live = [r for r in records.casework if not r.deleted and r.family_id in families]
    done = [
        a
        for a in live
        if isinstance(a, Assessment) and a.state is not AssessmentState.DRAFT and a.completed_on
    ]
    done_in_year = [a for a in done if _within(a.completed_on, first_day, last_day)]
    plans: dict[str, list[FamilyPlan]] = defaultdict(list)
    for record in live:
        if isinstance(record, FamilyPlan):
            plans[record.family_id].append(record)
    open_ids = {f.id for f in _open_cases(families)}
    in_place = set()
    for fid in open_ids:
        plan = current_plan(plans.get(fid, []))
        if plan is not None and plan.goals:
            in_place.add(fid)
    agreed = set()
    for fid, versions in plans.items():
        first = live_versions(versions)
        if first and _within(first[0].made_on, first_day, last_day):
            agreed.add(fid)
    meetings = [
        m for m in live if isinstance(m, TafMeeting) and _within(m.held_on, first_day, last_day)
    ]
    label = year_label(year)

    def count(key: str, words: str, items: Sequence[Record]) -> Figure:
        return Figure(key, words, len(items), tuple(sorted({r.family_id for r in items})))

    return Section(
        "casework",
        "Assessments, plans and TAF meetings",
        Chart.COUNT,
        (
            count("assessments_year", f"Assessments completed in {label}", done_in_year),
            count("assessments", "Assessments completed to date", done),
            _share("plans", "Open cases with a plan in place", in_place, len(open_ids)),
            Figure(
                "plans_year", f"First plans agreed in {label}", len(agreed), tuple(sorted(agreed))
            ),
            count("taf_meetings", f"TAF meetings held in {label}", meetings),
        ),
        note="Assessments and meetings are counted one by one; plans by family.",
    )


def _actions(records: ProgrammeRecords, families: Mapping[str, Family], today: dt.date) -> Section:
    open_ids = {f.id for f in _open_cases(families)}
    plans: dict[str, list[FamilyPlan]] = defaultdict(list)
    for record in records.casework:
        if isinstance(record, FamilyPlan) and not record.deleted and record.family_id in open_ids:
            plans[record.family_id].append(record)
    counts: dict[str, int] = defaultdict(int)
    owners: dict[str, set[str]] = defaultdict(set)
    total = 0
    for fid, versions in plans.items():
        plan = current_plan(versions)
        if plan is None:
            continue
        for action in plan.actions:
            total += 1
            counts[action.status.value] += 1
            owners[action.status.value].add(fid)
            if action.status.is_open and action.by_when < today:
                counts["overdue"] += 1
                owners["overdue"].add(fid)
    figures = [
        Figure(
            status.value,
            status.label,
            counts[status.value],
            tuple(sorted(owners[status.value])),
            of=total,
        )
        for status in (
            ActionStatus.DONE,
            ActionStatus.IN_PROGRESS,
            ActionStatus.NOT_STARTED,
            ActionStatus.DROPPED,
        )
    ]
    figures.append(
        Figure(
            "overdue",
            "Not done by the date agreed",
            counts["overdue"],
            tuple(sorted(owners["overdue"])),
            of=total,
        )
    )
    return Section(
        "actions",
        "Progress against plan actions",
        Chart.SHARE,
        tuple(figures),
        note="The actions in the current plans of the families being worked with now.",
    )


def _star(records: ProgrammeRecords, instruments: InstrumentCatalogue) -> Section:
    live = {f.id for f in records.families if not f.deleted}
    by_family: dict[str, list[StarReading]] = defaultdict(list)
    for reading in records.readings:
        if reading.family_id in live and reading.is_completed:
            by_family[reading.family_id].append(reading)
    # area key -> (family id, change)
    moves: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    order: list[tuple[str, str]] = []
    for family_id, readings in by_family.items():
        latest = completed_readings(readings)[-1]
        same = completed_readings(readings, latest.instrument_id)
        if len(same) < 2:
            continue
        first = same[0]
        try:
            instrument = instruments.get(latest.instrument)
        except ValidationError:
            continue
        for area in instrument.areas:
            before, after = first.score(area.id), latest.score(area.id)
            if before is None or after is None:
                continue
            key = (instrument.id, area.id)
            if key not in names:
                names[key] = area.name
                order.append(key)
            moves[key].append((family_id, after - before))
    figures = []
    many = len({k[0] for k in order}) > 1
    for key in order:
        pairs = moves[key]
        label = f"{names[key]} ({key[0]})" if many else names[key]
        figures.append(
            _share(
                f"{key[0]}:{key[1]}",
                label,
                (fid for fid, change in pairs if change > 0),
                len(pairs),
                average=sum(c for _, c in pairs) / len(pairs),
            )
        )
    return Section(
        "star",
        "Star movement by area",
        Chart.SHARE,
        tuple(figures),
        note="Families whose latest reading is higher than their first, of those read twice.",
    )


def _outcomes_by_problem(records: ProgrammeRecords) -> Section:
    present: dict[tuple[str, str], set[str]] = defaultdict(set)
    met: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], str] = {}
    order: dict[tuple[str, str], tuple[int, int]] = {}
    for item in records.outcomes.values():
        readiness, framework = item.readiness, item.framework
        if readiness is None or framework is None or item.family.deleted:
            continue
        codes = [p.code for p in framework.problems]
        # A local filter is a reason to take a family on, not a problem with outcomes of its
        # own: it would show stuck at 0 %.
        local = local_filter_codes(framework)
        for problem in readiness.problems:
            if problem.code in local:
                continue
            key = (framework.ref, problem.code)
            names[key] = problem.name
            order.setdefault(key, (len(order), codes.index(problem.code)))
            present[key].add(item.family.id)
            if problem.met:
                met[key].add(item.family.id)
    many = len({k[0] for k in names}) > 1
    keys = sorted(names, key=lambda k: (k[0], order[k][1]))
    return Section(
        "outcomes",
        "Outcomes by problem",
        Chart.SHARE,
        tuple(
            _share(
                f"{k[0]}:{k[1]}",
                f"{names[k]} ({k[0]})" if many else names[k],
                met[k],
                len(present[k]),
            )
            for k in keys
        ),
        note="Of the families with the problem at entry, those whose problem is met.",
    )


def _claims_by_quarter(reached: Mapping[Stage, Mapping[str, dt.date | None]], year: int) -> Section:
    by_quarter: dict[str, set[str]] = defaultdict(set)
    for family_id, day in reached[Stage.CLAIMED].items():
        if day is not None:
            by_quarter[quarter_label(day)].add(family_id)
    # The four quarters of the year always show (an empty quarter is news too), plus any
    # earlier or later quarter with claims.
    labels = set(by_quarter) | {f"{year_label(year)} Q{q}" for q in range(1, 5)}
    return Section(
        "claims",
        "Families claimed by quarter",
        Chart.COUNT,
        tuple(
            Figure(label, label, len(by_quarter[label]), tuple(sorted(by_quarter[label])))
            for label in sorted(labels)
        ),
    )


def _work(records: ProgrammeRecords, year: int) -> Section:
    """Adults into work (a later reading of "in work" for a person, or for the household when
    no person is named), the alternative routes achieved (continuous employment) and the
    progress-to-work results each framework counts beside its claim rule."""
    first_day, last_day = year_bounds(year)
    adults_year: dict[tuple[str, str], str] = {}
    adults: dict[tuple[str, str], str] = {}
    routes: dict[str, set[str]] = defaultdict(set)
    extras: dict[tuple[str, str], set[str]] = defaultdict(set)
    extra_names: dict[tuple[str, str], str] = {}
    for item in records.outcomes.values():
        family = item.family
        if family.deleted:
            continue
        for m in item.data.measures:
            if (
                m.deleted
                or m.kind is not MeasureKind.EMPLOYMENT
                or m.stage is not MeasureStage.LATER
                or m.value != 1
            ):
                continue
            key = (family.id, m.person_id)
            adults[key] = family.id
            if first_day <= m.on <= last_day:
                adults_year[key] = family.id
        readiness = item.readiness
        if readiness is None:
            continue
        for name, outcome in readiness.alternative_routes:
            if outcome.achieved:
                routes[name].add(family.id)
        for outcome in readiness.additional_results:
            key = (readiness.framework, outcome.code)
            extra_names[key] = outcome.text
            if outcome.achieved:
                extras[key].add(family.id)
    many = len({k[0] for k in extra_names}) > 1
    label = year_label(year)
    figures = [
        Figure(
            "adults_year",
            f"Adults into work in {label}",
            len(adults_year),
            tuple(sorted(set(adults_year.values()))),
        ),
        Figure(
            "adults", "Adults into work to date", len(adults), tuple(sorted(set(adults.values())))
        ),
    ]
    for name in sorted(routes):
        figures.append(
            Figure(
                f"route:{name}",
                f"Families achieving {name.lower()}",
                len(routes[name]),
                tuple(sorted(routes[name])),
            )
        )
    for key in sorted(extra_names):
        ref, code = key
        words = f"{extra_names[key]} ({code}{', ' + ref if many else ''})"
        figures.append(
            Figure(f"extra:{ref}:{code}", words, len(extras[key]), tuple(sorted(extras[key])))
        )
    return Section(
        "work",
        "Work and progress to work",
        Chart.COUNT,
        tuple(figures),
        note="Adults counted one by one (a household's reading counts as one adult); the rest "
        "count families.",
    )


def _claims_by_route(records: ProgrammeRecords, year: int) -> Section:
    first_day, last_day = year_bounds(year)
    in_year: dict[str, set[str]] = defaultdict(set)
    ever: dict[str, set[str]] = defaultdict(set)
    for item in records.outcomes.values():
        claim = item.readiness.claim if item.readiness else None
        if claim is None or item.family.deleted:
            continue
        route = claim.route.strip() or EVERY_PROBLEM
        ever[route].add(item.family.id)
        if first_day <= claim.claimed_on <= last_day:
            in_year[route].add(item.family.id)
    names = sorted(ever, key=lambda r: (r != EVERY_PROBLEM, r))
    label = year_label(year)
    figures = []
    for route in names:
        words = "Every problem turned around" if route == EVERY_PROBLEM else route.capitalize()
        figures.append(
            Figure(
                f"{route}:year",
                f"{words}, {label}",
                len(in_year[route]),
                tuple(sorted(in_year[route])),
            )
        )
        figures.append(
            Figure(
                f"{route}:to_date",
                f"{words}, to date",
                len(ever[route]),
                tuple(sorted(ever[route])),
            )
        )
    return Section(
        "routes",
        "Families claimed by route",
        Chart.COUNT,
        tuple(figures),
        note="Claims sent to the funder, by the route each family was claimed by.",
    )


def _money(
    money: ProgrammeMoney, reached: Mapping[Stage, Mapping[str, dt.date | None]], year: int
) -> Section:
    """The year's and the programme's claimed and paid amounts (fmdesk.payments), and the
    families claimed to date against the programme's target for families turned around."""
    first_day, last_day = year_bounds(year)
    claimed = reached[Stage.CLAIMED]
    in_year = tuple(sorted(f for f, day in claimed.items() if _within(day, first_day, last_day)))
    label = year_label(year)
    figures = (
        Figure(
            "claimed_year", f"Claimed in {label} (£)", money.claimed_in_year, in_year, money=True
        ),
        Figure("paid_year", f"Paid in {label} (£)", money.paid_in_year, (), money=True),
        Figure(
            "claimed",
            "Claimed to date (£)",
            money.claimed_to_date,
            tuple(sorted(claimed)),
            money=True,
        ),
        Figure("paid", "Paid to date (£)", money.paid_to_date, (), money=True),
    )
    notes = [
        "Claims sent to the funder and not rejected, priced by each framework's payment table."
    ]
    if money.target:
        notes.append(
            f"{money.families_claimed_to_date} families claimed to date: "
            f"{money.percent_of_target:.0f}% of the programme's target of {money.target} "
            "families turned around."
        )
    unpriced = sum(q.unpriced for q in money.quarters)
    if unpriced:
        notes.append(
            f"{unpriced} famil{'y' if unpriced == 1 else 'ies'} claimed in the year with no "
            "amount in their framework's payment table."
        )
    if money.paid_unstated:
        notes.append(
            f"{money.paid_unstated} paid batch{'es' if money.paid_unstated != 1 else ''} with "
            "no amount recorded: counted as paid what was claimed."
        )
    return Section("money", "Claimed and paid", Chart.COUNT, figures, note=" ".join(notes))
