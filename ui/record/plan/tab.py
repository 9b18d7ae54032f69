"""The Plan tab of the family record: the family action plan, its versions, the Team Around the
Family, and closing the case.

- Goals and actions: the current version's goals (in the family's words, with the framework
  problems and outcome measures they serve) and, for the chosen goal, its actions (what, who, by
  when, where it's at, progress notes). Editors save themselves, as everywhere in the app.
- Versions and changes: every version, and what changed from the one before, in words.
- Team around the family: the workers involved and the meetings; a meeting can make a new version.
- Closing: the closing summary; closing makes the family read-only until it is reopened.

The plan, each meeting's record and the closing summary print through a preview
(ui/kit/print_preview.py) and save as PDFs, with a password offered when saving.

The tab never touches the store: reads and writes are Tasks on the runner's worker thread
(FeatureTab.read and .write). Edits update the plan shown at once and are saved in the order
made; a read older than a queued save is read again (the one stale-read rule, ui/kit/pages.py),
so it can never show an older plan over newer typing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.families import FamilyRecord
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
from fmdesk.families import ClosureReason, Family, Person, PersonRole
from fmdesk.plans import (
    REVIEW_INTERVAL,
    ActionOwner,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    date_text,
    first_plan,
    new_version,
    plan_differences,
    plan_warnings,
)
from fmdesk.records import Record
from fmdesk.taf import TafMeeting, TafMember, meeting_plan, next_meeting_number
from reports.base import DEFAULT_MARKING
from ui.actions import documents
from ui.actions.documents import build_closure_pdf, build_plan_pdf, build_taf_pdf, framework_names
from ui.kit.errors import show_error
from ui.kit.forms import Field, RecordForm
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.pages import FeatureTab, kinds
from ui.kit.print_preview import show_print_preview
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import (
    action_button,
    button_row,
    column,
    list_beside_editor,
    record_table,
    stretch_column,
)
from ui.record.plan.dialogs import (
    CloseCaseDialog,
    MeetingDialog,
    MemberDialog,
    NewVersionDialog,
    PdfOptionsDialog,
    ReopenDialog,
)
from ui.record.plan.editors import ActionEditor, AutosaveEditor, GoalEditor

NEW_ACTION_DUE = dt.timedelta(weeks=4)
# The keyworker's own service, as the default owner of an action when the household is empty.
OWN_SERVICE = "Early Help"

MEMBER_FIELDS = (
    Field("name", "Name"),
    Field("role", "Role"),
    Field("agency", "Agency"),
    Field("contact", "Contact"),
    Field("joined_on", "Joined on", "optional_date"),
    Field("left_on", "Left on", "optional_date"),
)
MEETING_FIELDS = (
    Field("held_on", "Date", "date"),
    Field("place", "Where"),
    Field("family_views", "What the family said", "multiline"),
    Field("next_meeting", "Next meeting", "optional_date"),
)
GOAL_COLUMNS: tuple[Column[PlanGoal], ...] = (
    Column("Goal, in the family's words", lambda g: g.words),
    Column("Problems", lambda g: ", ".join(g.problems)),
    Column("Actions", lambda g: len(g.actions), align_right=True),
)
VERSION_COLUMNS: tuple[Column[FamilyPlan], ...] = (
    Column("Version", lambda p: p.version, align_right=True),
    Column("Agreed on", lambda p: p.made_on),
    Column("Where", lambda p: p.made_at),
    Column("Next review", lambda p: p.next_review),
    Column("Goals", lambda p: len(p.goals), align_right=True),
    Column("Actions", lambda p: len(p.actions), align_right=True),
)
MEMBER_COLUMNS: tuple[Column[TafMember], ...] = (
    Column("Name", lambda m: m.name),
    Column("Role", lambda m: m.role),
    Column("Agency", lambda m: m.agency),
    Column("Contact", lambda m: m.contact),
    Column("Left on", lambda m: m.left_on),
)


def _index_of(rows: list[Any], ident: str | None) -> int | None:
    return next((i for i, r in enumerate(rows) if r.id == ident), None)


class PlanTab(FeatureTab):
    title = "&Plan"
    # The plan's versions, the team, meetings and closing summary; the family (closed or
    # reassigned makes it read-only), its people (who owns an action) and the frameworks (the
    # problems' names).
    shows = kinds(FamilyPlan, TafMember, TafMeeting, ClosureSummary, Family, Person, Definition)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.today = dt.date.today()
        # The protective marking on every printed page: chosen when printing or saving, kept
        # for the next print while the app is open.
        self.marking = DEFAULT_MARKING
        self.plans: PlanRecord | None = None
        self.problem_names: dict[str, str] = {}
        self._goal_id: str | None = None
        self._action_id: str | None = None
        self._version_id: str | None = None
        self._member_id: str | None = None
        self._meeting_id: str | None = None
        # A close asked for from elsewhere (the family page's Change status), waiting for the
        # plan to be read: the closing reason and date to start the closing summary with.
        self._close_wanted: tuple[ClosureReason | None, dt.date | None] | None = None
        self._refreshing = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh)

        self.summary = QLabel(self)
        self.summary.setAccessibleName("Plan summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.notices = QLabel(self)
        self.notices.setWordWrap(True)
        self.notices.setAccessibleName("Plan warnings")
        self.notices.setStyleSheet("background: #fff4ce; padding: 6px; border-radius: 3px;")

        self.start_button = action_button(self, "&Start the plan", tip="Make version 1 of the plan")
        self.new_version_button = action_button(
            self,
            "New &version (review)…",
            "Ctrl+R",
            "Review the plan: a new version, keeping the one agreed before",
        )
        self.meeting_button = action_button(
            self, "TAF &meeting…", "Ctrl+M", "Record a Team Around the Family meeting"
        )
        self.pdf_button = action_button(
            self, "Save plan as PDF…", "Ctrl+Shift+S", "The printed plan, to sign, as a PDF file"
        )
        self.print_button = action_button(
            self, "Print…", "Ctrl+P", "See the plan as it will print, then print it"
        )
        self.close_button = action_button(
            self,
            "C&lose the case…",
            tip="Close with a closing summary; the record becomes read-only",
        )
        self.reopen_button = action_button(self, "R&eopen the case…", tip="Reopen, giving a reason")
        buttons = QHBoxLayout()
        for b in (
            self.start_button,
            self.new_version_button,
            self.meeting_button,
            self.pdf_button,
            self.print_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reopen_button)

        self.sections = QTabWidget(self)
        self.sections.setAccessibleName("Plan sections")
        self.sections.addTab(self._goals_page(), "Goals and actions")
        self.sections.addTab(self._versions_page(), "Versions and changes")
        self.sections.addTab(self._team_page(), "Team around the family")
        self.sections.addTab(self._closing_page(), "Closing")

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.notices)
        layout.addLayout(buttons)
        layout.addWidget(self.sections, 1)

        self.start_button.clicked.connect(self.start_plan)
        self.new_version_button.clicked.connect(self.make_new_version)
        self.meeting_button.clicked.connect(self.record_meeting)
        self.pdf_button.clicked.connect(self.save_plan_pdf)
        self.print_button.clicked.connect(self.print_plan)
        self.close_button.clicked.connect(lambda: self.close_case())
        self.reopen_button.clicked.connect(self.reopen_case)
        self._refresh()

    # ---- building -----------------------------------------------------------------------

    def _goals_page(self) -> QWidget:
        page = QWidget(self)
        self.goal_model: RowTableModel[PlanGoal] = RowTableModel(GOAL_COLUMNS, self)
        self.goals_view = record_table(page, "Goals")
        self.goals_view.setModel(self.goal_model)
        stretch_column(self.goals_view, 0)
        self.action_model: RowTableModel[PlanAction] = RowTableModel(
            (
                Column("What", lambda a: a.what, tooltip=lambda a: a.what),
                Column("Who", lambda a: a.owner.text(self._names())),
                Column("By when", lambda a: a.by_when),
                Column("Where it's at", lambda a: a.status, text=lambda s: s.label),
                Column("Latest progress", lambda a: a.latest_note.text if a.latest_note else ""),
            ),
            self,
        )
        self.actions_view = record_table(page, "Actions for the chosen goal")
        self.actions_view.setModel(self.action_model)
        stretch_column(self.actions_view, 0)
        self.add_goal_button = action_button(page, "Add &goal", "Ctrl+G")
        self.remove_goal_button = action_button(page, "Remove goal")
        self.add_action_button = action_button(
            page, "Add &action", "Ctrl+Shift+A", "Add an action to the chosen goal"
        )
        self.remove_action_button = action_button(page, "Remove action")
        self.actions_heading = QLabel("Actions", page)

        self.goal_editor = GoalEditor(page)
        self.action_editor = ActionEditor(page)
        goal_box = QGroupBox("Goal", page)
        QVBoxLayout(goal_box).addWidget(self.goal_editor)
        action_box = QGroupBox("Action", page)
        QVBoxLayout(action_box).addWidget(self.action_editor)
        left = column(
            page,
            QLabel("Goals", page),
            (self.goals_view, 2),
            button_row(self.add_goal_button, self.remove_goal_button),
            self.actions_heading,
            (self.actions_view, 3),
            button_row(self.add_action_button, self.remove_action_button),
        )
        list_beside_editor(page, left, column(page, goal_box, action_box, 1))

        self.goals_view.selectionModel().currentRowChanged.connect(self._goal_chosen)
        self.actions_view.selectionModel().currentRowChanged.connect(self._action_chosen)
        self.goal_editor.edited.connect(self._goal_edited)
        self.action_editor.edited.connect(self._action_edited)
        self.add_goal_button.clicked.connect(self.add_goal)
        self.remove_goal_button.clicked.connect(self.remove_goal)
        self.add_action_button.clicked.connect(self.add_action)
        self.remove_action_button.clicked.connect(self.remove_action)
        return page

    def _versions_page(self) -> QWidget:
        page = QWidget(self)
        self.version_model: RowTableModel[FamilyPlan] = RowTableModel(VERSION_COLUMNS, self)
        self.versions_view = record_table(page, "Plan versions")
        self.versions_view.setModel(self.version_model)
        stretch_column(self.versions_view, 2)
        self.changes_heading = QLabel(page)
        self.changes = QPlainTextEdit(page)
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("Changes from the version before")
        layout = QVBoxLayout(page)
        layout.addWidget(self.versions_view, 1)
        layout.addWidget(self.changes_heading)
        layout.addWidget(self.changes, 2)
        self.versions_view.selectionModel().currentRowChanged.connect(self._version_chosen)
        return page

    def _team_page(self) -> QWidget:
        page = QWidget(self)
        self.member_model: RowTableModel[TafMember] = RowTableModel(MEMBER_COLUMNS, self)
        self.members_view = record_table(page, "Team members")
        self.members_view.setModel(self.member_model)
        self.member_form = RecordForm(MEMBER_FIELDS, page)
        self.add_member_button = action_button(page, "Add team member…", "Ctrl+Shift+T")
        self.remove_member_button = action_button(page, "Remove from team")
        self.meeting_model: RowTableModel[TafMeeting] = RowTableModel(
            (
                Column("No.", lambda m: m.number, align_right=True),
                Column("Date", lambda m: m.held_on),
                Column("Where", lambda m: m.place),
                Column("How things are", lambda m: m.rating.label if m.rating else ""),
                Column("Next meeting", lambda m: m.next_meeting),
                Column("Plan", lambda m: self._version_made_by(m)),
            ),
            self,
        )
        self.meetings_view = record_table(page, "Meetings")
        self.meetings_view.setModel(self.meeting_model)
        self.meeting_details = QLabel(page)
        self.meeting_details.setWordWrap(True)
        self.meeting_details.setAccessibleName("Meeting details")
        self.meeting_form = RecordForm(MEETING_FIELDS, page)
        self.print_meeting_button = action_button(
            page, "Print meeting record…", tip="See the chosen meeting's record, then print it"
        )
        self.meeting_pdf_button = action_button(page, "Save meeting record as PDF…")

        member_box = QGroupBox("Team member", page)
        QVBoxLayout(member_box).addWidget(self.member_form)
        meeting_box = QGroupBox("Meeting", page)
        meeting_layout = QVBoxLayout(meeting_box)
        meeting_layout.addWidget(self.meeting_details)
        meeting_layout.addWidget(self.meeting_form)
        left = column(
            page,
            QLabel("Who is in the team", page),
            (self.members_view, 1),
            button_row(self.add_member_button, self.remove_member_button),
            QLabel("Meetings", page),
            (self.meetings_view, 1),
            button_row(self.print_meeting_button, self.meeting_pdf_button),
        )
        list_beside_editor(page, left, column(page, member_box, meeting_box))

        self.members_view.selectionModel().currentRowChanged.connect(self._member_chosen)
        self.meetings_view.selectionModel().currentRowChanged.connect(self._meeting_chosen)
        self.member_form.edited.connect(lambda r: self._write_team(save_team, r))
        self.meeting_form.edited.connect(lambda r: self._write_team(save_team, r))
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        self.print_meeting_button.clicked.connect(self.print_meeting)
        self.meeting_pdf_button.clicked.connect(self.save_meeting_pdf)
        return page

    def _closing_page(self) -> QWidget:
        page = QWidget(self)
        self.closure_text = QLabel(page)
        self.closure_text.setWordWrap(True)
        self.closure_text.setTextFormat(Qt.TextFormat.RichText)
        self.closure_text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.closure_text.setAccessibleName("Closing summary")
        self.print_closure_button = action_button(
            page, "Print closing summary…", tip="See the closing summary, then print it"
        )
        self.closure_pdf_button = action_button(page, "Save closing summary as PDF…")
        layout = QVBoxLayout(page)
        layout.addWidget(self.closure_text, 1)
        row = QHBoxLayout()
        row.addWidget(self.print_closure_button)
        row.addWidget(self.closure_pdf_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.print_closure_button.clicked.connect(self.print_closure)
        self.closure_pdf_button.clicked.connect(self.save_closure_pdf)
        return page

    # ---- the FeatureTab interface --------------------------------------------------------

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is not None and self.record.family.id != record.family.id:
            self.flush()
            self.plans = None
            self._close_wanted = None
            self._goal_id = self._action_id = self._version_id = None
            self._member_id = self._meeting_id = None
            self._refresh()
        super().open_family(record)

    def flush(self) -> None:
        for editor in (self.goal_editor, self.action_editor, self.member_form, self.meeting_form):
            editor.flush()

    def clear(self) -> None:
        self.flush()
        super().clear()
        self.plans = None
        self.problem_names = {}
        self._close_wanted = None
        self._goal_id = self._action_id = self._version_id = None
        self._member_id = self._meeting_id = None
        self.goal_editor.load(None)
        self.action_editor.load(None)
        self.member_form.load(None)
        self.meeting_form.load(None)
        self._refresh()

    # ---- reading and writing -------------------------------------------------------------

    def reload(self) -> None:
        if self.record is None:
            return
        family_id = self.record.family.id

        def op(ctx: TaskContext) -> tuple[PlanRecord, tuple[dict[str, str], dict[str, str]]]:
            plans = load_plans(ctx.store, family_id)
            return plans, framework_names(plans.family)

        self.read(op, self._loaded)

    def _loaded(self, result: tuple[PlanRecord, tuple[dict[str, str], dict[str, str]]]) -> None:
        plans, (problems, measures) = result
        self.plans = plans
        self.problem_names = problems
        self.goal_editor.set_framework(problems, measures)
        self.action_editor.set_people([p for p in plans.people if p.in_household])
        self.action_editor.author = plans.practitioner
        self._refresh()
        if self._close_wanted is not None:
            reason, on = self._close_wanted
            self._close_wanted = None
            if self._editable():
                self.close_case(reason=reason, on=on)
            else:
                show_error(self, UserError(f"The case for {plans.family.name} is already closed."))

    def _save_plan(self, plan: FamilyPlan) -> None:
        """Show the plan at once and queue its save."""
        assert self.plans is not None
        versions = [v for v in self.plans.versions if v.id != plan.id]
        versions = sorted([*versions, plan], key=lambda v: v.version)
        self.plans = dataclasses.replace(self.plans, versions=versions)
        self._schedule_refresh()
        self.write(lambda ctx: save_plan_version(ctx.store, plan))

    def _write_team(self, save: Callable[..., Any], *records: TafMember | TafMeeting) -> None:
        """Save team members or a meeting, then read the team back (a meeting numbers itself
        and may make a plan version)."""
        self.write(lambda ctx: save(ctx.store, *records), lambda _: self.reload())

    # ---- plan actions --------------------------------------------------------------------

    def _current(self) -> FamilyPlan | None:
        return self.plans.current if self.plans else None

    def _names(self) -> dict[str, str]:
        return self.plans.names if self.plans else {}

    def _editable(self) -> bool:
        return self.plans is not None and not self.plans.family.is_read_only

    def start_plan(self) -> None:
        if not self._editable() or self._current() is not None:
            return
        assert self.plans is not None
        plan = first_plan(
            self.plans.family.id,
            made_on=self.today,
            next_review=self.today + REVIEW_INTERVAL,
            made_by=self.plans.practitioner,
        )
        self._save_plan(plan)
        self.add_goal()

    def make_new_version(self) -> None:
        current = self._current()
        if not self._editable() or current is None or self.plans is None:
            return
        self.flush()
        dialog = NewVersionDialog(current, self.today, self)
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
        self._version_id = plan.id
        self._save_plan(plan)

    def add_goal(self) -> None:
        current = self._current()
        if not self._editable() or current is None:
            return
        self.flush()
        goal = PlanGoal(words="New goal")
        self._goal_id, self._action_id = goal.id, None
        self._save_plan(current.replace(goals=(*current.goals, goal)))
        self._refresh()
        self.goal_editor.words.setFocus()
        self.goal_editor.words.selectAll()

    def remove_goal(self) -> None:
        current = self._current()
        goal = self.goal_editor.item
        if not self._editable() or current is None or goal is None:
            return
        if (
            goal.actions
            and QMessageBox.question(
                self,
                "Remove goal",
                f"Remove the goal “{goal.words}” and its {len(goal.actions)} actions from this "
                "version of the plan? Earlier versions keep it.",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self.goal_editor.load(None)
        self.action_editor.load(None)
        self._goal_id = self._action_id = None
        self._save_plan(current.replace(goals=tuple(g for g in current.goals if g.id != goal.id)))

    def add_action(self) -> None:
        current = self._current()
        if not self._editable() or current is None or self.plans is None:
            return
        self.flush()
        current = self._current()
        assert current is not None
        goal = next((g for g in current.goals if g.id == self._goal_id), None)
        if goal is None:
            show_error(self, UserError("Choose the goal the action is for, or add a goal first."))
            return
        parents = [
            p for p in self.plans.people if p.role is PersonRole.PARENT_CARER and not p.deleted
        ]
        owner = (
            ActionOwner.family_member(parents[0].id)
            if parents
            else ActionOwner.agency_worker(OWN_SERVICE, self.plans.practitioner or "Keyworker")
        )
        action = PlanAction(what="New action", owner=owner, by_when=self.today + NEW_ACTION_DUE)
        self._action_id = action.id
        self._save_plan(self._with_goal(current, goal.replace(actions=(*goal.actions, action))))
        self._refresh()
        self.action_editor.what.setFocus()
        self.action_editor.what.selectAll()

    def remove_action(self) -> None:
        current = self._current()
        action = self.action_editor.item
        if not self._editable() or current is None or action is None:
            return
        self.action_editor.load(None)
        self._action_id = None
        goals = tuple(
            g.replace(actions=tuple(a for a in g.actions if a.id != action.id))
            for g in current.goals
        )
        self._save_plan(current.replace(goals=goals))

    @staticmethod
    def _with_goal(plan: FamilyPlan, goal: PlanGoal) -> FamilyPlan:
        return plan.replace(goals=tuple(goal if g.id == goal.id else g for g in plan.goals))

    def _goal_edited(self, goal: PlanGoal) -> None:
        current = self._current()
        if current is None or not any(g.id == goal.id for g in current.goals):
            return
        # Keep the goal's actions as the plan has them: the action editor owns those.
        held = current.goal(goal.id)
        self._save_plan(self._with_goal(current, goal.replace(actions=held.actions)))

    def _action_edited(self, action: PlanAction) -> None:
        current = self._current()
        if current is None:
            return
        for goal in current.goals:
            if any(a.id == action.id for a in goal.actions):
                actions = tuple(action if a.id == action.id else a for a in goal.actions)
                self._save_plan(self._with_goal(current, goal.replace(actions=actions)))
                return

    # ---- the team and meetings -----------------------------------------------------------

    def add_member(self) -> None:
        if not self._editable() or self.plans is None:
            return
        dialog = MemberDialog(self.today, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        member = dialog.member(self.plans.family.id)
        self._member_id = member.id
        self._write_team(save_team, member)

    def remove_member(self) -> None:
        member = self.member_form.record
        if not self._editable() or not isinstance(member, TafMember):
            return
        self.member_form.load(None)
        self._member_id = None
        self._write_team(delete_team, member)

    def record_meeting(self) -> None:
        if not self._editable() or self.plans is None:
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
                self._version_id = plan.id
        except (ValueError, UserError) as exc:
            show_error(self, UserError(f"The meeting was not saved: {exc}."))
            return
        self._meeting_id = meeting.id
        self.write(lambda ctx: save_meeting(ctx.store, meeting, plan), lambda _: self.reload())

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

    def close_case(self, *, reason: ClosureReason | None = None, on: dt.date | None = None) -> None:
        if not self._editable() or self.plans is None:
            return
        self.flush()
        plans = self.plans
        dialog = CloseCaseDialog(plans.current, self.problem_names, plans.people, self.today, self)
        dialog.preset(reason=reason, closed_on=on)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        family_id, by = plans.family.id, plans.practitioner
        self.write(
            lambda ctx: close_case(ctx.store, family_id, by=by, **values),
            lambda _: self.reload(),
            label="Closing the case…",
        )

    def reopen_case(self) -> None:
        if self.plans is None or not self.plans.family.is_read_only:
            return
        dialog = ReopenDialog(self.today, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        on, reason = dialog.values()
        family_id, by = self.plans.family.id, self.plans.practitioner
        self.write(
            lambda ctx: reopen_case(ctx.store, family_id, on=on, reason=reason, by=by),
            lambda _: self.reload(),
        )

    # ---- printing and PDFs ----------------------------------------------------------------

    def print_plan(self) -> None:
        """The current plan in the print preview, from which it prints."""
        family = self._plan_family()
        if family is not None:
            self._print(
                lambda ctx, marking: build_plan_pdf(ctx.store, family.id, marking=marking),
                f"Family plan – {family.name} ({family.reference})",
                "plan",
            )

    def save_plan_pdf(self) -> None:
        """Save the current plan as a PDF, with a password if one is given."""
        family = self._plan_family()
        current = self._current()
        if family is not None and current is not None:
            self._save_pdf(
                f"Family plan {family.reference} v{current.version}.pdf",
                "Save the plan as PDF",
                lambda ctx, marking, password: build_plan_pdf(
                    ctx.store, family.id, marking=marking, password=password
                ),
                "plan",
            )

    def _plan_family(self) -> Family | None:
        """The family whose plan prints, after saving what is typed; None (having said why) when
        there is no plan yet."""
        if self.plans is None:
            return None
        if self._current() is None:
            show_error(self, UserError("There is no plan to print yet: start the plan first."))
            return None
        self.flush()  # queued before the PDF is built, so the print has the latest typing
        return self.plans.family

    def _chosen_meeting(self) -> TafMeeting | None:
        meetings = self.plans.meetings if self.plans else []
        index = _index_of(meetings, self._meeting_id)
        if index is None:
            show_error(self, UserError("Choose the meeting to print from the list of meetings."))
            return None
        self.flush()
        return meetings[index]

    def print_meeting(self) -> None:
        meeting = self._chosen_meeting()
        if meeting is None or self.plans is None:
            return
        family = self.plans.family
        self._print(
            lambda ctx, marking: build_taf_pdf(ctx.store, family.id, meeting.id, marking=marking),
            f"TAF meeting {meeting.number} – {family.name} ({family.reference})",
            "meeting record",
        )

    def save_meeting_pdf(self) -> None:
        meeting = self._chosen_meeting()
        if meeting is None or self.plans is None:
            return
        family = self.plans.family
        self._save_pdf(
            f"TAF meeting {meeting.number} {family.reference}.pdf",
            "Save the meeting record as PDF",
            lambda ctx, marking, password: build_taf_pdf(
                ctx.store, family.id, meeting.id, marking=marking, password=password
            ),
            "meeting record",
        )

    def print_closure(self) -> None:
        if self.plans is None or self.plans.latest_closure is None:
            return
        family = self.plans.family
        self._print(
            lambda ctx, marking: build_closure_pdf(ctx.store, family.id, marking=marking),
            f"Closing summary – {family.name} ({family.reference})",
            "closing summary",
        )

    def save_closure_pdf(self) -> None:
        if self.plans is None or self.plans.latest_closure is None:
            return
        family = self.plans.family
        self._save_pdf(
            f"Closing summary {family.reference}.pdf",
            "Save the closing summary as PDF",
            lambda ctx, marking, password: build_closure_pdf(
                ctx.store, family.id, marking=marking, password=password
            ),
            "closing summary",
        )

    def _print(self, build: Callable[[TaskContext, str], bytes], title: str, what: str) -> None:
        """Ask for the marking, build the PDF on the worker, then show it in the print preview
        (GUI thread)."""
        dialog = PdfOptionsDialog(f"Print the {what}", self.marking, password=False, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        marking, _ = dialog.values()
        self.marking = marking

        def done(pdf: bytes) -> None:
            if self.record is not None:  # not locked meanwhile
                show_print_preview(pdf, title=title, parent=self)

        Task(self.runner, lambda ctx: build(ctx, marking), done, parent=self).with_progress(
            f"Making the {what} to print…"
        ).run()

    def _save_pdf(
        self,
        name: str,
        caption: str,
        build: Callable[[TaskContext, str, str | None], bytes],
        what: str,
    ) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, caption, str(Path.home() / name), "PDF files (*.pdf)"
        )
        if not path:
            return
        target = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        dialog = PdfOptionsDialog(f"Save the {what}", self.marking, password=True, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        marking, password = dialog.values()
        self.marking = marking

        def op(ctx: TaskContext) -> Path:
            return documents.save(target, build(ctx, marking, password))

        def done(written: Path) -> None:
            window = self.window()
            if isinstance(window, QMainWindow):
                protected = " (password protected)" if password else ""
                window.statusBar().showMessage(f"Saved the {what} to {written}{protected}", 8000)

        Task(self.runner, op, done, parent=self).with_progress(f"Making the {what} PDF…").run()

    # ---- choosing rows -------------------------------------------------------------------

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _goal_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._refreshing or not current.isValid():
            return
        goal = current.data(ROW_ROLE)
        if goal is not None and goal.id != self._goal_id:
            self.flush()
            self._goal_id, self._action_id = goal.id, None
            self._schedule_refresh()

    def _action_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._refreshing or not current.isValid():
            return
        action = current.data(ROW_ROLE)
        if action is not None and action.id != self._action_id:
            self.action_editor.flush()
            self._action_id = action.id
            self._schedule_refresh()

    def _version_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._version_id = current.data(ROW_ROLE).id
            self._show_changes()

    def _member_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._member_id = current.data(ROW_ROLE).id
            self._schedule_refresh()

    def _meeting_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._meeting_id = current.data(ROW_ROLE).id
            self._schedule_refresh()

    # ---- showing ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Show self.plans: tables, editors (a dirty one keeps its typing), notices, buttons."""
        self._refresh_timer.stop()
        self._refreshing = True
        try:
            self._show_goals()
            self._show_versions()
            self._show_team()
            self._show_summary_and_notices()
            self._show_closure()
            self._enable()
        finally:
            self._refreshing = False

    def _select(
        self,
        view: QTableView,
        model: RowTableModel[Any],
        rows: list[Any],
        ident: str | None,
        *,
        first: bool = True,
    ) -> Any:
        model.set_rows(rows)
        index = _index_of(rows, ident)
        if index is None and rows and first:
            index = 0
        if index is None:
            return None
        view.selectRow(index)
        return rows[index]

    @staticmethod
    def _sync(editor: Any, item: Any, read_only: bool) -> None:
        """Show `item` in an editor, unless it holds unsaved typing for that same item."""
        shown = editor.item if isinstance(editor, AutosaveEditor) else editor.record
        same = shown is not None and item is not None and shown.id == item.id
        if not (same and editor.dirty) and not _same_content(shown, item):
            editor.load(item, read_only=read_only)
        editor.setEnabled(item is not None and not read_only)

    def _show_goals(self) -> None:
        current = self._current()
        read_only = not self._editable()
        goals = list(current.goals) if current else []
        goal = self._select(self.goals_view, self.goal_model, goals, self._goal_id)
        self._goal_id = goal.id if goal else None
        self._sync(self.goal_editor, goal, read_only)
        actions = list(goal.actions) if goal else []
        action = self._select(self.actions_view, self.action_model, actions, self._action_id)
        self._action_id = action.id if action else None
        self._sync(self.action_editor, action, read_only)
        self.actions_heading.setText(
            f"Actions for “{goal.words}”" if goal else "Actions (choose a goal)"
        )

    def _show_versions(self) -> None:
        versions = list(self.plans.versions) if self.plans else []
        current = self._current()
        chosen = self._select(
            self.versions_view,
            self.version_model,
            versions,
            self._version_id or (current.id if current else None),
        )
        self._version_id = chosen.id if chosen else None
        self._show_changes()

    def _show_changes(self) -> None:
        versions = self.plans.versions if self.plans else []
        index = _index_of(versions, self._version_id)
        if index is None:
            self.changes_heading.setText("")
            self.changes.setPlainText("")
            return
        version = versions[index]
        if index == 0:
            self.changes_heading.setText(f"Version {version.version} is the first plan.")
            self.changes.setPlainText("")
            return
        before = versions[index - 1]
        self.changes_heading.setText(
            f"What changed from version {before.version} to version {version.version}:"
        )
        found = plan_differences(before, version, self._names())
        self.changes.setPlainText(
            "\n".join(f"• {c}" for c in found) if found else "Nothing has changed yet."
        )

    def _show_team(self) -> None:
        read_only = not self._editable()
        members = list(self.plans.members) if self.plans else []
        member = self._select(self.members_view, self.member_model, members, self._member_id)
        self._member_id = member.id if member else None
        self._sync(self.member_form, member, read_only)
        meetings = list(self.plans.meetings) if self.plans else []
        meeting = self._select(self.meetings_view, self.meeting_model, meetings, self._meeting_id)
        self._meeting_id = meeting.id if meeting else None
        self._sync(self.meeting_form, meeting, read_only)
        self.meeting_details.setText(
            self._meeting_text(meeting) if meeting else "No meetings recorded yet."
        )

    def _meeting_text(self, meeting: TafMeeting) -> str:
        assert self.plans is not None
        names = self._names()
        members = {m.id: m.name for m in self.plans.members}
        came = [names.get(i, "") for i in meeting.person_ids]
        came += [members.get(i, "") for i in meeting.member_ids]
        came += list(meeting.others)
        lines = [
            f"Meeting {meeting.number}, {date_text(meeting.held_on)}.",
            "Came: " + (", ".join(c for c in came if c) or "not recorded") + ".",
        ]
        if meeting.apologies:
            lines.append("Apologies: " + ", ".join(meeting.apologies) + ".")
        if meeting.decisions:
            lines.append("Decided: " + "; ".join(meeting.decisions) + ".")
        made = self._version_made_by(meeting)
        if made:
            lines.append(f"Made plan {made.lower()}.")
        return "\n".join(lines)

    def _version_made_by(self, meeting: TafMeeting) -> str:
        versions = self.plans.versions if self.plans else []
        made = next((v for v in versions if v.id == meeting.plan_id), None)
        return f"Version {made.version}" if made else ""

    def _show_summary_and_notices(self) -> None:
        notices: list[str] = []
        plans = self.plans
        current = self._current()
        if plans is None:
            self.summary.setText("")
        elif current is None:
            self.summary.setText("<b>No plan yet</b>")
            if not plans.family.is_read_only:
                notices.append(
                    "There is no plan yet. Start it with the family: their goals in "
                    "their own words, then who will do what, by when."
                )
        else:
            review = date_text(current.next_review) or "to be agreed"
            self.summary.setText(
                f"<b>Plan version {current.version}</b> · agreed {date_text(current.made_on)} "
                f"({current.made_at}) · next review {review} · {len(current.goals)} goals, "
                f"{len(current.actions)} actions"
            )
            if not plans.family.is_read_only:
                notices.extend(plan_warnings(current))
            notices.extend(
                f"{flag.label}: time to review the plan with the family."
                for flag in plans.drift(self.today)
            )
        if plans is not None and plans.family.withdrawn_on is not None:
            notices.insert(0, f"{plans.family.read_only_reason}, so the plan is read-only.")
        elif plans is not None and plans.family.is_read_only:
            closure = plans.latest_closure
            when = f" on {date_text(closure.closed_on)}" if closure else ""
            notices.insert(
                0,
                f"The case was closed{when}, so the plan is read-only. Reopen the "
                "case to change it.",
            )
        self.notices.setText(" ".join(notices))
        self.notices.setVisible(bool(notices))

    def _show_closure(self) -> None:
        closure = self.plans.latest_closure if self.plans else None
        self.closure_pdf_button.setEnabled(closure is not None)
        self.print_closure_button.setEnabled(closure is not None)
        if closure is None:
            self.closure_text.setText(
                "The case has not been closed. Close it with "
                "“Close the case…” when the work with the family ends."
            )
            return
        names = self.problem_names
        parts = [f"<h3>Closed on {date_text(closure.closed_on)}: {closure.reason.label}</h3>"]
        if self.plans is not None and not self.plans.family.is_read_only:
            parts.append(
                "<p><i>The case has been reopened since; this is the last closing summary.</i></p>"
            )
        if closure.summary:
            parts.append(f"<p>{_html(closure.summary)}</p>")
        if closure.outcomes:
            parts.append(
                "<p><b>Outcomes at closure</b></p><ul>"
                + "".join(
                    f"<li>{_html(names.get(o.problem) or 'Problem ' + o.problem)}: "
                    f"{o.result.label}{_html(' – ' + o.note) if o.note else ''}</li>"
                    for o in closure.outcomes
                )
                + "</ul>"
            )
        if closure.continuing_support:
            parts.append(
                "<p><b>Support that carries on</b></p><ul>"
                + "".join(
                    f"<li>{_html(s.service)}{_html(': ' + s.what) if s.what else ''}"
                    f"{_html(' (' + s.contact + ')') if s.contact else ''}</li>"
                    for s in closure.continuing_support
                )
                + "</ul>"
            )
        if closure.moving_on:
            who = f" — {_html(closure.moving_on_from)}" if closure.moving_on_from else ""
            parts.append(
                f"<p><b>Moving on, in the family's words</b></p>"
                f"<p><i>“{_html(closure.moving_on)}”</i>{who}</p>"
            )
        self.closure_text.setText("".join(parts))

    def _enable(self) -> None:
        plans = self.plans
        current = self._current()
        editable = self._editable()
        closed = plans is not None and plans.family.is_read_only
        self.start_button.setVisible(plans is not None and current is None and not closed)
        self.start_button.setEnabled(editable)
        self.new_version_button.setEnabled(editable and current is not None)
        self.meeting_button.setEnabled(editable)
        self.pdf_button.setEnabled(current is not None)
        self.print_button.setEnabled(current is not None)
        self.close_button.setVisible(not closed)
        self.close_button.setEnabled(editable)
        # A reassigned family is not this practitioner's to reopen.
        reassigned = plans is not None and plans.family.withdrawn_on is not None
        self.reopen_button.setVisible(closed and not reassigned)
        self.add_goal_button.setEnabled(editable and current is not None)
        self.remove_goal_button.setEnabled(editable and self._goal_id is not None)
        self.add_action_button.setEnabled(editable and self._goal_id is not None)
        self.remove_action_button.setEnabled(editable and self._action_id is not None)
        self.add_member_button.setEnabled(editable)
        self.remove_member_button.setEnabled(editable and self._member_id is not None)
        self.print_meeting_button.setEnabled(self._meeting_id is not None)
        self.meeting_pdf_button.setEnabled(self._meeting_id is not None)


def _same_content(a: Any, b: Any) -> bool:
    """Equal apart from the store's revision stamp (which changes on every save)."""
    if isinstance(a, Record) and isinstance(b, Record):
        return a == b.replace(revision=a.revision)
    return a == b


def _html(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )
