"""The record of a Team Around the Family meeting, as PDF.

Who came (and who sent apologies), how things are going in the team's and the family's view, what
was decided, how the plan changed (the caller passes `plan_differences` of the versions before and
after) and the plan's actions as they now stand, and when the team meets next.
"""

from collections.abc import Mapping, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from fmdesk.families import Family, Person
from fmdesk.plans import FamilyPlan, date_text
from fmdesk.taf import TafMeeting, TafMember
from reports.base import (
    CONTENT_WIDTH,
    DEFAULT_MARKING,
    build_pdf,
    grid_table,
    make_styles,
    spacer,
    text,
)
from reports.plan import actions_table, facts_table, person_names, with_start


def taf_pdf(
    family: Family,
    meeting: TafMeeting,
    members: Sequence[TafMember],
    people: Sequence[Person],
    *,
    plan: FamilyPlan | None = None,
    plan_changes: Sequence[str] = (),
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The meeting record as PDF bytes. `plan` is the version the meeting made (or the current
    one), printed as a table of actions; `plan_changes` are sentences from `plan_differences`."""
    styles = make_styles()
    members_by_id = {m.id: m for m in members}
    people_by_id = {p.id: p for p in people}

    story: list[Flowable] = [
        Paragraph(f"Team Around the Family meeting {meeting.number}", styles.title),
        facts_table(
            [
                ("Family", f"{family.name} (case {family.reference})"),
                ("Date", date_text(meeting.held_on)),
                ("Where", meeting.place),
                ("Lead practitioner", family.lead_practitioner),
                ("How are things going?", meeting.rating.label if meeting.rating else ""),
                ("Next meeting", date_text(meeting.next_meeting) or "To be arranged"),
                ("Recorded by", meeting.recorded_by),
            ],
            styles,
        ),
    ]
    # Each heading stays on the page where what it heads begins (reports/plan.py: with_start).
    attendance: list[list[object]] = []
    for person_id in meeting.person_ids:
        person = people_by_id.get(person_id)
        if person is not None:
            attendance.append(
                [person.full_name, "Family", person.relationship or person.role.label]
            )
    for member_id in meeting.member_ids:
        member = members_by_id.get(member_id)
        if member is not None:
            attendance.append([member.name, member.agency, member.role])
    attendance.extend([other, "", ""] for other in meeting.others)
    story += with_start(
        [Paragraph("Who came", styles.h1)],
        [
            grid_table(
                ["Name", "Family or agency", "Role"],
                attendance,
                [CONTENT_WIDTH * f for f in (0.34, 0.36, 0.30)],
                styles,
            )
            if attendance
            else Paragraph("Attendance was not recorded.", styles.body)
        ],
    )
    if meeting.apologies:
        story.append(spacer(2))
        story.append(
            Paragraph("<b>Apologies:</b> " + text(", ".join(meeting.apologies)), styles.body)
        )

    if meeting.family_views.strip():
        story += with_start(
            [Paragraph("What the family said", styles.h1)],
            [Paragraph(f"“{text(meeting.family_views.strip())}”", styles.quote)],
        )

    story += with_start(
        [Paragraph("What we decided", styles.h1)],
        _numbered(meeting.decisions, "No decisions were recorded.", styles.body),
    )

    if plan is not None or plan_changes:
        story += with_start(
            [Paragraph("Changes to the plan", styles.h1)],
            _numbered(plan_changes, "The plan stays as it was.", styles.body),
        )
    if plan is not None and plan.actions:
        names: Mapping[str, str] = person_names(people)
        story += with_start(
            [
                Paragraph(
                    f"The plan's actions now (version {plan.version}, {text(plan.made_at)})",
                    styles.h2,
                )
            ],
            [actions_table(plan.actions, names, styles)],
        )

    return build_pdf(
        story,
        title=f"TAF meeting {meeting.number} – {family.name} ({family.reference})",
        marking=marking,
        password=password,
    )


def _numbered(items: Sequence[str], if_none: str, style: ParagraphStyle) -> list[Flowable]:
    if not items:
        return [Paragraph(if_none, style)]
    return [Paragraph(f"{i}.&nbsp;&nbsp;{text(item)}", style) for i, item in enumerate(items, 1)]
