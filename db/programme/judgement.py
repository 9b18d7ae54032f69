"""The programme's judgement: where every family stands against its framework on a day, read
and judged once and kept on the Store, so the caseload's claim column, the dashboard and the
claims page share one judgement and a refresh re-judges only the families whose records changed.
It goes when the store closes (nothing judged stays in memory after a lock): the UI need not
drop it.

Judged as at a date (`as_at`), a family sees only the records it had at the end of that day, as
they were then (db/history.py), and is judged on that day; the claim batches are read as they
were then too. Those judgements are kept beside today's, keyed by their date, and let go when a
record the programme reads is written (a bundle can bring a version made before the date).

Each function is one call from the UI's worker thread or the command line. Reading the
programme reads each kind of record once (about 3,000 families with their records in well under
a second; benchmarks/bench_programme.py measures it).
"""

import dataclasses
import datetime as dt
import json
from typing import Any

from db.history import IN_ERROR_FIELD_SQL, records_as_at
from db.library import definitions
from db.store import Store
from fmdesk.assessment import Assessment
from fmdesk.caseload import TimelineEvent, timeline
from fmdesk.claims import (
    ClaimBatch,
    FamilyOutcomes,
    counted_claims,
    readiness_by_family,
    requirements_met,
)
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import CaseNote, Consent, Family, Person, StatusChange
from fmdesk.outcomes import (
    EquivalentProgress,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    OutcomeClaim,
    OutcomeEvidence,
    family_outcomes_json,
    no_framework_json,
)
from fmdesk.outcomes.dates import day_text
from fmdesk.plans import FamilyPlan
from fmdesk.programme import Allocation, ProgrammeRecords
from fmdesk.records import Record, kind_class
from fmdesk.stars import StarReading
from fmdesk.taf import TafMeeting, TafMember

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
    TafMeeting,
    TafMember,
    *OUTCOME_KINDS,
)
# Read for the dashboard's casework figures (fmdesk.programme), with the outcome kinds.
CASEWORK: tuple[type[Record], ...] = (TafMeeting, TafMember)
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
_MASK = (1 << 64) - 1
KEPT = "db.programme.judgement"  # the name the judgement is kept under on the Store
KEPT_AS_AT = "db.programme.judgement.as_at"  # and the judgements as at earlier days
AS_AT_KEPT = 4  # as-at judgements kept at once (a coordinator comparing a few dates)


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
    # The claim batches' ids and revisions: a batch submitted, paid, rejected or withdrawn
    # changes which claims count (fmdesk.claims.counted_claims), so every family is re-judged.
    batches: tuple[tuple[str, str], ...] = ()
    batch_records: tuple[ClaimBatch, ...] = ()
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
            f"AND {IN_ERROR_FIELD_SQL} IS NULL AND family_id IN ({','.join('?' * len(ids))})",
            [*kinds, *ids],
        )
        for family_id, kind, body in rows:
            fresh[family_id].append(kind_class(kind).from_stored(json.loads(body)))
    for fid in changed:
        cache.entries[fid] = _FamilyEntry(signatures[fid], fresh[fid])
    library = definitions(store).frameworks
    batches = tuple(
        store.db.execute(
            "SELECT id, revision FROM records WHERE kind = ? ORDER BY id", [ClaimBatch.KIND]
        ).fetchall()
    )
    if batches != cache.batches:
        cache.batch_records = tuple(store.list(ClaimBatch))
    everyone = cache.today != today or cache.frameworks is not library or batches != cache.batches
    _judge(cache, list(cache.entries) if everyone else changed, library, today)
    cache.today = today
    cache.frameworks = library
    cache.batches = batches
    return cache


def _judge(
    cache: _ProgrammeCache, family_ids: list[str], library: FrameworkLibrary, today: dt.date
) -> None:
    for fid in family_ids:
        records = cache.entries[fid].records
        family = next((r for r in records if isinstance(r, Family)), None)
        if family is None:  # records of a family this store does not hold (or not yet)
            cache.outcomes.pop(fid, None)
            continue
        cache.outcomes[fid] = readiness_by_family(
            [family], records, library, today, batches=cache.batch_records
        )[fid]


def _judged(store: Store, today: dt.date, as_at: dt.date | None) -> _ProgrammeCache:
    """Today's judgement, or the one as at `as_at` when that day is over (a day not over yet
    has no history to read: today's records are the day's). A day still to come is refused."""
    if as_at is None or as_at == today:
        return _refresh(store, today)
    if as_at > today:
        raise ValidationError(
            f"{day_text(as_at)} is still to come: the programme can be judged as at today or "
            "an earlier day."
        )
    kept = store.kept(
        KEPT_AS_AT,
        dict[dt.date, _ProgrammeCache],
        kinds=[*(k.KIND for k in PROGRAMME_KINDS), ClaimBatch.KIND],
    )
    library = definitions(store).frameworks
    cache = kept.get(as_at)
    if cache is None or cache.frameworks is not library:
        cache = _ProgrammeCache(today=as_at, frameworks=library)
        by_family: dict[str, list[Record]] = {}
        for record in records_as_at(store, as_at, PROGRAMME_KINDS):
            if record.family_id:
                by_family.setdefault(record.family_id, []).append(record)
        cache.batch_records = tuple(
            r for r in records_as_at(store, as_at, [ClaimBatch]) if isinstance(r, ClaimBatch)
        )
        for fid, records in by_family.items():
            cache.entries[fid] = _FamilyEntry((len(records), 0), records)
        _judge(cache, list(cache.entries), library, as_at)
        kept.pop(as_at, None)
        while len(kept) >= AS_AT_KEPT:
            kept.pop(next(iter(kept)))
        kept[as_at] = cache
    return cache


def forget_programme_cache(store: Store) -> None:
    """Drop the store's judged programme, so the next read judges every family afresh (a
    benchmark's cold start). Not needed on lock: the judgement goes when the store closes."""
    store.forget_kept(KEPT)


def load_outcomes(
    store: Store, today: dt.date, *, as_at: dt.date | None = None
) -> dict[str, FamilyOutcomes]:
    """Where every family stands against its framework on `today`, by family id; or as at
    `as_at`, with the records each family had at the end of that day, as they were then."""
    return dict(_judged(store, today, as_at).outcomes)


def load_batches(store: Store, today: dt.date, *, as_at: dt.date | None = None) -> list[ClaimBatch]:
    """The claim batches (not withdrawn), as they are, or as they were as at `as_at`."""
    return list(_judged(store, today, as_at).batch_records)


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


def load_programme(
    store: Store, today: dt.date, *, as_at: dt.date | None = None
) -> ProgrammeRecords:
    """What the dashboard reads: on `today`, or as at `as_at` (see `load_outcomes`)."""
    cache = _judged(store, today, as_at)
    records = [r for entry in cache.entries.values() for r in entry.records]
    return ProgrammeRecords(
        families=[r for r in records if isinstance(r, Family)],
        changes=[r for r in records if isinstance(r, StatusChange)],
        allocations=[r for r in records if isinstance(r, Allocation)],
        readings=[r for r in records if isinstance(r, StarReading)],
        outcomes=dict(cache.outcomes),
        casework=[r for r in records if isinstance(r, (Assessment, FamilyPlan, *CASEWORK))],
    )


@dataclasses.dataclass(frozen=True)
class FamilyAsAt:
    """One family as it was at the end of a day: its household, consents, notes and moves, and
    where it stood against its framework that day (`outcomes`: the JSON `families show`
    prints, as db/outcomes.py family_outcomes_for_json makes it for today)."""

    as_at: dt.date
    family: Family
    people: list[Person]
    consents: list[Consent]
    notes: list[CaseNote]
    changes: list[StatusChange]
    outcomes: dict[str, Any]

    @property
    def timeline(self) -> list[TimelineEvent]:
        return timeline(self.people, self.consents, self.notes, self.changes)


def family_as_at(
    store: Store, family_id: str, as_at: dt.date, today: dt.date | None = None
) -> FamilyAsAt:
    """The family as it was at the end of `as_at` (db/history.py), judged on that day with
    the claims that counted then. Refused in words when the family was not in this store then
    (registered, or arrived in a bundle, later) or had been deleted by then."""
    today = today or dt.date.today()
    if as_at > today:
        raise ValidationError(
            f"{day_text(as_at)} is still to come: a family can be shown as at today or an "
            "earlier day."
        )
    kinds = [Family, Person, Consent, CaseNote, StatusChange, *OUTCOME_KINDS]
    records = records_as_at(store, as_at, kinds, family_ids=[family_id])
    family = next((r for r in records if isinstance(r, Family)), None)
    if family is None:
        raise UserError(f"That family was not in this store at the end of {day_text(as_at)}.")
    batches = [r for r in records_as_at(store, as_at, [ClaimBatch]) if isinstance(r, ClaimBatch)]
    claims = [r for r in records if isinstance(r, OutcomeClaim)]
    counted = counted_claims(claims, batches, as_at)
    records = [r for r in records if not isinstance(r, OutcomeClaim)]
    records.extend(counted)
    people = sorted(
        (r for r in records if isinstance(r, Person)),
        key=lambda p: (p.role != "parent_carer", p.date_of_birth or dt.date.max),
    )
    standing = readiness_by_family([family], records, definitions(store).frameworks, as_at)[
        family.id
    ]
    if standing.framework is None:
        outcomes = no_framework_json(family, standing.problem)
    else:
        outcomes = family_outcomes_json(
            standing.framework,
            standing.data,
            as_at,
            requirements_met=requirements_met(
                family,
                (r for r in records if isinstance(r, Assessment)),
                (r for r in records if isinstance(r, FamilyPlan)),
            ),
        )
    return FamilyAsAt(
        as_at=as_at,
        family=family,
        people=people,
        consents=[r for r in records if isinstance(r, Consent)],
        notes=sorted(
            (r for r in records if isinstance(r, CaseNote)), key=lambda n: n.on, reverse=True
        ),
        changes=sorted((r for r in records if isinstance(r, StatusChange)), key=lambda c: c.on),
        outcomes=outcomes,
    )
