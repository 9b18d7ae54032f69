"""db/assessments.py on a real encrypted store: the family's list, saving, the read-only rule."""

import dataclasses
import datetime as dt

import pytest

from db.assessments import load_assessment, load_assessments, save_assessment
from db.store import Store
from fmdesk.assessment import (
    Answer,
    AssessmentState,
    complete,
    default_template,
    new_assessment,
    set_answer,
    share_with_family,
    start_review,
    steps,
)
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Consent, ConsentKind, Family, Person, PersonRole


def family_of_two(store: Store) -> tuple[Family, list[Person], list[Consent]]:
    family = Family(reference="FM-2026-0007", name="Kowalczyk family")
    people = [
        Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name="Agnieszka",
            family_name="Kowalczyk",
        ),
        Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name="Zoë",
            family_name="Kowalczyk",
            date_of_birth=dt.date(2015, 6, 1),
        ),
    ]
    consents = [
        Consent(
            family_id=family.id,
            kind=ConsentKind.ASSESS,
            person_id=people[0].id,
            given_on=dt.date(2026, 1, 5),
        )
    ]
    store.save(family, *people, *consents)
    return family, people, consents


def completed(store: Store, family: Family, people: list[Person], consents: list[Consent]):
    template = default_template()
    draft = new_assessment(family.id, template, practitioner="Pat", on=dt.date(2026, 1, 12))
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
                        text="Talked through with the family",
                    ),
                )
    draft = save_assessment(store, draft)
    done = complete(draft, template, people, consents, on=dt.date(2026, 1, 20), by="Pat")
    return save_assessment(store, done)


def test_the_list_is_the_familys_own_newest_first(store: Store) -> None:
    family, _, _ = family_of_two(store)
    other, _, _ = family_of_two(store)
    template = default_template()
    older = save_assessment(
        store, new_assessment(family.id, template, practitioner="Pat", on=dt.date(2025, 3, 1))
    )
    newer = save_assessment(
        store, new_assessment(family.id, template, practitioner="Pat", on=dt.date(2026, 2, 1))
    )
    save_assessment(
        store, new_assessment(other.id, template, practitioner="Pat", on=dt.date(2026, 2, 2))
    )
    store.delete(newer.replace(current_step="reason"))

    assert [a.id for a in load_assessments(store, family.id)] == [older.id]
    assert load_assessment(store, older.id) == older
    with pytest.raises(UserError, match="no longer in this store"):
        load_assessment(store, newer.id)


def test_a_saved_draft_comes_back_with_every_answer(store: Store) -> None:
    family, people, _ = family_of_two(store)
    template = default_template()
    draft = new_assessment(family.id, template, practitioner="Pat", on=dt.date(2026, 1, 12))
    views = "Mum's cooking is the best.\n  I miss Grandad <3"
    draft = set_answer(
        draft,
        template,
        Answer(section="child_views", person_id=people[1].id, element="views", text=views),
    )
    saved = save_assessment(store, draft)
    assert saved.revision
    (loaded,) = load_assessments(store, family.id)
    assert loaded == saved
    assert loaded.answer("child_views", "views", people[1].id).text == views


def test_a_completed_assessment_is_never_overwritten(store: Store) -> None:
    family, people, consents = family_of_two(store)
    done = completed(store, family, people, consents)
    # A stale draft of the same assessment (say a second window) must not undo completion.
    stale = dataclasses.replace(
        done, state=AssessmentState.DRAFT, completed_on=None, completed_by=""
    )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        save_assessment(store, stale)
    assert load_assessment(store, done.id).state is AssessmentState.COMPLETED

    # Saving it unchanged, and recording that it was shared, are both fine.
    save_assessment(store, done)
    shared = save_assessment(store, share_with_family(done, on=dt.date(2026, 1, 21)))
    assert load_assessment(store, done.id).shared_on == dt.date(2026, 1, 21)
    assert shared.state is AssessmentState.SHARED

    review = save_assessment(store, start_review(shared, on=dt.date(2026, 4, 1)))
    listed = load_assessments(store, family.id)
    assert [a.id for a in listed] == [review.id, done.id]
    assert listed[0].review_of == done.id
