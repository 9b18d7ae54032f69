"""The claims page (coordinator): families ready to claim with the evidence for each outcome,
claim batches for a period, marking a batch submitted, and its schedule as PDF or CSV.

A family already claimed (in a batch, or before) is never offered again, and the store refuses
it by name if asked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
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
    ClaimBatch,
    FamilyOutcomes,
    ScheduleRow,
    evidence_rows,
    turned_around_on,
)
from fmdesk.programme import quarter_bounds, quarter_label
from fmdesk.roles import Role
from reports.claims import schedule_pdf
from ui.actions import documents
from ui.kit.models import Column, RowTableModel
from ui.kit.pages import WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import make_table, selected_rows

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
    Column("Source", lambda r: r.source, tooltip=lambda r: r.detail),
    Column("Dated", lambda r: r.evidence_date),
    Column("Sustained", lambda r: r.sustained_on),
    Column("Recorded by", lambda r: r.recorded_by),
)
BATCH_COLUMNS: tuple[Column[ClaimBatch], ...] = (
    Column("Batch", lambda b: b.reference),
    Column("From", lambda b: b.period_start),
    Column("To", lambda b: b.period_end),
    Column("Families", lambda b: len(b.family_ids), align_right=True),
    Column("Status", lambda b: b.status, text=lambda s: s.label),
    Column("Submitted", lambda b: b.submitted_on),
    Column("Made", lambda b: b.made_on),
)


class BatchDialog(QDialog):
    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make a claim batch")
        today = dt.date.today()
        start, end = quarter_bounds(today)
        form = QFormLayout(self)
        form.addRow(QLabel(f"{count} famil{'y' if count == 1 else 'ies'} chosen."))
        self.reference = QLineEdit(quarter_label(today), self)
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, dt.date, dt.date]:
        return (
            self.reference.text().strip(),
            cast(dt.date, self.start.date().toPython()),
            cast(dt.date, self.end.date().toPython()),
        )


class ClaimsPage(WorkspacePage):
    title = "C&laims"
    shortcut = "Ctrl+8"
    roles = (Role.COORDINATOR,)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.view: ClaimsView | None = None
        self.ready_model: RowTableModel[FamilyOutcomes] = RowTableModel(READY_COLUMNS, self)
        self.ready_table = make_table(self.ready_model, "Families ready to claim", multi=True)
        self.ready_table.selectionModel().selectionChanged.connect(self._show_evidence)
        self.ready_table.doubleClicked.connect(self._open_selected)
        self.evidence_model: RowTableModel[ScheduleRow] = RowTableModel(EVIDENCE_COLUMNS, self)
        self.evidence_table = make_table(
            self.evidence_model, "Evidence for each outcome", stretch=3
        )
        self.batch_model: RowTableModel[ClaimBatch] = RowTableModel(BATCH_COLUMNS, self)
        self.batch_table = make_table(self.batch_model, "Claim batches", stretch=0)
        self.ready_label = QLabel("<b>Ready to claim</b>")

        self.batch_button = QPushButton("&Make batch from chosen…")
        self.submit_button = QPushButton("Mark &submitted")
        self.withdraw_button = QPushButton("&Withdraw draft")
        self.pdf_button = QPushButton("Schedule &PDF…")
        self.csv_button = QPushButton("Schedule &CSV…")
        for button, slot, shortcut in (
            (self.batch_button, self.make_batch_from_selection, "Ctrl+B"),
            (self.submit_button, self.submit_selected, None),
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
        for button in (self.submit_button, self.withdraw_button, self.pdf_button, self.csv_button):
            batch_row.addWidget(button)
        batch_layout.addLayout(batch_row)
        batch_layout.addWidget(self.batch_table)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        for box in (ready_box, evidence_box, batch_box):
            splitter.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)

    # ---- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        Task(
            self.runner, lambda ctx: programme.load_claims(ctx.store), self._loaded, parent=self
        ).with_progress("Checking every family's claim…").run()

    def _loaded(self, view: ClaimsView) -> None:
        self.view = view
        self.ready_model.set_rows(view.ready)
        self.batch_model.set_rows(view.batches)
        self.evidence_model.set_rows([])
        count = len(view.ready)
        self.ready_label.setText(
            f"<b>Ready to claim</b>: {count} famil{'y' if count == 1 else 'ies'}"
        )
        if view.ready:
            self.ready_table.selectRow(0)

    def clear(self) -> None:
        self.view = None
        for model in (self.ready_model, self.evidence_model, self.batch_model):
            model.set_rows([])

    def _show_evidence(self) -> None:
        chosen = selected_rows(self.ready_table)
        rows = [r for item in chosen[:1] for r in evidence_rows(item)]
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
        answer = QMessageBox.question(
            self,
            "fmdesk",
            f"Mark batch {batch.reference} ({len(batch.family_ids)} families) as submitted? "
            "A submitted batch cannot be withdrawn.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.submit(batch.reference)

    def submit(self, reference: str) -> None:
        Task(
            self.runner,
            lambda ctx: programme.submit(ctx.store, reference),
            lambda _: self.refresh(),
            parent=self,
        ).run()

    def withdraw_selected(self) -> None:
        batch = self._chosen_batch()
        if batch is None:
            return
        Task(
            self.runner,
            lambda ctx: programme.withdraw(ctx.store, batch.reference),
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
