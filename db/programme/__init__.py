"""The coordinator's programme on the store.

Callers use this package's names (`from db import programme; programme.load_dashboard(...)`);
the rooms behind it are:
- `identified`: identified families from a council's CSV file;
- `judgement`: where every family stands against its framework, judged once and kept;
- `dashboard`: the programme's figures against the year's targets, and the families behind one;
- `claims`: the families ready to claim, claim batches and their schedules.
"""

from db.programme.claims import (
    PROGRAMME_TARGET_SETTING,
    ClaimsView,
    batch_schedule,
    create_batch,
    create_ready_batch,
    find_batch,
    get_programme_target,
    judged_at,
    load_claims,
    load_money,
    payment_tables,
    record_paid,
    record_rejected,
    set_programme_target,
    submit,
    withdraw,
)
from db.programme.dashboard import (
    TARGETS_SETTING,
    FamilyListRow,
    family_rows,
    get_targets,
    load_dashboard,
    set_targets,
)
from db.programme.identified import (
    ImportedFamilies,
    import_identified,
    known_framework,
    preview_identified_csv,
    read_csv_file,
)
from db.programme.judgement import (
    OUTCOME_KINDS,
    PROGRAMME_KINDS,
    FamilyAsAt,
    claim_status_by_family,
    family_as_at,
    forget_programme_cache,
    load_batches,
    load_outcomes,
    load_programme,
)

__all__ = [
    "OUTCOME_KINDS",
    "PROGRAMME_KINDS",
    "PROGRAMME_TARGET_SETTING",
    "TARGETS_SETTING",
    "ClaimsView",
    "FamilyAsAt",
    "FamilyListRow",
    "ImportedFamilies",
    "batch_schedule",
    "claim_status_by_family",
    "create_batch",
    "create_ready_batch",
    "family_as_at",
    "family_rows",
    "find_batch",
    "forget_programme_cache",
    "get_programme_target",
    "get_targets",
    "import_identified",
    "judged_at",
    "known_framework",
    "load_batches",
    "load_claims",
    "load_dashboard",
    "load_money",
    "load_outcomes",
    "load_programme",
    "payment_tables",
    "preview_identified_csv",
    "read_csv_file",
    "record_paid",
    "record_rejected",
    "set_programme_target",
    "set_targets",
    "submit",
    "withdraw",
]
