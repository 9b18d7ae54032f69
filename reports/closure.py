"""The closing summary, as PDF: why the case closed, where each problem ended up, what support
carries on, and the family's own words on moving on."""

from collections.abc import Mapping

from reportlab.platypus import Flowable, Paragraph

from fmdesk.closure import ClosureSummary
from fmdesk.families import Family
from fmdesk.plans import date_text
from reports.base import CONTENT_WIDTH, DEFAULT_MARKING, build_pdf, grid_table, make_styles, text
from reports.plan import facts_table, problem_text, with_start


def closure_pdf(
    family: Family,
    summary: ClosureSummary,
    *,
    problem_names: Mapping[str, str] | None = None,
    measure_names: Mapping[str, str] | None = None,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The closing summary as PDF bytes; framework codes print as names where given."""
    styles = make_styles()
    problem_names = problem_names or {}
    measure_names = measure_names or {}

    story: list[Flowable] = [
        Paragraph("Closing summary", styles.title),
        facts_table(
            [
                ("Family", f"{family.name} (case {family.reference})"),
                ("Closed on", date_text(summary.closed_on)),
                ("Why the case closed", summary.reason.label),
                ("Lead practitioner", family.lead_practitioner),
                ("Closed by", summary.closed_by),
            ],
            styles,
        ),
    ]
    # Each heading stays on the page where what it heads begins (reports/plan.py: with_start).
    if summary.summary:
        story += with_start(
            [Paragraph("What has changed", styles.h1)],
            [Paragraph(text(summary.summary), styles.body)],
        )

    outcomes: Flowable
    if summary.outcomes:
        rows = [
            [
                problem_text(o.problem, problem_names),
                measure_names.get(o.measure) or o.measure,
                o.result.label,
                o.note,
            ]
            for o in summary.outcomes
        ]
        outcomes = grid_table(
            ["Problem", "Outcome measure", "Result", "Notes"],
            rows,
            [CONTENT_WIDTH * f for f in (0.28, 0.22, 0.16, 0.34)],
            styles,
        )
    else:
        outcomes = Paragraph("No outcomes were recorded at closure.", styles.body)
    story += with_start([Paragraph("Outcomes at closure", styles.h1)], [outcomes])

    support: Flowable
    if summary.continuing_support:
        support = grid_table(
            ["Service", "What they offer", "How to reach them"],
            [[s.service, s.what, s.contact] for s in summary.continuing_support],
            [CONTENT_WIDTH * f for f in (0.32, 0.40, 0.28)],
            styles,
        )
    else:
        support = Paragraph("No further support was arranged.", styles.body)
    story += with_start([Paragraph("Support that carries on", styles.h1)], [support])

    if summary.moving_on:
        words: list[Flowable] = [Paragraph(f"“{text(summary.moving_on)}”", styles.quote)]
        if summary.moving_on_from:
            words.append(Paragraph(f"— {text(summary.moving_on_from)}", styles.body))
        story += with_start([Paragraph("Moving on, in the family's words", styles.h1)], words)

    return build_pdf(
        story,
        title=f"Closing summary – {family.name} ({family.reference})",
        marking=marking,
        password=password,
    )
