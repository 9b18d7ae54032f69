"""What a write changed, as the screens ask it: by kind, for the family they show."""

from fmdesk.changes import NO_FAMILY, Changes


def test_a_note_in_one_family_concerns_that_familys_notes_only() -> None:
    changes = Changes.of([("note", "fam-1")])

    assert changes.touches({"note"}, "fam-1")
    assert not changes.touches({"note"}, "fam-2")
    assert not changes.touches({"plan", "person"}, "fam-1")
    assert changes.touches({"note"})  # a screen of every family (the caseload)
    assert changes.family_ids == {"fam-1"}
    assert changes.kinds == {"note"}


def test_a_record_of_no_family_concerns_every_familys_screens_that_show_its_kind() -> None:
    changes = Changes.of([("definition", None)])

    assert changes.touches({"definition"}, "fam-1")
    assert changes.touched == {("definition", NO_FAMILY)}
    assert changes.family_ids == frozenset()


def test_no_changes_is_false_and_changes_combine() -> None:
    assert not Changes()
    both = Changes.of([("note", "a")]) | Changes.of([("plan", "b")])
    assert both
    assert both.kinds == {"note", "plan"}
    assert both.family_ids == {"a", "b"}
