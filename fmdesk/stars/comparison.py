"""Change between Star readings: per area and overall, stage movement, and the table over time."""

import dataclasses
from collections.abc import Iterable

from fmdesk.errors import ValidationError
from fmdesk.stars.instrument import Instrument, StageBand
from fmdesk.stars.reading import StarReading, completed_readings


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
