"""The Plan tab's "Team around the family" panel: the workers in the team (name, role, agency,
contact, when they joined and left) and the TAF meetings (who came, what was decided, the plan
version a meeting made), each with a form that saves itself, and the chosen meeting's record to
print or save as a PDF.

A view: the tab hands it the plans (`show_plans`); the panel keeps the chosen member and meeting,
asks for a new member itself (`MemberDialog`), and tells the tab what to save or remove
(`team_saved`, `team_removed`) and which meeting's record to print or save (`meeting_print_asked`,
`meeting_pdf_asked`). Recording a meeting is the tab's (the header's "TAF meeting…").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QVBoxLayout, QWidget

from db.plans import PlanRecord
from fmdesk.errors import UserError
from fmdesk.plans import date_text
from fmdesk.taf import TafMeeting, TafMember
from ui.kit.dialogs import DraftKeeper, reopens
from ui.kit.errors import show_error
from ui.kit.forms import Field, RecordForm
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.widgets import (
    action_button,
    button_row,
    column,
    list_beside_editor,
    record_table,
    scrolling,
)
from ui.record.plan.dialogs import MemberDialog
from ui.record.plan.rows import index_of, select_row, show_in_editor

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
MEMBER_COLUMNS: tuple[Column[TafMember], ...] = (
    Column("Name", lambda m: m.name),
    Column("Role", lambda m: m.role),
    Column("Agency", lambda m: m.agency),
    Column("Contact", lambda m: m.contact),
    Column("Left on", lambda m: m.left_on),
)


class TeamPanel(QWidget):
    """The team and the meetings, each list beside its form. Ctrl+Shift+F adds a member."""

    # A tuple of TafMember and TafMeeting records to save (edited in a form, or a new member);
    # the tab reads the team back after (a meeting numbers itself and may make a plan version).
    team_saved = Signal(object)
    # A TafMember to take off the team.
    team_removed = Signal(object)
    # The TafMeeting whose record to print, or to save as a PDF.
    meeting_print_asked = Signal(object)
    meeting_pdf_asked = Signal(object)

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Where a dialog's draft is kept (the tab gives it: the panel never sees the store).
        self.keep_drafts: Callable[[str], DraftKeeper | None] | None = None
        self.today = today
        self._plans: PlanRecord | None = None
        self._editable = False
        self._member_id: str | None = None
        self._meeting_id: str | None = None
        self._refreshing = False
        # Choosing a row shows it a moment later: the tables are not reset from inside their
        # own selection change.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._show)

        self.member_model: RowTableModel[TafMember] = RowTableModel(MEMBER_COLUMNS, self)
        self.members_view = record_table(self, "Team members")
        self.members_view.setModel(self.member_model)
        self.member_form = RecordForm(MEMBER_FIELDS, self)
        self.add_member_button = action_button(
            self, "Add team member…", "Ctrl+Shift+F"
        )  # Ctrl+Shift+T: Untick
        self.remove_member_button = action_button(self, "Remove from team")
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
        self.meetings_view = record_table(self, "Meetings")
        self.meetings_view.setModel(self.meeting_model)
        self.meeting_details = QLabel(self)
        self.meeting_details.setWordWrap(True)
        self.meeting_details.setAccessibleName("Meeting details")
        self.meeting_form = RecordForm(MEETING_FIELDS, self)
        self.print_meeting_button = action_button(
            self, "Print meeting record…", tip="See the chosen meeting's record, then print it"
        )
        self.meeting_pdf_button = action_button(self, "Save meeting record as PDF…")

        member_box = QGroupBox("Team member", self)
        QVBoxLayout(member_box).addWidget(self.member_form)
        meeting_box = QGroupBox("Meeting", self)
        meeting_layout = QVBoxLayout(meeting_box)
        meeting_layout.addWidget(self.meeting_details)
        meeting_layout.addWidget(self.meeting_form)
        left = column(
            self,
            QLabel("Who is in the team", self),
            (self.members_view, 1),
            button_row(self.add_member_button, self.remove_member_button),
            QLabel("Meetings", self),
            (self.meetings_view, 1),
            button_row(self.print_meeting_button, self.meeting_pdf_button),
        )
        # The forms scroll on a small screen, so the buttons under the lists stay in sight
        # (issue 16).
        list_beside_editor(self, left, scrolling(column(self, member_box, meeting_box), self))

        self.members_view.selectionModel().currentRowChanged.connect(self._member_chosen)
        self.meetings_view.selectionModel().currentRowChanged.connect(self._meeting_chosen)
        self.member_form.edited.connect(lambda r: self.team_saved.emit((r,)))
        self.meeting_form.edited.connect(lambda r: self.team_saved.emit((r,)))
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        self.print_meeting_button.clicked.connect(self._print_meeting)
        self.meeting_pdf_button.clicked.connect(self._save_meeting_pdf)

    # ---- the tab's calls -----------------------------------------------------------------

    def show_plans(self, plans: PlanRecord | None, *, read_only: bool) -> None:
        """Show the team and meetings of `plans`, keeping the member and meeting chosen (a form
        with unsaved typing keeps it); with `read_only` nothing can be changed."""
        self._plans = plans
        self._editable = plans is not None and not read_only
        self._show()

    def choose_meeting(self, meeting_id: str) -> None:
        """Select meeting `meeting_id` when it is next shown (one the tab has just recorded)."""
        self._meeting_id = meeting_id

    def flush(self) -> None:
        """Emit any typing not yet emitted."""
        self.member_form.flush()
        self.meeting_form.flush()

    def clear(self) -> None:
        """Forget the chosen member and meeting and empty the forms (another family, or lock)."""
        self._member_id = self._meeting_id = None
        self.member_form.load(None)
        self.meeting_form.load(None)

    # ---- what the user asks for ----------------------------------------------------------

    @reopens
    def add_member(self) -> None:
        if not self._editable or self._plans is None:
            return
        drafts = self.keep_drafts("team_member") if self.keep_drafts else None
        dialog = MemberDialog(self.today, self, drafts=drafts)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        member = dialog.member(self._plans.family.id)
        self._member_id = member.id
        self.team_saved.emit((member,))

    def remove_member(self) -> None:
        member = self.member_form.record
        if not self._editable or not isinstance(member, TafMember):
            return
        self.member_form.load(None)
        self._member_id = None
        self.team_removed.emit(member)

    def _chosen_meeting(self) -> TafMeeting | None:
        meetings = self._plans.meetings if self._plans else []
        index = index_of(meetings, self._meeting_id)
        if index is None:
            show_error(self, UserError("Choose the meeting to print from the list of meetings."))
            return None
        return meetings[index]

    def _print_meeting(self) -> None:
        meeting = self._chosen_meeting()
        if meeting is not None:
            self.meeting_print_asked.emit(meeting)

    def _save_meeting_pdf(self) -> None:
        meeting = self._chosen_meeting()
        if meeting is not None:
            self.meeting_pdf_asked.emit(meeting)

    # ---- choosing rows and showing -------------------------------------------------------

    def _member_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._member_id = current.data(ROW_ROLE).id
            self._refresh_timer.start()

    def _meeting_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._refreshing and current.isValid():
            self._meeting_id = current.data(ROW_ROLE).id
            self._refresh_timer.start()

    def _show(self) -> None:
        self._refresh_timer.stop()
        self._refreshing = True
        try:
            read_only = not self._editable
            plans = self._plans
            members = list(plans.members) if plans else []
            member = select_row(self.members_view, self.member_model, members, self._member_id)
            self._member_id = member.id if member else None
            show_in_editor(self.member_form, member, read_only)
            meetings = list(plans.meetings) if plans else []
            meeting = select_row(self.meetings_view, self.meeting_model, meetings, self._meeting_id)
            self._meeting_id = meeting.id if meeting else None
            show_in_editor(self.meeting_form, meeting, read_only)
            self.meeting_details.setText(
                self._meeting_text(meeting) if meeting else "No meetings recorded yet."
            )
            self.add_member_button.setEnabled(self._editable)
            self.remove_member_button.setEnabled(self._editable and self._member_id is not None)
            self.print_meeting_button.setEnabled(self._meeting_id is not None)
            self.meeting_pdf_button.setEnabled(self._meeting_id is not None)
        finally:
            self._refreshing = False

    def _meeting_text(self, meeting: TafMeeting) -> str:
        assert self._plans is not None
        names = self._plans.names
        members = {m.id: m.name for m in self._plans.members}
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
        versions = self._plans.versions if self._plans else []
        made = next((v for v in versions if v.id == meeting.plan_id), None)
        return f"Version {made.version}" if made else ""
