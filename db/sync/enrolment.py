"""Enrolment: this store's own sync keys, the partners it has enrolled, and the recovery slot a
practitioner's store seals to its coordinator when it enrols one.

Threading: like the Store, call on its thread.
"""

import base64
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import pyrage

from db.store import Store
from fmdesk.errors import UserError
from fmdesk.roles import Role
from fmdesk.sync.identity import Enrolment, StoreIdentity

IDENTITY_SETTING = "sync.identity"
# The key-file slot holding the data key sealed to the coordinator (db/recovery.py).
RECOVERY_SLOT = "recovery"
RECOVERY_KEY_FORMAT = "fmdesk-recovery-key/1"


class NotEnrolled(UserError):
    def __init__(self) -> None:
        super().__init__(
            "No partner is enrolled yet. Import the other store's enrolment file first."
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Partner:
    enrolment: Enrolment
    last_sent: int
    received_up_to: int
    acked_by_them: int
    last_sent_at: str | None
    last_received_at: str | None


def identity(store: Store) -> StoreIdentity:
    """This store's sync keys, made on first use and kept in its encrypted settings."""
    saved = store.get_setting(IDENTITY_SETTING)
    if saved is not None:
        return StoreIdentity.from_secret_bytes(base64.b64decode(saved))
    made = StoreIdentity.generate(
        store_id=store.info.store_id, role=store.info.role, name=store.info.owner_name
    )
    store.set_setting(IDENTITY_SETTING, base64.b64encode(made.secret_bytes()).decode("ascii"))
    return made


def enrol(store: Store, enrolment: Enrolment) -> None:
    """Record a partner whose fingerprint the user has confirmed. A practitioner store knows one
    coordinator; a coordinator knows many practitioners. Re-enrolling replaces the keys."""
    if enrolment.store_id == store.info.store_id:
        raise UserError("That is this store's own enrolment file; import the other store's.")
    if enrolment.role is store.info.role:
        raise UserError(
            f"Both stores are {store.info.role.label.lower()} stores; a practitioner enrols "
            "the coordinator and the coordinator enrols practitioners."
        )
    with store.transaction():
        if store.info.role is Role.PRACTITIONER:
            others = store.db.execute(
                "SELECT store_id FROM sync_partners WHERE store_id != ?", [enrolment.store_id]
            ).fetchall()
            if others:
                raise UserError("This store already has a coordinator enrolled.")
        store.db.execute(
            "INSERT INTO sync_partners (store_id, enrolment) VALUES (?, ?) "
            "ON CONFLICT(store_id) DO UPDATE SET enrolment = excluded.enrolment",
            [enrolment.store_id, enrolment.to_json().decode("utf-8")],
        )
    if store.info.role is Role.PRACTITIONER:
        seal_recovery_slot(store, enrolment)


def seal_recovery_slot(store: Store, coordinator: Enrolment) -> bool:
    """Seal the store's data key to the coordinator's age recipient, as the `recovery` slot
    of keys.json, so that a forgotten passphrase never loses work (docs/recovery.md). This is
    escrow: the coordinator store's keys can unlock this store. False, with nothing written,
    for a store that is not encrypted (a benchmark store)."""
    try:
        keys, data_key = store.key_file, store.data_key
    except RuntimeError:
        return False
    payload = json.dumps(
        {
            "format": RECOVERY_KEY_FORMAT,
            "store_id": keys.store_id,
            "data_key": base64.b64encode(data_key).decode("ascii"),
        }
    ).encode("utf-8")
    recipient = pyrage.x25519.Recipient.from_str(coordinator.age_recipient)
    keys.set_sealed_slot(
        RECOVERY_SLOT,
        {
            "coordinator": coordinator.store_id,
            "coordinator_name": coordinator.name,
            "coordinator_fingerprint": coordinator.fingerprint,
            "sealed": base64.b64encode(pyrage.encrypt(payload, [recipient])).decode("ascii"),
        },
    )
    store.save_key_file()
    return True


_PARTNER_COLUMNS = (
    "enrolment, last_sent, received_up_to, acked_by_them, last_sent_at, last_received_at"
)


def partners(store: Store) -> list[Partner]:
    with store.transaction():
        rows = store.db.execute(
            f"SELECT {_PARTNER_COLUMNS} FROM sync_partners ORDER BY store_id"
        ).fetchall()
    return [_partner_from_row(r) for r in rows]


def partner(store: Store, partner_id: str) -> Partner:
    """One enrolled partner; refused in words when `partner_id` is not enrolled here."""
    row = store.db.execute(
        f"SELECT {_PARTNER_COLUMNS} FROM sync_partners WHERE store_id = ?", [partner_id]
    ).fetchone()
    if row is None:
        raise UserError(f"The store {partner_id} is not enrolled here.")
    return _partner_from_row(row)


def keys_and_senders(store: Store) -> tuple[StoreIdentity, list[Enrolment]]:
    """This store's keys and the enrolments a bundle may come from (NotEnrolled without any)."""
    known = [p.enrolment for p in partners(store)]
    if not known:
        raise NotEnrolled()
    return identity(store), known


def _partner_from_row(row: Sequence[Any]) -> Partner:
    return Partner(
        enrolment=Enrolment.from_json(row[0].encode("utf-8")),
        last_sent=row[1],
        received_up_to=row[2],
        acked_by_them=row[3],
        last_sent_at=row[4],
        last_received_at=row[5],
    )
