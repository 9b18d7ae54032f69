"""The top of the Outcomes tab: the family's outcomes framework (or, with none, a choice of the
frameworks this store has and a button to attach one), the notices (the framework is missing,
the case is read-only, the readiness warnings), and where the family stands: eligibility with
its reason and the claim state with what is still needed.

A view: `show_outcomes` fills it, and `attach_requested(ref)` says which framework version the
user asked to attach; the tab does the writing.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from db.outcomes import FamilyOutcomes
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.models import show_date
from ui.kit.widgets import action_button


class SummaryPanel(QWidget):
    """The framework line, the notices and the "Where the family stands" box."""

    attach_requested = Signal(str)  # the ref of the framework version chosen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework_label = QLabel(self)
        self.framework_label.setAccessibleName("Outcomes framework")
        self.framework_label.setTextFormat(Qt.TextFormat.RichText)
        self.framework_choice = QComboBox(self)
        self.framework_choice.setAccessibleName("Framework to attach")
        self.attach_button = action_button(
            self, "Attach &framework", tip="Judge this family under the chosen framework version"
        )
        top = QHBoxLayout()
        top.addWidget(self.framework_label, 1)
        top.addWidget(self.framework_choice)
        top.addWidget(self.attach_button)

        self.notice = MessageLabel(self)  # said to a screen reader (issue 16)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Outcomes notices")
        self.notice.setStyleSheet(notice_style())
        self.eligibility_label = QLabel(self)
        self.eligibility_label.setWordWrap(True)
        self.eligibility_label.setAccessibleName("Eligibility")
        self.eligibility_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.claim_label = QLabel(self)
        self.claim_label.setWordWrap(True)
        self.claim_label.setTextFormat(Qt.TextFormat.RichText)
        self.claim_label.setAccessibleName("Claim readiness")
        standing = QGroupBox("Where the family stands", self)
        standing_layout = QVBoxLayout(standing)
        standing_layout.addWidget(self.eligibility_label)
        standing_layout.addWidget(self.claim_label)

        # No margin of its own, so the tab lays it out as if its rows were the tab's own.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(standing)

        self._writable = False
        self.attach_button.clicked.connect(self._attach)

    def show_outcomes(
        self, outcomes: FamilyOutcomes | None, *, read_only: bool, read_only_reason: str = ""
    ) -> None:
        """Show `outcomes` (None: nothing yet); `read_only_reason` (the case is closed...) is
        given when the family cannot be changed here, and shown as a notice."""
        self._writable = outcomes is not None and not read_only
        framework = outcomes.framework if outcomes else None
        readiness = outcomes.readiness if outcomes else None
        self._show_framework(outcomes)

        notices = []
        if outcomes is not None and outcomes.problem and framework is not None:
            notices.append(outcomes.problem)
        if read_only_reason:
            notices.append(f"{read_only_reason}: its outcomes can be read, not changed.")
        if readiness is not None:
            notices.extend(readiness.warnings)
        self.notice.setText(" ".join(notices))
        self.notice.setVisible(bool(notices))

        if outcomes is None or readiness is None:
            self.eligibility_label.setText(outcomes.problem if outcomes else "")
            self.claim_label.clear()
        else:
            result = readiness.eligibility
            text = result.reason[0].upper() + result.reason[1:]
            if result.shortfall:
                text += f". {result.shortfall}"
            self.eligibility_label.setText(text)
            self.claim_label.setText(_claim_html(outcomes))
        self.attach_button.setEnabled(self._writable and self.framework_choice.count() > 0)
        self.framework_choice.setEnabled(self._writable)

    def _show_framework(self, outcomes: FamilyOutcomes | None) -> None:
        framework = outcomes.framework if outcomes else None
        attached = bool(outcomes and outcomes.family.framework)
        if framework is not None:
            self.framework_label.setText(f"<b>{framework.name}</b> · {framework.ref}")
        elif attached and outcomes is not None:
            self.framework_label.setText(
                f"Attached under <b>{outcomes.family.framework}</b>, which this computer does "
                "not have."
            )
        elif outcomes is not None:
            self.framework_label.setText("<b>No framework attached.</b> Choose one:")
        else:
            self.framework_label.clear()
        with QSignalBlocker(self.framework_choice):
            chosen = self.framework_choice.currentData()
            self.framework_choice.clear()
            for item in outcomes.frameworks if outcomes else ():
                self.framework_choice.addItem(f"{item.name} ({item.ref})", item.ref)
            self.framework_choice.setCurrentIndex(max(self.framework_choice.findData(chosen), 0))
        self.framework_choice.setVisible(outcomes is not None and not attached)
        self.attach_button.setVisible(outcomes is not None and not attached)

    def _attach(self) -> None:
        ref = self.framework_choice.currentData()
        if self._writable and ref:
            self.attach_requested.emit(ref)


def _claim_html(outcomes: FamilyOutcomes) -> str:
    readiness = outcomes.readiness
    assert readiness is not None
    parts = [f"Claim: <b>{readiness.status.label}</b>"]
    if readiness.claim is not None:
        batch = f" in batch {readiness.claim.batch}" if readiness.claim.batch else ""
        parts[0] += f" on {show_date(readiness.claim.claimed_on)}{batch}"
    elif readiness.route:
        parts[0] += f" (by {readiness.route})"
    if readiness.uses_equivalent_progress:
        parts.append(
            "Equivalent progress, a named approver's decision, is counted for a problem "
            "(see Outcomes and claim)."
        )
    if readiness.missing:
        items = "".join(f"<li>{escape(m, quote=False)}</li>" for m in readiness.missing)
        parts.append(f"Still needed:<ul style='margin-top:0'>{items}</ul>")
    return "<br>".join(parts)
