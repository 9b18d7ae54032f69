"""The Plan tab's "Goals and actions" panel: the current version's goals (in the family's words,
with the framework problems and outcome measures they serve) and, for the chosen goal, its actions
(what, who, by when, where it's at, progress notes), with an editor for each that saves itself.

A view: the tab hands it the plans (`show_plans`) and what the editors offer (`set_choices`); the
panel keeps the chosen goal and action, and every change the user makes (typing, adding or
removing a goal or an action) comes out as `plan_edited` with the whole changed version, which
the tab shows at once and saves. Until the tab shows it back, the panel works on the version it
emitted last, so quick edits build on one another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from db.plans import PlanRecord
from fmdesk.errors import UserError
from fmdesk.families import Person, PersonRole
from fmdesk.plans import ActionOwner, FamilyPlan, PlanAction, PlanGoal
from ui.kit.errors import show_error
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.widgets import (
    action_button,
    button_row,
    column,
    list_beside_editor,
    record_table,
    scrolling,
    stretch_column,
)
from ui.record.in_error import MarkedRowTableModel
from ui.record.plan.editors import ActionEditor, GoalEditor
from ui.record.plan.rows import select_row, show_in_editor

NEW_ACTION_DUE = dt.timedelta(weeks=4)
# The keyworker's own service, as the default owner of an action when the household is empty.
OWN_SERVICE = "Early Help"

GOAL_COLUMNS: tuple[Column[PlanGoal], ...] = (
    Column("Goal, in the family's words", lambda g: g.words),
    Column("Problems", lambda g: ", ".join(g.problems)),
    Column("Actions", lambda g: len(g.actions), align_right=True),
)


class GoalsPanel(QWidget):
    """The goals and the chosen goal's actions, each list beside its editor. Ctrl+G adds a goal,
    Ctrl+Shift+A an action to the chosen goal."""

    # The current version with the user's change, to show at once and save.
    plan_edited = Signal(object)

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self._plan: FamilyPlan | None = None  # the current version, as last shown or emitted
        self._editable = False
        self._names: Mapping[str, str] = {}  # person id -> name, for who owns an action
        self._people: Sequence[Person] = ()
        self._practitioner = ""
        self._goal_id: str | None = None
        self._action_id: str | None = None
        self._refreshing = False
        # Choosing a row shows it a moment later: the tables are not reset from inside their
        # own selection change.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._show)

        self.goal_model: RowTableModel[PlanGoal] = RowTableModel(GOAL_COLUMNS, self)
        self.goals_view = record_table(self, "Goals")
        self.goals_view.setModel(self.goal_model)
        stretch_column(self.goals_view, 0)
        # An action recorded in error stays listed, struck through (ui/record/in_error.py).
        self.action_model: RowTableModel[PlanAction] = MarkedRowTableModel(
            (
                Column("What", lambda a: a.what, tooltip=lambda a: a.what),
                Column("Who", lambda a: a.owner.text(self._names)),
                Column("By when", lambda a: a.by_when),
                Column("Where it's at", lambda a: a.status, text=lambda s: s.label),
                Column("Latest progress", lambda a: a.latest_note.text if a.latest_note else ""),
            ),
            self,
        )
        self.actions_view = record_table(self, "Actions for the chosen goal")
        self.actions_view.setModel(self.action_model)
        stretch_column(self.actions_view, 0)
        self.add_goal_button = action_button(self, "A&dd goal", "Ctrl+G")
        self.remove_goal_button = action_button(self, "Remove goal")
        self.add_action_button = action_button(
            self, "Add &action", "Ctrl+Shift+A", "Add an action to the chosen goal"
        )
        self.remove_action_button = action_button(self, "Remove action")
        self.actions_heading = QLabel("Actions", self)

        self.goal_editor = GoalEditor(self)
        self.action_editor = ActionEditor(self)
        goal_box = QGroupBox("Goal", self)
        QVBoxLayout(goal_box).addWidget(self.goal_editor)
        action_box = QGroupBox("Action", self)
        QVBoxLayout(action_box).addWidget(self.action_editor)
        left = column(
            self,
            QLabel("Goals", self),
            (self.goals_view, 2),
            button_row(self.add_goal_button, self.remove_goal_button),
            self.actions_heading,
            (self.actions_view, 3),
            button_row(self.add_action_button, self.remove_action_button),
        )
        # The goal's editor scrolls on a small screen, so the buttons under the lists and the
        # action's own (Add progress note) stay in sight at 1280×720 (issue 16).
        list_beside_editor(
            self, left, column(self, (scrolling(goal_box, self), 2), (action_box, 3))
        )

        self.goals_view.selectionModel().currentRowChanged.connect(self._goal_chosen)
        self.actions_view.selectionModel().currentRowChanged.connect(self._action_chosen)
        self.goal_editor.edited.connect(self._goal_edited)
        self.action_editor.edited.connect(self._action_edited)
        self.add_goal_button.clicked.connect(self.add_goal)
        self.remove_goal_button.clicked.connect(self.remove_goal)
        self.add_action_button.clicked.connect(self.add_action)
        self.remove_action_button.clicked.connect(self.remove_action)

    # ---- the tab's calls -----------------------------------------------------------------

    def show_plans(self, plans: PlanRecord | None, *, read_only: bool) -> None:
        """Show the current version of `plans`, keeping the goal and action chosen (an editor
        with unsaved typing keeps it); with `read_only` nothing can be changed."""
        self._plan = plans.current if plans else None
        self._editable = plans is not None and not read_only
        self._names = plans.names if plans else {}
        self._people = plans.people if plans else ()
        self._practitioner = plans.practitioner if plans else ""
        self._show()

    def set_choices(
        self,
        problems: Mapping[str, str],
        measures: Mapping[str, str],
        household: Sequence[Person],
        *,
        author: str,
    ) -> None:
        """What the editors offer and name: the framework's problems and outcome measures (code
        -> name), the household members a goal can be for and who can own an action, and the
        author of a progress note."""
        self.goal_editor.set_framework(problems, measures)
        self.goal_editor.set_people(household)
        self.action_editor.set_people(household)
        self.action_editor.author = author

    def flush(self) -> None:
        """Emit any typing not yet emitted."""
        self.goal_editor.flush()
        self.action_editor.flush()

    def clear(self) -> None:
        """Forget the chosen goal and action and empty the editors (another family, or lock)."""
        self._goal_id = self._action_id = None
        self.goal_editor.load(None)
        self.action_editor.load(None)

    # ---- what the user asks for ----------------------------------------------------------

    def add_goal(self) -> None:
        current = self._plan
        if not self._editable or current is None:
            return
        self.flush()
        goal = PlanGoal(words="New goal")
        self._goal_id, self._action_id = goal.id, None
        self._edit(current.replace(goals=(*current.goals, goal)))
        self._show()
        self.goal_editor.words.setFocus()
        self.goal_editor.words.selectAll()

    def remove_goal(self) -> None:
        current = self._plan
        goal = self.goal_editor.item
        if not self._editable or current is None or goal is None:
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
        self._edit(current.replace(goals=tuple(g for g in current.goals if g.id != goal.id)))

    def add_action(self) -> None:
        if not self._editable or self._plan is None:
            return
        self.flush()
        current = self._plan  # with what the flush emitted
        goal = next((g for g in current.goals if g.id == self._goal_id), None)
        if goal is None:
            show_error(self, UserError("Choose the goal the action is for, or add a goal first."))
            return
        parents = [
            p
            for p in self._people
            if p.role is PersonRole.PARENT_CARER and not p.deleted and not p.in_error
        ]
        owner = (
            ActionOwner.family_member(parents[0].id)
            if parents
            else ActionOwner.agency_worker(OWN_SERVICE, self._practitioner or "Keyworker")
        )
        action = PlanAction(what="New action", owner=owner, by_when=self.today + NEW_ACTION_DUE)
        self._action_id = action.id
        self._edit(_with_goal(current, goal.replace(actions=(*goal.actions, action))))
        self._show()
        self.action_editor.what.setFocus()
        self.action_editor.what.selectAll()

    def remove_action(self) -> None:
        current = self._plan
        action = self.action_editor.item
        if not self._editable or current is None or action is None:
            return
        self.action_editor.load(None)
        self._action_id = None
        goals = tuple(
            g.replace(actions=tuple(a for a in g.actions if a.id != action.id))
            for g in current.goals
        )
        self._edit(current.replace(goals=goals))

    def _goal_edited(self, goal: PlanGoal) -> None:
        current = self._plan
        if current is None or not any(g.id == goal.id for g in current.goals):
            return
        # Keep the goal's actions as the plan has them: the action editor owns those.
        held = current.goal(goal.id)
        self._edit(_with_goal(current, goal.replace(actions=held.actions)))

    def _action_edited(self, action: PlanAction) -> None:
        current = self._plan
        if current is None:
            return
        for goal in current.goals:
            if any(a.id == action.id for a in goal.actions):
                actions = tuple(action if a.id == action.id else a for a in goal.actions)
                self._edit(_with_goal(current, goal.replace(actions=actions)))
                return

    def _edit(self, plan: FamilyPlan) -> None:
        self._plan = plan
        self.plan_edited.emit(plan)

    # ---- choosing rows and showing -------------------------------------------------------

    def _goal_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._refreshing or not current.isValid():
            return
        goal = current.data(ROW_ROLE)
        if goal is not None and goal.id != self._goal_id:
            self.flush()
            self._goal_id, self._action_id = goal.id, None
            self._refresh_timer.start()

    def _action_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._refreshing or not current.isValid():
            return
        action = current.data(ROW_ROLE)
        if action is not None and action.id != self._action_id:
            self.action_editor.flush()
            self._action_id = action.id
            self._refresh_timer.start()

    def _show(self) -> None:
        self._refresh_timer.stop()
        self._refreshing = True
        try:
            current, read_only = self._plan, not self._editable
            goals = list(current.goals) if current else []
            goal = select_row(self.goals_view, self.goal_model, goals, self._goal_id)
            self._goal_id = goal.id if goal else None
            show_in_editor(self.goal_editor, goal, read_only)
            actions = list(goal.actions) if goal else []
            action = select_row(self.actions_view, self.action_model, actions, self._action_id)
            self._action_id = action.id if action else None
            show_in_editor(self.action_editor, action, read_only)
            self.actions_heading.setText(
                f"Actions for “{goal.words}”" if goal else "Actions (choose a goal)"
            )
            editable = self._editable
            self.add_goal_button.setEnabled(editable and current is not None)
            self.remove_goal_button.setEnabled(editable and self._goal_id is not None)
            self.add_action_button.setEnabled(editable and self._goal_id is not None)
            self.remove_action_button.setEnabled(editable and self._action_id is not None)
        finally:
            self._refreshing = False


def _with_goal(plan: FamilyPlan, goal: PlanGoal) -> FamilyPlan:
    return plan.replace(goals=tuple(goal if g.id == goal.id else g for g in plan.goals))
