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
    terms_warnings(frameworks, day)          # each framework whose own dates do not reach a day
"""

import bisect
import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

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


def known_terms(
    framework_terms: Iterable[SchoolTerm] = (),
    council_terms: Iterable[SchoolTerm] = (),
    *,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
) -> tuple[SchoolTerm, ...]:
    """Every term from `first_year` to `last_year`, in order: for each school year the council's
    dates where it gives any, else the framework's, else the generated pattern."""
    by_year: dict[int, list[SchoolTerm]] = {}
    for source_terms in (council_terms, framework_terms):
        given: dict[int, list[SchoolTerm]] = {}
        for term in source_terms:
            given.setdefault(_school_year(term.start), []).append(term)
        for year, terms in given.items():
            by_year.setdefault(year, terms)
    found: list[SchoolTerm] = []
    for year in range(first_year, last_year + 1):
        found.extend(sorted(by_year.get(year) or english_terms(year), key=lambda t: t.start))
    for year in sorted(y for y in by_year if not first_year <= y <= last_year):
        found.extend(by_year[year])
    found.sort(key=lambda t: t.start)
    return tuple(found)


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


def from_framework(
    calendar: Iterable[DatedTerm], source: str = FRAMEWORK_SOURCE
) -> tuple[SchoolTerm, ...]:
    """A framework's `term_calendar` as SchoolTerms (the terms generated after its own dates
    named as such)."""
    return tuple(
        SchoolTerm(t.name, t.start, t.end, GENERATED if getattr(t, "generated", False) else source)
        for t in calendar
    )


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


def terms_warnings(
    frameworks: Iterable[TermedFramework],
    day: dt.date,
    council_terms: Sequence[SchoolTerm] = (),
) -> list[str]:
    """One sentence for each framework whose own term dates (and the council's) do not reach
    `day`: its attendance is then judged by the usual English pattern, which a council's own
    dates may differ from. For the dashboard and `self-test`; [] when every framework's own
    dates cover the day."""
    if covered(day, council_terms):
        return []
    found = []
    usual = term_for(day, known_terms())
    for framework in frameworks:
        own = [t for t in framework.term_calendar if not getattr(t, "generated", False)]
        if not own or covered(day, own):
            continue
        first, last = own[0], own[-1]
        when = "end with" if day > last.end else "start with"
        edge = last if day > last.end else first
        pattern = (
            f"the usual English pattern ({usual.name}, {usual.start.isoformat()} to "
            f"{usual.end.isoformat()})"
            if usual
            else "no known term"
        )
        found.append(
            f"{framework.name}: its term dates {when} {edge.name} ({edge.start.isoformat()} to "
            f"{edge.end.isoformat()}), so attendance on {day.isoformat()} is judged by "
            f"{pattern}: add the council's term dates, or a newer version of the framework, "
            "to judge it by the council's own"
        )
    return found
