"""Identified families from the council's data matching, as a CSV file (one row per person).

The format is in docs/identified-families-csv.md. `parse_identified_csv` reads the file's bytes
(UTF-8, with or without the byte-order mark Excel writes), checks every row and returns an
`IdentifiedImport`: the families it would add, each with its people and baseline measures, the
errors (each naming the spreadsheet row and the column), and the families skipped as already
held. Nothing is written here; db/programme.py saves what the user accepts.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first person row 2.
"""

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from fmdesk import references
from fmdesk import text as fmtext
from fmdesk.csvcells import could_be_formula, formula_warning
from fmdesk.errors import ValidationError
from fmdesk.families import Family, FamilyStatus, Person, PersonRole, ReferralSource
from fmdesk.outcomes.eligibility import EligibilityResult
from fmdesk.outcomes.records import IndicatorTick, Measure, MeasureKind, MeasureStage

if TYPE_CHECKING:
    import _csv

# column -> what it holds, for the docs and the error messages
COLUMNS: dict[str, str] = {
    "family_key": "the household's key from data matching; it becomes the case reference",
    "case_id": "the family's id in the council's case system (once per family)",
    "upn": "the child's unique pupil number",
    "nhs_number": "the person's NHS number",
    "household_name": "what the family is called, e.g. 'Nowak family' (default: from surname)",
    "identified_on": "the day the family was identified (default: the day of the import)",
    "address": "the household's address",
    "postcode": "the household's postcode",
    "role": "parent, carer, child or other adult",
    "given_name": "the person's first name",
    "surname": "the person's family name",
    "date_of_birth": "the person's date of birth",
    "gender": "as the source records it",
    "school": "the child's school",
    "attendance_percent": "school attendance over the term, 0 to 100",
    "exclusions": "fixed-term exclusions in the term",
    "term_end": "the last day of the term the attendance and exclusions cover",
    "offences": "proven offences over the period",
    "asb_incidents": "anti-social behaviour incidents over the period",
    "police_callouts": "police call-outs to the home over the period (once per family)",
    "period_start": "the first day of the period the counts cover",
    "period_end": "the last day of the period the counts cover",
    "out_of_work_benefits": "yes or no",
    "benefit": "which benefit: jsa, esa, uc, is or other",
    "benefits_on": "the day the benefit position was checked",
}
REQUIRED = ("family_key", "role", "given_name")
# Kept as written, so a value that a spreadsheet would run as a formula is warned about (the
# other columns are read as dates, numbers or words, and such a value is refused there).
TEXT_COLUMNS = (
    "family_key",
    "household_name",
    "address",
    "postcode",
    "given_name",
    "surname",
    "gender",
    "school",
)
FAMILY_FIELDS = ("household_name", "identified_on", "address", "postcode", "case_id")
ROLE_WORDS = {
    "parent": PersonRole.PARENT_CARER,
    "carer": PersonRole.PARENT_CARER,
    "parent/carer": PersonRole.PARENT_CARER,
    "parent or carer": PersonRole.PARENT_CARER,
    "parent_carer": PersonRole.PARENT_CARER,
    "mother": PersonRole.PARENT_CARER,
    "father": PersonRole.PARENT_CARER,
    "child": PersonRole.CHILD,
    "young person": PersonRole.CHILD,
    "other adult": PersonRole.OTHER_ADULT,
    "other_adult": PersonRole.OTHER_ADULT,
    "adult": PersonRole.OTHER_ADULT,
}
BENEFITS = ("jsa", "esa", "uc", "is", "other")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_ROWS = 200_000
SOURCE = "Data matching (CSV)"


@dataclasses.dataclass(frozen=True)
class CsvProblem:
    row: int  # as the spreadsheet numbers it (the header is 1); 0 for the file as a whole
    column: str  # "" when the problem is the whole row
    message: str

    def __str__(self) -> str:
        where = "The file" if self.row == 0 else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclasses.dataclass(frozen=True)
class IdentifiedFamily:
    key: str
    family: Family
    people: tuple[Person, ...]
    measures: tuple[Measure, ...]
    rows: tuple[int, ...]
    # The indicators the family's figures tick under the framework's data thresholds
    # (fmdesk/identification.py), and its eligibility with them; set when a framework is given.
    ticks: tuple[IndicatorTick, ...] = ()
    eligibility: EligibilityResult | None = None

    @property
    def records(self) -> list[Family | Person | Measure | IndicatorTick]:
        return [self.family, *self.people, *self.measures, *self.ticks]


@dataclasses.dataclass(frozen=True)
class Duplicate:
    key: str
    rows: tuple[int, ...]
    reason: str  # "reference FM-0042 is already held", "Zoë Nowak (born ...) is in FM-0042"
    existing_family_id: str


@dataclasses.dataclass(frozen=True)
class IdentifiedImport:
    families: tuple[IdentifiedFamily, ...]  # every family with no error and not a duplicate
    errors: tuple[CsvProblem, ...]
    duplicates: tuple[Duplicate, ...]
    rejected_keys: tuple[str, ...]  # families left out because a row of theirs has an error
    row_count: int
    # Values imported as written that a spreadsheet may run as a formula (fmdesk/csvcells.py)
    warnings: tuple[CsvProblem, ...] = ()
    framework: str = ""  # id@version the families are attached under; "" for none
    # Rows that could not be read as rows at all (a cell too long for the reader, lines taken
    # into an unclosed quote): counted in row_count and named in errors.
    unreadable_rows: int = 0

    @property
    def eligible_count(self) -> int:
        return sum(1 for f in self.families if f.eligibility and f.eligibility.eligible)

    @property
    def tick_count(self) -> int:
        return sum(len(f.ticks) for f in self.families)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def people_count(self) -> int:
        return sum(len(f.people) for f in self.families)

    def summary(self) -> str:
        parts = [
            f"{self.row_count} row{'s' if self.row_count != 1 else ''} read",
            f"{len(self.families)} new famil{'ies' if len(self.families) != 1 else 'y'} "
            f"({self.people_count} people)",
        ]
        if self.framework:
            parts.append(
                f"{self.eligible_count} eligible under {self.framework} by their figures "
                f"({self.tick_count} indicator{'s' if self.tick_count != 1 else ''} ticked "
                "from the data)"
            )
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already held")
        if self.errors:
            parts.append(
                f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''} in "
                f"{len(self.rejected_keys)} famil{'ies' if len(self.rejected_keys) != 1 else 'y'}"
            )
        if self.unreadable_rows:
            parts.append(
                f"{self.unreadable_rows} row{'s' if self.unreadable_rows != 1 else ''} could not "
                "be read"
            )
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return ", ".join(parts) + "."


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9%]+", "_", name.strip().casefold()).strip("_").replace("%", "percent")


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"The file is not UTF-8 text (first unreadable byte on line {line}). In Excel, "
            "save it with 'Save as type: CSV UTF-8 (Comma delimited)'."
        ) from None


def parse_date(value: str) -> dt.date:
    """YYYY-MM-DD, or DD/MM/YYYY as a UK spreadsheet writes it."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if found:
            day, month, year = map(int, found.groups())
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date (write it as YYYY-MM-DD or DD/MM/YYYY)")


def _person_key(given: str, surname: str, born: dt.date | None) -> tuple[str, str, str] | None:
    if born is None:
        return None
    # Normal form C first: "ë" typed as one character or as "e" and a combining mark is one name.
    given, surname = fmtext.nfc(given.strip()), fmtext.nfc(surname.strip())
    return (given.casefold(), surname.casefold(), born.isoformat())


# The record field a column fills, for the text rule (fmdesk/text.py) it must meet.
_FIELD_OF = {
    "family_key": "reference",
    "household_name": "name",
    "given_name": "given_name",
    "surname": "family_name",
}


class _Row:
    """One row's cells, with checked readers that note a problem instead of raising."""

    def __init__(self, number: int, cells: Mapping[str, str], problems: list[CsvProblem]) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems
        self.refused: set[str] = set()  # columns whose text a record may not hold

    def text(self, column: str) -> str:
        """The cell's text, in normal form C; "" (and the problem noted once) if it holds what
        a record may not: a control character, a direction override, too many characters."""
        value = (self.cells.get(column) or "").strip()
        try:
            return fmtext.clean(value, _FIELD_OF.get(column, column), "it")
        except ValueError as exc:
            self.fail(column, str(exc))
            self.refused.add(column)
            return ""

    def fail(self, column: str, message: str) -> None:
        if column not in self.refused:  # said once: not also "is empty"
            self.problems.append(CsvProblem(self.number, column, message))

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def number_(self, column: str, *, whole: bool, high: float | None = None) -> float | None:
        value = self.text(column).rstrip("%").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.fail(column, f"{self.text(column)!r} is not a number")
            return None
        if whole and not number.is_integer():
            self.fail(column, f"{self.text(column)!r} is not a whole number")
            return None
        if number < 0 or (high is not None and number > high):
            limit = f"0 to {high:g}" if high is not None else "0 or more"
            self.fail(column, f"{self.text(column)!r} is out of range ({limit})")
            return None
        return number


def parse_identified_csv(
    data: bytes,
    *,
    today: dt.date,
    existing_families: Iterable[Family] = (),
    existing_people: Iterable[Person] = (),
    framework: str = "",
) -> IdentifiedImport:
    """Check the whole file. A file-level fault (not UTF-8, a missing or unknown column) is one
    problem on row 0 and nothing else is read."""
    try:
        text = decode(data)
    except ValidationError as exc:
        return IdentifiedImport((), (CsvProblem(0, "", str(exc)),), (), (), 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header_cells = next(reader)
    except StopIteration:
        return IdentifiedImport((), (CsvProblem(0, "", "The file is empty."),), (), (), 0)
    except csv.Error as exc:
        return IdentifiedImport((), (CsvProblem(1, "", f"cannot be read: {exc}"),), (), (), 0)
    header = [normalise_header(h) for h in header_cells]
    file_problems = []
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        file_problems.append(
            CsvProblem(
                1,
                unknown[0],
                "is not a column this format has (a misspelt column would lose its data); "
                "see docs/identified-families-csv.md for the columns",
            )
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        file_problems.append(CsvProblem(1, missing[0], "this column is required"))
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        file_problems.append(CsvProblem(1, repeated[0], "appears twice in the header"))
    if file_problems:
        return IdentifiedImport((), tuple(file_problems), (), (), 0)

    problems: list[CsvProblem] = []
    warnings: list[CsvProblem] = []
    groups: dict[str, list[_Row]] = {}
    counted = RowCount()
    broken: set[str] = set()  # families with rows taken into an unclosed quote
    for line in csv_rows(reader, header, problems, counted):
        number, cells = line.number, line.cells
        if line.swallowed is not None:
            column, lines = line.swallowed
            # The row's family, and each family a swallowed line begins with, is left out
            # whole: nothing of a family is imported without all its rows.
            key_at = header.index("family_key")
            broken.add(fmtext.nfc(cells[key_at].strip()) if len(cells) > key_at else "")
            for taken in cells[header.index(column)].split("\n")[1:]:
                if taken.strip():
                    broken.add(fmtext.nfc(taken.split(",")[0].strip().strip('"')))
            problems.append(
                CsvProblem(
                    number,
                    column,
                    f'opens a quote (") that is not closed, so the {lines} line'
                    f"{'s' if lines != 1 else ''} after it (lines {line.first_line + 1} to "
                    f"{line.last_line} of the file) were read into this cell and not as "
                    "rows: close the quote, or take it out",
                )
            )
            continue
        if len(cells) > len(header):
            problems.append(
                CsvProblem(
                    number,
                    "",
                    f"has {len(cells)} cells but the header has {len(header)} columns",
                )
            )
        row = _Row(number, dict(zip(header, cells, strict=False)), problems)
        warnings.extend(
            CsvProblem(number, column, formula_warning(value))
            for column in TEXT_COLUMNS
            if could_be_formula(value := row.cells.get(column) or "")
        )
        key = row.text("family_key")
        if not key:
            row.fail("family_key", "is empty; every row needs its household's key")
            continue
        groups.setdefault(key, []).append(row)

    held_refs = {
        fmtext.nfc(f.reference.strip()).casefold(): f for f in existing_families if not f.deleted
    }
    held_people: dict[tuple[str, str, str], Person] = {}
    held_ids: dict[tuple[str, str], Person] = {}  # ("upn" | "nhs", value): the council's ids
    for person in existing_people:
        if person.deleted:
            continue
        known = _person_key(person.given_name, person.family_name, person.date_of_birth)
        if known:
            held_people[known] = person
        for ident in _idents(person):
            held_ids[ident] = person
    held_cases = {f.case_id: f for f in existing_families if f.case_id and not f.deleted}
    ref_of = {f.id: f.reference for f in held_refs.values()}
    seen_ids: dict[tuple[str, str], tuple[int, str]] = {}

    families = []
    duplicates = []
    rejected = []
    seen_people: dict[tuple[str, str, str], tuple[int, str, Person]] = {}
    for key, rows in groups.items():
        before = len(problems)
        built = _family(key, rows, today, framework)
        for row, person in built.people_rows:
            pkey = _person_key(person.given_name, person.family_name, person.date_of_birth)
            if pkey is None:
                continue
            for ident in _idents(person):
                if ident in seen_ids and seen_ids[ident][1] != key:
                    row.fail(
                        "upn" if ident[0] == "upn" else "nhs_number",
                        f"{ident[1]} is also on row {seen_ids[ident][0]} (family "
                        f"{seen_ids[ident][1]}): one person cannot be in two families",
                    )
                seen_ids.setdefault(ident, (row.number, key))
            if pkey in seen_people:
                first_row, first_key, first = seen_people[pkey]
                if first_key == key:
                    row.fail(
                        "given_name",
                        f"{person.full_name} born {person.date_of_birth} is already on row "
                        f"{first_row}",
                    )
                elif not _told_apart(person, first):
                    # Two people may share a name and a birthday: flagged, never merged.
                    warnings.append(
                        CsvProblem(
                            row.number,
                            "given_name",
                            f"{person.full_name} born {person.date_of_birth} is also on row "
                            f"{first_row} (family {first_key}): confirm they are two people "
                            "(their UPN or NHS number tells them apart)",
                        )
                    )
            else:
                seen_people[pkey] = (row.number, key, person)
        numbers = tuple(r.number for r in rows)
        if len(problems) > before or key in broken:
            rejected.append(key)
            continue
        case = built.family.case_id
        if case and case in held_cases:
            duplicates.append(
                Duplicate(
                    key,
                    numbers,
                    f"case id {case} is already held as {held_cases[case].reference}",
                    held_cases[case].id,
                )
            )
            continue
        by_id = next(
            ((p, held_ids[i]) for _, p in built.people_rows for i in _idents(p) if i in held_ids),
            None,
        )
        if by_id is not None:
            new_person, old_person = by_id
            duplicates.append(
                Duplicate(
                    key,
                    numbers,
                    f"{new_person.full_name} ({new_person.upn or new_person.nhs_number}) is "
                    f"already in family {ref_of.get(old_person.family_id, 'held here')}",
                    old_person.family_id,
                )
            )
            continue
        held = held_refs.get(key.casefold())
        if held is not None:
            duplicates.append(
                Duplicate(key, numbers, f"reference {held.reference} is already held", held.id)
            )
            continue
        for row, p in built.people_rows:
            k = _person_key(p.given_name, p.family_name, p.date_of_birth)
            old = held_people.get(k) if k else None
            if old is not None and not _told_apart(p, old):
                # A name and birthday held already: for a person to confirm, never merged.
                warnings.append(
                    CsvProblem(
                        row.number,
                        "given_name",
                        f"{p.full_name}, born {p.date_of_birth}, has the name and birthday of "
                        f"someone in family {ref_of.get(old.family_id, 'held here')}: confirm "
                        "they are two people",
                    )
                )
        families.append(
            IdentifiedFamily(
                key,
                built.family,
                tuple(p for _, p in built.people_rows),
                tuple(built.measures),
                numbers,
            )
        )
    rejected.extend(k for k in sorted(broken) if k and k not in groups)
    problems.sort(key=lambda p: (p.row, p.column))
    return IdentifiedImport(
        tuple(families),
        tuple(problems),
        tuple(duplicates),
        tuple(rejected),
        counted.rows,
        tuple(warnings),
        unreadable_rows=counted.unreadable,
    )


def _idents(person: Person) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (("upn", person.upn), ("nhs", person.nhs_number)) if v]


def _told_apart(one: Person, other: Person) -> bool:
    """Whether the council's identifiers say two people are different people."""
    return bool(
        (one.upn and other.upn and one.upn != other.upn)
        or (one.nhs_number and other.nhs_number and one.nhs_number != other.nhs_number)
    )


@dataclasses.dataclass
class RowCount:
    """How many rows a file had (blank lines not counted), and how many could not be read."""

    rows: int = 0
    unreadable: int = 0


@dataclasses.dataclass(frozen=True)
class CsvLine:
    """One row of a council CSV, as read."""

    number: int  # the row's number, the header being row 1 (as a spreadsheet numbers them)
    cells: list[str]
    first_line: int  # the lines of the file it was read from
    last_line: int
    # (column, lines) when a cell opened a quote never closed and took the lines after it.
    swallowed: tuple[str, int] | None


def csv_rows(
    reader: "_csv.Reader", header: Sequence[str], problems: list[CsvProblem], counted: RowCount
) -> Iterator[CsvLine]:
    """Every row after the header with something in it, each row accounted for in `counted`:
    a row the reader cannot take (a cell over its size limit) is said in `problems`, counted
    unreadable, and the rows after it still read; the lines an unclosed quote took are counted
    unreadable too (the row comes with `swallowed`, for the caller to say what it leaves out).
    More than MAX_ROWS refuses the whole file. Shared by the identification and update CSVs."""
    number = 1
    while True:
        number += 1
        line_before = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            counted.rows += 1
            counted.unreadable += 1
            problems.append(CsvProblem(number, "", f"cannot be read ({exc}); the row is left out"))
            continue
        if not any(c.strip() for c in cells):
            continue  # Excel leaves blank lines at the end
        counted.rows += 1
        if counted.rows > MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS} rows; split it.")
        line_after = reader.line_num
        swallowed = _unclosed_quote(cells, header, line_after - line_before)
        if swallowed is not None:
            counted.rows += swallowed[1]
            counted.unreadable += swallowed[1]
        yield CsvLine(number, cells, line_before + 1, line_after, swallowed)


def _unclosed_quote(
    cells: Sequence[str], header: Sequence[str], lines: int
) -> tuple[str, int] | None:
    """(column, lines taken) when a cell opened a quote that was never closed: the reader then
    takes the following lines into that cell. Told from a cell with line breaks in it (an
    address typed on two lines) by lines that look like rows: as many commas as the header."""
    if lines <= 1:
        return None
    for column, cell in zip(header, cells, strict=False):
        rest = [line for line in cell.split("\n")[1:] if line.strip()]
        if rest and any(line.count(",") >= len(header) - 1 for line in rest):
            return column, len(rest)
    return None


@dataclasses.dataclass
class _Built:
    family: Family
    people_rows: list[tuple[_Row, Person]]
    measures: list[Measure]


def _family(key: str, rows: Sequence[_Row], today: dt.date, framework: str) -> _Built:
    values: dict[str, tuple[str, int]] = {}
    for row in rows:
        for column in FAMILY_FIELDS:
            value = row.text(column)
            if not value:
                continue
            if column in values and values[column][0].casefold() != value.casefold():
                row.fail(
                    column,
                    f"{value!r} differs from {values[column][0]!r} on row {values[column][1]} "
                    f"for the same family",
                )
            values.setdefault(column, (value, row.number))
    identified_on = today
    if "identified_on" in values:
        first = next(r for r in rows if r.number == values["identified_on"][1])
        identified_on = first.date("identified_on") or today
    surname = next((r.text("surname") for r in rows if r.text("surname")), "")
    name = values.get("household_name", ("",))[0] or (f"{surname} family" if surname else key)
    try:
        Family(reference=key, name=name)
    except ValueError as exc:  # a name made from a long surname: the family is refused
        rows[0].fail("household_name" if "household_name" in values else "surname", str(exc))
        name = key
    case_id = values.get("case_id", ("",))[0]
    if case_id:
        try:
            case_id = references.case_id(case_id)
        except ValueError as exc:
            rows[0].fail("case_id", str(exc))
            case_id = ""
    family = Family(
        reference=key,
        case_id=case_id,
        name=name,
        status=FamilyStatus.IDENTIFIED,
        address=values.get("address", ("",))[0],
        postcode=values.get("postcode", ("",))[0].upper(),
        identified_on=identified_on,
        framework=framework,
        # The council's identification data found them: the dashboard's referral-source figure.
        referral_source=ReferralSource.DATA_MATCHING,
    )
    built = _Built(family, [], [])
    callouts_row: int | None = None
    for row in rows:
        person = _person(row, family.id, today)
        if person is not None:
            built.people_rows.append((row, person))
        measures = _measures(row, family.id, person.id if person else "", callouts_row)
        if row.text("police_callouts") and callouts_row is None:
            callouts_row = row.number
        built.measures.extend(measures)
    return built


def _person(row: _Row, family_id: str, today: dt.date) -> Person | None:
    given = row.text("given_name")
    if not given:
        row.fail("given_name", "is empty")
    role_text = row.text("role").casefold()
    role = ROLE_WORDS.get(role_text)
    if role is None:
        row.fail(
            "role",
            f"{row.text('role')!r} is not a role here; use parent, carer, child or other adult"
            if role_text
            else "is empty; use parent, carer, child or other adult",
        )
    born = row.date("date_of_birth")
    if born is not None and born > today:
        row.fail("date_of_birth", f"{born} is in the future")
        born = None
    idents: dict[str, str] = {}
    for column, check in (("upn", references.upn), ("nhs_number", references.nhs_number)):
        value = row.text(column)
        if value:
            try:
                idents[column] = check(value)
            except ValueError as exc:
                row.fail(column, str(exc))
    if not given or role is None:
        return None
    return Person(
        upn=idents.get("upn", ""),
        nhs_number=idents.get("nhs_number", ""),
        family_id=family_id,
        role=role,
        given_name=given,
        family_name=row.text("surname"),
        date_of_birth=born,
        gender=row.text("gender"),
        school=row.text("school"),
    )


def _measures(
    row: _Row,
    family_id: str,
    person_id: str,
    callouts_row: int | None,
    *,
    stage: MeasureStage = MeasureStage.BASELINE,
    source: str = SOURCE,
    record_no: bool = False,
) -> list[Measure]:
    """The row's figures as measures. `record_no` (an update) records "no" to out-of-work
    benefits, dated benefits_on, as a 0: the adult has come off them."""
    found: list[Measure] = []

    def add(kind: MeasureKind, value: float, on: dt.date, **extra: object) -> None:
        found.append(
            Measure(
                family_id=family_id,
                kind=kind,
                stage=stage,
                value=value,
                on=on,
                source=source,
                **extra,  # type: ignore[arg-type]
            )
        )

    attendance = row.number_("attendance_percent", whole=False, high=100)
    exclusions = row.number_("exclusions", whole=True)
    term_end = row.date("term_end")
    if (attendance is not None or exclusions is not None) and term_end is None:
        if not row.text("term_end"):
            row.fail("term_end", "is needed with attendance or exclusions (the term's last day)")
    elif term_end is not None:
        if attendance is not None:
            add(MeasureKind.ATTENDANCE, attendance, term_end, person_id=person_id)
        if exclusions is not None:
            add(MeasureKind.EXCLUSIONS, exclusions, term_end, person_id=person_id)

    counts = {
        MeasureKind.OFFENCES: row.number_("offences", whole=True),
        MeasureKind.ASB_INCIDENTS: row.number_("asb_incidents", whole=True),
        MeasureKind.POLICE_CALLOUTS: row.number_("police_callouts", whole=True),
    }
    if counts[MeasureKind.POLICE_CALLOUTS] is not None and callouts_row is not None:
        row.fail(
            "police_callouts",
            f"is given for the household on row {callouts_row} already; give it once per family",
        )
        counts[MeasureKind.POLICE_CALLOUTS] = None
    start, end = row.date("period_start"), row.date("period_end")
    if any(v is not None for v in counts.values()):
        for column, day in (("period_start", start), ("period_end", end)):
            if day is None and not row.text(column):
                row.fail(column, "is needed with offences, ASB incidents or police call-outs")
        if start is not None and end is not None:
            if start > end:
                row.fail("period_end", f"{end} is before the period starts ({start})")
            else:
                for kind, value in counts.items():
                    if value is None:
                        continue
                    who = "" if kind is MeasureKind.POLICE_CALLOUTS else person_id
                    add(kind, value, end, period_start=start, person_id=who)

    benefits = row.text("out_of_work_benefits").casefold()
    benefit = row.text("benefit").casefold()
    if benefits not in YES | NO:
        row.fail("out_of_work_benefits", f"{row.text('out_of_work_benefits')!r}: use yes or no")
    elif benefits in YES:
        on = row.date("benefits_on")
        if on is None and not row.text("benefits_on"):
            row.fail("benefits_on", "is needed when out_of_work_benefits is yes")
        if benefit and benefit not in BENEFITS:
            row.fail("benefit", f"{row.text('benefit')!r} is not one of {', '.join(BENEFITS)}")
        elif on is not None:
            add(MeasureKind.BENEFITS, 1, on, person_id=person_id, detail=benefit)
    elif benefit:
        row.fail("benefit", "is given but out_of_work_benefits is not yes")
    elif record_no and benefits:
        on = row.date("benefits_on")
        if on is None and not row.text("benefits_on"):
            row.fail("benefits_on", "is needed with out_of_work_benefits")
        elif on is not None:
            add(MeasureKind.BENEFITS, 0, on, person_id=person_id)
    return found
