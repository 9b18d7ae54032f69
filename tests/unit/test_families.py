"""Families, people, consent and notes: status moves, ages, consent at a date, the caseload
row, the timeline and the family file."""

import copy
import datetime as dt
import json
from typing import Any

import pytest

from fmdesk.caseload import caseload_rows, timeline
from fmdesk.errors import ValidationError
from fmdesk.families import (
    CaseNote,
    ClosureReason,
    Consent,
    ConsentKind,
    ContactType,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    change_status,
    has_consent,
)
from fmdesk.family_file import build_family_file, parse_family_file

S = FamilyStatus
DAY = dt.date(2025, 3, 3)


def family(status: FamilyStatus = S.IDENTIFIED, **fields: Any) -> Family:
    reason = ClosureReason.NEEDS_MET if status is S.CLOSED else None
    return Family(
        reference="FM-2025-0001",
        name="Nowak family",
        status=status,
        closure_reason=reason,
        **fields,
    )


def person(family_id: str, role: PersonRole, given: str, **fields: Any) -> Person:
    return Person(family_id=family_id, role=role, given_name=given, family_name="Nowak", **fields)


# ---- status ------------------------------------------------------------------------------

# The moves the programme allows, written out from the issue rather than read from the code.
ALLOWED = {
    (S.IDENTIFIED, S.ALLOCATED),
    (S.ALLOCATED, S.ENGAGED),
    (S.ALLOCATED, S.REFUSED),
    (S.ENGAGED, S.ACTIVE),
    (S.REFUSED, S.ALLOCATED),  # a family that refused may be offered the service again
    (S.CLOSED, S.ACTIVE),  # reopening, with a reason
    *((s, S.CLOSED) for s in S if s is not S.CLOSED),
}


def test_a_family_walks_the_whole_path_to_closure() -> None:
    f = family()
    changes = []
    for to in (S.ALLOCATED, S.ENGAGED, S.ACTIVE):
        f, change = change_status(f, to, on=DAY, by="Zoë Fairweather")
        changes.append(change)
    f, closing = change_status(f, S.CLOSED, on=DAY, closure_reason=ClosureReason.STEPPED_UP)
    assert f.status is S.CLOSED
    assert f.closure_reason is ClosureReason.STEPPED_UP
    assert f.is_read_only
    assert [(c.from_status, c.to_status) for c in [*changes, closing]] == [
        (S.IDENTIFIED, S.ALLOCATED),
        (S.ALLOCATED, S.ENGAGED),
        (S.ENGAGED, S.ACTIVE),
        (S.ACTIVE, S.CLOSED),
    ]
    assert closing.closure_reason is ClosureReason.STEPPED_UP
    assert all(c.family_id == f.id and c.on == DAY for c in [*changes, closing])
    assert changes[0].by == "Zoë Fairweather"


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_only_the_programme_s_moves_are_allowed(start: FamilyStatus, to: FamilyStatus) -> None:
    f = family(start)
    kwargs: dict[str, Any] = {"on": DAY, "reason": "Family asked for help again"}
    if to is S.CLOSED:
        kwargs["closure_reason"] = ClosureReason.MOVED_AWAY
    if (start, to) in ALLOWED:
        moved, change = change_status(f, to, **kwargs)
        assert moved.status is to
        assert (change.from_status, change.to_status) == (start, to)
    else:
        with pytest.raises(ValidationError, match=f"{start.value} cannot become {to.value}"):
            change_status(f, to, **kwargs)


def test_closing_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="reason for closing"):
        change_status(family(S.ACTIVE), S.CLOSED, on=DAY)


def test_reopening_needs_a_reason_and_clears_the_closure_reason() -> None:
    closed = family(S.CLOSED)
    with pytest.raises(ValidationError, match="why the case is being reopened"):
        change_status(closed, S.ACTIVE, on=DAY, reason="   ")
    reopened, change = change_status(closed, S.ACTIVE, on=DAY, reason=" New school exclusion ")
    assert reopened.status is S.ACTIVE
    assert reopened.closure_reason is None
    assert change.reason == "New school exclusion"


def test_a_family_needs_a_reference_and_a_closed_one_a_reason() -> None:
    with pytest.raises(ValueError, match="case reference"):
        Family(reference="  ", name="Nowak family")
    with pytest.raises(ValueError, match="closure reason"):
        Family(reference="FM-1", name="Nowak family", status=S.CLOSED)
    with pytest.raises(ValueError, match="closure reason"):
        Family(reference="FM-1", name="x", closure_reason=ClosureReason.NEEDS_MET)


# ---- people --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (dt.date(2015, 6, 15), dt.date(2025, 6, 14), 9),  # the day before the birthday
        (dt.date(2015, 6, 15), dt.date(2025, 6, 15), 10),  # on the birthday
        (dt.date(2015, 6, 15), dt.date(2025, 12, 31), 10),
        (dt.date(2012, 2, 29), dt.date(2025, 2, 28), 12),  # a leap-day birthday
        (dt.date(2012, 2, 29), dt.date(2025, 3, 1), 13),
        (dt.date(2025, 3, 3), dt.date(2025, 3, 3), 0),  # born today
        (dt.date(2025, 3, 4), dt.date(2025, 3, 3), None),  # a date of birth after the day asked
    ],
)
def test_age_in_whole_years(born: dt.date, on: dt.date, years: int | None) -> None:
    child = person("f", PersonRole.CHILD, "Zoë", date_of_birth=born)
    assert child.age(on) == years


def test_an_unborn_child_has_no_age_but_a_due_date() -> None:
    unborn = person("f", PersonRole.CHILD, "Baby", expected_date=dt.date(2025, 5, 1))
    assert unborn.is_unborn
    assert unborn.age(DAY) is None
    assert unborn.age_text(DAY) == "due 01 May 2025"


def test_a_baby_s_age_is_in_months() -> None:
    baby = person("f", PersonRole.CHILD, "Łukasz", date_of_birth=dt.date(2024, 7, 20))
    assert baby.age_text(dt.date(2025, 3, 19)) == "7 months"
    assert baby.age_text(dt.date(2025, 3, 20)) == "8 months"
    assert (
        person("f", PersonRole.CHILD, "Ola", date_of_birth=dt.date(2015, 1, 1)).age_text(DAY)
        == "10"
    )


def test_names_and_who_lives_in_the_home() -> None:
    nan = person("f", PersonRole.SIGNIFICANT_ADULT, "Siobhán", known_as="Nan")
    assert nan.display_name == "Siobhán Nowak (Nan)"
    assert not nan.in_household
    assert person("f", PersonRole.OTHER_ADULT, "Piotr").in_household
    with pytest.raises(ValueError, match="needs a name"):
        person("f", PersonRole.CHILD, " ")
    with pytest.raises(ValueError, match="belongs to a family"):
        person("", PersonRole.CHILD, "Ola")


# ---- consent -------------------------------------------------------------------------------


def test_consent_is_in_force_from_the_day_given_until_the_day_withdrawn() -> None:
    c = Consent(
        family_id="f",
        kind=ConsentKind.SHARE,
        given_on=dt.date(2025, 1, 10),
        withdrawn_on=dt.date(2025, 3, 1),
    )
    assert not c.in_force(dt.date(2025, 1, 9))
    assert c.in_force(dt.date(2025, 1, 10))
    assert c.in_force(dt.date(2025, 2, 28))
    assert not c.in_force(dt.date(2025, 3, 1))
    assert not c.replace(withdrawn_on=None, deleted=True).in_force(dt.date(2025, 2, 1))
    assert c.replace(withdrawn_on=None).in_force(dt.date(2030, 1, 1))


def test_consent_is_asked_for_by_kind() -> None:
    assess = Consent(family_id="f", kind=ConsentKind.ASSESS, given_on=dt.date(2025, 1, 10))
    assert has_consent([assess], ConsentKind.ASSESS, DAY)
    assert not has_consent([assess], ConsentKind.SHARE, DAY)
    assert not has_consent([], ConsentKind.ASSESS, DAY)


def test_consent_cannot_be_withdrawn_before_it_was_given() -> None:
    with pytest.raises(ValueError, match="withdrawn before it was given"):
        Consent(
            family_id="f",
            kind=ConsentKind.ASSESS,
            given_on=dt.date(2025, 1, 10),
            withdrawn_on=dt.date(2025, 1, 9),
        )


def test_time_spent_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        CaseNote(family_id="f", on=DAY, minutes=-5)


# ---- caseload and timeline --------------------------------------------------------------


def test_caseload_rows_count_children_and_find_the_last_contact() -> None:
    nowak = family(S.ACTIVE, next_action="TAF meeting", next_action_due=dt.date(2025, 3, 10))
    adams = Family(reference="FM-2025-0000", name="Adams family")
    people = [
        person(nowak.id, PersonRole.PARENT_CARER, "Agnieszka"),
        person(nowak.id, PersonRole.CHILD, "Zoë", known_as="Zo"),
        person(nowak.id, PersonRole.CHILD, "Łukasz"),
        person(nowak.id, PersonRole.SIGNIFICANT_ADULT, "Siobhán"),
    ]
    notes = [
        CaseNote(family_id=nowak.id, on=dt.date(2025, 2, 1), contact=ContactType.HOME_VISIT),
        CaseNote(family_id=nowak.id, on=dt.date(2025, 2, 20), contact=ContactType.PHONE),
        # A note written later is not a contact with the family.
        CaseNote(family_id=nowak.id, on=dt.date(2025, 2, 25), contact=ContactType.NOTE),
    ]
    rows = caseload_rows([nowak, adams], people, notes)
    assert [r.reference for r in rows] == ["FM-2025-0000", "FM-2025-0001"]
    empty, row = rows
    assert (empty.children, empty.last_contact) == (0, None)
    assert row.children == 2
    assert row.last_contact == dt.date(2025, 2, 20)
    assert row.status is S.ACTIVE
    assert (row.next_action, row.next_action_due) == ("TAF meeting", dt.date(2025, 3, 10))
    for name in ("agnieszka", "łukasz", "zoë nowak (zo)", "siobhán", "fm-2025-0001", "nowak"):
        assert name in row.search_text
    assert "łukasz" not in empty.search_text


def test_the_timeline_is_newest_first_with_every_kind_of_event() -> None:
    f = family(S.ACTIVE)
    mum = person(f.id, PersonRole.PARENT_CARER, "Agnieszka")
    consent = Consent(
        family_id=f.id,
        kind=ConsentKind.ASSESS,
        person_id=mum.id,
        given_on=dt.date(2025, 1, 5),
        withdrawn_on=dt.date(2025, 2, 15),
    )
    note = CaseNote(
        family_id=f.id,
        on=dt.date(2025, 2, 1),
        contact=ContactType.HOME_VISIT,
        minutes=45,
        text="Talked about school mornings.\nSecond line stays out of the timeline.",
    )
    _, opened = change_status(family(S.ENGAGED), S.ACTIVE, on=dt.date(2025, 1, 20))
    _, closed = change_status(
        family(S.ACTIVE), S.CLOSED, on=dt.date(2025, 3, 1), closure_reason=ClosureReason.NEEDS_MET
    )
    events = timeline([mum], [consent], [note], [opened, closed])
    assert [(e.on, e.what) for e in events] == [
        (dt.date(2025, 3, 1), "Status changed"),
        (dt.date(2025, 2, 15), "Consent withdrawn"),
        (dt.date(2025, 2, 1), "Home visit (45 min)"),
        (dt.date(2025, 1, 20), "Status changed"),
        (dt.date(2025, 1, 5), "Consent given"),
    ]
    assert events[0].detail == "Active → Closed: Needs met"
    assert events[1].detail == "To assess — Agnieszka Nowak"
    assert events[2].detail == "Talked about school mornings."
    assert events[2].record_id == note.id


# ---- the family file -------------------------------------------------------------------------


def family_file() -> tuple[Family, list[Any], dict[str, Any]]:
    f = family(S.ACTIVE)
    mum = person(f.id, PersonRole.PARENT_CARER, "Agnieszka", date_of_birth=dt.date(1990, 4, 1))
    records = [
        mum,
        Consent(family_id=f.id, kind=ConsentKind.ASSESS, person_id=mum.id, given_on=DAY),
        CaseNote(family_id=f.id, on=DAY, text="Zoë read to me from her school book."),
    ]
    rows = [{"kind": r.KIND, "record": r.to_dict()} for r in [f, *records]]
    data = build_family_file(
        f, rows, exported_by="Zoë Fairweather", on=dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
    )
    return f, records, json.loads(json.dumps(data, ensure_ascii=False))


def test_a_family_file_round_trips() -> None:
    f, records, data = family_file()
    # Rows are ordered by kind, so a file reads the same way every time.
    assert [row["kind"] for row in data["records"]] == ["consent", "note", "person"]
    assert data["records"][0]["record"]["kind"] == "assess"
    assert data["format"] == "fmdesk-family"
    assert data["version"] == 1
    assert data["exported_by"] == "Zoë Fairweather"
    assert data["exported_at"] == "2025-03-03T09:30:00+00:00"
    parsed_family, parsed = parse_family_file(data)
    assert parsed_family == f
    assert sorted(parsed, key=lambda r: r.id) == sorted(records, key=lambda r: r.id)


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(family_file()[2])
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not an fmdesk family file"),
        ({"format": "fmdesk-keys"}, "not an fmdesk family file"),
        (broken(lambda d: d.update(version=2)), "version 2"),
        (broken(lambda d: d.pop("family")), "family: expected an object"),
        (broken(lambda d: d["family"].update(reference="")), "case reference"),
        (broken(lambda d: d.update(records={})), "records: expected a list"),
        (broken(lambda d: d["records"].append("note")), r"records\[3\]: expected an object"),
        (broken(lambda d: d["records"][0].pop("record")), r"records\[0\]\.record: expected an"),
        (
            broken(lambda d: d["records"][0].update(kind=["person"])),
            r"records\[0\]\.kind: unknown record kind \['person'\]",
        ),
        (
            broken(lambda d: d["records"][0].update(kind="diary")),
            r"records\[0\]\.kind: unknown record kind 'diary'",
        ),
        (
            broken(lambda d: d["records"][1]["record"].update(on="yesterday")),
            r"records\[1\]: CaseNote\.on: 'yesterday' is not a date",
        ),
        (
            broken(lambda d: d["records"][1]["record"].update(family_id="someone-else")),
            r"records\[1\]: belongs to another family",
        ),
    ],
)
def test_a_bad_family_file_is_refused_naming_the_place(data: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_family_file(data)
