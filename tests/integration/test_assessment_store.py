"""Assessments saved to and read back from a real encrypted store."""

import datetime as dt
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.assessment import (
    AgencyInvolved,
    Answer,
    Assessment,
    AssessmentState,
    at_step,
    complete,
    default_template,
    new_assessment,
    resume_index,
    set_agencies,
    set_answer,
    start_review,
    steps,
    tick_indicator,
)
from fmdesk.errors import ValidationError
from fmdesk.families import Consent, ConsentKind, Family, Person, PersonRole

VIEWS = "Mum says I can go to Łukasz's party.\nI want to go back to football."


def household(store: Store) -> tuple[Family, list[Person], list[Consent]]:
    family = Family(reference="EH-0107", name="Ó Súilleabháin")
    people = [
        Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name="Siobhán",
            family_name="Ó Súilleabháin",
        ),
        Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name="Zoë",
            family_name="Ó Súilleabháin",
            date_of_birth=dt.date(2014, 2, 11),
        ),
    ]
    consents = [
        Consent(
            family_id=family.id,
            kind=ConsentKind.ASSESS,
            person_id=people[0].id,
            given_on=dt.date(2025, 2, 1),
        ),
    ]
    store.save(family, *people, *consents)
    return family, people, consents


def test_a_draft_is_saved_and_resumed_at_its_step(store: Store, store_path: Path) -> None:
    template = default_template()
    family, people, _ = household(store)
    zoe = people[1]
    draft = new_assessment(family.id, template, practitioner="Jo Adeyemi", on=dt.date(2025, 3, 3))
    draft = set_answer(
        draft,
        template,
        Answer(section="child_views", person_id=zoe.id, element="views", text=VIEWS),
    )
    draft = set_answer(
        draft,
        template,
        Answer(
            section="child_development",
            person_id=zoe.id,
            element="learning",
            rating=2,
            needs="Attendance",
        ),
    )
    draft = tick_indicator(draft, "2a", person_id=zoe.id, evidence="School register")
    draft = set_agencies(draft, [AgencyInvolved(agency="CAMHS", worker="Dr Ng")])
    zoes_development = next(s for s in steps(template, people) if s.title.endswith("— Zoë"))
    draft = at_step(draft, zoes_development.key)
    (saved,) = store.save(draft)
    data_key, key_file = store.data_key, store.key_file
    store.close()

    # Closed and opened again from the encrypted file, as after a restart.
    with Store.open_with_key(store_path, data_key, key_file) as reopened:
        loaded = reopened.get(Assessment, draft.id)
        listed = reopened.list(Assessment, family_id=family.id)
        people_back = reopened.list(Person, family_id=family.id)

    assert loaded == saved
    assert listed == [saved]
    assert loaded is not None
    assert loaded.answer("child_views", "views", zoe.id) == Answer(
        section="child_views", person_id=zoe.id, element="views", text=VIEWS
    )
    resumed = steps(template, people_back)[resume_index(steps(template, people_back), loaded)]
    assert resumed.title == "How the child is growing and developing — Zoë"


def test_completed_then_reviewed_through_the_store(store: Store) -> None:
    template = default_template()
    family, people, _ = household(store)
    draft = new_assessment(family.id, template, practitioner="Jo", on=dt.date(2025, 3, 3))
    for step in steps(template, people):
        for element in step.section.elements:
            if element.required:
                draft = set_answer(
                    draft,
                    template,
                    Answer(
                        section=step.section.id,
                        person_id=step.person_id,
                        element=element.id,
                        text="Recorded with the family",
                    ),
                )
    (draft,) = store.save(draft)
    done = complete(
        draft,
        template,
        store.list(Person, family_id=family.id),
        store.list(Consent, family_id=family.id),
        on=dt.date(2025, 3, 14),
        by="Jo",
    )
    (done,) = store.save(done)
    review = start_review(done, on=dt.date(2025, 6, 9))
    store.save(review)

    stored = {a.id: a for a in store.list(Assessment, family_id=family.id)}
    assert stored[done.id].state is AssessmentState.COMPLETED
    assert stored[done.id].completed_by == "Jo"
    assert stored[review.id].review_of == done.id
    assert stored[review.id].state is AssessmentState.DRAFT
    with pytest.raises(ValidationError, match="can no longer be changed"):
        set_answer(
            stored[done.id],
            template,
            Answer(section="analysis", element="analysis", text="Rewritten"),
        )
