"""Outcomes frameworks as data, the family's outcome records, and the rules that read them.

    library = FrameworkLibrary.shipped()            # plus load_framework(path) for a council's own
    framework = library.for_family(family)          # the id@version the family was attached under
    data = FamilyOutcomeData.from_records(family, people + ticks + measures + ...)
    eligibility(framework, data).reason             # "eligible: 3 of 6 problems — ..."
    claim_readiness(framework, data, today).status  # not_eligible | in_progress | ready | claimed
    family_outcomes_json(framework, data, today)    # for `families show --json`

The file format is described in docs/frameworks.md.
"""

from fmdesk.outcomes.framework import (
    Framework,
    FrameworkLibrary,
    FrameworkNotFound,
    Outcome,
    Problem,
    attach_framework,
    load_framework,
    loads_framework,
    parse_framework,
    shipped_frameworks,
)
from fmdesk.outcomes.records import (
    OUTCOME_RECORD_CLASSES,
    EquivalentProgress,
    EvidenceBasis,
    IndicatorTick,
    Measure,
    MeasureKind,
    MeasureStage,
    OutcomeClaim,
    OutcomeEvidence,
)
from fmdesk.outcomes.rules import (
    ClaimReadiness,
    ClaimStatus,
    EligibilityResult,
    FamilyOutcomeData,
    OutcomeProgress,
    ProblemProgress,
    claim_readiness,
    eligibility,
    evaluate_outcome,
    family_outcomes_json,
    problems_present,
    unknown_codes,
)

__all__ = [
    "OUTCOME_RECORD_CLASSES",
    "ClaimReadiness",
    "ClaimStatus",
    "EligibilityResult",
    "EquivalentProgress",
    "EvidenceBasis",
    "FamilyOutcomeData",
    "Framework",
    "FrameworkLibrary",
    "FrameworkNotFound",
    "IndicatorTick",
    "Measure",
    "MeasureKind",
    "MeasureStage",
    "Outcome",
    "OutcomeClaim",
    "OutcomeEvidence",
    "OutcomeProgress",
    "Problem",
    "ProblemProgress",
    "attach_framework",
    "claim_readiness",
    "eligibility",
    "evaluate_outcome",
    "family_outcomes_json",
    "load_framework",
    "loads_framework",
    "parse_framework",
    "problems_present",
    "shipped_frameworks",
    "unknown_codes",
]
