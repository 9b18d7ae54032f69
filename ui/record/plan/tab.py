"""The Plan tab of the family record: the family action plan, its versions, the Team Around the
Family, and closing the case.

One panel per part, each a view in its own module, laid out here top to bottom:
- header.py: the plan's summary line, the notices, and the buttons that act on the whole plan
  (start it, a new version, a TAF meeting, print or save it, close or reopen the case).
- Four sections under it:
  - goals.py: the current version's goals (in the family's words, with the framework problems
    and outcome measures they serve) and, for the chosen goal, its actions (what, who, by when,
    where it's at, progress notes). Editors save themselves, as everywhere in the app.
  - versions.py: every version, and what changed from the one before, in words.
  - team.py: the workers involved and the meetings; a meeting can make a new version.
  - closing.py: the closing summary; closing makes the family read-only until it is reopened.

The plan, each meeting's record and the closing summary print through a preview and save as
PDFs, with a password offered when saving (printing.py).

The tab holds the state (the PlanRecord last read and the framework's names) and is the only one
that reads and writes: the panels are given what to show and say through signals what the user
asked for. The tab never touches the store: reads and writes are Tasks on the runner's worker
thread (FeatureTab.read and .write). Edits update the plan shown at once and are saved in the
order made; a read older than a queued save is read again (the one stale-read rule,
ui/kit/pages.py), so it can never show an older plan over newer typing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from db.families import FamilyRecord
from db.library import definitions
from db.plans import (
    PlanRecord,
    close_case,
    delete_team,
    load_plans,
    reopen_case,
    save_meeting,
    save_plan_version,
    save_team,
)
from fmdesk.closure import ClosureSummary
from fmdesk.definition import Definition
from fmdesk.errors import UserError
from fmdesk.families import ClosureReason, Family, Person
from fmdesk.plans import REVIEW_INTERVAL, FamilyPlan, first_plan, new_version
from fmdesk.taf import TafMeeting, TafMember, meeting_plan, next_meeting_number
from ui.actions.documents import build_closure_pdf, build_plan_pdf, build_taf_pdf, framework_names
from ui.kit.dialogs import DraftKeeper, reopens
from ui.kit.errors import show_error
from ui.kit.pages import FeatureTab, kinds
from ui.kit.tasks import TaskContext, TaskRunner
from ui.record.plan.closing import ClosingPanel
from ui.record.plan.dialogs import CloseCaseDialog, MeetingDialog, NewVersionDialog, ReopenDialog
from ui.record.plan.goals import GoalsPanel
from ui.record.plan.header import HeaderPanel
from ui.record.plan.printing import PlanPrinter
from ui.record.plan.team import TeamPanel
from ui.record.plan.versions import VersionsPanel

# What a read gives: the plans, and the family framework's (problem code -> name, outcome
# code -> words).
Loaded = tuple[PlanRecord, tuple[dict[str, str], dict[str, str]]]


class PlanTab(FeatureTab):
    """The panels, the PlanRecord they show, and the reads and writes they ask for.

    `header`, `goals`, `versions`, `team` and `closing` are the panels (tests reach their
    widgets through them); `plans` is what was last read, with the plan edits made since."""

    title = "&Plan"
    # The plan's versions, the team, meetings and closing summary; the family (closed or
    # reassigned makes it read-only), its people (who owns an action) and the frameworks (the
    # problems' names).
    shows = kinds(FamilyPlan, TafMember, TafMeeting, ClosureSummary, Family, Person, Definition)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.today = dt.date.today()
        self.printer = PlanPrinter(runner, self, showing=lambda: self.record is not None)
        self.plans: PlanRecord | None = None
        self.problem_names: dict[str, str] = {}
        # A close asked for from elsewhere (the family page's Change status), waiting for the
        # plan to be read: the closing reason and date to start the closing summary with.
        self._close_wanted: tuple[ClosureReason | None, dt.date | None] | None = None
        # A plan edit is shown a moment later: the goals panel's tables are not reset from
        # inside their own selection change or an editor's signal.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh)

        # Made in this order so that Tab moves as it always has: header, sections, panels.
        self.header = HeaderPanel(self.today, self)
        self.sections = QTabWidget(self)
        self.sections.setAccessibleName("Plan sections")
        self.goals = GoalsPanel(self.today, self)
        self.sections.addTab(self.goals, "Goals and actions")
        self.versions = VersionsPanel(self)
        self.sections.addTab(self.versions, "Versions and changes")
        self.team = TeamPanel(self.today, self)
        self.sections.addTab(self.team, "Team around the family")
        self.closing = ClosingPanel(self)
        self.sections.addTab(self.closing, "Closing")

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.sections, 1)

        self.header.start_requested.connect(self.start_plan)
        self.header.new_version_requested.connect(self.make_new_version)
        self.header.meeting_requested.connect(self.record_meeting)
        self.header.pdf_requested.connect(self.save_plan_pdf)
        self.header.print_requested.connect(self.print_plan)
        self.header.close_requested.connect(self.close_case)
        self.header.reopen_requested.connect(self.reopen_case)
        self.goals.plan_edited.connect(self._save_plan)
        self.team.team_saved.connect(self._save_team)
        self.team.team_removed.connect(self._remove_member)
        self.team.meeting_print_asked.connect(self.print_meeting)
        self.team.meeting_pdf_asked.connect(self.save_meeting_pdf)
        self.closing.print_asked.connect(self.print_closure)
        self.closing.pdf_asked.connect(self.save_closure_pdf)
        self.team.keep_drafts = self._drafts
        self._refresh()

    def _drafts(self, kind: str) -> DraftKeeper | None:
        """Where the `kind` dialog keeps its draft for the family shown (ui/kit/dialogs.py)."""
        if self.plans is None:
            return None
        return DraftKeeper(self.runner, self.plans.family.id, kind)

    # ---- the family -----------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Nothing to change: no plan read yet, or the case is closed or reassigned."""
        return self.plans is None or self.plans.family.is_read_only

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is not None and self.record.family.id != record.family.id:
            self.flush()
            self._forget()
        super().open_family(record)

    def flush(self) -> None:
        self.goals.flush()
        self.team.flush()

    def clear(self) -> None:
        self.flush()
        super().clear()
        self._forget()

    def _forget(self) -> None:
        """Forget the family shown: its plans, what is chosen in each panel, a close asked for."""
        self.plans = None
        self.problem_names = {}
        self._close_wanted = None
        for panel in (self.goals, self.versions, self.team):
            panel.clear()
        self._refresh()

    def reload(self) -> None:
        """Read the family's plans, and its framework's names from the store's definitions (a
        council's own framework names its problems in its own words)."""
        if self.record is None:
            return
        family_id = self.record.family.id

        def op(ctx: TaskContext) -> Loaded:
            plans = load_plans(ctx.store, family_id)
            return plans, framework_names(plans.family, definitions(ctx.store).frameworks)

        self.read(op, self._loaded)

    def _loaded(self, result: Loaded) -> None:
        plans, (problems, measures) = result
        self.plans = plans
        self.problem_names = problems
        household = [p for p in plans.people if p.in_household]
        self.goals.set_choices(problems, measures, household, author=plans.practitioner)
        self._refresh()
        if self._close_wanted is not None:
            reason, on = self._close_wanted
            self._close_wanted = None
            if not self.read_only:
                self.close_case(reason=reason, on=on)
            else:
                show_error(self, UserError(f"The case for {plans.family.name} is already closed."))

    def _refresh(self) -> None:
        """Show self.plans in every panel (an editor with unsaved typing keeps it)."""
        self._refresh_timer.stop()
        plans, read_only = self.plans, self.read_only
        self.goals.show_plans(plans, read_only=read_only)
        self.versions.show_plans(plans)
        self.team.show_plans(plans, read_only=read_only)
        self.header.show_plans(plans)
        self.closing.show_plans(plans, problem_names=self.problem_names)

    # ---- writing what the panels ask for ----------------------------------------------------

    def _save_plan(self, plan: FamilyPlan) -> None:
        """Show the plan at once and queue its save."""
        assert self.plans is not None
        versions = [v for v in self.plans.versions if v.id != plan.id]
        versions = sorted([*versions, plan], key=lambda v: v.version)
        self.plans = dataclasses.replace(self.plans, versions=versions)
        self._refresh_timer.start()
        self.write(lambda ctx: save_plan_version(ctx.store, plan))

    def _write_then_reload(self, op: Callable[[TaskContext], Any], **kwargs: Any) -> None:
        """Run one write, then read the plans again (a meeting numbers itself and may make a
        version; closing and reopening change the family)."""
        self.write(op, lambda _: self.reload(), **kwargs)

    def _save_team(self, records: Sequence[TafMember | TafMeeting]) -> None:
        self._write_then_reload(lambda ctx: save_team(ctx.store, *records))

    def _remove_member(self, member: TafMember) -> None:
        self._write_then_reload(lambda ctx: delete_team(ctx.store, member))

    def start_plan(self) -> None:
        if self.read_only or self.plans is None or self.plans.current is not None:
            return
        plan = first_plan(
            self.plans.family.id,
            made_on=self.today,
            next_review=self.today + REVIEW_INTERVAL,
            made_by=self.plans.practitioner,
        )
        self._save_plan(plan)
        self._refresh()  # the goals panel now has the version to add the first goal to
        self.goals.add_goal()

    @reopens
    def make_new_version(self) -> None:
        current = self.plans.current if self.plans else None
        if self.read_only or current is None or self.plans is None:
            return
        self.flush()
        dialog = NewVersionDialog(current, self.today, self, drafts=self._drafts("plan_version"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        made_on, made_at, next_review = dialog.values()
        try:
            plan = new_version(
                current,
                made_on=made_on,
                made_at=made_at,
                next_review=next_review,
                made_by=self.plans.practitioner,
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self.versions.choose(plan.id)
        self._save_plan(plan)

    @reopens
    def record_meeting(self) -> None:
        if self.read_only or self.plans is None:
            return
        self.flush()
        plans = self.plans
        current = plans.current
        dialog = MeetingDialog(
            next_meeting_number(plans.meetings),
            plans.people,
            [m for m in plans.members if m.is_current(self.today)],
            current is not None,
            self.today,
            self,
            drafts=self._drafts("taf_meeting"),
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            meeting = TafMeeting(
                family_id=plans.family.id,
                number=next_meeting_number(plans.meetings),
                recorded_by=plans.practitioner,
                **dialog.fields(),
            )
            plan = None
            if dialog.makes_version.isChecked() and current is not None:
                meeting, plan = meeting_plan(meeting, current)
                self.versions.choose(plan.id)
        except (ValueError, UserError) as exc:
            show_error(self, UserError(f"The meeting was not saved: {exc}."))
            return
        self.team.choose_meeting(meeting.id)
        self._write_then_reload(lambda ctx: save_meeting(ctx.store, meeting, plan))

    # ---- closing and reopening -----------------------------------------------------------

    def request_close(
        self, *, reason: ClosureReason | None = None, on: dt.date | None = None
    ) -> None:
        """Close the case through the closing summary, as "Close the case…" does, starting with
        `reason` and `on` when given. For the family page's Change status: the plan is read
        afresh first (after any queued saves), then the closing summary opens."""
        if self.record is None:
            return
        self.flush()
        self._close_wanted = (reason, on)
        self.reload()

    @reopens
    def close_case(self, *, reason: ClosureReason | None = None, on: dt.date | None = None) -> None:
        if self.read_only or self.plans is None:
            return
        self.flush()
        plans = self.plans
        dialog = CloseCaseDialog(
            plans.current,
            self.problem_names,
            plans.people,
            self.today,
            self,
            drafts=self._drafts("closing_summary"),
        )
        dialog.preset(reason=reason, closed_on=on)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        family_id, by = plans.family.id, plans.practitioner
        self._write_then_reload(
            lambda ctx: close_case(ctx.store, family_id, by=by, **values),
            label="Closing the case…",
        )

    @reopens
    def reopen_case(self) -> None:
        if self.plans is None or not self.plans.family.is_read_only:
            return
        dialog = ReopenDialog(self.today, self, drafts=self._drafts("reopen"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        on, reason = dialog.values()
        family_id, by = self.plans.family.id, self.plans.practitioner
        self._write_then_reload(
            lambda ctx: reopen_case(ctx.store, family_id, on=on, reason=reason, by=by)
        )

    # ---- printing and PDFs ----------------------------------------------------------------

    def print_plan(self) -> None:
        """The current plan in the print preview, from which it prints."""
        family = self._plan_family()
        if family is not None:
            self.printer.print_pdf(
                lambda ctx, marking: build_plan_pdf(ctx.store, family.id, marking=marking),
                title=f"Family plan – {family.name} ({family.reference})",
                what="plan",
            )

    def save_plan_pdf(self) -> None:
        """Save the current plan as a PDF, with a password if one is given."""
        family = self._plan_family()
        current = self.plans.current if self.plans else None
        if family is not None and current is not None:
            self.printer.save_pdf(
                lambda ctx, marking, password: build_plan_pdf(
                    ctx.store, family.id, marking=marking, password=password
                ),
                name=f"Family plan {family.reference} v{current.version}.pdf",
                caption="Save the plan as PDF",
                what="plan",
            )

    def _plan_family(self) -> Family | None:
        """The family whose plan prints, after saving what is typed; None (having said why) when
        there is no plan yet."""
        if self.plans is None:
            return None
        if self.plans.current is None:
            show_error(self, UserError("There is no plan to print yet: start the plan first."))
            return None
        self.flush()  # queued before the PDF is built, so the print has the latest typing
        return self.plans.family

    def print_meeting(self, meeting: TafMeeting) -> None:
        """The record of `meeting` (the one chosen in the team panel) in the print preview."""
        if self.plans is None:
            return
        self.flush()
        family = self.plans.family
        self.printer.print_pdf(
            lambda ctx, marking: build_taf_pdf(ctx.store, family.id, meeting.id, marking=marking),
            title=f"TAF meeting {meeting.number} – {family.name} ({family.reference})",
            what="meeting record",
        )

    def save_meeting_pdf(self, meeting: TafMeeting) -> None:
        if self.plans is None:
            return
        self.flush()
        family = self.plans.family
        self.printer.save_pdf(
            lambda ctx, marking, password: build_taf_pdf(
                ctx.store, family.id, meeting.id, marking=marking, password=password
            ),
            name=f"TAF meeting {meeting.number} {family.reference}.pdf",
            caption="Save the meeting record as PDF",
            what="meeting record",
        )

    def print_closure(self) -> None:
        if self.plans is None or self.plans.latest_closure is None:
            return
        family = self.plans.family
        self.printer.print_pdf(
            lambda ctx, marking: build_closure_pdf(ctx.store, family.id, marking=marking),
            title=f"Closing summary – {family.name} ({family.reference})",
            what="closing summary",
        )

    def save_closure_pdf(self) -> None:
        if self.plans is None or self.plans.latest_closure is None:
            return
        family = self.plans.family
        self.printer.save_pdf(
            lambda ctx, marking, password: build_closure_pdf(
                ctx.store, family.id, marking=marking, password=password
            ),
            name=f"Closing summary {family.reference}.pdf",
            caption="Save the closing summary as PDF",
            what="closing summary",
        )
