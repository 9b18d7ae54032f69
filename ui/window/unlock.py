"""The unlock screen: passphrase, "remember on this computer" where a real keychain exists."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.kit.announce import MessageLabel
from ui.kit.colours import text_style


class UnlockPage(QWidget):
    unlock_requested = Signal(str, bool)  # passphrase, remember

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QWidget(self)
        box.setMaximumWidth(460)
        layout = QVBoxLayout(box)
        self.title = QLabel("<h2>Unlock your caseload</h2>", box)
        self.where = QLabel(box)
        self.where.setWordWrap(True)
        self.hint = QLabel(box)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Hint")
        self.passphrase = QLineEdit(box)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.remember = QCheckBox("&Remember on this computer (uses the system keychain)", box)
        self.remember.setAccessibleName("Remember on this computer")
        self.error = MessageLabel(box, urgent=True)  # said to a screen reader (issue 16)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(text_style("problem"))
        self.error.setAccessibleName("Unlock problem")
        self.busy = QProgressBar(box)
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName("Unlocking")
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.button = QPushButton("&Unlock", box)
        self.button.setDefault(True)
        for w in (
            self.title,
            self.where,
            self.hint,
            self.passphrase,
            self.remember,
            self.busy,
            self.error,
            self.button,
        ):
            layout.addWidget(w)
        outer.addWidget(box)
        self.button.clicked.connect(self._unlock)
        self.passphrase.returnPressed.connect(self._unlock)

    def prepare(self, where: str, *, keychain: bool, hint: str = "", locked: bool = False) -> None:
        self.title.setText("<h2>Locked</h2>" if locked else "<h2>Unlock your caseload</h2>")
        self.where.setText(where)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.remember.setVisible(keychain)
        self.remember.setEnabled(keychain)
        self.error.clear()
        self.set_busy(False)
        self.passphrase.clear()
        self.passphrase.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)

    def show_problem(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _unlock(self) -> None:
        if not self.passphrase.text():
            self.show_problem("Type your passphrase.")
            return
        self.error.clear()
        self.set_busy(True)
        self.unlock_requested.emit(self.passphrase.text(), self.remember.isChecked())
