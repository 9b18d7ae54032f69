"""The claim schedule as a landscape PDF an auditor can tick line by line.

The batch first (its period, who made, approved and sent it, what the funder did, the amount
claimed), then each family under its reference: when it was identified, attached, assessed and
its plan agreed, its keyworker, its route and the amount claimed for it by its framework's
payment table; the indicators it was found eligible by (each with its source and date); and
one line per piece of evidence behind each problem's outcome (the figures before and after with
the periods they cover, when it became sustained, the evidence, who recorded it, the family
member it is about, who approved any equivalent progress), each with a box to tick. A sign-off
block closes it.

The same rows make the schedule's CSV (`fmdesk.claims.SCHEDULE_HEADER`), so the PDF and the
spreadsheet an auditor filters always agree. No word is split across lines (a reference such as
FM-2025-0018 stays whole): the styles do not split long words, and each column is at least as
wide as the longest word its header or references hold.
"""

import dataclasses
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Table

from fmdesk.claims import BatchStatus, ClaimBatch, ScheduleRow
from fmdesk.outcomes import day_text
from fmdesk.payments import money_text
from fmdesk.plans import date_text
from reports.base import (
    DEFAULT_MARKING,
    FONT,
    FONT_BOLD,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    spacer,
    text,
)

PAGE = landscape(A4)
WIDTH = PAGE[0] - 36 * mm  # the frame's width between base.py's 18 mm margins
TICK = "\u2610"  # a ballot box, for the auditor's tick
PADDING = 12 + 2  # a cell's left and right padding (6 pt each), and a little room

# The lines of evidence, one per piece: header and share of the width (they add up to 1).
EVIDENCE_COLUMNS = (
    ("Family", 0.08),
    ("Problem and outcome", 0.15),
    ("Figures before (period)", 0.115),
    ("Figures after (period)", 0.115),
    ("Sustained", 0.075),
    ("Evidence", 0.20),
    ("Recorded by", 0.08),
    ("About", 0.065),
    ("Approved by", 0.075),
    ("Checked", 0.045),
)
ELIGIBILITY_COLUMNS = (
    ("Problem", 0.22),
    ("Indicator of need", 0.36),
    ("About", 0.12),
    ("Source", 0.16),
    ("Recorded", 0.10),
    ("Checked", 0.04),
)


def _styles() -> tuple[Styles, ParagraphStyle]:
    """base.py's styles, none splitting a word across lines (reportlab does, by default, when
    a word is wider than its column: "Sustain ed"), and the schedule's 8 pt cell."""
    styles = make_styles()
    for field in dataclasses.fields(styles):
        getattr(styles, field.name).splitLongWords = False
    cell = ParagraphStyle("schedule_cell", parent=styles.cell, fontSize=8, leading=10)
    return styles, cell


def _label(words: str, cell: ParagraphStyle) -> Paragraph:
    """A table's label, kept on the page with the table it names."""
    return Paragraph(f"<b>{text(words)}</b>", ParagraphStyle("label", parent=cell, keepWithNext=1))


def _widths(columns: Sequence[tuple[str, float]], words: Sequence[Sequence[str]]) -> list[float]:
    """Each column's width: its share of the page, but never less than its longest word (the
    header's, in bold, and `words`, the cells' texts) and the padding, taken from the widest
    column so the table still fits the page."""
    widths = [share * WIDTH for _, share in columns]
    needed = []
    for index, (header, _) in enumerate(columns):
        longest = max((stringWidth(w, FONT_BOLD, 9) for w in header.split()), default=0)
        for cell in words[index] if index < len(words) else ():
            for w in cell.split():
                longest = max(longest, stringWidth(w, FONT, 8))
        needed.append(longest + PADDING)
    for index, need in enumerate(needed):
        short = need - widths[index]
        if short > 0:
            widths[index] = need
            widest = max(range(len(widths)), key=lambda i: widths[i] - needed[i])
            widths[widest] -= short
    return widths


def _table(
    columns: Sequence[tuple[str, float]],
    body: Sequence[Sequence[str]],
    cell: ParagraphStyle,
    styles: Styles,
) -> Table:
    """base.py's grid table (its header repeated on each page, cells wrapped), in the
    schedule's small type, with columns wide enough for their longest word."""
    widths = _widths(columns, [[row[i] for row in body] for i in range(len(columns))])
    cells = [[Paragraph(text(value), cell) for value in row] for row in body]
    return grid_table([name for name, _ in columns], cells, widths, styles)


def _family_rows(rows: Sequence[ScheduleRow]) -> list[list[ScheduleRow]]:
    """The rows of each family, in the batch's order."""
    groups: dict[str, list[ScheduleRow]] = {}
    for row in rows:
        groups.setdefault(row.reference, []).append(row)
    return list(groups.values())


def _evidence_cells(row: ScheduleRow) -> list[str]:
    outcome = f"{row.outcome} {row.outcome_text}".strip()
    evidence = f"{row.basis}: {row.source}" if row.source else row.basis
    if row.evidence_date:
        evidence += f", {day_text(row.evidence_date)}"
    if row.detail and row.basis != "Measures":
        evidence += f"\n{row.detail}"
    return [
        row.reference,
        f"{row.problem}\n{outcome}".strip(),
        row.before.replace("; ", "\n") or "—",
        row.after.replace("; ", "\n") or "—",
        day_text(row.sustained_on) or "—",
        evidence,
        row.recorded_by or "—",
        row.person or "Household",
        row.approved_by or "—",
        TICK,
    ]


def _family_story(
    rows: Sequence[ScheduleRow], styles: Styles, cell: ParagraphStyle
) -> list[Flowable]:
    first = rows[0]
    entry, amount = first.entry, first.amount
    heading = Paragraph(
        f"<b>{text(first.reference)}</b>&nbsp;&nbsp;{text(first.family)}", styles.h2
    )
    claimed = money_text(amount.claimed) or "No amount"
    facts = [
        [
            day_text(entry.identified_on) or "—",
            day_text(entry.attached_on) or "—",
            day_text(entry.assessed_on) or "—",
            day_text(entry.plan_agreed_on) or "—",
            entry.keyworker or "—",
            first.framework,
            first.route,
            claimed,
        ]
    ]
    fact_columns = (
        ("Identified", 0.09),
        ("Attached", 0.09),
        ("Assessed", 0.09),
        ("Plan agreed", 0.10),
        ("Keyworker", 0.16),
        ("Framework", 0.17),
        ("Route", 0.17),
        ("Amount claimed", 0.13),
    )
    fact_table = _table(fact_columns, facts, cell, styles)
    basis = Paragraph(text(f"How the amount was worked out: {amount.basis}."), cell)
    eligibility = [
        [
            line.problem,
            f"{line.indicator} {line.text}".strip(),
            line.person or "Household",
            line.source or "—",
            day_text(line.on) or "—",
            TICK,
        ]
        for line in first.eligibility
    ] or [["No indicator of need recorded", "", "", "", "", TICK]]
    return [
        CondPageBreak(45 * mm),
        KeepTogether([heading, fact_table, spacer(1), basis, spacer(2)]),
        _label("Eligibility at entry", cell),
        _table(ELIGIBILITY_COLUMNS, eligibility, cell, styles),
        spacer(2),
        CondPageBreak(30 * mm),
        Paragraph(f"<b>{text('Each problem’s outcome and its evidence')}</b>", cell),
        _table(EVIDENCE_COLUMNS, [_evidence_cells(r) for r in rows], cell, styles),
        spacer(5),
    ]


def _status(batch: ClaimBatch) -> str:
    status = batch.status.label
    if batch.submitted_on:
        status += f" on {date_text(batch.submitted_on)}" + (
            f" by {batch.submitted_by}" if batch.submitted_by else ""
        )
    return status


def schedule_story(batch: ClaimBatch, rows: Sequence[ScheduleRow]) -> list[Flowable]:
    styles, cell = _styles()
    families = _family_rows(rows)
    amounts = [group[0].amount.claimed for group in families]
    priced = [a for a in amounts if a is not None]
    total = money_text(sum(priced)) if priced else "No amount"
    unpriced = len(amounts) - len(priced)
    if priced and unpriced:
        total += f" ({unpriced} famil{'y' if unpriced == 1 else 'ies'} without an amount)"
    period = f"{date_text(batch.period_start)} to {date_text(batch.period_end)}"
    summary = [
        ["Claim period", period],
        ["Made", f"{date_text(batch.made_on)} by {batch.made_by or 'the coordinator'}"],
        ["Status", _status(batch)],
        [
            "Approved",
            f"{batch.approved_by}, {date_text(batch.approved_on)}" if batch.approved_by else "—",
        ],
        ["Families claimed", str(len(batch.family_ids))],
        ["Pieces of evidence", str(len(rows))],
        ["Amount claimed", total],
    ]
    if batch.status is BatchStatus.PAID:
        paid = money_text(batch.paid_pence) if batch.paid_pence is not None else "amount not given"
        summary.append(["Paid by the funder", f"{date_text(batch.paid_on)}: {paid}"])
    elif batch.status is BatchStatus.REJECTED:
        summary.append(
            ["Rejected by the funder", f"{date_text(batch.rejected_on)}: {batch.rejection_reason}"]
        )
    story: list[Flowable] = [
        Paragraph(text(f"Claim schedule: {batch.reference}"), styles.title),
        grid_table(["Batch", batch.reference], summary, [50 * mm, WIDTH - 50 * mm], styles),
        spacer(3),
        Paragraph(
            "Each family is listed under its reference: when it came into the programme, the "
            "indicators of need it was found eligible by, and one line for each piece of "
            "evidence behind each problem's outcome, with the figures before and after and the "
            "periods they cover. Tick each line once it is checked against its source. Every "
            "family is judged as at the last day of the claim period.",
            styles.small,
        ),
        spacer(2),
    ]
    for group in families:
        story.extend(_family_story(group, styles, cell))
    if not families:
        story.append(Paragraph("No evidence rows.", styles.body))
    room = "\n\n"  # a signature needs more than a line
    sign_off = [
        ["Prepared by", batch.made_by or "", date_text(batch.made_on), room],
        ["Approved by", batch.approved_by, date_text(batch.approved_on), room],
        ["Submitted by", batch.submitted_by, date_text(batch.submitted_on), room],
        ["Checked for internal audit by", "", "", room],
    ]
    sign_columns = (("Sign-off", 0.25), ("Name", 0.3), ("Date", 0.15), ("Signature", 0.3))
    sign_table = _table(sign_columns, sign_off, cell, styles)
    story.append(KeepTogether([Paragraph("Sign-off", styles.h1), sign_table, spacer(2)]))
    return story


def schedule_pdf(
    batch: ClaimBatch,
    rows: Sequence[ScheduleRow],
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    return build_pdf(
        schedule_story(batch, rows),
        title=f"Claim schedule {batch.reference}",
        marking=marking,
        password=password,
        pagesize=PAGE,
    )
