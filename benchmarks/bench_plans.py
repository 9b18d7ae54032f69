"""Print 500 family action plans to PDF and report plans per second.

Run: .venv/bin/python benchmarks/bench_plans.py [--count N] [--seed S]

Each plan is a made-up family (Faker en_GB, seeded, so runs compare) of 2-4 adults and children,
2-4 goals of 3-8 actions, and a team of 2-5 workers: about what a real plan holds. The target in
issue 7 is one plan in 0.3 s or less.
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker

from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import (
    ActionOwner,
    ActionStatus,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    first_plan,
    new_version,
)
from fmdesk.taf import TafMember
from reports.plan import plan_pdf

AGENCIES = [
    ("Hillside Primary School", "Family support worker"),
    ("Riverside Housing", "Housing officer"),
    ("Community health", "School nurse"),
    ("Jobcentre Plus", "Work coach"),
    ("Youth service", "Youth worker"),
    ("Early Help", "Lead practitioner"),
]
GOALS = [
    "We want the children at school every day and on time",
    "A warm, dry home without the damp",
    "Less shouting at home, especially at bedtime",
    "Getting on top of the bills and the rent arrears",
    "Dad back into work by the summer",
    "Mum feeling well enough to get out of the house",
]
ACTIONS = [
    "Set two alarms and lay out the uniform the night before",
    "Meet the family at the school gate on Monday mornings",
    "Book and go to the parenting group on Tuesdays",
    "Inspect the damp and book the repair",
    "Apply for the Warm Home Discount",
    "Go with Mum to the first GP appointment",
    "Agree a payment plan with the council tax team",
    "Look at two job adverts together each week",
    "Try the bedtime chart for four weeks",
]


def make_case(fake: Faker, rng: random.Random) -> tuple[Family, list[Person], FamilyPlan, list]:
    surname = fake.last_name()
    family = Family(
        reference=f"FM-{rng.randint(1, 9999):04d}",
        name=surname,
        status=FamilyStatus.ACTIVE,
        lead_practitioner=fake.name(),
    )
    people = [
        Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name=fake.first_name(),
            family_name=surname,
            relationship="Parent",
        )
    ]
    if rng.random() < 0.4:
        people.append(
            Person(
                family_id=family.id,
                role=PersonRole.OTHER_ADULT,
                given_name=fake.first_name(),
                family_name=fake.last_name(),
                relationship="Partner",
            )
        )
    for _ in range(rng.randint(1, 3)):
        people.append(
            Person(
                family_id=family.id,
                role=PersonRole.CHILD,
                given_name=fake.first_name(),
                family_name=surname,
                date_of_birth=dt.date(rng.randint(2008, 2024), rng.randint(1, 12), 1),
            )
        )
    members = [
        TafMember(family_id=family.id, agency=agency, role=role, name=fake.name())
        for agency, role in rng.sample(AGENCIES, rng.randint(2, 5))
    ]
    start = dt.date(2025, 1, 6) + dt.timedelta(days=rng.randint(0, 200))
    goals = []
    for words in rng.sample(GOALS, rng.randint(2, 4)):
        actions = []
        for what in rng.sample(ACTIONS, rng.randint(3, 8)):
            if rng.random() < 0.5:
                owner = ActionOwner(person_id=rng.choice(people).id)
            else:
                member = rng.choice(members)
                owner = ActionOwner.agency_worker(member.agency, member.name)
            status = rng.choice(list(ActionStatus))
            action = PlanAction(
                what=what,
                owner=owner,
                by_when=start + dt.timedelta(days=rng.randint(7, 84)),
                status=status,
                dropped_reason="No longer needed" if status is ActionStatus.DROPPED else "",
            )
            if rng.random() < 0.3:
                action = action.with_note(start + dt.timedelta(days=14), "Going well so far")
            actions.append(action)
        goals.append(
            PlanGoal(words=words, problems=(str(rng.randint(1, 6)),), actions=tuple(actions))
        )
    plan = new_version(
        first_plan(family.id, made_on=start, goals=goals),
        made_on=start + dt.timedelta(weeks=6),
        made_at="TAF meeting 2",
        next_review=start + dt.timedelta(weeks=18),
    )
    return family, people, plan, members


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    fake = Faker("en_GB")
    fake.seed_instance(args.seed)
    rng = random.Random(args.seed)
    cases = [make_case(fake, rng) for _ in range(args.count)]
    plan_pdf(*cases[0])  # fonts load once; not part of the measure

    times = []
    size = 0
    started = time.perf_counter()
    for family, people, plan, members in cases:
        t0 = time.perf_counter()
        pdf = plan_pdf(family, people, plan, members)
        times.append(time.perf_counter() - t0)
        size += len(pdf)
    total = time.perf_counter() - started

    actions = sum(len(c[2].actions) for c in cases)
    print(f"plans: {args.count} ({actions} actions, {actions / args.count:.1f} a plan)")
    print(f"total: {total:.2f} s   plans per second: {args.count / total:.1f}")
    print(
        f"per plan: median {statistics.median(times) * 1000:.0f} ms, "
        f"95th {sorted(times)[int(0.95 * len(times)) - 1] * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms (target 300 ms)"
    )
    print(f"average PDF: {size / args.count / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
