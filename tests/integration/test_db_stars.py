"""db/stars.py on a real encrypted store: the caseload's Star column at its boundaries, the
council's instruments held in the store, and readings saved, completed, edited, deleted."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db.stars import (
    add_instrument_file,
    load_catalogue,
    load_family_stars,
    remove_reading,
    save_completed,
    save_draft,
    save_edit,
    set_default_instrument,
    star_due_by_family,
)
from db.store import Store
from fmdesk.definition import Definition
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus, StatusChange
from fmdesk.stars import (
    Instrument,
    InstrumentCatalogue,
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    complete_reading,
    new_reading,
)
from tests.conftest import TEST_PASSPHRASE

ENGAGED = dt.date(2025, 3, 3)
STAR = InstrumentCatalogue().default


def council_file(folder: Path, *, version: int = 1, name: str = "Our child's star") -> Path:
    """A made-up 1–5 instrument, in our own words, as a council might bring its own."""
    data = {
        "format": "fmdesk-star-instrument",
        "id": "anytown-child-star",
        "version": version,
        "name": name,
        "licence": "Made up for fmdesk's tests.",
        "scale": {"min": 1, "max": 5},
        "stages": [
            {"name": "Worried", "from": 1, "to": 2, "description": "Hard going."},
            {"name": "Getting there", "from": 3, "to": 4, "description": "Better days."},
            {"name": "Doing fine", "from": 5, "to": 5, "description": "All good."},
        ],
        "areas": [
            {"id": "school", "name": "At school"},
            {"id": "friends", "name": "Friends"},
            {"id": "home", "name": "At home", "scores": {"5": "Home feels safe and calm."}},
        ],
    }
    path = folder / f"child-star-v{version}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def engaged_family(
    store: Store,
    reference: str,
    status: FamilyStatus = FamilyStatus.ACTIVE,
    engaged_on: dt.date = ENGAGED,
) -> Family:
    family = Family(
        reference=reference,
        name=f"{reference} family",
        status=status,
        closure_reason=ClosureReason.NEEDS_MET if status is FamilyStatus.CLOSED else None,
    )
    change = StatusChange(
        family_id=family.id,
        on=engaged_on,
        from_status=FamilyStatus.ALLOCATED,
        to_status=FamilyStatus.ENGAGED,
    )
    store.save(family, change)
    return family


def completed(
    family: Family, on: dt.date, score: int = 5, instrument: Instrument = STAR
) -> StarReading:
    reading = new_reading(instrument, family_id=family.id, taken_on=on)
    for area in instrument.area_ids:
        reading = reading.with_score(area, score)
    return complete_reading(reading, instrument)


def test_first_star_is_due_from_engagement_and_overdue_after_28_days(store: Store) -> None:
    family = engaged_family(store, "FM-1")
    due_on = ENGAGED + dt.timedelta(days=28)
    assert star_due_by_family(store, ENGAGED)[family.id] == "Due by 31 Mar 2025"
    assert star_due_by_family(store, due_on)[family.id] == "Due by 31 Mar 2025"
    assert star_due_by_family(store, due_on + dt.timedelta(days=1))[family.id] == (
        "Overdue (was due 31 Mar 2025)"
    )


def test_review_shows_14_days_before_it_is_due_and_drafts_do_not_count(store: Store) -> None:
    family = engaged_family(store, "FM-2")
    taken = dt.date(2025, 3, 20)
    store.save(completed(family, taken))
    review = taken + dt.timedelta(days=84)  # 12 June 2025
    assert star_due_by_family(store, review - dt.timedelta(days=15))[family.id] == ""
    assert star_due_by_family(store, review - dt.timedelta(days=14))[family.id] == (
        "Due by 12 Jun 2025"
    )
    assert star_due_by_family(store, review)[family.id] == "Due by 12 Jun 2025"
    late = review + dt.timedelta(days=1)
    assert star_due_by_family(store, late)[family.id] == "Overdue (was due 12 Jun 2025)"

    # A draft started later is not a reading yet; completing it moves the next date on.
    draft = new_reading(STAR, family_id=family.id, taken_on=late).with_score("health", 6)
    store.save(draft)
    assert star_due_by_family(store, late)[family.id] == "Overdue (was due 12 Jun 2025)"
    store.save(completed(family, late, 6))
    assert star_due_by_family(store, late)[family.id] == ""


def test_deleted_reading_no_longer_counts(store: Store) -> None:
    family = engaged_family(store, "FM-3")
    (reading,) = store.save(completed(family, dt.date(2025, 3, 10)))
    on = dt.date(2025, 4, 20)
    assert star_due_by_family(store, on)[family.id] == ""
    remove_reading(store, reading, by="Pat Keyworker", reason="Entered on the wrong family")
    assert star_due_by_family(store, on)[family.id] == "Overdue (was due 31 Mar 2025)"


def test_only_engaged_and_active_families_are_due(store: Store) -> None:
    engaged = engaged_family(store, "FM-4", FamilyStatus.ENGAGED)
    closed = engaged_family(store, "FM-5", FamilyStatus.CLOSED)
    identified = Family(reference="FM-6", name="Kowalczyk family")
    # Active, but with no record of when it became engaged (e.g. entered before fmdesk).
    no_history = Family(reference="FM-7", name="Ó Briain family", status=FamilyStatus.ACTIVE)
    store.save(identified, no_history)
    late = ENGAGED + dt.timedelta(days=100)
    due = star_due_by_family(store, late)
    assert due == {
        engaged.id: "Overdue (was due 31 Mar 2025)",
        closed.id: "",
        identified.id: "",
        no_history.id: "",
    }


def test_schedule_comes_from_the_store_settings(store: Store) -> None:
    family = engaged_family(store, "FM-8")
    store.set_setting("star.schedule", {"first_within_days": 42})
    assert star_due_by_family(store, ENGAGED + dt.timedelta(days=40))[family.id] == (
        "Due by 14 Apr 2025"
    )


def test_council_instrument_file_is_remembered_and_used_for_new_readings(
    store: Store, store_path: Path, tmp_path: Path
) -> None:
    assert load_catalogue(store).instruments.default.id == "family-progress-star"
    path = council_file(tmp_path)
    added = add_instrument_file(store, path)
    assert added.ref == "anytown-child-star@1"
    assert added.scale_max == 5
    store.close()
    with Store.open(store_path, TEST_PASSPHRASE) as reopened:
        catalogue = load_catalogue(reopened)
        assert catalogue.problems == ()
        assert catalogue.instruments.default.ref == "anytown-child-star@1"
        # Ours stays loaded, so readings taken with it still open.
        assert catalogue.instruments.get("family-progress-star").name == "Family progress star"
        set_default_instrument(reopened, "family-progress-star")
        assert load_catalogue(reopened).instruments.default.id == "family-progress-star"
        with pytest.raises(ValidationError, match="not loaded"):
            set_default_instrument(reopened, "anytown-child-star@9")


def test_a_bad_instrument_file_is_refused_and_not_remembered(store: Store, tmp_path: Path) -> None:
    path = council_file(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["stages"][1]["from"] = 4  # leaves score 3 in no stage
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"child-star-v1.json: stages: gap .* score 3"):
        add_instrument_file(store, path)
    assert store.list(Definition) == []


def test_a_changed_file_must_take_a_new_version(store: Store, tmp_path: Path) -> None:
    add_instrument_file(store, council_file(tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    changed = council_file(other, name="Renamed star")
    with pytest.raises(ValidationError, match="new version number"):
        add_instrument_file(store, changed)
    assert len(store.list(Definition)) == 1


def test_the_instrument_stays_when_its_file_goes(store: Store, tmp_path: Path) -> None:
    path = council_file(tmp_path)
    add_instrument_file(store, path)
    path.unlink()
    catalogue = load_catalogue(store)
    assert catalogue.problems == ()
    assert catalogue.instruments.default.ref == "anytown-child-star@1"


def test_a_path_an_older_fmdesk_remembered_is_taken_into_the_store(
    store: Store, tmp_path: Path
) -> None:
    path = council_file(tmp_path)
    gone = tmp_path / "gone" / "old-star.json"
    store.set_setting("star.instrument_paths", [str(path), str(gone)])
    catalogue = load_catalogue(store)
    assert catalogue.instruments.default.ref == "anytown-child-star@1"
    ((held),) = store.list(Definition)
    assert (held.ref, held.file_name) == ("anytown-child-star@1", path.name)
    # The file that cannot be read stays listed and is reported until it is added again.
    (problem,) = catalogue.problems
    assert "old-star.json" in problem
    assert "add it again" in problem
    assert store.get_setting("star.instrument_paths") == [str(gone)]
    path.unlink()  # the store holds the content now
    assert load_catalogue(store).instruments.default.ref == "anytown-child-star@1"
    gone.parent.mkdir()
    council_file(gone.parent, name="Old star", version=2).rename(gone)
    assert load_catalogue(store).problems == ()
    assert store.get_setting("star.instrument_paths") is None
    assert sorted(d.ref for d in store.list(Definition)) == [
        "anytown-child-star@1",
        "anytown-child-star@2",
    ]


def test_draft_completion_edit_and_deletion(store: Store) -> None:
    family = engaged_family(store, "FM-9")
    draft = new_reading(STAR, family_id=family.id, taken_on=dt.date(2025, 3, 24))
    draft = save_draft(store, draft.with_score("health", 3, "Zoë has started swimming"), STAR)
    with pytest.raises(ValidationError, match="Score every area before completing"):
        save_completed(store, draft, STAR)
    for area in STAR.area_ids:
        draft = draft.with_score(area, draft.score(area) or 4)
    done = save_completed(store, draft, STAR)
    with pytest.raises(UserError, match="completed or deleted"):
        save_draft(store, draft.with_score("health", 9), STAR)

    edited, log = save_edit(
        store,
        done,
        done.with_score("health", 5),
        instrument=STAR,
        by="Pat Keyworker",
        reason="Mum corrected the score next visit",
    )
    assert edited.score("health") == 5
    assert [(c.area, c.before, c.after) for c in log.changes] == [("health", "3", "5")]

    # The first copy is stale now: an edit from it would undo the one above.
    with pytest.raises(UserError, match="changed elsewhere"):
        save_edit(
            store,
            done,
            done.with_score("work", 9),
            instrument=STAR,
            by="Pat Keyworker",
            reason="Another change",
        )

    stars = load_family_stars(store, family.id)
    assert [r.status for r in stars.readings] == [ReadingStatus.COMPLETED]
    assert stars.readings[0].score("health") == 5
    assert [e.reason for e in stars.edits] == ["Mum corrected the score next visit"]
    assert stars.practitioner == "Test Practitioner"

    remove_reading(store, stars.readings[0], by="Pat Keyworker", reason="Wrong family")
    stars = load_family_stars(store, family.id)
    assert stars.readings == []
    assert [(d.reason, d.reading_taken_on) for d in store.list(StarReadingDeletion)] == [
        ("Wrong family", dt.date(2025, 3, 24))
    ]
