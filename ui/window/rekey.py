"""File → Change the store's key…: re-key the store after a suspected compromise (db/rekey.py).

The dialog asks for the current passphrase (every key slot is written again under it) and,
optionally, a new one. The work runs on the store's worker thread through the one task runner,
with progress; the store the worker holds is swapped for the re-keyed one. A wrong passphrase is
said in the dialog, which stays open; anything else goes to the one error presenter.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from db.rekey import Rekeyed, rekey
from fmdesk.errors import UserError
from ui.actions.passphrase import strength
from ui.kit.errors import show_error
from ui.kit.tasks import Task, TaskContext, TaskRunner

EXPLANATION = (
    "Use this if a copy of this store may be in someone else's hands: a lost backup, a copied "
    "folder, a laptop that was away. The store gets a new key, and copies of the old key file "
    "(keys.json) no longer open it. Changing only the passphrase is not enough for that: an old "
    "keys.json still opens the store with the old passphrase.<br><br>"
    "Old backups still open with the old passphrase: delete them, and make a new backup "
    "afterwards. Tell your coordinator that the store was re-keyed."
)
TELL_THE_COORDINATOR = (
    "Copies of the old keys.json no longer open this store. Make a new backup now, and delete "
    "or lock away the old ones (they still open with the old passphrase). Tell your "
    "coordinator that this store was re-keyed after a suspected compromise."
)


class RekeyDialog(QDialog):
    """The passphrases for a re-key; `start` runs it once they are given."""

    def __init__(self, runner: TaskRunner, owner_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.owner_name = owner_name
        self.window_ = parent
        self.result_box: QMessageBox | None = None
        self.setWindowTitle("Change the store's key")
        layout = QVBoxLayout(self)
        explanation = QLabel(EXPLANATION, self)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Current passphrase")
        self.passphrase.setAccessibleName("Current passphrase")
        layout.addWidget(self.passphrase)
        self.choose_new = QCheckBox("Also choose a &new passphrase", self)
        layout.addWidget(self.choose_new)
        self.new = QLineEdit(self)
        self.again = QLineEdit(self)
        for field, name in ((self.new, "New passphrase"), (self.again, "New passphrase again")):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(name)
            field.setAccessibleName(name)
            field.setVisible(False)
            layout.addWidget(field)
        self.choose_new.toggled.connect(self.new.setVisible)
        self.choose_new.toggled.connect(self.again.setVisible)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a4262c;")
        self.problem.setAccessibleName("Problem")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.addButton(
            "&Change the key", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def start(self) -> None:
        passphrase = self.passphrase.text()
        new = self.new.text() if self.choose_new.isChecked() else ""
        if not passphrase:
            self.problem.setText("Type the store's current passphrase.")
            return
        if self.choose_new.isChecked():
            verdict = strength(new, [self.owner_name])
            if not verdict.acceptable:
                self.problem.setText(f"That new passphrase is too weak: {verdict.reason}")
                return
            if new != self.again.text():
                self.problem.setText("The two new passphrases differ.")
                return
        self.problem.clear()
        self.ok_button.setEnabled(False)

        def op(ctx: TaskContext) -> Rekeyed:
            done = rekey(ctx.store, passphrase, progress=ctx.progress)
            ctx.set_store(done.store)
            if new:
                done.store.change_passphrase(new)
            return done

        Task(self.runner, op, self._done, parent=self).failure(self._failed).with_progress(
            "Changing the store's key…"
        ).run()

    def _done(self, done: Rekeyed) -> None:
        lines = ["The store has a new key."]
        if done.recovery:
            lines.append(f"Your coordinator, {done.recovery}, can still recover it.")
        if done.request_removed:
            lines.append("The open recovery request was removed: it answered the old key.")
        lines.append(TELL_THE_COORDINATOR)
        self.accept()
        box = QMessageBox(
            QMessageBox.Icon.Information, "Store re-keyed", "\n\n".join(lines), parent=self.window_
        )
        box.setAccessibleName("Store re-keyed")
        box.open()
        self.result_box = box

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.problem.setText(str(exc))
            self.passphrase.selectAll()
            self.passphrase.setFocus()
        else:
            show_error(self, exc)


def change_store_key(parent: QWidget, runner: TaskRunner, owner_name: str) -> RekeyDialog:
    """Show the dialog (window-modal, not blocking); returns it."""
    dialog = RekeyDialog(runner, owner_name, parent)
    dialog.open()
    return dialog
