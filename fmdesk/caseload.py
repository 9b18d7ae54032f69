"""The caseload as a practitioner sees it: one summary row per family, and a family's timeline.

Built from records already in memory, so the store reads each kind once for the whole caseload
(3,000 families list in well under a second; see benchmarks/).

What is late (`DueItem`): each family's open plan actions by their dates, the plan's next review,
the next Star reading and consent to renew, worked out here from plain values the store reads in
SQL (db/caseload.py), so the rules are the core's: something is late the day after it was due,
and due this week when it falls within the next `WEEK_DAYS` days (today included).
"""

import dataclasses
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable

from fmdesk.families import (
    CaseNote,
    Consent,
    ConsentKind,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.plans import REVIEW_INTERVAL, ActionStatus
from fmdesk.words import plural

# "Due this week": from today to six days on, a week of days.
WEEK_DAYS = 7
# Consent is asked for again a year after it was given unless the council says otherwise
# (the store setting `consent.renew_after_days`; councils' privacy notices differ).
CONSENT_RENEW_DAYS = 365
# How long before it is due consent to renew shows on the caseload.
CONSENT_NOTICE_DAYS = 28


class DueKind(enum.StrEnum):
    ACTION = "action"
    REVIEW = "review"
    STAR = "star"
    CONSENT = "consent"

    @property
    def label(self) -> str:
        return {
            "action": "action",
            "review": "plan review",
            "star": "Star reading",
            "consent": "consent to renew",
        }[self.value]


@dataclasses.dataclass(frozen=True, order=True)
class DueItem:
    """Something the practitioner has to do for a family by a date."""

    due_on: dt.date
    kind: DueKind
    what: str = ""  # the action's words, the consent's kind

    def is_late(self, on: dt.date) -> bool:
        return self.due_on < on

    def is_due_this_week(self, on: dt.date) -> bool:
        return on <= self.due_on < on + dt.timedelta(days=WEEK_DAYS)

    def sentence(self, on: dt.date) -> str:
        """'Action “Set two alarms” was due 3 Nov 2026' / 'Plan review due 9 Dec 2026' /
        'Consent to assess due for renewal 12 Dec 2026'."""
        due = "was due" if self.is_late(on) else "due"
        if self.kind is DueKind.CONSENT:
            return f"Consent {self.what} {due} for renewal {short_date(self.due_on)}".replace(
                "  ", " "
            )
        name = self.kind.label[0].upper() + self.kind.label[1:]
        if self.what:
            name += f" “{self.what}”"
        return f"{name} {'was due' if self.is_late(on) else 'due'} {short_date(self.due_on)}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def due_text(day: dt.date | None, on: dt.date) -> str:
    """A date for the caseload, flagged when it has passed: '3 Nov 2026 (late)'."""
    if day is None:
        return ""
    return short_date(day) + (" (late)" if day < on else "")


def action_items(actions: Iterable[tuple[str, dt.date, ActionStatus]]) -> list[DueItem]:
    """(what, by when, status) of the current plan's actions: the open ones are due."""
    return [
        DueItem(by_when, DueKind.ACTION, what)
        for what, by_when, status in actions
        if status.is_open
    ]


def review_item(next_review: dt.date | None, last_review: dt.date | None) -> list[DueItem]:
    """The plan's next review: the date set for it, else 12 weeks after the last review."""
    if next_review is not None:
        return [DueItem(next_review, DueKind.REVIEW)]
    if last_review is not None:
        return [DueItem(last_review + REVIEW_INTERVAL, DueKind.REVIEW)]
    return []


def consent_items(
    consents: Iterable[tuple[ConsentKind, dt.date, dt.date | None]],
    on: dt.date,
    *,
    renew_after_days: int = CONSENT_RENEW_DAYS,
    notice_days: int = CONSENT_NOTICE_DAYS,
) -> list[DueItem]:
    """(kind, given on, withdrawn on) of a family's consents: each kind in force today whose
    latest consent was given `renew_after_days` ago, less `notice_days`, is due for renewal."""
    latest: dict[ConsentKind, dt.date] = {}
    for kind, given_on, withdrawn_on in consents:
        if given_on > on or (withdrawn_on is not None and withdrawn_on <= on):
            continue
        if kind not in latest or given_on > latest[kind]:
            latest[kind] = given_on
    items = []
    for kind, given_on in sorted(latest.items()):
        due = given_on + dt.timedelta(days=renew_after_days)
        if on >= due - dt.timedelta(days=notice_days):
            items.append(DueItem(due, DueKind.CONSENT, kind.label.lower()))
    return items


@dataclasses.dataclass(frozen=True)
class DueSummary:
    """A family's due items, for the caseload's "What's due" column."""

    items: tuple[DueItem, ...]
    on: dt.date

    @property
    def late(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.is_late(self.on))

    @property
    def this_week(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.is_due_this_week(self.on))

    @property
    def text(self) -> str:
        """'2 late: action, plan review · 1 due this week'; '' when nothing is near."""
        parts = []
        for words, items in (("late", self.late), ("due this week", self.this_week)):
            if items:
                kinds = ", ".join(dict.fromkeys(i.kind.label for i in items))
                parts.append(f"{len(items)} {words}: {kinds}")
        return " · ".join(parts)

    @property
    def sort_key(self) -> tuple[int, dt.date]:
        """Late first, then due this week, each by the earliest date; then the rest."""
        soon = self.late or self.this_week
        rank = 0 if self.late else 1 if self.this_week else 2
        return rank, min(i.due_on for i in soon) if soon else dt.date.max

    def sentences(self) -> str:
        return "\n".join(i.sentence(self.on) for i in (*self.late, *self.this_week))


def sync_line(
    last_sent: dt.datetime | None,
    last_acked: dt.datetime | None,
    waiting: int,
    *,
    coordinator: bool,
) -> str:
    """What has not reached the other side, in a line for the caseload."""
    sent = f"Last bundle sent {short_date(last_sent.date())}" if last_sent else "No bundle sent yet"
    if last_sent:
        sent += (
            f", acknowledged {short_date(last_acked.date())}"
            if last_acked
            else ", not yet acknowledged"
        )
    whom = "practitioners" if coordinator else "the coordinator"
    wait = plural(waiting, "change waits", "changes wait") if waiting else "nothing waits"
    return f"{sent} · {wait} to reach {whom}"


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
    # What is due and late (filled in after the rows: db/caseload.py), and on a coordinator's
    # store who holds the family.
    due: DueSummary | None = None
    practitioner: str = ""

    def is_late(self) -> bool:
        return bool(self.due and self.due.late)

    def is_due_this_week(self) -> bool:
        """Late, or something falls due within the week."""
        return self.is_late() or bool(self.due and self.due.this_week)


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
