"""The Help menu: every keyboard shortcut, About fmdesk (version, the licences of the parts
it is built from), and where the log file is.

The shortcut list is read from the window itself each time it opens (its menu actions, its
QShortcuts and the keys set on its buttons), so it cannot drift from what the keys do: a
shortcut made with ui/kit/widgets.py `shortcut` carries its description as its whatsThis.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.kit import errors
from ui.kit.models import Column, RowFilterProxy, RowTableModel
from ui.kit.pages import FeatureTab, WorkspacePage
from ui.kit.widgets import make_table, plain


@dataclass(frozen=True)
class KeyRow:
    keys: str
    what: str
    where: str


KEY_COLUMNS: tuple[Column[KeyRow], ...] = (
    Column("Keys", lambda r: r.keys),
    Column("What it does", lambda r: r.what),
    Column("Where", lambda r: r.where),
)


def _native(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def where_in(widget: QWidget | None, window: QMainWindow) -> str:
    """Where a key works: the page, tab and section it sits in, outermost first."""
    names: list[str] = []
    while widget is not None and widget is not window:
        parent = widget.parentWidget()
        if isinstance(widget, WorkspacePage | FeatureTab):
            names.append(plain(widget.title))
        elif widget.property("place"):
            names.append(str(widget.property("place")))
        else:
            tabs = _tab_widget_holding(widget)
            if tabs is not None:
                names.append(plain(tabs.tabText(tabs.indexOf(widget))))
        widget = parent
    # A feature tab is also a page of the record's tabs: keep each name once.
    unique = list(dict.fromkeys(reversed(names)))
    return " › ".join(unique) if unique else "Everywhere"


def _tab_widget_holding(page: QWidget) -> QTabWidget | None:
    ancestor = page.parentWidget()
    for _ in range(4):  # the tab widget's stack, and a scroll area's viewport and holder
        if ancestor is None:
            return None
        if isinstance(ancestor, QTabWidget):
            return ancestor if ancestor.indexOf(page) >= 0 else None
        ancestor = ancestor.parentWidget()
    return None


def _menu_path(action: QAction, window: QMainWindow) -> str:
    for menu in window.menuBar().findChildren(QMenu):
        if action in menu.actions():
            return f"{plain(menu.title())} menu"
    return "Everywhere"


def key_rows(window: QMainWindow) -> list[KeyRow]:
    """Every shortcut in `window`: menu items, QShortcuts, buttons' keys and access keys."""
    rows: list[KeyRow] = []
    for action in window.findChildren(QAction):
        if action.menu() is not None:
            continue
        for sequence in action.shortcuts():
            rows.append(KeyRow(_native(sequence), plain(action.text()), _menu_path(action, window)))
    for sc in window.findChildren(QShortcut):
        parent = sc.parent()
        widget = parent if isinstance(parent, QWidget) else None
        for sequence in sc.keys():  # noqa: SIM118 - QShortcut.keys(), not a dict
            rows.append(KeyRow(_native(sequence), sc.whatsThis(), where_in(widget, window)))
    for button in window.findChildren(QAbstractButton):
        sequence = button.shortcut()
        if not sequence.isEmpty() and button.text():
            rows.append(KeyRow(_native(sequence), plain(button.text()), where_in(button, window)))
    unique = {(r.keys, r.what, r.where): r for r in rows if r.keys}
    return sorted(unique.values(), key=lambda r: (r.where != "Everywhere", r.where, r.keys))


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: a list to search, built from the window's own keys."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(760, 520)
        self.model: RowTableModel[KeyRow] = RowTableModel(KEY_COLUMNS, self)
        self.model.set_rows(key_rows(window))
        self.table = make_table(self.model, "Keyboard shortcuts")
        self.filter = QLineEdit(self)
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setPlaceholderText("Filter by key, action or place")
        self.filter.setClearButtonEnabled(True)
        proxy = self.table.model()
        assert isinstance(proxy, RowFilterProxy)
        proxy.setFilterCaseSensitivity(proxy.filterCaseSensitivity().CaseInsensitive)
        proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(proxy.setFilterFixedString)
        note = QLabel(
            "Alt and an underlined letter presses that button; Tab and Shift+Tab move between "
            "controls; Ctrl+Tab moves between tabs.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)


# The parts fmdesk is built from and ships, with their licences. Versions are read from the
# installed packages where they are known.
PARTS: tuple[tuple[str, str, str], ...] = (
    ("Qt 6 and PySide6", "PySide6-Essentials", "LGPL-3.0 (used under the LGPL version 3)"),
    ("SQLCipher (encrypted SQLite), through sqlcipher3", "sqlcipher3", "BSD-3-Clause; zlib"),
    ("SQLite", "", "Public domain"),
    ("sqlite-utils", "sqlite-utils", "Apache-2.0"),
    ("ReportLab (the PDFs)", "reportlab", "BSD-3-Clause"),
    ("pypdfium2 and PDFium (print preview)", "pypdfium2", "Apache-2.0 / BSD-3-Clause"),
    ("pypdf", "pypdf", "BSD-3-Clause"),
    ("age encryption, through pyrage (rage)", "pyrage", "MIT OR Apache-2.0"),
    ("cryptography", "cryptography", "Apache-2.0 OR BSD-3-Clause"),
    ("keyring", "keyring", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("click", "click", "BSD-3-Clause"),
    ("jsonschema", "jsonschema", "MIT"),
    ("zxcvbn (passphrase strength)", "zxcvbn", "MIT"),
    ("Faker (the demo caseload's made-up names)", "Faker", "MIT"),
    ("typing_extensions", "typing_extensions", "PSF-2.0"),
    ("DejaVu fonts", "", "Bitstream Vera and Arev font licences (free)"),
    ("Python", "", "PSF-2.0"),
)


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def about_text() -> str:
    version = version_of("fmdesk") or "unknown"
    rows = "".join(
        f"<tr><td>{name}</td><td>{version_of(dist) if dist else ''}</td><td>{licence}</td></tr>"
        for name, dist, licence in PARTS
    )
    return (
        f"<h2>fmdesk {version}</h2>"
        "<p>An offline caseload, whole-family assessment and outcomes tool for Early Help "
        "keyworkers and their central team. Everything is kept encrypted on this computer.</p>"
        "<h3>Built with</h3>"
        f"<table cellpadding='3'><tr><th align='left'>Part</th><th align='left'>Version</th>"
        f"<th align='left'>Licence</th></tr>{rows}</table>"
        "<p>Each licence's full text comes with the part it covers.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About fmdesk")
        self.resize(620, 520)
        self.text = QTextBrowser(self)
        self.text.setAccessibleName("About fmdesk")
        self.text.setHtml(about_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class LogDialog(QDialog):
    """Help → Where the log is: the log file's path, to copy for the support team."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Where the log is")
        path: Path | None = errors.log_file()
        self.path = QLineEdit(str(path) if path else "", self)
        self.path.setReadOnly(True)
        self.path.setAccessibleName("Log file")
        self.path.setMinimumWidth(480)
        words = QLabel(
            "fmdesk writes what went wrong, never family details, to this file. If your support "
            "team asks for it, send them this file."
            if path
            else "fmdesk is not writing a log file this time.",
            self,
        )
        words.setWordWrap(True)
        self.copy_button = QPushButton("&Copy the path", self)
        self.copy_button.setEnabled(path is not None)
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addWidget(self.path)
        layout.addWidget(buttons)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.path.text())
