"""The family record: details, household, consent and notes and visits, then the feature tabs
(assessment, Star, plan, outcomes, and the Timeline: ui/record/timeline.py).

The page never touches the store. Edits leave as signals (`save`, `in_error`, `status_requested`,
`consent_requested`...) that the main window turns into background tasks. After every write the
window hands the changes to `on_changes`: when they touch a kind one of the page's views shows
for this family, the page asks for the family again (`reload_requested`) and `show_record(record,
kinds=...)` refreshes only those views; each feature tab decides for itself. Forms that are
mid-edit keep what is typed.

Later features (assessment, Star, plan, outcomes) add their tabs with `add_feature_tab()`.

Nothing is deleted by a click: a person, consent or note entered by mistake is marked "Recorded
in error…" with a reason (ui/record/in_error.py), and stays in its list struck through.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmdesk.changes import NO_FAMILY, Changes
from fmdesk.dates import age_question
from fmdesk.families import (
    CaseNote,
    Consent,
    ConsentKind,
    ContactType,
    DeliveredBy,
    Family,
    FamilyStatus,
    Intensity,
    PastOrPresent,
    Person,
    PersonRole,
    ReferralSource,
    Tenure,
    has_consent,
)
from fmdesk.records import Record
from fmdesk.roles import Role
from ui.kit.announce import MessageLabel
from ui.kit.colours import notice_style
from ui.kit.forms import Field, RecordForm, follow_selection
from ui.kit.models import ROW_ROLE, Column, RowTableModel, show_date
from ui.kit.pages import FeatureTab, kinds
from ui.kit.widgets import (
    ElidedLabel,
    ScrollingTabs,
    button_row,
    column,
    list_beside_editor,
    plain,
    record_table,
    shortcut,
)
from ui.record.in_error import InErrorDialog, MarkedRowTableModel, locked_reason

WINDOW = Qt.ShortcutContext.WindowShortcut

if TYPE_CHECKING:  # db.families pulls in the outcome rules; the window imports it at unlock
    from db.families import FamilyRecord

ALLOCATION_TIP = "Set by the coordinator when the family is allocated"
FAMILY_FIELDS = (
    Field("name", "Family name"),
    Field("intensity", "Intensity", "choice", Intensity),
    Field("address", "Address"),
    Field("postcode", "Postcode"),
    Field("lead_practitioner", "Lead practitioner"),
    Field("identified_on", "Identified on", "optional_date", happened=True),
    Field("next_action", "Next action", placeholder="e.g. Home visit with Mum"),
    Field("next_action_due", "Next action due", "optional_date"),
    Field("case_id", "Case system ID", placeholder="The family's ID in EHM, Mosaic..."),
    # What the programme dashboard counts the family by (fmdesk/programme.py).
    Field("referral_source", "Referred from", "choice", ReferralSource),
    Field("lead_agency", "Lead agency or team", placeholder="e.g. Youth Offending Team"),
    Field("delivered_by", "Worked with by", "choice", DeliveredBy),
    Field("tenure", "Housing", "choice", Tenure),
    Field("domestic_abuse", "Domestic abuse", "choice", PastOrPresent),
    Field("known_to_social_care", "Known to social care", "choice", PastOrPresent),
)
PERSON_FIELDS = (
    Field("role", "Role", "choice", PersonRole),
    Field("given_name", "Given name"),
    Field("family_name", "Family name"),
    Field("known_as", "Known as"),
    Field(
        "date_of_birth",
        "Date of birth",
        "optional_date",
        happened=True,
        ask=lambda v: age_question(PersonRole(v["role"]), v["date_of_birth"], dt.date.today()),
    ),
    Field("expected_date", "Expected date (unborn)", "optional_date"),
    Field("gender", "Gender"),
    Field("relationship", "Relationship", placeholder="e.g. Mother, Son, Grandmother"),
    Field("parental_responsibility", "Parental responsibility", "bool"),
    Field("school", "School or setting"),
    Field("language", "First language"),
    Field("interpreter_needed", "Interpreter needed", "bool"),
    Field("upn", "UPN (pupil number)", placeholder="13 characters, e.g. B801200005001"),
    Field("nhs_number", "NHS number", placeholder="10 digits, e.g. 943 476 5919"),
)
NOTE_FIELDS = (
    Field("on", "Date", "date", happened=True),
    Field("contact", "Type", "choice", ContactType),
    Field("minutes", "Time spent", "minutes"),
    Field("text", "Note", "multiline"),
)


def _people_columns(today: dt.date) -> tuple[Column[Person], ...]:
    return (
        Column("Name", lambda p: p.display_name),
        Column("Role", lambda p: p.role, text=lambda r: r.label),
        Column(
            "Age",
            lambda p: p.age(today),
            text=lambda a: "" if a is None else str(a),
            align_right=True,
            tooltip=lambda p: p.age_text(today),
        ),
        Column("Relationship", lambda p: p.relationship),
        Column("School", lambda p: p.school),
    )


NOTE_COLUMNS: tuple[Column[CaseNote], ...] = (
    Column("Date", lambda n: n.on),
    Column("Type", lambda n: n.contact, text=lambda c: c.label),
    Column("Minutes", lambda n: n.minutes, align_right=True),
    Column("Note", lambda n: n.text.splitlines()[0] if n.text else ""),
)


# What each view of the page shows, by record kind: a change to one of them for this family
# refreshes that view only.
HEADER_SHOWS = kinds(Family, Consent)  # the title, the notices and which buttons are enabled
DETAILS_SHOWS = kinds(Family)
HOUSEHOLD_SHOWS = kinds(Person)
CONSENT_SHOWS = kinds(Consent, Person)
NOTES_SHOWS = kinds(CaseNote)
PAGE_SHOWS = HEADER_SHOWS | DETAILS_SHOWS | HOUSEHOLD_SHOWS | CONSENT_SHOWS | NOTES_SHOWS
# The tabs keep the latest family record to hand when these change (FeatureTab.update_record).
RECORD_SHOWS = kinds(Family, Person, Consent)


class FamilyPage(QWidget):
    save = Signal(list)  # records to save, in one transaction
    in_error = Signal(object, str)  # a record to mark as recorded in error, and why
    status_requested = Signal()
    consent_requested = Signal()
    withdraw_requested = Signal(object)  # the Consent
    back = Signal()
    # The family's record is wanted again: these kinds changed (show_record(kinds=...)).
    reload_requested = Signal(frozenset)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: FamilyRecord | None = None
        self.today = dt.date.today()
        self.feature_tabs: list[FeatureTab] = []
        # A record just added (a person, a note): chosen in its list when the page next shows.
        self.select_next: str | None = None

        # The family's name, reference, status and intensity on one line, cut short with "…"
        # when the window is narrow (a long name used to widen the window past the screen).
        self.title = ElidedLabel("", self)
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.banner = MessageLabel(self)  # said to a screen reader, politely (issue 16)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Family notices")
        self.banner.setStyleSheet(notice_style())
        self.back_button = QPushButton("← &Caseload", self)
        self.back_button.setToolTip("Back to the caseload (Alt+Left)")
        self.status_button = QPushButton("Change &status…", self)
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)
        header.addWidget(self.status_button)

        # The tabs have no access keys of their own: Alt+1 to Alt+9 (and Ctrl+Tab) move
        # between them, leaving Alt and a letter to the buttons on each tab (Alt+A was the
        # Assessment tab and Add person at once).
        self.tabs = ScrollingTabs(self)
        self.tabs.setAccessibleName("Family record sections")
        self.details_form = RecordForm(FAMILY_FIELDS, self)
        self.allocation_set_here = True  # False on a practitioner's laptop (set_role)
        self.tabs.addTab(self.details_form, "Details")
        self.tabs.addTab(self._household_tab(), "Household")
        self.tabs.addTab(self._consent_tab(), "Consent")
        self.tabs.addTab(self._notes_tab(), "Notes and visits")
        self._tab_keys: list[QShortcut] = []
        self._number_tabs()

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs)

        self.details_form.edited.connect(lambda r: self.save.emit([r]))
        self.back_button.clicked.connect(self.back)
        self.status_button.clicked.connect(self.status_requested)
        shortcut(
            QKeySequence.StandardKey.Back, self, self.back.emit, "Back to the caseload", WINDOW
        )

    # ---- tabs ---------------------------------------------------------------------------

    def add_feature_tab(self, tab: FeatureTab) -> None:
        """Where features (assessment, Star, plan, outcomes, the Timeline) plug in, in order."""
        self.feature_tabs.append(tab)
        self.tabs.addTab(tab, plain(tab.title))
        self._number_tabs()

    def _number_tabs(self) -> None:
        """Alt+1 to Alt+9 choose the tabs in order, as a browser's do."""
        for old in self._tab_keys:
            old.setParent(None)
            old.deleteLater()
        self._tab_keys = []
        for index in range(min(self.tabs.count(), 9)):
            keys = f"Alt+{index + 1}"
            name = self.tabs.tabText(index)
            self.tabs.setTabToolTip(index, f"{name} ({keys})")
            self._tab_keys.append(
                shortcut(
                    keys,
                    self,
                    functools.partial(self.tabs.setCurrentIndex, index),
                    f"Show the {name} tab",
                    WINDOW,
                )
            )

    def _household_tab(self) -> QWidget:
        tab = QWidget(self)
        self.people_model: RowTableModel[Person] = MarkedRowTableModel(
            _people_columns(self.today), self
        )
        self.people_view = record_table(tab, "Household members")
        self.people_view.setModel(self.people_model)
        self.person_form = RecordForm(PERSON_FIELDS, tab)
        self.person_form.locked_reason = locked_reason  # one recorded in error is read-only
        self.add_person_button = QPushButton("&Add person", tab)
        self.add_child_button = QPushButton("Add chil&d", tab)
        self.person_in_error_button = QPushButton("Recorded in &error…", tab)
        self.person_in_error_button.setToolTip(
            "Mark the chosen person as entered by mistake, saying why: they stay in the "
            "record, struck through, and leave every figure"
        )
        buttons = button_row(
            self.add_person_button, self.add_child_button, self.person_in_error_button
        )
        # The actions above the list, where a tall list cannot push them off the screen.
        list_beside_editor(tab, column(tab, buttons, self.people_view), self.person_form)
        follow_selection(self.people_view, self.person_form, lambda: self.read_only)
        self.person_form.edited.connect(lambda r: self.save.emit([r]))
        self.add_person_button.clicked.connect(lambda: self._add_person(PersonRole.PARENT_CARER))
        self.add_child_button.clicked.connect(lambda: self._add_person(PersonRole.CHILD))
        self.person_in_error_button.clicked.connect(
            lambda: self._ask_in_error(self.person_form.record)
        )
        return tab

    def _consent_tab(self) -> QWidget:
        tab = QWidget(self)
        self.consent_model: RowTableModel[Consent] = MarkedRowTableModel(
            (
                Column("Consent to", lambda c: c.kind, text=lambda k: k.label),
                Column("Given by", lambda c: self._name(c.person_id)),
                Column("Given on", lambda c: c.given_on),
                Column("Withdrawn on", lambda c: c.withdrawn_on),
                Column("Notes", lambda c: c.notes),
            ),
            self,
        )
        self.consent_view = record_table(tab, "Consents")
        self.consent_view.setModel(self.consent_model)
        self.consent_state = QLabel(tab)
        self.consent_state.setAccessibleName("Consent in force")
        self.record_consent_button = QPushButton("&Record consent given…", tab)
        self.withdraw_button = QPushButton("&Withdraw…", tab)
        self.consent_in_error_button = QPushButton("Recorded in &error…", tab)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_consent_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.consent_in_error_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addWidget(self.consent_state)
        layout.addWidget(self.consent_view)
        self.record_consent_button.clicked.connect(self.consent_requested)
        self.withdraw_button.clicked.connect(self._withdraw)
        self.consent_in_error_button.clicked.connect(
            lambda: self._ask_in_error(_chosen(self.consent_view))
        )
        return tab

    def _notes_tab(self) -> QWidget:
        tab = QWidget(self)
        self.notes_model: RowTableModel[CaseNote] = MarkedRowTableModel(NOTE_COLUMNS, self)
        self.notes_view = record_table(tab, "Notes and visits")
        self.notes_view.setModel(self.notes_model)
        self.note_form = RecordForm(NOTE_FIELDS, tab)
        self.note_form.locked_reason = locked_reason  # one recorded in error is read-only
        self.new_note_button = QPushButton("New &note or visit", tab)
        self.note_in_error_button = QPushButton("Recorded in &error…", tab)
        list_side = column(
            tab, button_row(self.new_note_button, self.note_in_error_button), self.notes_view
        )
        list_beside_editor(tab, list_side, self.note_form)
        follow_selection(self.notes_view, self.note_form, lambda: self.read_only)
        self.note_form.edited.connect(lambda r: self.save.emit([r]))
        self.new_note_button.clicked.connect(self._new_note)
        self.note_in_error_button.clicked.connect(lambda: self._ask_in_error(self.note_form.record))
        return tab

    def set_role(self, role: Role) -> None:
        """Whose store is open. The fields allocating a family sets (lead practitioner) are the
        coordinator's: on a practitioner's laptop they are shown, not changed (a change would
        only make the coordinator refuse the family record until it was put back)."""
        # Here, not at the top: the rule's module pulls in the programme's (called at unlock).
        from fmdesk.sync.authority import ALLOCATION_FIELDS

        self.allocation_set_here = role is Role.COORDINATOR
        for f in FAMILY_FIELDS:
            if f.name in ALLOCATION_FIELDS:
                editor = self.details_form.editor(f.name)
                assert isinstance(editor, QLineEdit)
                editor.setReadOnly(not self.allocation_set_here)
                tip = "" if self.allocation_set_here else ALLOCATION_TIP
                editor.setToolTip(tip)
                editor.setAccessibleDescription(tip)

    # ---- showing ------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.record is None or self.record.family.is_read_only

    @property
    def family(self) -> Family | None:
        return self.record.family if self.record else None

    def forms(self) -> tuple[RecordForm, ...]:
        return (self.details_form, self.person_form, self.note_form)

    def flush(self) -> None:
        """Save anything typed but not yet saved (before lock, close or leaving the page)."""
        for form in self.forms():
            form.flush()
        for tab in self.feature_tabs:
            tab.flush()

    def clear(self) -> None:
        """Forget everything shown (on lock)."""
        self.flush()
        self.record = None
        self.select_next = None
        for form in self.forms():
            form.load(None)
        for model in (self.people_model, self.consent_model, self.notes_model):
            model.set_rows([])
        self.title.clear()
        self.banner.clear()
        for tab in self.feature_tabs:
            tab.clear()

    def show_record(
        self,
        record: FamilyRecord,
        *,
        select: str | None = None,
        changed: frozenset[str] | None = None,
    ) -> None:
        """Show `record`: every view when a family is opened (`changed` None), else only the
        views that show one of the `changed` kinds."""
        opened = changed is None or self.record is None or self.record.family.id != record.family.id
        self.record = record
        select = select or self.select_next
        self.select_next = None

        def wanted(shows: frozenset[str]) -> bool:
            return opened or bool(changed and changed & shows)

        if wanted(HEADER_SHOWS):
            self._show_header(record)
        if wanted(DETAILS_SHOWS):
            self._reload_form(self.details_form, record.family, not opened)
        if wanted(HOUSEHOLD_SHOWS):
            self._set_rows(
                self.people_model, self.people_view, self.person_form, record.people, select
            )
        if wanted(CONSENT_SHOWS):
            self._show_consents(record)
        if wanted(NOTES_SHOWS):
            self._set_rows(self.notes_model, self.notes_view, self.note_form, record.notes, select)
        for tab in self.feature_tabs:
            if opened:
                tab.open_family(record)
            elif changed and changed & RECORD_SHOWS:
                tab.update_record(record)

    def on_changes(self, changes: Changes, initiator: object) -> None:
        """After any write: ask for the family again when a view of the page shows what
        changed, and let each tab decide for itself."""
        if self.record is None:
            return
        family_id = self.record.family.id
        touched = frozenset(k for k, f in changes.touched if f in (family_id, NO_FAMILY))
        if touched & PAGE_SHOWS:
            self.reload_requested.emit(touched)
        for tab in self.feature_tabs:
            tab.on_changes(changes, initiator)

    def _show_header(self, record: FamilyRecord) -> None:
        family = record.family
        self.title.setText(
            f"{family.name} · {family.reference} · {family.status.label} · "
            f"{family.intensity.label} intensity"
        )
        assess = has_consent(record.consents, ConsentKind.ASSESS, self.today)
        notices = []
        if family.status is FamilyStatus.CLOSED:
            reason = family.closure_reason.label if family.closure_reason else ""
            notices.append(f"This case is closed ({reason}). Reopen it to make changes.")
        if family.withdrawn_on is not None:
            notices.append(
                f"{family.withdrawn_text.rstrip('.')}. It can be read here, not changed, and "
                "can leave this laptop once the coordinator has confirmed your last changes "
                "(Sync page)."
            )
        if not assess and family.status is not FamilyStatus.CLOSED:
            notices.append("No consent to assess is in force: record it before the assessment.")
        self.banner.setText(" ".join(notices))
        self.banner.setVisible(bool(notices))
        for w in (
            self.add_person_button,
            self.add_child_button,
            self.person_in_error_button,
            self.record_consent_button,
            self.withdraw_button,
            self.consent_in_error_button,
            self.new_note_button,
            self.note_in_error_button,
        ):
            w.setEnabled(not self.read_only)
        # A closed case can be reopened from here; a reassigned family is not ours to change.
        self.status_button.setEnabled(family.withdrawn_on is None)

    def _show_consents(self, record: FamilyRecord) -> None:
        self.consent_model.set_rows(sorted(record.consents, key=lambda c: c.given_on))
        assess = has_consent(record.consents, ConsentKind.ASSESS, self.today)
        share = has_consent(record.consents, ConsentKind.SHARE, self.today)
        self.consent_state.setText(
            f"Consent to assess: <b>{'in force' if assess else 'not given'}</b> · "
            f"Consent to share: <b>{'in force' if share else 'not given'}</b>"
        )

    def _reload_form(self, form: RecordForm, record: Record | None, same: bool) -> None:
        # Keep what the user is typing: only reload a form that has no pending edit, and
        # only when it shows another record or the record changed underneath it.
        if form.dirty:
            return
        current = form.record
        unchanged = (
            same
            and current is not None
            and record is not None
            and current.id == record.id
            and current == record.replace(revision=current.revision)
        )
        if not unchanged:
            form.load(record, read_only=self.read_only)
        else:
            form.setEnabled(not self.read_only and not (record and form.locked_reason(record)))

    def _set_rows(
        self,
        model: RowTableModel,
        view: QTableView,
        form: RecordForm,
        rows: list,
        select: str | None,
    ) -> None:
        ids = {r.id for r in rows}
        keep = select if select in ids else (form.record.id if form.record else None)
        model.set_rows(rows)
        target = next((i for i, r in enumerate(rows) if r.id == keep), None)
        if target is None and rows and keep is None:
            target = 0
        if target is not None:
            view.selectRow(target)
            match = rows[target]
            self._reload_form(form, match, True)
        else:
            form.load(None)

    def _name(self, person_id: str) -> str:
        if self.record is None or not person_id:
            return "The family"
        return next((p.display_name for p in self.record.people if p.id == person_id), "—")

    # ---- actions ------------------------------------------------------------------------

    def _add_person(self, role: PersonRole) -> None:
        if self.family is None:
            return
        surname = self.family.name.removesuffix(" family").strip()
        person = Person(
            family_id=self.family.id,
            role=role,
            given_name="New child" if role is PersonRole.CHILD else "New person",
            family_name=surname,
        )
        self.save.emit([person])

    def _ask_in_error(self, record: Record | None) -> None:
        """Ask why `record` (the chosen person, consent or note) was recorded in error, then
        say so through `in_error`; one already marked, or none chosen, is said in words."""
        if record is None or self.read_only:
            return
        if record.in_error:
            self.banner.setText("That one is already marked as recorded in error.")
            self.banner.setVisible(True)
            return
        dialog = InErrorDialog(record.KIND, _summary(record, self._name), self)
        if dialog.exec() != InErrorDialog.DialogCode.Accepted:
            return
        self.in_error.emit(record, dialog.value())

    def _new_note(self) -> None:
        if self.family is None:
            return
        note = CaseNote(
            family_id=self.family.id, on=dt.date.today(), contact=ContactType.HOME_VISIT
        )
        self.save.emit([note])

    def _withdraw(self) -> None:
        index = self.consent_view.currentIndex()
        consent = index.data(ROW_ROLE) if index.isValid() else None
        if consent is not None and consent.in_error:
            self.banner.setText(f"{locked_reason(consent)} It cannot be withdrawn.")
            self.banner.setVisible(True)
        elif consent is not None and consent.withdrawn_on is None:
            self.withdraw_requested.emit(consent)


def _chosen(view: QTableView) -> Record | None:
    index = view.currentIndex()
    return index.data(ROW_ROLE) if index.isValid() else None


def _summary(record: Record, name: Callable[[str], str]) -> str:
    """A line saying which record the dialog is about."""
    if isinstance(record, Person):
        return f"{record.display_name} ({record.role.label})"
    if isinstance(record, Consent):
        by = name(record.person_id)
        return f"Consent {record.kind.label.lower()}, given by {by} on {show_date(record.given_on)}"
    if isinstance(record, CaseNote):
        first = record.text.strip().splitlines()[0] if record.text.strip() else ""
        return f"{record.contact.label}, {show_date(record.on)}" + (f": {first}" if first else "")
    return record.KIND
