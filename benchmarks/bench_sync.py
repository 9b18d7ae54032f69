"""Sync speed (issue 8): a practitioner's export, and a coordinator importing a council's bundles.

Run: .venv/bin/python benchmarks/bench_sync.py [--families N] [--bundles B] [--runs R]

Figures:
- export: the first bundle of a 45-family practitioner store (every record in it), the median
  of several runs. Target: 1 s or less.
- import: a fresh coordinator store importing B bundles (default 70, one per practitioner)
  holding N families between them (default 3,000), in records per second, on an encrypted
  store and on a plain one (`Store.create(..., encrypted=False)`), with the ratio.
  Target: 10,000 records/s or more, encrypted.
Bundles are made once, up front, from the synthetic caseload (fmdesk.demo); making them is not
timed. Store creation uses cheap key derivation, since unlocking is not what is measured here.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import sync
from db.families import add_demo_families
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.demo import demo_caseload
from fmdesk.hlc import Clock
from fmdesk.roles import Role
from fmdesk.sync.authority import COORDINATOR_KINDS
from fmdesk.sync.bundle import Change, write_bundle
from fmdesk.sync.identity import StoreIdentity

PASSPHRASE = "benchmark sync passphrase only"
EXPORT_TARGET_S = 1.0
IMPORT_TARGET = 10_000


def new_store(path: Path, role: Role, *, encrypted: bool = True) -> Store:
    return Store.create(
        path, PASSPHRASE, role=role, name=path.name, kdf=KdfParams.fast(), encrypted=encrypted
    )


def measure_export(folder: Path, families: int, runs: int) -> tuple[float, int, int]:
    """(median seconds, records, bytes) for a practitioner's first, full export."""
    practitioner = new_store(folder / "practitioner", Role.PRACTITIONER)
    coordinator = new_store(folder / "coordinator-for-export", Role.COORDINATOR)
    try:
        add_demo_families(practitioner, families, seed=3)
        sync.enrol(practitioner, sync.identity(coordinator).enrolment)
        partner = coordinator.info.store_id
        times = []
        for run in range(runs):
            path = folder / f"export-{run}.fmb"
            started = time.perf_counter()
            result = sync.export_bundle(practitioner, partner, path)
            times.append(time.perf_counter() - started)
        return statistics.median(times), result.changes, path.stat().st_size
    finally:
        practitioner.close()
        coordinator.close()


def make_bundles(
    folder: Path, coordinator: StoreIdentity, families: int, bundles: int
) -> tuple[list[StoreIdentity], list[Path], int]:
    """B practitioners' first bundles to `coordinator`, sharing N families between them."""
    practitioners = [
        StoreIdentity.generate(
            store_id=f"practitioner-{n:03d}", role=Role.PRACTITIONER, name=f"Keyworker {n}"
        )
        for n in range(bundles)
    ]
    caseload = list(demo_caseload(families, seed=5, practitioner="Bench"))
    paths, total = [], 0
    for n, practitioner in enumerate(practitioners):
        clock = Clock(f"p{n:03d}")
        changes = [
            Change.from_record(record.replace(revision=clock.now()))
            for family in caseload[n::bundles]
            for record in family
            if record.KIND not in COORDINATOR_KINDS  # the demo's claims: a practitioner sends none
        ]
        total += len(changes)
        path = folder / f"bundle-{n:03d}.fmb"
        write_bundle(
            path,
            sender=practitioner,
            recipient=coordinator.enrolment,
            changes=changes,
            sequence=1,
            previous_sequence=0,
            acknowledged_up_to=0,
        )
        paths.append(path)
    return practitioners, paths, total


def measure_import(
    folder: Path, families: int, bundles: int, *, encrypted: bool
) -> tuple[float, int]:
    """(seconds, records) for a fresh coordinator store importing every bundle."""
    name = "encrypted" if encrypted else "plain"
    coordinator = new_store(folder / f"coordinator-{name}", Role.COORDINATOR, encrypted=encrypted)
    try:
        me = sync.identity(coordinator)
        practitioners, paths, total = make_bundles(folder / name, me, families, bundles)
        for practitioner in practitioners:
            sync.enrol(coordinator, practitioner.enrolment)
        started = time.perf_counter()
        results = sync.import_bundles(coordinator, paths)
        elapsed = time.perf_counter() - started
        refused = [r for r in results if not isinstance(r, sync.ImportResult)]
        if refused:
            raise SystemExit(f"{len(refused)} bundles were refused: {refused[0]}")
        new = sum(r.new for r in results if isinstance(r, sync.ImportResult))
        if new != total:
            raise SystemExit(f"imported {new} new records of {total}")
        return elapsed, total
    finally:
        coordinator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export-families", type=int, default=45)
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--bundles", type=int, default=70)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fmdesk-bench-sync-") as name:
        folder = Path(name)
        for sub in ("encrypted", "plain"):
            (folder / sub).mkdir()
        print(f"Export: {args.export_families} families, median of {args.runs}...", flush=True)
        seconds, records, size = measure_export(folder, args.export_families, args.runs)
        flag = "" if seconds <= EXPORT_TARGET_S else f"  over the {EXPORT_TARGET_S} s target"
        print(f"  export {records:,} records ({size / 1e6:.2f} MB bundle): {seconds:.3f} s{flag}")

        print(f"Import: {args.bundles} bundles holding {args.families:,} families...", flush=True)
        figures = {}
        for encrypted in (True, False):
            elapsed, total = measure_import(
                folder, args.families, args.bundles, encrypted=encrypted
            )
            figures[encrypted] = total / elapsed
            label = "encrypted" if encrypted else "plain    "
            print(f"  {label}: {total:,} records in {elapsed:.2f} s = {total / elapsed:,.0f}/s")
        ratio = figures[False] / figures[True]
        flag = "" if figures[True] >= IMPORT_TARGET else f"  under the {IMPORT_TARGET:,}/s target"
        print(
            f"  encrypted {figures[True]:,.0f} records/s; plain/encrypted ratio {ratio:.2f}{flag}"
        )


if __name__ == "__main__":
    main()
