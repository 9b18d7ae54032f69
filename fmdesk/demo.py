"""A synthetic caseload for demos, tests and benchmarks (Faker, en_GB). Never real people.

The same seed gives the same caseload, so a benchmark or a screenshot can be repeated.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmdesk.families import (
    CaseNote,
    ClosureReason,
    Consent,
    ConsentKind,
    ContactType,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.records import Record
from fmdesk.stars import AreaScore, Instrument, ReadingStatus, StarReading, builtin_instruments

if TYPE_CHECKING:
    from faker import Faker

DEMO_PASSPHRASE = "demo caseload only"

_PATH = [FamilyStatus.IDENTIFIED, FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED, FamilyStatus.ACTIVE]
_NOTES = [
    "Visited at home. Mum says mornings are still hard; agreed to try the new bedtime routine.",
    "Called school: attendance up this half-term. Will share at the next TAF.",
    "Dad attended the job club for the first time and wants help with his CV.",
    "Family did not answer at the agreed time. Left a card and texted to rebook.",
    "Joint visit with the school nurse about the youngest's sleep and diet.",
    "Talked through the rent arrears letter; referred to the money advice service.",
    "Eldest was calmer today and showed me his football medal.",
    "Reviewed the plan together; two actions done, one moved to next month.",
]
_SCHOOLS = [
    "Oakfield Primary",
    "St Mary's C of E Primary",
    "Riverside Academy",
    "Hillcrest School",
    "Northgate Infant School",
    "Brookside College",
]


def demo_caseload(
    families: int, *, seed: int = 1, today: dt.date | None = None, practitioner: str = ""
) -> Iterator[list[Record]]:
    """Yield one list of records per family: the Family first, then its people, consents,
    notes and status changes."""
    # Imported here: Faker takes about a second to import, and the app needs it only for demos.
    from faker import Faker

    today = today or dt.date.today()
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    for n in range(1, families + 1):
        yield _family(fake, rng, n, today, practitioner or fake.name())


def _family(fake: Faker, rng: random.Random, n: int, today: dt.date, worker: str) -> list[Record]:
    surname = fake.last_name()
    identified = today - dt.timedelta(days=rng.randint(20, 700))
    status = rng.choices(
        [*_PATH, FamilyStatus.REFUSED, FamilyStatus.CLOSED], weights=[4, 6, 6, 60, 4, 20]
    )[0]
    family = Family(
        reference=f"FM-{identified.year}-{n:04d}",
        name=f"{surname} family",
        status=FamilyStatus.IDENTIFIED,
        intensity=rng.choices(list(Intensity), weights=[2, 5, 3])[0],
        address=fake.street_address().replace("\n", ", "),
        postcode=fake.postcode(),
        lead_practitioner=worker,
        identified_on=identified,
    )
    records: list[Record] = []
    # Walk the family along its path so the status history is true to the status.
    on = identified
    path = _PATH if status is not FamilyStatus.REFUSED else [*_PATH[:2], FamilyStatus.REFUSED]
    if status in (FamilyStatus.ACTIVE, FamilyStatus.CLOSED):
        path = _PATH
    else:
        path = path[: path.index(status) + 1]
    for to in path[1:]:
        on = min(today, on + dt.timedelta(days=rng.randint(3, 30)))
        records.append(
            StatusChange(
                family_id=family.id, on=on, from_status=family.status, to_status=to, by=worker
            )
        )
        family = family.replace(status=to)
    if status is FamilyStatus.CLOSED:
        on = min(today, on + dt.timedelta(days=rng.randint(60, 300)))
        reason = rng.choice(list(ClosureReason))
        records.append(
            StatusChange(
                family_id=family.id,
                on=on,
                from_status=family.status,
                to_status=status,
                closure_reason=reason,
                by=worker,
            )
        )
        family = family.replace(status=status, closure_reason=reason)

    people = _household(fake, rng, family.id, surname, today)
    engaged = family.status in (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE, FamilyStatus.CLOSED)
    if engaged:
        carer = next((p for p in people if p.role is PersonRole.PARENT_CARER), people[0])
        given = identified + dt.timedelta(days=rng.randint(5, 25))
        records.extend(
            Consent(
                family_id=family.id,
                kind=kind,
                person_id=carer.id,
                given_on=min(given, today),
                recorded_by=worker,
            )
            for kind in ConsentKind
        )
        for _ in range(rng.randint(1, 12)):
            records.append(
                CaseNote(
                    family_id=family.id,
                    on=today - dt.timedelta(days=rng.randint(0, (today - identified).days)),
                    contact=rng.choice(list(ContactType)),
                    text=rng.choice(_NOTES),
                    minutes=rng.choice([15, 30, 45, 60, 90]),
                    author=worker,
                )
            )
    engaged_on = next(
        (
            c.on
            for c in records
            if isinstance(c, StatusChange) and c.to_status is FamilyStatus.ENGAGED
        ),
        None,
    )
    if engaged_on is not None:
        closed_on = on if family.status is FamilyStatus.CLOSED else today
        records.extend(_star_readings(rng, family.id, engaged_on, closed_on, worker))
    if family.status not in (FamilyStatus.CLOSED, FamilyStatus.REFUSED):
        family = family.replace(
            next_action=rng.choice(["Home visit", "TAF meeting", "Star review", "Call school"]),
            next_action_due=today + dt.timedelta(days=rng.randint(-10, 40)),
        )
    return [family, *people, *records]


@functools.cache
def _our_star() -> Instrument:
    return next(i for i in builtin_instruments() if i.id == "family-progress-star")


def _star_readings(
    rng: random.Random, family_id: str, engaged_on: dt.date, until: dt.date, worker: str
) -> list[StarReading]:
    """Completed readings of our own Star: the first within a month of engagement, then about
    every twelve weeks, scores drifting upwards; about one family in six has let them lapse,
    so the caseload's Star column shows some overdue."""
    instrument = _our_star()
    lapsed = rng.random() < 0.16
    scores = {area.id: rng.randint(2, 6) for area in instrument.areas}
    taken = engaged_on + dt.timedelta(days=rng.randint(5, 26))
    readings = []
    while taken <= until:
        readings.append(
            StarReading(
                family_id=family_id,
                instrument=instrument.ref,
                taken_on=taken,
                scores=tuple(AreaScore(area=a, score=s) for a, s in scores.items()),
                status=ReadingStatus.COMPLETED,
                taken_by=worker,
            )
        )
        if lapsed and len(readings) >= 1 and rng.random() < 0.6:
            break
        scores = {
            a: max(
                instrument.scale_min, min(instrument.scale_max, s + rng.choice([-1, 0, 1, 1, 2]))
            )
            for a, s in scores.items()
        }
        taken += dt.timedelta(days=rng.randint(60, 84))
    return readings


def _household(
    fake: Faker, rng: random.Random, family_id: str, surname: str, today: dt.date
) -> list[Person]:
    size = rng.choices(range(1, 9), weights=[3, 10, 20, 25, 20, 12, 6, 4])[0]
    adults = 1 if size <= 2 else rng.choice([1, 2, 2])
    people: list[Person] = []
    for i in range(adults):
        female = i == 0 or rng.random() < 0.3
        people.append(
            Person(
                family_id=family_id,
                role=PersonRole.PARENT_CARER,
                given_name=fake.first_name_female() if female else fake.first_name_male(),
                family_name=surname,
                # Relative to `today`, like the children's, so a caseload made for a given day
                # never has a parent younger than 19 on that day.
                date_of_birth=fake.date_between(
                    today - dt.timedelta(days=55 * 365), today - dt.timedelta(days=19 * 366)
                ),
                gender="Female" if female else "Male",
                relationship="Mother" if female else "Father",
                parental_responsibility=True,
                language=rng.choices(["English", "Polish", "Urdu", "Somali"], [85, 6, 5, 4])[0],
            )
        )
    for _ in range(size - adults):
        female = rng.random() < 0.5
        age_days = rng.randint(30, 17 * 365)
        people.append(
            Person(
                family_id=family_id,
                role=PersonRole.CHILD,
                given_name=fake.first_name_female() if female else fake.first_name_male(),
                family_name=surname,
                date_of_birth=today - dt.timedelta(days=age_days),
                gender="Female" if female else "Male",
                relationship="Daughter" if female else "Son",
                school=rng.choice(_SCHOOLS) if age_days > 4 * 365 else "",
            )
        )
    if rng.random() < 0.3:
        people.append(
            Person(
                family_id=family_id,
                role=PersonRole.SIGNIFICANT_ADULT,
                given_name=fake.first_name_female(),
                family_name=fake.last_name(),
                relationship="Grandmother",
            )
        )
    return people
