"""Merging an incoming copy of a record into the local one, field by field, against the base."""

import datetime as dt

from fmdesk.families import CaseNote, Family, Intensity
from fmdesk.sync.merge import Outcome, merge_record

BASE = Family(
    id="fam-1",
    reference="EH-0042",
    name="Nowak family",
    address="1 Mill Lane",
    postcode="LS1 1AA",
    revision="000000000001000-00000-c1",
)


def edit(revision: str, **changes: object) -> dict:
    return BASE.replace(revision=revision, **changes).to_dict()


LOCAL_REV = "000000000002000-00000-p1"
LATER_REV = "000000000003000-00000-c1"


def test_a_record_not_held_locally_is_taken_as_new() -> None:
    result = merge_record(base=None, local=None, incoming=BASE.to_dict())
    assert result.outcome is Outcome.NEW
    assert result.record == BASE.to_dict()


def test_the_same_copy_twice_changes_nothing() -> None:
    local = edit(LOCAL_REV, postcode="LS2 2BB")
    result = merge_record(base=BASE.to_dict(), local=local, incoming=dict(local))
    assert result.outcome is Outcome.UNCHANGED
    assert not result.changes_local


def test_a_change_on_the_incoming_side_only_is_taken() -> None:
    incoming = edit(LATER_REV, postcode="LS2 2BB")
    result = merge_record(base=BASE.to_dict(), local=BASE.to_dict(), incoming=incoming)
    assert result.outcome is Outcome.TAKEN
    assert result.record == incoming


def test_a_change_on_the_local_side_only_is_kept() -> None:
    local = edit(LOCAL_REV, postcode="LS2 2BB")
    result = merge_record(base=BASE.to_dict(), local=local, incoming=BASE.to_dict())
    assert result.outcome is Outcome.KEPT
    assert result.record == local


def test_changes_to_different_fields_are_both_kept() -> None:
    local = edit(LOCAL_REV, postcode="LS2 2BB")
    incoming = edit(LATER_REV, intensity=Intensity.HIGH)
    result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
    assert result.outcome is Outcome.MERGED
    assert result.conflicts == ()
    merged = Family.from_dict(result.record)
    assert (merged.postcode, merged.intensity) == ("LS2 2BB", Intensity.HIGH)
    assert result.needs_new_revision


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    local = edit(LOCAL_REV, postcode="LS9 9ZZ")
    incoming = edit(LATER_REV, postcode="LS9 9ZZ")
    result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
    assert result.conflicts == ()
    assert result.record["postcode"] == "LS9 9ZZ"


def test_different_changes_to_the_same_field_are_a_conflict_keeping_both_values() -> None:
    local = edit(LOCAL_REV, address="2 Mill Lane", postcode="LS2 2BB")
    incoming = edit(LATER_REV, address="14 Canal Street")
    result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
    assert result.outcome is Outcome.CONFLICT
    (conflict,) = result.conflicts
    assert (conflict.field, conflict.local, conflict.incoming, conflict.base) == (
        "address",
        "2 Mill Lane",
        "14 Canal Street",
        "1 Mill Lane",
    )
    # The later revision is shown meanwhile; the other field merges as usual.
    assert conflict.provisional == "incoming"
    assert result.record["address"] == "14 Canal Street"
    assert result.record["postcode"] == "LS2 2BB"
    assert result.record["revision"] == LATER_REV
    assert result.needs_new_revision


def test_the_provisional_winner_is_the_later_revision_whichever_side_it_is() -> None:
    local = edit(LATER_REV, address="2 Mill Lane")
    incoming = edit(LOCAL_REV, address="14 Canal Street")
    result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
    assert result.conflicts[0].provisional == "local"
    assert result.record["address"] == "2 Mill Lane"


def test_an_edit_against_a_delete_is_a_conflict_and_the_record_stays() -> None:
    edited = edit(LOCAL_REV, postcode="LS2 2BB")
    deleted = edit(LATER_REV, deleted=True)
    for local, incoming in ((edited, deleted), (deleted, edited)):
        result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
        assert result.outcome is Outcome.CONFLICT
        (conflict,) = result.conflicts
        assert conflict.field == "deleted"
        assert {conflict.local, conflict.incoming} == {True, False}
        assert result.record["deleted"] is False
        assert result.record["postcode"] == "LS2 2BB"


def test_a_delete_of_an_unedited_record_goes_through() -> None:
    deleted = edit(LATER_REV, deleted=True)
    result = merge_record(base=BASE.to_dict(), local=BASE.to_dict(), incoming=deleted)
    assert result.outcome is Outcome.TAKEN
    assert result.record["deleted"] is True


def test_without_a_base_every_difference_is_a_conflict() -> None:
    local = edit(LOCAL_REV, postcode="LS2 2BB")
    incoming = edit(LATER_REV, postcode="LS3 3CC")
    result = merge_record(base=None, local=local, incoming=incoming)
    assert [c.field for c in result.conflicts] == ["postcode"]


def test_a_field_an_older_version_does_not_know_is_not_lost() -> None:
    local = edit(LOCAL_REV, postcode="LS2 2BB")
    incoming = edit(LATER_REV)
    incoming["key_worker_phone"] = "0113 496 0000"  # a field this version does not have
    result = merge_record(base=BASE.to_dict(), local=local, incoming=incoming)
    assert result.record["key_worker_phone"] == "0113 496 0000"
    older = dict(incoming)
    del older["postcode"]  # an older sender leaves out a field it does not know
    result = merge_record(base=BASE.to_dict(), local=local, incoming=older)
    assert result.record["postcode"] == "LS2 2BB"


def test_append_only_records_never_conflict() -> None:
    note = CaseNote(id="note-1", family_id="fam-1", on=dt.date(2026, 2, 3), text="Visit.")
    local = note.replace(revision=LOCAL_REV, text="Visit; school attendance discussed.")
    incoming = note.replace(revision=LATER_REV, text="Visit; rent arrears discussed.")
    result = merge_record(
        base=note.to_dict(), local=local.to_dict(), incoming=incoming.to_dict(), append_only=True
    )
    assert result.conflicts == ()
    assert result.outcome is Outcome.TAKEN
    assert result.record["text"] == "Visit; rent arrears discussed."
    again = merge_record(
        base=note.to_dict(), local=incoming.to_dict(), incoming=local.to_dict(), append_only=True
    )
    assert again.outcome is Outcome.KEPT
