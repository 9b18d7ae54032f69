"""The TAF meeting record and the closing summary, read back with pypdf."""

import datetime as dt
import io
import re

import pypdf

from fmdesk.closure import ContinuingSupport, OutcomeAtClosure, OutcomeResult, close_family
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import ActionOwner, ActionStatus, PlanAction, PlanGoal, first_plan
from fmdesk.plans import plan_differences as differences
from fmdesk.taf import ReviewRating, TafMeeting, TafMember, meeting_plan
from reports.closure import closure_pdf
from reports.taf import taf_pdf

FAMILY = Family(
    reference="FM-0107",
    name="Kowalczyk",
    status=FamilyStatus.ACTIVE,
    lead_practitioner="Amira Shah",
)
ZOE = Person(
    family_id=FAMILY.id,
    role=PersonRole.PARENT_CARER,
    given_name="Zoë",
    family_name="Kowalczyk",
    relationship="Mum",
)
NURSE = TafMember(
    family_id=FAMILY.id, agency="Community health", role="School nurse", name="Siobhán Kelly"
)
YOUTH = TafMember(family_id=FAMILY.id, agency="Youth service", name="Łukasz Nowak")


def pages_text(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_taf_meeting_record() -> None:
    goal = PlanGoal(
        words="Fewer rows about bedtime",
        actions=(
            PlanAction(
                what="Try the bedtime chart for four weeks",
                owner=ActionOwner(person_id=ZOE.id),
                by_when=dt.date(2025, 5, 5),
            ),
        ),
    )
    before = first_plan(FAMILY.id, made_on=dt.date(2025, 2, 3), goals=[goal])
    meeting = TafMeeting(
        family_id=FAMILY.id,
        number=2,
        held_on=dt.date(2025, 4, 7),
        place="Hillside Family Hub",
        person_ids=(ZOE.id,),
        member_ids=(NURSE.id,),
        others=("Interpreter (Polish)",),
        apologies=("Łukasz Nowak",),
        decisions=("Keep the bedtime chart going", "Nurse to visit after half term"),
        rating=ReviewRating.BETTER,
        family_views="Bedtimes are calmer most nights.",
        next_meeting=dt.date(2025, 6, 2),
        recorded_by="Amira Shah",
    )
    changed = goal.replace(actions=(goal.actions[0].replace(status=ActionStatus.IN_PROGRESS),))
    meeting, after = meeting_plan(meeting, before, goals=[changed])
    pdf = taf_pdf(
        FAMILY,
        meeting,
        [NURSE, YOUTH],
        [ZOE],
        plan=after,
        plan_changes=differences(before, after),
        marking="OFFICIAL",
    )
    pages = pages_text(pdf)
    whole = " ".join(pages)
    assert "Team Around the Family meeting 2" in whole
    assert "Date 7 April 2025" in whole
    assert "How are things going? Better" in whole
    assert "Next meeting 2 June 2025" in whole
    assert "Zoë Kowalczyk Family Mum" in whole
    assert "Siobhán Kelly Community health School nurse" in whole
    assert "Interpreter (Polish)" in whole
    assert "Apologies: Łukasz Nowak" in whole
    assert "“Bedtimes are calmer most nights.”" in whole
    assert "1. Keep the bedtime chart going" in whole
    assert "2. Nurse to visit after half term" in whole
    assert "Action “Try the bedtime chart for four weeks”: not started → in progress." in whole
    assert "version 2, TAF meeting 2" in whole
    assert "Zoë Kowalczyk 5 May 2025 In progress" in whole
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL") == 2
        assert f"Page {number} of {len(pages)}" in page


def test_closure_summary() -> None:
    _, _, summary = close_family(
        FAMILY,
        on=dt.date(2025, 9, 1),
        reason=ClosureReason.STEPPED_DOWN,
        by="Amira Shah",
        summary="Bedtimes are settled and Kai's attendance is above 95%.",
        outcomes=[
            OutcomeAtClosure(
                problem="2",
                measure="2.1",
                result=OutcomeResult.ACHIEVED,
                note="Three terms above 90%",
            ),
            OutcomeAtClosure(problem="6", result=OutcomeResult.SOME_PROGRESS),
        ],
        continuing_support=[
            ContinuingSupport(
                service="Hillside Family Hub", what="Stay and play", contact="01632 960 555"
            )
        ],
        moving_on="We know who to ring now if things get hard again.",
        moving_on_from="Zoë",
    )
    pdf = closure_pdf(
        FAMILY,
        summary,
        problem_names={"2": "Children not at school enough"},
        measure_names={"2.1": "Attendance above 90% for three terms"},
    )
    pages = pages_text(pdf)
    whole = " ".join(pages)
    assert "Closing summary" in whole
    assert "Closed on 1 September 2025" in whole
    assert "Why the case closed Stepped down to universal services" in whole
    assert "Bedtimes are settled" in whole
    assert (
        "Children not at school enough Attendance above 90% for three terms Achieved "
        "Three terms above 90%" in whole
    )
    assert "Problem 6 Some progress" in whole
    assert "Hillside Family Hub Stay and play 01632 960 555" in whole
    assert "“We know who to ring now if things get hard again.” — Zoë" in whole
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in page
