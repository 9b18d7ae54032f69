"""Dialogs for the plan's discrete steps: a new version (review), a team member, a TAF meeting,
closing the case with its summary, and reopening it. Each returns values; the Plan tab builds the
records with the core's functions and saves them in a Task."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from fmdesk.closure import ContinuingSupport, OutcomeAtClosure, OutcomeResult, closure_warnings
from fmdesk.families import ClosureReason, Person
from fmdesk.plans import REVIEW, REVIEW_INTERVAL, FamilyPlan
from fmdesk.taf import ReviewRating, TafMember
from ui.kit.dialogs import DraftDialog, DraftKeeper, FormDialog
from ui.kit.forms import OptionalDateEdit
from ui.kit.widgets import DateEdit, ask, date_edit

SUPPORT_ROWS = 3
# Offered for printed pages (the Government Security Classifications); any other can be typed.
MARKINGS = ("OFFICIAL-SENSITIVE", "OFFICIAL")
E = TypeVar("E", bound=enum.Enum)


def _day(edit: DateEdit) -> dt.date:
    return edit.date().toPython()  # type: ignore[return-value]


def _enum(kind: type[E], value: object) -> E | None:
    """A combo box's data as the enum it was added as: Qt hands a StrEnum back as plain str."""
    return None if value is None else kind(value)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _multiline(parent: QWidget, label: str, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setAccessibleName(label)
    edit.setPlaceholderText(placeholder)
    edit.setMaximumHeight(80)
    return edit


class NewVersionDialog(DraftDialog):
    """A review: the date it was agreed, where, and when the next review is."""

    def __init__(
        self,
        current: FamilyPlan,
        today: dt.date,
        parent: QWidget | None = None,
        *,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__(
            f"New version of the plan (version {current.version + 1})", parent, drafts=drafts
        )
        self.current = current
        self.form.addRow(
            QLabel(
                "The goals and actions carry over; change them in the new version and the "
                "differences are listed under 'Versions and changes'.",
                self,
            )
        )
        self.made_on = date_edit(self, "Date agreed", max(today, current.made_on))
        self.made_at = QLineEdit(REVIEW, self)
        self.made_at.setAccessibleName("Where it was agreed")
        self.next_review = OptionalDateEdit("Next review", self)
        self.next_review.set_value(max(today, current.made_on) + REVIEW_INTERVAL)
        self.form.addRow("&Agreed on:", self.made_on)
        self.form.addRow("&Where:", self.made_at)
        self.form.addRow("&Next review:", self.next_review)
        self.finish_layout()

    def check(self) -> str:
        if _day(self.made_on) < self.current.made_on:
            return "The new version cannot be dated before the version it follows."
        review = self.next_review.value()
        if review is not None and review < _day(self.made_on):
            return "The next review cannot be before the plan is agreed."
        return ""

    def values(self) -> tuple[dt.date, str, dt.date | None]:
        return _day(self.made_on), self.made_at.text().strip(), self.next_review.value()


class MemberDialog(DraftDialog):
    def __init__(
        self, today: dt.date, parent: QWidget | None = None, *, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__("Add to the team around the family", parent, drafts=drafts)
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Name")
        self.role = QLineEdit(self)
        self.role.setAccessibleName("Role")
        self.role.setPlaceholderText("e.g. School nurse")
        self.agency = QLineEdit(self)
        self.agency.setAccessibleName("Agency")
        self.agency.setPlaceholderText("e.g. Community health")
        self.contact = QLineEdit(self)
        self.contact.setAccessibleName("Contact")
        self.contact.setPlaceholderText("Phone or email")
        self.joined = date_edit(self, "Joined on", today, happened=True)
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Role:", self.role)
        self.form.addRow("&Agency:", self.agency)
        self.form.addRow("&Contact:", self.contact)
        self.form.addRow("&Joined on:", self.joined)
        self.finish_layout()

    def check(self) -> str:
        if not self.name.text().strip():
            return "Give the team member's name."
        if not self.agency.text().strip():
            return "Say which agency they are from."
        return ""

    def member(self, family_id: str) -> TafMember:
        return TafMember(
            family_id=family_id,
            name=self.name.text().strip(),
            role=self.role.text().strip(),
            agency=self.agency.text().strip(),
            contact=self.contact.text().strip(),
            joined_on=_day(self.joined),
        )


class MeetingDialog(DraftDialog):
    """Who came, how things are going, what was decided, and whether it makes a new version."""

    def __init__(
        self,
        number: int,
        people: Sequence[Person],
        members: Sequence[TafMember],
        has_plan: bool,
        today: dt.date,
        parent: QWidget | None = None,
        *,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__(f"Team Around the Family meeting {number}", parent, drafts=drafts)
        self.held_on = date_edit(self, "Date of the meeting", today, happened=True)
        self.place = QLineEdit(self)
        self.place.setAccessibleName("Where")
        self.came: list[tuple[QCheckBox, str, str]] = []  # box, "person" or "member", id
        attendance = QWidget(self)
        grid = QGridLayout(attendance)
        grid.setContentsMargins(0, 0, 0, 0)
        live = (p for p in people if p.in_household and not p.deleted and not p.in_error)
        for i, person in enumerate(live):
            box = QCheckBox(person.display_name, attendance)
            self.came.append((box, "person", person.id))
            grid.addWidget(box, i, 0)
        for i, member in enumerate(members):
            box = QCheckBox(f"{member.name} ({member.agency})", attendance)
            self.came.append((box, "member", member.id))
            grid.addWidget(box, i, 1)
        self.others = QLineEdit(self)
        self.others.setAccessibleName("Others who came")
        self.others.setPlaceholderText("Anyone else, separated by commas")
        self.apologies = QLineEdit(self)
        self.apologies.setAccessibleName("Apologies")
        self.apologies.setPlaceholderText("Who sent apologies, separated by commas")
        self.rating = QComboBox(self)
        self.rating.setAccessibleName("How are things going")
        self.rating.addItem("Not asked", None)
        for rating in ReviewRating:
            self.rating.addItem(rating.label, rating)
        self.family_views = _multiline(self, "What the family said", "In their words")
        self.decisions = _multiline(self, "Decisions", "One decision a line")
        self.next_meeting = OptionalDateEdit("Next meeting", self)
        self.makes_version = QCheckBox("This meeting makes a new version of the plan", self)
        self.makes_version.setChecked(has_plan)
        self.makes_version.setEnabled(has_plan)
        self.form.addRow("&Date:", self.held_on)
        self.form.addRow("&Where:", self.place)
        self.form.addRow("Who &came:", attendance)
        self.form.addRow("&Others:", self.others)
        self.form.addRow("A&pologies:", self.apologies)
        self.form.addRow("How are things &going:", self.rating)
        self.form.addRow("What the &family said:", self.family_views)
        self.form.addRow("D&ecisions:", self.decisions)
        self.form.addRow("&Next meeting:", self.next_meeting)
        self.form.addRow(self.makes_version)
        self.finish_layout()

    def check(self) -> str:
        after = self.next_meeting.value()
        if after is not None and after <= _day(self.held_on):
            return "The next meeting must be after this one."
        return ""

    def attendance(self, kind: str) -> tuple[str, ...]:
        return tuple(ident for box, k, ident in self.came if k == kind and box.isChecked())

    def fields(self) -> dict[str, Any]:
        """The TafMeeting fields the dialog sets."""

        def listed(text: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in text.split(",") if p.strip())

        return {
            "held_on": _day(self.held_on),
            "place": self.place.text().strip(),
            "person_ids": self.attendance("person"),
            "member_ids": self.attendance("member"),
            "others": listed(self.others.text()),
            "apologies": listed(self.apologies.text()),
            "rating": _enum(ReviewRating, self.rating.currentData()),
            "family_views": self.family_views.toPlainText().strip(),
            "decisions": _lines(self.decisions.toPlainText()),
            "next_meeting": self.next_meeting.value(),
        }


class CloseCaseDialog(DraftDialog):
    """The closing summary: why, where each problem ended up, what carries on, and the family's
    own words on moving on. Things worth a second look are listed but never block closing."""

    def __init__(
        self,
        plan: FamilyPlan | None,
        problem_names: Mapping[str, str],
        people: Sequence[Person],
        today: dt.date,
        parent: QWidget | None = None,
        *,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__("Close the case", parent, drafts=drafts)
        self.plan = plan
        self.closed_on = date_edit(self, "Date closed", today, happened=True)
        self.reason = QComboBox(self)
        self.reason.setAccessibleName("Reason for closing")
        for reason in ClosureReason:
            self.reason.addItem(reason.label, reason)
        self.summary = _multiline(self, "What changed", "What changed for the family, briefly")
        self.form.addRow("&Closed on:", self.closed_on)
        self.form.addRow("&Reason:", self.reason)
        self.form.addRow("What &changed:", self.summary)

        self.outcomes: list[tuple[str, QComboBox, QLineEdit]] = []
        problems = plan.problems if plan is not None else ()
        if problems:
            box = QWidget(self)
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            for row, code in enumerate(problems):
                name = problem_names.get(code) or f"Problem {code}"
                result = QComboBox(box)
                result.setAccessibleName(f"Outcome for {name}")
                result.addItem("Not recorded", None)
                for option in OutcomeResult:
                    result.addItem(option.label, option)
                note = QLineEdit(box)
                note.setAccessibleName(f"Note on {name}")
                note.setPlaceholderText("Evidence or a note")
                grid.addWidget(QLabel(name, box), row, 0)
                grid.addWidget(result, row, 1)
                grid.addWidget(note, row, 2)
                self.outcomes.append((code, result, note))
                result.currentIndexChanged.connect(self._show_warnings)
            self.form.addRow("&Outcomes at closure:", box)

        self.support: list[tuple[QLineEdit, QLineEdit, QLineEdit]] = []
        support_box = QWidget(self)
        support_layout = QGridLayout(support_box)
        support_layout.setContentsMargins(0, 0, 0, 0)
        for row in range(SUPPORT_ROWS):
            cells = []
            for col, (label, hint) in enumerate(
                (
                    ("Service", "e.g. Family hub"),
                    ("What they offer", "e.g. Stay and play"),
                    ("How to reach them", "Phone or email"),
                )
            ):
                edit = QLineEdit(support_box)
                edit.setAccessibleName(f"{label} {row + 1}")
                edit.setPlaceholderText(hint)
                support_layout.addWidget(edit, row, col)
                cells.append(edit)
            self.support.append((cells[0], cells[1], cells[2]))
        self.form.addRow("&Support that carries on:", support_box)

        self.moving_on = _multiline(
            self,
            "Moving on, in the family's words",
            "What the family said about moving on, as they said it",
        )
        self.moving_on_from = QComboBox(self)
        self.moving_on_from.setEditable(True)
        self.moving_on_from.setAccessibleName("Who said it")
        self.moving_on_from.addItem("")
        for person in people:
            if person.in_household and not person.deleted and not person.in_error:
                self.moving_on_from.addItem(person.display_name)
        self.form.addRow("&Moving on, in their words:", self.moving_on)
        self.form.addRow("Who &said it:", self.moving_on_from)
        self.warnings = QLabel(self)
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Before closing")
        self.warnings.setStyleSheet("background: #fff4ce; padding: 4px;")
        self.form.addRow(self.warnings)
        self.finish_layout()
        self.moving_on.textChanged.connect(self._show_warnings)
        self._show_warnings()

    def preset(
        self, *, reason: ClosureReason | None = None, closed_on: dt.date | None = None
    ) -> None:
        """Start from a reason and date already chosen (the family page's Change status)."""
        if reason is not None:
            self.reason.setCurrentIndex(self.reason.findData(reason))
        if closed_on is not None:
            self.closed_on.setDate(QDate(closed_on.year, closed_on.month, closed_on.day))

    def outcome_rows(self) -> list[OutcomeAtClosure]:
        rows = []
        for code, result, note in self.outcomes:
            if result.currentData() is not None:
                rows.append(
                    OutcomeAtClosure(
                        problem=code,
                        result=OutcomeResult(result.currentData()),
                        note=note.text().strip(),
                    )
                )
        return rows

    def support_rows(self) -> list[ContinuingSupport]:
        return [
            ContinuingSupport(
                service=s.text().strip(), what=w.text().strip(), contact=c.text().strip()
            )
            for s, w, c in self.support
            if s.text().strip()
        ]

    def _show_warnings(self, *_: object) -> None:
        found = closure_warnings(self.plan, self.outcome_rows(), self.moving_on.toPlainText())
        self.warnings.setText(
            "Worth a second look (you can still close): " + " ".join(found) if found else ""
        )
        self.warnings.setVisible(bool(found))

    def check(self) -> str:
        for s, w, c in self.support:
            if not s.text().strip() and (w.text().strip() or c.text().strip()):
                return "Name the service for each line of support that carries on."
        return ""

    def missing(self) -> list[str]:
        """What a closing summary would lack, to ask about before closing: the words on what
        changed, and actions still open (each named)."""
        found = []
        if not self.summary.toPlainText().strip():
            found.append("Nothing is written under 'What changed'.")
        still_open = [a for a in self.plan.actions if a.status.is_open] if self.plan else []
        if still_open:
            listed = "; ".join(f"'{a.what or 'an action with no words'}'" for a in still_open)
            count = len(still_open)
            found.append(
                f"{count} action{'' if count == 1 else 's'} in the plan "
                f"{'is' if count == 1 else 'are'} not done or dropped: {listed}."
            )
        return found

    def confirm(self) -> bool:
        """Closing with what changed unwritten or actions open asks first, saying what is
        missing; Go back (the default) keeps the dialog open with everything typed."""
        found = self.missing()
        if not found:
            return True
        if ask(
            self,
            "Close the case?",
            "The closing summary is missing things:\n\n"
            + "\n".join(f"• {line}" for line in found)
            + "\n\nClose the case anyway, or go back and fill them in?",
            go="&Close anyway",
            stay="&Go back",
            icon=QMessageBox.Icon.Warning,
        ):
            return True
        self.problem.setText("Not closed yet: " + " ".join(found))
        return False

    def values(self) -> dict[str, Any]:
        """Keyword arguments for `fmdesk.closure.close_family`."""
        return {
            "on": _day(self.closed_on),
            "reason": ClosureReason(self.reason.currentData()),
            "summary": self.summary.toPlainText(),
            "outcomes": self.outcome_rows(),
            "continuing_support": self.support_rows(),
            "moving_on": self.moving_on.toPlainText(),
            "moving_on_from": self.moving_on_from.currentText(),
        }


class PdfOptionsDialog(FormDialog):
    """Before printing or saving a PDF: the protective marking printed at the top and foot of
    every page and, when saving, an optional password to open the file (typed twice)."""

    def __init__(
        self, title: str, marking: str, *, password: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        self.marking = QComboBox(self)
        self.marking.setEditable(True)
        self.marking.setAccessibleName("Protective marking")
        self.marking.addItems(MARKINGS)
        self.marking.setCurrentText(marking)
        self.form.addRow("Protective &marking:", self.marking)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to open the PDF")
        self.password.setPlaceholderText("Leave blank for none")
        self.again = QLineEdit(self)
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("The password again")
        if password:
            self.form.addRow(
                QLabel("A password to open the PDF, to give the family separately:", self)
            )
            self.form.addRow("&Password:", self.password)
            self.form.addRow("&Again:", self.again)
        else:
            self.password.hide()
            self.again.hide()
        self.finish_layout()

    def check(self) -> str:
        if not self.marking.currentText().strip():
            return "Give the protective marking, e.g. OFFICIAL-SENSITIVE."
        if self.password.text() != self.again.text():
            return "The two passwords are not the same: type the password again."
        return ""

    def values(self) -> tuple[str, str | None]:
        """(the marking, the password or None)."""
        return self.marking.currentText().strip(), self.password.text() or None


class ReopenDialog(DraftDialog):
    def __init__(
        self, today: dt.date, parent: QWidget | None = None, *, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__("Reopen the case", parent, drafts=drafts)
        self.on = date_edit(self, "Date reopened", today, happened=True)
        self.reason = _multiline(self, "Why it is reopening", "e.g. New concerns from school")
        self.form.addRow("&Date:", self.on)
        self.form.addRow("&Why:", self.reason)
        self.finish_layout()

    def check(self) -> str:
        return "" if self.reason.toPlainText().strip() else "Say why the case is being reopened."

    def values(self) -> tuple[dt.date, str]:
        return _day(self.on), self.reason.toPlainText().strip()
