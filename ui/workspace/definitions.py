"""File → Definitions…: the outcomes frameworks, assessment templates and Star instruments this
store can use (those that come with fmdesk and the council's own), and "Add file…" to add a
council's definition.

The file's kind is read from its content. The store keeps a copy of the file (db/library.py),
so it may move afterwards; a coordinator's next bundles carry it to every practitioner. A file
that is refused is shown by show_error, naming the file and the field. Store work runs on the
task runner; the dialog never touches the store itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from db.library import DefinitionRow, Library, add_definition_file, load_library
from fmdesk.definition import Parsed
from ui.kit.errors import show_error
from ui.kit.models import Column, RowTableModel
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import action_button, button_row, record_table, stretch_column

DEFINITION_COLUMNS: tuple[Column[DefinitionRow], ...] = (
    Column("Kind", lambda r: r.kind.label[0].upper() + r.kind.label[1:]),
    Column("Version", lambda r: r.ref),
    Column("Name", lambda r: r.name),
    Column("From", lambda r: r.origin),
)


class DefinitionsDialog(QDialog):
    """Lists the definitions and adds a council's file. `added` files' results are shown in
    `message`."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("Definitions")
        self.resize(900, 460)
        intro = QLabel(
            "Outcomes frameworks, assessment templates and Star instruments this store can use. "
            "Add your council's own from its file: this store keeps a copy, so the file may "
            "move afterwards, and a coordinator's bundles send it to every practitioner.",
            self,
        )
        intro.setWordWrap(True)
        self.model: RowTableModel[DefinitionRow] = RowTableModel(DEFINITION_COLUMNS, self)
        self.view = record_table(self, "Definitions")
        self.view.setModel(self.model)
        stretch_column(self.view, 2)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Definitions left out")
        self.problems.setStyleSheet("background: #fff4ce; padding: 6px; border-radius: 3px;")
        self.problems.hide()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Result")
        self.add_button = action_button(
            self, "&Add file…", "Ctrl+O", "Add a council's framework, template or Star instrument"
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.message)
        row = button_row(self.add_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.choose_file)
        self.reload()

    def reload(self) -> None:
        """Read the library on the worker."""
        Task(self.runner, lambda ctx: load_library(ctx.store), self._show, parent=self).failure(
            lambda exc: show_error(self, exc)
        ).run()

    def _show(self, library: Library) -> None:
        self.model.set_rows(list(library.rows))
        self.problems.setText("\n".join(library.problems))
        self.problems.setVisible(bool(library.problems))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Add a council's definition file",
            str(Path.home()),
            "Definition files (*.json);;All files (*)",
        )
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> None:
        """Check the file and keep it in the store, on the worker; then list it."""

        def op(ctx: TaskContext) -> tuple[Parsed, Library]:
            added = add_definition_file(ctx.store, None, path)
            return added, load_library(ctx.store)

        def done(result: tuple[Parsed, Library]) -> None:
            added, library = result
            self._show(library)
            row = next(r for r in library.rows if r.ref == added.ref and r.name == added.name)
            self.message.setText(
                f"Added the {row.kind.label} {added.name} ({added.ref}) from {path.name}. "
                "This store keeps a copy."
            )
            self.view.selectRow(library.rows.index(row))

        self.message.clear()
        Task(self.runner, op, done, parent=self).with_progress(f"Checking {path.name}…").failure(
            lambda exc: show_error(self, exc)
        ).run()
