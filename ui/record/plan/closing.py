"""The Plan tab's "Closing" panel: the latest closing summary (when and why the case closed, the
outcomes at closure, support that carries on, moving on in the family's words), or a line saying
the case is open, and the summary to print or save as a PDF.

A view: the tab hands it the plans and the framework's problem names (`show_plans`) and hears
`print_asked` and `pdf_asked`. Closing and reopening are the tab's (the header's buttons).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from db.plans import PlanRecord
from fmdesk.plans import date_text
from ui.kit.widgets import action_button


class ClosingPanel(QWidget):
    """The latest closing summary above its print and PDF buttons."""

    print_asked = Signal()  # print the closing summary
    pdf_asked = Signal()  # save it as a PDF

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.closure_text = QLabel(self)
        self.closure_text.setWordWrap(True)
        self.closure_text.setTextFormat(Qt.TextFormat.RichText)
        self.closure_text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.closure_text.setAccessibleName("Closing summary")
        self.print_closure_button = action_button(
            self, "Print closing summary…", tip="See the closing summary, then print it"
        )
        self.closure_pdf_button = action_button(self, "Save closing summary as PDF…")
        layout = QVBoxLayout(self)
        layout.addWidget(self.closure_text, 1)
        row = QHBoxLayout()
        row.addWidget(self.print_closure_button)
        row.addWidget(self.closure_pdf_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.print_closure_button.clicked.connect(self.print_asked)
        self.closure_pdf_button.clicked.connect(self.pdf_asked)

    def show_plans(self, plans: PlanRecord | None, *, problem_names: Mapping[str, str]) -> None:
        """Show the latest closing summary of `plans`, naming its problems from `problem_names`
        (code -> name)."""
        closure = plans.latest_closure if plans else None
        self.closure_pdf_button.setEnabled(closure is not None)
        self.print_closure_button.setEnabled(closure is not None)
        if closure is None:
            self.closure_text.setText(
                "The case has not been closed. Close it with "
                "“Close the case…” when the work with the family ends."
            )
            return
        names = problem_names
        parts = [f"<h3>Closed on {date_text(closure.closed_on)}: {closure.reason.label}</h3>"]
        if plans is not None and not plans.family.is_read_only:
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


def _html(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )
