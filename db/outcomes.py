"""Outcomes through the store: the frameworks this store knows, one family's outcome picture,
the claim requirements its records meet, Star readings as evidence, and the caseload's
"Claim status" column.

The frameworks are the shipped ones plus the council's own, held in the store as Definition
records (fmdesk/definition.py, db/definitions.py), which bundles carry to practitioners; the
store's library of them is built once and kept (db/library.py `definitions`).
The rules themselves live in fmdesk.outcomes; nothing here stores an answer, because answers
change with the date and with what sync brings in.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from db.library import add_definition_file, definitions
from db.stars import load_catalogue
from db.store import Store
from fmdesk.assessment import Assessment
from fmdesk.claims import ClaimBatch, counted_claims, requirements_met
from fmdesk.definition import DefinitionKind
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family, Person
from fmdesk.outcomes import (
    OUTCOME_RECORD_CLASSES,
    ClaimReadiness,
    EvidenceBasis,
    FamilyOutcomeData,
    Framework,
    FrameworkLibrary,
    FrameworkNotFound,
    IndicatorTick,
    OutcomeClaim,
    OutcomeEvidence,
    attach_framework,
    claim_readiness,
    family_outcomes_json,
    no_framework_json,
    tick_mismatch,
)
from fmdesk.plans import FamilyPlan
from fmdesk.records import Record
from fmdesk.stars import StarReading, completed_readings, star_evidence

NO_FRAMEWORK = (
    "No outcomes framework is attached to this family: attach one on the Outcomes tab "
    "before eligibility and claims can be worked out."
)


# ---- frameworks --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Frameworks:
    """The frameworks this store can use, and a sentence for each council file that could not be
    loaded (a missing file on a shared drive never hides the rest)."""

    library: FrameworkLibrary
    problems: tuple[str, ...] = ()


def load_frameworks(store: Store) -> Frameworks:
    """The shipped frameworks plus the council's held in the store (oldest first), from the
    store's kept library: shared, so read-only. One whose id@version is already loaded with
    different content is left out, with a sentence why."""
    found = definitions(store)
    return Frameworks(found.frameworks, found.problems_of(DefinitionKind.FRAMEWORK))


def add_framework_file(store: Store, path: str | Path) -> Framework:
    """Check a council's framework file and keep its content in the store (a Definition
    record, which bundles carry to practitioners). Refused (ValidationError naming the file and
    field) when it is malformed, or changes a loaded version without a new number."""
    return cast(Framework, add_definition_file(store, DefinitionKind.FRAMEWORK, path))


# ---- what the family's records show ------------------------------------------------------------


def load_requirements_met(store: Store, family: Family) -> frozenset[str]:
    """The claim requirements one family's records meet (the rule is fmdesk.claims')."""
    return requirements_met(
        family,
        store.list(Assessment, family_id=family.id),
        store.list(FamilyPlan, family_id=family.id),
    )


def _family_data(store: Store, family: Family, today: dt.date) -> FamilyOutcomeData:
    """The family's outcome records, with only the claims that count on `today`
    (fmdesk.claims.counted_claims: one a draft batch wrote, as an older build did, or one a
    rejected batch left behind, does not make the family claimed; the programme's judgement
    reads them the same way)."""
    records: list[Record] = [*store.list(Person, family_id=family.id)]
    # Plans too: the claim's action_plan requirement checks what the current plan covers.
    for cls in (*OUTCOME_RECORD_CLASSES, Assessment, FamilyPlan):
        if cls is not OutcomeClaim:
            records.extend(store.list(cls, family_id=family.id))
    claims = store.list(OutcomeClaim, family_id=family.id)
    if claims:
        records.extend(counted_claims(claims, store.list(ClaimBatch), today))
    return FamilyOutcomeData.from_records(family, records)


@dataclasses.dataclass(frozen=True)
class StarArea:
    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class FamilyOutcomes:
    """Everything the Outcomes tab shows for one family, read in one go.

    `framework` and `readiness` are None when no framework is attached, or when the version the
    family was attached under is not loaded here (`problem` then says which)."""

    family: Family
    data: FamilyOutcomeData
    frameworks: tuple[Framework, ...]  # every version available, for attaching
    framework: Framework | None
    readiness: ClaimReadiness | None
    requirements_met: frozenset[str]
    star_areas: tuple[StarArea, ...]  # the areas of the latest completed reading's instrument
    practitioner: str
    today: dt.date
    problem: str = ""

    @property
    def has_star_reading(self) -> bool:
        return bool(self.star_areas)


def load_family_outcomes(
    store: Store, family_id: str, today: dt.date | None = None
) -> FamilyOutcomes:
    today = today or dt.date.today()
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That family is no longer in this store.")
    loaded = load_frameworks(store)
    data = _family_data(store, family, today)
    met = load_requirements_met(store, family)
    framework: Framework | None = None
    readiness: ClaimReadiness | None = None
    problem = ""
    if not family.framework:
        problem = NO_FRAMEWORK
    else:
        try:
            framework = loaded.library.for_family(family)
        except FrameworkNotFound as exc:
            problem = str(exc)
        else:
            readiness = claim_readiness(framework, data, today, requirements_met=met)
    return FamilyOutcomes(
        family=family,
        data=data,
        frameworks=tuple(loaded.library.all()),
        framework=framework,
        readiness=readiness,
        requirements_met=met,
        star_areas=_star_areas(store, store.list(StarReading, family_id=family_id)),
        practitioner=store.info.owner_name,
        today=today,
        problem=" ".join([problem, *loaded.problems]).strip(),
    )


def _star_areas(store: Store, readings: Sequence[StarReading]) -> tuple[StarArea, ...]:
    done = completed_readings(readings)
    if not done:
        return ()
    latest = done[-1]
    try:
        instrument = load_catalogue(store).instruments.get(latest.instrument)
    except ValidationError:  # a licensed instrument this computer does not have: ids only
        return tuple(StarArea(s.area, s.area) for s in latest.scores)
    return tuple(StarArea(a.id, a.name) for a in instrument.areas)


def _live_family(store: Store, family_id: str) -> Family:
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That family is no longer in this store.")
    if family.is_read_only:
        reopen = "" if family.withdrawn_on else " Reopen the case first."
        raise UserError(
            f"{family.read_only_reason} ({family.reference}), so its outcomes cannot be "
            f"changed.{reopen}"
        )
    return family


def attach_family_framework(store: Store, family_id: str, ref: str) -> Family:
    """Attach the family, as the store holds it, under framework `ref` ("id@version"). A family
    already attached under another version keeps it (attach_framework refuses the move)."""
    family = _live_family(store, family_id)
    framework = load_frameworks(store).library.get(ref)
    (saved,) = store.save(attach_framework(family, framework))
    return saved


def save_outcome_records(store: Store, family_id: str, records: Sequence[Record]) -> list[Record]:
    """Save ticks, measures, evidence or approvals of one open family, in one transaction. A
    tick for someone its indicator is not for (an adult's indicator for a child, or the
    reverse, by the framework's rules) is refused, and nothing is saved."""
    family = _live_family(store, family_id)
    if any(r.family_id != family_id for r in records):
        raise UserError("These records belong to another family; nothing was saved.")
    _refuse_mismatched_ticks(store, family, records)
    return store.save(*records)


def _refuse_mismatched_ticks(store: Store, family: Family, records: Sequence[Record]) -> None:
    ticks = [r for r in records if isinstance(r, IndicatorTick) and r.person_id and not r.deleted]
    if not ticks or not family.framework:
        return
    try:
        framework = load_frameworks(store).library.for_family(family)
    except FrameworkNotFound:
        return
    people = tuple(store.list(Person, family_id=family.id))
    data = FamilyOutcomeData(family=family, people=people)
    for tick in ticks:
        mismatch = tick_mismatch(framework, data, tick)
        if mismatch:
            raise ValidationError(
                f"{mismatch}: tick it for someone it is for, or for the household. "
                "Nothing was saved."
            )


def delete_outcome_records(store: Store, family_id: str, records: Sequence[Record]) -> None:
    _live_family(store, family_id)
    if any(r.family_id != family_id for r in records):
        raise UserError("These records belong to another family; nothing was deleted.")
    store.delete(*records)


def use_star_reading(
    store: Store, family_id: str, outcome_code: str, area: str, today: dt.date | None = None
) -> OutcomeEvidence:
    """Record the family's latest completed Star reading as evidence for an outcome, when the
    framework accepts Star evidence for it and the reading scores `area` high enough. The
    evidence names the reading (its date and id) and holds from the day it was taken."""
    today = today or dt.date.today()
    family = _live_family(store, family_id)
    framework = load_frameworks(store).library.for_family(family)
    _, outcome = framework.outcome(outcome_code)
    rule = outcome.star
    if rule is None or not framework.claim.star_evidence:
        raise UserError(f"{framework.name} does not accept a Star reading for {outcome.code}.")
    if rule.areas and area not in rule.areas:
        raise UserError(
            f"A Star reading counts for {outcome.code} only in: {', '.join(rule.areas)}."
        )
    readings = store.list(StarReading, family_id=family_id)
    names = {a.id: a.name for a in _star_areas(store, readings)}
    found = star_evidence(
        readings, area=area, minimum=rule.min_score, on=today, area_name=names.get(area, area)
    )
    if not found.met or found.taken_on is None or found.score is None:
        raise UserError(f"The Star reading is not evidence for {outcome.code}: {found.text}")
    evidence = OutcomeEvidence(
        family_id=family_id,
        outcome=outcome.code,
        holds_from=found.taken_on,
        basis=EvidenceBasis.STAR,
        star_area=area,
        star_score=found.score,
        source=found.text,
        description=f"Star reading {found.reading_id}",
        recorded_by=store.info.owner_name,
    )
    (saved,) = store.save(evidence)
    return saved


# ---- the command line and the caseload ---------------------------------------------------------


def family_outcomes_for_json(
    store: Store, family: Family, today: dt.date | None = None
) -> dict[str, Any]:
    """The outcomes part of `fmdesk families show REF --json`. Without a framework: eligible is
    null and the claim is not_eligible, with `missing` saying to attach one."""
    today = today or dt.date.today()
    if family.framework:
        try:
            framework = load_frameworks(store).library.for_family(family)
        except FrameworkNotFound as exc:
            return no_framework_json(family, str(exc))
        data = _family_data(store, family, today)
        return family_outcomes_json(
            framework, data, today, requirements_met=load_requirements_met(store, family)
        )
    return no_framework_json(family, NO_FRAMEWORK)
