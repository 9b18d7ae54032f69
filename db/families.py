"""Reading and writing whole families: the caseload, one family's record, family files, demo data.

Each function is one call from the UI's worker thread or the command line, and each write is one
transaction.
"""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from db.programme import claim_status_by_family
from db.stars import star_due_by_family
from db.store import Store
from fmdesk.caseload import CaseloadRow, TimelineEvent, caseload_row, timeline
from fmdesk.demo import demo_caseload
from fmdesk.errors import UserError
from fmdesk.families import (
    CaseNote,
    Consent,
    ContactType,
    Family,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.family_file import build_family_file, parse_family_file
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


class FamilyNotFound(UserError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"No family with reference {reference} in this store. "
            "'fmdesk families list' shows the references."
        )


def load_caseload(store: Store, *, claim_status: bool = True) -> list[CaseloadRow]:
    """One summary row per family. SQLite does the counting and picks the names, so only the
    families themselves are decoded: 3,000 families list in a fraction of a second, where
    decoding every person and note took seconds (benchmarks/bench_store.py).

    The claim status needs every attached family judged against its framework (a second or
    more for a coordinator's 3,000); the app lists without it (`claim_status=False`) and fills
    the column from `claim_status_by_family` a moment later."""
    db = store.db
    names: dict[str, list[str]] = {}
    children: dict[str, int] = {}
    for family_id, role, given, surname, known_as in db.execute(
        "SELECT family_id, body ->> '$.role', body ->> '$.given_name', "
        "body ->> '$.family_name', body ->> '$.known_as' "
        "FROM records WHERE kind = 'person' AND deleted = 0"
    ):
        names.setdefault(family_id, []).append(f"{given} {surname} {known_as}")
        if role == PersonRole.CHILD:
            children[family_id] = children.get(family_id, 0) + 1
    last_contact = {
        family_id: dt.date.fromisoformat(on)
        for family_id, on in db.execute(
            "SELECT family_id, max(body ->> '$.on') FROM records "
            "WHERE kind = 'note' AND deleted = 0 AND body ->> '$.contact' != ? "
            "GROUP BY family_id",
            [ContactType.NOTE.value],
        )
    }
    families = store.list(Family)
    claims = claim_status_by_family(store) if claim_status else {}
    star_due = star_due_by_family(store, dt.date.today(), families=families)
    rows = [
        caseload_row(
            family,
            member_names=names.get(family.id, []),
            children=children.get(family.id, 0),
            last_contact=last_contact.get(family.id),
            claim_status=claims.get(family.id, ""),
            star_due=star_due.get(family.id, ""),
        )
        for family in families
    ]
    rows.sort(key=lambda r: r.reference)
    return rows


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
        saved = store.save(family, *records)[0]
    return cast(Family, saved)


def add_demo_families(
    store: Store,
    count: int,
    *,
    seed: int = 1,
    outcomes: bool = True,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> int:
    """Fill the store with a synthetic caseload, in one transaction (all or nothing). Case
    references carry on from the families already held, so adding more never repeats one.
    `outcomes=False` gives households and histories only (no framework, assessment or plan)."""
    done = 0
    with store.transaction():
        held = store.db.execute(
            "SELECT count(*) FROM records WHERE kind = ?", [Family.KIND]
        ).fetchone()[0]
        for records in demo_caseload(
            count,
            seed=seed,
            practitioner=store.info.owner_name,
            outcomes=outcomes,
            first_number=held + 1,
        ):
            cancel.raise_if_cancelled()
            store.save(*records)
            done += 1
            if done % 50 == 0 or done == count:
                progress(done, count)
    return done
