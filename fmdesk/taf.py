"""The Team Around the Family: the workers from each agency involved, and their meetings.

A TAF meeting reviews the plan with the family: who came, what was decided, whether things are
better, the same or worse, and when the team meets next. A meeting that changes the plan makes a
new plan version (`meeting_plan`), linked both ways so the plan says where it was agreed and the
meeting record says which version it produced.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import ClassVar

from fmdesk.plans import FamilyPlan, PlanGoal, new_version
from fmdesk.records import Record, record_kind


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class TafMember(Record):
    """A worker in the team around the family: their agency, role, name and how to reach them."""

    KIND: ClassVar[str] = "taf_member"

    agency: str
    role: str = ""
    name: str
    contact: str = ""
    joined_on: dt.date | None = None
    left_on: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a team member belongs to a family's team")
        if not self.name.strip():
            raise ValueError("give the team member's name")
        if not self.agency.strip():
            raise ValueError("say which agency the team member is from")
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValueError("a team member cannot leave before they joined")

    def is_current(self, on: dt.date) -> bool:
        if self.deleted or (self.joined_on is not None and self.joined_on > on):
            return False
        return self.left_on is None or self.left_on > on

    @property
    def described(self) -> str:
        """Name, role and agency in one line: "Siobhán Kelly, school nurse, NHS Trust"."""
        return ", ".join(part for part in (self.name, self.role, self.agency) if part)


def current_members(members: Iterable[TafMember], on: dt.date) -> list[TafMember]:
    return sorted((m for m in members if m.is_current(on)), key=lambda m: (m.agency, m.name))


class ReviewRating(enum.StrEnum):
    BETTER = "better"
    NO_CHANGE = "no_change"
    WORSE = "worse"

    @property
    def label(self) -> str:
        return {"better": "Better", "no_change": "No change", "worse": "Worse"}[self.value]


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class TafMeeting(Record):
    """The record of one TAF meeting.

    Attendance is kept by id (`member_ids` for workers, `person_ids` for family members) so names
    stay right when corrected; `others` holds anyone else in words ("interpreter, Polish").
    """

    KIND: ClassVar[str] = "taf_meeting"

    number: int
    held_on: dt.date
    place: str = ""
    member_ids: tuple[str, ...] = ()
    person_ids: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    apologies: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    rating: ReviewRating | None = None
    family_views: str = ""
    next_meeting: dt.date | None = None
    # The plan version this meeting made, if it made one.
    plan_id: str = ""
    recorded_by: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a meeting belongs to a family")
        if self.number < 1:
            raise ValueError("meetings are numbered from 1")
        if self.next_meeting is not None and self.next_meeting <= self.held_on:
            raise ValueError("the next meeting must be after this one")


def next_meeting_number(meetings: Iterable[TafMeeting]) -> int:
    return max((m.number for m in meetings if not m.deleted), default=0) + 1


def meeting_plan(
    meeting: TafMeeting,
    previous: FamilyPlan,
    *,
    goals: Sequence[PlanGoal] | None = None,
    next_review: dt.date | None = None,
) -> tuple[TafMeeting, FamilyPlan]:
    """The new plan version agreed at `meeting`, and the meeting linked to it.

    The next review defaults to the next meeting's date: a TAF meeting is the plan's review.
    """
    if meeting.family_id != previous.family_id:
        raise ValueError("the meeting and the plan belong to different families")
    plan = new_version(
        previous,
        made_on=meeting.held_on,
        made_at=f"TAF meeting {meeting.number}",
        goals=goals,
        next_review=next_review if next_review is not None else meeting.next_meeting,
        meeting_id=meeting.id,
        made_by=meeting.recorded_by,
    )
    return meeting.replace(plan_id=plan.id), plan
