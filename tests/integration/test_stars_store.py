"""Star readings, their edit log and deletions round-trip through the real encrypted store."""

import datetime as dt
from pathlib import Path

from db.store import Store
from fmdesk.families import Family, FamilyStatus
from fmdesk.stars import (
    Instrument,
    InstrumentCatalogue,
    Participation,
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
    complete_reading,
    delete_reading,
    edit_completed_reading,
    new_reading,
    readings_table,
    star_due,
    star_evidence,
)

ENGAGED = dt.date(2025, 2, 10)
PASSPHRASE = "correct horse battery staple"  # what the `store` fixture is created with


def test_readings_edits_and_deletions_survive_closing_the_store(
    store: Store, store_path: Path
) -> None:
    star = InstrumentCatalogue().default
    family = Family(reference="FM-0311", name="Nowak", status=FamilyStatus.ACTIVE)
    draft = new_reading(
        star,
        family_id=family.id,
        taken_on=ENGAGED + dt.timedelta(days=7),
        taken_by="Siobhán Kelly",
        participation=Participation.TOGETHER,
    )
    for area_id in star.area_ids:
        draft = draft.with_score(area_id, 4, f"Talked about {area_id} with Łukasz")
    store.save(family, draft)  # a draft autosaves half-way through
    first = complete_reading(draft, star)
    second = scored_all(star, family.id, ENGAGED + dt.timedelta(days=90), 7)
    second = complete_reading(second.replace(retrospective=True), star)
    mistake = complete_reading(
        scored_all(star, family.id, ENGAGED + dt.timedelta(days=91), 1), star
    )
    store.save(first, second, mistake)

    edited, edit = edit_completed_reading(
        second,
        second.with_score("work", 8, "Started volunteering"),
        instrument=star,
        by="Siobhán Kelly",
        at=dt.datetime(2025, 5, 12, 16, 5),
        reason="Family remembered the volunteering after the visit",
    )
    store.save(edited, edit)
    store.save(
        *delete_reading(
            mistake,
            by="Siobhán Kelly",
            at=dt.datetime(2025, 5, 12, 16, 9),
            reason="Duplicate entry",
        )
    )
    store.close()

    reopened = Store.open(store_path, PASSPHRASE)
    try:
        readings = reopened.list(StarReading, family_id=family.id)
        assert {r.id for r in readings} == {first.id, second.id}
        back = reopened.get(StarReading, second.id)
        assert back is not None
        assert back.status is ReadingStatus.COMPLETED
        assert back.retrospective
        assert back.score("work") == 8
        assert back.note("work") == "Started volunteering"
        first_back = reopened.get(StarReading, first.id)
        assert first_back is not None
        assert first_back == first.replace(revision=first_back.revision)
        assert first_back.note("routine") == "Talked about routine with Łukasz"

        [log] = reopened.list(StarReadingEdit, family_id=family.id)
        assert log.reading_id == second.id
        assert [(c.field, c.area, c.before, c.after) for c in log.changes] == [
            ("score", "work", "7", "8"),
            ("note", "work", "", "Started volunteering"),
        ]
        [deletion] = reopened.list(StarReadingDeletion, family_id=family.id)
        assert (deletion.reading_id, deletion.reason) == (mistake.id, "Duplicate entry")
        tombstone = reopened.get(StarReading, mistake.id)
        assert tombstone is not None
        assert tombstone.deleted

        # What the caseload, the progress report and the outcomes tracker compute from them.
        every = reopened.list(StarReading, family_id=family.id, include_deleted=True)
        table = readings_table(star, every)
        assert [r.id for r in table.readings] == [first.id, second.id]
        assert table.total_change == 31
        due = star_due(ENGAGED, every, dt.date(2025, 7, 20))
        assert (due.label, due.due_on) == ("Star due", ENGAGED + dt.timedelta(days=90 + 84))
        evidence = star_evidence(every, area="work", minimum=7, maximum=10)
        assert evidence.met
        assert evidence.reading_id == second.id
    finally:
        reopened.close()


def scored_all(star: Instrument, family_id: str, on: dt.date, score: int) -> StarReading:
    reading = new_reading(star, family_id=family_id, taken_on=on)
    for area_id in star.area_ids:
        reading = reading.with_score(area_id, score)
    return reading
