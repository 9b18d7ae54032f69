"""Reading and writing a family's plan, Team Around the Family and closing summary.

Each function is one call from the UI's worker thread or the command line, and each write is one
transaction. Every write first reads the family as the store holds it and refuses a closed one
(`fmdesk.closure.ensure_editable`), so a stale screen can never change a closed case; reopening is
the one write a closed family accepts.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from db.store import Store
from fmdesk.closure import (
    ClosureSummary,
    ContinuingSupport,
    OutcomeAtClosure,
    close_family,
    ensure_editable,
    latest_closure,
    reopen_family,
)
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import ClosureReason, Family, Person
from fmdesk.plans import DriftFlag, FamilyPlan, current_plan, drift_flags, live_versions
from fmdesk.records import Record
from fmdesk.stars import StarReading
from fmdesk.taf import TafMeeting, TafMember


@dataclass(frozen=True)
class PlanRecord:
    """Everything the plan screen and the printed plan need about one family, read in one go."""

    family: Family
    people: list[Person]
    versions: list[FamilyPlan]  # live versions, oldest first
    members: list[TafMember]
    meetings: list[TafMeeting]  # oldest first
    closures: list[ClosureSummary]
    readings: list[StarReading]
    practitioner: str = ""  # the store owner's name, for "made by" and "closed by"

    @property
    def current(self) -> FamilyPlan | None:
        return current_plan(self.versions)

    @property
    def previous(self) -> FamilyPlan | None:
        """The version before the current one, if there is one."""
        return self.versions[-2] if len(self.versions) > 1 else None

    @property
    def names(self) -> dict[str, str]:
        """Person id → name, for owners of actions and plan differences."""
        return {p.id: p.full_name for p in self.people}

    @property
    def latest_closure(self) -> ClosureSummary | None:
        return latest_closure(self.closures)

    def drift(self, on: dt.date) -> tuple[DriftFlag, ...]:
        """Drift flags for an open case; a closed family's plan no longer drifts."""
        if self.family.is_read_only:
            return ()
        return drift_flags(self.versions, on, other_reviews=[m.held_on for m in self.meetings])


def _family(store: Store, family_id: str) -> Family:
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That family is no longer in this store.")
    return family


def load_plans(store: Store, family_id: str) -> PlanRecord:
    family = _family(store, family_id)
    people = store.list(Person, family_id=family_id)
    people.sort(key=lambda p: (p.role != "parent_carer", p.date_of_birth or dt.date.max))
    return PlanRecord(
        family=family,
        people=people,
        versions=live_versions(store.list(FamilyPlan, family_id=family_id)),
        members=sorted(
            store.list(TafMember, family_id=family_id), key=lambda m: (m.agency, m.name)
        ),
        meetings=sorted(store.list(TafMeeting, family_id=family_id), key=lambda m: m.number),
        closures=sorted(store.list(ClosureSummary, family_id=family_id), key=lambda s: s.closed_on),
        readings=store.list(StarReading, family_id=family_id),
        practitioner=store.info.owner_name,
    )


def _check_version(store: Store, plan: FamilyPlan) -> None:
    """A plan may be the first version, an update of the current one, or the next version.
    An older version is what was agreed at the time and stays as it is."""
    versions = live_versions(store.list(FamilyPlan, family_id=plan.family_id))
    current = versions[-1] if versions else None
    if current is None:
        if plan.version != 1:
            raise ValidationError("The first plan is version 1.")
    elif plan.id == current.id:
        if plan.version != current.version:
            raise ValidationError("A plan version keeps its number.")
    elif any(v.id == plan.id for v in versions):
        raise ValidationError(
            f"Version {plan.version} is an earlier version of the plan, kept as it was agreed; "
            f"change the current version ({current.version}) instead."
        )
    elif plan.version != current.version + 1:
        raise ValidationError(
            f"The next version of the plan is {current.version + 1}, not {plan.version}."
        )


def save_plan_version(store: Store, plan: FamilyPlan) -> FamilyPlan:
    """Save the current version (edited in place) or a new one, in one transaction."""
    with store.transaction():
        ensure_editable(_family(store, plan.family_id))
        _check_version(store, plan)
        (saved,) = store.save(plan)
    return saved


def save_team(store: Store, *records: TafMember | TafMeeting) -> list[Record]:
    """Save TAF members and meetings (all of one family), in one transaction."""
    return _save_for_family(store, records)


def delete_team(store: Store, *records: TafMember | TafMeeting) -> None:
    """Remove TAF members or meetings (as tombstones, so the removal syncs)."""
    with store.transaction():
        for family_id in {r.family_id for r in records}:
            ensure_editable(_family(store, family_id))
        store.delete(*records)


def save_meeting(
    store: Store, meeting: TafMeeting, plan: FamilyPlan | None = None
) -> tuple[TafMeeting, FamilyPlan | None]:
    """Save a TAF meeting and the plan version it made (see `fmdesk.taf.meeting_plan`) together."""
    if plan is not None and plan.meeting_id != meeting.id:
        raise ValidationError("The plan version does not come from this meeting.")
    with store.transaction():
        ensure_editable(_family(store, meeting.family_id))
        if plan is None:
            (saved_meeting,) = store.save(meeting)
            return saved_meeting, None
        _check_version(store, plan)
        both = store.save(meeting, plan)
    return cast(TafMeeting, both[0]), cast(FamilyPlan, both[1])


def _save_for_family(store: Store, records: Iterable[Record]) -> list[Record]:
    records = list(records)
    with store.transaction():
        for family_id in {r.family_id for r in records}:
            ensure_editable(_family(store, family_id))
        return store.save(*records)


def close_case(
    store: Store,
    family_id: str,
    *,
    on: dt.date,
    reason: ClosureReason,
    by: str = "",
    summary: str = "",
    outcomes: Sequence[OutcomeAtClosure] = (),
    continuing_support: Sequence[ContinuingSupport] = (),
    moving_on: str = "",
    moving_on_from: str = "",
) -> tuple[Family, ClosureSummary]:
    """Close the case with its closing summary (`fmdesk.closure.close_family`) on the family as
    the store holds it: the closed family, the status change and the summary are saved in one
    transaction. Refused if the case is already closed."""
    with store.transaction():
        held = _family(store, family_id)
        if held.withdrawn_on is not None:
            raise UserError(f"{held.read_only_reason}: the case cannot be closed here.")
        if held.is_read_only:
            raise UserError(f"The case for {held.name} ({held.reference}) is already closed.")
        closed, change, record = close_family(
            held,
            on=on,
            reason=reason,
            by=by,
            summary=summary,
            outcomes=outcomes,
            continuing_support=continuing_support,
            moving_on=moving_on,
            moving_on_from=moving_on_from,
        )
        saved, _, saved_summary = store.save(closed, change, record)
    return saved, saved_summary  # type: ignore[return-value]


def reopen_case(store: Store, family_id: str, *, on: dt.date, reason: str, by: str = "") -> Family:
    """Reopen a closed case with a reason; the earlier closing summary stays as history."""
    with store.transaction():
        family, change = reopen_family(_family(store, family_id), on=on, reason=reason, by=by)
        saved, _ = store.save(family, change)
    return saved  # type: ignore[return-value]
