"""A family's chronology as PDF: the whole case history (fmdesk/chronology.py), event by event,
each with who recorded it and when, for supervision, a court or a subject access request.

The frame is every fmdesk PDF's (reports/base.py): the protective marking on every page, "Page x
of y", the embedded font, /Lang. An event whose record was later recorded in error is printed
struck through and says so in words (a reader of the paper, or of the text, sees both), and the
correction itself is an event of its own with its reason: nothing is left out of the history.
When the Timeline was filtered, the chronology says which kinds it shows.
"""

import datetime as dt
from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from fmdesk.chronology import ChronologyEvent, EventKind
from fmdesk.families import Family, Person
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    build_pdf,
    grid_table,
    make_styles,
    spacer,
    text,
)
from reports.plan import facts_table

IN_ERROR_WORDS = "Recorded in error"


def chronology_pdf(
    family: Family,
    people: Sequence[Person],
    events: Sequence[ChronologyEvent],
    *,
    printed_by: str,
    printed_on: dt.date,
    kinds: Sequence[EventKind] = (),
    purpose: str = "",
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The chronology as PDF bytes, oldest event first. `kinds` names the kinds shown when
    the chronology was filtered (empty: every kind); `purpose` says what it was printed for."""
    styles = make_styles()
    story: list[Flowable] = [
        Paragraph(f"Chronology: {text(family.name)}", styles.title),
        facts_table(
            [
                ("Family", f"{family.name} (case {family.reference})"),
                ("Case system ID", family.case_id),
                ("Status", family.status.label),
                ("Lead practitioner", family.lead_practitioner),
                ("Printed", f"{printed_on.day} {printed_on:%B %Y} by {printed_by}".strip()),
                ("Prepared for", purpose),
                (
                    "Shows",
                    ", ".join(k.label for k in kinds) if kinds else "Every kind of event",
                ),
            ],
            styles,
        ),
        spacer(2),
        Paragraph(
            "Each event is dated by the day it happened, where the record says, and carries who "
            "recorded it and when. A record entered by mistake is not removed: it is struck "
            f"through and marked “{IN_ERROR_WORDS}”, and the correction is listed with its "
            "reason.",
            styles.small,
        ),
    ]
    household = [
        [
            _struck(
                p.full_name + (f" — {IN_ERROR_WORDS.lower()}" if p.in_error else ""),
                p.in_error,
                styles.cell,
            ),
            p.role.label,
            p.relationship,
            "" if p.date_of_birth is None else f"{p.date_of_birth:%d/%m/%Y}",
        ]
        for p in people
        if not p.deleted
    ]
    if household:
        story.append(Paragraph("Household", styles.h1))
        story.append(
            grid_table(
                ["Name", "Role", "Relationship", "Date of birth"],
                household,
                [CONTENT_WIDTH * f for f in (0.36, 0.24, 0.22, 0.18)],
                styles,
            )
        )
    story.append(Paragraph("Events", styles.h1))
    ordered = sorted(events, key=lambda e: (e.on, e.recorded_at))
    if not ordered:
        story.append(Paragraph("Nothing has been recorded yet.", styles.body))
    else:
        rows: list[Sequence[object]] = []
        for event in ordered:
            what = event.what + (f" — {IN_ERROR_WORDS.lower()}" if event.struck else "")
            rows.append(
                [
                    f"{event.on:%d/%m/%Y}",
                    _struck(what, event.struck, styles.cell_bold),
                    _struck(event.detail, event.struck, styles.cell),
                    f"{event.by or 'Not known'}, {event.recorded_text}",
                ]
            )
        story.append(
            grid_table(
                ["Date", "What", "Detail", "Recorded by, when"],
                rows,
                [CONTENT_WIDTH * f for f in (0.13, 0.25, 0.40, 0.22)],
                styles,
            )
        )
    return build_pdf(
        story,
        title=f"Chronology – {family.name} ({family.reference})",
        marking=marking,
        password=password,
    )


def _struck(value: str, struck: bool, style: ParagraphStyle) -> Paragraph:
    body = text(value)
    return Paragraph(f"<strike>{body}</strike>" if struck and body else body, style)
