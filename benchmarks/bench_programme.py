"""The coordinator's speed figures (issue 9): the dashboard over 3,000 families and 100
practitioners in 1 s or less; a CSV of 3,000 identified families imported in 10 s or less.

Run: .venv/bin/python benchmarks/bench_programme.py [--families N] [--practitioners N]

The programme is made up (seeded, so runs compare): each family has 2-5 people, a status history,
indicators under 2-3 Families Matter problems, evidence for some outcomes, two Star readings for
half of them, and a claim for some. It is written to a real encrypted store; the dashboard is
timed twice: reading the store and working out the figures, and the figures alone.
"""

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker

from db import programme
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import (
    ClosureReason,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.outcomes import IndicatorTick, OutcomeClaim, OutcomeEvidence
from fmdesk.programme import build_dashboard
from fmdesk.records import Record
from fmdesk.roles import Role
from fmdesk.stars import AreaScore, InstrumentCatalogue, ReadingStatus, StarReading

TODAY = dt.date(2026, 1, 15)
FM = "families-matter@2015.1"
AREAS = (
    "health",
    "adult-wellbeing",
    "childrens-feelings",
    "safety",
    "support-network",
    "learning",
    "behaviour",
    "routine",
    "home-money",
    "work",
)
PATH = [FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED, FamilyStatus.ACTIVE]
EVIDENCE_OUTCOMES = {"3": "3.1", "4": "4.2", "5": "5.2", "6": "6.1"}


def made_up_programme(families: int, practitioners: int, seed: int = 9) -> list[Record]:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    workers = [f"store-{n:03d}" for n in range(practitioners)]
    records: list[Record] = []
    for n in range(families):
        identified = TODAY - dt.timedelta(days=rng.randint(10, 900))
        worker = rng.choice(workers)
        steps = rng.choice([0, 1, 2, 3, 3, 3, 4])
        status = FamilyStatus.IDENTIFIED if steps == 0 else PATH[min(steps, 3) - 1]
        closure = None
        if steps == 4:
            status = FamilyStatus.CLOSED
            closure = rng.choice(list(ClosureReason))
        family = Family(
            reference=f"P-{n:05d}",
            name=f"{fake.last_name()} family",
            identified_on=identified,
            status=status,
            closure_reason=closure,
            intensity=rng.choice(list(Intensity)),
            allocated_to=worker if steps else "",
            lead_practitioner=worker if steps else "",
            framework=FM,
        )
        records.append(family)
        on, current = identified, FamilyStatus.IDENTIFIED
        for to in PATH[: min(steps, 3)] + ([FamilyStatus.CLOSED] if closure else []):
            on = min(TODAY, on + dt.timedelta(days=rng.randint(3, 60)))
            records.append(
                StatusChange(
                    family_id=family.id,
                    on=on,
                    from_status=current,
                    to_status=to,
                    closure_reason=closure if to is FamilyStatus.CLOSED else None,
                )
            )
            current = to
        records.append(
            Person(
                family_id=family.id,
                role=PersonRole.PARENT_CARER,
                given_name=fake.first_name(),
                family_name="X",
            )
        )
        for _ in range(rng.randint(1, 4)):
            records.append(
                Person(
                    family_id=family.id,
                    role=PersonRole.CHILD,
                    given_name=fake.first_name(),
                    family_name="X",
                )
            )
        problems = rng.sample(sorted(EVIDENCE_OUTCOMES), rng.randint(2, 3))
        for problem in problems:
            records.append(
                IndicatorTick(family_id=family.id, indicator=f"{problem}A", on=identified)
            )
            if rng.random() < 0.6:
                records.append(
                    OutcomeEvidence(
                        family_id=family.id,
                        outcome=EVIDENCE_OUTCOMES[problem],
                        holds_from=identified + dt.timedelta(days=rng.randint(30, 300)),
                        source="Keyworker report",
                        recorded_by=worker,
                    )
                )
        if steps >= 2 and rng.random() < 0.5:
            first = identified + dt.timedelta(days=20)
            for taken in (first, first + dt.timedelta(days=90)):
                records.append(
                    StarReading(
                        family_id=family.id,
                        instrument="family-progress-star@1",
                        taken_on=taken,
                        status=ReadingStatus.COMPLETED,
                        scores=tuple(AreaScore(area=a, score=rng.randint(1, 10)) for a in AREAS),
                    )
                )
        if steps == 4 and rng.random() < 0.3:
            records.append(
                OutcomeClaim(
                    family_id=family.id, claimed_on=TODAY - dt.timedelta(days=rng.randint(1, 300))
                )
            )
    return records


def identified_csv(families: int, seed: int = 11) -> bytes:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    lines = [
        "family_key,address,postcode,role,given_name,surname,date_of_birth,"
        "attendance_percent,term_end,asb_incidents,period_start,period_end,"
        "out_of_work_benefits,benefit,benefits_on"
    ]
    for n in range(families):
        surname = fake.last_name()
        address = fake.street_address().replace("\n", " ").replace(",", " ")
        postcode = fake.postcode()
        lines.append(
            f"K-{n:05d},{address},{postcode},parent,{fake.first_name()},{surname},"
            f"{fake.date_of_birth(minimum_age=22, maximum_age=50)},,,,,,yes,uc,"
            "2025-03-01"
        )
        for _ in range(rng.randint(1, 3)):
            lines.append(
                f"K-{n:05d},,,child,{fake.first_name()},{surname},"
                f"{fake.date_of_birth(minimum_age=5, maximum_age=16)},"
                f"{rng.randint(40, 100)},2025-03-31,{rng.randint(0, 6)},2024-10-01,"
                "2025-03-31,,,"
            )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def timed(what: str, fn, limit: float) -> float:
    started = time.perf_counter()
    fn()
    took = time.perf_counter() - started
    verdict = "ok" if took <= limit else "OVER"
    print(f"{what:<58} {took:6.2f} s  (target {limit:g} s: {verdict})", flush=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--practitioners", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.create(
            Path(folder) / "programme",
            "benchmark passphrase here",
            role=Role.COORDINATOR,
            name="Central",
            kdf=KdfParams.fast(),
        )
        records = made_up_programme(args.families, args.practitioners)
        started = time.perf_counter()
        store.save(*records)
        print(
            f"made {args.families} families ({len(records)} records) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

        board = {}
        timed(
            "dashboard, first open: read the store, judge every family",
            lambda: board.setdefault("b", programme.load_dashboard(store, TODAY)),
            1.0,
        )
        timed(
            "dashboard, opened again (nothing changed)",
            lambda: programme.load_dashboard(store, TODAY),
            1.0,
        )
        # The app's order: the caseload's claim column judges every family just after unlocking
        # (db.programme.claim_status_by_family), so the dashboard opened afterwards finds it.
        programme.forget_programme_cache(store)
        programme.claim_status_by_family(store, TODAY)
        timed(
            "dashboard opened after the caseload's claim column filled",
            lambda: programme.load_dashboard(store, TODAY),
            1.0,
        )
        family = store.list(Family)[0]
        store.save(family.replace(next_action="Phone school"))
        timed(
            "dashboard, opened again after a family changed",
            lambda: programme.load_dashboard(store, TODAY),
            1.0,
        )
        loaded = programme.load_programme(store, TODAY)
        instruments = InstrumentCatalogue()
        timed(
            "dashboard: the figures alone, from the judged families",
            lambda: build_dashboard(loaded, today=TODAY, instruments=instruments),
            1.0,
        )
        year = board["b"].section("to_date").figures
        print("  to date: " + ", ".join(f"{f.label.lower()} {f.value}" for f in year))

        data = identified_csv(args.families)
        checked = {}

        def check_and_import() -> None:
            checked["c"] = programme.preview_identified_csv(store, data, today=TODAY)
            programme.import_identified(store, checked["c"])

        timed(
            f"CSV: check and import {args.families} families ({len(data) // 1024} KB)",
            check_and_import,
            10.0,
        )
        print(f"  {checked['c'].summary()}")
        store.close()


if __name__ == "__main__":
    main()
