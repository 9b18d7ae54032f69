"""The family action plan: goals in the family's own words, actions under each, and versions.

"One family, one plan": a family has one plan, kept as a series of versions. The first plan is
version 1; every review or Team Around the Family meeting makes a new version (a new record), so
what was agreed at each point stays on file and `plan_differences` can say what changed. Between
reviews the current version's action statuses and progress notes are updated in place.

Goals and actions carry their own stable ids, copied into each new version, so an action can be
followed from one version to the next even when its wording, owner or date changes.

An action agreed by mistake is not taken out of the plan but marked recorded in error
(`mark_action_in_error`, as fmdesk/records.py marks a record): it stays in its goal, marked, and
`FamilyPlan.actions` (what every rule, figure and check counts) leaves it out, as the printed
plan does.

Good practice (domain.md §4.2) asks for no more than 8 actions, plain language and a named person
for each action, and for drift to be flagged. Too many actions is a warning, never a block; drift is
two pure functions of the plan versions and a date.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self

from fmdesk.errors import ValidationError
from fmdesk.records import ErrorMark, Record, new_id, record_kind

MAX_ACTIONS_PER_GOAL = 8
# Drift thresholds. Councils differ, so the functions take them as arguments; these are the
# defaults from the good-practice guidance.
REVIEW_INTERVAL = dt.timedelta(weeks=12)
OPEN_TOO_LONG_YEARS = 1

FIRST_PLAN = "First plan"
REVIEW = "Review"


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "done": "Done",
            "dropped": "Dropped",
        }[self.value]

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ActionOwner:
    """Who will do an action: someone in the family (`person_id`) or a named worker at an agency."""

    person_id: str = ""
    agency: str = ""
    worker: str = ""

    def __post_init__(self) -> None:
        if self.person_id and (self.agency or self.worker):
            raise ValueError("an action belongs to a family member or to an agency, not both")
        if not self.person_id and not (self.agency.strip() and self.worker.strip()):
            raise ValueError(
                "every action needs a named person: a family member, or an agency "
                "and the worker there"
            )

    @classmethod
    def family_member(cls, person_id: str) -> Self:
        return cls(person_id=person_id)

    @classmethod
    def agency_worker(cls, agency: str, worker: str) -> Self:
        return cls(agency=agency.strip(), worker=worker.strip())

    def text(self, names: Mapping[str, str]) -> str:
        """The owner in words; `names` maps a person id to the name to print."""
        if self.person_id:
            return names.get(self.person_id, "a family member")
        return f"{self.worker} ({self.agency})"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProgressNote:
    on: dt.date
    text: str
    by: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanAction:
    id: str = dataclasses.field(default_factory=new_id)
    what: str
    owner: ActionOwner
    by_when: dt.date
    status: ActionStatus = ActionStatus.NOT_STARTED
    dropped_reason: str = ""
    notes: tuple[ProgressNote, ...] = ()
    # Agreed by mistake (see the module's docstring); None for every other action.
    recorded_in_error: ErrorMark | None = None

    def __post_init__(self) -> None:
        if not self.what.strip():
            raise ValueError("say what the action is")
        if self.status is ActionStatus.DROPPED and not self.dropped_reason.strip():
            raise ValueError("say why the action was dropped")
        if self.status is not ActionStatus.DROPPED and self.dropped_reason:
            raise ValueError("only a dropped action has a reason for dropping it")

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    @property
    def in_error(self) -> bool:
        return self.recorded_in_error is not None

    def with_note(self, on: dt.date, text: str, by: str = "") -> Self:
        return self.replace(notes=(*self.notes, ProgressNote(on=on, text=text.strip(), by=by)))

    @property
    def latest_note(self) -> ProgressNote | None:
        return max(self.notes, key=lambda n: n.on) if self.notes else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanGoal:
    """A goal in the family's own words, and the framework problems and outcome measures it serves.

    `problems` and `outcome_measures` are codes of the family's outcomes framework (e.g. "2" and
    "2.1"); the plan keeps them as plain strings so it never depends on a framework being loaded.
    `for_people` holds the ids of the family members the goal is for; empty means the whole
    family (as every goal written before the field existed reads).
    """

    id: str = dataclasses.field(default_factory=new_id)
    words: str
    problems: tuple[str, ...] = ()
    outcome_measures: tuple[str, ...] = ()
    for_people: tuple[str, ...] = ()
    actions: tuple[PlanAction, ...] = ()

    def __post_init__(self) -> None:
        if not self.words.strip():
            raise ValueError("write the goal in the family's own words")
        ids = [a.id for a in self.actions]
        if len(ids) != len(set(ids)):
            raise ValueError("an action appears twice in the same goal")
        if len(self.for_people) != len(set(self.for_people)):
            raise ValueError("a goal names the same person twice in whom it is for")

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    @property
    def for_whole_family(self) -> bool:
        return not self.for_people

    def is_for(self, person_id: str) -> bool:
        """Whether the goal is for `person_id`: named in it, or for the whole family."""
        return not self.for_people or person_id in self.for_people

    def for_text(self, names: Mapping[str, str]) -> str:
        """Whom the goal is for, in words: "the whole family", or the names joined by commas."""
        if not self.for_people:
            return "the whole family"
        return ", ".join(names.get(p, "a family member") for p in self.for_people)


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class FamilyPlan(Record):
    """One version of the family's plan. A new version is a new record; older ones stay."""

    KIND: ClassVar[str] = "family_plan"

    version: int = 1
    made_on: dt.date
    # Where the version was agreed, in words: "First plan", "Review", "TAF meeting 3".
    made_at: str = FIRST_PLAN
    # The TAF meeting that produced this version, if one did.
    meeting_id: str = ""
    made_by: str = ""
    next_review: dt.date | None = None
    goals: tuple[PlanGoal, ...] = ()

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a plan belongs to a family")
        if self.version < 1:
            raise ValueError("plan versions count from 1")
        if self.next_review is not None and self.next_review < self.made_on:
            raise ValueError("the next review cannot be before the plan was made")
        goal_ids = [g.id for g in self.goals]
        if len(goal_ids) != len(set(goal_ids)):
            raise ValueError("a goal appears twice in the plan")
        action_ids = [a.id for g in self.goals for a in g.actions]
        if len(action_ids) != len(set(action_ids)):
            raise ValueError("an action appears under two goals")

    @property
    def actions(self) -> tuple[PlanAction, ...]:
        """The plan's actions that count: every goal's, but those recorded in error (which
        stay in `goal.actions`, marked)."""
        return tuple(a for g in self.goals for a in g.actions if a.recorded_in_error is None)

    @property
    def problems(self) -> tuple[str, ...]:
        """The framework problems the plan works on, in the order the goals first name them."""
        return tuple(dict.fromkeys(p for g in self.goals for p in g.problems))

    def goal(self, goal_id: str) -> PlanGoal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)


# ---- versions ------------------------------------------------------------------------------


def first_plan(
    family_id: str,
    *,
    made_on: dt.date,
    goals: Sequence[PlanGoal] = (),
    next_review: dt.date | None = None,
    made_by: str = "",
) -> FamilyPlan:
    return FamilyPlan(
        family_id=family_id,
        version=1,
        made_on=made_on,
        made_at=FIRST_PLAN,
        made_by=made_by,
        next_review=next_review,
        goals=tuple(goals),
    )


def new_version(
    previous: FamilyPlan,
    *,
    made_on: dt.date,
    made_at: str = REVIEW,
    goals: Sequence[PlanGoal] | None = None,
    next_review: dt.date | None = None,
    meeting_id: str = "",
    made_by: str = "",
) -> FamilyPlan:
    """The next version of `previous`, as a new record. Goals (with their ids) carry over unless
    new ones are given, so `plan_differences(previous, new)` can follow each action."""
    if made_on < previous.made_on:
        raise ValidationError("A new plan version cannot be dated before the one it follows.")
    return FamilyPlan(
        family_id=previous.family_id,
        version=previous.version + 1,
        made_on=made_on,
        made_at=made_at.strip() or REVIEW,
        meeting_id=meeting_id,
        made_by=made_by or previous.made_by,
        next_review=next_review,
        goals=previous.goals if goals is None else tuple(goals),
    )


def mark_action_in_error(
    plan: FamilyPlan, action_id: str, reason: str, *, by: str, at: dt.datetime
) -> FamilyPlan:
    """`plan` with action `action_id` marked as recorded in error because of `reason`, by
    `by`, at `at` (UTC); refused (ValidationError, in words) for an action not in the plan, one
    already marked, and a blank reason."""
    found = next((a for g in plan.goals for a in g.actions if a.id == action_id), None)
    if found is None:
        raise ValidationError("That action is not in the current version of the plan.")
    if found.recorded_in_error is not None:
        mark = found.recorded_in_error
        raise ValidationError(
            f"That plan action was already marked as recorded in error by {mark.by or 'someone'} "
            f"on {mark.at:%d %b %Y}: {mark.reason}"
        )
    if not reason.strip():
        raise ValidationError(
            "Say why the plan action was recorded in error: the reason stays in the plan and "
            "its history."
        )
    mark = ErrorMark(reason=reason.strip(), by=by, at=at.astimezone(dt.UTC).replace(microsecond=0))
    goals = tuple(
        g.replace(
            actions=tuple(
                a.replace(recorded_in_error=mark) if a.id == action_id else a for a in g.actions
            )
        )
        for g in plan.goals
    )
    return plan.replace(goals=goals)


def live_versions(plans: Iterable[FamilyPlan]) -> list[FamilyPlan]:
    """The versions not deleted, oldest first."""
    return sorted((p for p in plans if not p.deleted), key=lambda p: (p.version, p.made_on))


def current_plan(plans: Iterable[FamilyPlan]) -> FamilyPlan | None:
    versions = live_versions(plans)
    return versions[-1] if versions else None


# ---- differences ---------------------------------------------------------------------------


def date_text(day: dt.date | None) -> str:
    """A date as people write it: 7 March 2025."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def plan_differences(
    old: FamilyPlan, new: FamilyPlan, names: Mapping[str, str] | None = None
) -> list[str]:
    """What changed from `old` to `new`, one sentence each, in the order of the new plan.

    `names` maps a family member's person id to the name to print for them.
    """
    names = names or {}
    changes: list[str] = []
    old_goals = {g.id: g for g in old.goals}
    new_goals = {g.id: g for g in new.goals}
    old_actions = {a.id: (g, a) for g in old.goals for a in g.actions}
    new_actions = {a.id: (g, a) for g in new.goals for a in g.actions}

    for goal in new.goals:
        before = old_goals.get(goal.id)
        if before is None:
            changes.append(f"Goal added: “{goal.words}”.")
        elif before.words != goal.words:
            changes.append(f"Goal reworded: “{before.words}” is now “{goal.words}”.")
        if before is not None and before.for_people != goal.for_people:
            changes.append(f"“{goal.words}” is now for {goal.for_text(names)}.")
        for action in goal.actions:
            if action.id not in old_actions:
                changes.append(
                    f"Action added to “{goal.words}”: {action.what} – "
                    f"{action.owner.text(names)}, by {date_text(action.by_when)}."
                )
                continue
            old_goal, old_action = old_actions[action.id]
            if action.in_error and not old_action.in_error:
                assert action.recorded_in_error is not None
                changes.append(
                    f"Action recorded in error: {action.what} ({action.recorded_in_error.reason})."
                )
                continue
            changes.extend(_action_changes(old_goal, old_action, goal, action, names))
    for goal in old.goals:
        for action in goal.actions:
            if action.id not in new_actions:
                changes.append(f"Action removed from “{goal.words}”: {action.what}.")
        if goal.id not in new_goals:
            changes.append(f"Goal removed: “{goal.words}”.")
    if old.next_review != new.next_review and new.next_review is not None:
        changes.append(f"Next review set for {date_text(new.next_review)}.")
    return changes


def _action_changes(
    old_goal: PlanGoal,
    old: PlanAction,
    new_goal: PlanGoal,
    new: PlanAction,
    names: Mapping[str, str],
) -> list[str]:
    name = f"“{new.what}”"
    changes = []
    if old.what != new.what:
        changes.append(f"Action reworded: “{old.what}” is now “{new.what}”.")
    if old_goal.id != new_goal.id:
        changes.append(f"Action {name} moved from “{old_goal.words}” to “{new_goal.words}”.")
    if old.status is not new.status:
        why = f" ({new.dropped_reason})" if new.status is ActionStatus.DROPPED else ""
        changes.append(
            f"Action {name}: {old.status.label.lower()} → {new.status.label.lower()}{why}."
        )
    if old.owner != new.owner:
        changes.append(f"Action {name}: now {new.owner.text(names)} (was {old.owner.text(names)}).")
    if old.by_when != new.by_when:
        changes.append(
            f"Action {name}: now due {date_text(new.by_when)} (was {date_text(old.by_when)})."
        )
    return changes


# ---- quality warnings and drift --------------------------------------------------------------


def plan_warnings(plan: FamilyPlan, max_actions: int = MAX_ACTIONS_PER_GOAL) -> list[str]:
    """Advice, never a block: goals with more actions than a family can keep in mind."""
    return [
        f"The goal “{g.words}” has {len(g.actions)} actions. Plans work best with "
        f"{max_actions} or fewer: could some be combined or left for later?"
        for g in plan.goals
        if len(g.actions) > max_actions
    ]


class DriftFlag(enum.StrEnum):
    NO_RECENT_REVIEW = "no_recent_review"
    OPEN_TOO_LONG = "open_too_long"

    @property
    def label(self) -> str:
        return {
            "no_recent_review": "No review for over 12 weeks",
            "open_too_long": "Plan open for over a year",
        }[self.value]


def last_reviewed(
    plans: Iterable[FamilyPlan], other_reviews: Iterable[dt.date] = ()
) -> dt.date | None:
    """The latest date the plan was made or reviewed. Every plan version is a review;
    `other_reviews` adds reviews that made no new version (e.g. a TAF meeting's date)."""
    dates = [p.made_on for p in live_versions(plans)] + list(other_reviews)
    return max(dates) if dates else None


def review_overdue(
    plans: Iterable[FamilyPlan],
    on: dt.date,
    *,
    other_reviews: Iterable[dt.date] = (),
    interval: dt.timedelta = REVIEW_INTERVAL,
) -> bool:
    """True when more than `interval` (12 weeks) has passed since the last review.
    Exactly 12 weeks after a review is still in time: that is the day it is due."""
    last = last_reviewed(plans, other_reviews)
    return last is not None and on - last > interval


def plan_started(plans: Iterable[FamilyPlan]) -> dt.date | None:
    versions = live_versions(plans)
    return min(p.made_on for p in versions) if versions else None


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def open_too_long(
    plans: Iterable[FamilyPlan], on: dt.date, *, years: int = OPEN_TOO_LONG_YEARS
) -> bool:
    """True when the first plan was made more than `years` (one year) before `on`.
    On the anniversary itself the plan has been open exactly a year, not over it.
    Call it for open families only: a closed family's plan no longer drifts."""
    started = plan_started(plans)
    return started is not None and on > add_years(started, years)


def drift_flags(
    plans: Iterable[FamilyPlan], on: dt.date, *, other_reviews: Iterable[dt.date] = ()
) -> tuple[DriftFlag, ...]:
    versions = live_versions(plans)
    flags = []
    if review_overdue(versions, on, other_reviews=other_reviews):
        flags.append(DriftFlag.NO_RECENT_REVIEW)
    if open_too_long(versions, on):
        flags.append(DriftFlag.OPEN_TOO_LONG)
    return tuple(flags)
