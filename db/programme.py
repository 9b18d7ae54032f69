"""The coordinator's programme on the store: identified-families import, the dashboard, claims.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction. Reading the programme reads each kind of record once (about 3,000 families with
their records in well under a second; benchmarks/bench_programme.py measures it).
"""

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from db.outcomes import load_frameworks
from db.stars import load_catalogue
from db.store import Store
from fmdesk.assessment import Assessment
from fmdesk.claims import (
    ClaimBatch,
    FamilyOutcomes,
    ScheduleRow,
    make_batch,
    readiness_by_family,
    ready_families,
    schedule_rows,
    submit_batch,
    withdraw_batch,
)
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus, Person, StatusChange
from fmdesk.identified_csv import IdentifiedImport, parse_identified_csv
from fmdesk.outcomes import (
    EquivalentProgress,
    FrameworkLibrary,
    FrameworkNotFound,
    IndicatorTick,
    Measure,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import FamilyPlan
from fmdesk.programme import (
    Allocation,
    Dashboard,
    ProgrammeRecords,
    Stage,
    build_dashboard,
    check_year,
    parse_targets,
    targets_to_plain,
)
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import Record, kind_class
from fmdesk.stars import StarReading

TARGETS_SETTING = "programme.targets"

# ---- identified families from a CSV ------------------------------------------------------------


def preview_identified_csv(
    store: Store, data: bytes, *, today: dt.date | None = None, framework: str = ""
) -> IdentifiedImport:
    """Check a CSV file against the rules and against the families already held. `framework`
    (id@version), when given, must be one this store knows: shipped, or a council's added to
    it."""
    if framework:
        framework = known_framework(store, framework)
    return parse_identified_csv(
        data,
        today=today or dt.date.today(),
        existing_families=store.list(Family),
        existing_people=store.list(Person),
        framework=framework,
    )


def known_framework(store: Store, ref: str) -> str:
    """`ref` when this store knows that framework version (shipped, or a council's added to
    the store); otherwise refused in words for the coordinator, who adds frameworks."""
    library = load_frameworks(store).library
    try:
        return library.get(ref.strip()).ref
    except FrameworkNotFound:
        known = ", ".join(f.ref for f in library.all())
        raise UserError(
            f"This store has no outcomes framework {ref.strip()}: add its file first (`fmdesk "
            "frameworks add FILE`, or File > Definitions in the app), or use one it has: "
            f"{known}."
        ) from None


def read_csv_file(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"Could not read {path}: {exc.strerror}.") from None


@dataclasses.dataclass(frozen=True)
class ImportedFamilies:
    families: int
    people: int
    measures: int
    skipped_duplicates: int
    skipped_with_errors: int


def import_identified(
    store: Store,
    checked: IdentifiedImport,
    *,
    valid_only: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportedFamilies:
    """Save the families a checked file holds, in one transaction. With errors in the file
    nothing is saved, unless `valid_only` says to add the families without errors."""
    if checked.errors and not valid_only:
        first = checked.errors[0]
        more = len(checked.errors) - 1
        raise UserError(
            f"Nothing was imported: {first}"
            + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")
            + ". Correct the file, or import only the families without errors."
        )
    if checked.errors and not checked.families and checked.row_count == 0:
        raise UserError(f"Nothing was imported: {checked.errors[0]}.")
    held = {f.reference.casefold() for f in store.list(Family)}
    clash = next((f for f in checked.families if f.key.casefold() in held), None)
    if clash is not None:
        raise UserError(
            f"Family {clash.key} was added since the file was checked; check the file again."
        )
    total = len(checked.families)
    people = measures = 0
    with store.transaction():
        for first in range(0, total, 250):  # a few hundred families a write: one transaction
            cancel.raise_if_cancelled()
            chunk = checked.families[first : first + 250]
            store.save(*(r for item in chunk for r in item.records))
            people += sum(len(item.people) for item in chunk)
            measures += sum(len(item.measures) for item in chunk)
            progress(min(first + 250, total), total)
    return ImportedFamilies(
        families=total,
        people=people,
        measures=measures,
        skipped_duplicates=len(checked.duplicates),
        skipped_with_errors=len(checked.rejected_keys),
    )


# ---- the programme's records, read once and kept ------------------------------------------------

OUTCOME_KINDS: tuple[type[Record], ...] = (
    Person,
    IndicatorTick,
    Measure,
    OutcomeEvidence,
    EquivalentProgress,
    OutcomeClaim,
    Assessment,
    FamilyPlan,
)
PROGRAMME_KINDS: tuple[type[Record], ...] = (
    Family,
    StatusChange,
    Allocation,
    StarReading,
    *OUTCOME_KINDS,
)
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
_MASK = (1 << 64) - 1


@dataclasses.dataclass
class _FamilyEntry:
    signature: tuple[int, int]
    records: list[Record]


@dataclasses.dataclass
class _ProgrammeCache:
    """One store's families: their records, and where each stands on `today`.

    Reading and judging 3,000 families costs seconds (parsing every record, then every
    outcome of every problem); a refresh re-reads only the families whose records changed (the
    revision of one of their records, or their number, differs) and re-judges only those, unless
    the day has changed. Kept for the life of the process on the thread that owns the store.
    """

    entries: dict[str, _FamilyEntry] = dataclasses.field(default_factory=dict)
    outcomes: dict[str, FamilyOutcomes] = dataclasses.field(default_factory=dict)
    today: dt.date | None = None
    # The frameworks the outcomes were judged against (id@version of each): adding a council
    # framework re-judges every family.
    frameworks: tuple[str, ...] = ()


_CACHES: dict[str, _ProgrammeCache] = {}


def _refresh(store: Store, today: dt.date, library: FrameworkLibrary | None) -> _ProgrammeCache:
    cache = _CACHES.setdefault(store.info.store_id, _ProgrammeCache())
    kinds = [k.KIND for k in PROGRAMME_KINDS]
    marks = ",".join("?" * len(kinds))
    # Each family's signature: how many records it has and an order-free mix of every record's
    # id and revision, so any save, merge, deletion or purge of one of them changes it.
    signatures: dict[str, tuple[int, int]] = {}
    for family_id, record_id, revision in store.db.execute(
        f"SELECT family_id, id, revision FROM records WHERE kind IN ({marks}) AND family_id != ''",
        kinds,
    ):
        count, mix = signatures.get(family_id, (0, 0))
        signatures[family_id] = (count + 1, (mix + hash((record_id, revision))) & _MASK)
    for gone in set(cache.entries) - set(signatures):
        del cache.entries[gone]
        cache.outcomes.pop(gone, None)
    changed = [
        fid
        for fid, signature in signatures.items()
        if fid not in cache.entries or cache.entries[fid].signature != signature
    ]
    fresh: dict[str, list[Record]] = {fid: [] for fid in changed}
    for first in range(0, len(changed), _CHUNK):
        ids = changed[first : first + _CHUNK]
        rows = store.db.execute(
            f"SELECT family_id, kind, body FROM records WHERE deleted = 0 AND kind IN ({marks}) "
            f"AND family_id IN ({','.join('?' * len(ids))})",
            [*kinds, *ids],
        )
        for family_id, kind, body in rows:
            fresh[family_id].append(kind_class(kind).from_dict(json.loads(body)))
    for fid in changed:
        cache.entries[fid] = _FamilyEntry(signatures[fid], fresh[fid])
    given = library is not None
    library = library or load_frameworks(store).library
    refs = tuple(sorted(f.ref for f in library.all()))
    rejudge = (
        list(cache.entries)
        if given or cache.today != today or cache.frameworks != refs
        else changed
    )
    for fid in rejudge:
        records = cache.entries[fid].records
        family = next((r for r in records if isinstance(r, Family)), None)
        if family is None:  # records of a family this store does not hold (or not yet)
            cache.outcomes.pop(fid, None)
            continue
        cache.outcomes[fid] = readiness_by_family([family], records, library, today)[fid]
    cache.today = today
    cache.frameworks = () if given else refs
    return cache


def forget_programme_cache() -> None:
    """Drop every cached programme (on lock, so no family data stays in memory)."""
    _CACHES.clear()


def load_outcomes(
    store: Store, today: dt.date, *, library: FrameworkLibrary | None = None
) -> dict[str, FamilyOutcomes]:
    """Where every family stands against its framework on `today`, by family id."""
    return dict(_refresh(store, today, library).outcomes)


def claim_status_by_family(store: Store, today: dt.date | None = None) -> dict[str, str]:
    """The caseload's "Claim status" words for each family attached to a framework ("Not
    eligible", "In progress", "Ready to claim", "Claimed"; "Framework missing" when its version
    is not loaded here). Families with no framework are left out: their column stays blank.

    When no family is attached nothing else is read. Otherwise the families are judged through
    the programme cache, so the caseload and the dashboard share one judgement and whichever
    opens second finds it made."""
    attached = store.db.execute(
        "SELECT 1 FROM records WHERE kind = ? AND deleted = 0 "
        "AND coalesce(body ->> '$.framework', '') != '' LIMIT 1",
        [Family.KIND],
    ).fetchone()
    if attached is None:
        return {}
    out = {}
    for family_id, standing in load_outcomes(store, today or dt.date.today()).items():
        if not standing.family.framework:
            continue
        status = standing.status
        out[family_id] = status.label if status is not None else "Framework missing"
    return out


def load_programme(store: Store, today: dt.date) -> ProgrammeRecords:
    cache = _refresh(store, today, None)
    records = [r for entry in cache.entries.values() for r in entry.records]
    return ProgrammeRecords(
        families=[r for r in records if isinstance(r, Family)],
        changes=[r for r in records if isinstance(r, StatusChange)],
        allocations=[r for r in records if isinstance(r, Allocation)],
        readings=[r for r in records if isinstance(r, StarReading)],
        outcomes=dict(cache.outcomes),
    )


def get_targets(store: Store) -> dict[int, dict[Stage, int]]:
    return parse_targets(store.get_setting(TARGETS_SETTING, {}))


def set_targets(store: Store, year: int, values: dict[Stage, int | None]) -> None:
    """Set (or, with None, clear) the year's targets; other years are kept. A year outside
    the programme years, or a negative target, is refused before anything is written (a bad
    year saved would make every later read of the targets fail)."""
    check_year(year)
    targets = get_targets(store)
    year_targets = dict(targets.get(year, {}))
    for stage, value in values.items():
        if value is None:
            year_targets.pop(stage, None)
        elif value < 0:
            raise UserError("A target cannot be negative.")
        else:
            year_targets[stage] = value
    targets[year] = year_targets
    store.set_setting(TARGETS_SETTING, targets_to_plain(targets))


def load_dashboard(
    store: Store, today: dt.date | None = None, year: int | None = None
) -> Dashboard:
    today = today or dt.date.today()
    return build_dashboard(
        load_programme(store, today),
        today=today,
        year=year,
        targets=get_targets(store),
        instruments=load_catalogue(store).instruments,
    )


@dataclasses.dataclass(frozen=True)
class FamilyListRow:
    """A family in the list behind a figure."""

    family_id: str
    reference: str
    name: str
    status: FamilyStatus
    intensity: str
    practitioner: str
    postcode: str
    identified_on: dt.date | None


def family_rows(store: Store, family_ids: Iterable[str]) -> list[FamilyListRow]:
    wanted = set(family_ids)
    rows = [
        FamilyListRow(
            f.id,
            f.reference,
            f.name,
            f.status,
            f.intensity.label,
            f.lead_practitioner,
            f.postcode,
            f.identified_on,
        )
        for f in store.list(Family)
        if f.id in wanted
    ]
    return sorted(rows, key=lambda r: r.reference)


# ---- claims ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClaimsView:
    ready: list[FamilyOutcomes]
    batches: list[ClaimBatch]
    outcomes: dict[str, FamilyOutcomes]


def load_claims(store: Store, today: dt.date | None = None) -> ClaimsView:
    outcomes = load_outcomes(store, today or dt.date.today())
    batches = sorted(store.list(ClaimBatch), key=lambda b: (b.made_on, b.reference), reverse=True)
    return ClaimsView(ready_families(outcomes), batches, outcomes)


def create_batch(
    store: Store,
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    family_ids: Sequence[str],
    today: dt.date | None = None,
    by: str = "",
) -> ClaimBatch:
    """A draft claim batch of the chosen families, with each family's OutcomeClaim, in one
    transaction. A family already claimed (here or in a batch) is refused by name."""
    today = today or dt.date.today()
    outcomes = load_outcomes(store, today)
    missing = [fid for fid in family_ids if fid not in outcomes]
    if missing:
        raise UserError("A chosen family is no longer in this store; refresh the list.")
    batch, claims = make_batch(
        reference,
        period_start=period_start,
        period_end=period_end,
        chosen=[outcomes[fid] for fid in family_ids],
        existing=store.list(ClaimBatch),
        made_on=today,
        made_by=by or store.info.owner_name,
    )
    with store.transaction():
        saved, *_ = store.save(batch, *claims)
    return saved


def create_ready_batch(
    store: Store,
    reference: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date | None = None,
    by: str = "",
) -> ClaimBatch:
    """A draft claim batch of every family whose claim is ready on `today`, as `create_batch`.
    Refused, with nothing written, when no family is ready."""
    today = today or dt.date.today()
    ready = load_claims(store, today).ready
    if not ready:
        raise UserError("No family is ready to claim, so no batch was made: nothing was written.")
    return create_batch(
        store,
        reference,
        period_start=period_start,
        period_end=period_end,
        family_ids=[o.family.id for o in ready],
        today=today,
        by=by,
    )


def find_batch(store: Store, reference: str) -> ClaimBatch:
    for batch in store.list(ClaimBatch):
        if batch.reference.casefold() == reference.strip().casefold() or batch.id == reference:
            return batch
    raise UserError(f"There is no claim batch called {reference}.")


def submit(store: Store, reference: str, *, on: dt.date | None = None, by: str = "") -> ClaimBatch:
    batch = find_batch(store, reference)
    changed = submit_batch(batch, on=on or dt.date.today(), by=by or store.info.owner_name)
    return store.save(changed)[0]


def withdraw(store: Store, reference: str) -> None:
    batch = find_batch(store, reference)
    claims = [c for c in store.list(OutcomeClaim) if c.family_id in batch.family_ids]
    gone, removed = withdraw_batch(batch, claims)
    with store.transaction():
        store.save(gone, *removed)


def batch_schedule(
    store: Store, reference: str, today: dt.date | None = None
) -> tuple[ClaimBatch, list[ScheduleRow]]:
    batch = find_batch(store, reference)
    outcomes = load_outcomes(store, today or dt.date.today())
    return batch, schedule_rows(batch, outcomes)
