"""The caseload as a practitioner sees it: one summary row per family, and a family's timeline.

Built from records already in memory, so the store reads each kind once for the whole caseload
(3,000 families list in well under a second; see benchmarks/).
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from fmdesk.families import (
    CaseNote,
    Consent,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)


@dataclasses.dataclass(frozen=True)
class CaseloadRow:
    family_id: str
    reference: str
    name: str
    status: FamilyStatus
    intensity: Intensity
    children: int
    next_action: str
    next_action_due: dt.date | None
    last_contact: dt.date | None
    # The family's name, reference and case system ID and every member's names, UPN and NHS
    # number, lower-cased, for the filter box (`matches`).
    search_text: str
    # Filled in by later parts (claim status, Star due); plain words for the table.
    claim_status: str = ""
    star_due: str = ""


def matches(row: CaseloadRow, query: str) -> bool:
    """Whether a caseload row is one a search finds: every word of the query appears in its
    names, references or identifiers (an NHS number typed "943 476 5919" finds 9434765919)."""
    return all(word in row.search_text for word in query.casefold().split())


def caseload_rows(
    families: Iterable[Family], people: Iterable[Person], notes: Iterable[CaseNote]
) -> list[CaseloadRow]:
    by_family: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        by_family[person.family_id].append(person)
    last_contact: dict[str, dt.date] = {}
    for note in notes:
        if note.contact.is_contact:
            seen = last_contact.get(note.family_id)
            if seen is None or note.on > seen:
                last_contact[note.family_id] = note.on
    rows = []
    for family in families:
        members = by_family.get(family.id, [])
        rows.append(
            caseload_row(
                family,
                member_names=[f"{p.display_name} {p.upn} {p.nhs_number}" for p in members],
                children=sum(1 for p in members if p.role is PersonRole.CHILD),
                last_contact=last_contact.get(family.id),
            )
        )
    rows.sort(key=lambda r: r.reference)
    return rows


def caseload_row(
    family: Family,
    *,
    member_names: Iterable[str],
    children: int,
    last_contact: dt.date | None,
    claim_status: str = "",
    star_due: str = "",
) -> CaseloadRow:
    search = " ".join(
        [family.name, family.reference, family.case_id, *family.former_references, *member_names]
    )
    return CaseloadRow(
        family_id=family.id,
        reference=family.reference,
        name=family.name,
        status=family.status,
        intensity=family.intensity,
        children=children,
        next_action=family.next_action,
        next_action_due=family.next_action_due,
        last_contact=last_contact,
        search_text=search.casefold(),
        claim_status=claim_status,
        star_due=star_due,
    )


@dataclasses.dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    what: str
    detail: str
    record_id: str


def timeline(
    people: Iterable[Person],
    consents: Iterable[Consent],
    notes: Iterable[CaseNote],
    changes: Iterable[StatusChange],
) -> list[TimelineEvent]:
    """Everything that happened to a family, newest first."""
    events: list[TimelineEvent] = []
    names = {p.id: p.display_name for p in people}
    for c in consents:
        who = names.get(c.person_id, "the family")
        events.append(TimelineEvent(c.given_on, "Consent given", f"{c.kind.label} — {who}", c.id))
        if c.withdrawn_on:
            events.append(
                TimelineEvent(c.withdrawn_on, "Consent withdrawn", f"{c.kind.label} — {who}", c.id)
            )
    for n in notes:
        minutes = f" ({n.minutes} min)" if n.minutes else ""
        first_line = n.text.strip().splitlines()[0] if n.text.strip() else ""
        events.append(TimelineEvent(n.on, n.contact.label + minutes, first_line, n.id))
    for s in changes:
        why = s.closure_reason.label if s.closure_reason else s.reason
        detail = f"{s.from_status.label} → {s.to_status.label}" + (f": {why}" if why else "")
        events.append(TimelineEvent(s.on, "Status changed", detail, s.id))
    events.sort(key=lambda e: (e.on, e.what), reverse=True)
    return events
