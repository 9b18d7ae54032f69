"""Reading and writing whole families: the caseload, one family's record, family files, demo data.

Each function is one call from the UI's worker thread or the command line, and each write is one
transaction.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from db import allocation, sync
from db.history import IN_ERROR_FIELD_SQL
from db.programme import claim_status_by_family
from db.stars import star_due_by_family
from db.store import Store
from fmdesk import references
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
from fmdesk.records import Record
from fmdesk.roles import Role

# This store's reference code (fmdesk/references.py), derived once from its id and kept here.
REFERENCE_CODE_SETTING = "references.code"
# A coordinator's record of the codes it gave practitioners instead of their derived ones
# ({store id: code}), so that it knows which codes are in use.
PRACTITIONER_CODES_SETTING = "references.practitioner_codes"


class FamilyNotFound(UserError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"No family with reference {reference} in this store, nor with that id. "
            "'fmdesk families list' shows the references ('--json' the ids)."
        )


@dataclass(frozen=True)
class FamilyLabel:
    """Enough to tell one family from another that shares its reference."""

    id: str
    reference: str
    name: str
    practitioner: str  # who holds it (or registered it); "" if nobody yet
    members: tuple[str, ...]  # the household's names

    @property
    def line(self) -> str:
        who = self.practitioner or "no practitioner"
        people = f": {', '.join(self.members)}" if self.members else ""
        return f"{self.id}  {self.reference}  {self.name} ({who}){people}"


class AmbiguousReference(UserError):
    """A reference more than one family holds: refused, with the families to choose from."""

    def __init__(self, reference: str, candidates: list[FamilyLabel]) -> None:
        self.candidates = candidates
        lines = "\n".join(f"  {c.line}" for c in candidates)
        super().__init__(
            f"{len(candidates)} families have reference {reference}; give the family's id "
            f"instead:\n{lines}\n"
            "('fmdesk families collisions' lists every shared reference; "
            "'fmdesk families rename-reference ID NEW' gives one a new reference.)"
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
    # Each person's names and identifiers, for the filter: the caseload finds a family by a
    # child's UPN or a parent's NHS number as well as by name.
    for family_id, role, given, surname, known_as, upn, nhs, in_error in db.execute(
        "SELECT family_id, body ->> '$.role', body ->> '$.given_name', "
        "body ->> '$.family_name', body ->> '$.known_as', "
        "coalesce(body ->> '$.upn', ''), coalesce(body ->> '$.nhs_number', ''), "
        f"{IN_ERROR_FIELD_SQL} IS NOT NULL FROM records WHERE kind = 'person' AND deleted = 0"
    ):
        names.setdefault(family_id, []).append(f"{given} {surname} {known_as} {upn} {nhs}")
        if role == PersonRole.CHILD and not in_error:  # recorded in error: not a child here
            children[family_id] = children.get(family_id, 0) + 1
    last_contact = {
        family_id: dt.date.fromisoformat(on)
        for family_id, on in db.execute(
            "SELECT family_id, max(body ->> '$.on') FROM records "
            "WHERE kind = 'note' AND deleted = 0 AND body ->> '$.contact' != ? "
            f"AND {IN_ERROR_FIELD_SQL} IS NULL GROUP BY family_id",
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


# Of a family's id, a prefix this long is enough to name it (as git takes a short commit id).
ID_PREFIX_MIN = 8


def find_family(store: Store, reference: str) -> Family:
    """The one family a command names: by its reference (case aside), its id or the start of
    its id (at least 8 characters), else by a reference it had before a rename. The one place
    a reference is resolved: a reference more than one family holds is refused with the
    candidates (AmbiguousReference), never resolved by picking one."""
    given = reference.strip()
    wanted = references.reference_key(given)
    if not wanted:
        raise FamilyNotFound(reference)
    families = store.list(Family)
    matches = [
        f
        for f in families
        if references.reference_key(f.reference) == wanted
        or f.id == given
        or (len(given) >= ID_PREFIX_MIN and f.id.startswith(given.lower()))
    ]
    if not matches:
        matches = [
            f
            for f in families
            if any(references.reference_key(r) == wanted for r in f.former_references)
        ]
    if not matches:
        raise FamilyNotFound(given)
    if len(matches) > 1:
        shared = next((f.reference for f in matches if f.id != given), given)
        raise AmbiguousReference(shared, family_labels(store, matches))
    return matches[0]


def family_labels(store: Store, families: list[Family]) -> list[FamilyLabel]:
    """Each family with who holds it and its household's names, sorted by reference then
    name: for a list that has to tell families apart."""
    holder_names: dict[str, str] = {}
    if store.info.role is Role.COORDINATOR:
        partners = {p.enrolment.store_id: p.enrolment.name for p in sync.partners(store)}
        holders = allocation.family_holders(store)
        holder_names = {fid: partners.get(sid, "") for fid, sid in holders.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for family in families:
        for person in store.list(Person, family_id=family.id):
            if person.in_household:
                members[family.id].append(person.display_name)
    labels = [
        FamilyLabel(
            id=f.id,
            reference=f.reference,
            name=f.name,
            practitioner=holder_names.get(f.id) or f.lead_practitioner,
            members=tuple(members[f.id]),
        )
        for f in families
    ]
    return sorted(labels, key=lambda label: (label.reference.casefold(), label.name, label.id))


# ---- references: this store's code, the next reference, shared references -------------------


def reference_code(store: Store) -> str:
    """This store's reference code: derived from its id on first use and kept from then on."""
    code = store.get_setting(REFERENCE_CODE_SETTING)
    if isinstance(code, str) and code:
        return code
    code = references.derive_code(store.info.store_id)
    store.set_setting(REFERENCE_CODE_SETTING, code)
    return code


def set_reference_code(store: Store, code: str) -> str:
    """Give this store another reference code (the coordinator asked for it: another store had
    the same one). References already made keep theirs; new families get the new code."""
    checked = references.check_code(code)
    store.set_setting(REFERENCE_CODE_SETTING, checked)
    return checked


def held_references(store: Store) -> list[str]:
    """Every reference this store has held, deleted families' and renamed ones' included, so
    that none is ever given out twice."""
    held: list[str] = []
    for current, former in store.db.execute(
        "SELECT body ->> '$.reference', body ->> '$.former_references' FROM records WHERE kind = ?",
        [Family.KIND],
    ):
        held.append(current or "")
        if former:
            held.extend(json.loads(former))
    return held


def next_family_reference(store: Store, on: dt.date | None = None) -> str:
    """The reference for the next family registered in this store (fmdesk/references.py)."""
    year = (on or dt.date.today()).year
    return references.next_reference(held_references(store), code=reference_code(store), year=year)


def _refuse_taken(store: Store, reference: str, *, other_than: str = "") -> None:
    key = references.reference_key(reference)
    for family in store.list(Family):
        if family.id != other_than and references.reference_key(family.reference) == key:
            raise UserError(
                f"Another family already has reference {family.reference} ({family.name}); "
                "choose another."
            )


def add_family(
    store: Store,
    *,
    name: str,
    reference: str = "",
    case_id: str = "",
    lead_practitioner: str | None = None,
    identified_on: dt.date | None = None,
) -> Family:
    """Register a family, in one transaction: with the store's next reference unless one is
    given, refused when another family already has it."""
    if not name.strip():
        raise UserError("Give the family a name, e.g. 'Khan family'.")
    with store.transaction():
        reference = reference.strip() or next_family_reference(store, identified_on)
        _refuse_taken(store, reference)
        try:
            family = Family(
                reference=reference,
                name=name.strip(),
                case_id=case_id,
                lead_practitioner=(
                    store.info.owner_name if lead_practitioner is None else lead_practitioner
                ),
                identified_on=identified_on or dt.date.today(),
            )
        except ValueError as exc:
            raise UserError(f"The family was not added: {exc}.") from None
        (saved,) = store.save(family)
    return saved


@dataclass(frozen=True)
class SharedReference:
    """A reference more than one family holds (a collision): each keeps its own id and records,
    and someone gives all but one of them a new reference."""

    reference: str
    families: list[FamilyLabel]


@dataclass(frozen=True)
class SharedCode:
    """A reference code more than one store would number families with."""

    code: str
    holders: list[str]  # the stores' names


def shared_references(store: Store) -> list[SharedReference]:
    """Every reference held by more than one family in this store, by reference. Worked out
    from the families themselves, so the list is right whatever brought them here (a bundle,
    an upgrade from references numbered on each laptop, a family file) and empties itself as
    each is renamed."""
    by_key: dict[str, list[Family]] = defaultdict(list)
    for family in store.list(Family):
        by_key[references.reference_key(family.reference)].append(family)
    shared = [group for group in by_key.values() if len(group) > 1]
    labels = family_labels(store, [f for group in shared for f in group])
    by_family = {label.id: label for label in labels}
    found = [
        SharedReference(group[0].reference, sorted((by_family[f.id] for f in group), key=_order))
        for group in shared
    ]
    return sorted(found, key=lambda s: references.reference_key(s.reference))


def _order(label: FamilyLabel) -> tuple[str, str, str]:
    return (label.name.casefold(), label.practitioner.casefold(), label.id)


@dataclass(frozen=True)
class StoreCode:
    store_id: str
    name: str
    code: str
    given: bool  # set by hand (here or recorded by the coordinator), not derived from the id


def store_codes(store: Store) -> list[StoreCode]:
    """This store's reference code and, on a coordinator, each enrolled practitioner's: the one
    the coordinator recorded giving them, else the one their store derives from its id."""
    own_code = reference_code(store)
    own = StoreCode(
        store.info.store_id,
        store.info.owner_name or "This store",
        own_code,
        own_code != references.derive_code(store.info.store_id),
    )
    if store.info.role is not Role.COORDINATOR:
        return [own]
    given = store.get_setting(PRACTITIONER_CODES_SETTING, {}) or {}
    codes = [own]
    for partner in sync.partners(store):
        if partner.enrolment.role is not Role.PRACTITIONER:
            continue
        store_id = partner.enrolment.store_id
        code = given.get(store_id) or references.derive_code(store_id)
        codes.append(StoreCode(store_id, partner.enrolment.name, code, store_id in given))
    return codes


def shared_codes(store: Store) -> list[SharedCode]:
    """Reference codes two stores would both number families with (shown to the coordinator
    as soon as the second is enrolled, before any family clashes)."""
    codes = store_codes(store)
    names = {c.store_id: c.name for c in codes}
    clashes = references.shared_codes({c.store_id: c.code for c in codes})
    return [
        SharedCode(code, sorted((names[s] for s in holders), key=str.casefold))
        for code, holders in sorted(clashes.items())
    ]


def set_practitioner_code(store: Store, practitioner: str, code: str) -> StoreCode:
    """Record, at the coordinator, the code it gave an enrolled practitioner (named or by store
    id). The practitioner sets the same on their laptop ('fmdesk families code --set')."""
    if store.info.role is not Role.COORDINATOR:
        raise UserError("Practitioners' codes are recorded at the coordinator's store.")
    checked = references.check_code(code)
    partner = next(
        (
            p.enrolment
            for p in sync.partners(store)
            if p.enrolment.role is Role.PRACTITIONER
            and practitioner in (p.enrolment.store_id, p.enrolment.name)
        ),
        None,
    )
    if partner is None:
        raise UserError(f"{practitioner} is not an enrolled practitioner here.")
    given = dict(store.get_setting(PRACTITIONER_CODES_SETTING, {}) or {})
    given[partner.store_id] = checked
    store.set_setting(PRACTITIONER_CODES_SETTING, given)
    return StoreCode(partner.store_id, partner.name, checked, True)


def rename_reference(store: Store, family_id: str, new: str = "") -> Family:
    """Give a family a new reference (given, or else this store's next one), in one
    transaction: the old one is kept in `former_references` (searches still find it) and a
    case note says what changed. Refused when another family holds the new one."""
    with store.transaction():
        family = store.get(Family, family_id)
        if family is None or family.deleted:
            raise UserError("That family is no longer in this store.")
        new = new.strip() or next_family_reference(store)
        if references.reference_key(new) == references.reference_key(family.reference):
            raise UserError(f"Family {family.reference} already has that reference.")
        _refuse_taken(store, new, other_than=family.id)
        old = family.reference
        try:
            renamed = family.replace(
                reference=new, former_references=(*family.former_references, old)
            )
        except ValueError as exc:
            raise UserError(f"The reference was not changed: {exc}.") from None
        note = CaseNote(
            family_id=family.id,
            on=dt.date.today(),
            text=f"Case reference changed from {old} to {new}.",
            author=store.info.owner_name,
        )
        saved = store.save(renamed, note)[0]
    return cast(Family, saved)


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
    key = references.reference_key(family.reference)
    if any(references.reference_key(f.reference) == key for f in store.list(Family)):
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
    references are in this store's series (its code, numbers carrying on from the families
    already held), so adding more never repeats one, and two stores' demo families never share
    one. `outcomes=False` gives households and histories only (no framework, assessment or
    plan)."""
    done = 0
    with store.transaction():
        code = reference_code(store)
        first = references.parse_reference(next_family_reference(store))
        assert first is not None  # the store's own series always parses
        for records in demo_caseload(
            count,
            seed=seed,
            practitioner=store.info.owner_name,
            outcomes=outcomes,
            first_number=first.number,
        ):
            cancel.raise_if_cancelled()
            store.save(*_in_series(records, code))
            done += 1
            if done % 50 == 0 or done == count:
                progress(done, count)
    return done


def _in_series(records: list[Record], code: str) -> list[Record]:
    """A demo family (its Family first) with its reference in this store's series: the demo
    numbers them with a code of its own (fmdesk/demo.py)."""
    family = records[0]
    parsed = references.parse_reference(family.reference) if isinstance(family, Family) else None
    if parsed is None:
        return records
    reference = references.format_reference(parsed.year, code, parsed.number)
    return [family.replace(reference=reference), *records[1:]]
