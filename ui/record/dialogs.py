"""The family record's small dialogs: new family, record consent, change status. Each keeps a
draft of what is typed and asks before Cancel throws typing away (ui/kit/dialogs.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from fmdesk.families import (
    TRANSITIONS,
    ClosureReason,
    ConsentKind,
    Family,
    FamilyStatus,
    Person,
)
from ui.kit.dialogs import DraftDialog, DraftKeeper
from ui.kit.widgets import date_edit


class NewFamilyDialog(DraftDialog):
    def __init__(
        self,
        suggested_reference: str,
        parent: QWidget | None = None,
        *,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__("New family", parent, drafts=drafts)
        self.reference = QLineEdit(suggested_reference, self)
        self.reference.setAccessibleName("Case reference")
        self.reference.setToolTip(
            "This laptop's next reference: its code in the middle means no other laptop makes "
            "the same one"
        )
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Family name")
        self.name.setPlaceholderText("e.g. Khan family")
        self.case_id = QLineEdit(self)
        self.case_id.setAccessibleName("Case system ID")
        self.case_id.setPlaceholderText("Optional: the family's ID in EHM, Mosaic...")
        self.form.addRow("Case &reference:", self.reference)
        self.form.addRow("Family &name:", self.name)
        self.form.addRow("Case system &ID:", self.case_id)
        self.finish_layout()
        self.name.setFocus()

    def check(self) -> str:
        if not self.reference.text().strip():
            return "Give the case a reference."
        if not self.name.text().strip():
            return "Give the family a name, e.g. 'Khan family'."
        return ""


class ConsentDialog(DraftDialog):
    def __init__(
        self,
        people: Sequence[Person],
        parent: QWidget | None = None,
        *,
        drafts: DraftKeeper | None = None,
    ) -> None:
        super().__init__("Record consent", parent, drafts=drafts)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Consent to")
        for k in ConsentKind:
            self.kind.addItem(k.label, k)
        self.person = QComboBox(self)
        self.person.setAccessibleName("Given by")
        for p in people:  # not someone recorded in error
            if p.role.value != "child" and p.in_household and not p.in_error:
                self.person.addItem(p.display_name, p.id)
        self.person.addItem("The family (recorded jointly)", "")
        self.given = date_edit(self, "Date given", happened=True)
        self.notes = QLineEdit(self)
        self.notes.setAccessibleName("Notes")
        self.form.addRow("Consent &to:", self.kind)
        self.form.addRow("Given &by:", self.person)
        self.form.addRow("&Date given:", self.given)
        self.form.addRow("N&otes:", self.notes)
        self.finish_layout()

    def values(self) -> tuple[ConsentKind, str, dt.date, str]:
        # Qt hands StrEnum data back as plain str, hence the enum constructors here.
        return (
            ConsentKind(self.kind.currentData()),
            self.person.currentData(),
            self.given.date().toPython(),
            self.notes.text().strip(),
        )  # type: ignore[return-value]


class StatusDialog(DraftDialog):
    """Move the family on. Closing goes on to the closing summary (the Plan tab's "Close the
    case…", so a case is closed one way only); reopening needs a reason."""

    def __init__(
        self, family: Family, parent: QWidget | None = None, *, drafts: DraftKeeper | None = None
    ) -> None:
        super().__init__("Change status", parent, drafts=drafts)
        self.family = family
        self.form.addRow(QLabel(f"Now: <b>{family.status.label}</b>", self))
        self.to = QComboBox(self)
        self.to.setAccessibleName("New status")
        for s in FamilyStatus:
            if s in TRANSITIONS[family.status]:
                self.to.addItem(
                    "Reopen (active)" if family.status is FamilyStatus.CLOSED else s.label, s
                )
        self.closure = QComboBox(self)
        self.closure.setAccessibleName("Reason for closing")
        for r in ClosureReason:
            self.closure.addItem(r.label, r)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(80)
        self.on = date_edit(self, "Date", happened=True)
        self.form.addRow("&New status:", self.to)
        self.closure_label = QLabel("Reason for &closing:", self)
        self.closure_label.setBuddy(self.closure)
        self.form.addRow(self.closure_label, self.closure)
        self.reason_label = QLabel("&Why (in words):", self)
        self.reason_label.setBuddy(self.reason)
        self.form.addRow(self.reason_label, self.reason)
        self.form.addRow("&Date:", self.on)
        self.closing_note = QLabel(
            "Next comes the closing summary: what changed, the outcomes at closure, the "
            "support that carries on and the family's own words on moving on. After closing, "
            "the family's record is read-only until the case is reopened.",
            self,
        )
        self.closing_note.setWordWrap(True)
        self.form.addRow(self.closing_note)
        self.finish_layout()
        self.to.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        closing = FamilyStatus(self.to.currentData()) is FamilyStatus.CLOSED
        self.closure.setVisible(closing)
        self.closure_label.setVisible(closing)
        self.closing_note.setVisible(closing)
        # The closing summary holds the words on why; the reason here is for other moves.
        self.reason.setVisible(not closing)
        self.reason_label.setVisible(not closing)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Next: closing summary…" if closing else "OK")

    def check(self) -> str:
        if self.family.status is FamilyStatus.CLOSED and not self.reason.toPlainText().strip():
            return "Say why the case is being reopened."
        return ""

    def values(self) -> tuple[FamilyStatus, ClosureReason | None, str, dt.date]:
        to = FamilyStatus(self.to.currentData())
        closing = to is FamilyStatus.CLOSED
        closure = ClosureReason(self.closure.currentData()) if closing else None
        reason = "" if closing else self.reason.toPlainText().strip()
        return to, closure, reason, self.on.date().toPython()  # type: ignore[return-value]
