"""The council's follow-up figures for families already held, as a CSV file (one row per person,
or per household for police call-outs): termly attendance and exclusions, quarterly offending,
ASB and call-outs, monthly benefits and work.

The format is in docs/identified-families-csv.md ("Updates"). `parse_update_csv` matches each row
to a family and a person already held by the council's identifiers first (the family's case id
or case reference; the person's UPN or NHS number), by name and date of birth within the family
only when no identifier is given, and returns an `UpdateImport`: the new measures (stage
"later", with their period and source), the figures already held (unchanged: importing the same
file again changes nothing), each row's problems, and the rows that match nobody held. Nothing is
written here; db/programme/identified.py applies what the user accepts, in one transaction.
"""

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable

from fmdesk import references
from fmdesk import text as fmtext
from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person
from fmdesk.identified_csv import (
    CsvProblem,
    RowCount,
    _measures,
    _Row,
    csv_rows,
    decode,
    normalise_header,
)
from fmdesk.outcomes.records import Measure, MeasureKind, MeasureStage

SOURCE = "Council data update (CSV)"
COLUMNS: dict[str, str] = {
    "family_key": "the family's case reference (or a former one)",
    "case_id": "the family's id in the council's case system",
    "upn": "the child's unique pupil number",
    "nhs_number": "the person's NHS number",
    "given_name": "the person's first name (when no UPN or NHS number is given)",
    "surname": "the person's family name",
    "date_of_birth": "the person's date of birth",
    "attendance_percent": "school attendance over the term, 0 to 100",
    "exclusions": "fixed-term exclusions in the term",
    "term_end": "the last day of the term the attendance and exclusions cover",
    "offences": "proven offences over the period",
    "asb_incidents": "anti-social behaviour incidents over the period",
    "police_callouts": "police call-outs to the home over the period (a household row)",
    "period_start": "the first day of the period the counts cover",
    "period_end": "the last day of the period the counts cover",
    "out_of_work_benefits": "yes or no (no: off out-of-work benefits)",
    "benefit": "which benefit: jsa, esa, uc, is or other",
    "benefits_on": "the day the benefit position was checked",
    "in_work": "yes or no",
    "work_on": "the day the work position was checked",
    "source": "where the figures come from (default: Council data update (CSV))",
}
PERSON_COLUMNS = ("upn", "nhs_number", "given_name")


@dataclasses.dataclass(frozen=True)
class UpdateRow:
    row: int
    family: Family
    person: Person | None
    new: tuple[Measure, ...]
    unchanged: int  # figures already held, the same


@dataclasses.dataclass(frozen=True)
class Unmatched:
    row: int
    reason: str  # "no family held with case id 12345"

    def __str__(self) -> str:
        return f"Row {self.row}: {self.reason}"


@dataclasses.dataclass(frozen=True)
class UpdateImport:
    rows: tuple[UpdateRow, ...]  # every row matched and without a problem
    errors: tuple[CsvProblem, ...]
    unmatched: tuple[Unmatched, ...]
    row_count: int
    # Families with a problem or an unmatched row of theirs: left out whole by --valid-only.
    rejected_family_ids: frozenset[str] = frozenset()
    unreadable_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unmatched

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(m for r in self.rows for m in r.new)

    def valid_measures(self) -> tuple[Measure, ...]:
        """The new figures of the families with no problem row."""
        return tuple(
            m for r in self.rows if r.family.id not in self.rejected_family_ids for m in r.new
        )

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.rows)

    def summary(self) -> str:
        families = len({r.family.id for r in self.rows if r.new})
        new = len(self.measures)
        parts = [
            f"{self.row_count} row{'s' if self.row_count != 1 else ''} read",
            f"{new} new figure{'s' if new != 1 else ''} for {families} "
            f"famil{'ies' if families != 1 else 'y'}",
            f"{self.unchanged} already held",
        ]
        if self.unmatched:
            parts.append(f"{len(self.unmatched)} matching nobody held")
        if self.errors:
            parts.append(f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}")
        if self.unreadable_rows:
            parts.append(f"{self.unreadable_rows} could not be read")
        return ", ".join(parts) + "."


def _key(m: Measure) -> tuple[str, str, str, dt.date, dt.date | None]:
    return (m.family_id, m.person_id, m.kind.value, m.on, m.period_start)


class _Held:
    """The families, people and measures held, indexed the ways a row is matched."""

    def __init__(
        self, families: Iterable[Family], people: Iterable[Person], measures: Iterable[Measure]
    ) -> None:
        self.by_case: dict[str, Family] = {}
        self.by_ref: dict[str, list[Family]] = {}
        for f in families:
            if f.deleted:
                continue
            if f.case_id:
                self.by_case[f.case_id] = f
            for ref in (f.reference, *f.former_references):
                self.by_ref.setdefault(fmtext.nfc(ref.strip()).casefold(), []).append(f)
        self.people_of: dict[str, list[Person]] = {}
        self.by_ident: dict[tuple[str, str], Person] = {}
        for p in people:
            if p.deleted:
                continue
            self.people_of.setdefault(p.family_id, []).append(p)
            if p.upn:
                self.by_ident[("upn", p.upn)] = p
            if p.nhs_number:
                self.by_ident[("nhs", p.nhs_number)] = p
        self.figures: dict[tuple[str, str, str, dt.date, dt.date | None], float] = {
            _key(m): m.value for m in measures if not m.deleted
        }
        self.family_of = {f.id: f for fs in self.by_ref.values() for f in fs}


def parse_update_csv(
    data: bytes,
    *,
    families: Iterable[Family],
    people: Iterable[Person],
    measures: Iterable[Measure],
) -> UpdateImport:
    """Check the whole file against what is held. A file-level fault is one problem on row 0."""
    try:
        text = decode(data)
    except ValidationError as exc:
        return UpdateImport((), (CsvProblem(0, "", str(exc)),), (), 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [normalise_header(h) for h in next(reader)]
    except StopIteration:
        return UpdateImport((), (CsvProblem(0, "", "The file is empty."),), (), 0)
    except csv.Error as exc:
        return UpdateImport((), (CsvProblem(1, "", f"cannot be read: {exc}"),), (), 0)
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        return UpdateImport(
            (),
            (CsvProblem(1, unknown[0], "is not a column of the update format"),),
            (),
            0,
        )
    if "family_key" not in header and "case_id" not in header:
        return UpdateImport(
            (), (CsvProblem(1, "family_key", "a family_key or case_id column is needed"),), (), 0
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        return UpdateImport((), (CsvProblem(1, repeated[0], "appears twice in the header"),), (), 0)

    held = _Held(families, people, measures)
    problems: list[CsvProblem] = []
    unmatched: list[Unmatched] = []
    rows: list[UpdateRow] = []
    rejected: set[str] = set()
    seen: dict[tuple[str, str, str, dt.date, dt.date | None], tuple[int, float]] = {}
    counted = RowCount()
    for line in csv_rows(reader, header, problems, counted):
        number, cells = line.number, line.cells
        if line.swallowed is not None:
            column, lines = line.swallowed
            problems.append(
                CsvProblem(
                    number,
                    column,
                    f'opens a quote (") that is not closed, so the {lines} line'
                    f"{'s' if lines != 1 else ''} after it were read into this cell: close it",
                )
            )
            continue
        before = len(problems)
        row = _Row(number, dict(zip(header, cells, strict=False)), problems)
        family = _match_family(row, held, unmatched)
        if family is None:
            continue
        matched, person = _match_person(row, family, held, unmatched)
        if not matched:
            rejected.add(family.id)
            continue
        found = _measures(
            row,
            family.id,
            person.id if person else "",
            None,
            stage=MeasureStage.LATER,
            source=row.text("source") or SOURCE,
            record_no=True,
        )
        found += _work(row, family.id, person.id if person else "", row.text("source") or SOURCE)
        if person is None and any(m.kind is not MeasureKind.POLICE_CALLOUTS for m in found):
            row.fail(
                "given_name",
                "names no one: give the person's UPN, NHS number or name (only police "
                "call-outs are for the whole household)",
            )
        new: list[Measure] = []
        same = 0
        for measure in found:
            key = _key(measure)
            if key in seen:
                first_row, value = seen[key]
                if value != measure.value:
                    row.fail(
                        _column(measure.kind),
                        f"{measure.value:g} differs from {value:g} on row {first_row} for the "
                        "same person, figure and period",
                    )
                continue
            seen[key] = (row.number, measure.value)
            if key in held.figures:
                if held.figures[key] == measure.value:
                    same += 1  # already held: importing the file again changes nothing
                else:
                    row.fail(
                        _column(measure.kind),
                        f"{measure.value:g} differs from the figure held for the same person and "
                        f"period ({held.figures[key]:g}); correct the file, or the record",
                    )
                continue
            new.append(measure)
        if len(problems) > before:
            rejected.add(family.id)
            continue
        if not found:
            row.fail("", "holds no figure")
            rejected.add(family.id)
            continue
        rows.append(UpdateRow(number, family, person, tuple(new), same))
    problems.sort(key=lambda p: (p.row, p.column))
    return UpdateImport(
        tuple(rows),
        tuple(problems),
        tuple(unmatched),
        counted.rows,
        frozenset(rejected),
        counted.unreadable,
    )


def _column(kind: MeasureKind) -> str:
    return {
        MeasureKind.ATTENDANCE: "attendance_percent",
        MeasureKind.EXCLUSIONS: "exclusions",
        MeasureKind.OFFENCES: "offences",
        MeasureKind.ASB_INCIDENTS: "asb_incidents",
        MeasureKind.POLICE_CALLOUTS: "police_callouts",
        MeasureKind.BENEFITS: "out_of_work_benefits",
        MeasureKind.EMPLOYMENT: "in_work",
    }.get(kind, "")


def _match_family(row: _Row, held: _Held, unmatched: list[Unmatched]) -> Family | None:
    case = row.text("case_id")
    if case:
        try:
            case = references.case_id(case)
        except ValueError as exc:
            row.fail("case_id", str(exc))
            return None
        family = held.by_case.get(case)
        if family is None:
            unmatched.append(Unmatched(row.number, f"no family held with case id {case}"))
        return family
    key = row.text("family_key")
    if not key:
        row.fail("family_key", "is empty; give the family's case reference or case_id")
        return None
    found = held.by_ref.get(key.casefold(), [])
    if len(found) > 1:
        row.fail("family_key", f"{key} is held by {len(found)} families: give the case_id")
        return None
    if not found:
        unmatched.append(Unmatched(row.number, f"no family held with reference {key}"))
        return None
    return found[0]


def _match_person(
    row: _Row, family: Family, held: _Held, unmatched: list[Unmatched]
) -> tuple[bool, Person | None]:
    """(True, the person a row is for, or None for a household row); (False, None) when it
    matches no one or the wrong family (noted)."""
    for column, kind, check in (
        ("upn", "upn", references.upn),
        ("nhs_number", "nhs", references.nhs_number),
    ):
        value = row.text(column)
        if not value:
            continue
        try:
            value = check(value)
        except ValueError as exc:
            row.fail(column, str(exc))
            return False, None
        person = held.by_ident.get((kind, value))
        if person is None:
            unmatched.append(Unmatched(row.number, f"no one held with {column} {value}"))
            return False, None
        if person.family_id != family.id:
            other = held.family_of.get(person.family_id)
            row.fail(
                column,
                f"{value} is {person.full_name} of family "
                f"{other.reference if other else 'held elsewhere'}, not {family.reference}",
            )
            return False, None
        return True, person
    given = row.text("given_name")
    if not given:
        return True, None
    surname = row.text("surname").casefold()
    born = row.date("date_of_birth")
    candidates = [
        p
        for p in held.people_of.get(family.id, [])
        if p.given_name.casefold() == given.casefold()
        and (not surname or p.family_name.casefold() == surname)
        and (born is None or p.date_of_birth == born)
    ]
    if len(candidates) > 1:
        row.fail("given_name", f"{len(candidates)} people in {family.reference} match: give a UPN")
        return False, None
    if not candidates:
        unmatched.append(Unmatched(row.number, f"no {given} {surname} held in {family.reference}"))
        return False, None
    return True, candidates[0]


def _work(row: _Row, family_id: str, person_id: str, source: str) -> list[Measure]:
    value = row.text("in_work").casefold()
    if not value:
        return []
    if value not in {"yes", "y", "no", "n"}:
        row.fail("in_work", f"{row.text('in_work')!r}: use yes or no")
        return []
    on = row.date("work_on")
    if on is None:
        if not row.text("work_on"):
            row.fail("work_on", "is needed with in_work")
        return []
    return [
        Measure(
            family_id=family_id,
            kind=MeasureKind.EMPLOYMENT,
            stage=MeasureStage.LATER,
            value=1 if value.startswith("y") else 0,
            on=on,
            person_id=person_id,
            source=source,
        )
    ]
