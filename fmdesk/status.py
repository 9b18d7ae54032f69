"""The case moves on: which status a family's next event suggests, offered, never made.

A family's status is only ever changed by the practitioner (`fmdesk.families.change_status`);
this module says when to offer the next one. Consent to assess given → engaged; a plan agreed
(a plan version with an action in it) or a TAF meeting held → active. An offer goes only forward:
a family already at or past the status, closed, or reassigned is offered nothing, and a family
that has not reached the step before is taken through it (identified → allocated → engaged), each
step a StatusChange of its own, so the timeline and the programme's figures see every move.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable

from fmdesk.families import (
    TRANSITIONS,
    Consent,
    ConsentKind,
    Family,
    FamilyStatus,
    StatusChange,
    change_status,
    has_consent,
)
from fmdesk.plans import FamilyPlan, current_plan


class CaseEvent(enum.StrEnum):
    CONSENT_GIVEN = "consent_given"
    PLAN_AGREED = "plan_agreed"
    TAF_MEETING_HELD = "taf_meeting_held"

    @property
    def label(self) -> str:
        return {
            "consent_given": "Consent to assess is recorded",
            "plan_agreed": "A plan is agreed",
            "taf_meeting_held": "A TAF meeting is recorded",
        }[self.value]


# The status each event suggests (the rule; councils' workflows agree on these two steps).
NEXT_STATUS: dict[CaseEvent, FamilyStatus] = {
    CaseEvent.CONSENT_GIVEN: FamilyStatus.ENGAGED,
    CaseEvent.PLAN_AGREED: FamilyStatus.ACTIVE,
    CaseEvent.TAF_MEETING_HELD: FamilyStatus.ACTIVE,
}

# How far along the way a status is; an offer only ever moves a family forward.
_PROGRESS = {
    FamilyStatus.IDENTIFIED: 0,
    FamilyStatus.REFUSED: 1,
    FamilyStatus.ALLOCATED: 1,
    FamilyStatus.ENGAGED: 2,
    FamilyStatus.ACTIVE: 3,
}


@dataclasses.dataclass(frozen=True)
class StatusOffer:
    """Move the family along `path` (the statuses after its own, ending with `to`)."""

    event: CaseEvent
    from_status: FamilyStatus
    path: tuple[FamilyStatus, ...]

    @property
    def to(self) -> FamilyStatus:
        return self.path[-1]

    @property
    def question(self) -> str:
        return (
            f"{self.event.label}. Move the family from {self.from_status.label} to {self.to.label}?"
        )


def suggest_status(family: Family, event: CaseEvent) -> StatusOffer | None:
    """The offer `event` makes for `family`, or None when it moves it nowhere new."""
    if family.withdrawn_on is not None or family.status not in _PROGRESS:
        return None  # reassigned, or closed: nothing to offer
    target = NEXT_STATUS[event]
    if _PROGRESS[family.status] >= _PROGRESS[target]:
        return None
    path = _path(family.status, target)
    return StatusOffer(event, family.status, path) if path else None


def _path(start: FamilyStatus, target: FamilyStatus) -> tuple[FamilyStatus, ...]:
    """The shortest way forward from `start` to `target` by allowed moves (never through
    closed or refused), without `start`; () when there is none."""
    routes: list[tuple[FamilyStatus, ...]] = [(start,)]
    seen = {start}
    while routes:
        route = routes.pop(0)
        for step in sorted(TRANSITIONS[route[-1]]):
            if step in seen or step in (FamilyStatus.CLOSED, FamilyStatus.REFUSED):
                continue
            if step is target:
                return (*route[1:], step)
            seen.add(step)
            routes.append((*route, step))
    return ()


def plan_agreed(plans: Iterable[FamilyPlan]) -> bool:
    """A plan counts as agreed once its current version has an action in it (starting a plan
    makes an empty version to fill in with the family)."""
    plan = current_plan(plans)
    return plan is not None and bool(plan.actions)


def events_shown(
    consents: Iterable[Consent], plans: Iterable[FamilyPlan], meetings: int, on: dt.date
) -> list[CaseEvent]:
    """The events a family's records show by `on`, in the order they happen."""
    events = []
    if has_consent(consents, ConsentKind.ASSESS, on):
        events.append(CaseEvent.CONSENT_GIVEN)
    if plan_agreed(plans):
        events.append(CaseEvent.PLAN_AGREED)
    if meetings:
        events.append(CaseEvent.TAF_MEETING_HELD)
    return events


def best_offer(family: Family, events: Iterable[CaseEvent]) -> StatusOffer | None:
    """Of the offers `events` make, the one that moves the family furthest."""
    offers = [o for o in (suggest_status(family, e) for e in events) if o is not None]
    return max(offers, key=lambda o: _PROGRESS[o.to], default=None)


def accept_offer(
    family: Family, offer: StatusOffer, *, on: dt.date, by: str = ""
) -> tuple[Family, list[StatusChange]]:
    """The family moved along the offer's path, and a StatusChange for each step."""
    moves = []
    for step in offer.path:
        family, move = change_status(family, step, on=on, by=by, reason=offer.event.label)
        moves.append(move)
    return family, moves
