"""The assessment summary: a whole-family assessment as the family and partners read it.

It follows the template's steps in order (so a per-child section appears once for each child),
shows ratings in words, and prints the child's and parents' views exactly as written: line breaks
kept, nothing reworded, escaped with `reports.base.text` so "<" or "&" in their words stays text.
Given the earlier assessment a review was started from, it ends with the ratings that changed.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from fmdesk.assessment import (
    Answer,
    Assessment,
    AssessmentState,
    Element,
    ElementKind,
    SectionKind,
    Step,
    Template,
    household,
    rating_changes,
    steps,
)
from fmdesk.families import Consent, Family, Person
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    FONT,
    RULE,
    SHADE,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    spacer,
    text,
)

NOT_RECORDED = "Not recorded"
LABEL_WIDTH = 48 * mm


def date_words(day: dt.date | None) -> str:
    # Spelled out by hand: "%-d" does not exist on Windows.
    return f"{day.day} {day:%B %Y}" if day else ""


def summary_pdf(
    assessment: Assessment,
    template: Template,
    family: Family,
    people: Sequence[Person],
    consents: Iterable[Consent] = (),
    *,
    previous: Assessment | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    on: dt.date | None = None,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The assessment summary as PDF bytes (write them with reports.base.write_pdf).

    `previous` is the assessment this one reviews, to list the ratings that changed;
    `indicator_labels` maps framework codes to their wording (the outcomes framework's);
    `on` is the day ages are given for (default: the completion date, else today)."""
    styles = make_styles()
    names = {p.id: p.full_name for p in people}
    day = on or assessment.completed_on or dt.date.today()
    draft = assessment.state is AssessmentState.DRAFT
    title = f"{template.name}{' (draft)' if draft else ''}"

    story: list[Flowable] = [
        Paragraph(text(title), styles.title),
        _facts(assessment, template, family, previous, styles),
    ]
    if draft:
        story += [
            spacer(2),
            Paragraph(
                "<b>Draft:</b> this assessment is not yet complete and may still change.",
                styles.body,
            ),
        ]
    for step in steps(template, people):
        story.append(Paragraph(text(step.title), styles.h1))
        story += _step_body(
            step,
            assessment,
            template,
            people,
            list(consents),
            names,
            indicator_labels or {},
            day,
            styles,
        )
    if previous is not None:
        story += _changes(previous, assessment, template, people, styles)
    return build_pdf(
        story, title=f"{template.name} – {family.name}", marking=marking, password=password
    )


def _facts(
    assessment: Assessment,
    template: Template,
    family: Family,
    previous: Assessment | None,
    styles: Styles,
) -> Table:
    completed = ""
    if assessment.completed_on:
        completed = f"{date_words(assessment.completed_on)} by {assessment.completed_by}"
    reviewed = ""
    if previous is not None:
        reviewed = f"The assessment completed on {date_words(previous.completed_on)}"
    rows = [
        ("Family", f"{family.name} ({family.reference})"),
        ("Practitioner", assessment.practitioner),
        ("Started", date_words(assessment.started_on)),
        ("State", assessment.state.label),
        ("Completed", completed),
        ("Shared with the family", date_words(assessment.shared_on)),
        ("Reviews", reviewed),
        ("Template", f"{template.name}, version {template.version}"),
    ]
    label = ParagraphStyle("fact_label", parent=styles.cell_bold)
    data = [
        [Paragraph(text(name), label), Paragraph(text(value), styles.body)]
        for name, value in rows
        if value
    ]
    table = Table(data, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _step_body(
    step: Step,
    assessment: Assessment,
    template: Template,
    people: Sequence[Person],
    consents: list[Consent],
    names: Mapping[str, str],
    indicator_labels: Mapping[str, str],
    day: dt.date,
    styles: Styles,
) -> list[Flowable]:
    kind = step.section.kind
    if kind is SectionKind.CONSENT:
        return _consents(consents, names, styles)
    if kind is SectionKind.HOUSEHOLD:
        return _household(people, day, styles)
    if kind is SectionKind.INDICATORS:
        return _indicators(assessment, names, indicator_labels, styles)
    if kind is SectionKind.AGENCIES:
        return _agencies(assessment, names, styles)
    return _questions(step, assessment, template, styles)


def _none(what: str, styles: Styles) -> list[Flowable]:
    return [Paragraph(text(what), styles.body)]


def _consents(consents: list[Consent], names: Mapping[str, str], styles: Styles) -> list[Flowable]:
    shown = [c for c in consents if not c.deleted and not c.in_error]
    if not shown:
        return _none("No consent is recorded.", styles)
    rows = [
        (
            c.kind.label,
            names.get(c.person_id, ""),
            date_words(c.given_on),
            date_words(c.withdrawn_on) or "Not withdrawn",
        )
        for c in sorted(shown, key=lambda c: c.given_on)
    ]
    widths = [0.28, 0.30, 0.21, 0.21]
    header = ("Consent", "Given by", "Given on", "Withdrawn")
    return [grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles)]


def _household(people: Sequence[Person], day: dt.date, styles: Styles) -> list[Flowable]:
    members = household(people)
    if not members:
        return _none("No one is recorded in the household.", styles)
    rows = []
    for person in members:
        born = person.date_of_birth or person.expected_date
        age = person.age_text(day)
        born_text = f"{date_words(born)} ({age})" if born and not person.is_unborn else age
        rows.append(
            (
                person.display_name,
                person.relationship or person.role.label,
                born_text,
                person.school,
                person.language,
            )
        )
    widths = [0.27, 0.2, 0.21, 0.19, 0.13]
    header = ("Name", "Role", "Born (age)", "School", "Language")
    return [grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles)]


def _indicators(
    assessment: Assessment,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    styles: Styles,
) -> list[Flowable]:
    if not assessment.indicators:
        return _none("No indicators were ticked.", styles)
    rows = [
        (labels.get(t.code, t.code), names.get(t.person_id, "The whole family"), t.evidence)
        for t in assessment.indicators
    ]
    widths = [0.4, 0.22, 0.38]
    header = ("Indicator", "About", "Evidence")
    return [grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles)]


def _agencies(assessment: Assessment, names: Mapping[str, str], styles: Styles) -> list[Flowable]:
    if not assessment.agencies:
        return _none("No other agencies are involved.", styles)
    rows = [
        (a.agency, a.worker, a.contact, names.get(a.person_id, "The whole family"))
        for a in assessment.agencies
    ]
    widths = [0.3, 0.22, 0.26, 0.22]
    header = ("Agency", "Worker", "Contact", "Works with")
    return [grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles)]


def _questions(
    step: Step, assessment: Assessment, template: Template, styles: Styles
) -> list[Flowable]:
    section = step.section
    flow: list[Flowable] = []
    rated = [e for e in section.elements if e.kind is ElementKind.STRENGTHS_NEEDS]
    if rated:
        rows = []
        for element in rated:
            answer = assessment.answer(section.id, element.id, step.person_id)
            if answer is None:
                rows.append((element.label, "", "", template.rating_scale.words(None, False)))
                continue
            rating = template.rating_scale.words(answer.rating, answer.no_issues)
            rows.append((element.label, answer.strengths, answer.needs, rating))
        widths = [0.2, 0.31, 0.31, 0.18]
        header = ("Area", "Strengths", "Needs", "Rating")
        flow.append(grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles))
    for element in section.elements:
        if element.kind is ElementKind.STRENGTHS_NEEDS:
            continue
        answer = assessment.answer(section.id, element.id, step.person_id)
        flow.append(_answer_block(element, answer, styles))
    return flow


def _answer_block(element: Element, answer: Answer | None, styles: Styles) -> Flowable:
    label = Paragraph(text(element.label), styles.h2)
    words = _answer_words(element, answer)
    if not words:
        return KeepTogether([label, Paragraph(NOT_RECORDED, styles.small)])
    if element.own_words:
        # Their words exactly as written: text() keeps the line breaks and escapes markup.
        return KeepTogether([label, Paragraph(text(words), styles.quote)])
    return KeepTogether([label, Paragraph(text(words), styles.body)])


def _answer_words(element: Element, answer: Answer | None) -> str:
    if answer is None:
        return ""
    if element.kind is ElementKind.YES_NO:
        return "" if answer.yes is None else ("Yes" if answer.yes else "No")
    if element.kind is ElementKind.DATE:
        return date_words(answer.date)
    if element.kind is ElementKind.CHOICE:
        return element.option_label(answer.choice) if answer.choice else ""
    return answer.text


def _changes(
    previous: Assessment,
    assessment: Assessment,
    template: Template,
    people: Sequence[Person],
    styles: Styles,
) -> list[Flowable]:
    flow: list[Flowable] = [Paragraph("What has changed since the last assessment", styles.h1)]
    changes = rating_changes(previous, assessment, template, people)
    if not changes:
        return [*flow, Paragraph("No rating has changed.", styles.body)]
    rows = [
        (
            f"{c.step_title}: {c.element_label}",
            c.before,
            c.after,
            Paragraph(text(c.direction.label), styles.cell_bold),
        )
        for c in changes
    ]
    widths = [0.4, 0.21, 0.21, 0.18]
    header = ("Area", "Before", "Now", "Change")
    return [*flow, grid_table(header, rows, [w * CONTENT_WIDTH for w in widths], styles)]
