"""Allocating families to practitioners, caseload sizes, and taking in a folder of bundles.

Allocation sets `Family.allocated_to` (the practitioner's store id) and `lead_practitioner` (its
name), moves an identified family to allocated, and adds an `Allocation` record with the reason.
db/sync sends a practitioner every record of the families allocated to it, so the allocation and
the family's records travel in the next bundle made for that practitioner.
"""

import dataclasses
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from db import sync
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus, Intensity, change_status
from fmdesk.programme import Allocation
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import Record
from fmdesk.roles import Role
from fmdesk.words import families as count_families

CASELOAD_LIMIT_SETTING = "allocation.caseload_limit"
# A keyworker holding families intensively manages about 12-16 (Milton Keynes' practices held
# 12-16 and wanted fewer); the coordinator sets the council's own number.
DEFAULT_CASELOAD_LIMIT = 15
# Families a practitioner is holding: allocated to them and not closed or refused.
HELD = (FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED, FamilyStatus.ACTIVE)


def caseload_limit(store: Store) -> int:
    value = store.get_setting(CASELOAD_LIMIT_SETTING, DEFAULT_CASELOAD_LIMIT)
    return value if isinstance(value, int) and value > 0 else DEFAULT_CASELOAD_LIMIT


def set_caseload_limit(store: Store, limit: int) -> None:
    if limit < 1:
        raise UserError("The caseload limit must be at least 1.")
    store.set_setting(CASELOAD_LIMIT_SETTING, limit)


@dataclasses.dataclass(frozen=True)
class PractitionerLoad:
    store_id: str
    name: str
    fingerprint: str
    held: int  # families held now (allocated, engaged or active)
    high: int
    medium: int
    standard: int
    closed: int
    family_ids: tuple[str, ...]  # the families held
    last_received: str | None
    limit: int

    @property
    def over_limit(self) -> bool:
        return self.held > self.limit

    @property
    def warning(self) -> str:
        if not self.over_limit:
            return ""
        return f"{self.name} holds {count_families(self.held)}, over the limit of {self.limit}."


def practitioners(store: Store) -> list[PractitionerLoad]:
    """Every enrolled practitioner with the size of their caseload, by name."""
    limit = caseload_limit(store)
    enrolled = [p for p in sync.partners(store) if p.enrolment.role is Role.PRACTITIONER]
    holders = family_holders(store)
    held: dict[str, list[Family]] = defaultdict(list)
    closed: Counter[str] = Counter()
    for family in store.list(Family):
        holder = holders.get(family.id)
        if holder is None:
            continue
        if family.status in HELD:
            held[holder].append(family)
        elif family.status is FamilyStatus.CLOSED:
            closed[holder] += 1
    loads = []
    for partner in enrolled:
        store_id = partner.enrolment.store_id
        mine = held.get(store_id, [])
        by_intensity = Counter(f.intensity for f in mine)
        loads.append(
            PractitionerLoad(
                store_id=store_id,
                name=partner.enrolment.name or store_id,
                fingerprint=partner.enrolment.fingerprint,
                held=len(mine),
                high=by_intensity[Intensity.HIGH],
                medium=by_intensity[Intensity.MEDIUM],
                standard=by_intensity[Intensity.STANDARD],
                closed=closed[store_id],
                family_ids=tuple(sorted(f.id for f in mine)),
                last_received=partner.last_received_at,
                limit=limit,
            )
        )
    return sorted(loads, key=lambda p: p.name.casefold())


def family_holders(store: Store) -> dict[str, str]:
    """Family id -> the practitioner store holding it: the one it is allocated to, or, for a
    family a practitioner registered itself, the practitioner whose bundle brought it."""
    sync.partners(store)  # makes the sync tables on first use
    holders = {
        family_id: partner
        for partner, family_id in store.db.execute(
            "SELECT b.partner, r.id FROM records r JOIN sync_base b ON b.id = r.id "
            "WHERE r.kind = 'family' ORDER BY b.revision"
        )
    }
    for family in store.list(Family):
        if family.allocated_to:
            holders[family.id] = family.allocated_to
    return holders


@dataclasses.dataclass(frozen=True)
class AllocationResult:
    families: list[Family]
    unchanged: list[str]  # references already allocated to that practitioner
    warning: str  # the practitioner is now over the caseload limit; "" if not


def allocate(
    store: Store,
    family_ids: Sequence[str],
    practitioner_id: str,
    *,
    reason: str = "",
    on: dt.date | None = None,
    by: str = "",
) -> AllocationResult:
    """Allocate (or reassign, with a reason) families to an enrolled practitioner, in one
    transaction. Closed families are refused; a family moving from another practitioner needs
    the reason."""
    on = on or dt.date.today()
    by = by or store.info.owner_name
    if store.info.role is not Role.COORDINATOR:
        raise UserError("Families are allocated from the coordinator's store.")
    partner = next(
        (
            p
            for p in sync.partners(store)
            if p.enrolment.store_id == practitioner_id or p.enrolment.name == practitioner_id
        ),
        None,
    )
    if partner is None or partner.enrolment.role is not Role.PRACTITIONER:
        raise UserError(
            f"{practitioner_id} is not an enrolled practitioner. Enrol their store first."
        )
    target = partner.enrolment
    names = {p.enrolment.store_id: p.enrolment.name for p in sync.partners(store)}
    holders = family_holders(store)
    records: list[Record] = []
    changed: list[Family] = []
    unchanged: list[str] = []
    for family_id in family_ids:
        family = store.get(Family, family_id)
        if family is None or family.deleted:
            raise UserError("A chosen family is no longer in this store; refresh the list.")
        if family.is_read_only:
            raise UserError(f"Family {family.reference} is closed; reopen it before allocating.")
        current = family.allocated_to or holders.get(family.id, "")
        if current == target.store_id and family.allocated_to:
            unchanged.append(family.reference)
            continue
        moving = bool(current) and current != target.store_id
        if moving and not reason.strip():
            raise UserError(
                f"Family {family.reference} is with {names.get(current, 'another practitioner')}: "
                "say why it is moving."
            )
        allocation = Allocation(
            family_id=family.id,
            on=on,
            to_store=target.store_id,
            to_name=target.name,
            from_store=current if moving else "",
            from_name=names.get(current, "") if moving else "",
            reason=reason.strip(),
            by=by,
        )
        updated = family.replace(allocated_to=target.store_id, lead_practitioner=target.name)
        records.append(allocation)
        if updated.status is FamilyStatus.IDENTIFIED:
            updated, move = change_status(
                updated, FamilyStatus.ALLOCATED, on=on, by=by, reason=reason.strip()
            )
            records.append(move)
        records.append(updated)
        changed.append(updated)
    if records:
        with store.transaction():
            store.save(*records)
    load = next((p for p in practitioners(store) if p.store_id == target.store_id), None)
    return AllocationResult(changed, unchanged, load.warning if load else "")


def allocation_history(store: Store, family_id: str) -> list[Allocation]:
    return sorted(store.list(Allocation, family_id=family_id), key=lambda a: (a.on, a.revision))


# ---- a folder of bundles -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SenderSummary:
    store_id: str
    name: str
    bundles: int = 0
    duplicates: int = 0
    new: int = 0
    updated: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    gaps: tuple[tuple[int, int], ...] = ()

    def words(self) -> str:
        text = (
            f"{self.name}: {self.bundles} bundle{'s' if self.bundles != 1 else ''}, "
            f"{self.new} new, {self.updated} updated, {self.merged} merged"
        )
        if self.duplicates:
            text += f", {self.duplicates} already imported"
        if self.conflicts:
            text += f", {self.conflicts} conflict{'s' if self.conflicts != 1 else ''} to resolve"
        if self.rejected:
            text += f", {self.rejected} record{'s' if self.rejected != 1 else ''} quarantined"
        for first, last in self.gaps:
            text += (
                f"; bundle{'s' if last > first else ''} {first}"
                + (f"-{last}" if last > first else "")
                + " not received"
            )
        return text


@dataclasses.dataclass(frozen=True)
class IntakeSummary:
    folder: Path
    senders: list[SenderSummary]
    refused: list[tuple[str, str]]  # (file name, why)
    # References held by more than one family after the intake (each family keeps its own id;
    # nothing is merged): the coordinator gives all but one a new reference.
    shared_references: int = 0

    @property
    def imported(self) -> int:
        return sum(s.bundles for s in self.senders)

    def lines(self) -> list[str]:
        found = self.imported + sum(s.duplicates for s in self.senders) + len(self.refused)
        head = f"{found} bundle{'s' if found != 1 else ''} in {self.folder}"
        shared = self.shared_references
        warning = (
            [
                f"{shared} reference{'s are' if shared != 1 else ' is'} held by more than one "
                "family; nothing was merged. 'fmdesk families collisions' (or the Allocation "
                "page) lists them."
            ]
            if shared
            else []
        )
        return [
            head,
            *(s.words() for s in self.senders),
            *(f"Refused {name}: {why}" for name, why in self.refused),
            *warning,
        ]


def shared_reference_count(store: Store) -> int:
    """How many references more than one family holds (db/families.py lists them). SQLite's
    lower() folds ASCII only, which is every reference fmdesk makes."""
    return store.db.execute(
        "SELECT count(*) FROM (SELECT lower(trim(body ->> '$.reference')) AS k FROM records "
        "WHERE kind = 'family' AND deleted = 0 GROUP BY k HAVING count(*) > 1)"
    ).fetchone()[0]


def _natural(path: Path) -> list[tuple[int, int | str]]:
    """practitioner-2.fmb before practitioner-10.fmb, so bundles import in their order."""
    parts = re.findall(r"\d+|\D+", path.name.casefold())
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts]


def intake_folder(
    store: Store,
    folder: Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> IntakeSummary:
    """Import every bundle (*.fmb) in a folder, each in its own transaction, and sum up what
    came from each practitioner. A bundle from a store not enrolled here is refused, naming the
    sender it claims to be; the others still import."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder.")
    paths = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() == ".fmb" and p.is_file()),
        key=_natural,
    )
    if not paths:
        raise UserError(f"There are no sync bundles (.fmb files) in {folder}.")
    results = sync.import_bundles(store, paths, progress=progress, cancel=cancel)
    names = {p.enrolment.store_id: p.enrolment.name for p in sync.partners(store)}
    by_sender: dict[str, SenderSummary] = {}
    refused: list[tuple[str, str]] = []
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, UserError):
            refused.append((path.name, str(result)))
            continue
        s = by_sender.get(result.partner) or SenderSummary(
            result.partner, names.get(result.partner, result.partner)
        )
        if result.duplicate:
            s = dataclasses.replace(s, duplicates=s.duplicates + 1)
        else:
            s = dataclasses.replace(
                s,
                bundles=s.bundles + 1,
                new=s.new + result.new,
                updated=s.updated + result.updated,
                merged=s.merged + result.merged,
                conflicts=s.conflicts + result.conflicts,
                rejected=s.rejected + len(result.rejected),
                gaps=s.gaps + ((result.gap,) if result.gap else ()),
            )
        by_sender[result.partner] = s
    senders = sorted(by_sender.values(), key=lambda s: s.name.casefold())
    return IntakeSummary(folder, senders, refused, shared_reference_count(store))
