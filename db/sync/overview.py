"""Where sync stands: what the Sync page and `fmdesk sync status` show.

Threading: like the Store, call on its thread.
"""

import dataclasses

from db.store import Store
from db.sync import quarantine
from db.sync.enrolment import Partner, identity, partners
from db.sync.field_conflicts import open_count
from db.sync.inbox import ImportResult
from db.sync.outbox import unacknowledged
from db.sync.purge import purgeable_families
from fmdesk.families import Family
from fmdesk.roles import Role


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartnerStatus:
    partner: Partner
    pending: int  # records the partner has not acknowledged

    @property
    def name(self) -> str:
        return self.partner.enrolment.name or self.partner.enrolment.store_id


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncStatus:
    """What the Sync page and `fmdesk sync status` show."""

    role: Role
    name: str
    fingerprint: str
    partners: tuple[PartnerStatus, ...]
    open_conflicts: int
    quarantined: int  # incoming records rejected and not yet acknowledged by their sender
    purgeable: tuple[Family, ...]
    last_import: ImportResult | None


def status(store: Store) -> SyncStatus:
    me = identity(store)
    with store.transaction():
        known = tuple(
            PartnerStatus(partner=p, pending=len(unacknowledged(store, p.enrolment.store_id)))
            for p in partners(store)
        )
        open_conflicts = open_count(store)
        quarantined = quarantine.held_count(store)
        last = store.db.execute(
            "SELECT summary FROM sync_imported ORDER BY imported_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
    return SyncStatus(
        role=store.info.role,
        name=store.info.owner_name,
        fingerprint=me.fingerprint,
        partners=known,
        open_conflicts=open_conflicts,
        quarantined=quarantined,
        purgeable=tuple(purgeable_families(store)),
        last_import=ImportResult.from_json(last[0]) if last else None,
    )
