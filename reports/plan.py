"""The printed family action plan: the page the family and every agency sign.

Plain language first: the family's goals in their own words, then for each goal what will be done,
by whom and by when, and where it has got to. The Star chart (first and latest readings) comes in
ready-made from reports/star.py through the caller, so this module does not depend on it. The plan
ends with a signature line, with a date, for each adult in the household, each child of the
council's older child's age or over, and each worker in the Team Around the Family.

Where the wording is the council's (the words for an older child, who to call in a crisis, the
consent and privacy statement, what signing means) it comes from `PlanText`
(fmdesk/plan_text.py: the council's file, else fmdesk's own). The keyworker's line names them as
the team records them, with their phone number (the team member's contact).

A heading is never left alone at the foot of a page: `with_start` keeps each heading (and a line
of introduction) on the page where its content starts, and the Star chart with its heading.

`facts_table`, `actions_table` and `with_start` are shared with the TAF meeting record
(reports/taf.py) and the closing summary (reports/closure.py).
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import FrameBreak

from fmdesk.families import Family, Person, PersonRole
from fmdesk.plan_text import PlanText
from fmdesk.plans import ActionOwner, ActionStatus, FamilyPlan, PlanAction, PlanGoal, date_text
from fmdesk.stars import Instrument, StarReading, completed_readings
from fmdesk.taf import TafMember, current_members
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    FONT,
    FONT_BOLD,
    RULE,
    SHADE,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    spacer,
    text,
)

ADULT_AGE = 18
SIGNATURE_SPACE_MM = 11
STATUS_COLOURS = {
    ActionStatus.NOT_STARTED: colors.HexColor("#5b6770"),
    ActionStatus.IN_PROGRESS: colors.HexColor("#1d5fa8"),
    ActionStatus.DONE: colors.HexColor("#2e7d32"),
    ActionStatus.DROPPED: colors.HexColor("#8a5a00"),
}


class KeepWithStart(KeepTogether):
    """Headings (and short lines of introduction) kept on the same page as at least the start
    of the content that follows them: the first rows of a table (which then splits, its header
    repeated), the first lines of a paragraph, or the whole of something that cannot split (a
    chart). When that does not fit in what is left of the page, all of it starts on the next.

    Unlike a plain KeepTogether, a long table after a heading does not push the heading to a
    new page when the table's first rows would fit where it is.
    """

    def __init__(self, heads: Sequence[Flowable], body: Flowable) -> None:
        super().__init__([*heads, body])
        self._heads = list(heads)
        self._body = body

    def _starts_here(self, width: float, height: float) -> bool:
        room = height
        previous_after = 0.0
        for index, flowable in enumerate([*self._heads, self._body]):
            if index:  # the space between two flowables is the larger of after and before
                room -= max(previous_after, flowable.getSpaceBefore())
            previous_after = flowable.getSpaceAfter()
            _, needed = flowable.wrapOn(self.canv, width, room)
            if needed <= room:
                room -= needed
                continue
            # Only the body may split, and only into a first part that fits here.
            return flowable is self._body and bool(flowable.splitOn(self.canv, width, room))
        return True

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        content: list[Flowable] = [*self._heads, self._body]
        frame = getattr(self, "_frame", None)
        at_top = frame is not None and getattr(frame, "_atTop", False)
        if at_top or self._starts_here(aW, aH):
            return content
        return [FrameBreak(), *content]


def with_start(heads: Sequence[Flowable], body: Sequence[Flowable]) -> list[Flowable]:
    """`heads`, then `body`, with the heads kept on the page where `body`'s first flowable
    starts (see KeepWithStart)."""
    if not body:
        return list(heads)
    return [KeepWithStart(heads, body[0]), *body[1:]]


def person_names(people: Iterable[Person]) -> dict[str, str]:
    """Person id → the name printed for them."""
    return {p.id: p.full_name for p in people}


def facts_table(rows: Sequence[tuple[str, str]], styles: Styles) -> Table:
    """Label and value pairs in a light box, for the top of a report."""
    label_style = ParagraphStyle("fact_label", parent=styles.body, fontName=FONT_BOLD)
    data = [
        [Paragraph(text(label), label_style), Paragraph(text(value), styles.body)]
        for label, value in rows
        if value
    ]
    table = Table(data, colWidths=[48 * mm, CONTENT_WIDTH - 48 * mm])
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


def status_cell(action: PlanAction, styles: Styles) -> Paragraph:
    colour = STATUS_COLOURS[action.status].hexval()[2:]
    words = f'<font color="#{colour}"><b>{text(action.status.label)}</b></font>'
    if action.status is ActionStatus.DROPPED:
        words += f"<br/>{text(action.dropped_reason)}"
    return Paragraph(words, styles.cell)


def what_cell(action: PlanAction, styles: Styles) -> Paragraph:
    words = text(action.what)
    note = action.latest_note
    if note is not None:
        words += (
            f'<br/><font size="8"><i>Latest, {text(date_text(note.on))}: '
            f"{text(note.text)}</i></font>"
        )
    return Paragraph(words, styles.cell)


def owner_text(owner: ActionOwner, names: Mapping[str, str]) -> str:
    """Who does an action, in words: "Siobhán Kelly (Hillside Primary School)"; an agency
    already holding brackets is not put in more: "Amira Shah, Early Help team (keyworker)"."""
    if owner.person_id or "(" not in owner.agency:
        return owner.text(names)
    return f"{owner.worker}, {owner.agency}"


def actions_table(actions: Sequence[PlanAction], names: Mapping[str, str], styles: Styles) -> Table:
    """What / Who / By when / Where it's at: splits across pages with the header repeated."""
    rows = [
        [
            what_cell(a, styles),
            owner_text(a.owner, names),
            date_text(a.by_when),
            status_cell(a, styles),
        ]
        for a in actions
    ]
    widths = [CONTENT_WIDTH * f for f in (0.44, 0.22, 0.17, 0.17)]
    return grid_table(["What we will do", "Who", "By when", "Where it's at"], rows, widths, styles)


def problem_text(code: str, problem_names: Mapping[str, str]) -> str:
    return problem_names.get(code) or f"Problem {code}"


def _goal_flowables(
    number: int,
    goal: PlanGoal,
    names: Mapping[str, str],
    problem_names: Mapping[str, str],
    measure_names: Mapping[str, str],
    styles: Styles,
) -> list[Flowable]:
    words = ParagraphStyle("goal_words", parent=styles.quote, fontSize=11, leading=15, leftIndent=0)
    linked = ParagraphStyle("goal_linked", parent=styles.small, spaceAfter=1.5 * mm)
    heads: list[Flowable] = [
        Paragraph(f"Goal {number}", styles.h2),
        Paragraph(f"“{text(goal.words)}”", words),
        Paragraph("For: " + text(goal.for_text(names)), linked),
    ]
    helps = [problem_text(p, problem_names) for p in goal.problems]
    helps += [measure_names.get(m) or f"outcome {m}" for m in goal.outcome_measures]
    if helps:
        heads.append(Paragraph("This helps with: " + text("; ".join(helps)), linked))
    # The goal's heading and words stay with the first rows of its table, which then splits by
    # row with the header repeated.
    live = [a for a in goal.actions if a.recorded_in_error is None]  # not one agreed by mistake
    body = (
        actions_table(live, names, styles)
        if live
        else Paragraph("No actions agreed yet for this goal.", styles.body)
    )
    return [*heads, body]


def older_children(people: Iterable[Person], on: dt.date, age: int) -> list[Person]:
    """The household's children of `age` or older (and under 18) on `on`."""
    found = []
    for person in people:
        if person.deleted or person.in_error or not person.in_household:
            continue
        if person.role is not PersonRole.CHILD:
            continue
        years = person.age(on)
        if years is not None and age <= years < ADULT_AGE:
            found.append(person)
    return found


def signatories(
    people: Iterable[Person],
    members: Iterable[TafMember],
    lead_practitioner: str,
    on: dt.date,
    *,
    older_child_age: int | None = None,
) -> list[tuple[str, str]]:
    """(name, who they are) for everyone who signs: each adult in the household, each child
    of `older_child_age` or over, each current TAF member, and the lead practitioner if they
    are not already one of the members."""
    people = list(people)
    rows: list[tuple[str, str]] = []
    for person in people:
        if person.deleted or person.in_error or not person.in_household:
            continue
        age = person.age(on)
        adult = person.role in (PersonRole.PARENT_CARER, PersonRole.OTHER_ADULT) or (
            age is not None and age >= ADULT_AGE
        )
        if adult:
            rows.append((person.full_name, person.relationship or person.role.label))
    if older_child_age is not None:
        for child in older_children(people, on, older_child_age):
            rows.append((child.full_name, f"{child.relationship or 'Child'}, {child.age(on)}"))
    team = current_members(members, on)
    for member in team:
        rows.append((member.name, ", ".join(p for p in (member.role, member.agency) if p)))
    if lead_practitioner and lead_practitioner not in {m.name for m in team}:
        rows.append((lead_practitioner, "Lead practitioner"))
    return rows


def keyworker(lead_practitioner: str, members: Iterable[TafMember], on: dt.date) -> tuple[str, str]:
    """(the keyworker's line, their phone number) for the top of the plan: the team member who
    is the lead practitioner (by name, else the one whose role says keyworker or lead
    practitioner) as the team records them, "Amira Shah, keyworker, Early Help team", and their
    contact; the lead practitioner's name alone when the team does not list them."""
    team = current_members(members, on)
    wanted = lead_practitioner.strip().casefold()
    member = next((m for m in team if wanted and m.name.strip().casefold() == wanted), None)
    if member is None:
        member = next(
            (
                m
                for m in team
                if any(w in m.role.casefold() for w in ("keyworker", "key worker", "lead practit"))
            ),
            None,
        )
    if member is None:
        return lead_practitioner, ""
    return member.described, member.contact.strip()


@dataclasses.dataclass(frozen=True)
class StarScores:
    """The Star chart's numbers, printed under it: each area's score at the first reading and
    at the latest (None: not scored)."""

    first_label: str  # "3 March 2025"; "" when there is only one reading
    latest_label: str
    rows: tuple[tuple[str, int | None, int | None], ...]  # (area, first, latest)


def star_scores(instrument: Instrument, readings: Sequence[StarReading]) -> StarScores | None:
    """The numbers behind the plan's Star chart (reports/star.py family_star_chart): the first
    completed reading of `instrument` against the latest; None when there is none."""
    done = completed_readings(readings, instrument.id)
    if not done:
        return None
    latest = done[-1]
    first = done[0] if len(done) > 1 else None
    return StarScores(
        first_label=date_text(first.taken_on) if first else "",
        latest_label=date_text(latest.taken_on),
        rows=tuple(
            (area.name, first.score(area.id) if first else None, latest.score(area.id))
            for area in instrument.areas
        ),
    )


def star_scores_table(scores: StarScores, styles: Styles) -> Table:
    def shown(score: int | None) -> str:
        return "" if score is None else str(score)

    if scores.first_label:
        header = ["Area", scores.first_label, scores.latest_label, "Change"]
        rows = [
            [
                area,
                shown(first),
                shown(latest),
                _signed(latest - first) if first is not None and latest is not None else "",
            ]
            for area, first, latest in scores.rows
        ]
        widths = [CONTENT_WIDTH * f for f in (0.46, 0.2, 0.2, 0.14)]
    else:
        header = ["Area", scores.latest_label]
        rows = [[area, shown(latest)] for area, _, latest in scores.rows]
        widths = [CONTENT_WIDTH * f for f in (0.6, 0.4)]
    table = grid_table(header, rows, widths, styles)
    table.setStyle(TableStyle([("ALIGN", (1, 1), (-1, -1), "CENTER")]))
    return table


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


def crisis_table(wording: PlanText, keyworker_phone: str, styles: Styles) -> Table:
    rows = [[c.who, c.number] for c in wording.crisis_contacts]
    if keyworker_phone:
        rows.insert(0, ["Your keyworker, in office hours", keyworker_phone])
    return grid_table(["Who", "Number"], rows, [CONTENT_WIDTH * 0.68, CONTENT_WIDTH * 0.32], styles)


def signature_table(rows: Sequence[tuple[str, str]], styles: Styles) -> Table:
    blank = spacer(SIGNATURE_SPACE_MM)
    table = grid_table(
        ["Name", "Family member or agency", "Signature", "Date"],
        [[name, who, blank, blank] for name, who in rows],
        [CONTENT_WIDTH * f for f in (0.26, 0.28, 0.30, 0.16)],
        styles,
    )
    table.setStyle(TableStyle([("VALIGN", (0, 1), (1, -1), "MIDDLE")]))
    return table


def plan_pdf(
    family: Family,
    people: Sequence[Person],
    plan: FamilyPlan,
    taf_members: Sequence[TafMember],
    *,
    problem_names: Mapping[str, str] | None = None,
    measure_names: Mapping[str, str] | None = None,
    star_chart: Flowable | None = None,
    star_scores: StarScores | None = None,
    lead_practitioner: str = "",
    wording: PlanText | None = None,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The family action plan as PDF bytes.

    `problem_names` and `measure_names` map the outcomes framework's codes to plain names (codes
    are printed as "Problem 2" without them). `star_chart` is a ready-made flowable, printed when
    given, with `star_scores` (its numbers) under it. `lead_practitioner` defaults to the
    family's. `wording` is the council's (default fmdesk's own). Pure: safe to call off the GUI
    thread.
    """
    styles = make_styles()
    wording = wording or PlanText.shipped()
    problem_names = problem_names or {}
    measure_names = measure_names or {}
    lead = lead_practitioner or family.lead_practitioner
    names = person_names(people)
    household = [p for p in people if p.in_household and not p.deleted and not p.in_error]
    keyworker_line, keyworker_phone = keyworker(lead, taf_members, plan.made_on)
    if keyworker_phone:
        keyworker_line += f" · phone {keyworker_phone}"

    where = plan.made_at if plan.made_at else "a meeting"
    story: list[Flowable] = [
        Paragraph("Our family plan", styles.title),
        Paragraph(
            "This plan sets out what we want to change, what each of us will do, and by when. "
            "We will look at it again together at the next review.",
            styles.body,
        ),
        spacer(4),
        facts_table(
            [
                ("Family", f"{family.name} (case {family.reference})"),
                (
                    "Who the plan is for",
                    ", ".join(_member_line(p, plan.made_on) for p in household),
                ),
                ("Your keyworker", keyworker_line),
                (
                    "This plan",
                    f"Version {plan.version}, agreed on {date_text(plan.made_on)} ({where})",
                ),
                ("Next review", date_text(plan.next_review) or "To be agreed"),
            ],
            styles,
        ),
    ]
    if plan.problems:
        story += with_start(
            [Paragraph("What we are working on", styles.h1)],
            [
                Paragraph(f"•&nbsp;&nbsp;{text(problem_text(code, problem_names))}", styles.body)
                for code in plan.problems
            ],
        )
    goals_heading = Paragraph("Our goals and what we will do", styles.h1)
    if not plan.goals:
        story += [goals_heading, Paragraph("No goals have been agreed yet.", styles.body)]
    for number, goal in enumerate(plan.goals, start=1):
        *heads, body = _goal_flowables(number, goal, names, problem_names, measure_names, styles)
        if number == 1:
            heads.insert(0, goals_heading)
        story += with_start(heads, [body])
    if star_chart is not None:
        # The chart cannot split: it and its heading go to the next page together if need be.
        story += with_start(
            [
                Paragraph("How things have changed", styles.h1),
                Paragraph("Our Star readings: the first one we did, and the latest.", styles.body),
            ],
            [star_chart],
        )
        if star_scores is not None and star_scores.rows:
            # Eleven rows or so: kept whole rather than one row left under the chart.
            story.append(KeepTogether([spacer(2), star_scores_table(star_scores, styles)]))
    story.append(
        KeepTogether(
            [
                Paragraph("Next review", styles.h1),
                Paragraph(
                    "We will meet to look at this plan again on "
                    f"<b>{text(date_text(plan.next_review))}</b>."
                    if plan.next_review
                    else "We will agree the date of the next review together.",
                    styles.body,
                ),
            ]
        )
    )
    older = older_children(people, plan.made_on, wording.older_child_age)
    if older:
        for_whom = ", ".join(p.known_as or p.given_name for p in older)
        story.append(
            KeepTogether(
                [
                    Paragraph(text(wording.older_child_title), styles.h1),
                    Paragraph(text(f"For {for_whom}."), styles.small),
                    *_paragraphs(wording.older_child_words, styles),
                ]
            )
        )
    story.append(
        KeepTogether(
            [
                Paragraph(text(wording.crisis_heading), styles.h1),
                Paragraph(text(wording.crisis_intro), styles.body),
                spacer(2),
                crisis_table(wording, keyworker_phone, styles),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                Paragraph(text(wording.privacy_heading), styles.h1),
                *_paragraphs(wording.privacy_words, styles),
            ]
        )
    )
    sign_rows = signatories(
        people, taf_members, lead, plan.made_on, older_child_age=wording.older_child_age
    )
    story.append(
        KeepTogether(
            [
                Paragraph("Signing the plan", styles.h1),
                Paragraph(text(wording.signing_words), styles.body),
                spacer(2),
                # Signatures stay on one page when they fit; a longer list splits by row,
                # with its header repeated.
                signature_table(sign_rows, styles),
            ]
        )
    )
    return build_pdf(
        story,
        title=f"Family plan – {family.name} ({family.reference}), version {plan.version}",
        marking=marking,
        password=password,
    )


def _paragraphs(words: Iterable[str], styles: Styles) -> list[Flowable]:
    """Paragraphs of the council's wording, a little apart."""
    spaced = ParagraphStyle("wording", parent=styles.body, spaceAfter=1.5 * mm)
    return [Paragraph(text(w), spaced) for w in words]


def _member_line(person: Person, on: dt.date) -> str:
    age = person.age_text(on)
    if person.role is PersonRole.CHILD and age:
        return f"{person.full_name} ({age})"
    return person.full_name
