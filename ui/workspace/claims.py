"""The claims page (coordinator): families ready to claim with the evidence for each outcome,
today or as at an earlier day (the date box beside the heading), claim batches for a period that
has ended (judged as at its end), each batch through its life (submitted with who approved it,
paid or rejected by the funder, or a draft withdrawn, after asking), and its schedule as PDF or
CSV.

A family already claimed (a batch submitted or paid, or a claim from before) or held by a draft
batch is never offered again, and the store refuses it by name if asked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db import programme
from db.programme import ClaimsView
from fmdesk.claims import (
    BatchStatus,
    ClaimBatch,
    FamilyOutcomes,
    ScheduleRow,
    evidence_rows,
    money_text,
    parse_amount,
    turned_around_on,
)
from fmdesk.errors import UserError
from fmdesk.outcomes.dates import day_text
from fmdesk.programme import quarter_bounds, quarter_label
from fmdesk.roles import Role
from reports.claims import schedule_pdf
from ui.actions import documents
from ui.kit.errors import show_error
from ui.kit.models import Column, RowTableModel
from ui.kit.pages import WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import date_edit, make_table, selected_rows

READY_COLUMNS: tuple[Column[FamilyOutcomes], ...] = (
    Column("Reference", lambda o: o.family.reference),
    Column("Family", lambda o: o.family.name),
    Column("Practitioner", lambda o: o.family.lead_practitioner),
    Column("Route", lambda o: o.readiness.route if o.readiness else ""),
    Column("Results in", lambda o: turned_around_on(o)),
    Column("Framework", lambda o: o.readiness.framework if o.readiness else ""),
)
EVIDENCE_COLUMNS: tuple[Column[ScheduleRow], ...] = (
    Column("Problem", lambda r: r.problem),
    Column("Outcome", lambda r: r.outcome, tooltip=lambda r: r.outcome_text),
    Column("Basis", lambda r: r.basis),
    Column("Before", lambda r: r.before, tooltip=lambda r: r.before),
    Column("After", lambda r: r.after, tooltip=lambda r: r.after),
    Column("Source", lambda r: r.source, tooltip=lambda r: r.detail),
    Column("Dated", lambda r: r.evidence_date),
    Column("Sustained", lambda r: r.sustained_on),
    Column("Recorded by", lambda r: r.recorded_by),
    Column("About", lambda r: r.person or "Household"),
    Column("Approved by", lambda r: r.approved_by),
)
BATCH_COLUMNS: tuple[Column[ClaimBatch], ...] = (
    Column("Batch", lambda b: b.reference),
    Column("From", lambda b: b.period_start),
    Column("To", lambda b: b.period_end),
    Column("Families", lambda b: len(b.family_ids), align_right=True),
    Column("Status", lambda b: b.status, text=lambda s: s.label),
    Column("Made", lambda b: b.made_on, tooltip=lambda b: f"Made by {b.made_by}"),
    Column("Submitted", lambda b: b.submitted_on, tooltip=lambda b: b.submitted_by),
    Column("Approved by", lambda b: b.approved_by),
    Column("Funder", lambda b: result_text(b), tooltip=lambda b: b.rejection_reason),
)


def result_text(batch: ClaimBatch) -> str:
    """What the funder did: paid (the day, the amount) or rejected (the day, why)."""
    if batch.status is BatchStatus.PAID:
        amount = f", {money_text(batch.paid_pence)}" if batch.paid_pence is not None else ""
        return f"Paid {day_text(batch.paid_on)}{amount}"
    if batch.status is BatchStatus.REJECTED:
        return f"Rejected {day_text(batch.rejected_on)}: {batch.rejection_reason}"
    return ""


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last programme quarter that has ended by `today` (a claim period must be over)."""
    start, _ = quarter_bounds(today)
    return quarter_bounds(start - dt.timedelta(days=1))


def _py(edit: QDateEdit) -> dt.date:
    return cast(dt.date, edit.date().toPython())


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class BatchDialog(QDialog):
    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make a claim batch")
        start, end = last_quarter(dt.date.today())
        form = QFormLayout(self)
        form.addRow(QLabel(f"{count} famil{'y' if count == 1 else 'ies'} chosen."))
        note = QLabel("Each family is judged as at the last day of the period, which must be over.")
        note.setWordWrap(True)
        form.addRow(note)
        self.reference = QLineEdit(quarter_label(start), self)
        self.reference.setAccessibleName("Batch reference")
        form.addRow("&Reference:", self.reference)
        self.start = QDateEdit(QDate(start.year, start.month, start.day), self)
        self.end = QDateEdit(QDate(end.year, end.month, end.day), self)
        for edit, name in ((self.start, "Period starts"), (self.end, "Period ends")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        form.addRow("Period &from:", self.start)
        form.addRow("Period &to:", self.end)
        form.addRow(_buttons(self))

    def values(self) -> tuple[str, dt.date, dt.date]:
        return self.reference.text().strip(), _py(self.start), _py(self.end)


class SubmitDialog(QDialog):
    """The day a batch was sent to the funder and who signed it off."""

    def __init__(self, batch: ClaimBatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Mark {batch.reference} as submitted")
        form = QFormLayout(self)
        count = len(batch.family_ids)
        text = QLabel(
            f"Batch {batch.reference}, {count} famil{'y' if count == 1 else 'ies'}. Once "
            "submitted, its families are claimed from the day it was sent, and it cannot be "
            "withdrawn or changed."
        )
        text.setWordWrap(True)
        form.addRow(text)
        self.sent_on = date_edit(self, "Sent on")
        self.sent_on.setMaximumDate(QDate.currentDate())
        form.addRow("&Sent on:", self.sent_on)
        self.approved_by = QLineEdit(self)
        self.approved_by.setAccessibleName("Approved by")
        self.approved_by.setPlaceholderText("Who signed the claim off, e.g. the Head of Service")
        form.addRow("&Approved by:", self.approved_by)
        buttons = _buttons(self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.approved_by.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        form.addRow(buttons)

    def values(self) -> tuple[dt.date, str]:
        return _py(self.sent_on), self.approved_by.text().strip()


class ResultDialog(QDialog):
    """What the funder did with a submitted batch: paid (the day, the amount) or rejected
    (the day, the reason)."""

    def __init__(self, batch: ClaimBatch, *, paid: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paid = paid
        what = "paid" if paid else "rejected"
        self.setWindowTitle(f"Record {batch.reference} as {what}")
        form = QFormLayout(self)
        self.on = date_edit(self, f"{what.capitalize()} on")
        self.on.setMaximumDate(QDate.currentDate())
        form.addRow(f"{what.capitalize()} &on:", self.on)
        self.detail = QLineEdit(self)
        self.detail.setAccessibleName("Amount paid" if paid else "Reason")
        self.detail.setPlaceholderText(
            "In pounds, e.g. 12,800.00 (optional)" if paid else "The funder's reason"
        )
        form.addRow("&Amount:" if paid else "&Reason:", self.detail)
        buttons = _buttons(self)
        if not paid:
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
            ok.setEnabled(False)
            self.detail.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        form.addRow(buttons)

    def values(self) -> tuple[dt.date, str]:
        return _py(self.on), self.detail.text().strip()


class ClaimsPage(WorkspacePage):
    title = "C&laims"
    shortcut = "Ctrl+8"
    roles = (Role.COORDINATOR,)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.view: ClaimsView | None = None
        # What each claim is worth, by its framework's payment table (fmdesk/payments.py).
        ready_columns = (
            *READY_COLUMNS,
            Column(
                "Claim",
                self._family_pence,
                text=lambda p: money_text(p) if p is not None else "No amount",
                align_right=True,
                tooltip=lambda o: self.view.amount(o).basis if self.view else "",
            ),
        )
        batch_columns = (
            *BATCH_COLUMNS[:4],
            # A batch shows its families (issue 17): their references, names as the tooltip.
            Column(
                "Which families",
                lambda b: ", ".join(self._batch_family(i)[0] for i in b.family_ids),
                tooltip=lambda b: "\n".join(": ".join(self._batch_family(i)) for i in b.family_ids),
            ),
            Column(
                "Claims",
                lambda b: self.view.batch_total(b) if self.view else None,
                text=lambda p: money_text(p) if p is not None else "",
                align_right=True,
            ),
            *BATCH_COLUMNS[4:],
        )
        self.ready_model: RowTableModel[FamilyOutcomes] = RowTableModel(ready_columns, self)
        self.ready_table = make_table(self.ready_model, "Families ready to claim", multi=True)
        self.ready_table.selectionModel().selectionChanged.connect(self._show_evidence)
        self.ready_table.doubleClicked.connect(self._open_selected)
        self.evidence_model: RowTableModel[ScheduleRow] = RowTableModel(EVIDENCE_COLUMNS, self)
        self.evidence_table = make_table(
            self.evidence_model, "Evidence for each outcome", stretch=3
        )
        self.batch_model: RowTableModel[ClaimBatch] = RowTableModel(batch_columns, self)
        self.batch_table = make_table(self.batch_model, "Claim batches", stretch=0)
        self.ready_label = QLabel("<b>Ready to claim</b>")
        self.confirm_box: QMessageBox | None = None
        self.as_at = date_edit(self, "As at")
        self.as_at.setMaximumDate(QDate.currentDate())
        self.as_at.setToolTip(
            "Show the families ready to claim, and the batches, as they were at the end of "
            "this day."
        )
        self.as_at.dateChanged.connect(lambda _: self.refresh())

        self.batch_button = QPushButton("&Make batch from chosen…")
        self.submit_button = QPushButton("Mark &submitted…")
        self.paid_button = QPushButton("Record pa&id…")
        self.rejected_button = QPushButton("Record re&jected…")
        self.withdraw_button = QPushButton("&Withdraw draft…")
        self.pdf_button = QPushButton("Schedule &PDF…")
        self.csv_button = QPushButton("Schedule &CSV…")
        for button, slot, shortcut in (
            (self.batch_button, self.make_batch_from_selection, "Ctrl+B"),
            (self.submit_button, self.submit_selected, None),
            (self.paid_button, self.paid_selected, None),
            (self.rejected_button, self.rejected_selected, None),
            (self.withdraw_button, self.withdraw_selected, None),
            (self.pdf_button, self.schedule_pdf, "Ctrl+P"),
            (self.csv_button, self.schedule_csv, "Ctrl+E"),
        ):
            button.setMinimumHeight(34)
            button.clicked.connect(slot)
            if shortcut:
                button.setShortcut(QKeySequence(shortcut))

        heading = QLabel("Claims")
        heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        as_at_label = QLabel("As &at:")
        as_at_label.setBuddy(self.as_at)
        top.addWidget(as_at_label)
        top.addWidget(self.as_at)
        ready_box = QWidget()
        ready_layout = QVBoxLayout(ready_box)
        ready_row = QHBoxLayout()
        ready_row.addWidget(self.ready_label, 1)
        ready_row.addWidget(self.batch_button)
        ready_layout.addLayout(ready_row)
        ready_layout.addWidget(self.ready_table)
        evidence_box = QWidget()
        evidence_layout = QVBoxLayout(evidence_box)
        evidence_layout.addWidget(QLabel("<b>Evidence for each outcome</b> of the chosen family"))
        evidence_layout.addWidget(self.evidence_table)
        batch_box = QWidget()
        batch_layout = QVBoxLayout(batch_box)
        batch_row = QHBoxLayout()
        batch_row.addWidget(QLabel("<b>Claim batches</b>"), 1)
        for button in (
            self.submit_button,
            self.paid_button,
            self.rejected_button,
            self.withdraw_button,
            self.pdf_button,
            self.csv_button,
        ):
            batch_row.addWidget(button)
        batch_layout.addLayout(batch_row)
        batch_layout.addWidget(self.batch_table)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        for box in (ready_box, evidence_box, batch_box):
            splitter.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _batch_family(self, family_id: str) -> tuple[str, str]:
        """(reference, name) of a batch's family."""
        item = self.view.outcomes.get(family_id) if self.view else None
        return (item.family.reference, item.family.name) if item else (family_id[:8], "not held")

    def _family_pence(self, item: FamilyOutcomes) -> int | None:
        return self.view.amount(item).claimed if self.view else None

    # ---- loading ------------------------------------------------------------------------

    def as_at_day(self) -> dt.date | None:
        """The day the page judges as at: None for today."""
        day = _py(self.as_at)
        return None if day >= dt.date.today() else day

    def refresh(self) -> None:
        as_at = self.as_at_day()
        Task(
            self.runner,
            lambda ctx: programme.load_claims(ctx.store, as_at=as_at),
            self._loaded,
            parent=self,
        ).with_progress("Checking every family's claim…").run()

    def _loaded(self, view: ClaimsView) -> None:
        self.view = view
        self.ready_model.set_rows(view.ready)
        self.batch_model.set_rows(view.batches)
        self.evidence_model.set_rows([])
        count = len(view.ready)
        when = f" as at {day_text(view.as_at)}" if view.as_at else ""
        self.ready_label.setText(
            f"<b>Ready to claim{when}</b>: {count} famil{'y' if count == 1 else 'ies'}"
        )
        if view.ready:
            self.ready_table.selectRow(0)

    def clear(self) -> None:
        self.view = None
        for model in (self.ready_model, self.evidence_model, self.batch_model):
            model.set_rows([])

    def _show_evidence(self) -> None:
        chosen = selected_rows(self.ready_table)
        tables = self.view.tables if self.view else None
        rows = [r for item in chosen[:1] for r in evidence_rows(item, tables=tables)]
        self.evidence_model.set_rows(rows)

    def _open_selected(self) -> None:
        chosen = selected_rows(self.ready_table)
        if chosen:
            self.open_family.emit(chosen[0].family.id)

    # ---- batches ------------------------------------------------------------------------

    def make_batch_from_selection(self) -> None:
        chosen = selected_rows(self.ready_table)
        if not chosen:
            self._say("Choose the families to claim for in the list of ready families.")
            return
        dialog = BatchDialog(len(chosen), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reference, start, end = dialog.values()
        self.make_batch(reference, start, end, [o.family.id for o in chosen])

    def make_batch(self, reference: str, start: dt.date, end: dt.date, ids: list[str]) -> None:
        def op(ctx: TaskContext) -> ClaimBatch:
            return programme.create_batch(
                ctx.store, reference, period_start=start, period_end=end, family_ids=ids
            )

        Task(self.runner, op, lambda _: self.refresh(), parent=self).run()

    def _chosen_batch(self) -> ClaimBatch | None:
        chosen = selected_rows(self.batch_table)
        if not chosen:
            self._say("Choose a batch in the list of claim batches.")
            return None
        return chosen[0]

    def submit_selected(self) -> None:
        batch = self._chosen_batch()
        if batch is None:
            return
        dialog = SubmitDialog(batch, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        sent_on, approved_by = dialog.values()
        self.submit(batch.reference, sent_on, approved_by)

    def submit(self, reference: str, sent_on: dt.date, approved_by: str) -> None:
        def op(ctx: TaskContext) -> ClaimBatch:
            return programme.submit(ctx.store, reference, on=sent_on, approved_by=approved_by)

        Task(self.runner, op, lambda _: self.refresh(), parent=self).run()

    def paid_selected(self) -> None:
        self._ask_result(paid=True)

    def rejected_selected(self) -> None:
        self._ask_result(paid=False)

    def _ask_result(self, *, paid: bool) -> None:
        batch = self._chosen_batch()
        if batch is None:
            return
        dialog = ResultDialog(batch, paid=paid, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        on, detail = dialog.values()
        if paid:
            try:
                pence = parse_amount(detail) if detail else None
            except UserError as exc:
                show_error(self, exc)
                return
            self.record_paid(batch.reference, on, pence)
        else:
            self.record_rejected(batch.reference, on, detail)

    def record_paid(self, reference: str, on: dt.date, pence: int | None) -> None:
        Task(
            self.runner,
            lambda ctx: programme.record_paid(ctx.store, reference, on=on, pence=pence),
            lambda _: self.refresh(),
            parent=self,
        ).run()

    def record_rejected(self, reference: str, on: dt.date, reason: str) -> None:
        Task(
            self.runner,
            lambda ctx: programme.record_rejected(ctx.store, reference, on=on, reason=reason),
            lambda _: self.refresh(),
            parent=self,
        ).run()

    def withdraw_selected(self) -> None:
        """Ask first; withdraw the chosen draft only on Yes."""
        batch = self._chosen_batch()
        if batch is None:
            return
        if batch.status is not BatchStatus.DRAFT:
            self._say(f"Batch {batch.reference} has been submitted, so it cannot be withdrawn.")
            return
        count = len(batch.family_ids)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Withdraw draft batch",
            f"Withdraw draft batch {batch.reference} of {count} "
            f"famil{'y' if count == 1 else 'ies'}? Its families can then be claimed in "
            "another batch.",
            parent=self,
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAccessibleName("Withdraw draft batch")
        reference = batch.reference

        def answered(button: QAbstractButton) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self.withdraw(reference)

        box.buttonClicked.connect(answered)
        self.confirm_box = box
        box.open()

    def withdraw(self, reference: str) -> None:
        Task(
            self.runner,
            lambda ctx: programme.withdraw(ctx.store, reference),
            lambda _: self.refresh(),
            parent=self,
        ).run()

    def schedule_pdf(self) -> None:
        batch = self._chosen_batch()
        if batch is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the claim schedule",
            f"claim-schedule-{_slug(batch.reference)}.pdf",
            "PDF (*.pdf)",
        )
        if path:
            self.write_schedule(batch.reference, Path(path), as_pdf=True)

    def schedule_csv(self) -> None:
        batch = self._chosen_batch()
        if batch is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the claim schedule",
            f"claim-schedule-{_slug(batch.reference)}.csv",
            "CSV (*.csv)",
        )
        if path:
            self.write_schedule(batch.reference, Path(path), as_pdf=False)

    def write_schedule(self, reference: str, path: Path, *, as_pdf: bool) -> None:
        def op(ctx: TaskContext) -> Path:
            batch, rows = programme.batch_schedule(ctx.store, reference)
            if as_pdf:
                return documents.save(path, schedule_pdf(batch, rows))
            return documents.save(path, documents.schedule_csv(rows))

        Task(
            self.runner, op, lambda saved: self._say(f"Saved {saved}."), parent=self
        ).with_progress("Writing the claim schedule…").run()

    def _say(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "fmdesk", message, parent=self)
        box.setAccessibleName("Message")
        box.open()
        self.message_box = box


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-").lower()
