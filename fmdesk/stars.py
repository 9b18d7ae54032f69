"""Star readings: instruments as data, readings, change over time, due dates and evidence.

A Star instrument (areas, a score scale and named stage bands) is a JSON file, never code: we
ship our own generic "Family progress star", and a council that holds a licence for a
published Star loads its instrument from a file of its own (see docs/instruments.md). The
publisher's wording must never be copied into the project, so nothing here knows any area or
stage by name.

A reading keeps the instrument it was taken with as "id@version", so readings stay readable
after a council moves to a newer version. Completed readings are edited only with a reason,
and each edit leaves a StarReadingEdit with the before and after values; deleting a reading
leaves a StarReadingDeletion saying who, when and why.
"""

import dataclasses
import datetime as dt
import enum
import importlib.resources
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from fmdesk.errors import ValidationError
from fmdesk.records import Record, record_kind

INSTRUMENT_FILE_FORMAT = "fmdesk-star-instrument"
DEFAULT_INSTRUMENT_ID = "family-progress-star"


# ---- instruments ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageBand:
    """A named stage covering scores `low` to `high` inclusive."""

    name: str
    low: int
    high: int
    description: str = ""

    def holds(self, score: int) -> bool:
        return self.low <= score <= self.high

    @property
    def range_text(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Area:
    id: str
    name: str
    help: str = ""
    # Optional wording for single scores, keyed by score; a licensed instrument may have them.
    score_descriptions: Mapping[int, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Instrument:
    id: str
    version: int
    name: str
    licence: str
    scale_min: int
    scale_max: int
    stages: tuple[StageBand, ...]
    areas: tuple[Area, ...]
    description: str = ""
    # Where it came from: "built-in" or the file's path; shown to the user, never stored.
    source: str = "built-in"

    @property
    def ref(self) -> str:
        """What a reading stores: "id@version"."""
        return f"{self.id}@{self.version}"

    @property
    def area_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.areas)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise ValidationError(f"The {self.name} has no area {area_id!r}.")

    def stage_index(self, score: int) -> int:
        """0 for the lowest stage. Bands cover the scale exactly, so every valid score has one."""
        for index, band in enumerate(self.stages):
            if band.holds(score):
                return index
        raise ValidationError(
            f"{score} is outside the {self.name}'s scale ({self.scale_min}–{self.scale_max})."
        )

    def stage(self, score: int) -> StageBand:
        return self.stages[self.stage_index(score)]

    def describe(self, area_id: str, score: int) -> tuple[StageBand, str]:
        """The stage of `score` and the words to show beside it: the area's own description
        of that score when the instrument has one, else the stage's description."""
        stage = self.stage(score)
        wording = self.area(area_id).score_descriptions.get(score) or stage.description
        return stage, wording


def split_ref(ref: str) -> tuple[str, int | None]:
    """ "family-progress-star@2" -> ("family-progress-star", 2); a bare id -> (id, None)."""
    name, sep, version = ref.partition("@")
    if not sep:
        return name, None
    try:
        return name, int(version)
    except ValueError:
        raise ValidationError(f"{ref!r} is not an instrument reference (id@version)") from None


def parse_instrument(data: Any, *, source: str = "built-in") -> Instrument:
    """Check the plain data of an instrument file and build the Instrument.

    Errors are ValidationErrors whose message starts with `source` and names the field, such as
    `council-star.json: stages[2] "Trying" (5–7): overlaps stages[1] "Getting help" (3–5) at 5`.
    """
    where = Path(source).name if source != "built-in" else "built-in instrument"
    try:
        return _parse_instrument(data, source)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None


def load_instrument(path: str | Path) -> Instrument:
    """Load and check an instrument file from anywhere on disk (a council's licensed Star)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot read the instrument file {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_instrument(data, source=str(path))


def builtin_instruments() -> list[Instrument]:
    """The instruments shipped in fmdesk/definitions/instruments, sorted by id and version."""
    folder = importlib.resources.files("fmdesk") / "definitions" / "instruments"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found.append(parse_instrument(data, source="built-in"))
    return sorted(found, key=lambda i: (i.id, i.version))


class InstrumentCatalogue:
    """The instruments a store can use: the built-in ones plus any the council has loaded.

    The default (what a new reading uses) is the one named by `default` ("id" or "id@version");
    without a name it is the last council instrument added, so loading a licensed Star
    replaces ours with no code change; with no council instrument it is our own star.
    """

    def __init__(self, instruments: Iterable[Instrument] = (), *, default: str = "") -> None:
        self._by_ref: dict[str, Instrument] = {}
        self._council: list[str] = []
        self._default = default
        for instrument in builtin_instruments():
            self._by_ref[instrument.ref] = instrument
        for instrument in instruments:
            self.add(instrument)

    @classmethod
    def load(cls, paths: Iterable[str | Path] = (), *, default: str = "") -> "InstrumentCatalogue":
        """Built-ins plus each file in `paths` (a folder means every *.json in it)."""
        files: list[Path] = []
        for path in map(Path, paths):
            files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
        return cls([load_instrument(f) for f in files], default=default)

    def add(self, instrument: Instrument) -> None:
        existing = self._by_ref.get(instrument.ref)
        if existing is not None and existing != dataclasses.replace(
            instrument, source=existing.source
        ):
            raise ValidationError(
                f"{instrument.ref} is already loaded from {existing.source} with different "
                f"content; give the new one a new version number."
            )
        self._by_ref[instrument.ref] = instrument
        if instrument.source != "built-in":
            self._council.append(instrument.ref)

    def __iter__(self) -> Iterator[Instrument]:
        return iter(sorted(self._by_ref.values(), key=lambda i: (i.id, i.version)))

    def get(self, ref: str) -> Instrument:
        """An exact "id@version", or the newest version of a bare id."""
        name, version = split_ref(ref)
        if version is not None:
            try:
                return self._by_ref[ref]
            except KeyError:
                raise ValidationError(
                    f"The Star instrument {ref} is not loaded on this computer. Ask the "
                    f"coordinator for its file."
                ) from None
        versions = [i for i in self._by_ref.values() if i.id == name]
        if not versions:
            raise ValidationError(f"No Star instrument called {name!r} is loaded.")
        return max(versions, key=lambda i: i.version)

    @property
    def default(self) -> Instrument:
        if self._default:
            return self.get(self._default)
        if self._council:
            return self._by_ref[self._council[-1]]
        return self.get(DEFAULT_INSTRUMENT_ID)


def _parse_instrument(data: Any, source: str) -> Instrument:
    obj = _object(data, "")
    fmt = obj.get("format", INSTRUMENT_FILE_FORMAT)
    if fmt != INSTRUMENT_FILE_FORMAT:
        raise ValidationError(f"format: expected {INSTRUMENT_FILE_FORMAT!r}, found {fmt!r}")
    ident = _text(obj, "id", "")
    if "@" in ident or ident != ident.strip():
        raise ValidationError("id: use letters, digits and hyphens (no '@' or spaces)")
    version = _int(obj, "version", "")
    if version < 1:
        raise ValidationError("version: must be 1 or more")
    scale = _object(obj.get("scale"), "scale")
    low, high = _int(scale, "min", "scale."), _int(scale, "max", "scale.")
    if high <= low:
        raise ValidationError(f"scale: max ({high}) must be above min ({low})")
    stages = _parse_stages(obj.get("stages"), low, high)
    areas = _parse_areas(obj.get("areas"), low, high)
    return Instrument(
        id=ident,
        version=version,
        name=_text(obj, "name", ""),
        licence=_text(obj, "licence", ""),
        description=_text(obj, "description", "", required=False),
        scale_min=low,
        scale_max=high,
        stages=stages,
        areas=areas,
        source=source,
    )


def _parse_stages(data: Any, scale_min: int, scale_max: int) -> tuple[StageBand, ...]:
    if not isinstance(data, list) or not data:
        raise ValidationError("stages: expected a list of at least one stage band")
    bands: list[tuple[int, StageBand]] = []
    for i, item in enumerate(data):
        at = f"stages[{i}]."
        obj = _object(item, f"stages[{i}]")
        band = StageBand(
            name=_text(obj, "name", at),
            low=_int(obj, "from", at),
            high=_int(obj, "to", at),
            description=_text(obj, "description", at, required=False),
        )
        label = f'stages[{i}] "{band.name}"'
        if band.high < band.low:
            raise ValidationError(f"{label}: 'to' ({band.high}) is below 'from' ({band.low})")
        if band.low < scale_min or band.high > scale_max:
            raise ValidationError(
                f"{label} ({band.range_text}) goes outside the scale ({scale_min}–{scale_max})"
            )
        bands.append((i, band))
    bands.sort(key=lambda pair: pair[1].low)

    def label(pair: tuple[int, StageBand]) -> str:
        return f'stages[{pair[0]}] "{pair[1].name}" ({pair[1].range_text})'

    first, last = bands[0], bands[-1]
    if first[1].low > scale_min:
        raise ValidationError(
            f"stages: no band covers {_span(scale_min, first[1].low - 1)}; the lowest band "
            f"{label(first)} starts at {first[1].low} but the scale starts at {scale_min}"
        )
    if last[1].high < scale_max:
        raise ValidationError(
            f"stages: no band covers {_span(last[1].high + 1, scale_max)}; the highest band "
            f"{label(last)} ends at {last[1].high} but the scale ends at {scale_max}"
        )
    for before, after in itertools.pairwise(bands):
        if after[1].low <= before[1].high:
            shared = _span(after[1].low, min(before[1].high, after[1].high))
            raise ValidationError(f"{label(after)}: overlaps {label(before)} at {shared}")
        if after[1].low > before[1].high + 1:
            missing = _span(before[1].high + 1, after[1].low - 1)
            raise ValidationError(
                f"stages: gap between {label(before)} and {label(after)}: no band covers {missing}"
            )
    return tuple(band for _, band in bands)


def _parse_areas(data: Any, scale_min: int, scale_max: int) -> tuple[Area, ...]:
    if not isinstance(data, list) or not data:
        raise ValidationError("areas: expected a list of at least one area")
    areas: list[Area] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        at = f"areas[{i}]."
        obj = _object(item, f"areas[{i}]")
        area_id = _text(obj, "id", at)
        if area_id in seen:
            raise ValidationError(f"{at}id: {area_id!r} is used by an earlier area")
        seen.add(area_id)
        descriptions: dict[int, str] = {}
        raw = obj.get("scores", {})
        for key, wording in _object(raw, f"{at}scores").items():
            try:
                score = int(key)
            except ValueError:
                raise ValidationError(f"{at}scores: {key!r} is not a score") from None
            if not scale_min <= score <= scale_max:
                raise ValidationError(
                    f"{at}scores: {score} is outside the scale ({scale_min}–{scale_max})"
                )
            if not isinstance(wording, str):
                raise ValidationError(f"{at}scores.{key}: expected text")
            descriptions[score] = wording
        areas.append(
            Area(
                id=area_id,
                name=_text(obj, "name", at),
                help=_text(obj, "help", at, required=False),
                score_descriptions=descriptions,
            )
        )
    return tuple(areas)


def _span(low: int, high: int) -> str:
    return f"score {low}" if low == high else f"scores {low}–{high}"


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where or 'the file'}: expected an object")
    return value


def _text(obj: Mapping[str, Any], key: str, at: str, *, required: bool = True) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(f"{at}{key}: expected text")
    if required and not value.strip():
        raise ValidationError(f"{at}{key}: missing")
    return value.strip()


def _int(obj: Mapping[str, Any], key: str, at: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{at}{key}: expected a whole number")
    return value


# ---- records --------------------------------------------------------------------------------


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


# ---- change, stages and the table over time -------------------------------------------------


def completed_readings(
    readings: Iterable[StarReading], instrument_id: str = ""
) -> list[StarReading]:
    """Completed, not deleted readings (of one instrument, if named), oldest first."""
    chosen = [
        r
        for r in readings
        if r.is_completed and (not instrument_id or r.instrument_id == instrument_id)
    ]
    return sorted(chosen, key=lambda r: (r.taken_on, r.id))


@dataclasses.dataclass(frozen=True, kw_only=True)
class AreaChange:
    area: str
    name: str
    before: int | None
    after: int | None
    stage_before: StageBand | None
    stage_after: StageBand | None
    # Stages moved: +1 up one stage, -2 down two; 0 when the same or either score is missing.
    stage_move: int

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadingComparison:
    before: StarReading
    after: StarReading
    areas: tuple[AreaChange, ...]

    @property
    def _both(self) -> list[AreaChange]:
        return [a for a in self.areas if a.change is not None]

    @property
    def total_before(self) -> int:
        return sum(a.before or 0 for a in self._both)

    @property
    def total_after(self) -> int:
        return sum(a.after or 0 for a in self._both)

    @property
    def total_change(self) -> int:
        """Overall change: the sum of the changes of the areas scored both times."""
        return self.total_after - self.total_before

    @property
    def average_change(self) -> float | None:
        both = self._both
        return self.total_change / len(both) if both else None

    @property
    def moved_up(self) -> int:
        return sum(1 for a in self.areas if a.stage_move > 0)

    @property
    def moved_down(self) -> int:
        return sum(1 for a in self.areas if a.stage_move < 0)

    @property
    def same_stage(self) -> int:
        return sum(1 for a in self._both if a.stage_move == 0)

    def movement_text(self) -> str:
        """e.g. "3 areas moved up a stage, 1 moved down a stage, 6 stayed in the same stage"."""
        parts: list[str] = []
        for count, what in (
            (self.moved_up, "moved up a stage"),
            (self.moved_down, "moved down a stage"),
            (self.same_stage, "stayed in the same stage"),
        ):
            if count:
                parts.append(f"{_areas(count) if not parts else count} {what}")
        return ", ".join(parts) if parts else "No area was scored in both readings"


def _areas(count: int) -> str:
    return f"{count} area" if count == 1 else f"{count} areas"


def compare_readings(
    instrument: Instrument, before: StarReading, after: StarReading
) -> ReadingComparison:
    """Change per area and overall, and stage movement, from `before` to `after`.

    Both readings must be of `instrument`'s id (versions may differ); areas are matched by id
    and listed in the instrument's order.
    """
    for reading in (before, after):
        if reading.instrument_id != instrument.id:
            raise ValidationError(
                f"A reading taken with {reading.instrument} cannot be compared on {instrument.ref}."
            )
    changes = []
    for area in instrument.areas:
        old, new = before.score(area.id), after.score(area.id)
        stage_old = instrument.stage_index(old) if old is not None else None
        stage_new = instrument.stage_index(new) if new is not None else None
        move = 0 if stage_old is None or stage_new is None else stage_new - stage_old
        changes.append(
            AreaChange(
                area=area.id,
                name=area.name,
                before=old,
                after=new,
                stage_before=None if stage_old is None else instrument.stages[stage_old],
                stage_after=None if stage_new is None else instrument.stages[stage_new],
                stage_move=move,
            )
        )
    return ReadingComparison(before=before, after=after, areas=tuple(changes))


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadingsRow:
    area: str
    name: str
    scores: tuple[int | None, ...]  # one per reading, oldest first
    change: int | None  # first to latest


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadingsTable:
    """Completed readings over time: one column per reading, one row per area."""

    readings: tuple[StarReading, ...]
    rows: tuple[ReadingsRow, ...]
    totals: tuple[int | None, ...]  # sum of each reading's scores (None if any area is missing)
    total_change: int | None


def readings_table(instrument: Instrument, readings: Iterable[StarReading]) -> ReadingsTable:
    chosen = tuple(completed_readings(readings, instrument.id))
    rows = []
    for area in instrument.areas:
        scores = tuple(r.score(area.id) for r in chosen)
        change = None
        if len(scores) >= 2 and scores[0] is not None and scores[-1] is not None:
            change = scores[-1] - scores[0]
        rows.append(ReadingsRow(area=area.id, name=area.name, scores=scores, change=change))
    totals = tuple(_total(r, instrument) for r in chosen)
    total_change = None
    if len(chosen) >= 2:
        total_change = compare_readings(instrument, chosen[0], chosen[-1]).total_change
    return ReadingsTable(
        readings=chosen, rows=tuple(rows), totals=totals, total_change=total_change
    )


def _total(reading: StarReading, instrument: Instrument) -> int | None:
    scores = [reading.score(a.id) for a in instrument.areas]
    if any(s is None for s in scores):
        return None
    return sum(s for s in scores if s is not None)


# ---- when a reading is due ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarSchedule:
    """The first reading within `first_within_days` of engagement, then one every
    `every_days`; "Star due" shows from `notice_days` before a review's due date."""

    first_within_days: int = 28
    every_days: int = 84
    notice_days: int = 14

    def __post_init__(self) -> None:
        if self.first_within_days < 0 or self.every_days < 1 or self.notice_days < 0:
            raise ValueError("Star intervals must be positive numbers of days")


class DueState(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"not_due": "", "due": "Star due", "overdue": "Star overdue"}[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarDue:
    state: DueState
    due_on: dt.date | None  # None when the family is not engaged

    @property
    def label(self) -> str:
        return self.state.label


def next_star_due(
    engaged_on: dt.date | None,
    readings: Iterable[StarReading],
    schedule: StarSchedule = StarSchedule(),
) -> dt.date | None:
    """When the next reading is due: after engagement, then after the latest completed one."""
    return _next_due(engaged_on, _latest_taken(readings), schedule)


def _latest_taken(readings: Iterable[StarReading]) -> dt.date | None:
    done = completed_readings(readings)
    return done[-1].taken_on if done else None


def _next_due(
    engaged_on: dt.date | None, latest_taken: dt.date | None, schedule: StarSchedule
) -> dt.date | None:
    if latest_taken is not None:
        return latest_taken + dt.timedelta(days=schedule.every_days)
    if engaged_on is None:
        return None
    return engaged_on + dt.timedelta(days=schedule.first_within_days)


def star_due(
    engaged_on: dt.date | None,
    readings: Iterable[StarReading],
    on: dt.date,
    schedule: StarSchedule = StarSchedule(),
) -> StarDue:
    """The caseload's "Star due" / "Star overdue" for a family on `on`.

    Pass engaged_on=None for a family not (yet) engaged; callers leave out closed families.
    The first reading is due from engagement; a review from `notice_days` before its date.
    """
    return star_due_after(engaged_on, _latest_taken(readings), on, schedule)


def star_due_after(
    engaged_on: dt.date | None,
    latest_taken: dt.date | None,
    on: dt.date,
    schedule: StarSchedule = StarSchedule(),
) -> StarDue:
    """`star_due` from the date of the latest completed reading alone (None: no reading yet),
    which is all the rule needs; the caseload reads that date in SQL for every family."""
    due_on = _next_due(engaged_on, latest_taken, schedule)
    if due_on is None:
        return StarDue(state=DueState.NOT_DUE, due_on=None)
    if on > due_on:
        return StarDue(state=DueState.OVERDUE, due_on=due_on)
    first = latest_taken is None
    opens = engaged_on if first and engaged_on else due_on - dt.timedelta(schedule.notice_days)
    state = DueState.DUE if on >= opens else DueState.NOT_DUE
    return StarDue(state=state, due_on=due_on)


# ---- outcome evidence -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarEvidence:
    met: bool
    area: str
    minimum: int
    maximum: int | None
    reading_id: str = ""  # the latest completed reading; "" when there is none
    taken_on: dt.date | None = None
    score: int | None = None
    text: str = ""  # a sentence naming the reading, for the outcome's evidence field


def star_evidence(
    readings: Iterable[StarReading],
    *,
    area: str,
    minimum: int,
    maximum: int | None = None,
    instrument: str = "",
    on: dt.date | None = None,
    area_name: str = "",
) -> StarEvidence:
    """Whether the latest completed reading (taken on or before `on`; of instrument id
    `instrument` if given) scores `area` within minimum..maximum, naming that reading.

    An outcome such as "7–10 on the Star in progress to work" calls this with area="work",
    minimum=7, maximum=10. Only the latest reading counts: an earlier high score that has since
    fallen is not evidence.
    """
    instrument_id = split_ref(instrument)[0] if instrument else ""
    done = [
        r for r in completed_readings(readings, instrument_id) if on is None or r.taken_on <= on
    ]
    wanted = f"{minimum}–{maximum}" if maximum is not None else f"{minimum} or more"
    label = area_name or area
    if not done:
        return StarEvidence(
            met=False,
            area=area,
            minimum=minimum,
            maximum=maximum,
            text=f"No completed Star reading yet ({label}: {wanted} needed).",
        )
    latest = done[-1]
    score = latest.score(area)
    met = score is not None and score >= minimum and (maximum is None or score <= maximum)
    scored = "not scored" if score is None else f"scored {score}"
    return StarEvidence(
        met=met,
        area=area,
        minimum=minimum,
        maximum=maximum,
        reading_id=latest.id,
        taken_on=latest.taken_on,
        score=score,
        text=(
            f"Star reading of {latest.taken_on.day} {latest.taken_on:%B %Y} "
            f"({latest.participation.label.lower()}): {label} {scored}; {wanted} needed."
        ),
    )


def to_plain_instrument(instrument: Instrument) -> dict[str, Any]:
    """The instrument as file data (for a bundle or for writing a council's file back out)."""
    return {
        "format": INSTRUMENT_FILE_FORMAT,
        "id": instrument.id,
        "version": instrument.version,
        "name": instrument.name,
        "licence": instrument.licence,
        "description": instrument.description,
        "scale": {"min": instrument.scale_min, "max": instrument.scale_max},
        "stages": [
            {"name": s.name, "from": s.low, "to": s.high, "description": s.description}
            for s in instrument.stages
        ],
        "areas": [
            {
                "id": a.id,
                "name": a.name,
                "help": a.help,
                "scores": {str(k): v for k, v in sorted(a.score_descriptions.items())},
            }
            for a in instrument.areas
        ],
    }
