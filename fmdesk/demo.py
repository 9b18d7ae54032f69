"""A synthetic caseload for demos, tests and benchmarks (Faker, en_GB). Never real people.

The same seed gives the same caseload, so a benchmark or a screenshot can be repeated.

Beyond the household, each family is attached to the shipped Families Matter framework with the
indicators of need it was identified by; the families being worked with also have a whole-family
assessment, an action plan in the family's words, and the outcome evidence, measures, approvals
and claims that give the caseload a mix of claim statuses. Everything is dated relative to
`today`, so the mix is the same on any day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import random
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from fmdesk.assessment.record import AgencyInvolved, Answer, Assessment, AssessmentState
from fmdesk.assessment.template import default_template
from fmdesk.claims import readiness_by_family, turned_around_on
from fmdesk.errors import ValidationError
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
from fmdesk.outcomes import (
    ClaimStatus,
    EquivalentProgress,
    EvidenceBasis,
    Framework,
    FrameworkLibrary,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.outcomes.dates import add_months
from fmdesk.plans import (
    REVIEW_INTERVAL,
    ActionOwner,
    ActionStatus,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    ProgressNote,
    first_plan,
    new_version,
)
from fmdesk.records import Record
from fmdesk.references import DEMO_CODE, format_reference
from fmdesk.schemas import SchemaName, check
from fmdesk.stars.instrument import Instrument, builtin_instruments
from fmdesk.stars.reading import AreaScore, ReadingStatus, StarReading

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
    families: int,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    practitioner: str = "",
    outcomes: bool = True,
    first_number: int = 1,
) -> Iterator[list[Record]]:
    """Yield one list of records per family: the Family first, then its people, then its other
    records (status changes, consents, notes, Star readings, indicators, measures, assessment,
    plan versions, outcome evidence, approvals and claims), each with the family's id.

    With `outcomes=False` the families are households and histories only: no framework, no
    indicators, assessment, plan or outcome records (for tests that start those from nothing).
    The rest is the same either way. Case references are numbered from `first_number` (so a
    store that already holds demo families gets new references)."""
    # Imported here: Faker takes about a second to import, and the app needs it only for demos.
    from faker import Faker

    today = today or dt.date.today()
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    # The outcomes, assessment and plan draw on a stream of their own, so a seed still gives
    # the households, histories and Star readings it gave before they were added.
    work_fake = Faker("en_GB")
    work_fake.seed_instance(seed)
    work_rng = random.Random(f"work {seed}")
    contacts = _Contacts(work_fake, work_rng)
    for n in range(first_number, first_number + families):
        worker = practitioner or fake.name()
        yield _family(fake, rng, work_rng if outcomes else None, n, today, worker, contacts)


def _family(
    fake: Faker,
    rng: random.Random,
    work_rng: random.Random | None,
    n: int,
    today: dt.date,
    worker: str,
    contacts: _Contacts,
) -> list[Record]:
    surname = fake.last_name()
    identified = today - dt.timedelta(days=rng.randint(20, 700))
    status = rng.choices(
        [*_PATH, FamilyStatus.REFUSED, FamilyStatus.CLOSED], weights=[4, 6, 6, 60, 4, 20]
    )[0]
    family = Family(
        reference=format_reference(identified.year, DEMO_CODE, n),
        name=f"{surname} family",
        status=FamilyStatus.IDENTIFIED,
        intensity=rng.choices(list(Intensity), weights=[2, 5, 3])[0],
        address=fake.street_address().replace("\n", ", "),
        postcode=fake.postcode(),
        lead_practitioner=worker,
        identified_on=identified,
        framework=_families_matter().ref if work_rng is not None else "",
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
    if work_rng is not None:
        records.extend(_beyond_the_household(work_rng, family, people, records, today, contacts))
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
                scores=tuple(_area_score(a, s) for a, s in scores.items()),
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


@functools.cache
def _area_score(area: str, score: int) -> AreaScore:
    # Scores are immutable values; sharing them saves making ~100,000 for a 3,000-family caseload.
    return AreaScore(area=area, score=score)


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


# ---- outcomes, assessment and plan ---------------------------------------------------------------


def _beyond_the_household(
    rng: random.Random,
    family: Family,
    people: Sequence[Person],
    history: Sequence[Record],
    today: dt.date,
    contacts: _Contacts,
) -> list[Record]:
    """The family's outcome records, assessment and plan: the indicators it was identified by
    for every family; for those the keyworker has engaged, the work since."""
    worker = family.lead_practitioner
    identified = family.identified_on or today  # every demo family has its date
    needs = _needs(rng, people, identified)
    identification = _identification(rng, family.id, needs, identified, worker)
    records = list(identification)
    changes = {c.to_status: c.on for c in history if isinstance(c, StatusChange)}
    engaged_on = changes.get(FamilyStatus.ENGAGED)
    if engaged_on is None:
        return records
    closed_on = changes.get(FamilyStatus.CLOSED)
    work = _Work(
        family_id=family.id,
        worker=worker,
        needs=needs,
        adult=people[0],
        engaged_on=engaged_on,
        until=closed_on or today,
        closed_on=closed_on,
        today=today,
    )
    helpers = [contacts.worker(need.agency_for(person)) for need, person in needs]
    consents = [r for r in history if isinstance(r, Consent)]
    readings = [r for r in history if isinstance(r, StarReading)]
    assessment = _assessment(rng, work, people, consents, helpers)
    records.extend([assessment] if assessment else [])
    records.extend(_plan(rng, work, helpers))
    results, all_well = _results(
        rng, work, readings, contacts, family.closure_reason, identification
    )
    records.extend(results)
    # Judging readiness is slow enough to show in the benchmarks, so only families whose
    # every problem went well are judged, and some of those found ready have been claimed.
    claim_chance = 0.8 if closed_on is not None else 0.15
    if all_well and rng.random() < claim_chance:
        records.extend(_claim(rng, family, [*people, *history, *records], work))
    return records


@functools.cache
def _library() -> FrameworkLibrary:
    return FrameworkLibrary.shipped()


@functools.cache
def _families_matter() -> Framework:
    return _library().get("families-matter@2015.1")


@functools.cache
def _template_ref() -> str:
    return default_template().ref


_KEYWORKER_AGENCY = "Families Matter"


class _Contacts:
    """The workers at other agencies, shared across the caseload the way a real area's are: a few
    names per agency, made up as each agency first comes up."""

    def __init__(self, fake: Faker, rng: random.Random) -> None:
        self.fake, self.rng = fake, rng
        self.by_agency: dict[str, list[str]] = {}

    def worker(self, agency: str, few: int = 3) -> tuple[str, str]:
        names = self.by_agency.setdefault(agency, [])
        if len(names) < few:
            # No "Dr" or "Mrs": a plan names the worker as the family knows them.
            names.append(f"{self.fake.first_name()} {self.fake.last_name()}")
            return agency, names[-1]
        return agency, self.rng.choice(names)


@dataclasses.dataclass(frozen=True)
class _Need:
    """One Families Matter problem as a demo family has it: the indicator it was identified by
    and whom it is about, the outcome worked towards, and the plan's goal and actions for it.
    "{child}" and "{adult}" in the words stand for the person's first name."""

    problem: str
    indicator: str
    about: str  # "child", "adult" or "household"
    found_in: str  # where the data match found the indicator
    concern: str  # what the assessment says the worry is
    outcome: str
    evidence_source: str
    evidence_text: str
    goal: str
    family_action: str  # the adult's own action
    agency: str  # "" for the child's school
    agency_action: str
    keyworker_action: str

    def agency_for(self, person: Person | None) -> str:
        if self.agency:
            return self.agency
        return (person.school if person else "") or "Education welfare service"


# The table of needs is data beside the framework it names (one need per problem), with its own
# schema (fmdesk/definitions/schemas/demo-needs.schema.json).
_NEEDS_FILE = ("definitions", "frameworks", "demo", "families-matter-2015.needs.json")


@functools.cache
def _needs_table() -> dict[str, _Need]:
    """The demo's needs by problem code, read from the package once."""
    entry = resources.files("fmdesk").joinpath(*_NEEDS_FILE)
    data = json.loads(entry.read_text(encoding="utf-8"))
    return read_needs(data, source=entry.name, framework=_families_matter())


def read_needs(data: Any, *, source: str, framework: Framework) -> dict[str, _Need]:
    """A table of needs by problem code, checked against its schema, then against the framework
    the demo attaches families to: each problem once, each indicator and outcome one of its
    problem's. Errors name `source` and the place."""
    check(SchemaName.DEMO_NEEDS, data, source=source)
    if data["framework"] != framework.ref:
        raise ValidationError(
            f"{source}: framework: the demo uses {framework.ref}, not {data['framework']!r}"
        )
    fields = [f.name for f in dataclasses.fields(_Need)]
    table: dict[str, _Need] = {}
    for index, raw in enumerate(data["needs"]):
        need = _Need(**{name: raw[name] for name in fields})
        where = f"{source}: needs[{index}]"
        if need.problem in table:
            raise ValidationError(f"{where}.problem: {need.problem!r} is used twice")
        try:
            problem = framework.problem(need.problem)
        except KeyError:
            raise ValidationError(f"{where}.problem: {need.problem!r} is not a problem") from None
        if need.indicator not in {i.code for i in problem.indicators}:
            raise ValidationError(
                f"{where}.indicator: {need.indicator!r} is not an indicator of problem "
                f"{problem.code}"
            )
        if need.outcome not in {o.code for o in problem.outcomes}:
            raise ValidationError(
                f"{where}.outcome: {need.outcome!r} is not an outcome of problem {problem.code}"
            )
        table[need.problem] = need
    return table


# Outcomes a Star reading of 7 or more can evidence (Families Matter accepts Star evidence),
# and the area of our own Star that speaks to each.
_STAR_OUTCOMES = {"3": ("3.2", "behaviour"), "6": ("6.11", "adult-wellbeing")}

_CHILD_VIEWS = [
    "I like it when Mum picks me up from school.",
    "I don't like it when people shout.",
    "I want to play football on Saturdays.",
    "School is OK but I miss my friends from my old school.",
    "I'd like my own room.",
]
_PARENT_VIEWS = [
    "I just want some help getting the mornings sorted.",
    "I'm tired all the time and the kids run rings round me.",
    "We've had a lot of people come and go; I want one person who sticks with us.",
    "I'd like to work again once the youngest is settled.",
    "Things are better than last year but I still worry about money.",
]
# Who asked for help (option ids of the whole-family template's question).
_ASKED_BY = ["family", "school", "health", "police", "housing"]
_PROGRESS_NOTES = [
    "Going well so far.",
    "Missed one week; back on track now.",
    "Booked; waiting for a date.",
    "Started, but needs a reminder text the day before.",
]
_DROPPED_REASONS = [
    "No longer needed",
    "Agreed at a review to try something else",
    "Overtaken by events",
]


def _words(text: str, person: Person | None, adult: Person) -> str:
    return text.format(child=person.given_name if person else "", adult=adult.given_name)


def _needs(
    rng: random.Random, people: Sequence[Person], identified: dt.date
) -> list[tuple[_Need, Person | None]]:
    """The problems the data match found, each with the person it is about: one problem for
    about one family in ten (not eligible), two or three for the rest. Problems about a child
    only come up in families with a child old enough for them."""
    adult = people[0]
    born = {
        p.id: p.date_of_birth
        for p in people
        if p.role is PersonRole.CHILD and p.date_of_birth is not None
    }
    children = [p for p in people if p.id in born]
    at_school = [
        c for c in children if c.school and born[c.id] <= identified - dt.timedelta(days=5 * 365)
    ]
    older = [c for c in children if born[c.id] <= identified - dt.timedelta(days=2 * 365)]
    candidates: list[tuple[_Need, Person | None]] = []
    for need in _needs_table().values():
        if need.about == "household":
            candidates.append((need, None))
        elif need.about == "adult":
            candidates.append((need, adult))
        else:
            pool = at_school if need.problem == "2" else older
            if pool:
                candidates.append((need, rng.choice(pool)))
    count = rng.choices([1, 2, 3], weights=[1, 5, 4])[0]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    return sorted(chosen, key=lambda item: item[0].problem)


def _identification(
    rng: random.Random,
    family_id: str,
    needs: Sequence[tuple[_Need, Person | None]],
    identified: dt.date,
    worker: str,
) -> list[Record]:
    """The indicators of need the family was identified by, and the baseline figures the data
    match brought with them."""
    records: list[Record] = []
    for need, person in needs:
        records.append(
            IndicatorTick(
                family_id=family_id,
                indicator=need.indicator,
                person_id=person.id if person else "",
                on=identified,
                evidence_source=need.found_in,
                recorded_by=worker,
            )
        )
        if need.problem == "1":
            records.append(
                Measure(
                    family_id=family_id,
                    kind=MeasureKind.POLICE_CALLOUTS,
                    stage=MeasureStage.BASELINE,
                    value=rng.randint(3, 9),
                    on=identified,
                    period_start=add_months(identified, -6),
                    source="Police data",
                    recorded_by=worker,
                )
            )
        elif need.problem == "2" and person is not None:
            records.append(
                Measure(
                    family_id=family_id,
                    kind=MeasureKind.ATTENDANCE,
                    stage=MeasureStage.BASELINE,
                    value=rng.randint(62, 88),
                    on=identified,
                    person_id=person.id,
                    source="School census",
                    recorded_by=worker,
                )
            )
        elif need.problem == "4" and person is not None:
            records.append(
                Measure(
                    family_id=family_id,
                    kind=MeasureKind.BENEFITS,
                    stage=MeasureStage.BASELINE,
                    value=1,
                    on=identified,
                    person_id=person.id,
                    detail="uc",
                    source="DWP data",
                    recorded_by=worker,
                )
            )
    return records


@dataclasses.dataclass(frozen=True)
class _Work:
    """The work with one engaged family: who, on what, and over which days."""

    family_id: str
    worker: str
    needs: Sequence[tuple[_Need, Person | None]]
    adult: Person
    engaged_on: dt.date
    until: dt.date  # the day the case closed, or today
    closed_on: dt.date | None
    today: dt.date

    def words(self, text: str, person: Person | None) -> str:
        return _words(text, person, self.adult)

    @property
    def concerns(self) -> str:
        """ "police call-outs to the home, Jay's school attendance and domestic abuse" """
        items = [self.words(need.concern, person) for need, person in self.needs]
        return items[-1] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _assessment(
    rng: random.Random,
    work: _Work,
    people: Sequence[Person],
    consents: Sequence[Consent],
    helpers: Sequence[tuple[str, str]],
) -> Assessment | None:
    """The whole-family assessment: started once consent is in and completed a week to five
    later with everything the template requires (tests check it passes the completion check;
    calling `complete` here would cost the benchmarks' caseload a tenth of its time), or still
    a draft."""
    consented = max((c.given_on for c in consents), default=work.engaged_on)
    started = max(work.engaged_on, consented) + dt.timedelta(days=rng.randint(1, 10))
    if started > work.until:
        return None
    adult = work.adult.given_name
    concerns = work.concerns
    answers = [
        Answer(
            section="reason",
            element="what_led_here",
            text=f"Identified through the Families Matter data match: {concerns}. "
            f"{adult} agreed to work with us.",
        ),
        Answer(section="reason", element="asked_for_by", choice=rng.choice(_ASKED_BY)),
        Answer(section="reason", element="first_visit", date=started),
        Answer(section="reason", element="present", text=f"{adult} and {work.worker}"),
    ]
    done = started + dt.timedelta(days=rng.randint(7, 35))
    if done > work.until:
        return Assessment(
            family_id=work.family_id,
            template=_template_ref(),
            practitioner=work.worker,
            started_on=started,
            answers=tuple(answers),
        )
    for person in people:
        if person.role is PersonRole.CHILD:
            age = person.age(done)
            said = (
                rng.choice(_CHILD_VIEWS)
                if age is not None and age >= 4
                else f"Too young to say; settled and happy with {adult}."
            )
            answers.append(
                Answer(section="child_views", person_id=person.id, element="views", text=said)
            )
        elif person.role is PersonRole.PARENT_CARER:
            answers.append(
                Answer(
                    section="parent_views",
                    person_id=person.id,
                    element="views",
                    text=rng.choice(_PARENT_VIEWS),
                )
            )
    answers.append(
        Answer(
            section="analysis",
            element="analysis",
            text=f"The main worries are {concerns}. {adult} wants things to change and "
            "has family nearby who help.",
        )
    )
    answers.append(
        Answer(
            section="summary_of_need",
            element="summary",
            text=f"Help with {concerns}: one plan, one keyworker.",
        )
    )
    shared: dt.date | None = done + dt.timedelta(days=rng.randint(0, 14))
    if shared is not None and (shared > work.until or rng.random() >= 0.6):
        shared = None
    return Assessment(
        family_id=work.family_id,
        template=_template_ref(),
        practitioner=work.worker,
        started_on=started,
        state=AssessmentState.SHARED if shared else AssessmentState.COMPLETED,
        completed_on=done,
        completed_by=work.worker,
        shared_on=shared,
        answers=tuple(answers),
        agencies=tuple(
            AgencyInvolved(agency=agency, worker=name, person_id=person.id if person else "")
            for (_, person), (agency, name) in zip(work.needs, helpers, strict=True)
        ),
    )


def _plan(rng: random.Random, work: _Work, helpers: Sequence[tuple[str, str]]) -> list[FamilyPlan]:
    """The family action plan: a goal in the family's words for each of the first two problems,
    each with an action for the parent and one for the agency (and, under the first goal, one
    for the keyworker). A review (or, for a closed family, the closing review) some weeks on
    makes a second version, which takes on the third problem if there is one. The latest
    version's action statuses are as they stand at `work.until`; an earlier version's, as
    agreed (all not started)."""
    made_on = min(work.until, work.engaged_on + dt.timedelta(days=rng.randint(3, 21)))
    keyworker = ActionOwner.agency_worker(_KEYWORKER_AGENCY, work.worker)
    goals = [
        _goal(rng, work, need, person, helper, made_on, keyworker if n == 0 else None)
        for n, ((need, person), helper) in enumerate(zip(work.needs[:2], helpers, strict=False))
    ]
    if work.closed_on is not None:
        reviewed_on = work.closed_on
    else:
        reviewed_on = work.until - dt.timedelta(days=rng.randint(0, 110))
    first = first_plan(
        work.family_id,
        made_on=made_on,
        goals=goals,
        next_review=made_on + REVIEW_INTERVAL,
        made_by=work.worker,
    )
    if reviewed_on < made_on + dt.timedelta(weeks=8):
        return [first.replace(goals=_progress(rng, first.goals, made_on, work))]
    now = list(_progress(rng, first.goals, made_on, work))
    if work.closed_on is None:
        now = [_redate(rng, goal, reviewed_on) for goal in now]
    if work.closed_on is None and len(work.needs) > 2:
        need, person = work.needs[2]
        now.append(_goal(rng, work, need, person, helpers[2], reviewed_on, None))
    elif work.closed_on is None and rng.random() < 0.5:
        added = PlanAction(
            what="Check in by phone every Friday",
            owner=keyworker,
            by_when=reviewed_on + dt.timedelta(weeks=rng.randint(2, 8)),
        )
        now[0] = dataclasses.replace(now[0], actions=(*now[0].actions, added))
    review = new_version(
        first,
        made_on=reviewed_on,
        made_at="Closing review" if work.closed_on else rng.choice(["Review", "TAF meeting"]),
        goals=now,
        next_review=None if work.closed_on else reviewed_on + REVIEW_INTERVAL,
    )
    return [first, review]


def _redate(rng: random.Random, goal: PlanGoal, reviewed_on: dt.date) -> PlanGoal:
    """The goal as a review leaves it: actions still open and past their date given a new one."""
    if all(not a.status.is_open or a.by_when >= reviewed_on for a in goal.actions):
        return goal
    return goal.replace(
        actions=tuple(
            a.replace(by_when=reviewed_on + dt.timedelta(weeks=rng.randint(2, 8)))
            if a.status.is_open and a.by_when < reviewed_on
            else a
            for a in goal.actions
        )
    )


def _goal(
    rng: random.Random,
    work: _Work,
    need: _Need,
    person: Person | None,
    helper: tuple[str, str],
    made_on: dt.date,
    keyworker: ActionOwner | None,
) -> PlanGoal:
    """One goal, as agreed on `made_on`: its actions not started, due two to ten weeks on."""
    owners = [
        (need.family_action, ActionOwner.family_member(work.adult.id)),
        (need.agency_action, ActionOwner.agency_worker(*helper)),
    ]
    if keyworker is not None:
        owners.append((need.keyworker_action, keyworker))
    return PlanGoal(
        words=work.words(need.goal, person),
        problems=(need.problem,),
        outcome_measures=(need.outcome,),
        # For the member the need is about (every_problem_and_member); a household need's goal
        # is for the whole family.
        for_people=(person.id,) if person else (),
        actions=tuple(
            PlanAction(
                what=work.words(what, person),
                owner=owner,
                by_when=made_on + dt.timedelta(weeks=rng.randint(2, 10)),
            )
            for what, owner in owners
        ),
    )


def _progress(
    rng: random.Random, goals: Sequence[PlanGoal], made_on: dt.date, work: _Work
) -> tuple[PlanGoal, ...]:
    """The goals with each action's status as it stands at `work.until`: most actions past
    their date done, a few still going or dropped; at closing, nothing is left open."""
    day = work.until
    started = day >= made_on + dt.timedelta(weeks=2)
    updated = []
    for goal in goals:
        actions = []
        for action in goal.actions:
            roll = rng.random()
            if action.by_when <= day:
                status = _DUE[(roll > 0.2) + (roll > 0.9)]
            elif started:
                status = _OPEN[roll < 0.5]
            else:
                status = ActionStatus.NOT_STARTED
            if work.closed_on is not None and status.is_open:
                status = _SHUT[roll < 0.3]
            notes: tuple[ProgressNote, ...] = ()
            if status is ActionStatus.IN_PROGRESS:
                noted = made_on + dt.timedelta(days=rng.randint(0, (day - made_on).days))
                notes = (ProgressNote(on=noted, text=rng.choice(_PROGRESS_NOTES), by=work.worker),)
            actions.append(
                PlanAction(
                    id=action.id,
                    what=action.what,
                    owner=action.owner,
                    by_when=action.by_when,
                    status=status,
                    dropped_reason=rng.choice(_DROPPED_REASONS)
                    if status is ActionStatus.DROPPED
                    else "",
                    notes=notes,
                )
            )
        updated.append(
            PlanGoal(
                id=goal.id,
                words=goal.words,
                problems=goal.problems,
                outcome_measures=goal.outcome_measures,
                for_people=goal.for_people,
                actions=tuple(actions),
            )
        )
    return tuple(updated)


# Indexed by a roll of the dice (rng.choices is slow enough to show in the benchmarks).
_DUE = (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED)  # 2 : 7 : 1
_OPEN = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
_SHUT = (ActionStatus.DONE, ActionStatus.DROPPED)


def _results(
    rng: random.Random,
    work: _Work,
    readings: Sequence[StarReading],
    contacts: _Contacts,
    closure: ClosureReason | None,
    baselines: Sequence[Record],
) -> tuple[list[Record], bool]:
    """What the work has shown so far, problem by problem: outcome evidence (a Star reading of 7
    or more where it counts), police call-out counts since entry, a parent into work, or the
    Head of Service's approval of equivalent progress on school attendance (whose measured
    outcome needs three terms of figures). Families doing well show more, sooner. Also says
    whether every problem went well."""
    if closure is None:
        doing_well = 0.8
    elif closure in (ClosureReason.NEEDS_MET, ClosureReason.STEPPED_DOWN):
        doing_well = 0.95
    else:
        doing_well = 0.45
    fid, worker = work.family_id, work.worker
    # Results start to show a few weeks into the work, and before the case closes.
    span = min((work.until - work.engaged_on).days, 330)
    records: list[Record] = []
    all_well = True
    for need, person in work.needs:
        well = rng.random() < doing_well
        all_well = all_well and well
        starts = work.engaged_on + dt.timedelta(days=int(span * rng.uniform(0.15, 1)))
        if need.problem == "1":
            before = next(
                m.value
                for m in baselines
                if isinstance(m, Measure) and m.kind is MeasureKind.POLICE_CALLOUTS
            )
            records.extend(_callouts_since(rng, work, well, int(before)))
            continue
        if not well or starts > work.until:
            continue
        if need.problem == "2" and person is not None:
            if rng.random() < 0.75:
                records.append(
                    EquivalentProgress(
                        family_id=fid,
                        problem="2",
                        approved_by=contacts.worker("Head of Service", few=1)[1],
                        approver_role="Head of Service",
                        approved_on=starts,
                        reason=f"{person.given_name} attended {rng.randint(86, 90)}% last term, "
                        "up from the census figure; the school's register is on file.",
                        recorded_by=worker,
                    )
                )
            continue
        if need.problem == "4" and person is not None and rng.random() < 0.35:
            records.extend(
                Measure(
                    family_id=fid,
                    kind=kind,
                    value=value,
                    on=starts,
                    person_id=person.id,
                    source="DWP data",
                    recorded_by=worker,
                )
                for kind, value in ((MeasureKind.EMPLOYMENT, 1), (MeasureKind.BENEFITS, 0))
            )
            continue
        star = _STAR_OUTCOMES.get(need.problem)
        high = None
        if star is not None:
            high = next(
                (
                    (r.taken_on, s.score)
                    for r in readings
                    for s in r.scores
                    if s.area == star[1] and s.score is not None and s.score >= 7
                ),
                None,
            )
        if star is not None and high is not None:
            records.append(
                OutcomeEvidence(
                    family_id=fid,
                    outcome=star[0],
                    holds_from=high[0],
                    basis=EvidenceBasis.STAR,
                    star_area=star[1],
                    star_score=high[1],
                    person_id=person.id if person else "",
                    source="Family Progress Star",
                    description=f"A Star reading of {high[1]} in {star[1]}.",
                    recorded_by=worker,
                )
            )
        else:
            records.append(
                OutcomeEvidence(
                    family_id=fid,
                    outcome=need.outcome,
                    holds_from=starts,
                    person_id=person.id if person else "",
                    source=need.evidence_source,
                    description=work.words(need.evidence_text, person),
                    recorded_by=worker,
                )
            )
    return records, all_well


def _callouts_since(rng: random.Random, work: _Work, well: bool, baseline: int) -> list[Measure]:
    """Police call-outs counted over the six months from soon after engagement (or the part of
    them that has passed): down by at least 60% from the baseline when things are going well."""
    start = work.engaged_on + dt.timedelta(days=rng.randint(0, 45))
    end = min(work.today, add_months(start, 6) - dt.timedelta(days=1))
    if (end - start).days < 30:
        return []
    value = (
        rng.randint(0, baseline * 2 // 5) if well else rng.randint((baseline + 1) // 2, baseline)
    )
    return [
        Measure(
            family_id=work.family_id,
            kind=MeasureKind.POLICE_CALLOUTS,
            value=value,
            on=end,
            period_start=start,
            source="Police data",
            recorded_by=work.worker,
        )
    ]


def _claim(
    rng: random.Random, family: Family, records: Sequence[Record], work: _Work
) -> list[OutcomeClaim]:
    """A claim for a family the rules find ready, made a week to three months after it turned
    around (and after it closed, if it has), if that day has come."""
    outcomes = readiness_by_family([family], records, _library(), work.today)[family.id]
    readiness = outcomes.readiness
    turned = turned_around_on(outcomes)
    if readiness is None or readiness.status is not ClaimStatus.READY or turned is None:
        return []
    claimed_on = max(turned, work.closed_on or turned) + dt.timedelta(days=rng.randint(7, 90))
    if claimed_on > work.today:
        return []
    return [
        OutcomeClaim(
            family_id=family.id,
            claimed_on=claimed_on,
            framework=readiness.framework,
            route=readiness.route,
            recorded_by=work.worker,
            notes="Claimed in the quarterly return.",
        )
    ]
