"""The record model: every record type survives the trip to JSON and back, and bad JSON is
refused with a message naming the field."""

import dataclasses
import datetime as dt
import json
import uuid
from typing import ClassVar

import pytest

from fmdesk.errors import ValidationError
from fmdesk.families import (
    CaseNote,
    ClosureReason,
    Consent,
    ConsentKind,
    ContactType,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.records import Record, kind_class, record_from_dict, record_kind


def sample_records() -> list[Record]:
    """One of each kind, filled with non-ASCII names, dates, enums and optional fields."""
    family = Family(
        reference="FM-2025-0042",
        name="Wiśniewski-O'Connor family",
        status=FamilyStatus.CLOSED,
        closure_reason=ClosureReason.STEPPED_DOWN,
        intensity=Intensity.HIGH,
        address="12 Ærø Close, Mapleford",
        postcode="MF1 2ZZ",
        lead_practitioner="Zoë Fairweather",
        identified_on=dt.date(2024, 9, 2),
        next_action="Closing letter",
        next_action_due=dt.date(2025, 2, 28),
    )
    mum = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Siobhán",
        family_name="O'Connor",
        known_as="Shiv",
        date_of_birth=dt.date(1989, 2, 28),
        relationship="Mother",
        parental_responsibility=True,
        language="Irish",
        interpreter_needed=True,
    )
    unborn = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Baby",
        family_name="Wiśniewski",
        expected_date=dt.date(2025, 5, 1),
    )
    return [
        family,
        mum,
        unborn,
        Consent(
            family_id=family.id,
            kind=ConsentKind.SHARE,
            person_id=mum.id,
            given_on=dt.date(2024, 9, 10),
            withdrawn_on=dt.date(2025, 1, 6),
            recorded_by="Zoë Fairweather",
            notes="Withdrew consent to share with the housing provider only.",
        ),
        CaseNote(
            family_id=family.id,
            on=dt.date(2024, 10, 1),
            contact=ContactType.HOME_VISIT,
            text="Łukasz showed me his new bike.\nAgreed a bedtime plan.",
            minutes=75,
            author="Zoë Fairweather",
        ),
        StatusChange(
            family_id=family.id,
            on=dt.date(2025, 2, 1),
            from_status=FamilyStatus.ACTIVE,
            to_status=FamilyStatus.CLOSED,
            closure_reason=ClosureReason.STEPPED_DOWN,
            by="Zoë Fairweather",
        ),
    ]


@pytest.mark.parametrize("record", sample_records(), ids=lambda r: type(r).__name__)
def test_every_record_type_round_trips_through_json(record: Record) -> None:
    text = json.dumps(record.to_dict(), ensure_ascii=False)
    back = type(record).from_dict(json.loads(text))
    assert back == record
    assert record_from_dict(record.KIND, json.loads(text)) == record


def test_plain_form_uses_iso_dates_and_enum_values() -> None:
    family, mum, *_ = sample_records()
    plain = family.to_dict()
    assert plain["status"] == "closed"
    assert plain["closure_reason"] == "stepped_down"
    assert plain["identified_on"] == "2024-09-02"
    assert plain["family_id"] == family.id
    assert mum.to_dict()["date_of_birth"] == "1989-02-28"
    assert mum.to_dict()["role"] == "parent_carer"


def test_every_record_has_a_stable_uuid_and_a_revision_field() -> None:
    for record in sample_records():
        assert uuid.UUID(record.id)
        assert record.revision == ""
        assert record.deleted is False
    assert len({r.id for r in sample_records()}) == len(sample_records())


def test_a_family_belongs_to_itself_and_everything_else_to_it() -> None:
    family, *others = sample_records()
    assert family.family_id == family.id
    assert {r.family_id for r in others} == {family.id}


def test_unknown_fields_from_a_newer_app_are_ignored() -> None:
    family = sample_records()[0]
    plain = {**family.to_dict(), "favourite_colour": "teal"}
    assert Family.from_dict(plain) == family


@pytest.mark.parametrize(
    ("kind", "change", "names"),
    [
        (Person, {"date_of_birth": "2019-13-01"}, ["Person.date_of_birth", "2019-13-01"]),
        (Person, {"role": "lodger"}, ["Person.role", "'lodger'", "parent_carer"]),
        (Person, {"parental_responsibility": "yes"}, ["Person.parental_responsibility"]),
        (Family, {"status": "asleep"}, ["Family.status", "'asleep'"]),
        (Family, {"name": 42}, ["Family.name", "expected text"]),
        (CaseNote, {"minutes": "30"}, ["CaseNote.minutes", "whole number"]),
        (CaseNote, {"minutes": True}, ["CaseNote.minutes", "whole number"]),
        (Consent, {"given_on": 20240101}, ["Consent.given_on", "a date"]),
    ],
)
def test_a_bad_field_is_refused_naming_the_field(
    kind: type[Record], change: dict[str, object], names: list[str]
) -> None:
    good = next(r for r in sample_records() if isinstance(r, kind))
    with pytest.raises(ValidationError) as caught:
        kind.from_dict({**good.to_dict(), **change})
    for name in names:
        assert name in str(caught.value)


def test_a_missing_required_field_is_refused() -> None:
    plain = sample_records()[1].to_dict()
    del plain["role"]
    with pytest.raises(ValidationError, match="Person"):
        Person.from_dict(plain)


def test_a_rule_of_the_record_is_checked_on_load() -> None:
    plain = {**sample_records()[0].to_dict(), "closure_reason": None}
    with pytest.raises(ValidationError, match="closure reason"):
        Family.from_dict(plain)


def test_a_record_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationError, match="expected an object"):
        Family.from_dict(["FM-1"])  # type: ignore[arg-type]


def test_kinds_are_looked_up_by_name() -> None:
    assert kind_class("family") is Family
    assert kind_class("note") is CaseNote
    with pytest.raises(ValidationError, match="unknown record kind 'visit_log'"):
        kind_class("visit_log")


def test_a_record_class_needs_a_kind_of_its_own() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Nameless(Record):
        pass

    with pytest.raises(TypeError, match="needs a KIND"):
        record_kind(Nameless)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Impostor(Record):
        KIND: ClassVar[str] = "family"

    with pytest.raises(TypeError, match="registered twice"):
        record_kind(Impostor)
    assert kind_class("family") is Family


def test_replace_makes_a_changed_copy() -> None:
    family = sample_records()[0]
    renamed = family.replace(name="Nowak family")
    assert renamed.name == "Nowak family"
    assert renamed.id == family.id
    assert family.name == "Wiśniewski-O'Connor family"
