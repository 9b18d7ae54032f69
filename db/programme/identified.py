"""Identified families from a council's CSV file (fmdesk.identified_csv): checked against the
families held, then saved in one transaction.

Each function is one call from the UI's worker thread or the command line.
"""

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from db.definitions import held_definitions
from db.outcomes import load_frameworks
from db.store import Store
from fmdesk import identification
from fmdesk.assessment.record import Assessment
from fmdesk.definition import DefinitionKind
from fmdesk.errors import UserError
from fmdesk.families import Family, Person
from fmdesk.identification import DataThreshold, Identification
from fmdesk.identified_csv import IdentifiedImport, decode, normalise_header, parse_identified_csv
from fmdesk.outcomes import (
    EligibilityResult,
    Framework,
    FrameworkLibrary,
    FrameworkNotFound,
    IndicatorTick,
    Measure,
    attach_framework,
    eligibility,
)
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from fmdesk.records import Record
from fmdesk.terms import terms_warnings
from fmdesk.update_csv import UpdateImport, parse_update_csv


def preview_identified_csv(
    store: Store, data: bytes, *, today: dt.date | None = None, framework: str = ""
) -> IdentifiedImport:
    """Check a CSV file against the rules and against the families already held. `framework`
    (id@version), when given, must be one this store knows: shipped, or a council's added to
    it."""
    if framework:
        framework = known_framework(store, framework)
    today = today or dt.date.today()
    checked = parse_identified_csv(
        data,
        today=today,
        existing_families=store.list(Family),
        existing_people=store.list(Person),
        framework=framework,
    )
    if not framework:
        return checked
    chosen = load_frameworks(store).library.get(framework)
    thresholds = framework_thresholds(store, chosen)
    terms = identification.framework_terms(chosen)
    families = []
    for item in checked.families:
        found = identification.identify(
            chosen,
            thresholds,
            item.family,
            item.people,
            item.measures,
            as_at=item.family.identified_on or today,
            terms=terms,
        )
        families.append(dataclasses.replace(item, ticks=found.ticks, eligibility=found.eligibility))
    return dataclasses.replace(checked, families=tuple(families), framework=framework)


def framework_content(store: Store, framework: Framework) -> Mapping[str, Any]:
    """The JSON a framework was read from: fmdesk's own file, or the council's held in the
    store as a definition."""
    shipped = identification.shipped_content(framework.ref)
    if shipped is not None:
        return shipped
    for held in held_definitions(store, DefinitionKind.FRAMEWORK).definitions:
        if held.ref == framework.ref:
            return held.content
    return {}


def framework_thresholds(store: Store, framework: Framework) -> tuple[DataThreshold, ...]:
    """The framework's data thresholds (its file's `data_thresholds`), checked against it."""
    return identification.thresholds_of(framework_content(store, framework), framework)


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


# ---- attaching many families to a framework at once ------------------------------------------


@dataclasses.dataclass(frozen=True)
class AttachRow:
    family: Family  # as it is now
    before: EligibilityResult | None  # under its current framework; None when it has none
    after: Identification  # under the new one, with the ticks its figures add
    framework: str  # the new framework's id@version

    @property
    def changes(self) -> bool:
        return self.family.framework != self.framework or bool(self.after.ticks)


@dataclasses.dataclass(frozen=True)
class AttachPreview:
    framework: str
    rows: tuple[AttachRow, ...]

    @property
    def eligible_before(self) -> int:
        return sum(1 for r in self.rows if r.before is not None and r.before.eligible)

    @property
    def eligible_after(self) -> int:
        return sum(1 for r in self.rows if r.after.eligibility.eligible)

    @property
    def tick_count(self) -> int:
        return sum(len(r.after.ticks) for r in self.rows)

    def summary(self) -> str:
        n = len(self.rows)
        return (
            f"{n} famil{'ies' if n != 1 else 'y'} to {self.framework}: eligible "
            f"{self.eligible_before} before, {self.eligible_after} after "
            f"({self.tick_count} indicator{'s' if self.tick_count != 1 else ''} ticked from "
            "their figures)."
        )


def _held_records(store: Store, family: Family) -> list[Record]:
    records: list[Record] = []
    for cls in (IndicatorTick, Assessment):
        records.extend(store.list(cls, family_id=family.id))
    return records


def preview_attach(
    store: Store, family_ids: Sequence[str], framework: str, *, today: dt.date | None = None
) -> AttachPreview:
    """What attaching these families to `framework` would do: each one's eligibility under its
    current framework and under the new one, with the indicators its figures tick by the new
    framework's data thresholds. Nothing is written."""
    ref = known_framework(store, framework)
    library = load_frameworks(store).library
    chosen = library.get(ref)
    thresholds = framework_thresholds(store, chosen)
    terms = identification.framework_terms(chosen)
    today = today or dt.date.today()
    rows = []
    for family_id in dict.fromkeys(family_ids):
        family = store.get(Family, family_id)
        if family is None:
            raise UserError("A family chosen is no longer held; choose again.")
        people = store.list(Person, family_id=family.id)
        measures = store.list(Measure, family_id=family.id)
        held = _held_records(store, family)
        before = None
        if family.framework:
            try:
                current = library.for_family(family)
            except FrameworkNotFound:
                current = None
            if current is not None:
                data = FamilyOutcomeData.from_records(family, [*people, *measures, *held])
                before = eligibility(current, data)
        after = identification.identify(
            chosen,
            thresholds,
            family,
            people,
            measures,
            as_at=family.identified_on or today,
            terms=terms,
            held=held,
        )
        rows.append(AttachRow(family, before, after, ref))
    return AttachPreview(ref, tuple(rows))


def apply_attach(store: Store, preview: AttachPreview) -> int:
    """Attach the previewed families and save the ticks their figures make, in one
    transaction; the number of families changed. A family changed since the preview is
    refused (check again)."""
    library = load_frameworks(store).library
    chosen = library.get(preview.framework)
    changed = 0
    with store.transaction():
        for row in preview.rows:
            now = store.get(Family, row.family.id)
            if now is None or now.revision != row.family.revision:
                raise UserError(
                    f"Family {row.family.reference} changed since the preview; preview again."
                )
            records: list[Record] = list(row.after.ticks)
            if now.framework != chosen.ref:
                records.insert(0, attach_framework(now, chosen, replace=True))
            if records:
                store.save(*records)
                changed += 1
    return changed


def families_in_csv(store: Store, data: bytes) -> list[str]:
    """The ids of the families held whose key (case reference) a CSV's family_key column
    names: "all the families imported from this file"."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    header = [normalise_header(h) for h in next(reader, [])]
    if "family_key" not in header:
        raise UserError("The file has no family_key column.")
    column = header.index("family_key")
    keys = {row[column].strip().casefold() for row in reader if len(row) > column}
    return [f.id for f in store.list(Family) if f.reference.strip().casefold() in keys]


# ---- the council's follow-up figures for families held ---------------------------------------


def preview_update_csv(store: Store, data: bytes) -> UpdateImport:
    """Match a follow-up CSV's rows to the families and people held; nothing is written."""
    return parse_update_csv(
        data,
        families=store.list(Family),
        people=store.list(Person),
        measures=store.list(Measure),
    )


@dataclasses.dataclass(frozen=True)
class AppliedUpdate:
    measures: int
    families: int
    unchanged: int
    left_out_families: int


def apply_update(store: Store, checked: UpdateImport, *, valid_only: bool = False) -> AppliedUpdate:
    """Save the new figures in one transaction. With a problem or an unmatched row nothing is
    saved, unless `valid_only` says to save the figures of the families with none (a family
    with a problem row is left out whole). A figure added since the check is not saved twice."""
    if not checked.ok and not valid_only:
        first = checked.errors[0] if checked.errors else checked.unmatched[0]
        more = len(checked.errors) + len(checked.unmatched) - 1
        raise UserError(
            f"Nothing was applied: {first}"
            + (f" (and {more} more)" if more else "")
            + ". Correct the file, or apply only the families without problems."
        )
    wanted = checked.valid_measures() if valid_only else checked.measures
    with store.transaction():
        held = {
            (m.family_id, m.person_id, m.kind.value, m.on, m.period_start)
            for m in store.list(Measure)
            if not m.deleted
        }
        new = [
            m
            for m in wanted
            if (m.family_id, m.person_id, m.kind.value, m.on, m.period_start) not in held
        ]
        if new:
            store.save(*new)
    return AppliedUpdate(
        measures=len(new),
        families=len({m.family_id for m in new}),
        unchanged=checked.unchanged + len(wanted) - len(new),
        left_out_families=len(checked.rejected_family_ids) if valid_only else 0,
    )


# ---- school terms ----------------------------------------------------------------------------


def terms_warnings_for(store: Store, day: dt.date) -> list[str]:
    """For the dashboard (one call): a sentence for each framework a held family is attached
    under whose own term dates do not reach `day`, so its attendance that day is judged by the
    usual English pattern (fmdesk.terms.terms_warnings); [] when every one's dates reach it."""
    in_use = {f.framework for f in store.list(Family) if f.framework and not f.deleted}
    library = load_frameworks(store).library
    frameworks = [library.get(ref) for ref in sorted(in_use) if ref in _refs(library)]
    return terms_warnings(frameworks, day)


def _refs(library: FrameworkLibrary) -> set[str]:
    return {f.ref for f in library.all()}
