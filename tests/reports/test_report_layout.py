"""Page breaks in the plan, the TAF meeting record and the closing summary: a heading is never left
alone at the foot of a page, and the Star chart stays with its heading.

Each test grows one part of a document a row at a time, so every heading after it passes every
position on a page, including the foot; the text read back with pypdf must then show each heading
on the same page as the start of what it heads.
"""

import datetime as dt
import io

import pypdf

from fmdesk.closure import ClosureSummary, ContinuingSupport, OutcomeAtClosure, OutcomeResult
from fmdesk.families import ClosureReason
from fmdesk.plans import ActionOwner, FamilyPlan, PlanAction
from fmdesk.stars import InstrumentCatalogue, StarReading, complete_reading, new_reading
from fmdesk.taf import ReviewRating, TafMeeting
from reports.closure import closure_pdf
from reports.plan import plan_pdf
from reports.star import family_star_chart
from reports.taf import taf_pdf
from tests.reports.test_plan_pdf import FAMILY, MEMBERS, PEOPLE, ZOE, sample_plan

MARKING = "OFFICIAL-SENSITIVE"
# Enough one-line rows to move what follows them down by more than a page.
ROWS = 42


def body_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of text, without the marking, title and page number at its foot."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        text = page.extract_text()
        body = text[: text.index(MARKING)]  # the marking is drawn after the page's content
        pages.append([line.strip() for line in body.splitlines() if line.strip()])
    return pages


def assert_heading_with_start(
    pages: list[list[str]], heading: str, start: str, *, last: bool = False, label: str = ""
) -> None:
    """The line `heading` (its first or last occurrence) has a line containing `start` after it
    on the same page."""
    found = [(p, i) for p, lines in enumerate(pages) for i, line in enumerate(lines)]
    found = [(p, i) for p, i in found if pages[p][i] == heading]
    assert found, f"{label}: no heading {heading!r}"
    page, index = found[-1] if last else found[0]
    after = pages[page][index + 1 :]
    assert any(start in line for line in after), (
        f"{label}: {heading!r} is at the foot of page {page + 1} without {start!r} after it "
        f"(page ends {pages[page][-3:]})"
    )


def star_readings() -> list[StarReading]:
    star = InstrumentCatalogue().default
    readings = []
    for day, score in ((dt.date(2025, 1, 6), 3), (dt.date(2025, 4, 7), 6)):
        reading = new_reading(star, family_id=FAMILY.id, taken_on=day, taken_by="Siobhán Kelly")
        for area in star.area_ids:
            reading = reading.with_score(area, score)
        readings.append(complete_reading(reading, star))
    return readings


def longer_plan(extra: int) -> FamilyPlan:
    plan = sample_plan()
    first = plan.goals[0]
    more = tuple(
        PlanAction(
            what=f"Extra step {i}: practise the routine",
            owner=ActionOwner(person_id=ZOE.id),
            by_when=dt.date(2025, 5, 1),
        )
        for i in range(extra)
    )
    return plan.replace(goals=(first.replace(actions=first.actions + more), *plan.goals[1:]))


def test_plan_headings_stay_with_their_content_and_the_star_chart_with_its_heading() -> None:
    star = InstrumentCatalogue().default
    readings = star_readings()
    problems = {"2": "Children not at school enough", "6": "Health and housing"}
    for extra in range(ROWS):
        plan = longer_plan(extra)
        chart = family_star_chart(star, readings)  # a flowable is laid out once: a new one each
        pdf = plan_pdf(FAMILY, PEOPLE, plan, MEMBERS, problem_names=problems, star_chart=chart)
        pages = body_lines(pdf)
        label = f"{extra} extra actions"
        assert_heading_with_start(pages, "What we are working on", "•", label=label)
        assert_heading_with_start(pages, "Our goals and what we will do", "Goal 1", label=label)
        for number, goal in enumerate(plan.goals, start=1):
            first_words = goal.actions[0].what[:14]
            assert_heading_with_start(pages, f"Goal {number}", first_words, label=label)
        # The whole chart: its two readings' legend is drawn last.
        assert_heading_with_start(pages, "How things have changed", "(latest)", label=label)
        # The last "Next review" is the heading (the first is in the facts at the top).
        assert_heading_with_start(
            pages, "Next review", "We will meet to look at this plan again", last=True, label=label
        )
        assert_heading_with_start(pages, "Signing the plan", "Zoë Ashworth", label=label)
        for number, lines in enumerate(pages, start=1):
            assert lines[-1] not in {"Next review", "Signing the plan"}, (label, number)


def test_meeting_record_headings_stay_with_their_content() -> None:
    plan = sample_plan()
    for others in range(ROWS):
        meeting = TafMeeting(
            family_id=FAMILY.id,
            number=3,
            held_on=dt.date(2025, 4, 7),
            place="Hillside Family Hub",
            person_ids=(ZOE.id,),
            member_ids=tuple(m.id for m in MEMBERS),
            others=tuple(f"Visitor {i}" for i in range(others)),
            decisions=("Keep the breakfast club", "Meet again in six weeks"),
            rating=ReviewRating.BETTER,
            family_views="Mornings are calmer.",
            plan_id=plan.id,
        )
        pages = body_lines(
            taf_pdf(FAMILY, meeting, MEMBERS, PEOPLE, plan=plan, plan_changes=["Goal 2 added."])
        )
        label = f"{others} others at the meeting"
        assert_heading_with_start(pages, "Who came", "Zoë Ashworth", label=label)
        assert_heading_with_start(pages, "What the family said", "Mornings are calmer", label=label)
        assert_heading_with_start(pages, "What we decided", "1.", label=label)
        assert_heading_with_start(pages, "Changes to the plan", "Goal 2 added.", label=label)
        now = "The plan's actions now (version 2, TAF meeting 3)"
        assert_heading_with_start(pages, now, "Set two alarms", label=label)


def test_closing_summary_headings_stay_with_their_content() -> None:
    base = ClosureSummary(
        family_id=FAMILY.id,
        closed_on=dt.date(2025, 9, 1),
        reason=ClosureReason.NEEDS_MET,
        outcomes=(OutcomeAtClosure(problem="2", result=OutcomeResult.ACHIEVED),),
        continuing_support=(ContinuingSupport(service="Hillside Family Hub", what="Drop-in"),),
        moving_on="We know who to ring now.",
        moving_on_from="Zoë Ashworth",
        closed_by="Amira Shah",
    )
    for lines in range(1, 60):
        # A longer summary (one more line each time) moves every heading after it down.
        summary = base.replace(summary="\n".join(f"Change {i}." for i in range(lines)))
        pages = body_lines(closure_pdf(FAMILY, summary))
        label = f"{lines} lines of summary"
        assert_heading_with_start(pages, "What has changed", "Change 0.", label=label)
        assert_heading_with_start(pages, "Outcomes at closure", "Achieved", label=label)
        assert_heading_with_start(pages, "Support that carries on", "Hillside", label=label)
        assert_heading_with_start(
            pages, "Moving on, in the family's words", "We know who to ring", label=label
        )
