"""Sync on the store: enrolled partners, the outbox, importing bundles, conflicts and purging.

Callers use this package's names (`from db import sync; sync.export_bundle(...)`); the rooms
behind it are:
- `enrolment`: this store's sync keys, the partners it has enrolled, the recovery slot;
- `outbox`: what a partner has not acknowledged, and exporting it as a bundle;
- `inbox`: importing bundles, each in one transaction, with `applier` merging each record and
  `quarantine` holding those refused (the rule of what each side may send is
  fmdesk/sync/authority.py, asked by `applier`);
- `field_conflicts`: fields two sides changed differently, for a person to decide;
- `purge`: a closed or reassigned family leaving a practitioner's laptop once acknowledged;
- `overview`: where sync stands, for the Sync page and `fmdesk sync status`, and what has not
  reached the other side (`unsent_summary`, `unsent_warning`), for them and the caseload;
- `tables`: the bookkeeping tables they share.

Every import and export is one transaction. Threading: like the Store, call on its thread.
"""

from db.sync.enrolment import (
    IDENTITY_SETTING,
    RECOVERY_KEY_FORMAT,
    RECOVERY_SLOT,
    Enrolled,
    KeyChanged,
    NotEnrolled,
    Partner,
    ReEnrolment,
    enrol,
    enrolled,
    identity,
    partners,
    re_enrolments,
    same_keys,
    seal_recovery_slot,
)
from db.sync.field_conflicts import Conflict, conflicts, open_conflicts, resolve_conflict
from db.sync.inbox import ImportResult, import_bundle, import_bundles, mark_withdrawals
from db.sync.outbox import ExportResult, export_bundle, pending_count
from db.sync.overview import (
    DEFAULT_UNSENT_WARNING_DAYS,
    PartnerStatus,
    SyncStatus,
    UnsentSummary,
    oldest_waiting,
    set_unsent_warning_days,
    status,
    unsent_summary,
    unsent_warning,
    unsent_warning_days,
)
from db.sync.purge import CannotPurge, purge_family, purgeable_families
from db.sync.quarantine import Quarantined, held_records

__all__ = [
    "DEFAULT_UNSENT_WARNING_DAYS",
    "IDENTITY_SETTING",
    "RECOVERY_KEY_FORMAT",
    "RECOVERY_SLOT",
    "CannotPurge",
    "Conflict",
    "Enrolled",
    "ExportResult",
    "ImportResult",
    "KeyChanged",
    "NotEnrolled",
    "Partner",
    "PartnerStatus",
    "Quarantined",
    "ReEnrolment",
    "SyncStatus",
    "UnsentSummary",
    "conflicts",
    "enrol",
    "enrolled",
    "export_bundle",
    "held_records",
    "identity",
    "import_bundle",
    "import_bundles",
    "mark_withdrawals",
    "oldest_waiting",
    "open_conflicts",
    "partners",
    "pending_count",
    "purge_family",
    "purgeable_families",
    "re_enrolments",
    "resolve_conflict",
    "same_keys",
    "seal_recovery_slot",
    "set_unsent_warning_days",
    "status",
    "unsent_summary",
    "unsent_warning",
    "unsent_warning_days",
]
