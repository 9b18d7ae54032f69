"""Star instruments as data: areas, a score scale and named stage bands, read from JSON files.

We ship our own generic "Family progress star"; a council that holds a licence for a published
Star loads its instrument from a file of its own (see docs/instruments.md). The publisher's
wording must never be copied into the project, so nothing here knows any area or stage by name.
"""

import dataclasses
import importlib.resources
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fmdesk.errors import ValidationError
from fmdesk.schemas import SchemaName, Wording, check

INSTRUMENT_FILE_FORMAT = "fmdesk-star-instrument"
DEFAULT_INSTRUMENT_ID = "family-progress-star"


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


class InstrumentWording(Wording):
    """An instrument file's shape failures in the words its messages have always used: a
    missing field reads as an empty one ("name: missing", "version: expected a whole
    number")."""

    top_level = "the file"
    missing_as_empty = True

    def blank(self) -> str:
        return "missing"

    def whole(self, keyword: str, low: int | None) -> str:
        return "expected a whole number" if keyword == "type" else f"must be {low} or more"


WORDING = InstrumentWording()


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
    fmt = data.get("format", INSTRUMENT_FILE_FORMAT) if isinstance(data, Mapping) else None
    if fmt is not None and fmt != INSTRUMENT_FILE_FORMAT:
        # Before the shape: another format's fields are not the user's mistake.
        raise ValidationError(
            f"{where}: format: expected {INSTRUMENT_FILE_FORMAT!r}, found {fmt!r}"
        )
    check(SchemaName.STAR_INSTRUMENT, data, source=where, wording=WORDING)
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
    """Build the instrument from data that fits the schema, checking what a schema cannot say:
    max above min, bands covering the scale, unique area ids, scores on the scale."""
    low, high = data["scale"]["min"], data["scale"]["max"]
    if high <= low:
        raise ValidationError(f"scale: max ({high}) must be above min ({low})")
    return Instrument(
        id=data["id"],
        version=data["version"],
        name=data["name"].strip(),
        licence=data["licence"].strip(),
        description=data.get("description", "").strip(),
        scale_min=low,
        scale_max=high,
        stages=_parse_stages(data["stages"], low, high),
        areas=_parse_areas(data["areas"], low, high),
        source=source,
    )


def _parse_stages(
    data: Sequence[Mapping[str, Any]], scale_min: int, scale_max: int
) -> tuple[StageBand, ...]:
    bands: list[tuple[int, StageBand]] = []
    for i, obj in enumerate(data):
        band = StageBand(
            name=obj["name"].strip(),
            low=obj["from"],
            high=obj["to"],
            description=obj.get("description", "").strip(),
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

    def band_label(pair: tuple[int, StageBand]) -> str:
        return f'stages[{pair[0]}] "{pair[1].name}" ({pair[1].range_text})'

    first, last = bands[0], bands[-1]
    if first[1].low > scale_min:
        raise ValidationError(
            f"stages: no band covers {_span(scale_min, first[1].low - 1)}; the lowest band "
            f"{band_label(first)} starts at {first[1].low} but the scale starts at {scale_min}"
        )
    if last[1].high < scale_max:
        raise ValidationError(
            f"stages: no band covers {_span(last[1].high + 1, scale_max)}; the highest band "
            f"{band_label(last)} ends at {last[1].high} but the scale ends at {scale_max}"
        )
    for before, after in itertools.pairwise(bands):
        if after[1].low <= before[1].high:
            shared = _span(after[1].low, min(before[1].high, after[1].high))
            raise ValidationError(f"{band_label(after)}: overlaps {band_label(before)} at {shared}")
        if after[1].low > before[1].high + 1:
            missing = _span(before[1].high + 1, after[1].low - 1)
            raise ValidationError(
                f"stages: gap between {band_label(before)} and {band_label(after)}: "
                f"no band covers {missing}"
            )
    return tuple(band for _, band in bands)


def _parse_areas(
    data: Sequence[Mapping[str, Any]], scale_min: int, scale_max: int
) -> tuple[Area, ...]:
    areas: list[Area] = []
    seen: set[str] = set()
    for i, obj in enumerate(data):
        at = f"areas[{i}]."
        area_id = obj["id"].strip()
        if area_id in seen:
            raise ValidationError(f"{at}id: {area_id!r} is used by an earlier area")
        seen.add(area_id)
        descriptions: dict[int, str] = {}
        for key, wording in obj.get("scores", {}).items():
            score = int(key)
            if not scale_min <= score <= scale_max:
                raise ValidationError(
                    f"{at}scores: {score} is outside the scale ({scale_min}–{scale_max})"
                )
            descriptions[score] = wording
        areas.append(
            Area(
                id=area_id,
                name=obj["name"].strip(),
                help=obj.get("help", "").strip(),
                score_descriptions=descriptions,
            )
        )
    return tuple(areas)


def _span(low: int, high: int) -> str:
    return f"score {low}" if low == high else f"scores {low}–{high}"


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
