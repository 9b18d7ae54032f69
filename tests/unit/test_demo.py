"""The synthetic caseload: repeatable from its seed, varied households, histories that are true
to each family's status."""

import collections
import datetime as dt
from typing import Any

from fmdesk.demo import demo_caseload
from fmdesk.families import (
    CaseNote,
    Consent,
    ConsentKind,
    Family,
    FamilyStatus,
    Person,
    PersonRole,
    StatusChange,
    change_status,
)
from fmdesk.records import Record

TODAY = dt.date(2025, 3, 3)


def caseload(count: int, seed: int) -> list[list[Record]]:
    return list(demo_caseload(count, seed=seed, today=TODAY, practitioner="Zoë Fairweather"))


def without_ids(families: list[list[Record]]) -> list[list[dict[str, Any]]]:
    """The records' contents, with their random UUIDs replaced by their order of appearance."""
    names: dict[str, str] = {}
    out = []
    for records in families:
        rows = []
        for record in records:
            plain = record.to_dict()
            for key in ("id", "family_id", "person_id"):
                if plain.get(key):
                    plain[key] = names.setdefault(plain[key], f"#{len(names)}")
            rows.append(plain)
        out.append(rows)
    return out


def test_the_same_seed_gives_the_same_families() -> None:
    assert without_ids(caseload(25, seed=7)) == without_ids(caseload(25, seed=7))
    assert without_ids(caseload(25, seed=7)) != without_ids(caseload(25, seed=8))


def test_each_family_comes_first_and_owns_its_records() -> None:
    families = caseload(60, seed=3)
    assert len(families) == 60
    references = [records[0].reference for records in families if isinstance(records[0], Family)]
    assert len(set(references)) == 60
    for family, *rest in families:
        assert {r.family_id for r in rest} == {family.id}
        assert family.lead_practitioner == "Zoë Fairweather"


def test_households_have_one_to_eight_people_of_mixed_ages() -> None:
    sizes = collections.Counter()
    child_ages: set[int] = set()
    for family, *rest in caseload(300, seed=11):
        household = [p for p in rest if isinstance(p, Person) and p.in_household]
        sizes[len(household)] += 1
        carers = [p for p in household if p.role is PersonRole.PARENT_CARER]
        assert carers, f"{family.reference} has no parent or carer"
        for carer in carers:
            assert 18 <= carer.age(TODAY) <= 56
        for child in (p for p in household if p.role is PersonRole.CHILD):
            age = child.age(TODAY)
            assert age is not None
            assert 0 <= age <= 17
            child_ages.add(age)
    assert set(sizes) == set(range(1, 9))
    assert {0, 5, 10, 15} <= child_ages  # babies, primary and secondary school ages


def test_each_status_history_replays_to_the_family_s_status() -> None:
    statuses = collections.Counter()
    for family, *rest in caseload(200, seed=5):
        statuses[family.status] += 1
        changes = [r for r in rest if isinstance(r, StatusChange)]
        assert [c.on for c in changes] == sorted(c.on for c in changes)
        replayed = Family(reference=family.reference, name=family.name, id=family.id)
        for c in changes:
            replayed, _ = change_status(
                replayed, c.to_status, on=c.on, closure_reason=c.closure_reason
            )
        assert replayed.status is family.status
        assert replayed.closure_reason == family.closure_reason
        assert all(c.on <= TODAY for c in changes)
    assert set(statuses) == set(FamilyStatus)


def test_only_engaged_families_have_consent_and_notes() -> None:
    for family, *rest in caseload(200, seed=9):
        consents = [r for r in rest if isinstance(r, Consent)]
        notes = [r for r in rest if isinstance(r, CaseNote)]
        engaged = family.status in (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE, FamilyStatus.CLOSED)
        if engaged:
            assert {c.kind for c in consents} == set(ConsentKind)
            assert 1 <= len(notes) <= 12
            assert all(family.identified_on <= n.on <= TODAY for n in notes)
        else:
            assert consents == []
            assert notes == []


def test_engaged_families_have_star_readings_after_engagement_and_never_after_closing() -> None:
    from fmdesk.stars import StarReading

    with_readings = 0
    for _family, *rest in caseload(80, seed=5):
        readings = [r for r in rest if isinstance(r, StarReading)]
        engaged = [c.on for c in rest if isinstance(c, StatusChange)
                   and c.to_status is FamilyStatus.ENGAGED]
        if not engaged:
            assert readings == []
            continue
        with_readings += bool(readings)
        closed = [c.on for c in rest if isinstance(c, StatusChange)
                  and c.to_status is FamilyStatus.CLOSED]
        for reading in readings:
            assert reading.is_completed
            assert engaged[0] < reading.taken_on <= (closed[0] if closed else TODAY)
            assert all(1 <= s.score <= 10 for s in reading.scores)
    assert with_readings > 20
