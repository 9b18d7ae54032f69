"""English school terms for any year, so that attendance can always be judged by term.

A framework file carries a fixed list of term dates (`term_calendar`), and a fixed list ends:
Supporting Families 2022's ends with Summer 2026. The English school year is regular enough to
generate: autumn from the start of September to just before Christmas, spring from early January
to the Easter holiday, summer from after Easter to late July. Easter moves, so it is computed
(the Gregorian computus, as dateutil.easter and the Book of Common Prayer tables give it).

The dates generated are the usual pattern, not any council's: a council that holds its own dates
gives them as a list of `Term`s, and for any school year it covers its dates are used instead
(`known_terms`). Which dates a family's figures were judged against is then always one of three
named sources: the council's, the framework file's, or the generated pattern.

    english_terms(2026)                      # Autumn 2026, Spring 2027, Summer 2027
    known_terms(framework_terms, council)    # every term from the earliest known to 2100
    term_for(day, terms)                     # the term a day falls in (or the last one ended)
    outside_known_terms(day, terms)          # a plain sentence when a day is not covered
    terms_warnings(frameworks, day)          # each framework whose own dates do not reach a day,
                                             # and whose dates it is judged by instead

The council's dates are a definition of their own (kind "school-terms"; the schema
definitions/schemas/school-terms.schema.json, an example in definitions/school-terms/): added
with `fmdesk terms add FILE`, held in the store and sent to practitioners like a framework.
`read_school_terms` checks a file; `council_terms` merges every version a store holds (the newest
first); `calendar_with_council_terms` puts them first in a framework's calendar
(fmdesk.definition.with_council_terms gives the framework), which is what every outcome and
data threshold counted in terms is judged by.
"""

import bisect
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from fmdesk.errors import ValidationError
from fmdesk.schemas import SchemaName, check

# The first and last school years generated: wide enough for any record a store holds.
FIRST_YEAR = 1990
LAST_YEAR = 2100
GENERATED = "the usual English term pattern"


@dataclasses.dataclass(frozen=True)
class SchoolTerm:
    name: str  # "Autumn 2026", "Spring 2027", "Summer 2027"
    start: dt.date
    end: dt.date
    source: str = GENERATED  # "the council's term dates", "the framework's term calendar"


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also called
    Meeus/Jones/Butcher): 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def english_terms(school_year: int) -> tuple[SchoolTerm, SchoolTerm, SchoolTerm]:
    """The three terms of the school year that starts in September of `school_year`:

    - autumn: 1 September to 20 December;
    - spring: 4 January to the Thursday before Good Friday (schools break up for Easter);
    - summer: the Monday a week after Easter Monday (a two-week Easter holiday) to 22 July.

    The pattern of the shipped frameworks' own calendars, with Easter moved each year."""
    spring_year = school_year + 1
    easter = easter_sunday(spring_year)
    return (
        SchoolTerm(
            f"Autumn {school_year}", dt.date(school_year, 9, 1), dt.date(school_year, 12, 20)
        ),
        SchoolTerm(
            f"Spring {spring_year}", dt.date(spring_year, 1, 4), easter - dt.timedelta(days=3)
        ),
        SchoolTerm(
            f"Summer {spring_year}", easter + dt.timedelta(days=8), dt.date(spring_year, 7, 22)
        ),
    )


def _school_year(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def merged(*sources: Iterable[SchoolTerm]) -> tuple[SchoolTerm, ...]:
    """The terms of `sources` (the first given first) in date order: a term is taken from the
    first source that names it, and one that overlaps a term already taken from an earlier
    source is left out (a council's Spring 2027 ending on 1 April wins over the pattern's)."""
    names: set[str] = set()
    taken: list[SchoolTerm] = []  # in date order, none overlapping
    starts: list[dt.date] = []
    for source_terms in sources:
        for term in source_terms:
            if term.name in names:
                continue
            at = bisect.bisect_left(starts, term.start)
            if at > 0 and taken[at - 1].end >= term.start:
                continue
            if at < len(taken) and taken[at].start <= term.end:
                continue
            names.add(term.name)
            taken.insert(at, term)
            starts.insert(at, term.start)
    return tuple(taken)


def known_terms(
    framework_terms: Iterable[SchoolTerm] = (),
    council_terms: Iterable[SchoolTerm] = (),
    *,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
) -> tuple[SchoolTerm, ...]:
    """Every term from `first_year` to `last_year`, in order: each term as the council's dates
    give it, else as the framework's, else as the generated pattern (`merged`)."""
    generated = [t for year in range(first_year, last_year + 1) for t in english_terms(year)]
    return merged(council_terms, framework_terms, generated)


def term_index(day: dt.date, terms: Sequence[SchoolTerm]) -> int | None:
    """The index of the term `day` falls in; in a holiday, the term that ended last (readings
    are often taken just after a term ends); None before the first term."""
    starts = [t.start for t in terms]
    index = bisect.bisect_right(starts, day) - 1
    return index if index >= 0 else None


def term_for(day: dt.date, terms: Sequence[SchoolTerm]) -> SchoolTerm | None:
    index = term_index(day, terms)
    return None if index is None else terms[index]


def last_terms(day: dt.date, count: int, terms: Sequence[SchoolTerm]) -> tuple[SchoolTerm, ...]:
    """The `count` terms up to and including the one `day` falls in (or last ended)."""
    index = term_index(day, terms)
    if index is None:
        return ()
    return tuple(terms[max(0, index - count + 1) : index + 1])


def outside_known_terms(day: dt.date, terms: Sequence[SchoolTerm]) -> str:
    """ "" when `day` is in a known term or the holiday after one; otherwise a sentence saying
    which dates are known and what to do."""
    if not terms:
        return (
            f"No school terms are known, so attendance on {day.isoformat()} cannot be judged: "
            "add the council's term dates."
        )
    first, last = terms[0], terms[-1]
    holiday_after_last = last.end + dt.timedelta(days=45)  # the summer holiday
    if first.start <= day <= holiday_after_last:
        return ""
    return (
        f"{day.isoformat()} is outside the known school terms ({first.name}, "
        f"{first.start.isoformat()}, to {last.name}, {last.end.isoformat()}), so attendance "
        "then cannot be judged by term: add the council's term dates for that year."
    )


class DatedTerm(Protocol):
    """A term as a framework's calendar holds it (fmdesk.outcomes.framework.Term)."""

    @property
    def name(self) -> str: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...


FRAMEWORK_SOURCE = "the framework's term calendar"
COUNCIL_SOURCE = "the council's term dates"


def _source_of(term: DatedTerm, source: str = FRAMEWORK_SOURCE) -> str:
    if getattr(term, "council", False):
        return COUNCIL_SOURCE
    return GENERATED if getattr(term, "generated", False) else source


def from_framework(
    calendar: Iterable[DatedTerm], source: str = FRAMEWORK_SOURCE
) -> tuple[SchoolTerm, ...]:
    """A framework's `term_calendar` as SchoolTerms, each named by where its dates come from:
    the council's, the framework file's (`source`), or the generated pattern."""
    return tuple(SchoolTerm(t.name, t.start, t.end, _source_of(t, source)) for t in calendar)


class TermedFramework(Protocol):
    """A framework as far as its terms go (fmdesk.outcomes.framework.Framework)."""

    @property
    def name(self) -> str: ...
    @property
    def term_calendar(self) -> Sequence[DatedTerm]: ...


def covered(day: dt.date, terms: Sequence[DatedTerm]) -> bool:
    """Whether `day` is in one of these terms or the holiday after one (up to the next term, or
    the summer holiday after the last)."""
    if not terms:
        return False
    return terms[0].start <= day <= terms[-1].end + dt.timedelta(days=45)


def _own(calendar: Iterable[DatedTerm]) -> list[DatedTerm]:
    """The terms of a framework file's own dates (not the council's, not generated)."""
    return [
        t
        for t in calendar
        if not getattr(t, "generated", False) and not getattr(t, "council", False)
    ]


def terms_warnings(
    frameworks: Iterable[TermedFramework],
    day: dt.date,
    council_terms: Sequence[SchoolTerm] = (),
) -> list[str]:
    """One sentence for each framework whose own term dates do not reach `day`, saying which
    dates its attendance that day is judged by instead: the council's (held in the store, and
    already in the calendar of a framework from the store's library; or given here), or the
    usual English pattern, which a council's own dates may differ from. For the dashboard and
    `self-test`; [] when every framework's own dates cover the day."""
    found = []
    for framework in frameworks:
        calendar = framework.term_calendar
        own = _own(calendar)
        if not own or covered(day, own):
            continue
        council = [t for t in calendar if getattr(t, "council", False)] or list(council_terms)
        first, last = own[0], own[-1]
        when = "end with" if day > last.end else "start with"
        edge = last if day > last.end else first
        start = (
            f"{framework.name}: its term dates {when} {edge.name} ({edge.start.isoformat()} to "
            f"{edge.end.isoformat()}), so attendance on {day.isoformat()} is judged by "
        )
        if covered(day, council):
            term = term_for(day, from_framework(council))
            assert term is not None  # covered: the day is on or after the first term
            found.append(
                f"{start}{COUNCIL_SOURCE} ({term.name}, {term.start.isoformat()} to "
                f"{term.end.isoformat()})"
            )
            continue
        usual = term_for(day, known_terms())
        pattern = (
            f"the usual English pattern ({usual.name}, {usual.start.isoformat()} to "
            f"{usual.end.isoformat()})"
            if usual
            else "no known term"
        )
        found.append(
            f"{start}{pattern}: add the council's term dates ('fmdesk terms add'), or a newer "
            "version of the framework, to judge it by the council's own"
        )
    return found


# ---- the council's term dates, a definition of their own --------------------------------------

_NAME = re.compile(r"^(Autumn|Spring|Summer) ([0-9]{4})$")
# The months each term may start in (a late Easter puts the summer term into May).
_START_MONTHS = {"Autumn": (8, 9, 10), "Spring": (1, 2), "Summer": (4, 5)}


@dataclasses.dataclass(frozen=True)
class SchoolTermDates:
    """A council's school term dates: a definition (kind "school-terms") held in the store,
    sent to practitioners like a framework, and versioned like one."""

    id: str
    version: str
    name: str
    terms: tuple[SchoolTerm, ...]
    description: str = ""
    source: str = ""

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def covers(self) -> str:
        """ "Autumn 2026 to Summer 2028" """
        return f"{self.terms[0].name} to {self.terms[-1].name}"


def read_school_terms(data: Any, source: str = "school term dates") -> SchoolTermDates:
    """Check a council's term dates file (its JSON) and read it. Refused (ValidationError
    naming `source` and the place) when it does not fit the schema, or a term ends before it
    starts, overlaps the one before, comes twice, or is named for another time of year."""
    check(SchemaName.SCHOOL_TERMS, data, source=source)
    terms: list[SchoolTerm] = []
    for index, item in enumerate(data["terms"]):
        place = f"{source}: terms[{index}]"
        term = SchoolTerm(
            item["name"].strip(),
            dt.date.fromisoformat(item["start"]),
            dt.date.fromisoformat(item["end"]),
            COUNCIL_SOURCE,
        )
        if term.end < term.start:
            raise ValidationError(f"{place}.end: a term must end after it starts")
        season, year = _season(term.name)
        if term.start.year != year or term.start.month not in _START_MONTHS[season]:
            months = " or ".join(dt.date(2000, m, 1).strftime("%B") for m in _START_MONTHS[season])
            raise ValidationError(
                f"{place}.start: {term.name} starts in {months} {year}, not on "
                f"{term.start.isoformat()}"
            )
        if terms and term.start <= terms[-1].end:
            raise ValidationError(
                f"{place}.start: terms must be in order and not overlap {terms[-1].name!r}"
            )
        if any(t.name == term.name for t in terms):
            raise ValidationError(f"{place}.name: {term.name!r} is given twice")
        terms.append(term)
    return SchoolTermDates(
        id=data["id"],
        version=data["version"],
        name=data["name"].strip(),
        terms=tuple(terms),
        description=str(data.get("description", "")).strip(),
        source=str(data.get("source", "")).strip(),
    )


def _season(name: str) -> tuple[str, int]:
    found = _NAME.match(name)
    assert found is not None  # the schema's pattern
    return found.group(1), int(found.group(2))


def council_terms(held: Sequence[SchoolTermDates]) -> tuple[SchoolTerm, ...]:
    """The council's terms from every set of dates a store holds, oldest first as held: each
    term as the newest set that gives it (a correction in a new version wins; last year's
    dates stay when this year's are added)."""
    return merged(*(dates.terms for dates in reversed(held)))


def calendar_with_council_terms(
    calendar: Sequence[DatedTerm], council: Sequence[SchoolTerm]
) -> tuple[SchoolTerm, ...]:
    """A framework's term calendar with the council's dates in it: each term as the council's
    dates give it, else the framework file's own, else the generated pattern (a term of either
    that overlaps one of the council's is left out), each named by its source. From the first
    school year the council or the file gives, to LAST_YEAR."""
    own = from_framework(_own(calendar))
    first_year = min(_school_year(t.start) for t in (*own[:1], council[0]))
    generated = [t for year in range(first_year, LAST_YEAR + 1) for t in english_terms(year)]
    return merged([dataclasses.replace(t, source=COUNCIL_SOURCE) for t in council], own, generated)
