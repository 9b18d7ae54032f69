"""Purging: a closed family, or one the coordinator has reassigned, leaves a practitioner's
laptop only once the coordinator has acknowledged every record of it in its latest version.

Threading: like the Store, call on its thread.
"""

from db.store import Store
from db.sync.enrolment import partners
from db.sync.outbox import unacknowledged
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus
from fmdesk.roles import Role


class CannotPurge(UserError):
    pass


def purgeable_families(store: Store) -> list[Family]:
    """Closed families, and families the coordinator has reassigned to another practitioner
    (withdrawn), whose every record the coordinator has acknowledged in its latest version:
    only these may leave a practitioner's laptop."""
    if store.info.role is not Role.PRACTITIONER:
        return []
    coordinators = [p.enrolment.store_id for p in partners(store)]
    if not coordinators:
        return []
    pending = {body.get("family_id") for _, body, _ in unacknowledged(store, coordinators[0])}
    return [
        f
        for f in store.list(Family)
        if (f.status is FamilyStatus.CLOSED or f.withdrawn_on is not None) and f.id not in pending
    ]


def purge_family(store: Store, family_id: str) -> int:
    """Remove a closed (or reassigned), acknowledged family and everything about it from this
    store."""
    if family_id not in {f.id for f in purgeable_families(store)}:
        raise CannotPurge(
            "This family cannot be removed yet: it must be closed or reassigned, and the "
            "coordinator must have confirmed receiving its latest records. Send a bundle and "
            "wait for the reply."
        )
    with store.transaction():
        ids = [
            r[0]
            for r in store.db.execute("SELECT id FROM records WHERE family_id = ?", [family_id])
        ]
        store.db.execute("DELETE FROM records WHERE family_id = ?", [family_id])
        store.db.conn.executemany("DELETE FROM sync_base WHERE id = ?", [(i,) for i in ids])
        store.db.execute("DELETE FROM sync_conflicts WHERE family_id = ?", [family_id])
        store.db.conn.executemany("DELETE FROM sync_sent WHERE id = ?", [(i,) for i in ids])
    return len(ids)
