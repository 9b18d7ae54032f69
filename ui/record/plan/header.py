"""The top of the Plan tab: the plan's summary line (version, when and where it was agreed, the
next review, how many goals and actions), the notices (no plan yet, what the plan still lacks,
time to review, the case is closed or reassigned so the plan is read-only), and the buttons that
act on the whole plan: start it, a new version, a TAF meeting, print or save it, close or reopen
the case.

A view: `show_plans` fills it and sets which buttons are offered; each button's press comes out
as a signal, and the tab asks the questions and does the writing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from db.plans import PlanRecord
from fmdesk.plans import date_text, plan_warnings
from ui.kit.announce import MessageLabel
from ui.kit.widgets import action_button

NOTICE_STYLE = "background: #fff4ce; padding: 6px; border-radius: 3px;"


class HeaderPanel(QWidget):
    """The summary line, the notices and the plan's buttons."""

    start_requested = Signal()
    new_version_requested = Signal()
    meeting_requested = Signal()
    pdf_requested = Signal()
    print_requested = Signal()
    close_requested = Signal()
    reopen_requested = Signal()

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Plan summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.notices = MessageLabel(self)  # said to a screen reader (issue 16)
        self.notices.setWordWrap(True)
        self.notices.setAccessibleName("Plan warnings")
        self.notices.setStyleSheet(NOTICE_STYLE)

        self.start_button = action_button(self, "&Start the plan", tip="Make version 1 of the plan")
        self.new_version_button = action_button(
            self,
            "New &version (review)…",
            "Ctrl+Shift+V",  # Ctrl+R is the Star tab's Take a reading
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

        # No margin of its own, so the tab lays it out as if its rows were the tab's own.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.notices)
        layout.addLayout(buttons)

        self.start_button.clicked.connect(self.start_requested)
        self.new_version_button.clicked.connect(self.new_version_requested)
        self.meeting_button.clicked.connect(self.meeting_requested)
        self.pdf_button.clicked.connect(self.pdf_requested)
        self.print_button.clicked.connect(self.print_requested)
        self.close_button.clicked.connect(self.close_requested)
        self.reopen_button.clicked.connect(self.reopen_requested)

    def show_plans(self, plans: PlanRecord | None) -> None:
        """Show the summary and notices of `plans` (None: nothing yet) and offer the buttons
        that apply: a closed or reassigned family's plan can be printed, not changed."""
        self._show_summary_and_notices(plans)
        current = plans.current if plans else None
        closed = plans is not None and plans.family.is_read_only
        editable = plans is not None and not closed
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
        # Qt activates a hidden widget's layout only when it is shown, so while the tab is
        # hidden its layout would keep this panel's old size (the notices shown or not) and
        # size the window by it when the tab comes up: say now that the size may have changed.
        self.updateGeometry()

    def _show_summary_and_notices(self, plans: PlanRecord | None) -> None:
        notices: list[str] = []
        current = plans.current if plans else None
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
