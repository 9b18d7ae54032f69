"""Identified families from a council's CSV file (fmdesk.identified_csv): checked against the
families held, then saved in one transaction.

Each function is one call from the UI's worker thread or the command line.
"""

import dataclasses
import datetime as dt
from pathlib import Path

from db.outcomes import load_frameworks
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import Family, Person
from fmdesk.identified_csv import IdentifiedImport, parse_identified_csv
from fmdesk.outcomes import FrameworkNotFound
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


def preview_identified_csv(
    store: Store, data: bytes, *, today: dt.date | None = None, framework: str = ""
) -> IdentifiedImport:
    """Check a CSV file against the rules and against the families already held. `framework`
    (id@version), when given, must be one this store knows: shipped, or a council's added to
    it."""
    if framework:
        framework = known_framework(store, framework)
    return parse_identified_csv(
        data,
        today=today or dt.date.today(),
        existing_families=store.list(Family),
        existing_people=store.list(Person),
        framework=framework,
    )


def known_framework(store: Store, ref: str) -> str:
    """`ref` when this store knows that framework version (shipped, or a council's added to
    the store); otherwise refused in words for the coordinator, who adds frameworks."""
    library = load_frameworks(store).library
    try:
        return library.get(ref.strip()).ref
    except FrameworkNotFound:
        known = ", ".join(f.ref for f in library.all())
        raise UserError(
            f"This store has no outcomes framework {ref.strip()}: add its file first (`fmdesk "
            "frameworks add FILE`, or File > Definitions in the app), or use one it has: "
            f"{known}."
        ) from None


def read_csv_file(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"Could not read {path}: {exc.strerror}.") from None


@dataclasses.dataclass(frozen=True)
class ImportedFamilies:
    families: int
    people: int
    measures: int
    skipped_duplicates: int
    skipped_with_errors: int


def import_identified(
    store: Store,
    checked: IdentifiedImport,
    *,
    valid_only: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportedFamilies:
    """Save the families a checked file holds, in one transaction. With errors in the file
    nothing is saved, unless `valid_only` says to add the families without errors."""
    if checked.errors and not valid_only:
        first = checked.errors[0]
        more = len(checked.errors) - 1
        raise UserError(
            f"Nothing was imported: {first}"
            + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")
            + ". Correct the file, or import only the families without errors."
        )
    if checked.errors and not checked.families and checked.row_count == 0:
        raise UserError(f"Nothing was imported: {checked.errors[0]}.")
    held = {f.reference.casefold() for f in store.list(Family)}
    clash = next((f for f in checked.families if f.key.casefold() in held), None)
    if clash is not None:
        raise UserError(
            f"Family {clash.key} was added since the file was checked; check the file again."
        )
    total = len(checked.families)
    people = measures = 0
    with store.transaction():
        for start in range(0, total, 250):  # a few hundred families a write: one transaction
            cancel.raise_if_cancelled()
            chunk = checked.families[start : start + 250]
            store.save(*(r for item in chunk for r in item.records))
            people += sum(len(item.people) for item in chunk)
            measures += sum(len(item.measures) for item in chunk)
            progress(min(start + 250, total), total)
    return ImportedFamilies(
        families=total,
        people=people,
        measures=measures,
        skipped_duplicates=len(checked.duplicates),
        skipped_with_errors=len(checked.rejected_keys),
    )
