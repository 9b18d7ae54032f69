"""Reading and writing whole families: the caseload, one family's record, family files, demo data.

Each function is one call from the UI's worker thread or the command line, and each write is one
transaction.
"""

import datetime as dt
from dataclasses import dataclass

from db.store import Store
from fmdesk.caseload import CaseloadRow, TimelineEvent, caseload_rows, timeline
from fmdesk.demo import demo_caseload
from fmdesk.errors import UserError
from fmdesk.families import CaseNote, Consent, Family, Person, StatusChange
from fmdesk.family_file import build_family_file, parse_family_file
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


class FamilyNotFound(UserError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"No family with reference {reference} in this store. "
            "'fmdesk families list' shows the references."
        )


def load_caseload(store: Store) -> list[CaseloadRow]:
    return caseload_rows(store.list(Family), store.list(Person), store.list(CaseNote))


def find_family(store: Store, reference: str) -> Family:
    wanted = reference.strip().casefold()
    for family in store.list(Family):
        if family.reference.casefold() == wanted or family.id == reference:
            return family
    raise FamilyNotFound(reference)


@dataclass(frozen=True)
class FamilyRecord:
    """Everything the family record screen shows, read in one go."""

    family: Family
    people: list[Person]
    consents: list[Consent]
    notes: list[CaseNote]
    changes: list[StatusChange]

    @property
    def timeline(self) -> list[TimelineEvent]:
        return timeline(self.people, self.consents, self.notes, self.changes)


def load_family(store: Store, family_id: str) -> FamilyRecord:
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That family is no longer in this store.")
    people = store.list(Person, family_id=family_id)
    people.sort(key=lambda p: (p.role != "parent_carer", p.date_of_birth or dt.date.max))
    notes = sorted(store.list(CaseNote, family_id=family_id), key=lambda n: n.on, reverse=True)
    changes = sorted(store.list(StatusChange, family_id=family_id), key=lambda c: c.on)
    return FamilyRecord(family, people, store.list(Consent, family_id=family_id), notes, changes)


def export_family(store: Store, family: Family) -> dict:
    rows = store.family_records(family.id)
    return build_family_file(
        family, rows, exported_by=store.info.owner_name, on=dt.datetime.now(dt.UTC)
    )


def import_family(store: Store, data: object) -> Family:
    """Add a family from a family file, in one transaction. A family already held is refused."""
    family, records = parse_family_file(data)
    if store.get(Family, family.id) is not None:
        raise UserError(
            f"Family {family.reference} is already in this store; nothing was imported."
        )
    if any(f.reference == family.reference for f in store.list(Family)):
        raise UserError(
            f"Another family already has reference {family.reference}; nothing was imported."
        )
    with store.transaction():
        saved, *_ = store.save(family, *records)
    return saved


def add_demo_families(
    store: Store,
    count: int,
    *,
    seed: int = 1,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> int:
    """Fill the store with a synthetic caseload, in one transaction (all or nothing)."""
    done = 0
    with store.transaction():
        for records in demo_caseload(count, seed=seed, practitioner=store.info.owner_name):
            cancel.raise_if_cancelled()
            store.save(*records)
            done += 1
            if done % 50 == 0 or done == count:
                progress(done, count)
    return done
