"""A family's chronology: the whole case history, from every version of every record the store
has held (db/history.py), each event with who made it and when.

Every record gives an event when it first appears (a person added, consent given, a note or
visit, an assessment started, a Star reading, a plan version, a TAF meeting, outcome evidence, a
status change...), dated by the day it happened where the record says (a note's date, the day a
reading was taken) and otherwise by the day it was recorded. Later versions give the moments that
matter: consent withdrawn, an assessment or reading completed, a record removed (deleted) or
recorded in error (with the reason), and other edits, one event per record, person and day, naming
what changed (autosave writes many versions of a form; one "edited" event stands for them).

A plan's actions are followed across its versions by their ids: each gives "Action agreed" when
it first appears and a correction when it is recorded in error (an action is part of a plan
version, not a record of its own: its events carry its id and the kind `plan_action`).

Each event says whether the record it is about is now recorded in error (`in_error`), so a
screen or a printout can strike it through: it stays in the history, never hidden.

Pure: the caller reads the versions (`Written`) from the store.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

from fmdesk.assessment.record import Assessment, AssessmentState
from fmdesk.closure import ClosureSummary
from fmdesk.families import CaseNote, Consent, Family, Person, StatusChange
from fmdesk.outcomes.records import (
    EquivalentProgress,
    IndicatorTick,
    Measure,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.plans import FamilyPlan, date_text
from fmdesk.records import CORRECTABLE_KINDS, IN_ERROR_FIELD, PLAN_ACTION, Record, to_plain
from fmdesk.stars.reading import (
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
)
from fmdesk.taf import TafMeeting, TafMember


class EventKind(enum.StrEnum):
    """What an event is about, for the Timeline's filter."""

    FAMILY = "family"
    HOUSEHOLD = "household"
    CONSENT = "consent"
    NOTE = "note"
    ASSESSMENT = "assessment"
    STAR = "star"
    PLAN = "plan"
    TAF = "taf"
    EVIDENCE = "evidence"
    OUTCOMES = "outcomes"
    STATUS = "status"
    REMOVAL = "removal"
    CORRECTION = "correction"
    EDIT = "edit"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    EventKind.FAMILY: "Family details",
    EventKind.HOUSEHOLD: "Household",
    EventKind.CONSENT: "Consent",
    EventKind.NOTE: "Notes and visits",
    EventKind.ASSESSMENT: "Assessments",
    EventKind.STAR: "Star readings",
    EventKind.PLAN: "Plan versions",
    EventKind.TAF: "TAF meetings",
    EventKind.EVIDENCE: "Outcome evidence",
    EventKind.OUTCOMES: "Outcome records",
    EventKind.STATUS: "Status changes",
    EventKind.REMOVAL: "Removals",
    EventKind.CORRECTION: "Corrections",
    EventKind.EDIT: "Edits",
}


@dataclasses.dataclass(frozen=True)
class Written:
    """One version of one record, as the history keeps it: who wrote it and when (UTC)."""

    record: Record
    by: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ChronologyEvent:
    on: dt.date  # the day it happened
    kind: EventKind
    what: str
    detail: str
    by: str  # who recorded it ("" when the history does not know)
    recorded_at: dt.datetime  # when it was recorded (UTC)
    record_id: str
    record_kind: str
    in_error: bool = False  # the record it is about is now recorded in error

    @property
    def struck(self) -> bool:
        """Whether to strike the event through: it is about a record now recorded in error
        (the correction itself, which says so, is not struck)."""
        return self.in_error and self.kind is not EventKind.CORRECTION

    @property
    def correctable(self) -> bool:
        """Whether the record behind it may be marked as recorded in error."""
        return self.record_kind in CORRECTABLE_KINDS and not self.in_error

    @property
    def recorded_text(self) -> str:
        local = self.recorded_at.astimezone()
        return f"{local.day} {local:%b %Y %H:%M}"


def chronology(
    versions: Iterable[Written], *, today: dt.date | None = None
) -> list[ChronologyEvent]:
    """The events of a family's history, newest first (by the day they happened, then when
    they were recorded)."""
    by_record: dict[str, list[Written]] = {}
    for version in sorted(versions, key=lambda v: v.at):
        by_record.setdefault(version.record.id, []).append(version)
    names = _names(by_record)
    events: list[ChronologyEvent] = []
    for written in by_record.values():
        events.extend(_record_events(written, names))
    events.extend(_plan_action_events(by_record, names))
    events.sort(key=lambda e: (e.on, e.recorded_at), reverse=True)
    return events


def kinds_present(events: Iterable[ChronologyEvent]) -> list[EventKind]:
    """The kinds among `events`, in EventKind's order (for the filter's choices)."""
    present = {e.kind for e in events}
    return [k for k in EventKind if k in present]


# ---- one record's events --------------------------------------------------------------------


def _names(by_record: Mapping[str, list[Written]]) -> dict[str, str]:
    names = {}
    for written in by_record.values():
        record = written[-1].record
        if isinstance(record, Person):
            names[record.id] = record.display_name
        elif isinstance(record, TafMember):
            names[record.id] = f"{record.name} ({record.agency})"
    return names


def _record_events(written: list[Written], names: Mapping[str, str]) -> list[ChronologyEvent]:
    latest = written[-1].record
    in_error = latest.in_error
    out: list[ChronologyEvent] = []

    def event(
        version: Written, kind: EventKind, what: str, detail: str, on: dt.date | None = None
    ) -> None:
        out.append(
            ChronologyEvent(
                on=on or version.at.astimezone().date(),
                kind=kind,
                what=what,
                detail=detail,
                by=version.by,
                recorded_at=version.at,
                record_id=version.record.id,
                record_kind=version.record.KIND,
                in_error=in_error,
            )
        )

    previous: Record | None = None
    edited: dict[tuple[str, dt.date], list[str]] = {}
    edit_at: dict[tuple[str, dt.date], Written] = {}
    for version in written:
        record = version.record
        if previous is None or previous.deleted:
            if not record.deleted:
                kind, what, detail, on = _first(record, names)
                event(version, kind, what, detail, on)
            previous = record
            continue
        if record.deleted:
            event(version, EventKind.REMOVAL, f"Removed: {_title(record)}", _summary(record, names))
            previous = record
            continue
        if record.in_error and not previous.in_error:
            mark = record.recorded_in_error
            assert mark is not None
            event(
                version,
                EventKind.CORRECTION,
                f"Recorded in error: {_title(record)}",
                f"{_summary(record, names).rstrip('.')}. Reason: {mark.reason}",
            )
        for kind, what, detail, on in _moments(previous, record, names):
            event(version, kind, what, detail, on)
        changed = _changed_fields(previous, record)
        if changed:
            key = (version.by, version.at.astimezone().date())
            fields = edited.setdefault(key, [])
            fields.extend(f for f in changed if f not in fields)
            edit_at[key] = version
        previous = record
    for key, fields in edited.items():
        version = edit_at[key]
        event(
            version,
            EventKind.EDIT,
            f"Edited: {_title(version.record)}",
            f"{_summary(version.record, names)} (changed: {', '.join(fields)})",
        )
    return out


def _plan_action_events(
    by_record: Mapping[str, list[Written]], names: Mapping[str, str]
) -> list[ChronologyEvent]:
    """Each plan action agreed (when it first appears in any version) and recorded in error,
    followed by its id through the plan's versions, oldest first."""
    plans = [w for w in by_record.values() if isinstance(w[-1].record, FamilyPlan)]
    plans.sort(key=lambda w: (getattr(w[-1].record, "version", 0), w[0].at))
    out: list[ChronologyEvent] = []
    seen: set[str] = set()
    marked: set[str] = set()
    now_in_error: dict[str, bool] = {}
    for written in plans:
        for index, version in enumerate(written):
            plan = version.record
            if plan.deleted or not isinstance(plan, FamilyPlan):
                continue
            on = plan.made_on if index == 0 else version.at.astimezone().date()
            for goal in plan.goals:
                for action in goal.actions:
                    now_in_error[action.id] = action.in_error
                    detail = (
                        f"{action.what} — {action.owner.text(names)}, by "
                        f"{date_text(action.by_when)}"
                    )
                    if action.id not in seen:
                        seen.add(action.id)
                        out.append(_action_event(version, on, "Action agreed", detail, action.id))
                    mark = action.recorded_in_error
                    if mark is not None and action.id not in marked:
                        marked.add(action.id)
                        out.append(
                            _action_event(
                                version,
                                version.at.astimezone().date(),
                                "Recorded in error: plan action",
                                f"{detail}. Reason: {mark.reason}",
                                action.id,
                                EventKind.CORRECTION,
                            )
                        )
    return [dataclasses.replace(e, in_error=now_in_error.get(e.record_id, False)) for e in out]


def _action_event(
    version: Written,
    on: dt.date,
    what: str,
    detail: str,
    action_id: str,
    kind: EventKind = EventKind.PLAN,
) -> ChronologyEvent:
    return ChronologyEvent(
        on=on,
        kind=kind,
        what=what,
        detail=detail,
        by=version.by,
        recorded_at=version.at,
        record_id=action_id,
        record_kind=PLAN_ACTION,
    )


# Fields whose change is a moment of its own (below) or bookkeeping, not an edit to report.
_NOT_EDITS = frozenset(
    {"id", "family_id", "revision", "deleted", IN_ERROR_FIELD, "current_step", "withdrawn_on"}
)


def _changed_fields(before: Record, after: Record) -> list[str]:
    old, new = to_plain(before), to_plain(after)
    changed = []
    for name in new:
        if name in _NOT_EDITS or old.get(name) == new.get(name):
            continue
        if isinstance(after, Assessment | StarReading) and name in ("state", "status"):
            continue
        changed.append(name.replace("_", " "))
    return changed


def _moments(
    before: Record, after: Record, names: Mapping[str, str]
) -> list[tuple[EventKind, str, str, dt.date | None]]:
    if (
        isinstance(before, Consent)
        and isinstance(after, Consent)
        and after.withdrawn_on is not None
        and before.withdrawn_on is None
    ):
        who = names.get(after.person_id, "the family")
        return [
            (
                EventKind.CONSENT,
                "Consent withdrawn",
                f"{after.kind.label} — {who}",
                after.withdrawn_on,
            )
        ]
    if (
        isinstance(before, Assessment)
        and isinstance(after, Assessment)
        and before.state is AssessmentState.DRAFT
        and after.state is not AssessmentState.DRAFT
    ):
        return [
            (
                EventKind.ASSESSMENT,
                "Assessment completed",
                f"{len(after.indicators)} indicators of need found",
                after.completed_on,
            )
        ]
    if (
        isinstance(before, StarReading)
        and isinstance(after, StarReading)
        and before.status is not ReadingStatus.COMPLETED
        and after.status is ReadingStatus.COMPLETED
    ):
        return [(EventKind.STAR, "Star reading completed", _star(after), after.taken_on)]
    return []


def _first(record: Record, names: Mapping[str, str]) -> tuple[EventKind, str, str, dt.date | None]:
    """The event a record gives when it first appears."""
    match record:
        case Family():
            return (
                EventKind.FAMILY,
                "Family registered",
                f"{record.name} ({record.reference})",
                None,
            )
        case Person():
            return EventKind.HOUSEHOLD, "Person added", _summary(record, names), None
        case Consent():
            who = names.get(record.person_id, "the family")
            return (
                EventKind.CONSENT,
                "Consent given",
                f"{record.kind.label} — {who}",
                record.given_on,
            )
        case CaseNote():
            minutes = f" ({record.minutes} min)" if record.minutes else ""
            return (
                EventKind.NOTE,
                record.contact.label + minutes,
                _summary(record, names),
                record.on,
            )
        case StatusChange():
            return EventKind.STATUS, "Status changed", _summary(record, names), record.on
        case ClosureSummary():
            return EventKind.STATUS, "Closing summary", record.reason.label, record.closed_on
        case Assessment():
            if record.state is AssessmentState.DRAFT:
                return (
                    EventKind.ASSESSMENT,
                    "Assessment started",
                    record.template,
                    record.started_on,
                )
            return (
                EventKind.ASSESSMENT,
                "Assessment completed",
                f"{len(record.indicators)} indicators of need found",
                record.completed_on or record.started_on,
            )
        case StarReading():
            what = (
                "Star reading"
                if record.status is ReadingStatus.COMPLETED
                else "Star reading started"
            )
            return EventKind.STAR, what, _star(record), record.taken_on
        case StarReadingEdit():
            return EventKind.CORRECTION, "Star reading changed", f"Reason: {record.reason}", None
        case StarReadingDeletion():
            return (
                EventKind.REMOVAL,
                "Star reading deleted",
                f"Taken {_day(record.reading_taken_on)}. Reason: {record.reason}",
                None,
            )
        case FamilyPlan():
            return (
                EventKind.PLAN,
                f"Plan version {record.version}",
                _summary(record, names),
                record.made_on,
            )
        case TafMeeting():
            return (
                EventKind.TAF,
                f"TAF meeting {record.number}",
                _summary(record, names),
                record.held_on,
            )
        case TafMember():
            return EventKind.TAF, "Team member added", _summary(record, names), record.joined_on
        case OutcomeEvidence():
            return (
                EventKind.EVIDENCE,
                "Outcome evidence",
                _summary(record, names),
                record.holds_from,
            )
        case IndicatorTick():
            return EventKind.OUTCOMES, "Indicator of need", record.indicator, record.on
        case Measure():
            return EventKind.OUTCOMES, "Measure recorded", record.kind.label, record.on
        case EquivalentProgress():
            return (
                EventKind.OUTCOMES,
                "Equivalent progress approved",
                record.reason,
                record.approved_on,
            )
        case OutcomeClaim():
            return EventKind.OUTCOMES, "Outcome claimed", record.route, record.claimed_on
    return EventKind.EDIT, f"{_title(record).capitalize()} added", "", None


def _title(record: Record) -> str:
    return CORRECTABLE_KINDS.get(record.KIND) or record.KIND.replace("_", " ")


def _summary(record: Record, names: Mapping[str, str]) -> str:
    """One line saying which record this is."""
    match record:
        case Family():
            return f"{record.name} ({record.reference})"
        case Person():
            return f"{record.display_name} ({record.role.label})"
        case Consent():
            who = names.get(record.person_id, "the family")
            return f"{record.kind.label} — {who}, given {_day(record.given_on)}"
        case CaseNote():
            first = record.text.strip().splitlines()[0] if record.text.strip() else ""
            return f"{record.contact.label} {_day(record.on)}" + (f": {first}" if first else "")
        case StatusChange():
            why = record.closure_reason.label if record.closure_reason else record.reason
            return f"{record.from_status.label} → {record.to_status.label}" + (
                f": {why}" if why else ""
            )
        case StarReading():
            return f"Star reading of {_day(record.taken_on)}"
        case FamilyPlan():
            return f"{record.made_at}: {len(record.goals)} goals, {len(record.actions)} actions"
        case TafMeeting():
            return record.place or "Place not recorded"
        case TafMember():
            return f"{record.name} ({record.agency})"
        case OutcomeEvidence():
            what = record.description or record.source
            return f"Outcome {record.outcome}" + (f": {what}" if what else "")
    return _title(record)


def _star(reading: StarReading) -> str:
    scores = ", ".join(f"{s.area} {s.score}" for s in reading.scores if s.score is not None)
    return f"Scores: {scores}" if scores else "Not scored yet"


def _day(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%b %Y}"


def event_row(event: ChronologyEvent) -> dict[str, Any]:
    """An event as plain JSON (the command line's --json)."""
    return {
        "on": event.on.isoformat(),
        "kind": event.kind.value,
        "what": event.what,
        "detail": event.detail,
        "by": event.by,
        "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
        "record_id": event.record_id,
        "record_kind": event.record_kind,
        "in_error": event.in_error,
    }
