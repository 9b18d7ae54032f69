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

from fmdesk.claims import FamilyOutcomes, turned_around_on

# Every CSV fmdesk writes goes through fmdesk/csvcells.py; csv_bytes is also named here, where
# the dashboard's callers have always imported it.
from fmdesk.csvcells import Number
from fmdesk.csvcells import csv_bytes as csv_bytes
from fmdesk.errors import ValidationError
from fmdesk.families import (
    ClosureReason,
    Family,
    FamilyStatus,
    Intensity,
    StatusChange,
)
from fmdesk.records import Record, record_kind
from fmdesk.stars.instrument import InstrumentCatalogue
from fmdesk.stars.reading import StarReading, completed_readings

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

    @property
    def percent(self) -> float | None:
        if self.of:
            return 100.0 * self.value / self.of
        if self.target:
            return 100.0 * self.value / self.target
        return None

    @property
    def value_text(self) -> str:
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
                        Number(f.value),
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
) -> Dashboard:
    """Every figure of the dashboard for programme year `year` (default: the one holding
    `today`), with this year's targets from `targets`."""
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
        to_date.append(Figure(stage.value, stage.label, len(everyone), everyone))

    sections = [
        Section(
            "year",
            f"{year_label(year)} against target",
            Chart.TARGET,
            tuple(this_year),
            note=f"{first_day:%-d %b %Y} to {last_day:%-d %b %Y}",
        ),
        Section("to_date", "Programme to date", Chart.COUNT, tuple(to_date)),
        _consent(records, reached),
        _intensity(families),
        _steps(records, reached),
        _star(records, instruments or InstrumentCatalogue()),
        _outcomes_by_problem(records),
        _claims_by_quarter(reached, year),
    ]
    return Dashboard(year, today, tuple(sections), len(families))


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


def _steps(records: ProgrammeRecords, reached: Mapping[Stage, Mapping[str, Any]]) -> Section:
    worked = set(reached[Stage.WORKED_WITH])
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
        ),
        note="Of the families worked with, those closed with each reason.",
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
        for problem in readiness.problems:
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
