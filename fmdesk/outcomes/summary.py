"""A family's outcomes as plain JSON: the outcomes part of `fmdesk families show REF --json`."""

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from fmdesk.families import Family
from fmdesk.outcomes.eligibility import ProblemPresent
from fmdesk.outcomes.family_data import FamilyOutcomeData
from fmdesk.outcomes.framework import (
    Framework,
)
from fmdesk.outcomes.readiness import ClaimStatus, ProblemProgress, claim_readiness
from fmdesk.outcomes.records import (
    IndicatorTick,
)


def family_outcomes_json(
    framework: Framework,
    data: FamilyOutcomeData,
    today: dt.date,
    *,
    requirements_met: Collection[str] = (),
) -> dict[str, Any]:
    """The outcomes part of `fmdesk families show REF --json`: plain JSON types only."""
    readiness = claim_readiness(framework, data, today, requirements_met=requirements_met)
    result = readiness.eligibility
    claim = readiness.claim
    outcomes = [o for p in readiness.problems for o in p.outcomes]
    return {
        "framework": framework.ref,
        "eligible": result.eligible,
        "eligibility": result.reason,
        "problems": [
            {
                "code": present.problem.code,
                "name": present.problem.name,
                "indicators": [_tick_json(framework, tick, data) for tick in present.ticks],
                "required": progress.required,
                "met": progress.met,
                "met_by": progress.met_by,
            }
            for present, progress in _paired(result.problems, readiness.problems)
        ],
        "outcomes": [o.to_json() for o in outcomes],
        "alternative_routes": [
            {"name": name, **outcome.to_json()} for name, outcome in readiness.alternative_routes
        ],
        "additional_results": [o.to_json() for o in readiness.additional_results],
        "claim": {
            "status": readiness.status.value,
            "missing": list(readiness.missing),
            "route": readiness.route,
            "equivalent_progress": readiness.uses_equivalent_progress,
            "claimed_on": claim.claimed_on.isoformat() if claim else None,
            "batch": claim.batch if claim else None,
        },
        "warnings": list(readiness.warnings),
    }


def _paired(
    present: Sequence[ProblemPresent], progress: Sequence[ProblemProgress]
) -> list[tuple[ProblemPresent, ProblemProgress]]:
    by_code: Mapping[str, ProblemProgress] = {p.code: p for p in progress}
    return [(p, by_code[p.problem.code]) for p in present]


def _tick_json(
    framework: Framework, tick: IndicatorTick, data: FamilyOutcomeData
) -> dict[str, Any]:
    _, indicator = framework.indicator(tick.indicator)
    return {
        "code": tick.indicator,
        "text": indicator.text,
        "person": data.name(tick.person_id) if tick.person_id else "",
        "person_id": tick.person_id,
        "on": tick.on.isoformat(),
        "source": tick.evidence_source,
    }


def no_framework_json(family: Family, why: str) -> dict[str, Any]:
    """The outcomes JSON of a family with no framework, or one this computer lacks, saying `why`:
    the same shape as `family_outcomes_json`, for today's judgement and one as at a date alike."""
    return {
        "framework": family.framework,
        "eligible": None,
        "eligibility": why,
        "problems": [],
        "outcomes": [],
        "alternative_routes": [],
        "additional_results": [],
        "claim": {
            "status": ClaimStatus.NOT_ELIGIBLE.value,
            "missing": [why],
            "route": "",
            "equivalent_progress": False,
            "claimed_on": None,
            "batch": None,
        },
        "warnings": [],
    }
