"""The main window: welcome → unlock → caseload ⇄ family record, with auto-lock.

This is the controller. Pages emit what the user asked for; the window turns each request into
one `Task` on the store's worker thread and shows the result. After every write the task runner
emits `changed` once (ui/kit/tasks.py); the window hands it to the family record and the page on
screen, each of which reloads only what shows a changed kind, and marks the caseload to be read
again when it is next shown. Locking drops the store (and with it
the data key) on the worker, clears every page that shows family data and shows the unlock screen;
unlocking returns to the same family and tab.

Start-up order matters to how fast the app feels. The window shows with only what the welcome and
unlock screens need; the family record's feature tabs and the workspace pages (which bring in
reportlab and the outcome rules) are imported and built just after the caseload first appears,
or at once if a family is opened first. Importing everything up front kept the window from
appearing for 1.4 s, and building it during the unlock slowed Argon2id on a 2-core laptop
(benchmarks/bench_app.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QWidget,
)
from typing_extensions import override  # typing.override arrives in Python 3.12

from db import keychain
from db.errors import StoreError
from db.store import Store
from fmdesk.caseload import CaseloadRow
from fmdesk.changes import Changes
from fmdesk.demo import DEMO_PASSPHRASE
from fmdesk.errors import UserError
from fmdesk.families import Consent, FamilyStatus, change_status
from fmdesk.records import Record
from fmdesk.roles import Role, StoreInfo
from ui.kit.announce import announce
from ui.kit.dialogs import DateDialog, DraftDialog, DraftKeeper, reopens
from ui.kit.errors import show_error
from ui.kit.pages import FeatureTab, WorkspacePage
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.kit.widgets import ElidedLabel, ScrollingStack
from ui.record.dialogs import ConsentDialog, NewFamilyDialog, StatusDialog
from ui.record.family_page import FamilyPage
from ui.window import help
from ui.window.caseload import CaseloadPage
from ui.window.status_offer import StatusOffers
from ui.window.unlock import UnlockPage
from ui.window.welcome import WelcomePage

if TYPE_CHECKING:
    from db.families import FamilyRecord
    from ui.window.rekey import RekeyDialog
    from ui.workspace.definitions import DefinitionsDialog


def feature_tabs() -> list[type[FeatureTab]]:
    """The feature tabs on the family record, in order (see ui/kit/pages.py). Add a tab here."""
    from ui.record.assessment.tab import AssessmentTab
    from ui.record.outcomes.tab import OutcomesTab
    from ui.record.plan.tab import PlanTab
    from ui.record.star.tab import StarTab
    from ui.record.timeline import TimelineTab

    return [AssessmentTab, StarTab, PlanTab, OutcomesTab, TimelineTab]


def workspace_pages() -> list[type[WorkspacePage]]:
    """The pages on the Go menu (see ui/kit/pages.py: WorkspacePage), shown to the roles they
    name. Add a page here."""
    from ui.workspace.allocation import AllocationPage
    from ui.workspace.claims import ClaimsPage
    from ui.workspace.programme import ProgrammePage
    from ui.workspace.sync import SyncPage

    return [SyncPage, ProgrammePage, AllocationPage, ClaimsPage]


# The store's reading code, imported at first unlock like the pages (see the module's note).
def _load_caseload(store: Store) -> list[CaseloadRow]:
    from db.families import load_caseload

    return load_caseload(store, claim_status=False)  # filled in after: _fill_claim_status


def _claim_status(store: Store) -> dict[str, str]:
    from db.programme import claim_status_by_family

    return claim_status_by_family(store)


def _load_family(store: Store, family_id: str) -> FamilyRecord:
    from db.families import load_family

    return load_family(store, family_id)


DEFAULT_AUTOLOCK_MINUTES = 5
INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


@dataclass(frozen=True)
class Place:
    """Where the user was when the store locked."""

    family_id: str | None
    tab: int
    store_path: Path | None = None
    # A dialog the lock put away with a draft: opened again once back there (ui/kit/dialogs.py).
    reopen: Callable[[], object] | None = None


class MainWindow(QMainWindow):
    def __init__(
        self, store_path: Path, *, demo: bool = False, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.store_path = store_path
        self.demo = demo
        self.settings = settings or QSettings("fmdesk", "fmdesk")
        self.runner = TaskRunner(self)
        self.info: StoreInfo | None = None
        self.place: Place | None = None
        self.unlocked = False
        self.setWindowTitle("fmdesk" + (" — demo caseload" if demo else ""))
        # Small enough for 200 % scaling on a 1920×1080 laptop; each page scrolls rather than
        # growing the window (opening a family made it 894 px tall).
        self.setMinimumSize(640, 480)
        self._fit_to_screen(1100, 720)
        self.restore_layout()

        self.pages = ScrollingStack(self)
        self.welcome = WelcomePage(self)
        self.unlock_page = UnlockPage(self)
        self.caseload = CaseloadPage(self)
        self.family_page = FamilyPage(self)
        for page, place in (
            (self.welcome, "Welcome"),
            (self.unlock_page, "Unlock"),
            (self.caseload, "Caseload"),
            (self.family_page, "Family record"),
        ):
            page.setProperty("place", place)  # named so in Help → Keyboard shortcuts
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self.workspace_pages: list[WorkspacePage] = []  # built after first unlock: build_pages()

        self.status_store = ElidedLabel("", self)  # a long path must not widen the window
        self.status_lock = QLabel(self)
        self.status_lock.setAccessibleName("Lock state")
        self.statusBar().addWidget(self.status_store, 1)
        self.statusBar().addPermanentWidget(self.status_lock)
        # What the status bar says is said to a screen reader too, politely (issue 16).
        self.statusBar().messageChanged.connect(self._announce_status)

        self._make_actions()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self._apply_autolock_setting()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.welcome.create_requested.connect(self.create_store)
        self.welcome.demo_requested.connect(self.switch_to_demo)
        self.unlock_page.unlock_requested.connect(self.unlock)
        self.caseload.open_family.connect(self.open_family)
        self.caseload.new_family.connect(self.new_family)
        fp = self.family_page
        fp.back.connect(self.show_caseload)
        fp.save.connect(self.save_records)
        fp.in_error.connect(self.mark_in_error)
        fp.status_requested.connect(self.change_family_status)
        fp.consent_requested.connect(self.record_consent)
        fp.withdraw_requested.connect(self.withdraw_consent)
        fp.reload_requested.connect(self._reload_family)
        self.runner.busy_changed.connect(self._show_busy)
        self.runner.changed.connect(self._on_changes)
        self._caseload_stale = False
        # Consent given, a plan agreed: the next status is offered (ui/window/status_offer.py).
        self.status_offers = StatusOffers(
            self.runner,
            self,
            family_shown=lambda: self.family_page.family,
            author=lambda: self.info.owner_name if self.info else "",
        )
        self.runner.changed.connect(self.status_offers.on_changes)

    # ---- actions and menus ------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            return a

        self.lock_action = action("&Lock", "Ctrl+L", self.lock)
        self.caseload_action = action("&Caseload", "Ctrl+1", self.show_caseload)
        self.settings_action = action("Auto-lock &after…", None, self.edit_autolock)
        self.definitions_action = action("&Definitions…", None, self.show_definitions)
        # Checked while the key file has a keychain slot; unticking forgets it on this computer.
        self.remember_action = action(
            "&Remember passphrase on this computer", None, self.set_remembered
        )
        self.remember_action.setCheckable(True)
        self.rekey_action = action("Change the store's &key…", None, self.change_store_key)
        self.quit_action = action("&Quit", QKeySequence(QKeySequence.StandardKey.Quit), self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.definitions_action)
        file_menu.addAction(self.remember_action)
        file_menu.addAction(self.rekey_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.go_menu = self.menuBar().addMenu("&Go")
        self.go_menu.addAction(self.caseload_action)
        self.shortcuts_action = action(
            "&Keyboard shortcuts",
            QKeySequence(QKeySequence.StandardKey.HelpContents),
            lambda: help.ShortcutsDialog(self).exec(),
        )
        self.about_action = action("&About fmdesk", None, lambda: help.AboutDialog(self).exec())
        self.log_action = action("Where the &log is", None, lambda: help.LogDialog(self).exec())
        # Help is last, at the right of the menu bar's items, as on every desktop.
        self.help_menu = self.menuBar().addMenu("&Help")
        for item in (self.shortcuts_action, self.about_action, self.log_action):
            self.help_menu.addAction(item)
        self.page_actions: list[tuple[QAction, WorkspacePage]] = []
        self._set_data_actions(False)

    # ---- window size and splitters, remembered ----------------------------------------------

    def restore_layout(self, *, window: bool = True) -> None:
        """Put the window, and every splitter in it, back as the user last left them (the
        splitters again once the pages are built)."""
        geometry = self.settings.value("window/geometry")
        if window and isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        for name, split in self._splitters().items():
            state = self.settings.value(f"splitters/{name}")
            if isinstance(state, QByteArray | bytes) and state:
                split.restoreState(QByteArray(state))

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for name, split in self._splitters().items():
            self.settings.setValue(f"splitters/{name}", split.saveState())
        self.settings.sync()

    def _splitters(self) -> dict[str, QSplitter]:
        """Each splitter by a name that stays the same from one run to the next: the chain of
        widget classes it sits in, each with its place among its siblings of that class."""
        found: dict[str, QSplitter] = {}
        for split in self.findChildren(QSplitter):
            chain: list[str] = []
            widget: QWidget | None = split
            while widget is not None and widget is not self:
                parent = widget.parentWidget()
                siblings = [
                    w
                    for w in (parent.findChildren(type(widget)) if parent else [])
                    if w.parentWidget() is parent
                ]
                place = siblings.index(widget) if widget in siblings else 0
                chain.append(f"{type(widget).__name__}{place}")
                widget = parent
            found["/".join(reversed(chain))] = split
        return found

    def build_pages(self) -> None:
        """Build the family record's feature tabs and the workspace pages (once); see the
        module's note on why this waits for the first unlock."""
        if self.workspace_pages:
            return
        fp = self.family_page
        for tab_class in feature_tabs():
            fp.add_feature_tab(tab_class(self.runner, fp))
        for page_class in workspace_pages():
            page = page_class(self.runner, self)
            page.open_family.connect(self.open_family)
            self.pages.addWidget(page)
            self.workspace_pages.append(page)
            page_action = QAction(page.title, self)
            if page.shortcut:
                page_action.setShortcut(QKeySequence(page.shortcut))
            page_action.triggered.connect(lambda _=False, p=page: self.show_page(p))
            self.go_menu.addAction(page_action)
            self.page_actions.append((page_action, page))
        self._set_data_actions(self.unlocked)
        self.restore_layout(window=False)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """Open at the size asked for, or smaller on a small or scaled-up screen (200% scaling
        on a 1920×1080 laptop leaves 960×540 to work with)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.95))
            height = min(height, int(room.height() * 0.9))
        self.resize(width, height)

    def _set_data_actions(self, enabled: bool) -> None:
        for a in (
            self.lock_action,
            self.caseload_action,
            self.definitions_action,
            self.rekey_action,
        ):
            a.setEnabled(enabled)
        self.remember_action.setEnabled(enabled and not self.demo and keychain.available())
        for page_action, page in self.page_actions:
            shown = self.info is None or self.info.role in page.roles
            page_action.setVisible(shown)
            page_action.setEnabled(enabled and shown)

    def set_remembered(self, remember: bool) -> None:
        """File → Remember passphrase on this computer: add the keychain slot, or remove it and
        the key kept in the keychain ("forget on this computer")."""
        if not self.unlocked:
            return

        def op(ctx: TaskContext) -> bool:
            if remember:
                return ctx.store.remember_on_this_computer()
            ctx.store.forget_on_this_computer()
            return False

        def done(remembered: bool) -> None:
            self.remember_action.setChecked(remembered)
            if remember and not remembered:
                message = "This computer has no usable keychain, so the passphrase was not kept."
            elif remembered:
                message = "This computer will unlock the store without the passphrase."
            else:
                message = "Forgotten: this computer will ask for the passphrase again."
            self.statusBar().showMessage(message, 10_000)

        Task(self.runner, op, done, parent=self).run()

    def _announce_status(self, text: str) -> None:
        announce(self.statusBar(), text)

    def change_store_key(self) -> RekeyDialog | None:
        """File → Change the store's key…: re-key after a suspected compromise (ui/window/
        rekey.py). Returns the dialog, which stays open until the work is done."""
        if not self.unlocked:
            return None
        from ui.window.rekey import change_store_key

        return change_store_key(self, self.runner, self.info.owner_name if self.info else "")

    def show_page(self, page: WorkspacePage) -> None:
        if not self.unlocked:
            return
        self.family_page.flush()
        self.pages.setCurrentWidget(page)
        page.refresh()

    def show_definitions(self) -> DefinitionsDialog | None:
        """File → Definitions…: the frameworks, templates and Star instruments, and adding a
        council's file (ui/workspace/definitions.py). Returns the dialog, which stays open."""
        if not self.unlocked:
            return None
        from ui.workspace.definitions import DefinitionsDialog

        dialog = DefinitionsDialog(self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _apply_autolock_setting(self) -> None:
        minutes = int(str(self.settings.value("autolock_minutes", DEFAULT_AUTOLOCK_MINUTES)))
        self.idle.setInterval(max(1, minutes) * 60_000)

    def edit_autolock(self) -> None:
        current = int(str(self.settings.value("autolock_minutes", DEFAULT_AUTOLOCK_MINUTES)))
        minutes, ok = QInputDialog.getInt(
            self, "Auto-lock", "Lock after this many idle minutes:", current, 1, 120
        )
        if ok:
            self.settings.setValue("autolock_minutes", minutes)
            self._apply_autolock_setting()
            if self.unlocked:
                self.idle.start()

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.unlocked and event.type() in INPUT_EVENTS:
            self.idle.start()
        return False

    def _show_busy(self, busy: bool) -> None:
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _update_status_bar(self) -> None:
        where = str(self.store_path)
        if self.info is not None:
            who = self.info.owner_name or "unnamed"
            where = f"{where} · {self.info.role.label}: {who}"
        self.status_store.setText(where)
        self.status_lock.setText("Unlocked" if self.unlocked else "Locked")

    # ---- start, create, unlock, lock --------------------------------------------------

    def start(self) -> None:
        """Show the right first screen: welcome when there is no store, else unlock."""
        self._update_status_bar()
        if not self.store_path.exists():
            if self.demo:
                self._make_demo_then_unlock()
            else:
                self.pages.setCurrentWidget(self.welcome)
            return
        self._show_unlock()
        has_keychain_slot = False
        try:
            has_keychain_slot = Store.read_key_file(self.store_path).has_slot("keychain")
        except StoreError as exc:
            self.unlock_page.show_problem(str(exc))
            return
        if has_keychain_slot and not self.demo:
            self._open(None, remember=False, use_keychain=True)

    def switch_to_demo(self) -> None:
        from ui.actions import paths

        self.store_path = paths.demo_store()
        self.demo = True
        self.setWindowTitle("fmdesk — demo caseload")
        self.start()

    def _make_demo_then_unlock(self) -> None:
        from ui.actions.demo import ensure_demo_store

        path = self.store_path
        Task(
            self.runner,
            lambda ctx: ensure_demo_store(path),
            lambda _: self._show_unlock(),
            parent=self,
        ).with_progress("Making the demo caseload…").run()

    def _show_unlock(self, *, locked: bool = False) -> None:
        hint = (
            (
                f"This is the demo caseload of made-up families. Its passphrase is: "
                f"<b>{DEMO_PASSPHRASE}</b>"
            )
            if self.demo
            else ""
        )
        self.unlock_page.prepare(
            f"Store: {self.store_path}",
            keychain=keychain.available() and not self.demo,
            hint=hint,
            locked=locked,
        )
        self.pages.setCurrentWidget(self.unlock_page)
        self._update_status_bar()

    def create_store(self, role: Role, name: str, passphrase: str) -> None:
        path = self.store_path

        def op(ctx: TaskContext) -> list[CaseloadRow]:
            store = Store.create(path, passphrase, role=role, name=name)
            ctx.set_store(store)
            return _load_caseload(store)

        def done(rows: list[CaseloadRow]) -> None:
            self._unlocked(rows)

        Task(self.runner, op, done, parent=self).with_progress("Creating your store…").run()

    def unlock(self, passphrase: str, remember: bool) -> None:
        self._open(passphrase, remember=remember, use_keychain=False)

    def _open(self, passphrase: str | None, *, remember: bool, use_keychain: bool) -> None:
        path = self.store_path

        def op(ctx: TaskContext) -> tuple[list[CaseloadRow], str]:
            store = Store.open(path, passphrase, use_keychain=use_keychain)
            ctx.set_store(store)
            note = ""
            if remember and not store.remember_on_this_computer():
                note = "This computer has no usable keychain, so the passphrase was not kept."
            return _load_caseload(store), note

        def done(result: tuple[list[CaseloadRow], str]) -> None:
            rows, note = result
            self._unlocked(rows)
            if note:
                self.statusBar().showMessage(note, 10_000)

        def failed(exc: BaseException) -> None:
            if use_keychain:  # keychain unlock is a convenience; fall back to the passphrase
                self.unlock_page.set_busy(False)
                return
            if isinstance(exc, UserError):
                self.unlock_page.show_problem(str(exc))
            else:
                self.unlock_page.set_busy(False)
                show_error(self, exc)

        self.unlock_page.set_busy(True)
        Task(self.runner, op, done, parent=self).failure(failed).run()
        # The worker will need the store's reading code as soon as the key is derived; import
        # it here meanwhile (Argon2id leaves the GIL and the other core free).
        import db.families  # noqa: F401

    def _unlocked(self, rows: list[CaseloadRow]) -> None:
        self.unlocked = True
        self._set_data_actions(True)
        self.caseload.set_rows(rows)
        self._fill_claim_status()
        self.caseload.fill_extras(self.runner)  # what is due, who holds it, what waits to go

        def remember_info(ctx: TaskContext) -> tuple[StoreInfo, bool]:
            return ctx.store.info, ctx.store.key_file.has_slot("keychain")

        def got_info(result: tuple[StoreInfo, bool]) -> None:
            self.info, remembered = result
            self.family_page.set_role(self.info.role)
            self.remember_action.setChecked(remembered)
            self._update_status_bar()
            self._set_data_actions(self.unlocked)

        Task(self.runner, remember_info, got_info, parent=self).run()
        place, self.place = self.place, None
        if place is not None and place.store_path != self.store_path:
            place = None  # another store was opened: nothing of the last one is shown
        if place is not None and place.family_id is not None:
            self.open_family(place.family_id, tab=place.tab, then=place.reopen)
        else:
            self.show_caseload(reload=False)  # the rows came with the unlock
            if place is not None and place.reopen is not None:
                self._when_idle(place.reopen)
        self.idle.start()
        # A moment later, so the caseload is painted before the tabs are built (about 0.5 s).
        QTimer.singleShot(100, self.build_pages)

    def lock(self) -> None:
        """Drop the key: save what is typed, close the store, hide every family's data."""
        if not self.unlocked:
            return
        self.family_page.flush()  # queued before the close, so it is written first
        on_family = self.pages.currentWidget() is self.family_page
        family = self.family_page.family
        place = Place(
            family.id if (on_family and family) else None,
            self.family_page.tabs.currentIndex(),
            store_path=self.store_path,
        )
        self.unlocked = False
        self.idle.stop()
        self._set_data_actions(False)
        self.family_page.clear()
        self.status_offers.clear()
        self.caseload.set_rows([])
        for page in self.workspace_pages:
            page.clear()
        reopen = None
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                if isinstance(w, DraftDialog):  # keeps what is typed (ui/kit/dialogs.py)
                    reopen = w.put_away() or reopen
                else:
                    w.reject()
        self.place = dataclasses.replace(place, reopen=reopen)
        self._show_unlock(locked=True)
        Task(self.runner, lambda ctx: ctx.set_store(None), parent=self).run()

    # ---- caseload and family ------------------------------------------------------------

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        """The one change signal: after any write, each screen reloads what it shows of it."""
        if not self.unlocked:
            return
        if self.pages.currentWidget() is self.caseload:
            self._reload_caseload()
        else:
            self._caseload_stale = True  # read again when it is next shown
        self.family_page.on_changes(changes, initiator)
        for page in self.workspace_pages:
            page.on_changes(changes, initiator)

    def show_caseload(self, *, reload: bool = True) -> None:
        """Show the caseload; it is read again only when something changed since (`reload`
        False: the rows are already there)."""
        if not self.unlocked:
            return
        self.family_page.flush()
        current = self.family_page.family
        self.pages.setCurrentWidget(self.caseload)
        if reload and self._caseload_stale:
            self._reload_caseload()
        if current is not None:
            self.caseload.select_family(current.id)
        self.caseload.table.setFocus()

    def _reload_caseload(self) -> None:
        self._caseload_stale = False
        Task(
            self.runner, lambda ctx: _load_caseload(ctx.store), self._caseload_loaded, parent=self
        ).run()

    def _caseload_loaded(self, rows: list[CaseloadRow]) -> None:
        current = self.family_page.family
        self.caseload.set_rows(rows)
        if current is not None:
            self.caseload.select_family(current.id)
        self._fill_claim_status()
        self.caseload.fill_extras(self.runner)

    def _fill_claim_status(self) -> None:
        """The caseload's Claim status column, after the rows: judging a coordinator's 3,000
        families takes a second or more, and it leaves the programme dashboard's judgement
        made (db/programme.py keeps it)."""

        def done(statuses: dict[str, str]) -> None:
            if self.unlocked:
                self.caseload.show_claim_status(statuses)

        Task(self.runner, lambda ctx: _claim_status(ctx.store), done, parent=self).run()

    def open_family(
        self, family_id: str, *, tab: int = 0, then: Callable[[], object] | None = None
    ) -> None:
        """Show the family at `tab`; then, once what the tab reads has arrived, `then`."""

        def done(record: FamilyRecord) -> None:
            if not self.unlocked:
                return
            self.build_pages()
            self.family_page.show_record(record)
            self.family_page.tabs.setCurrentIndex(tab)
            self.pages.setCurrentWidget(self.family_page)
            if then is not None:
                self._when_idle(then)

        Task(self.runner, lambda ctx: _load_family(ctx.store, family_id), done, parent=self).run()

    def _when_idle(self, call: Callable[[], object], tries: int = 200) -> None:
        """`call` once the background work queued before it is done (what a tab reads when
        shown), checking every 50 ms for at most `tries` times; never while locked."""
        if not self.unlocked:
            return
        if self.runner.busy and tries > 0:
            QTimer.singleShot(50, lambda: self._when_idle(call, tries - 1))
            return
        call()

    def _reload_family(self, changed: frozenset[str]) -> None:
        """The family on screen changed in `changed` kinds: read it, refresh those views."""
        family = self.family_page.family
        if family is None:
            return

        def done(record: FamilyRecord) -> None:
            shown = self.family_page.family
            if self.unlocked and shown is not None and shown.id == record.family.id:
                self.family_page.show_record(record, changed=changed)

        Task(self.runner, lambda ctx: _load_family(ctx.store, family.id), done, parent=self).run()

    def save_records(self, records: list[Record]) -> None:
        if not records:
            return

        def op(ctx: TaskContext) -> list[Record]:
            return ctx.store.save(*records)

        def done(saved: list[Record]) -> None:
            self.statusBar().showMessage("Saved", 1500)
            # The change signal that follows reloads the views that show it; a record just
            # added is then chosen in its list.
            self.family_page.select_next = saved[0].id

        Task(self.runner, op, done, parent=self).run()

    def mark_in_error(self, record: Record, reason: str) -> None:
        """Mark a record of the family page as recorded in error (db/history.py)."""

        def op(ctx: TaskContext) -> Record:
            from db.history import record_in_error

            return record_in_error(ctx.store, record.id, reason)

        def done(_: Record) -> None:
            self.statusBar().showMessage("Marked as recorded in error", 3000)

        Task(self.runner, op, done, parent=self).run()

    def new_family(self) -> None:
        """Register a family. The store suggests its next reference (the core's scheme: this
        store's code in it, so no other laptop makes the same one) and refuses one another
        family already has."""
        if not self.unlocked:
            return

        def suggest(ctx: TaskContext) -> str:
            from db.families import next_family_reference

            return next_family_reference(ctx.store)

        Task(self.runner, suggest, self._ask_new_family, parent=self).run()

    def _ask_new_family(self, suggested: str) -> None:
        dialog = NewFamilyDialog(suggested, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reference, name = dialog.reference.text().strip(), dialog.name.text().strip()
        case_id = dialog.case_id.text().strip()

        def op(ctx: TaskContext) -> str:
            from db.families import add_family
            from db.library import current_framework
            from db.outcomes import attach_family_framework

            # Under the council's current framework (its own added last, else the national
            # one): the first offered was the 2015 Families Matter plan.
            with ctx.store.transaction():
                family = add_family(ctx.store, name=name, reference=reference, case_id=case_id)
                ref = current_framework(ctx.store).ref
                return attach_family_framework(ctx.store, family.id, ref).id

        Task(self.runner, op, lambda fid: self.open_family(fid, tab=1), parent=self).run()

    @reopens
    def change_family_status(self) -> None:
        family = self.family_page.family
        if family is None:
            return
        dialog = StatusDialog(family, self, drafts=DraftKeeper(self.runner, family.id, "status"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        to, closure, reason, on = dialog.values()
        by = self.info.owner_name if self.info else ""
        if to is FamilyStatus.CLOSED:
            # One way to close: the Plan tab's, with the closing summary.
            from ui.record.plan.tab import PlanTab

            plan_tab = next(t for t in self.family_page.feature_tabs if isinstance(t, PlanTab))
            self.family_page.tabs.setCurrentWidget(plan_tab)
            plan_tab.request_close(reason=closure, on=on)
            return
        if family.status is FamilyStatus.CLOSED:
            from db.plans import reopen_case

            Task(
                self.runner,
                lambda ctx: reopen_case(ctx.store, family.id, on=on, reason=reason, by=by),
                parent=self,
            ).run()
            return
        try:
            changed, change = change_status(
                family, to, on=on, reason=reason, closure_reason=closure, by=by
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self.save_records([changed, change])

    @reopens
    def record_consent(self) -> None:
        record = self.family_page.record
        if record is None:
            return
        drafts = DraftKeeper(self.runner, record.family.id, "consent")
        dialog = ConsentDialog(record.people, self, drafts=drafts)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        kind, person_id, given_on, notes = dialog.values()
        consent = Consent(
            family_id=record.family.id,
            kind=kind,
            person_id=person_id,
            given_on=given_on,
            notes=notes,
            recorded_by=self.info.owner_name if self.info else "",
        )
        self.save_records([consent])

    def withdraw_consent(self, consent: Consent) -> None:
        dialog = DateDialog("Withdraw consent", "Withdrawn on", self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            changed = consent.replace(withdrawn_on=dialog.value())
        except ValueError as exc:
            show_error(self, UserError(f"{exc}."))
            return
        self.save_records([changed])

    # ---- closing ------------------------------------------------------------------------

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.family_page.flush()
        self.runner.shutdown()
        event.accept()


def confirm(parent: QWidget, question: str) -> bool:
    return QMessageBox.question(parent, "fmdesk", question) == QMessageBox.StandardButton.Yes
