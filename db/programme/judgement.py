"""The programme's judgement: where every family stands against its framework on a day, read
and judged once and kept on the Store, so the caseload's claim column, the dashboard and the
claims page share one judgement and a refresh re-judges only the families whose records changed.
It goes when the store closes (nothing judged stays in memory after a lock): the UI need not
drop it.

Each function is one call from the UI's worker thread or the command line. Reading the
programme reads each kind of record once (about 3,000 families with their records in well under
a second; benchmarks/bench_programme.py measures it).
"""

import dataclasses
import datetime as dt
import json

from db.library import definitions
from db.store import Store
from fmdesk.assessment import Assessment
from fmdesk.claims import FamilyOutcomes, readiness_by_family
from fmdesk.families import Family, Person, StatusChange
from fmdesk.outcomes import (
    EquivalentProgress,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import FamilyPlan
from fmdesk.programme import Allocation, ProgrammeRecords
from fmdesk.records import Record, kind_class
from fmdesk.stars import StarReading

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
KEPT = "db.programme.judgement"  # the name the judgement is kept under on the Store


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
    the day or the frameworks have changed. Kept on the Store while it is open (`Store.kept`),
    used on the thread that owns it.
    """

    entries: dict[str, _FamilyEntry] = dataclasses.field(default_factory=dict)
    outcomes: dict[str, FamilyOutcomes] = dataclasses.field(default_factory=dict)
    today: dt.date | None = None
    # The frameworks the outcomes were judged against: the store's library, which is built
    # afresh whenever a definition is written (db/library.py), so adding a council framework
    # (here or through sync) re-judges every family.
    frameworks: FrameworkLibrary | None = None


def _refresh(store: Store, today: dt.date) -> _ProgrammeCache:
    cache = store.kept(KEPT, _ProgrammeCache)
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
    library = definitions(store).frameworks
    rejudge = (
        list(cache.entries) if cache.today != today or cache.frameworks is not library else changed
    )
    for fid in rejudge:
        records = cache.entries[fid].records
        family = next((r for r in records if isinstance(r, Family)), None)
        if family is None:  # records of a family this store does not hold (or not yet)
            cache.outcomes.pop(fid, None)
            continue
        cache.outcomes[fid] = readiness_by_family([family], records, library, today)[fid]
    cache.today = today
    cache.frameworks = library
    return cache


def forget_programme_cache(store: Store) -> None:
    """Drop the store's judged programme, so the next read judges every family afresh (a
    benchmark's cold start). Not needed on lock: the judgement goes when the store closes."""
    store.forget_kept(KEPT)


def load_outcomes(store: Store, today: dt.date) -> dict[str, FamilyOutcomes]:
    """Where every family stands against its framework on `today`, by family id."""
    return dict(_refresh(store, today).outcomes)


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
    cache = _refresh(store, today)
    records = [r for entry in cache.entries.values() for r in entry.records]
    return ProgrammeRecords(
        families=[r for r in records if isinstance(r, Family)],
        changes=[r for r in records if isinstance(r, StatusChange)],
        allocations=[r for r in records if isinstance(r, Allocation)],
        readings=[r for r in records if isinstance(r, StarReading)],
        outcomes=dict(cache.outcomes),
    )
