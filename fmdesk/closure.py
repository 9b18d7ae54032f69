"""Closing a case: the closing summary, and keeping a closed family read-only.

Closing records why (a `ClosureReason`), what came of each problem worked on, what support carries
on after the keyworker steps back, and the family's own "moving on" words. `change_status` makes
the status move; `close_family` does it together with the summary, so a case is never closed
without one.

A closed family is read-only: `ensure_editable` is the check every change goes through (the store
and the screens call it before saving). Reopening needs a reason, and the earlier closing summary is
kept as history; a later closure writes a new one.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import ClassVar

from fmdesk.errors import UserError, ValidationError
from fmdesk.families import ClosureReason, Family, FamilyStatus, StatusChange, change_status
from fmdesk.plans import FamilyPlan
from fmdesk.records import Record, record_kind


class FamilyClosedError(UserError):
    """A change was attempted on a closed family."""


def ensure_editable(family: Family) -> None:
    """Raise FamilyClosedError if the family's case is closed."""
    if family.is_read_only:
        raise FamilyClosedError(
            f"The case for {family.name} ({family.reference}) is closed, so it cannot be changed. "
            "Reopen it, giving a reason, if work with the family is starting again."
        )


class OutcomeResult(enum.StrEnum):
    ACHIEVED = "achieved"
    SOME_PROGRESS = "some_progress"
    NOT_ACHIEVED = "not_achieved"

    @property
    def label(self) -> str:
        return {
            "achieved": "Achieved",
            "some_progress": "Some progress",
            "not_achieved": "Not achieved",
        }[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutcomeAtClosure:
    """Where one problem stands at closure. `problem` and `measure` are framework codes."""

    problem: str
    result: OutcomeResult
    measure: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.problem.strip():
            raise ValueError("say which problem the outcome is for")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContinuingSupport:
    """Support that carries on after closure: who provides it, what it is, how to reach them."""

    service: str
    what: str = ""
    contact: str = ""

    def __post_init__(self) -> None:
        if not self.service.strip():
            raise ValueError("name the service that carries on")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class ClosureSummary(Record):
    KIND: ClassVar[str] = "closure_summary"

    closed_on: dt.date
    reason: ClosureReason
    # The keyworker's summary of what changed for the family.
    summary: str = ""
    outcomes: tuple[OutcomeAtClosure, ...] = ()
    continuing_support: tuple[ContinuingSupport, ...] = ()
    # The family's own words on moving on, kept as they said them, and who said them.
    moving_on: str = ""
    moving_on_from: str = ""
    closed_by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a closing summary belongs to a family")
        problems = [o.problem for o in self.outcomes]
        if len(problems) != len(set(problems)):
            raise ValueError("each problem has one outcome at closure")


def close_family(
    family: Family,
    *,
    on: dt.date,
    reason: ClosureReason,
    by: str = "",
    summary: str = "",
    outcomes: Sequence[OutcomeAtClosure] = (),
    continuing_support: Sequence[ContinuingSupport] = (),
    moving_on: str = "",
    moving_on_from: str = "",
) -> tuple[Family, StatusChange, ClosureSummary]:
    """Close the case; returns the closed family, the status change and the closing summary,
    to be saved together in one transaction."""
    if family.status is FamilyStatus.CLOSED:
        raise ValidationError("This case is already closed.")
    closed, change = change_status(family, FamilyStatus.CLOSED, on=on, by=by, closure_reason=reason)
    record = ClosureSummary(
        family_id=family.id,
        closed_on=on,
        reason=reason,
        summary=summary.strip(),
        outcomes=tuple(outcomes),
        continuing_support=tuple(continuing_support),
        moving_on=moving_on.strip(),
        moving_on_from=moving_on_from.strip(),
        closed_by=by,
    )
    return closed, change, record


def reopen_family(
    family: Family, *, on: dt.date, reason: str, by: str = ""
) -> tuple[Family, StatusChange]:
    """Reopen a closed case (it becomes active again); `reason` is required."""
    if family.status is not FamilyStatus.CLOSED:
        raise ValidationError("Only a closed case can be reopened.")
    return change_status(family, FamilyStatus.ACTIVE, on=on, by=by, reason=reason)


def latest_closure(summaries: Iterable[ClosureSummary]) -> ClosureSummary | None:
    live = [s for s in summaries if not s.deleted]
    return max(live, key=lambda s: s.closed_on) if live else None


def closure_warnings(
    plan: FamilyPlan | None,
    outcomes: Sequence[OutcomeAtClosure],
    moving_on: str,
) -> list[str]:
    """Things worth a second look before closing; none of them stops the closure."""
    warnings = []
    if plan is not None:
        still_open = [a for a in plan.actions if a.status.is_open]
        if still_open:
            count = len(still_open)
            warnings.append(
                "1 action in the plan is not done or dropped yet."
                if count == 1
                else f"{count} actions in the plan are not done or dropped yet."
            )
        recorded = {o.problem for o in outcomes}
        missing = [p for p in plan.problems if p not in recorded]
        if missing:
            warnings.append(
                "No outcome recorded for problem " + ", ".join(missing) + " from the plan."
            )
    if not moving_on.strip():
        warnings.append("The family's own words on moving on have not been written down.")
    return warnings
