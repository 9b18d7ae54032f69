"""Star readings: the record, its scores, drafts and completion, and edits and deletions.

A reading keeps the instrument it was taken with as "id@version", so readings stay readable
after a council moves to a newer version. Completed readings are edited only with a reason,
and each edit leaves a StarReadingEdit with the before and after values; deleting a reading
leaves a StarReadingDeletion saying who, when and why.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from typing import ClassVar

from fmdesk.errors import ValidationError
from fmdesk.records import Record, record_kind
from fmdesk.stars.instrument import Instrument, split_ref


class Participation(enum.StrEnum):
    TOGETHER = "together"
    PRACTITIONER_ONLY = "practitioner_only"
    FAMILY_ONLY = "family_only"

    @property
    def label(self) -> str:
        return PARTICIPATION_LABELS[self]


PARTICIPATION_LABELS = {
    Participation.TOGETHER: "Practitioner and family together",
    Participation.PRACTITIONER_ONLY: "Practitioner only",
    Participation.FAMILY_ONLY: "Family only",
}


class ReadingStatus(enum.StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclasses.dataclass(frozen=True, kw_only=True)
class AreaScore:
    area: str
    score: int | None = None  # None until scored (a draft)
    note: str = ""


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class StarReading(Record):
    KIND: ClassVar[str] = "star_reading"

    instrument: str  # "id@version"
    taken_on: dt.date
    scores: tuple[AreaScore, ...] = ()
    participation: Participation = Participation.TOGETHER
    # Entered afterwards from a paper Star, or backdated: still a reading, marked as such.
    retrospective: bool = False
    status: ReadingStatus = ReadingStatus.DRAFT
    taken_by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a Star reading belongs to a family")
        split_ref(self.instrument)
        areas = [s.area for s in self.scores]
        if len(set(areas)) != len(areas):
            raise ValueError("each area is scored once in a reading")

    @property
    def is_completed(self) -> bool:
        return self.status is ReadingStatus.COMPLETED and not self.deleted

    @property
    def instrument_id(self) -> str:
        return split_ref(self.instrument)[0]

    def score(self, area_id: str) -> int | None:
        for s in self.scores:
            if s.area == area_id:
                return s.score
        return None

    def note(self, area_id: str) -> str:
        for s in self.scores:
            if s.area == area_id:
                return s.note
        return ""

    def with_score(self, area_id: str, score: int | None, note: str | None = None) -> "StarReading":
        """A copy with one area's score (and note, unless None) set; the order of areas kept."""
        scores = list(self.scores)
        for i, s in enumerate(scores):
            if s.area == area_id:
                scores[i] = AreaScore(
                    area=area_id, score=score, note=s.note if note is None else note
                )
                break
        else:
            scores.append(AreaScore(area=area_id, score=score, note=note or ""))
        return self.replace(scores=tuple(scores))


def new_reading(
    instrument: Instrument,
    *,
    family_id: str,
    taken_on: dt.date,
    taken_by: str = "",
    participation: Participation = Participation.TOGETHER,
    retrospective: bool = False,
) -> StarReading:
    """A draft with every area of the instrument present and unscored."""
    return StarReading(
        family_id=family_id,
        instrument=instrument.ref,
        taken_on=taken_on,
        scores=tuple(AreaScore(area=a.id) for a in instrument.areas),
        participation=participation,
        retrospective=retrospective,
        taken_by=taken_by,
    )


def check_reading(reading: StarReading, instrument: Instrument) -> None:
    """Scores must be on the instrument's scale and name its areas; a completed reading
    scores every area. Raises ValidationError naming the area."""
    if split_ref(reading.instrument)[0] != instrument.id:
        raise ValidationError(
            f"This reading was taken with {reading.instrument}, not {instrument.ref}."
        )
    for s in reading.scores:
        area = instrument.area(s.area)
        if s.score is not None and not instrument.scale_min <= s.score <= instrument.scale_max:
            raise ValidationError(
                f"{area.name}: {s.score} is not on the scale "
                f"({instrument.scale_min}–{instrument.scale_max})."
            )
    if reading.status is ReadingStatus.COMPLETED:
        missing = [a.name for a in instrument.areas if reading.score(a.id) is None]
        if missing:
            raise ValidationError("Score every area before completing: " + ", ".join(missing))


def complete_reading(reading: StarReading, instrument: Instrument) -> StarReading:
    """Mark a draft completed once every area has a score."""
    completed = reading.replace(status=ReadingStatus.COMPLETED)
    check_reading(completed, instrument)
    return completed


@dataclasses.dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One changed value: `field` is "score", "note" (with `area`) or a reading field name."""

    field: str
    area: str = ""
    before: str = ""
    after: str = ""


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class StarReadingEdit(Record):
    """A change to a completed reading, kept with its before and after values."""

    KIND: ClassVar[str] = "star_reading_edit"
    APPEND_ONLY: ClassVar[bool] = True

    reading_id: str
    at: dt.datetime
    by: str = ""
    reason: str
    changes: tuple[FieldChange, ...]


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class StarReadingDeletion(Record):
    """Why a reading was deleted, by whom and when; the reading itself becomes a tombstone."""

    KIND: ClassVar[str] = "star_reading_deletion"
    APPEND_ONLY: ClassVar[bool] = True

    reading_id: str
    reading_taken_on: dt.date
    instrument: str
    at: dt.datetime
    by: str = ""
    reason: str


_EDITABLE_FIELDS = ("taken_on", "participation", "retrospective", "taken_by", "instrument")


def reading_changes(before: StarReading, after: StarReading) -> tuple[FieldChange, ...]:
    """What differs between two versions of a reading, as text for the edit log."""
    changes: list[FieldChange] = []
    for name in _EDITABLE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.append(FieldChange(field=name, before=_as_text(old), after=_as_text(new)))
    areas = list(dict.fromkeys([s.area for s in before.scores] + [s.area for s in after.scores]))
    for area in areas:
        if before.score(area) != after.score(area):
            changes.append(
                FieldChange(
                    field="score",
                    area=area,
                    before=_as_text(before.score(area)),
                    after=_as_text(after.score(area)),
                )
            )
        if before.note(area) != after.note(area):
            changes.append(
                FieldChange(
                    field="note", area=area, before=before.note(area), after=after.note(area)
                )
            )
    return tuple(changes)


def edit_completed_reading(
    before: StarReading,
    after: StarReading,
    *,
    instrument: Instrument,
    by: str,
    at: dt.datetime,
    reason: str,
) -> tuple[StarReading, StarReadingEdit]:
    """Check an edit of a completed reading and make its log entry; save both together."""
    if before.id != after.id:
        raise ValidationError("An edit must be of the same reading.")
    if before.status is not ReadingStatus.COMPLETED:
        raise ValidationError("Only completed readings need an edit record; save the draft.")
    if not reason.strip():
        raise ValidationError("Say why this completed reading is being changed.")
    edited = after.replace(status=ReadingStatus.COMPLETED)
    check_reading(edited, instrument)
    changes = reading_changes(before, edited)
    if not changes:
        raise ValidationError("Nothing in the reading has changed.")
    log = StarReadingEdit(
        family_id=before.family_id,
        reading_id=before.id,
        at=at,
        by=by,
        reason=reason.strip(),
        changes=changes,
    )
    return edited, log


def delete_reading(
    reading: StarReading, *, by: str, at: dt.datetime, reason: str
) -> tuple[StarReading, StarReadingDeletion]:
    """The reading as a tombstone and the record of why; save both in one transaction."""
    if not reason.strip():
        raise ValidationError("Say why this Star reading is being deleted.")
    deletion = StarReadingDeletion(
        family_id=reading.family_id,
        reading_id=reading.id,
        reading_taken_on=reading.taken_on,
        instrument=reading.instrument,
        at=at,
        by=by,
        reason=reason.strip(),
    )
    return reading.replace(deleted=True), deletion


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def completed_readings(
    readings: Iterable[StarReading], instrument_id: str = ""
) -> list[StarReading]:
    """Completed readings, neither deleted nor recorded in error (of one instrument, if
    named), oldest first: the readings every chart, comparison and figure counts."""
    chosen = [
        r
        for r in readings
        if r.is_completed
        and not r.in_error  # recorded in error: it counts for nothing
        and (not instrument_id or r.instrument_id == instrument_id)
    ]
    return sorted(chosen, key=lambda r: (r.taken_on, r.id))
