"""The identified-families CSV: rows, errors naming row and column, the BOM, duplicates."""

import datetime as dt

from fmdesk.families import Family, Person, PersonRole
from fmdesk.identified_csv import parse_date, parse_identified_csv
from fmdesk.outcomes import MeasureKind, MeasureStage

TODAY = dt.date(2025, 6, 1)
HEADER = (
    "family_key,address,postcode,role,given_name,surname,date_of_birth,attendance_percent,"
    "exclusions,term_end,offences,asb_incidents,police_callouts,period_start,period_end,"
    "out_of_work_benefits,benefit,benefits_on"
)
GOOD = [
    "K-100,1 Mill Lane,ls1 1aa,parent,Zoë,Nowak,1985-03-02,,,,,,3,2024-10-01,2025-03-31,yes,uc,"
    "2025-03-01",
    "K-100,,,child,Łukasz,Nowak,12/05/2012,82.5,2,2025-03-31,2,4,,2024-10-01,2025-03-31,,,",
    "K-200,7 Quay St,M1 2AB,carer,Siobhán,Kelly,1979-11-30,,,,,,,,,no,,",
    "K-200,,,child,Aoife,Kelly,2014-01-20,91,,2025-03-31,,,,,,,,",
]


def csv_bytes(*rows: str, bom: bool = False, header: str = HEADER) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"  # Excel writes CRLF
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def test_good_rows_make_families_with_people_and_baseline_measures():
    result = parse_identified_csv(csv_bytes(*GOOD), today=TODAY)
    assert result.ok
    assert result.row_count == 4
    nowak, kelly = result.families
    assert (nowak.family.reference, nowak.family.name, nowak.family.postcode) == (
        "K-100",
        "Nowak family",
        "LS1 1AA",
    )
    assert nowak.family.identified_on == TODAY
    assert nowak.rows == (2, 3)
    assert [(p.given_name, p.role) for p in nowak.people] == [
        ("Zoë", PersonRole.PARENT_CARER),
        ("Łukasz", PersonRole.CHILD),
    ]
    assert nowak.people[1].date_of_birth == dt.date(2012, 5, 12)
    measures = {m.kind: m for m in nowak.measures}
    assert set(measures) == {
        MeasureKind.POLICE_CALLOUTS,
        MeasureKind.BENEFITS,
        MeasureKind.ATTENDANCE,
        MeasureKind.EXCLUSIONS,
        MeasureKind.OFFENCES,
        MeasureKind.ASB_INCIDENTS,
    }
    assert all(m.stage is MeasureStage.BASELINE for m in nowak.measures)
    child = nowak.people[1].id
    assert measures[MeasureKind.ATTENDANCE].value == 82.5
    assert measures[MeasureKind.ATTENDANCE].person_id == child
    assert measures[MeasureKind.OFFENCES].period_start == dt.date(2024, 10, 1)
    assert measures[MeasureKind.POLICE_CALLOUTS].person_id == ""  # the household's
    assert measures[MeasureKind.BENEFITS].detail == "uc"
    assert kelly.family.address == "7 Quay St"
    assert result.summary() == "4 rows read, 2 new families (4 people)."


def test_a_file_saved_by_excel_with_a_bom_reads_the_same():
    plain = parse_identified_csv(csv_bytes(*GOOD), today=TODAY)
    with_bom = parse_identified_csv(csv_bytes(*GOOD, bom=True), today=TODAY)
    assert with_bom.ok
    assert [f.key for f in with_bom.families] == [f.key for f in plain.families]
    assert with_bom.families[0].people[0].given_name == "Zoë"


def test_a_bad_row_is_named_by_row_and_column_and_its_family_is_left_out():
    bad = GOOD[3].replace("2014-01-20", "31/02/2014")
    result = parse_identified_csv(csv_bytes(*GOOD[:3], bad), today=TODAY)
    assert not result.ok
    (problem,) = result.errors
    assert (problem.row, problem.column) == (5, "date_of_birth")
    assert str(problem).startswith("Row 5, column date_of_birth: '31/02/2014' is not a date")
    assert result.rejected_keys == ("K-200",)
    assert [f.key for f in result.families] == ["K-100"]


def test_each_kind_of_mistake_names_its_column():
    rows = [
        "K-1,,,uncle,Tom,Reed,,,,,,,,,,,,",  # role
        "K-2,,,child,Amy,Reed,2015-01-01,105,,2025-03-31,,,,,,,,",  # attendance out of range
        "K-3,,,child,Ben,Reed,2015-01-01,90,,,,,,,,,,",  # term_end missing
        "K-4,,,parent,Cal,Reed,,,,,2,,,2025-01-01,,,,",  # period_end missing
        "K-5,,,parent,Dee,Reed,,,,,,,,,,maybe,,",  # yes/no
        "K-6,,,parent,Eve,Reed,,,,,,,,,,yes,pip,2025-01-01",  # benefit
        "K-7,,,parent,,Reed,,,,,,,,,,,,",  # given name
        "K-8,,,parent,Fay,Reed,,,,,1.5,,,2025-01-01,2025-03-01,,,",  # whole number
    ]
    result = parse_identified_csv(csv_bytes(*rows), today=TODAY)
    found = [(p.row, p.column) for p in result.errors]
    assert found == [
        (2, "role"),
        (3, "attendance_percent"),
        (4, "term_end"),
        (5, "period_end"),
        (6, "out_of_work_benefits"),
        (7, "benefit"),
        (8, "given_name"),
        (9, "offences"),
    ]
    assert result.families == ()


def test_a_family_with_two_addresses_or_two_police_counts_is_an_error():
    rows = [
        "K-1,1 A St,,parent,Ann,Lee,,,,,,,2,2025-01-01,2025-03-31,,,",
        "K-1,2 B St,,child,Bo,Lee,2016-02-02,,,,,,1,2025-01-01,2025-03-31,,,",
    ]
    result = parse_identified_csv(csv_bytes(*rows), today=TODAY)
    assert [(p.row, p.column) for p in result.errors] == [(3, "address"), (3, "police_callouts")]
    assert "differs from '1 A St' on row 2" in str(result.errors[0])


def test_an_unknown_or_missing_column_stops_the_whole_file():
    wrong = parse_identified_csv(
        csv_bytes(header=HEADER.replace("surname", "surnmae")), today=TODAY
    )
    assert [(p.row, p.column) for p in wrong.errors] == [(1, "surnmae")]
    missing = parse_identified_csv(csv_bytes(header=HEADER.replace("family_key,", "")), today=TODAY)
    assert [(p.row, p.column) for p in missing.errors] == [(1, "family_key")]


def test_headers_as_people_type_them_are_accepted():
    header = "Family Key,Role,Given Name,Surname,Date of Birth,Attendance %,Term End"
    result = parse_identified_csv(
        csv_bytes("K-1,Child,Ola,Nowak,2015-05-05,88%,2025-03-31", header=header), today=TODAY
    )
    assert result.ok
    assert result.families[0].measures[0].value == 88


def test_a_file_that_is_not_utf8_says_how_to_save_it():
    data = (HEADER + "\r\nK-1,,,child,Zo\xeb,Nowak,,,,,,,,,,,,\r\n").encode("cp1252")
    result = parse_identified_csv(data, today=TODAY)
    (problem,) = result.errors
    assert problem.row == 0
    assert "CSV UTF-8" in str(problem)
    assert "line 2" in str(problem)


def test_families_already_held_are_skipped_as_duplicates():
    held = Family(reference="K-100", name="Nowak family")
    kelly_family = Family(reference="EH-7", name="Kelly family")
    siobhan = Person(
        family_id=kelly_family.id,
        role=PersonRole.PARENT_CARER,
        given_name="siobhán",
        family_name="KELLY",
        date_of_birth=dt.date(1979, 11, 30),
    )
    result = parse_identified_csv(
        csv_bytes(*GOOD),
        today=TODAY,
        existing_families=[held, kelly_family],
        existing_people=[siobhan],
    )
    assert result.ok
    # A shared name and birthday is flagged for a person to confirm, never taken for the
    # same person (issue 17: the council's identifiers decide that).
    assert [f.key for f in result.families] == ["K-200"]
    (by_reference,) = result.duplicates
    assert (by_reference.key, by_reference.existing_family_id) == ("K-100", held.id)
    assert "already held" in by_reference.reason
    (flag,) = result.warnings
    assert (
        "Siobhán Kelly, born 1979-11-30, has the name and birthday of someone in family EH-7"
        in (flag.message)
    )
    assert "1 already held" in result.summary()


def test_the_same_name_and_birthday_in_another_family_is_flagged_on_the_second_row():
    rows = [*GOOD, "K-300,,,child,Łukasz,Nowak,2012-05-12,,,,,,,,,,,"]
    result = parse_identified_csv(csv_bytes(*rows), today=TODAY)
    assert result.ok
    (flag,) = result.warnings
    assert (flag.row, flag.column) == (6, "given_name")
    assert "also on row 3 (family K-100): confirm they are two people" in flag.message


def test_dates_in_both_spellings():
    assert parse_date("2025-04-01") == parse_date("01/04/2025") == dt.date(2025, 4, 1)
