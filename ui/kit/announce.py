"""Messages a screen reader says aloud: validation problems, status-bar messages, page notices.

A sighted user sees a problem appear under a form, a message in the status bar or a notice banner
at the top of a page; a screen-reader user hears nothing unless it is announced (WCAG 2.2 4.1.3
Status Messages, EN 301 549 clause 11). `announce(widget, text, urgent=...)` asks assistive
technology to say `text` through Qt's QAccessibleAnnouncementEvent: assertive for a problem to put
right (it interrupts), polite for a status (it waits its turn).

`MessageLabel` is a QLabel that announces each new text set on it: use it for a form's problem
line (urgent) and for a page's notice banner (polite), so announcing needs nothing at each call.

Every announcement is also kept by the application's `Announcer` (`announcer()`): its
`announced` signal and its `recent` list say what was given to Qt, with the politeness read back
from the very event Qt was handed. That is how the app's own tests (and a support log) see what
a screen reader was told, on a platform with no screen reader running.

GUI thread only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QLabel, QWidget
from typing_extensions import override

_NAME = "fmdesk-announcer"
RECENT = 50


@dataclass(frozen=True)
class Announcement:
    """One message handed to Qt: its words, whether it interrupts, and the accessible name
    (or class) of the widget it was announced for."""

    text: str
    urgent: bool
    source: str


class Announcer(QObject):
    """What the app has announced, newest last; the application owns one (`announcer()`)."""

    announced = Signal(object)  # an Announcement

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(_NAME)
        self.recent: deque[Announcement] = deque(maxlen=RECENT)

    def record(self, announcement: Announcement) -> None:
        self.recent.append(announcement)
        self.announced.emit(announcement)


def announcer() -> Announcer:
    """The application's Announcer, made on first use as a child of the QApplication (so it
    lives as long as the app and no longer)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("announcer() needs a QApplication")
    found = app.findChild(Announcer, _NAME)
    return found if found is not None else Announcer(app)


def announce(widget: QObject | None, text: str, *, urgent: bool = False) -> None:
    """Ask assistive technology to say `text` for `widget` (the application when None):
    assertively when `urgent` (a problem to put right), politely otherwise. Blank text says
    nothing."""
    text = " ".join(text.split())
    if not text:
        return
    target: QObject | None = widget if widget is not None else QCoreApplication.instance()
    if target is None:
        return
    event = QAccessibleAnnouncementEvent(target, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if urgent
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
    source = target.accessibleName() if isinstance(target, QWidget) else ""
    announcer().record(
        Announcement(
            text=event.message(),
            urgent=event.politeness() is QAccessible.AnnouncementPoliteness.Assertive,
            source=source or type(target).__name__,
        )
    )


class MessageLabel(QLabel):
    """A label that announces the non-blank text set on it: `urgent` for a problem to put
    right (a form's validation message), said each time it is set, since pressing OK again on
    the same problem must say it again; polite for a notice or a status, said when it
    changes (a page reloading the same notice says nothing new)."""

    def __init__(self, parent: QWidget | None = None, *, urgent: bool = False) -> None:
        super().__init__(parent)
        self.urgent = urgent

    @override
    def setText(self, text: str) -> None:
        changed = text != self.text()
        super().setText(text)
        if changed or self.urgent:
            announce(self, text, urgent=self.urgent)
