"""The chronology's events from a record's versions (fmdesk/chronology.py): the moment a record
appears, consent withdrawn, edits gathered by person and day, removals and corrections."""

import datetime as dt

from fmdesk.chronology import EventKind, Written, chronology, kinds_present
from fmdesk.families import CaseNote, Consent, ConsentKind, ContactType, Person, PersonRole
from fmdesk.records import mark_in_error

FAMILY = "family-1"
MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


def test_consent_given_and_withdrawn_are_two_events_dated_when_they_happened() -> None:
    mum = Person(
        family_id=FAMILY, role=PersonRole.PARENT_CARER, given_name="Ewa", family_name="Nowak"
    )
    given = Consent(
        family_id=FAMILY, kind=ConsentKind.ASSESS, person_id=mum.id, given_on=dt.date(2026, 2, 1)
    )
    withdrawn = given.replace(withdrawn_on=dt.date(2026, 3, 1))
    events = chronology(
        [Written(mum, "Pat", at(0)), Written(given, "Pat", at(1)), Written(withdrawn, "Sam", at(2))]
    )
    consent = [e for e in events if e.kind is EventKind.CONSENT]
    assert [(e.what, e.on, e.by) for e in consent] == [
        ("Consent withdrawn", dt.date(2026, 3, 1), "Sam"),
        ("Consent given", dt.date(2026, 2, 1), "Pat"),
    ]
    assert "Ewa" in consent[0].detail
    assert not any(e.kind is EventKind.EDIT for e in events)


def test_autosaved_edits_are_one_event_per_person_and_day_naming_the_fields() -> None:
    note = CaseNote(family_id=FAMILY, on=dt.date(2026, 3, 2), contact=ContactType.HOME_VISIT)
    versions = [Written(note, "Pat", at(0))]
    text = ""
    for minute, word in enumerate(["Mum", "says", "mornings", "are", "calmer"], start=1):
        text = f"{text} {word}".strip()
        versions.append(Written(note.replace(text=text), "Pat", at(minute)))
    versions.append(Written(note.replace(text=text, minutes=45), "Pat", at(30)))
    events = chronology(versions)
    edits = [e for e in events if e.kind is EventKind.EDIT]
    assert len(edits) == 1
    assert "(changed: text, minutes)" in edits[0].detail
    assert edits[0].recorded_at == at(30)


def test_a_correction_keeps_the_record_and_strikes_its_events_but_not_itself() -> None:
    child = Person(family_id=FAMILY, role=PersonRole.CHILD, given_name="Zoë", family_name="Nowak")
    marked = mark_in_error(child, "A duplicate", by="Pat", at=at(5))
    removed_note = CaseNote(family_id=FAMILY, on=dt.date(2026, 3, 1), text="Draft")
    events = chronology(
        [
            Written(child, "Pat", at(0)),
            Written(marked, "Pat", at(5)),
            Written(removed_note, "Pat", at(1)),
            Written(removed_note.replace(deleted=True), "Sam", at(6)),
        ]
    )
    about_child = [e for e in events if e.record_id == child.id]
    assert {e.kind for e in about_child} == {EventKind.HOUSEHOLD, EventKind.CORRECTION}
    assert all(e.in_error for e in about_child)
    correction = next(e for e in about_child if e.kind is EventKind.CORRECTION)
    assert not correction.struck
    assert "Reason: A duplicate" in correction.detail
    assert next(e for e in about_child if e.kind is EventKind.HOUSEHOLD).struck
    assert not correction.correctable  # already marked
    removal = next(e for e in events if e.kind is EventKind.REMOVAL)
    assert (removal.what, removal.by) == ("Removed: note or visit", "Sam")
    assert kinds_present(events)[0] is EventKind.HOUSEHOLD
