"""The claim schedule as a PDF, for internal audit: the batch, then one row per piece of evidence.

The same rows make the schedule's CSV (`fmdesk.claims.SCHEDULE_HEADER`), so the PDF and the
spreadsheet an auditor filters always agree.
"""

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from fmdesk.claims import ClaimBatch, ScheduleRow
from fmdesk.outcomes import day_text
from fmdesk.plans import date_text
from reports.base import DEFAULT_MARKING, build_pdf, grid_table, make_styles, spacer, text


def schedule_story(batch: ClaimBatch, rows: Sequence[ScheduleRow]) -> list[Flowable]:
    styles = make_styles()
    status = batch.status.label
    if batch.submitted_on:
        status += f" on {date_text(batch.submitted_on)}" + (
            f" by {batch.submitted_by}" if batch.submitted_by else ""
        )
    families = len(batch.family_ids)
    period = f"{date_text(batch.period_start)} to {date_text(batch.period_end)}"
    story: list[Flowable] = [
        Paragraph(text(f"Claim schedule: {batch.reference}"), styles.title),
        grid_table(
            ["Batch", batch.reference],
            [
                ["Claim period", period],
                ["Made", f"{date_text(batch.made_on)} by {batch.made_by or 'the coordinator'}"],
                ["Status", status],
                ["Families claimed", families],
                ["Pieces of evidence", len(rows)],
            ],
            [45 * mm, 129 * mm],
            styles,
        ),
        spacer(3),
        Paragraph(
            "Each row is one piece of evidence behind one outcome of one family's claim: where "
            "it came from, the day it shows, when the outcome was sustained, and who recorded "
            "it. Outcomes met by measures (attendance, falls in offending or ASB, work) show "
            "the measures' sources; equivalent progress shows who approved it.",
            styles.small,
        ),
        spacer(2),
    ]
    body = [
        [
            f"{r.reference}\n{r.family}",
            f"{r.problem}\n{r.outcome} {r.outcome_text}".strip(),
            r.basis,
            r.source + (f"\n{r.detail}" if r.detail and r.basis != "Measures" else ""),
            day_text(r.evidence_date),
            day_text(r.sustained_on),
            r.recorded_by + (f"\n({r.person})" if r.person else ""),
        ]
        for r in rows
    ]
    story.append(
        grid_table(
            [
                "Family",
                "Problem and outcome",
                "Basis",
                "Evidence",
                "Dated",
                "Sustained",
                "Recorded by",
            ],
            body or [["No evidence rows", "", "", "", "", "", ""]],
            [24 * mm, 44 * mm, 19 * mm, 30 * mm, 18 * mm, 18 * mm, 21 * mm],
            styles,
        )
    )
    story += [
        spacer(8),
        Paragraph(
            "Checked for internal audit by: ____________________________  Date: ______________",
            styles.body,
        ),
    ]
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
    )
