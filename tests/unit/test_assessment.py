"""The whole-family assessment: template validation, steps, completion, read-only, reviews."""

import copy
import dataclasses
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from fmdesk.assessment import (
    AgencyInvolved,
    Answer,
    Assessment,
    AssessmentIncompleteError,
    AssessmentState,
    Direction,
    Template,
    at_step,
    complete,
    default_template,
    find_template,
    load_template,
    missing_before_completion,
    new_assessment,
    parse_template,
    rating_changes,
    resume_index,
    set_agencies,
    set_answer,
    share_with_family,
    start_copy,
    start_review,
    steps,
    tick_indicator,
)
from fmdesk.errors import ValidationError
from fmdesk.families import Consent, ConsentKind, Family, Person, PersonRole

TODAY = dt.date(2025, 3, 14)


@pytest.fixture
def template() -> Template:
    return default_template()


@pytest.fixture
def family() -> Family:
    return Family(reference="EH-0042", name="Kowalski-Byrne")


@pytest.fixture
def people(family: Family) -> list[Person]:
    """A family of five: two adults, three children (given out of order on purpose)."""

    def person(role: PersonRole, given: str, born: dt.date, surname: str = "Byrne") -> Person:
        return Person(
            family_id=family.id,
            role=role,
            given_name=given,
            family_name=surname,
            date_of_birth=born,
        )

    return [
        person(PersonRole.CHILD, "Zoë", dt.date(2019, 6, 2)),
        person(PersonRole.PARENT_CARER, "Siobhán", dt.date(1988, 1, 20)),
        person(PersonRole.CHILD, "Amelia", dt.date(2012, 9, 9)),
        person(PersonRole.PARENT_CARER, "Łukasz", dt.date(1985, 11, 3), "Kowalski"),
        person(PersonRole.CHILD, "Oisín", dt.date(2015, 4, 30)),
    ]


@pytest.fixture
def consents(family: Family, people: list[Person]) -> list[Consent]:
    return [
        Consent(
            family_id=family.id,
            kind=ConsentKind.ASSESS,
            person_id=people[1].id,
            given_on=dt.date(2025, 3, 1),
        )
    ]


def by_name(people: list[Person], given: str) -> Person:
    return next(p for p in people if p.given_name == given)


def fill_required(assessment: Assessment, template: Template, people: list[Person]) -> Assessment:
    """Answer every required question, the way a practitioner would."""
    for step in steps(template, people):
        for element in step.section.elements:
            if element.required:
                answer = Answer(
                    section=step.section.id,
                    person_id=step.person_id,
                    element=element.id,
                    text=f"Written for {step.title}",
                )
                assessment = set_answer(assessment, template, answer)
    return assessment


def rate(
    assessment: Assessment,
    template: Template,
    section: str,
    element: str,
    person: Person,
    rating: int | None = None,
    *,
    no_issues: bool = False,
) -> Assessment:
    answer = Answer(
        section=section,
        element=element,
        person_id=person.id,
        rating=rating,
        no_issues=no_issues,
        strengths="Goes to bed on time",
    )
    return set_answer(assessment, template, answer)


# ---- steps -----------------------------------------------------------------------------------


def test_steps_for_a_family_of_five(template: Template, people: list[Person]) -> None:
    titles = [s.title for s in steps(template, people)]

    # Per-child sections expand to one step per child, oldest first; per-parent ones per parent.
    assert titles == [
        "Consent",
        "Who lives in the home",
        "Why we are assessing",
        "How the child is growing and developing — Amelia",
        "How the child is growing and developing — Oisín",
        "How the child is growing and developing — Zoë",
        "Parenting — Łukasz",
        "Parenting — Siobhán",
        "The family and its surroundings",
        "Child's views — Amelia",
        "Child's views — Oisín",
        "Child's views — Zoë",
        "Parent's or carer's views — Łukasz",
        "Parent's or carer's views — Siobhán",
        "Practitioner's analysis",
        "Summary of need",
        "Outcomes framework indicators that apply",
        "Agencies involved",
    ]


def test_household_sections_come_from_the_record(template: Template, people: list[Person]) -> None:
    step_list = steps(template, people)
    read_only = [s.title for s in step_list if s.read_only]
    assert read_only == ["Consent", "Who lives in the home"]
    assert all(not s.section.elements for s in step_list if s.read_only)


def test_other_adults_and_unborn_children(template: Template, family: Family) -> None:
    household = [
        Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name="Priya",
            family_name="Shah",
        ),
        Person(
            family_id=family.id, role=PersonRole.OTHER_ADULT, given_name="Dev", family_name="Shah"
        ),
        Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name="Baby",
            family_name="Shah",
            expected_date=dt.date(2025, 8, 1),
        ),
        Person(
            family_id=family.id,
            role=PersonRole.SIGNIFICANT_ADULT,
            given_name="Ravi",
            family_name="Shah",
        ),
    ]
    titles = [s.title for s in steps(template, household)]

    assert "Other adults in the home — Dev" in titles
    assert "How the child is growing and developing — Baby" in titles
    # An unborn baby has no views yet, and the absent father is not part of the home.
    assert not any(t.startswith("Child's views") for t in titles)
    assert not any("Ravi" in t for t in titles)


def test_two_people_with_one_name_are_told_apart(template: Template, family: Family) -> None:
    twins = [
        Person(family_id=family.id, role=PersonRole.CHILD, given_name="Sam", family_name=name)
        for name in ("Okafor", "Reid")
    ]
    titles = [s.title for s in steps(template, twins) if s.section.id == "child_views"]
    assert titles == ["Child's views — Sam Okafor", "Child's views — Sam Reid"]


def test_resume_at_the_same_step(template: Template, family: Family, people: list[Person]) -> None:
    step_list = steps(template, people)
    assessment = new_assessment(family.id, template, practitioner="Jo Adeyemi", on=TODAY)
    assert resume_index(step_list, assessment) == 0

    assessment = at_step(assessment, step_list[7].key)
    reopened = Assessment.from_dict(json.loads(json.dumps(assessment.to_dict())))

    assert step_list[resume_index(steps(template, people), reopened)].title == "Parenting — Siobhán"


def test_resume_falls_back_when_the_person_left(
    template: Template, family: Family, people: list[Person]
) -> None:
    amelia = by_name(people, "Amelia")
    assessment = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    assessment = at_step(assessment, f"child_views/{amelia.id}")
    without_amelia = [p for p in people if p is not amelia]
    assert resume_index(steps(template, without_amelia), assessment) == 0


# ---- answers -----------------------------------------------------------------------------------


def test_answers_are_checked_against_the_template(
    template: Template, family: Family, people: list[Person]
) -> None:
    assessment = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    zoe = by_name(people, "Zoë")

    with pytest.raises(ValidationError, match="say which person"):
        set_answer(assessment, template, Answer(section="child_views", element="views", text="x"))
    with pytest.raises(ValidationError, match="no question 'mood'"):
        set_answer(
            assessment,
            template,
            Answer(section="child_views", person_id=zoe.id, element="mood", text="x"),
        )
    with pytest.raises(ValidationError, match="a yes_no answer has no text"):
        set_answer(
            assessment, template, Answer(section="reason", element="previous_help", text="yes")
        )
    with pytest.raises(ValidationError, match="'neighbour' is not one of the choices"):
        set_answer(
            assessment,
            template,
            Answer(section="reason", element="asked_for_by", choice="neighbour"),
        )
    with pytest.raises(ValueError, match="not both"):
        Answer(section="parenting", element="housing", rating=3, no_issues=True)


def test_an_empty_answer_clears_it(template: Template, family: Family) -> None:
    assessment = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    assessment = set_answer(
        assessment, template, Answer(section="reason", element="present", text="Mum, Dad")
    )
    assert assessment.answer("reason", "present") is not None
    assessment = set_answer(assessment, template, Answer(section="reason", element="present"))
    assert assessment.answer("reason", "present") is None


def test_a_record_round_trips_through_json(
    template: Template, family: Family, people: list[Person]
) -> None:
    zoe = by_name(people, "Zoë")
    assessment = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    assessment = rate(assessment, template, "child_development", "health", zoe, 2)
    assessment = set_answer(
        assessment, template, Answer(section="reason", element="first_visit", date=TODAY)
    )
    assessment = set_answer(
        assessment, template, Answer(section="reason", element="previous_help", yes=False)
    )
    assessment = tick_indicator(assessment, "2a", person_id=zoe.id, evidence="School register")
    assessment = set_agencies(assessment, [AgencyInvolved(agency="School nursing", worker="Ana")])

    plain = json.loads(json.dumps(assessment.to_dict()))

    assert Assessment.from_dict(plain) == assessment


# ---- completion ----------------------------------------------------------------------------


def test_required_fields_block_completion_and_are_named(
    template: Template,
    family: Family,
    people: list[Person],
    consents: list[Consent],
) -> None:
    assessment = fill_required(
        new_assessment(family.id, template, practitioner="Jo", on=TODAY), template, people
    )
    amelia = by_name(people, "Amelia")
    assessment = set_answer(
        assessment, template, Answer(section="child_views", person_id=amelia.id, element="views")
    )
    assessment = set_answer(assessment, template, Answer(section="analysis", element="analysis"))

    with pytest.raises(AssessmentIncompleteError) as refused:
        complete(assessment, template, people, consents, on=TODAY, by="Jo Adeyemi")

    assert [m.message for m in refused.value.missing] == [
        "Child's views — Amelia: required",
        "Practitioner's analysis: required",
    ]
    assert "Child's views — Amelia: required" in str(refused.value)
    assert refused.value.missing[0].step_key == f"child_views/{amelia.id}"


def test_a_question_in_a_longer_section_is_named_with_its_label(
    template: Template, family: Family, people: list[Person], consents: list[Consent]
) -> None:
    assessment = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    messages = [
        str(m) for m in missing_before_completion(assessment, template, people, consents, on=TODAY)
    ]
    assert messages[0] == "Why we are assessing — What has led to this assessment: required"
    assert "Summary of need — What the family needs: required" in messages


def test_consent_to_assess_must_be_in_force(
    template: Template, family: Family, people: list[Person], consents: list[Consent]
) -> None:
    assessment = fill_required(
        new_assessment(family.id, template, practitioner="Jo", on=TODAY), template, people
    )
    withdrawn = [dataclasses.replace(consents[0], withdrawn_on=dt.date(2025, 3, 10))]

    with pytest.raises(AssessmentIncompleteError, match="Consent: no consent to assess"):
        complete(assessment, template, people, withdrawn, on=TODAY, by="Jo")
    with pytest.raises(AssessmentIncompleteError, match="Consent: no consent to assess"):
        complete(assessment, template, people, [], on=TODAY, by="Jo")


def test_completion_then_read_only(
    template: Template, family: Family, people: list[Person], consents: list[Consent]
) -> None:
    assessment = fill_required(
        new_assessment(family.id, template, practitioner="Jo", on=TODAY), template, people
    )
    done = complete(assessment, template, people, consents, on=TODAY, by="Jo Adeyemi")

    assert done.state is AssessmentState.COMPLETED
    assert (done.completed_on, done.completed_by) == (TODAY, "Jo Adeyemi")
    edit = Answer(section="reason", element="present", text="Everyone")
    with pytest.raises(ValidationError, match="completed on 14 Mar 2025"):
        set_answer(done, template, edit)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        tick_indicator(done, "1a")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        done.replace(practitioner="Someone else")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        complete(done, template, people, consents, on=TODAY, by="Jo")
    # The store may still stamp a revision on it.
    assert done.replace(revision="00001").revision == "00001"

    shared = share_with_family(done, on=dt.date(2025, 3, 20))
    assert shared.state is AssessmentState.SHARED
    assert shared.shared_on == dt.date(2025, 3, 20)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        set_answer(shared, template, edit)


def test_cannot_share_a_draft_or_before_completion(
    template: Template, family: Family, people: list[Person], consents: list[Consent]
) -> None:
    draft = fill_required(
        new_assessment(family.id, template, practitioner="Jo", on=TODAY), template, people
    )
    with pytest.raises(ValidationError, match="Only a completed assessment"):
        share_with_family(draft, on=TODAY)
    done = complete(draft, template, people, consents, on=TODAY, by="Jo")
    with pytest.raises(ValidationError, match="before it was completed"):
        share_with_family(done, on=dt.date(2025, 3, 1))


def test_a_stored_record_with_inconsistent_state_is_rejected(family: Family) -> None:
    plain = Assessment(family_id=family.id, template="x@1").to_dict()
    plain["state"] = "completed"
    with pytest.raises(ValidationError, match="completion date"):
        Assessment.from_dict(plain)


# ---- copies and reviews --------------------------------------------------------------------


def test_review_is_linked_and_shows_rating_changes(
    template: Template, family: Family, people: list[Person], consents: list[Consent]
) -> None:
    amelia, zoe, lukasz = (by_name(people, n) for n in ("Amelia", "Zoë", "Łukasz"))
    first = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    first = rate(first, template, "child_development", "learning", amelia, 2)
    first = rate(first, template, "child_development", "health", zoe, 4)
    first = rate(first, template, "parenting", "guidance_boundaries", lukasz, 3)
    first = rate(first, template, "child_development", "behaviour", amelia, 3)
    first = complete(
        fill_required(first, template, people), template, people, consents, on=TODAY, by="Jo"
    )

    review = start_review(first, on=dt.date(2025, 6, 12))
    assert (review.review_of, review.state, review.started_on) == (
        first.id,
        AssessmentState.DRAFT,
        dt.date(2025, 6, 12),
    )
    assert review.id != first.id
    assert review.answer("child_development", "learning", amelia.id) is not None

    review = rate(review, template, "child_development", "learning", amelia, 4)
    review = rate(review, template, "child_development", "health", zoe, no_issues=True)
    review = rate(review, template, "parenting", "guidance_boundaries", lukasz, 2)
    review = rate(review, template, "parenting", "basic_care_safety", lukasz, 5)

    changes = rating_changes(first, review, template, people)

    assert [(c.step_title, c.element_label, c.before, c.after, c.direction) for c in changes] == [
        (
            "How the child is growing and developing — Amelia",
            "Learning",
            "2 – Significant needs",
            "4 – Minor needs",
            Direction.BETTER,
        ),
        (
            "How the child is growing and developing — Zoë",
            "Health",
            "4 – Minor needs",
            "No issues",
            Direction.BETTER,
        ),
        (
            "Parenting — Łukasz",
            "Basic care and keeping children safe",
            "Not rated",
            "5 – Managing well",
            Direction.FIRST_RATED,
        ),
        (
            "Parenting — Łukasz",
            "Guidance, boundaries and stimulation",
            "3 – Some needs",
            "2 – Significant needs",
            Direction.WORSE,
        ),
    ]


def test_a_draft_cannot_be_reviewed_but_can_be_copied(template: Template, family: Family) -> None:
    draft = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    draft = set_answer(draft, template, Answer(section="reason", element="present", text="Mum"))
    with pytest.raises(ValidationError, match="Complete the assessment before"):
        start_review(draft, on=TODAY)

    copy_ = start_copy(draft, on=TODAY, practitioner="Sam")
    assert (copy_.copied_from, copy_.review_of, copy_.practitioner) == (draft.id, "", "Sam")
    assert copy_.answer("reason", "present") == draft.answer("reason", "present")


def test_copy_onto_a_newer_template_keeps_what_fits(
    template: Template, family: Family, people: list[Person]
) -> None:
    zoe = by_name(people, "Zoë")
    newer_data = template_data()
    newer_data["version"] = 2
    newer_data["sections"] = [s for s in newer_data["sections"] if s["id"] != "reason"]
    newer = parse_template(newer_data)
    old = new_assessment(family.id, template, practitioner="Jo", on=TODAY)
    old = set_answer(old, template, Answer(section="reason", element="present", text="Mum"))
    old = rate(old, template, "child_development", "health", zoe, 3)

    moved = start_copy(old, on=TODAY, template=newer)

    assert moved.template == "fmdesk.whole-family@2"
    assert moved.answer("reason", "present") is None
    assert moved.answer("child_development", "health", zoe.id) is not None


# ---- templates -------------------------------------------------------------------------------


def template_data() -> dict[str, Any]:
    folder = resources.files("fmdesk").joinpath("definitions/templates")
    return json.loads(folder.joinpath("whole-family.json").read_text(encoding="utf-8"))


def broken(change: Any) -> str:
    data = copy.deepcopy(template_data())
    change(data)
    with pytest.raises(ValidationError) as rejected:
        parse_template(data, "council.json")
    return str(rejected.value)


def test_the_default_template_is_valid_and_versioned(template: Template) -> None:
    assert template.ref == "fmdesk.whole-family@1"
    assert find_template("fmdesk.whole-family@1", [template]) is template
    with pytest.raises(ValidationError, match="not loaded on this computer"):
        find_template("fmdesk.whole-family@9", [template])


def test_the_validator_names_a_missing_id() -> None:
    assert broken(lambda d: d.pop("id")) == "council.json: id: missing"


def test_the_validator_names_an_unknown_element_kind() -> None:
    def change(d: dict[str, Any]) -> None:
        d["sections"][3]["elements"][2]["kind"] = "rating"

    assert broken(change) == (
        "council.json: sections[3].elements[2].kind: 'rating' is not a known kind "
        "(one of: text, long_text, yes_no, choice, date, strengths_needs)"
    )


def test_the_validator_names_a_duplicate_element_id() -> None:
    def change(d: dict[str, Any]) -> None:
        d["sections"][3]["elements"][4]["id"] = "health"

    assert broken(change) == (
        "council.json: sections[3].elements[4].id: 'health' is used by another element in "
        "this section"
    )


def test_the_validator_names_a_scope_typo() -> None:
    def change(d: dict[str, Any]) -> None:
        d["sections"][7]["scope"] = "each_chlid"

    message = broken(change)
    assert message.startswith("council.json: sections[7].scope: 'each_chlid' is not a known scope")
    assert "each_child" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(version="1"), "version: expected a whole number"),
        (
            lambda d: d["sections"][0].update(source="assessment"),
            "sections[0].source: a consent section must be 'family_record'",
        ),
        (
            lambda d: d["sections"][2]["elements"][0].update(requird=True),
            "sections[2].elements[0].requird: unknown field",
        ),
        (
            lambda d: d["sections"][2]["elements"][1].update(options=[]),
            "sections[2].elements[1].options: a choice needs at least one option",
        ),
        (
            lambda d: d["sections"][11].update(scope="each_child"),
            "sections[11].scope: an indicators section is once per family",
        ),
        (
            lambda d: d["sections"].append(d["sections"][12]),
            "sections[13].id: 'agencies' is used by another section",
        ),
        (
            lambda d: d["rating_scale"].update(labels=["Bad", "Good"]),
            "rating_scale.labels: expected five",
        ),
        (
            lambda d: d["sections"][2]["elements"][0].update(id="What Led"),
            "sections[2].elements[0].id: 'What Led' is not a valid id",
        ),
    ],
)
def test_the_validator_rejects_other_mistakes(change: Any, expected: str) -> None:
    assert expected in broken(change)


def test_a_council_template_loads_from_any_path(tmp_path: Path) -> None:
    data = template_data()
    data.update(id="wirral.family-caf", version=3, name="Family CAF")
    path = tmp_path / "family-caf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_template(path).ref == "wirral.family-caf@3"

    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"family-caf.json: not valid JSON \(line 1"):
        load_template(path)
