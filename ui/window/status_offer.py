"""Offering the next status when its event is saved: consent given → engaged, plan agreed →
active (the rule: fmdesk/status.py). An offer, never a move: the practitioner accepts or says
"Not now".

It listens to the one change signal: after a write touches the consents, plan or TAF meetings
of the family on screen, it reads that family's records (worker thread) and, when they show an
event that moves the family on, shows a small window beside the record that does not take the
keyboard from whatever the user is typing. "Not now" is remembered for the family and status
until the app closes, so an autosaving plan does not ask again after every keystroke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from fmdesk.changes import Changes
from fmdesk.families import Consent, Family, FamilyStatus
from fmdesk.plans import FamilyPlan
from fmdesk.status import StatusOffer, accept_offer, best_offer, events_shown
from fmdesk.taf import TafMeeting
from ui.kit.tasks import Task, TaskContext, TaskRunner

# The kinds whose records make an event (fmdesk.status.events_shown).
EVENT_KINDS = frozenset({Consent.KIND, FamilyPlan.KIND, TafMeeting.KIND})


class _Read(NamedTuple):
    family: Family
    offer: StatusOffer | None


class StatusOffers(QObject):
    """Owned by the main window. `family_shown()` is the family on screen (or None);
    `author()` the name recorded on each status change."""

    def __init__(
        self,
        runner: TaskRunner,
        window: QWidget,
        *,
        family_shown: Callable[[], Family | None],
        author: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self.runner = runner
        self.window = window
        self.family_shown = family_shown
        self.author = author
        self.box: QMessageBox | None = None
        self._declined: set[tuple[str, FamilyStatus]] = set()

    def on_changes(self, changes: Changes, _initiator: object) -> None:
        family = self.family_shown()
        if family is None or not changes.touches(EVENT_KINDS, family.id):
            return
        family_id = family.id
        Task(
            self.runner, lambda ctx: _read_offer(ctx, family_id), self._offer, parent=self.window
        ).run()

    def _offer(self, read: _Read | None) -> None:
        shown = self.family_shown()
        offer = read.offer if read else None
        if read is None or offer is None or shown is None or shown.id != read.family.id:
            return
        if (read.family.id, offer.to) in self._declined:
            return
        if self.box is not None:
            return  # one offer at a time
        self._show(read.family, offer)

    def _show(self, family: Family, offer: StatusOffer) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Move the case on?",
            f"{family.name} ({family.reference}): {offer.question}",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setAccessibleName("Move the case on?")
        move = box.addButton(f"Move to {offer.to.label}", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(move)
        box.setEscapeButton(later)
        # Beside the record, not in front of the keyboard: typing in a plan goes on.
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button: QAbstractButton) -> None:
            if button is move:
                self.accept(family.id, offer)
            elif button is later:
                self._declined.add((family.id, offer.to))

        def finished(_result: int) -> None:
            if self.box is box:
                self.box = None  # deleted on close

        box.buttonClicked.connect(clicked)
        box.finished.connect(finished)
        self.box = box
        box.show()

    def accept(self, family_id: str, offer: StatusOffer) -> None:
        """Move the family as offered, in one write, if it is still where the offer found it."""
        on, by = dt.date.today(), self.author()

        def op(ctx: TaskContext) -> None:
            family = ctx.store.get(Family, family_id)
            if family is None or family.status is not offer.from_status:
                return  # moved meanwhile: the offer no longer stands
            moved, moves = accept_offer(family, offer, on=on, by=by)
            ctx.store.save(moved, *moves)

        Task(self.runner, op, parent=self.window).run()

    def clear(self) -> None:
        """On lock: the offer goes (the next event offers again)."""
        box, self.box = self.box, None
        if box is not None:
            box.close()


def _read_offer(ctx: TaskContext, family_id: str) -> _Read | None:
    store = ctx.store
    family = store.get(Family, family_id)
    if family is None:
        return None
    events = events_shown(
        store.list(Consent, family_id=family_id),
        store.list(FamilyPlan, family_id=family_id),
        len([m for m in store.list(TafMeeting, family_id=family_id) if not m.deleted]),
        dt.date.today(),
    )
    return _Read(family, best_offer(family, events))
