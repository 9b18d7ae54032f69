"""Star readings through the store: the instrument catalogue, a family's readings, and the
caseload's "Star due" column.

The catalogue is the built-in instruments plus the council's instruments, held in the store as
Definition records (fmdesk/definition.py; a licensed council's instrument is its own to keep and
to send to its practitioners, which bundles do), from the store's library, built once and kept
(db/library.py `definitions`). The instrument new readings use is in the setting `star.default`
("id" or "id@version"; empty means the last council instrument added).

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from db.history import IN_ERROR_FIELD_SQL
from db.library import DEFAULT_INSTRUMENT_SETTING, add_definition_file, definitions
from db.store import Store
from fmdesk.definition import DefinitionKind
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus, StatusChange
from fmdesk.stars import (
    DueState,
    Instrument,
    InstrumentCatalogue,
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
    StarSchedule,
    check_reading,
    complete_reading,
    delete_reading,
    edit_completed_reading,
    star_due_after,
)

SCHEDULE_SETTING = "star.schedule"


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """The instruments this store can use, and any council file that could not be loaded
    (one plain sentence each), so a missing file on a shared drive never hides the rest."""

    instruments: InstrumentCatalogue
    problems: tuple[str, ...] = ()


def load_catalogue(store: Store) -> Catalogue:
    """Built-ins plus the council's instruments held in the store (oldest first), from the
    store's kept library: shared, so read-only. One whose id@version is already loaded with
    different content is left out, with a sentence why."""
    found = definitions(store)
    return Catalogue(found.instruments, found.problems_of(DefinitionKind.INSTRUMENT))


def add_instrument_file(store: Store, path: str | Path) -> Instrument:
    """Check a council's instrument file and keep its content in the store (a Definition
    record, which bundles carry to practitioners); new readings then use it (unless
    `star.default` names another). Raises ValidationError naming the file and field, or when
    the same id@version is already loaded with different content."""
    return cast(Instrument, add_definition_file(store, DefinitionKind.INSTRUMENT, path))


def set_default_instrument(store: Store, ref: str) -> None:
    """Which instrument new readings use: "id", "id@version", or "" for the last file added."""
    if ref:
        load_catalogue(store).instruments.get(ref)  # refuses one that is not loaded
    store.set_setting(DEFAULT_INSTRUMENT_SETTING, ref)  # the store lets the library go


@dataclasses.dataclass(frozen=True)
class FamilyStars:
    """Everything the Star tab shows for one family, read in one go."""

    family_id: str
    catalogue: Catalogue
    readings: list[StarReading]  # not deleted: drafts and completed, oldest first
    edits: list[StarReadingEdit]
    deletions: list[StarReadingDeletion]
    practitioner: str  # the store owner's name, for "taken by" and the edit log
    schedule: StarSchedule = dataclasses.field(default_factory=StarSchedule)


def load_family_stars(store: Store, family_id: str) -> FamilyStars:
    readings = sorted(
        store.list(StarReading, family_id=family_id), key=lambda r: (r.taken_on, r.id)
    )
    edits = sorted(store.list(StarReadingEdit, family_id=family_id), key=lambda e: e.at)
    deletions = sorted(store.list(StarReadingDeletion, family_id=family_id), key=lambda d: d.at)
    return FamilyStars(
        family_id=family_id,
        catalogue=load_catalogue(store),
        readings=readings,
        edits=edits,
        deletions=deletions,
        practitioner=store.info.owner_name,
        schedule=star_schedule(store),
    )


def save_draft(store: Store, reading: StarReading, instrument: Instrument) -> StarReading:
    """Autosave a reading being taken. A completed reading is never overwritten this way."""
    stored = store.get(StarReading, reading.id)
    if stored is not None and (stored.is_completed or stored.deleted):
        raise UserError(
            "This Star reading has been completed or deleted meanwhile; the change was not "
            "saved. Open it again to change it."
        )
    check_reading(reading, instrument)
    (saved,) = store.save(reading)
    return saved


def save_completed(store: Store, reading: StarReading, instrument: Instrument) -> StarReading:
    """Complete a draft: refused (ValidationError naming the areas) until every area is scored."""
    completed = complete_reading(reading, instrument)
    stored = store.get(StarReading, reading.id)
    if stored is not None and stored.deleted:
        raise UserError("This Star reading was deleted meanwhile; it cannot be completed.")
    (saved,) = store.save(completed)
    return saved


def save_edit(
    store: Store,
    before: StarReading,
    after: StarReading,
    *,
    instrument: Instrument,
    by: str,
    reason: str,
    at: dt.datetime | None = None,
) -> tuple[StarReading, StarReadingEdit]:
    """Change a completed reading with a reason: the reading and its before/after log entry
    are saved in one transaction. `before` must still be what the store holds."""
    stored = store.get(StarReading, before.id)
    if stored is None or stored.deleted:
        raise UserError("This Star reading was deleted meanwhile; the change was not saved.")
    if stored.replace(revision=before.revision) != before:
        raise UserError(
            "This Star reading was changed elsewhere (perhaps by a sync) since you opened it; "
            "the change was not saved. Open it again and make the change once more."
        )
    edited, log = edit_completed_reading(
        stored,
        after.replace(revision=stored.revision),
        instrument=instrument,
        by=by,
        at=at or dt.datetime.now(dt.UTC).replace(microsecond=0),
        reason=reason,
    )
    saved_reading, saved_log = store.save(edited, log)
    return cast(StarReading, saved_reading), cast(StarReadingEdit, saved_log)


def remove_reading(
    store: Store, reading: StarReading, *, by: str, reason: str, at: dt.datetime | None = None
) -> StarReadingDeletion:
    """Delete a reading (draft or completed) with a reason, in one transaction."""
    tombstone, deletion = delete_reading(
        reading, by=by, at=at or dt.datetime.now(dt.UTC).replace(microsecond=0), reason=reason
    )
    _, saved = store.save(tombstone, deletion)
    return cast(StarReadingDeletion, saved)


def star_schedule(store: Store) -> StarSchedule:
    """The council's Star intervals from the setting `star.schedule` (any of
    first_within_days, every_days, notice_days), else the usual 28 / 84 / 14 days."""
    saved = store.get_setting(SCHEDULE_SETTING, {})
    if not isinstance(saved, dict):
        return StarSchedule()
    known = {f.name for f in dataclasses.fields(StarSchedule)}
    try:
        return StarSchedule(**{k: int(v) for k, v in saved.items() if k in known})
    except (TypeError, ValueError) as exc:
        raise UserError(f"The Star schedule setting is not usable: {exc}.") from None


def star_due_by_family(
    store: Store,
    on: dt.date,
    schedule: StarSchedule | None = None,
    *,
    families: Sequence[Family] | None = None,
) -> dict[str, str]:
    """The caseload's Star column for every family: "Due by 3 Mar 2026", "Overdue (was
    due 3 Mar 2026)", or "" when no reading is due (and for families that are not engaged or
    active: identified, allocated, refused or closed).

    The first reading is due from the day the family became engaged (its latest status change
    to engaged), then every `schedule.every_days` after the latest completed reading (the
    schedule defaults to the store's setting). Pass `families` when they are already decoded
    (the caseload has them). SQLite picks each family's engagement date and latest completed
    reading, so no status change or reading is decoded: decoding them cost more than the rest
    of the caseload listing (benchmarks/bench_store.py).
    """
    schedule = schedule or star_schedule(store)
    if families is None:
        families = store.list(Family)
    working = {FamilyStatus.ENGAGED, FamilyStatus.ACTIVE}
    out = {family.id: "" for family in families}
    open_ids = [f.id for f in families if f.status in working]
    if not open_ids:
        return out
    engaged_on = {
        family_id: dt.date.fromisoformat(on_text)
        for family_id, on_text in store.db.execute(
            "SELECT family_id, max(body ->> '$.on') FROM records "
            "WHERE kind = ? AND deleted = 0 AND body ->> '$.to_status' = ? GROUP BY family_id",
            [StatusChange.KIND, FamilyStatus.ENGAGED.value],
        )
    }
    latest_taken = {
        family_id: dt.date.fromisoformat(taken)
        for family_id, taken in store.db.execute(
            "SELECT family_id, max(body ->> '$.taken_on') FROM records "
            f"WHERE kind = ? AND deleted = 0 AND {IN_ERROR_FIELD_SQL} IS NULL "
            "AND body ->> '$.status' = ? AND family_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY family_id",
            [StarReading.KIND, ReadingStatus.COMPLETED.value, json.dumps(open_ids)],
        )
    }
    for family_id in open_ids:
        due = star_due_after(engaged_on.get(family_id), latest_taken.get(family_id), on, schedule)
        if due.due_on is not None and due.state is DueState.DUE:
            out[family_id] = f"Due by {_short_date(due.due_on)}"
        elif due.due_on is not None and due.state is DueState.OVERDUE:
            out[family_id] = f"Overdue (was due {_short_date(due.due_on)})"
    return out


def _short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
