"""The allocation page (coordinator): practitioners' caseloads, allocating families, taking in
identified families from a CSV and a folder of practitioners' bundles.

Every store call runs in a Task. Allocating writes the allocation; it reaches the practitioner in
the next bundle made for them (the Sync page makes bundles).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from db import allocation, library, programme
from db import families as family_store
from db.allocation import AllocationResult, IntakeSummary, PractitionerLoad
from db.families import SharedCode, SharedReference
from db.outcomes import load_frameworks
from db.programme import FamilyListRow, ImportedFamilies
from db.programme import identified as identified_store
from fmdesk.families import Family, FamilyStatus
from fmdesk.identified_csv import CsvProblem, Duplicate, IdentifiedFamily, IdentifiedImport
from fmdesk.roles import Role
from fmdesk.update_csv import Unmatched, UpdateImport
from fmdesk.words import families as count_families
from ui.kit.models import ROW_ROLE, Column, RowFilterProxy, RowTableModel
from ui.kit.pages import WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import make_table, selected_rows
from ui.workspace.programme import FAMILY_COLUMNS

PRACTITIONER_COLUMNS: tuple[Column[PractitionerLoad], ...] = (
    Column("Practitioner", lambda p: p.name),
    Column("Families held", lambda p: p.held, align_right=True),
    Column("High", lambda p: p.high, align_right=True),
    Column("Medium", lambda p: p.medium, align_right=True),
    Column("Standard", lambda p: p.standard, align_right=True),
    Column("Closed", lambda p: p.closed, align_right=True),
    Column("", lambda p: "Over the limit" if p.over_limit else "", tooltip=lambda p: p.warning),
)
PROBLEM_COLUMNS: tuple[Column[CsvProblem], ...] = (
    Column("Row", lambda p: p.row, align_right=True),
    Column("Column", lambda p: p.column),
    Column("Problem", lambda p: p.message, tooltip=lambda p: p.message),
)
ELIGIBILITY_COLUMNS: tuple[Column[IdentifiedFamily], ...] = (
    Column("Family key", lambda f: f.key),
    Column("People", lambda f: len(f.people), align_right=True),
    Column("Indicators from the data", lambda f: ", ".join(t.indicator for t in f.ticks)),
    Column(
        "Eligibility",
        lambda f: f.eligibility.reason if f.eligibility else "",
        tooltip=lambda f: f.eligibility.reason if f.eligibility else "",
    ),
)
NO_FRAMEWORK_CHOICE = "None: attach a framework later"
UNMATCHED_COLUMNS: tuple[Column[Unmatched], ...] = (
    Column("Row", lambda u: u.row, align_right=True),
    Column("Matches nobody held", lambda u: u.reason, tooltip=lambda u: u.reason),
)
ATTACH_COLUMNS: tuple[Column[identified_store.AttachRow], ...] = (
    Column("Reference", lambda r: r.family.reference),
    Column("Now", lambda r: r.family.framework or "no framework"),
    Column(
        "Eligible now",
        lambda r: r.before.reason if r.before else "",
        tooltip=lambda r: r.before.reason if r.before else "",
    ),
    Column("Indicators from the data", lambda r: ", ".join(t.indicator for t in r.after.ticks)),
    Column(
        "Eligible after",
        lambda r: r.after.eligibility.reason,
        tooltip=lambda r: r.after.eligibility.reason,
    ),
)
DUPLICATE_COLUMNS: tuple[Column[Duplicate], ...] = (
    Column("Family key", lambda d: d.key),
    Column("Rows", lambda d: ", ".join(map(str, d.rows))),
    Column("Already held", lambda d: d.reason, tooltip=lambda d: d.reason),
)


def _shared(ctx: TaskContext) -> tuple[list[SharedReference], list[SharedCode]]:
    return family_store.shared_references(ctx.store), family_store.shared_codes(ctx.store)


class UnallocatedFilter(RowFilterProxy):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.only_unallocated = False

    def set_only_unallocated(self, value: bool) -> None:
        self.beginFilterChange()
        self.only_unallocated = value
        self.endFilterChange()

    @override
    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        row: FamilyListRow = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        return not self.only_unallocated or not row.practitioner


class PreviewDialog(QDialog):
    """What a CSV file would add: its summary, every problem by row and column, and the
    families already held. Import is only offered as a whole when there is no problem."""

    IMPORT_ALL = 1
    IMPORT_VALID = 2

    def __init__(self, name: str, checked: IdentifiedImport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Import {name}")
        self.resize(760, 520)
        self.choice = 0
        layout = QVBoxLayout(self)
        summary = QLabel(checked.summary())
        summary.setAccessibleName("Import summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        if checked.framework and checked.families:
            layout.addWidget(
                QLabel(
                    f"<b>Eligibility under {checked.framework}</b> — from each family's "
                    "figures; indicators the data cannot decide stay for the practitioner."
                )
            )
            self.eligibility: RowTableModel[IdentifiedFamily] = RowTableModel(
                ELIGIBILITY_COLUMNS, self
            )
            self.eligibility.set_rows(checked.families)
            layout.addWidget(
                make_table(self.eligibility, "Eligibility of the new families", stretch=3), 2
            )
        if checked.errors:
            layout.addWidget(
                QLabel(
                    "<b>Problems</b> — nothing is imported until they are put right in the file, "
                    "unless you choose to import only the families without problems."
                )
            )
            self.problems: RowTableModel[CsvProblem] = RowTableModel(PROBLEM_COLUMNS, self)
            self.problems.set_rows(checked.errors)
            layout.addWidget(make_table(self.problems, "Problems in the file", stretch=2), 2)
        if checked.warnings:
            layout.addWidget(
                QLabel(
                    "<b>Warnings</b> — these values begin like a spreadsheet formula. They are "
                    "imported as written; check them in the source data."
                )
            )
            self.warnings: RowTableModel[CsvProblem] = RowTableModel(PROBLEM_COLUMNS, self)
            self.warnings.set_rows(checked.warnings)
            layout.addWidget(make_table(self.warnings, "Warnings about the file", stretch=2), 1)
        if checked.duplicates:
            layout.addWidget(QLabel("<b>Already held</b> — these families are skipped."))
            duplicates: RowTableModel[Duplicate] = RowTableModel(DUPLICATE_COLUMNS, self)
            duplicates.set_rows(checked.duplicates)
            layout.addWidget(make_table(duplicates, "Families already held", stretch=2), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(
            f"&Import {count_families(len(checked.families))}",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.import_button.setEnabled(checked.ok and bool(checked.families))
        self.import_button.clicked.connect(lambda: self._choose(self.IMPORT_ALL))
        self.valid_button = buttons.addButton(
            "Import only the families &without problems", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.valid_button.setVisible(bool(checked.errors))
        self.valid_button.setEnabled(bool(checked.families))
        self.valid_button.clicked.connect(lambda: self._choose(self.IMPORT_VALID))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


class UpdatePreviewDialog(QDialog):
    """What a follow-up CSV would apply: its summary, each problem by row and column, and the
    rows matching nobody held. Applying it whole is offered only when there is none."""

    APPLY_ALL = 1
    APPLY_VALID = 2

    def __init__(self, name: str, checked: UpdateImport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Apply {name}")
        self.resize(760, 480)
        self.choice = 0
        layout = QVBoxLayout(self)
        summary = QLabel(checked.summary())
        summary.setAccessibleName("Update summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.problems: RowTableModel[CsvProblem] = RowTableModel(PROBLEM_COLUMNS, self)
        self.problems.set_rows(checked.errors)
        self.unmatched: RowTableModel[Unmatched] = RowTableModel(UNMATCHED_COLUMNS, self)
        self.unmatched.set_rows(checked.unmatched)
        if checked.errors:
            layout.addWidget(
                QLabel("<b>Problems</b> — nothing is applied until they are put right.")
            )
            layout.addWidget(make_table(self.problems, "Problems in the file", stretch=2), 2)
        if checked.unmatched:
            layout.addWidget(QLabel("<b>Unmatched rows</b> — no family or person held."))
            layout.addWidget(make_table(self.unmatched, "Rows matching nobody held", stretch=1), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        count = len(checked.measures)
        self.apply_button = buttons.addButton(
            f"&Apply {count} new figures", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setEnabled(checked.ok and bool(count))
        self.apply_button.clicked.connect(lambda: self._choose(self.APPLY_ALL))
        self.valid_button = buttons.addButton(
            "Apply only the families &without problems", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.valid_button.setVisible(not checked.ok)
        self.valid_button.setEnabled(bool(checked.valid_measures()))
        self.valid_button.clicked.connect(lambda: self._choose(self.APPLY_VALID))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


class AttachDialog(QDialog):
    """What attaching the chosen families to a framework would change, before it is done."""

    def __init__(self, preview: identified_store.AttachPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Attach to {preview.framework}")
        self.resize(860, 420)
        layout = QVBoxLayout(self)
        summary = QLabel(preview.summary())
        summary.setAccessibleName("Attach summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.rows: RowTableModel[identified_store.AttachRow] = RowTableModel(ATTACH_COLUMNS, self)
        self.rows.set_rows(preview.rows)
        layout.addWidget(make_table(self.rows, "Eligibility before and after", stretch=4), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.attach_button = buttons.addButton(
            f"&Attach {count_families(len(preview.rows))}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.attach_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class AllocateDialog(QDialog):
    def __init__(
        self,
        loads: list[PractitionerLoad],
        families: list[FamilyListRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Allocate families")
        form = QFormLayout(self)
        names = ", ".join(f.reference for f in families[:6]) + ("…" if len(families) > 6 else "")
        form.addRow("Families:", QLabel(names))
        self.practitioner = QComboBox(self)
        self.practitioner.setAccessibleName("Practitioner")
        for load in loads:
            self.practitioner.addItem(f"{load.name} ({load.held} held)", load.store_id)
        form.addRow("&Practitioner:", self.practitioner)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        moving = [f for f in families if f.practitioner]
        self.reason.setPlaceholderText(
            "Needed: some of these families are with another practitioner" if moving else "Optional"
        )
        form.addRow("&Reason:", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class AllocationPage(WorkspacePage):
    title = "&Allocation"
    shortcut = "Ctrl+7"
    roles = (Role.COORDINATOR,)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.loads: list[PractitionerLoad] = []
        self.framework_dialog: QInputDialog | None = None  # asked on importing a CSV
        self.practitioner_model: RowTableModel[PractitionerLoad] = RowTableModel(
            PRACTITIONER_COLUMNS, self
        )
        self.practitioner_table = make_table(
            self.practitioner_model, "Practitioners' caseloads", stretch=6
        )
        self.warning = QLabel("")
        self.warning.setAccessibleName("Caseload warnings")
        self.warning.setStyleSheet("color: #a33a00; font-weight: 600;")
        self.warning.setWordWrap(True)
        # References more than one family holds, and codes two stores share (db/families.py):
        # shown until each is put right, never merged.
        self.collisions = QLabel("")
        self.collisions.setAccessibleName("Shared references")
        self.collisions.setStyleSheet("color: #a4262c; font-weight: 600;")
        self.collisions.setWordWrap(True)
        self.collisions.setVisible(False)
        self.limit_label = QLabel("")

        self.family_model: RowTableModel[FamilyListRow] = RowTableModel(FAMILY_COLUMNS, self)
        self.family_table = make_table(self.family_model, "Families", multi=True)
        self.filter = UnallocatedFilter(self)
        sorter = self.family_table.model()
        assert isinstance(sorter, RowFilterProxy)
        self.filter.setSourceModel(self.family_model)
        sorter.setSourceModel(self.filter)
        self.family_table.doubleClicked.connect(self._open_selected)
        self.only_unallocated = QCheckBox("Only families &not yet allocated")
        self.only_unallocated.toggled.connect(self.filter.set_only_unallocated)

        self.allocate_button = QPushButton("A&llocate…")
        self.attach_button = QPushButton("Attach fra&mework…")
        self.attach_button.setToolTip(
            "Attach the chosen families to an outcomes framework, seeing eligibility first"
        )
        self.rename_button = QPushButton("New &reference…")
        self.rename_button.setToolTip("Give the chosen family a new case reference")
        self.limit_button = QPushButton("Caseload &limit…")
        self.import_button = QPushButton("&Import identified families…")
        self.intake_button = QPushButton("Take in &bundles from a folder…")
        self.update_button = QPushButton("Apply council &updates…")
        self.update_button.setToolTip(
            "The council's termly and quarterly figures for families held, from a CSV file"
        )
        for button, slot, shortcut in (
            (self.allocate_button, self.allocate_selected, "Ctrl+Shift+A"),
            (self.rename_button, self.rename_selected, None),
            (self.attach_button, self.attach_selected, None),
            (self.limit_button, self.edit_limit, None),
            (self.import_button, self.import_csv, "Ctrl+I"),
            (self.intake_button, self.take_in_folder, "Ctrl+Shift+I"),
            (self.update_button, self.update_csv, None),
        ):
            button.setMinimumHeight(34)
            button.clicked.connect(slot)
            if shortcut:
                button.setShortcut(QKeySequence(shortcut))

        top = QHBoxLayout()
        heading = QLabel("Allocation")
        heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        top.addWidget(heading, 1)
        top.addWidget(self.import_button)
        top.addWidget(self.update_button)
        top.addWidget(self.intake_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        limit_row = QHBoxLayout()
        limit_row.addWidget(QLabel("<b>Practitioners</b>"))
        limit_row.addStretch(1)
        limit_row.addWidget(self.limit_label)
        limit_row.addWidget(self.limit_button)
        upper_layout.addLayout(limit_row)
        upper_layout.addWidget(self.practitioner_table)
        upper_layout.addWidget(self.warning)
        upper_layout.addWidget(self.collisions)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        family_row = QHBoxLayout()
        family_row.addWidget(QLabel("<b>Families</b> (open cases)"))
        family_row.addStretch(1)
        family_row.addWidget(self.only_unallocated)
        family_row.addWidget(self.attach_button)
        family_row.addWidget(self.rename_button)
        family_row.addWidget(self.allocate_button)
        lower_layout.addLayout(family_row)
        lower_layout.addWidget(self.family_table)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # ---- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        def op(ctx: TaskContext) -> tuple[list[PractitionerLoad], list[FamilyListRow], int]:
            store = ctx.store
            open_ids = [f.id for f in store.list(Family) if f.status is not FamilyStatus.CLOSED]
            return (
                allocation.practitioners(store),
                programme.family_rows(store, open_ids),
                allocation.caseload_limit(store),
            )

        Task(self.runner, op, self._loaded, parent=self).run()
        Task(self.runner, _shared, self._show_shared, parent=self).run()

    def _show_shared(self, shared: tuple[list[SharedReference], list[SharedCode]]) -> None:
        references, codes = shared
        lines = [
            f"{s.reference} is held by {len(s.families)} families: "
            + "; ".join(f"{f.name} ({f.practitioner or 'no practitioner'})" for f in s.families)
            for s in references
        ]
        if references:
            lines.append(
                "Nothing was merged: choose all but one of them below and give each a New "
                "reference."
            )
        lines += [
            f"Reference code {c.code} is shared by {' and '.join(c.holders)}: give one of them "
            "another ('fmdesk families code')."
            for c in codes
        ]
        self.collisions.setText("\n".join(lines))
        self.collisions.setVisible(bool(lines))

    def _loaded(self, result: tuple[list[PractitionerLoad], list[FamilyListRow], int]) -> None:
        self.loads, families, limit = result
        self.practitioner_model.set_rows(self.loads)
        self.family_model.set_rows(families)
        self.limit_label.setText(f"Limit: {count_families(limit)} each")
        warnings = [p.warning for p in self.loads if p.over_limit]
        self.warning.setText(" ".join(warnings))
        self.warning.setVisible(bool(warnings))

    def clear(self) -> None:
        self.loads = []
        self.practitioner_model.set_rows([])
        self.family_model.set_rows([])
        self.warning.setText("")
        self.collisions.setText("")
        self.collisions.setVisible(False)

    def _open_selected(self) -> None:
        chosen = selected_rows(self.family_table)
        if chosen:
            self.open_family.emit(chosen[0].family_id)

    # ---- allocating ---------------------------------------------------------------------

    def allocate_selected(self) -> None:
        families = selected_rows(self.family_table)
        if not families:
            self._say("Choose one or more families in the list first.")
            return
        if not self.loads:
            self._say("No practitioner is enrolled yet. Enrol their store on the Sync page.")
            return
        dialog = AllocateDialog(self.loads, families, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.allocate(
            [f.family_id for f in families], dialog.practitioner.currentData(), dialog.reason.text()
        )

    def allocate(self, family_ids: list[str], practitioner_id: str, reason: str) -> None:
        def op(ctx: TaskContext) -> AllocationResult:
            return allocation.allocate(ctx.store, family_ids, practitioner_id, reason=reason)

        def done(result: AllocationResult) -> None:
            self.last_result = result
            self.refresh()
            if result.warning:
                self._say(result.warning)

        Task(self.runner, op, done, parent=self).run()

    def attach_selected(self) -> None:
        chosen = selected_rows(self.family_table)
        if not chosen:
            self._say("Choose one or more families in the list first.")
            return
        ids = [row.family_id for row in chosen]
        Task(
            self.runner,
            lambda ctx: [f.ref for f in load_frameworks(ctx.store).library.all()],
            lambda refs: self._attach_to(ids, refs),
            parent=self,
        ).run()

    def _attach_to(self, ids: list[str], refs: list[str]) -> None:
        ref, ok = QInputDialog.getItem(
            self, "Attach framework", "Attach the chosen families to:", refs, 0, False
        )
        if ok:
            self.preview_attach(ids, ref)

    def preview_attach(self, ids: list[str], ref: str) -> None:
        Task(
            self.runner,
            lambda ctx: identified_store.preview_attach(ctx.store, ids, ref),
            self._show_attach,
            parent=self,
        ).with_progress("Checking eligibility…").run()

    def _show_attach(self, preview: identified_store.AttachPreview) -> None:
        self.attach_dialog = AttachDialog(preview, self)
        if self.attach_dialog.exec() != QDialog.DialogCode.Accepted:
            return

        def done(changed: int) -> None:
            self.refresh()
            self._say(f"Attached {count_families(changed)} to {preview.framework}.")

        Task(
            self.runner,
            lambda ctx: identified_store.apply_attach(ctx.store, preview),
            done,
            parent=self,
        ).run()

    def rename_selected(self) -> None:
        chosen = selected_rows(self.family_table)
        if len(chosen) != 1:
            self._say("Choose one family in the list first.")
            return
        row = chosen[0]
        new, ok = QInputDialog.getText(
            self,
            "New reference",
            f"A new case reference for {row.name} ({row.reference}). Leave it blank for this "
            "store's next one:",
        )
        if ok:
            self.rename(row.family_id, new)

    def rename(self, family_id: str, new: str) -> None:
        def done(family: Family) -> None:
            self.refresh()
            self._say(f"{family.name} is now {family.reference}.")

        Task(
            self.runner,
            lambda ctx: family_store.rename_reference(ctx.store, family_id, new),
            done,
            parent=self,
        ).run()

    def edit_limit(self) -> None:
        current = self.loads[0].limit if self.loads else allocation.DEFAULT_CASELOAD_LIMIT
        value, ok = QInputDialog.getInt(
            self,
            "Caseload limit",
            "Warn when a practitioner holds more than this many families:",
            current,
            1,
            500,
        )
        if ok:
            Task(
                self.runner,
                lambda ctx: allocation.set_caseload_limit(ctx.store, value),
                lambda _: self.refresh(),
                parent=self,
            ).run()

    # ---- identified families from a CSV -------------------------------------------------

    def import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import identified families", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.import_csv_file(Path(path))

    def import_csv_file(self, path: Path) -> None:
        """Ask which framework the families in `path` go under, the council's current one
        chosen to start with (as `import-csv` attaches when given none), then preview."""

        def op(ctx: TaskContext) -> tuple[list[str], str]:
            refs = [f.ref for f in load_frameworks(ctx.store).library.all()]
            return refs, library.current_framework(ctx.store).ref

        Task(self.runner, op, lambda found: self._choose_framework(path, *found), parent=self).run()

    def _choose_framework(self, path: Path, refs: list[str], current: str) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Outcomes framework")
        dialog.setLabelText(
            "Attach the new families to this framework (its data thresholds tick the "
            "indicators their figures decide):"
        )
        dialog.setComboBoxItems([*refs, NO_FRAMEWORK_CHOICE])
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(current if current in refs else NO_FRAMEWORK_CHOICE)
        dialog.textValueSelected.connect(
            lambda choice: self.preview_csv(path, "" if choice == NO_FRAMEWORK_CHOICE else choice)
        )
        dialog.finished.connect(dialog.deleteLater)
        self.framework_dialog = dialog
        dialog.open()

    def preview_csv(self, path: Path, framework: str = "") -> None:
        def op(ctx: TaskContext) -> IdentifiedImport:
            return programme.preview_identified_csv(
                ctx.store, programme.read_csv_file(path), framework=framework
            )

        Task(
            self.runner, op, lambda checked: self._show_preview(path, checked), parent=self
        ).with_progress("Checking the file…").run()

    def _show_preview(self, path: Path, checked: IdentifiedImport) -> None:
        self.preview = PreviewDialog(path.name, checked, self)
        if self.preview.exec() != QDialog.DialogCode.Accepted:
            return
        valid_only = self.preview.choice == PreviewDialog.IMPORT_VALID
        self.run_import(checked, valid_only=valid_only)

    def run_import(self, checked: IdentifiedImport, *, valid_only: bool) -> None:
        def op(ctx: TaskContext) -> ImportedFamilies:
            return programme.import_identified(
                ctx.store,
                checked,
                valid_only=valid_only,
                progress=ctx.progress,
                cancel=ctx.cancel,
            )

        def done(result: ImportedFamilies) -> None:
            self.refresh()
            self._say(
                f"Imported {count_families(result.families)} ({result.people} people, "
                f"{result.measures} baseline measures). {result.skipped_duplicates} were "
                f"already held; {result.skipped_with_errors} were left out for problems."
            )

        Task(self.runner, op, done, parent=self).with_progress(
            "Importing families…", cancellable=True
        ).run()

    # ---- the council's follow-up figures -------------------------------------------------

    def update_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Apply council updates", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.preview_update(Path(path))

    def preview_update(self, path: Path) -> None:
        def op(ctx: TaskContext) -> UpdateImport:
            return identified_store.preview_update_csv(
                ctx.store, identified_store.read_csv_file(path)
            )

        Task(
            self.runner, op, lambda checked: self._show_update(path, checked), parent=self
        ).with_progress("Checking the file…").run()

    def _show_update(self, path: Path, checked: UpdateImport) -> None:
        self.update_preview = UpdatePreviewDialog(path.name, checked, self)
        if self.update_preview.exec() != QDialog.DialogCode.Accepted:
            return
        valid_only = self.update_preview.choice == UpdatePreviewDialog.APPLY_VALID
        self.apply_update(checked, valid_only=valid_only)

    def apply_update(self, checked: UpdateImport, *, valid_only: bool) -> None:
        def done(result: identified_store.AppliedUpdate) -> None:
            self.refresh()
            self._say(
                f"Applied {result.measures} new figures to {count_families(result.families)}; "
                f"{result.unchanged} were already held."
            )

        Task(
            self.runner,
            lambda ctx: identified_store.apply_update(ctx.store, checked, valid_only=valid_only),
            done,
            parent=self,
        ).with_progress("Applying the figures…").run()

    # ---- a folder of bundles ------------------------------------------------------------

    def take_in_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of practitioners' bundles")
        if folder:
            self.intake(Path(folder))

    def intake(self, folder: Path) -> None:
        def op(ctx: TaskContext) -> IntakeSummary:
            return allocation.intake_folder(
                ctx.store, folder, progress=ctx.progress, cancel=ctx.cancel
            )

        def done(summary: IntakeSummary) -> None:
            self.last_intake = summary
            self.refresh()
            self._say("\n".join(summary.lines()))

        Task(self.runner, op, done, parent=self).with_progress(
            "Importing bundles…", cancellable=True
        ).run()

    def _say(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "fmdesk", message, parent=self)
        box.setAccessibleName("Message")
        box.open()  # not exec(): tests and keyboard users carry on while it shows
        self.message_box = box
