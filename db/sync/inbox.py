"""The inbox: importing bundles from enrolled partners.

Each bundle is verified (fmdesk.sync.bundle: signature, recipient, bounds) and applied in one
transaction, all of it or none of it: its acknowledgement moves our outbox on
(db/sync/outbox.py), each record goes through `Applier.apply` (db/sync/applier.py), and a record
refused there is quarantined (db/sync/quarantine.py) while the rest still apply. So is a line of
the bundle's records that is not a readable record, and a record whose revision is not one or
is far ahead of this computer's clock (fmdesk/hlc.py). Importing the same bundle twice changes
nothing.

Every file is judged alone (`import_bundles`): whatever is wrong with one, it is refused with
a message saying what, and the bundles beside it still apply.

Threading: like the Store, call on its thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from db.store import Store
from db.sync import quarantine
from db.sync.applier import Applier
from db.sync.enrolment import keys_and_senders, partner
from db.sync.outbox import apply_acknowledgement
from db.sync.tables import PARTNER_REKEYED_SETTING, now
from fmdesk import hlc
from fmdesk import text as fmtext
from fmdesk.errors import Cancelled, UserError, ValidationError
from fmdesk.families import Family
from fmdesk.programme import Allocation
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.roles import Role
from fmdesk.sync.bundle import Change, Limits, Rejection, open_bundle
from fmdesk.sync.identity import Enrolment, StoreIdentity
from fmdesk.sync.merge import Outcome

log = logging.getLogger(__name__)
# A quarantine reason travels back to the sender in our next manifest: keep it short.
REASON_CHARS = 500


class BundleNotImported(UserError):
    """A bundle met a fault nobody foresaw while it was imported. It is refused alone (its own
    transaction rolled back); the traceback goes to the log."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(
            f"This sync bundle could not be imported: fmdesk met a problem it did not expect "
            f"({type(exc).__name__}). Nothing was imported from it; the other bundles were. "
            "Keep the file and report this, with the log, to whoever supports fmdesk."
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportResult:
    bundle_id: str
    partner: str
    sequence: int
    duplicate: bool = False
    # (first, last) sequences missing before this bundle; the bundle was still applied.
    gap: tuple[int, int] | None = None
    new: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: tuple[Rejection, ...] = ()
    # What the partner told us about our records it quarantined.
    reported_back: tuple[Rejection, ...] = ()

    def describe(self) -> list[str]:
        """The result in plain words: a headline, then a line per rejected record and gap."""
        if self.duplicate:
            return ["Already imported: nothing changed."]
        parts = [
            _count(self.new, "new record", "new records"),
            f"{self.updated} updated",
            f"{self.merged} merged with changes made here",
            _count(self.conflicts, "conflict", "conflicts")
            + (" to decide" if self.conflicts else ""),
            f"{len(self.rejected)} rejected",
        ]
        lines = [", ".join(parts) + "."]
        if self.unchanged:
            lines[0] += f" {self.unchanged} already up to date."
        lines += [f"Rejected {_which(r)}: {r.reason}" for r in self.rejected]
        if self.gap:
            first, last = self.gap
            missing = f"bundle {first}" if first == last else f"bundles {first} to {last}"
            lines.append(
                f"The partner's {missing} never arrived here; nothing is lost (each bundle "
                "carries every change not yet acknowledged)."
            )
        lines += [
            f"The partner could not accept {_which(r, ours=True)}: {r.reason}"
            for r in self.reported_back
        ]
        return lines

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ImportResult:
        data = json.loads(text)
        data["gap"] = tuple(data["gap"]) if data["gap"] else None
        data["rejected"] = tuple(Rejection(**r) for r in data["rejected"])
        data["reported_back"] = tuple(Rejection(**r) for r in data["reported_back"])
        return cls(**data)


def import_bundle(
    store: Store,
    path: Path,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Verify and apply one bundle in one transaction (all of it or none of it)."""
    me, known = keys_and_senders(store)
    return _import_one(store, path, me, known, limits, progress, cancel)


def _import_one(
    store: Store,
    path: Path,
    me: StoreIdentity,
    known: list[Enrolment],
    limits: Limits,
    progress: Progress,
    cancel: CancelToken,
) -> ImportResult:
    bundle = open_bundle(path, me, known, limits, progress=progress, cancel=cancel)
    manifest = bundle.manifest
    partner_id = bundle.sender.store_id
    # The history records what this bundle brings as the partner's (db/history.py).
    writer = store.writing_as(bundle.sender.name, partner_id, bundle_id=manifest.bundle_id)
    with store.transaction(), writer:
        done = store.db.execute(
            "SELECT summary FROM sync_imported WHERE bundle_id = ?", [manifest.bundle_id]
        ).fetchone()
        if done:
            return dataclasses.replace(ImportResult.from_json(done[0]), duplicate=True)
        sender = partner(store, partner_id)
        gap = None
        if manifest.sequence > sender.received_up_to + 1:
            gap = (sender.received_up_to + 1, manifest.sequence - 1)
        apply_acknowledgement(store, sender, manifest.acknowledged_up_to)
        if manifest.rekeyed_at:
            note_partner_rekey(store, partner_id, manifest.rekeyed_at)
        counts: dict[str, int] = dict.fromkeys(("new", "updated", "merged", "unchanged"), 0)
        conflicts = 0
        rejected: list[Rejection] = []
        applier = Applier(store, partner_id, manifest.bundle_id, [c.id for c in bundle.changes])
        if store.info.role is Role.PRACTITIONER:
            applier.arriving_families = {
                c.family_id or c.id for c in bundle.changes if c.kind == Family.KIND
            }
        for line in bundle.unreadable:  # not a record at all: quarantined alone, like one
            rejected.append(
                quarantine.hold(
                    store, partner_id, manifest.bundle_id, line.as_change(), _reason(line.reason)
                )
            )
        for number, change in enumerate(bundle.changes, start=1):
            if number % 500 == 0:
                cancel.raise_if_cancelled()
                progress(number, len(bundle.changes))
            # Every record goes through this one step; a refusal quarantines that record alone.
            try:
                check_revisions(store, change)
                outcome, found = applier.apply(change)
            except ValidationError as exc:
                rejected.append(
                    quarantine.hold(store, partner_id, manifest.bundle_id, change, _reason(exc))
                )
                continue
            conflicts += found
            key = {
                Outcome.NEW: "new",
                Outcome.TAKEN: "updated",
                Outcome.MERGED: "merged",
                Outcome.CONFLICT: "merged",
            }.get(outcome, "unchanged")
            counts[key] += 1
        applier.flush()
        if store.info.role is Role.PRACTITIONER:
            mark_withdrawals(store, applier.families - {""})
        store.db.execute(
            "UPDATE sync_partners SET received_up_to = max(received_up_to, ?), "
            "last_received_at = ? WHERE store_id = ?",
            [manifest.sequence, now(), partner_id],
        )
        result = ImportResult(
            bundle_id=manifest.bundle_id,
            partner=partner_id,
            sequence=manifest.sequence,
            gap=gap,
            conflicts=conflicts,
            rejected=tuple(rejected),
            reported_back=manifest.rejected,
            new=counts["new"],
            updated=counts["updated"],
            merged=counts["merged"],
            unchanged=counts["unchanged"],
        )
        store.db.execute(
            "INSERT INTO sync_imported (bundle_id, partner, sequence, imported_at, summary) "
            "VALUES (?, ?, ?, ?, ?)",
            [manifest.bundle_id, partner_id, manifest.sequence, now(), result.to_json()],
        )
    progress(len(bundle.changes), len(bundle.changes))
    return result


def note_partner_rekey(store: Store, partner_id: str, rekeyed_at: str) -> None:
    """Keep when a partner says its store was re-keyed, the latest it has said: every bundle
    after a re-key carries it, so keeping it again changes nothing."""
    saved = store.get_setting(PARTNER_REKEYED_SETTING, {})
    held = saved if isinstance(saved, dict) else {}
    if str(held.get(partner_id, "")) < rekeyed_at:
        store.set_setting(PARTNER_REKEYED_SETTING, {**held, partner_id: rekeyed_at})


def check_revisions(store: Store, change: Change) -> None:
    """ValidationError unless the change's revision is exactly in the clock's form and not
    far ahead of this computer's clock (a laptop with its date at 2099 would pin every
    revision after it, and its records could never be changed again), and its base revision
    is blank or a revision."""
    try:
        store.clock.check_incoming(change.revision)
    except hlc.RevisionError as exc:
        raise ValidationError(f"revision: {exc}") from None
    if change.base_revision and not hlc.is_revision(change.base_revision):
        raise ValidationError(f"base revision: {change.base_revision!r} is not a revision")


def mark_withdrawals(store: Store, family_ids: Iterable[str]) -> list[Family]:
    """In a practitioner's store: mark each of these families that the coordinator has moved
    to another practitioner (its latest Allocation names another store) as withdrawn, and
    unmark one allocated back here. The family record keeps its revision, and the marks are
    local fields that never travel, so nothing new is sent because of them; changes made
    before the withdrawal arrived are still in the outbox. Returns the families changed."""
    me = store.info.store_id
    changed: list[Family] = []
    for family_id in sorted(family_ids):
        family = store.get(Family, family_id)
        if family is None:
            continue
        allocations = store.list(Allocation, family_id=family_id)
        latest = max(allocations, key=lambda a: a.revision, default=None)
        if latest is not None and latest.to_store != me:
            marked = family.replace(withdrawn_on=latest.on, withdrawn_reason=latest.reason)
        else:
            marked = family.replace(withdrawn_on=None, withdrawn_reason="")
        if marked != family:
            store.write_rows([marked])  # the same revision: see above
            changed.append(marked)
    return changed


# Bundles imported together are committed in groups of about this many records. Each commit
# costs a WAL write and, now and then, a checkpoint; one per bundle made a coordinator's import
# of 70 bundles twice as slow. Each bundle is still all or nothing (its own savepoint).
GROUP_RECORDS = 50_000


def import_bundles(
    store: Store,
    paths: Sequence[Path],
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ImportResult | UserError]:
    """Import many bundles; one refused bundle does not stop the rest. Returns, per path, its
    result or the error that refused it.

    Each bundle applies whole or not at all (a savepoint inside a group transaction). Groups
    of bundles commit together (`GROUP_RECORDS`), so a cancel, a crash or a full disk loses at
    most the group under way, whole bundles only, and importing again finishes the job."""
    me, known = keys_and_senders(store)
    results: list[ImportResult | UserError] = []
    with contextlib.ExitStack() as group:
        in_group = 0
        group_open = False
        for done, path in enumerate(paths):
            cancel.raise_if_cancelled()
            progress(done, len(paths))
            if not group_open:
                group.enter_context(store.transaction())
                group_open = True
            try:
                result = _import_one(store, path, me, known, limits, no_progress, cancel)
            except UserError as exc:
                results.append(exc)
                continue
            except Cancelled:
                raise
            except Exception as exc:
                # Every file is judged alone. Its own savepoint has rolled back whatever it
                # wrote; the bundles before and after it still apply. Not a user's fault, so
                # the details go to the log.
                log.exception("importing the bundle %s failed", path)
                results.append(BundleNotImported(exc))
                continue
            results.append(result)
            in_group += max(1, result.new + result.updated + result.merged + result.unchanged)
            if in_group >= GROUP_RECORDS:
                group.close()  # commit this group; the next bundle starts another
                in_group = 0
                group_open = False
    progress(len(paths), len(paths))
    return results


def _reason(exc: BaseException | str) -> str:
    """A quarantine reason, printable and short: it is shown here and sent back."""
    return fmtext.printable(str(exc), REASON_CHARS)


def _which(rejection: Rejection, *, ours: bool = False) -> str:
    """'family 0b7f0c52' ('our family 0b7f0c52'), or 'a record' ('a record of ours') for a
    line that could not be read as one."""
    if rejection.kind and rejection.id:
        return f"{'our ' if ours else ''}{rejection.kind} {rejection.id[:8]}"
    return "a record of ours" if ours else "a record"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
