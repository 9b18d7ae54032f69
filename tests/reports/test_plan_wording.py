"""The printed plan, for the family (issue 16): the keyworker's phone number from the team, words
and a signature line for an older child, who to call in a crisis, the consent and privacy
statement in the council's words (data checked against its schema), the Star chart's numbers,
and no brackets inside brackets. Read back with pypdf; page 1 rendered with pdftoppm."""

import copy
import datetime as dt
import json
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from fmdesk.errors import ValidationError
from fmdesk.families import Person, PersonRole
from fmdesk.plan_text import PlanText, read_plan_text
from fmdesk.plans import ActionOwner, PlanAction, PlanGoal, first_plan
from fmdesk.stars import InstrumentCatalogue, complete_reading, new_reading
from fmdesk.taf import TafMember
from reports.base import write_pdf
from reports.plan import plan_pdf, star_scores
from reports.star import family_star_chart
from tests.reports.test_plan_pdf import FAMILY, KAI, MEMBERS, PEOPLE, ZOE, pages_text
from tests.tools import require_tools

MADE_ON = dt.date(2025, 2, 3)
MAYA = Person(
    family_id=FAMILY.id,
    role=PersonRole.CHILD,
    given_name="Maya",
    family_name="Ashworth",
    relationship="Daughter",
    date_of_birth=dt.date(2010, 9, 14),  # 14 when the plan is made
)
KEYWORKER = TafMember(
    family_id=FAMILY.id,
    agency="Early Help team",
    role="keyworker",
    name="Amira Shah",
    contact="07700 900123",
)


def shipped_data() -> dict:
    entry = resources.files("fmdesk").joinpath("definitions", "plan-text", "plan-text.json")
    return json.loads(entry.read_text(encoding="utf-8"))


def plan_with_keyworker_action():
    action = PlanAction(
        what="Ring the school about the timetable",
        # How a keyworker's own action read: "Amira Shah (Early Help team (keyworker))".
        owner=ActionOwner.agency_worker("Early Help team (keyworker)", "Amira Shah"),
        by_when=dt.date(2025, 3, 3),
    )
    mum = PlanAction(
        what="Set two alarms", owner=ActionOwner(person_id=ZOE.id), by_when=dt.date(2025, 3, 3)
    )
    goal = PlanGoal(words="Maya at school every day", actions=(action, mum))
    return first_plan(FAMILY.id, made_on=MADE_ON, goals=[goal])


def whole(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def test_the_keyworker_line_has_their_phone_and_no_brackets_in_brackets() -> None:
    text = whole(
        plan_pdf(FAMILY, [*PEOPLE, MAYA], plan_with_keyworker_action(), [*MEMBERS, KEYWORKER])
    )
    assert "Your keyworker Amira Shah, keyworker, Early Help team · phone 07700 900123" in text
    assert "Amira Shah, Early Help team (keyworker)" in text
    assert "((" not in text.replace(" ", "")
    assert "))" not in text.replace(" ", "")


def test_an_older_child_has_words_of_their_own_and_signs() -> None:
    pdf = plan_pdf(FAMILY, [*PEOPLE, MAYA], plan_with_keyworker_action(), MEMBERS)
    text = whole(pdf)
    assert "For you, if you are 12 or older For Maya." in text
    assert "This plan is about your family, and about you too." in text
    signing = text[text.index("Signing the plan") :]
    assert "Maya Ashworth Daughter, 14" in signing
    assert KAI.full_name not in signing  # 8: too young to be asked to sign


def test_who_to_call_in_a_crisis_and_the_privacy_statement() -> None:
    text = whole(
        plan_pdf(FAMILY, [*PEOPLE, MAYA], plan_with_keyworker_action(), [*MEMBERS, KEYWORKER])
    )
    crisis = text[text.index("If you need help urgently") :]
    assert "Your keyworker, in office hours 07700 900123" in crisis
    assert "Police, fire or ambulance, in an emergency 999" in crisis
    assert "Childline, for children and young people, free at any time 0800 1111" in crisis
    assert "Your consent and your information" in text
    assert "You can change your mind at any time" in text


def test_the_councils_own_wording_and_age() -> None:
    data = shipped_data()
    data["older_child_age"] = 15
    data["crisis_contacts"] = [
        {"who": "Anyshire children's services out of hours", "number": "01632 960000"}
    ]
    data["privacy_words"] = ["Anyshire Council keeps your information as its privacy notice says."]
    data["signing_words"] = "Signing means we will all try our best."
    wording = read_plan_text(data, source="anyshire.json")
    text = whole(
        plan_pdf(FAMILY, [*PEOPLE, MAYA], plan_with_keyworker_action(), MEMBERS, wording=wording)
    )
    assert "Anyshire children's services out of hours 01632 960000" in text
    assert "Childline" not in text
    assert "Anyshire Council keeps your information" in text
    assert "Signing means we will all try our best." in text
    assert "For you, if you are" not in text  # Maya is 14, the council says 15
    assert "Maya Ashworth" not in text[text.index("Signing the plan") :]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("privacy_words"), "privacy_words: missing"),
        (lambda d: d.update(older_child_age=30), "expected a whole number of years from 8 to 17"),
        (
            lambda d: d["crisis_contacts"][0].update(number="call us"),
            "is not a telephone number of digits and spaces",
        ),
        (lambda d: d.update(privacy_heading=""), "privacy_heading"),
        (lambda d: d.update(footer="x"), "footer: unknown field"),
    ],
)
def test_wording_that_does_not_fit_the_schema_is_refused_naming_the_place(change, expected) -> None:
    data = copy.deepcopy(shipped_data())
    change(data)
    with pytest.raises(ValidationError, match=r"anyshire\.json") as caught:
        read_plan_text(data, source="anyshire.json")
    assert expected in str(caught.value)
    assert PlanText.shipped().older_child_age == 12


def star_readings():
    star = InstrumentCatalogue().default
    readings = []
    for day, scores in (
        (dt.date(2025, 1, 6), [2, 3, 4, 8, 9, 5, 5, 1, 10, 7]),
        (MADE_ON, [3, 4, 3, 9, 10, 6, 4, 10, 10, 6]),
    ):
        r = new_reading(star, family_id=FAMILY.id, taken_on=day, taken_by="Amira Shah")
        for area_id, score in zip(star.area_ids, scores, strict=True):
            r = r.with_score(area_id, score)
        readings.append(complete_reading(r, star))
    return star, readings


def test_the_star_chart_has_its_numbers(tmp_path: Path) -> None:
    star, readings = star_readings()
    pdf = plan_pdf(
        FAMILY,
        PEOPLE,
        plan_with_keyworker_action(),
        MEMBERS,
        star_chart=family_star_chart(star, readings),
        star_scores=star_scores(star, readings),
    )
    text = whole(pdf)
    changed = text[text.index("How things have changed") :]
    assert "Area 6 January 2025 3 February 2025 Change" in changed
    first_area = star.areas[0].name
    assert f"{first_area} 2 3 +1" in changed
    assert f"{star.areas[2].name} 4 3 −1" in changed
    assert f"{star.areas[7].name} 1 10 +9" in changed


def test_the_printed_plan_looks_right(tmp_path: Path) -> None:
    """Rendered for a person to look at: the path is in the test's output."""
    require_tools("pdftoppm")
    star, readings = star_readings()
    pdf = plan_pdf(
        FAMILY,
        [*PEOPLE, MAYA],
        plan_with_keyworker_action(),
        [*MEMBERS, KEYWORKER],
        star_chart=family_star_chart(star, readings),
        star_scores=star_scores(star, readings),
    )
    path = write_pdf(pdf, tmp_path / "plan.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) == len(pages_text(pdf))
