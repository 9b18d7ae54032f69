"""The Sync page: enrolled partners, bundles out and in, records refused from a partner, keys
replaced, conflicts to decide, purging.

Every store call runs in a Task (db/sync.py does the work). File choices go through `ask_*`
methods, which the tests replace; no native dialog is ever driven by a test. What an import
brings in reaches the other screens through the one change signal (ui/kit/tasks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db import sync
from fmdesk.errors import UserError
from fmdesk.families import Family
from fmdesk.roles import Role
from fmdesk.sync.bundle import SUFFIX
from fmdesk.sync.identity import Enrolment
from fmdesk.words import plural
from ui.actions import documents
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.errors import show_error
from ui.kit.models import ROW_ROLE, Column, RowTableModel
from ui.kit.pages import WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import make_table


def _when(sequence: int, at: str | None) -> str:
    if not sequence or not at:
        return "never"
    return f"no. {sequence}, {at.replace('T', ' ')[:16]} UTC"


def value_text(field: str, value: Any) -> str:
    """A conflicting value as a person reads it."""
    if field == "deleted":
        return "deleted" if value else "kept"
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text("", v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text('', v)}" for k, v in value.items())
    return str(value)


def kind_text(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


def _at(at: str) -> str:
    return f"{at.replace('T', ' ')[:16]} UTC" if at else ""


def _acked_text(p: sync.PartnerStatus) -> str:
    """Our latest bundle the partner has acknowledged, and when that arrived here."""
    if not p.partner.acked_by_them:
        return "never"
    if not p.acked_at:  # acknowledged before this store kept the time
        return f"no. {p.partner.acked_by_them}"
    return _when(p.partner.acked_by_them, p.acked_at)


def unsent_text(state: sync.SyncStatus) -> str:
    """What has not reached the other side, in a sentence for the Sync page."""
    unsent = state.unsent
    if unsent is None or not state.partners:
        return ""
    other = "the coordinator" if state.role is Role.PRACTITIONER else "your practitioners"
    sent = (
        f"Last bundle sent {_at(unsent.last_sent.isoformat())}"
        if unsent.last_sent
        else "No bundle sent yet"
    )
    acked = (
        f"last acknowledged {_at(unsent.last_acked.isoformat())}"
        if unsent.last_acked
        else "none acknowledged yet"
    )
    waiting = "1 change waits" if unsent.waiting == 1 else f"{unsent.waiting} changes wait"
    return f"{sent}; {acked}. {waiting} to reach {other}."


PARTNER_COLUMNS: tuple[Column[sync.PartnerStatus], ...] = (
    Column("Partner", lambda p: p.name),
    Column("Role", lambda p: p.partner.enrolment.role.label),
    Column("Fingerprint", lambda p: p.partner.enrolment.fingerprint),
    Column("Last bundle sent", lambda p: _when(p.partner.last_sent, p.partner.last_sent_at)),
    Column(
        "Last bundle received",
        lambda p: _when(p.partner.received_up_to, p.partner.last_received_at),
    ),
    Column("Last acknowledged", _acked_text),
    Column("Changes waiting", lambda p: p.pending, align_right=True),
)
REFUSED_COLUMNS: tuple[Column[sync.Quarantined], ...] = (
    Column("Received", lambda q: q.received_at, text=_at),
    Column("Partner", lambda q: q.partner_name),
    Column("Record", lambda q: kind_text(q.kind) if q.kind else "(unreadable)"),
    Column("Family", lambda q: q.family_label or "(none)"),
    Column("Reason", lambda q: q.reason, tooltip=lambda q: q.reason),
    Column("Reported back", lambda q: q.reported_text),
)
KEY_CHANGE_COLUMNS: tuple[Column[sync.ReEnrolment], ...] = (
    Column("When", lambda r: r.at, text=_at),
    Column("Partner", lambda r: r.name or r.store_id, tooltip=lambda r: r.store_id),
    Column("Confirmed by", lambda r: r.by),
    Column("Old fingerprint", lambda r: r.old_fingerprint),
    Column("New fingerprint", lambda r: r.new_fingerprint),
)
CONFLICT_COLUMNS: tuple[Column[sync.Conflict], ...] = (
    Column("Family", lambda c: c.family_label, tooltip=lambda c: c.family_label),
    Column("Record", lambda c: kind_text(c.kind)),
    Column("Field", lambda c: c.field.replace("_", " ")),
    Column("This store", lambda c: value_text(c.field, c.local)),
    Column(
        "Partner",
        lambda c: value_text(c.field, c.incoming),
        tooltip=lambda c: f"From {c.partner_name}",
    ),
    Column(
        "Decision",
        lambda c: (
            f"kept {'this store' if c.choice == 'local' else c.partner_name}'s"
            if c.choice
            else "to decide"
        ),
    ),
)


class SyncPage(WorkspacePage):
    title = "&Sync"
    shortcut = "Ctrl+5"
    roles = (Role.PRACTITIONER, Role.COORDINATOR)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.state: sync.SyncStatus | None = None
        self.message_box: QMessageBox | None = None
        layout = QVBoxLayout(self)

        heading = QLabel("<h2>Sync</h2>")
        layout.addWidget(heading)
        me = QHBoxLayout()
        self.identity = QLabel("")
        self.identity.setAccessibleName("This store's fingerprint")
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        me.addWidget(self.identity, 1)
        self.enrolment_button = QPushButton("Save my &enrolment file…")
        self.enrolment_button.clicked.connect(self.save_enrolment)
        self.enrol_button = QPushButton("Enrol a &partner…")
        self.enrol_button.clicked.connect(self.enrol_partner)
        for button in (self.enrolment_button, self.enrol_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            me.addWidget(button)
        layout.addLayout(me)

        self.partners: RowTableModel[sync.PartnerStatus] = RowTableModel(PARTNER_COLUMNS, self)
        self.partner_table = make_table(self.partners, "Enrolled partners", stretch=0)
        self.partner_table.setMaximumHeight(120)
        layout.addWidget(self.partner_table)
        # What has not reached the other side, and the council's warning when it has waited
        # too long (db/sync/overview.py unsent_summary, unsent_warning).
        self.unsent = QLabel("")
        self.unsent.setAccessibleName("What has not reached the other side")
        self.unsent.setWordWrap(True)
        layout.addWidget(self.unsent)
        self.unsent_warning = MessageLabel()  # said to a screen reader (issue 16)
        self.unsent_warning.setAccessibleName("Sync warning")
        self.unsent_warning.setWordWrap(True)
        self.unsent_warning.setStyleSheet(notice_style())
        self.unsent_warning.hide()
        layout.addWidget(self.unsent_warning)

        actions = QHBoxLayout()
        self.export_button = QPushButton("E&xport bundle…")
        self.export_button.setShortcut(QKeySequence("Ctrl+E"))
        self.export_button.setToolTip(
            "Write a bundle of every change not yet acknowledged (Ctrl+E)"
        )
        self.export_button.clicked.connect(self.export_bundle)
        self.import_button = QPushButton("&Import bundles…")
        self.import_button.setShortcut(QKeySequence("Ctrl+I"))
        self.import_button.setToolTip("Import one or many bundles (Ctrl+I)")
        self.import_button.clicked.connect(self.import_bundles)
        for button in (self.export_button, self.import_button):
            button.setMinimumHeight(40)
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.result = QLabel("")
        self.result.setAccessibleName("Import result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)

        self.purge_box = QGroupBox("Families the coordinator has confirmed, ready to leave")
        purge_layout = QHBoxLayout(self.purge_box)
        self.purge_text = QLabel("")
        self.purge_text.setWordWrap(True)
        self.purge_text.setAccessibleName("Families that can be removed")
        self.purge_button = QPushButton("&Remove them from this laptop…")
        self.purge_button.setAccessibleName("Remove confirmed closed families")
        self.purge_button.clicked.connect(self.purge)
        purge_layout.addWidget(self.purge_text, 1)
        purge_layout.addWidget(self.purge_button)
        self.purge_box.hide()
        layout.addWidget(self.purge_box)

        # Records a partner sent that this store did not take (invalid, or not theirs to
        # send: fmdesk/sync/authority.py), each with the reason its sender is told.
        self.refused_box = QGroupBox("Records refused from a partner")
        refused_layout = QVBoxLayout(self.refused_box)
        self.refused_count = QLabel("")
        self.refused_count.setWordWrap(True)
        self.refused_count.setAccessibleName("Records refused")
        refused_layout.addWidget(self.refused_count)
        self.refused: RowTableModel[sync.Quarantined] = RowTableModel(REFUSED_COLUMNS, self)
        self.refused_table = make_table(self.refused, "Records refused from a partner", stretch=4)
        self.refused_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        refused_layout.addWidget(self.refused_table)
        self.refused_box.hide()
        layout.addWidget(self.refused_box, 1)

        self.key_changes_box = QGroupBox("Partner keys replaced")
        key_layout = QVBoxLayout(self.key_changes_box)
        self.key_changes: RowTableModel[sync.ReEnrolment] = RowTableModel(KEY_CHANGE_COLUMNS, self)
        self.key_change_table = make_table(self.key_changes, "Partner keys replaced", stretch=1)
        self.key_change_table.setMaximumHeight(110)
        key_layout.addWidget(self.key_change_table)
        self.key_changes_box.hide()
        layout.addWidget(self.key_changes_box)

        conflicts_box = QGroupBox("Conflicts: both sides changed the same thing")
        conflicts_layout = QVBoxLayout(conflicts_box)
        self.conflict_count = QLabel("")
        self.conflict_count.setAccessibleName("Conflicts to decide")
        self.show_decided = QCheckBox("Show &decided conflicts too")
        self.show_decided.toggled.connect(lambda _: self.refresh())
        top = QHBoxLayout()
        top.addWidget(self.conflict_count, 1)
        top.addWidget(self.show_decided)
        conflicts_layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.conflicts: RowTableModel[sync.Conflict] = RowTableModel(CONFLICT_COLUMNS, self)
        self.conflict_table = make_table(self.conflicts, "Conflicts", stretch=0)
        self.conflict_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_choice()
        )
        splitter.addWidget(self.conflict_table)
        splitter.addWidget(self._choice_panel())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        conflicts_layout.addWidget(splitter, 1)
        layout.addWidget(conflicts_box, 1)

    def _choice_panel(self) -> QWidget:
        """Both values side by side, each with the button that keeps it."""
        panel = QWidget()
        grid = QGridLayout(panel)
        self.choice_title = QLabel("Choose a conflict to decide it.")
        self.choice_title.setWordWrap(True)
        grid.addWidget(self.choice_title, 0, 0, 1, 2)
        big = QFont()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.local_value = QLabel("")
        self.incoming_value = QLabel("")
        self.local_heading = QLabel("<b>This store</b>")
        self.incoming_heading = QLabel("<b>Partner</b>")
        for column, (heading, value, name) in enumerate(
            (
                (self.local_heading, self.local_value, "This store's value"),
                (self.incoming_heading, self.incoming_value, "The partner's value"),
            )
        ):
            value.setFont(big)
            value.setWordWrap(True)
            value.setAccessibleName(name)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(heading, 1, column)
            grid.addWidget(value, 2, column)
        self.keep_local = QPushButton("Keep &this store's value")
        self.keep_incoming = QPushButton("Keep the partner's &value")
        for column, (button, choice) in enumerate(
            ((self.keep_local, "local"), (self.keep_incoming, "incoming"))
        ):
            button.setMinimumHeight(40)
            button.setAccessibleName(button.text().replace("&", ""))
            button.clicked.connect(lambda _=False, c=choice: self.decide(c))
            grid.addWidget(button, 3, column)
        self.choice_note = QLabel("")
        self.choice_note.setWordWrap(True)
        grid.addWidget(self.choice_note, 4, 0, 1, 2)
        grid.setRowStretch(5, 1)
        self._show_choice()
        return panel

    # ---- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        include = self.show_decided.isChecked()

        def op(ctx: TaskContext) -> tuple[sync.SyncStatus, list[sync.Conflict]]:
            return sync.status(ctx.store), sync.conflicts(ctx.store, include_resolved=include)

        Task(self.runner, op, self._loaded, parent=self).run()

    def _loaded(self, loaded: tuple[sync.SyncStatus, list[sync.Conflict]]) -> None:
        state, found = loaded
        self.state = state
        self.identity.setText(
            f"This store ({state.role.label.lower()}, {escape(state.name or 'unnamed')}). "
            f"Fingerprint: <b>{state.fingerprint}</b>"
        )
        self.partners.set_rows(list(state.partners))
        if state.partners:
            self.partner_table.selectRow(0)
        enrolled = bool(state.partners)
        self.unsent.setText(unsent_text(state))
        self.unsent.setVisible(bool(self.unsent.text()))
        # The same notice says which partner stores were re-keyed after a suspected compromise.
        warnings = [state.unsent_warning, *(p.rekey_warning for p in state.partners)]
        shown = "\n".join(f"Warning: {w}." if "re-keyed" in w else w for w in warnings if w)
        self.unsent_warning.setText(shown)
        self.unsent_warning.setVisible(bool(shown))
        self.export_button.setEnabled(enrolled)
        self.import_button.setEnabled(enrolled)
        # A practitioner has one coordinator, but enrols it again when its key changes.
        self.enrol_button.setToolTip(
            "Enrol a practitioner's store"
            if state.role is Role.COORDINATOR
            else (
                "Enrol the coordinator again, when they have a new key"
                if enrolled
                else "Enrol your coordinator's store"
            )
        )
        if not enrolled:
            partner = "coordinator" if state.role is Role.PRACTITIONER else "practitioners"
            self.result.setText(
                f"Not enrolled yet. Save your enrolment file and send it to your {partner}; "
                "enrol theirs, checking the fingerprint with them by phone."
            )
        current = self._current_conflict()
        self.conflicts.set_rows(found)
        self._select_conflict(current.conflict_id if current else None)
        self.conflict_count.setText(
            "No conflicts to decide."
            if state.open_conflicts == 0
            else f"{state.open_conflicts} to decide. Until then each record shows the later value."
        )
        self.refused.set_rows(list(state.refused))
        self.refused_box.setVisible(bool(state.refused))
        waiting = sum(1 for q in state.refused if q.reported_in is None)
        self.refused_count.setText(
            f"{len(state.refused)} {'record' if len(state.refused) == 1 else 'records'} refused"
            + (f", {waiting} to be reported back in the next bundle" if waiting else "")
            + ". Nothing refused was applied here or passed on to anyone."
        )
        self.key_changes.set_rows(list(state.re_enrolments))
        self.key_changes_box.setVisible(bool(state.re_enrolments))
        if state.purgeable:
            refs = ", ".join(f.reference for f in state.purgeable)
            self.purge_text.setText(
                f"{_purgeable(state.purgeable)} reached the "
                f"coordinator, who has confirmed them, and can leave this laptop: {refs}."
            )
            self.purge_box.show()
        else:
            self.purge_box.hide()

    def clear(self) -> None:
        self.state = None
        self.identity.setText("")
        self.partners.set_rows([])
        self.unsent.setText("")
        self.unsent_warning.setText("")
        self.unsent_warning.hide()
        self.conflicts.set_rows([])
        self.refused.set_rows([])
        self.refused_box.hide()
        self.key_changes.set_rows([])
        self.key_changes_box.hide()
        self.result.setText("")
        self.purge_box.hide()
        self._show_choice()

    # ---- enrolment ---------------------------------------------------------------------

    def ask_save_path(self, title: str, suggested: str, pattern: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, title, suggested, pattern)
        return Path(name) if name else None

    def ask_open_paths(self, title: str, pattern: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, title, "", pattern)
        return [Path(n) for n in names]

    def ask_open_path(self, title: str, pattern: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, title, "", pattern)
        return Path(name) if name else None

    def confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAccessibleName(title)
        return box.exec() == QMessageBox.StandardButton.Yes

    def save_enrolment(self) -> None:
        path = self.ask_save_path("Save my enrolment file", "enrolment.fmid", "Enrolment (*.fmid)")
        if path is None:
            return

        def op(ctx: TaskContext) -> str:
            me = sync.identity(ctx.store)
            documents.save(path, me.enrolment.to_json())
            return me.fingerprint

        def done(fingerprint: str) -> None:
            self._say(
                f"Saved {path.name}. Send it to the other side, and read them your "
                f"fingerprint when they enrol it: {fingerprint}"
            )

        Task(self.runner, op, done, parent=self).run()

    def key_change_box(self, held: Enrolment, offered: Enrolment) -> QMessageBox:
        """The question asked before a partner's enrolled keys are replaced: both fingerprints
        and a plain warning, answered No unless the user chooses Yes."""
        name = escape(offered.name or held.name or offered.store_id)
        text = (
            f"<p><b>{name}</b> is already enrolled, with other keys.</p>"
            f"<p>Enrolled fingerprint: <b>{held.fingerprint}</b><br>"
            f"This file's fingerprint: <b>{offered.fingerprint}</b></p>"
            f"<p>A changed key is what someone pretending to be {name} would send. Phone "
            f"{name} on a number you already know and ask them to read out their fingerprint. "
            "Replace the key only if it matches this file's.</p>"
            "<p>Replace the enrolled key?</p>"
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning, "A partner's key has changed", text, parent=self
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.setAccessibleName("A partner's key has changed")
        return box

    def confirm_key_change(self, held: Enrolment, offered: Enrolment) -> bool:
        return self.key_change_box(held, offered).exec() == QMessageBox.StandardButton.Yes

    def enrol_partner(self) -> None:
        path = self.ask_open_path("Enrol a partner", "Enrolment (*.fmid)")
        if path is None:
            return
        try:
            enrolment = Enrolment.from_json(path.read_bytes())
        except (OSError, UserError) as exc:
            show_error(self, exc if isinstance(exc, UserError) else UserError(str(exc)))
            return
        Task(
            self.runner,
            lambda ctx: sync.enrolled(ctx.store, enrolment.store_id),
            lambda held: self._enrol_checked(enrolment, held),
            parent=self,
        ).run()

    def _enrol_checked(self, enrolment: Enrolment, held: Enrolment | None) -> None:
        """Enrol a new partner after the fingerprint check; say so when these keys are already
        enrolled; ask before other keys replace a partner's (key_change_box)."""
        if held is not None:
            name = enrolment.name or enrolment.store_id
            if sync.same_keys(held, enrolment):
                self.result.setText(f"{name} is already enrolled with these keys: nothing changed.")
                return
            if not self.confirm_key_change(held, enrolment):
                self.result.setText(f"{name}'s enrolled key was kept: nothing changed.")
                return
            Task(
                self.runner,
                lambda ctx: sync.enrol(ctx.store, enrolment, replace_key=True),
                lambda _: self._enrolled(enrolment, replaced=held),
                parent=self,
            ).run()
            return
        question = (
            f"{enrolment.name or 'Unnamed'} ({enrolment.role.label.lower()})\n\n"
            f"Fingerprint: {enrolment.fingerprint}\n\n"
            "Phone them and ask them to read out their fingerprint. Enrol only if every "
            "character matches."
        )
        if not self.confirm("Check the fingerprint", question):
            return
        Task(
            self.runner,
            lambda ctx: sync.enrol(ctx.store, enrolment),
            lambda _: self._enrolled(enrolment),
            parent=self,
        ).run()

    def _enrolled(self, enrolment: Enrolment, *, replaced: Enrolment | None = None) -> None:
        note = ""
        if enrolment.role is Role.COORDINATOR:
            note = (
                " This store's key is now also sealed to the coordinator, so they can help you "
                "set a new passphrase if you forget yours."
            )
        name = enrolment.name or enrolment.store_id
        if replaced is not None:
            self.result.setText(
                f"Enrolled {name} again, with the new key (it was {replaced.fingerprint}).{note}"
            )
        else:
            self.result.setText(f"Enrolled {name}.{note}")
        self.refresh()

    # ---- bundles -----------------------------------------------------------------------

    def _chosen_partner(self) -> sync.PartnerStatus | None:
        index = self.partner_table.currentIndex()
        if index.isValid():
            return index.data(ROW_ROLE)
        rows = self.partners.rows()
        return rows[0] if len(rows) == 1 else None

    def export_bundle(self) -> None:
        partner = self._chosen_partner()
        if partner is None:
            show_error(self, UserError("Choose the partner to send a bundle to."))
            return
        suggested = f"to-{partner.name.replace(' ', '-').lower()}-{partner.partner.last_sent + 1}"
        path = self.ask_save_path(
            f"Export a bundle for {partner.name}", suggested + SUFFIX, f"Bundle (*{SUFFIX})"
        )
        if path is None:
            return
        partner_id = partner.partner.enrolment.store_id

        def op(ctx: TaskContext) -> sync.ExportResult:
            try:
                return sync.export_bundle(
                    ctx.store, partner_id, path, progress=ctx.progress, cancel=ctx.cancel
                )
            except OSError as exc:
                raise UserError(f"Could not write {path}: {exc.strerror}.") from None

        def done(result: sync.ExportResult) -> None:
            self.result.setText(
                f"Wrote bundle {result.sequence} for {partner.name} to {path.name}: "
                f"{result.changes} changed records. Send it by the route your council allows; "
                "nobody but them can open it."
            )
            self.refresh()

        Task(self.runner, op, done, parent=self).with_progress(
            "Writing the bundle…", cancellable=True
        ).run()

    def import_bundles(self) -> None:
        paths = self.ask_open_paths("Import bundles", f"Bundles (*{SUFFIX});;All files (*)")
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        def op(ctx: TaskContext) -> list[sync.ImportResult | UserError]:
            return sync.import_bundles(ctx.store, paths, progress=ctx.progress, cancel=ctx.cancel)

        def done(results: list[sync.ImportResult | UserError]) -> None:
            lines = []
            for path, result in zip(paths, results, strict=True):
                name = f"<b>{escape(path.name)}</b>"
                if isinstance(result, sync.ImportResult):
                    words = result.describe()
                    lines.append(f"{name}: {escape(words[0])}")
                    lines += [f"&nbsp;&nbsp;{escape(w)}" for w in words[1:]]
                else:
                    lines.append(f"{name}: not imported. {escape(str(result))}")
            self.result.setText("<br>".join(lines))
            self.refresh()

        Task(self.runner, op, done, parent=self).with_progress(
            f"Importing {len(paths)} bundle{'s' if len(paths) != 1 else ''}…", cancellable=True
        ).run()

    # ---- conflicts ---------------------------------------------------------------------

    def _current_conflict(self) -> sync.Conflict | None:
        index = self.conflict_table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _select_conflict(self, conflict_id: int | None) -> None:
        proxy = self.conflict_table.model()
        target = 0
        for row in range(proxy.rowCount()):
            if proxy.index(row, 0).data(ROW_ROLE).conflict_id == conflict_id:
                target = row
                break
        if proxy.rowCount():
            self.conflict_table.selectRow(target)
        self._show_choice()

    def _show_choice(self) -> None:
        conflict = self._current_conflict()
        if conflict is None:
            self.choice_title.setText("Choose a conflict to decide it.")
            for label in (self.local_value, self.incoming_value, self.choice_note):
                label.setText("")
            self.keep_local.setEnabled(False)
            self.keep_incoming.setEnabled(False)
            return
        self.choice_title.setText(
            f"{conflict.family_label}: {kind_text(conflict.kind).lower()}, "
            f"{conflict.field.replace('_', ' ')}"
        )
        self.incoming_heading.setText(f"<b>{escape(conflict.partner_name)}</b>")
        self.local_value.setText(value_text(conflict.field, conflict.local))
        self.incoming_value.setText(value_text(conflict.field, conflict.incoming))
        decided = conflict.choice is not None
        self.keep_local.setEnabled(not decided)
        self.keep_incoming.setEnabled(not decided)
        if decided:
            who = "this store" if conflict.choice == "local" else conflict.partner_name
            self.choice_note.setText(
                f"Decided {(conflict.resolved_at or '').replace('T', ' ')[:16]} UTC: "
                f"kept {who}'s value."
            )
        else:
            shown = "this store's" if conflict.provisional == "local" else "the partner's"
            self.choice_note.setText(
                f"The record shows {shown} value (the later edit) until you decide. "
                "Your decision goes to the partner in the next bundle."
            )

    def decide(self, choice: str) -> None:
        conflict = self._current_conflict()
        if conflict is None or conflict.choice is not None:
            return

        def done(decided: sync.Conflict) -> None:
            self.result.setText(
                f"Kept {value_text(decided.field, decided.shown)} for "
                f"{decided.field.replace('_', ' ')} of {decided.family_label}."
            )
            self.refresh()

        Task(
            self.runner,
            lambda ctx: sync.resolve_conflict(ctx.store, conflict.conflict_id, choice),
            done,
            parent=self,
        ).run()

    # ---- purging -----------------------------------------------------------------------

    def purge(self) -> None:
        if self.state is None or not self.state.purgeable:
            return
        families = self.state.purgeable
        refs = ", ".join(f.reference for f in families)
        which = _which(families)
        if not self.confirm(
            f"Remove {which} {'family' if len(families) == 1 else 'families'}",
            f"Remove {refs} and everything about them from this laptop? The coordinator "
            "keeps them; this cannot be undone here.",
        ):
            return
        ids = [f.id for f in families]

        def op(ctx: TaskContext) -> int:
            return sum(sync.purge_family(ctx.store, family_id) for family_id in ids)

        def done(removed: int) -> None:
            self.result.setText(
                f"Removed {plural(len(ids), which + ' family', which + ' families')} "
                f"({removed} records) from this laptop."
            )
            self.refresh()

        Task(self.runner, op, done, parent=self).with_progress("Removing…").run()

    def _say(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "fmdesk", message, parent=self)
        box.setAccessibleName("Message")
        box.open()  # not exec(): tests and keyboard users carry on while it shows
        self.message_box = box


def _purgeable(families: Sequence[Family]) -> str:
    """ "1 closed family has", "2 closed families have"."""
    which = _which(families)
    if len(families) == 1:
        return f"1 {which} family has"
    return f"{len(families)} {which} families have"


def _which(families: Sequence[Family]) -> str:
    """ "closed", "reassigned" (withdrawn by the coordinator) or "closed or reassigned"."""
    withdrawn = sum(1 for f in families if f.withdrawn_on is not None)
    if withdrawn == 0:
        return "closed"
    return "reassigned" if withdrawn == len(families) else "closed or reassigned"
