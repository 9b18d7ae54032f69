"""First run: create a store (role, name, passphrase typed twice), or open the demo caseload."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from fmdesk.roles import Role
from ui.actions.passphrase import strength
from ui.kit.announce import MessageLabel
from ui.kit.colours import text_style


class WelcomePage(QWidget):
    create_requested = Signal(object, str, str)  # Role, name, passphrase
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QWidget(self)
        box.setMaximumWidth(560)
        layout = QVBoxLayout(box)
        title = QLabel("<h1>Welcome to fmdesk</h1>", box)
        intro = QLabel(
            "fmdesk keeps your caseload on this computer, encrypted. Nothing is sent anywhere "
            "unless you export a sync bundle for your coordinator.",
            box,
        )
        intro.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(intro)

        form = QFormLayout()
        self.practitioner = QRadioButton("Lead practitioner (my own caseload)", box)
        self.coordinator = QRadioButton("Coordinator (the central team)", box)
        self.practitioner.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.practitioner)
        group.addButton(self.coordinator)
        roles = QVBoxLayout()
        roles.addWidget(self.practitioner)
        roles.addWidget(self.coordinator)
        form.addRow("I am a:", roles)
        self.name = QLineEdit(box)
        self.name.setAccessibleName("Your name")
        form.addRow("Your &name:", self.name)
        self.passphrase = QLineEdit(box)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        form.addRow("&Passphrase:", self.passphrase)
        self.meter = QProgressBar(box)
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setAccessibleName("Passphrase strength")
        self.meter.setMaximumHeight(8)
        form.addRow("", self.meter)
        self.verdict = QLabel(box)
        self.verdict.setWordWrap(True)
        form.addRow("", self.verdict)
        self.again = QLineEdit(box)
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("Passphrase again")
        form.addRow("Type it &again:", self.again)
        layout.addLayout(form)
        self.problem = MessageLabel(box, urgent=True)  # said to a screen reader (issue 16)
        self.problem.setStyleSheet(text_style("problem"))
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)

        buttons = QHBoxLayout()
        self.demo_button = QPushButton("Open the &demo caseload", box)
        self.create_button = QPushButton("&Create my store", box)
        self.create_button.setDefault(True)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        outer.addWidget(box)

        self.passphrase.textChanged.connect(self._rate)
        self.create_button.clicked.connect(self._create)
        self.again.returnPressed.connect(self._create)
        self.demo_button.clicked.connect(self.demo_requested)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        """The cursor starts in the first field to type in, the user's name."""
        super().showEvent(event)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def _rate(self, text: str) -> None:
        verdict = strength(text, [self.name.text()])
        self.meter.setValue(verdict.score)
        self.verdict.setText(verdict.reason if text else "")

    def _create(self) -> None:
        verdict = strength(self.passphrase.text(), [self.name.text()])
        if not self.name.text().strip():
            self.problem.setText("Type your name: it goes on plans and on what you send.")
        elif not verdict.acceptable:
            self.problem.setText(f"Choose a stronger passphrase. {verdict.reason}")
        elif self.passphrase.text() != self.again.text():
            self.problem.setText("The two passphrases are different. Type them again.")
        else:
            self.problem.clear()
            role = Role.COORDINATOR if self.coordinator.isChecked() else Role.PRACTITIONER
            self.create_requested.emit(role, self.name.text().strip(), self.passphrase.text())
