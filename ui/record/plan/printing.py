"""Printing the Plan tab's documents (the plan, a TAF meeting's record, the closing summary) and
saving them as PDFs, the same way for each.

Both ask for the protective marking first (`PdfOptionsDialog`), offering the one chosen last: it is
kept while the app is open, never saved. Printing shows the PDF in the print preview
(ui/kit/print_preview.py), from which it prints, so what prints is what a saved file holds; saving
asks where, then for a password as well (none leaves the file open), and writes through
`ui.actions.documents.save` (atomic; a folder that refuses is a plain message).

Threading: the PDF is built on the task runner's worker (`build` is given the TaskContext, so it
reads the store there); the dialogs, the preview and the status bar run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QWidget

from reports.base import DEFAULT_MARKING
from ui.actions import documents
from ui.kit.print_preview import show_print_preview
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.record.plan.dialogs import PdfOptionsDialog

# build(ctx, marking) -> the PDF's bytes, run on the worker.
PrintBuild = Callable[[TaskContext, str], bytes]
# build(ctx, marking, password or None) -> the PDF's bytes, run on the worker.
SaveBuild = Callable[[TaskContext, str, str | None], bytes]


class PlanPrinter:
    """Prints and saves PDFs for `widget` (the Plan tab), which parents the dialogs, the preview
    and the Tasks. `showing()` says whether the widget still shows a family: a preview whose PDF
    arrives after the store locked is not shown."""

    def __init__(self, runner: TaskRunner, widget: QWidget, *, showing: Callable[[], bool]) -> None:
        self.runner = runner
        self.widget = widget
        self.showing = showing
        # The protective marking on every printed page: chosen when printing or saving, kept
        # for the next print while the app is open.
        self.marking = DEFAULT_MARKING

    def print_pdf(self, build: PrintBuild, *, title: str, what: str) -> None:
        """Ask for the marking, build the PDF on the worker, then show it in the print preview
        (GUI thread) under `title`."""
        dialog = PdfOptionsDialog(
            f"Print the {what}", self.marking, password=False, parent=self.widget
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        marking, _ = dialog.values()
        self.marking = marking

        def done(pdf: bytes) -> None:
            if self.showing():  # not locked meanwhile
                show_print_preview(pdf, title=title, parent=self.widget)

        Task(self.runner, lambda ctx: build(ctx, marking), done, parent=self.widget).with_progress(
            f"Making the {what} to print…"
        ).run()

    def save_pdf(self, build: SaveBuild, *, name: str, caption: str, what: str) -> None:
        """Ask where (offering `name` in the home folder), then for the marking and a password,
        build the PDF on the worker and save it; the status bar says where it went."""
        path, _ = QFileDialog.getSaveFileName(
            self.widget, caption, str(Path.home() / name), "PDF files (*.pdf)"
        )
        if not path:
            return
        target = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        dialog = PdfOptionsDialog(
            f"Save the {what}", self.marking, password=True, parent=self.widget
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        marking, password = dialog.values()
        self.marking = marking

        def op(ctx: TaskContext) -> Path:
            return documents.save(target, build(ctx, marking, password))

        def done(written: Path) -> None:
            window = self.widget.window()
            if isinstance(window, QMainWindow):
                protected = " (password protected)" if password else ""
                window.statusBar().showMessage(f"Saved the {what} to {written}{protected}", 8000)

        Task(self.runner, op, done, parent=self.widget).with_progress(
            f"Making the {what} PDF…"
        ).run()
