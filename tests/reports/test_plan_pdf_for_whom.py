"""The printed plan says whom each goal is for (issue 18), read back with pypdf."""

import datetime as dt

from fmdesk.plans import PlanGoal, first_plan
from reports.plan import plan_pdf
from tests.reports.test_plan_pdf import FAMILY, KAI, MEMBERS, PEOPLE, ZOE, pages_text


def test_each_goal_says_whom_it_is_for() -> None:
    school = PlanGoal(
        words="We want Kai to get to school every day", problems=("2",), for_people=(KAI.id, ZOE.id)
    )
    home = PlanGoal(words="A warm, dry home", problems=("6",))
    plan = first_plan(FAMILY.id, made_on=dt.date(2025, 2, 3), goals=[school, home])
    whole = " ".join(pages_text(plan_pdf(FAMILY, PEOPLE, plan, MEMBERS)))
    first = whole[whole.index("Goal 1") : whole.index("Goal 2")]
    second = whole[whole.index("Goal 2") :]
    assert "For: Kai Ashworth, Zoë Ashworth" in first
    assert "For: the whole family" in second
