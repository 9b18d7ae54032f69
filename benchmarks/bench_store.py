"""The encrypted store against the same code with encryption off, on a demo caseload.

Run: .venv/bin/python benchmarks/bench_store.py [--families N] [--seed S] [--runs R]

Figures (issue 2): unlock, listing every family (`db.families.load_caseload`, what the caseload
screen shows), insert throughput and read throughput, each on an encrypted store (real Argon2id
settings) and on a plain one (`Store.create(..., encrypted=False)`), with the ratio.
Targets: listing 3,000 families in 0.3 s or less; encrypted/plain ratio 1.3 or less.

Every timed read starts from a freshly opened store (SQLCipher's page cache empty, the
operating system's file cache warm), as the first screen after unlocking does. Each figure is
the median of several runs.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.families import load_caseload
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.caseload import caseload_rows
from fmdesk.demo import demo_caseload
from fmdesk.families import CaseNote, Family, Person
from fmdesk.records import Record
from fmdesk.roles import Role

PASSPHRASE = "benchmark caseload passphrase only"
LIST_TARGET_S = 0.3
RATIO_TARGET = 1.3


def median_time(
    runs: int, job: Callable[[], object], setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Side:
    """One store (encrypted or plain) and the figures measured on it."""

    def __init__(self, folder: Path, encrypted: bool) -> None:
        self.path = folder / ("encrypted" if encrypted else "plain")
        self.encrypted = encrypted
        self.figures: dict[str, float] = {}
        store = Store.create(
            self.path,
            PASSPHRASE,
            role=Role.COORDINATOR,
            name="Bench",
            kdf=KdfParams(),
            encrypted=encrypted,
        )
        self.key = store._data_key  # to reopen without paying Argon2id on every read run
        self.keys = store._keys
        store.close()

    def open(self) -> Store:
        if self.encrypted:
            return Store.open_with_key(self.path, self.key, self.keys)
        return Store.open(self.path)


def measure_inserts(
    side: Side, families: list[list[Record]], per_family: list[list[Record]]
) -> None:
    records = sum(len(f) for f in families)
    store = side.open()
    try:
        started = time.perf_counter()
        with store.transaction():
            for batch in families:
                store.save(*batch)
        side.figures["insert, one transaction (records/s)"] = records / (
            time.perf_counter() - started
        )
        # As the app saves: one transaction (and one commit) for each family.
        count = sum(len(f) for f in per_family)
        started = time.perf_counter()
        for batch in per_family:
            store.save(*batch)
        side.figures["insert, a transaction a family (records/s)"] = count / (
            time.perf_counter() - started
        )
    finally:
        store.close()
    side.figures["file size (MB)"] = (side.path / "fmdesk.db").stat().st_size / 1e6


def measure_reads(side: Side, runs: int, ids: list[str]) -> None:
    holder: dict[str, Store] = {}

    def fresh() -> None:
        if "store" in holder:
            holder["store"].close()
        holder["store"] = side.open()

    side.figures["list every family (s)"] = median_time(
        runs, lambda: load_caseload(holder["store"]), fresh
    )
    side.figures["read by id (records/s)"] = len(ids) / median_time(
        runs, lambda: [holder["store"].get(Person, i) for i in ids], fresh
    )
    people = median_time(runs, lambda: holder["store"].list(Person), fresh)
    side.figures["read every person (records/s)"] = holder["store"].count(Person) / people
    holder["store"].close()

    if side.encrypted:
        side.figures["unlock: Argon2id + open (s)"] = median_time(
            runs, lambda: Store.open(side.path, PASSPHRASE).close()
        )
    else:
        side.figures["unlock: Argon2id + open (s)"] = median_time(
            runs, lambda: Store.open(side.path).close()
        )
    side.figures["open with the key, no Argon2id (s)"] = median_time(
        runs, lambda: side.open().close()
    )


def explain_listing(side: Side) -> None:
    """Where the listing's time goes: the SQL read, JSON parsing, building records, the rows."""
    store = side.open()
    try:
        started = time.perf_counter()
        bodies = {
            cls: [
                b
                for (b,) in store.db.execute(
                    "SELECT body FROM records WHERE kind = ? AND deleted = 0", [cls.KIND]
                )
            ]
            for cls in (Family, Person, CaseNote)
        }
        read = time.perf_counter()
        plain = {cls: [json.loads(b) for b in rows] for cls, rows in bodies.items()}
        parsed = time.perf_counter()
        objects = {cls: [cls.from_dict(d) for d in rows] for cls, rows in plain.items()}
        built = time.perf_counter()
        caseload_rows(objects[Family], objects[Person], objects[CaseNote])
        done = time.perf_counter()
    finally:
        store.close()
    counts = ", ".join(f"{len(v):,} {k.KIND}" for k, v in bodies.items())
    print(f"\n  Where listing goes ({'encrypted' if side.encrypted else 'plain'}; {counts}):")
    print(f"    SQL read of the JSON documents  {read - started:7.3f} s")
    print(f"    json.loads                      {parsed - read:7.3f} s")
    print(f"    Record.from_dict (typed check)  {built - parsed:7.3f} s")
    print(f"    caseload_rows                   {done - built:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print(f"Making {args.families:,} demo families (seed {args.seed})...", flush=True)
    families = list(demo_caseload(args.families, seed=args.seed, practitioner="Bench"))
    extra = list(demo_caseload(200, seed=args.seed + 1, practitioner="Bench"))
    rng = random.Random(args.seed)
    ids = [r.id for f in rng.sample(families, min(500, len(families))) for r in f[1:2]]

    with tempfile.TemporaryDirectory(prefix="fmdesk-bench-") as folder:
        sides = [Side(Path(folder), encrypted=True), Side(Path(folder), encrypted=False)]
        for side in sides:
            print(
                f"Measuring the {'encrypted' if side.encrypted else 'plain'} store...", flush=True
            )
            measure_inserts(side, families, extra)
            measure_reads(side, args.runs, ids)
        encrypted, plain = sides
        total = sum(len(f) for f in [*families, *extra])
        print(
            f"\n  {args.families + len(extra):,} families, {total:,} records in each store; "
            f"median of {args.runs} runs; throughput: higher is better.\n"
        )
        print(f"  {'figure':<42} {'encrypted':>11} {'plain':>11} {'ratio':>7}")
        for name, value in encrypted.figures.items():
            other = plain.figures[name]
            # The ratio is always "how much worse encrypted is": cost over cost.
            ratio = other / value if "/s)" in name else value / other
            flag = ""
            if name.startswith("list") and value > LIST_TARGET_S:
                flag = f"  over the {LIST_TARGET_S} s target"
            elif ratio > RATIO_TARGET and not name.startswith(("unlock", "file")):
                flag = f"  ratio over {RATIO_TARGET}"
            print(f"  {name:<42} {value:>11.3f} {other:>11.3f} {ratio:>7.2f}{flag}")
        print(
            "\n  Unlock's ratio compares Argon2id against no key at all; the open without "
            "Argon2id is the like-for-like figure."
        )
        explain_listing(encrypted)


if __name__ == "__main__":
    main()
