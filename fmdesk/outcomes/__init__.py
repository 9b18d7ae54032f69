"""Outcomes frameworks as data, the family's outcome records, and the rules that read them.

    library = FrameworkLibrary.shipped()            # plus load_framework(path) for a council's own
    framework = library.for_family(family)          # the id@version the family was attached under
    data = FamilyOutcomeData.from_records(family, people + ticks + measures + ...)
    eligibility(framework, data).reason             # "eligible: 3 of 6 problems — ..."
    claim_readiness(framework, data, today).status  # not_eligible | in_progress | ready | claimed
    family_outcomes_json(framework, data, today)    # for `families show --json`

The file format is described in docs/frameworks.md. The modules, one idea each:

    framework.py    the framework file: problems, indicators, outcomes, the eligibility and
                    claim rules; reading and checking it; the library of versions
    records.py      the family's outcome records (ticks, measures, evidence, approvals, claims)
    family_data.py  one family's records gathered the way the rules read them
    dates.py        calendar arithmetic and how a day is written
    eligibility.py  the problems present at entry, and eligibility
    sustainment.py  one outcome's test: achieved or not, since when, sustained when
    readiness.py    claim readiness against the framework's claim rule
    summary.py      the family's outcomes as plain JSON, for the command line

This package's names are the public face for db/, reports/ and ui/; inside fmdesk, import from
the module that holds the name.
"""

from fmdesk.outcomes.dates import add_months, day_text
from fmdesk.outcomes.eligibility import (
    EligibilityResult,
    eligibility,
    problems_present,
    tick_mismatch,
)
from fmdesk.outcomes.family_data import FamilyOutcomeData
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
from fmdesk.outcomes.readiness import (
    EVERY_PROBLEM,
    ClaimReadiness,
    ClaimStatus,
    ProblemProgress,
    claim_readiness,
    unknown_codes,
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
from fmdesk.outcomes.summary import family_outcomes_json, no_framework_json
from fmdesk.outcomes.sustainment import OutcomeProgress, evaluate_outcome

__all__ = [
    "EVERY_PROBLEM",
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
    "add_months",
    "attach_framework",
    "claim_readiness",
    "day_text",
    "eligibility",
    "evaluate_outcome",
    "family_outcomes_json",
    "load_framework",
    "loads_framework",
    "no_framework_json",
    "parse_framework",
    "problems_present",
    "shipped_frameworks",
    "tick_mismatch",
    "unknown_codes",
]
