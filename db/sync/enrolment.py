"""Enrolment: this store's own sync keys, the partners it has enrolled, and the recovery slot a
practitioner's store seals to its coordinator when it enrols one.

A partner's keys change only when the user says so (`replace_key`), having seen both
fingerprints: an enrolment file with other keys for a store already enrolled is what someone
pretending to be that store would send (`KeyChanged`). Each replacement is recorded (who, when,
the old and new fingerprints: `re_enrolments`) for the Sync page and `fmdesk sync status`.

Threading: like the Store, call on its thread.
"""

import base64
import dataclasses
import enum
import json
from collections.abc import Sequence
from typing import Any

import pyrage

from db.store import Store
from db.sync.tables import now
from fmdesk.errors import UserError
from fmdesk.roles import Role
from fmdesk.sync.identity import Enrolment, StoreIdentity

IDENTITY_SETTING = "sync.identity"
# The key-file slot holding the data key sealed to the coordinator (db/recovery.py).
RECOVERY_SLOT = "recovery"
RECOVERY_KEY_FORMAT = "fmdesk-recovery-key/1"
# The store's record of every partner key replaced (a list of ReEnrolment.to_plain()).
RE_ENROLMENTS_SETTING = "sync.re_enrolments"


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


class KeyChanged(UserError):
    """An enrolment file for a store already enrolled here, with other keys. Both enrolments
    are kept on the error, so the caller can show both fingerprints and ask."""

    def __init__(self, enrolled: Enrolment, offered: Enrolment) -> None:
        self.enrolled = enrolled
        self.offered = offered
        name = offered.name or enrolled.name or offered.store_id
        super().__init__(
            f"{name}'s store ({offered.store_id}) is already enrolled here, with other keys.\n"
            f"Enrolled fingerprint:   {enrolled.fingerprint}\n"
            f"This file's fingerprint: {offered.fingerprint}\n"
            "A changed key is what someone pretending to be them would send: their bundles, "
            + (
                "and the recovery of this store's passphrase, would then be theirs. "
                if offered.role is Role.COORDINATOR
                else "and the bundles sent to them, would then be theirs. "
            )
            + f"Phone {name} on a number you already know and ask them to read out their "
            "fingerprint; replace the key only if it matches this file's. Nothing was changed."
        )


class Enrolled(enum.Enum):
    """What `enrol` did."""

    NEW = "enrolled"
    ALREADY = "already enrolled with these keys: nothing changed"
    REPLACED = "enrolled again with new keys"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReEnrolment:
    """A partner's keys replaced: whose, by whom here, when (UTC), and both fingerprints."""

    store_id: str
    name: str
    by: str
    at: str
    old_fingerprint: str
    new_fingerprint: str

    def to_plain(self) -> dict[str, str]:
        return dataclasses.asdict(self)


def re_enrolments(store: Store) -> list[ReEnrolment]:
    """Every partner key replaced in this store, oldest first."""
    saved = store.get_setting(RE_ENROLMENTS_SETTING, [])
    names = {f.name for f in dataclasses.fields(ReEnrolment)}
    return [
        ReEnrolment(**{k: str(v) for k, v in entry.items() if k in names})
        for entry in saved
        if isinstance(entry, dict) and names <= set(entry)
    ]


def enrolled(store: Store, store_id: str) -> Enrolment | None:
    """The enrolment held for `store_id`, or None when it is not enrolled here."""
    row = store.db.execute(
        "SELECT enrolment FROM sync_partners WHERE store_id = ?", [store_id]
    ).fetchone()
    return Enrolment.from_json(row[0].encode("utf-8")) if row else None


def same_keys(a: Enrolment, b: Enrolment) -> bool:
    return a.signing_key == b.signing_key and a.age_recipient == b.age_recipient


def enrol(store: Store, enrolment: Enrolment, *, replace_key: bool = False) -> Enrolled:
    """Record a partner whose fingerprint the user has confirmed. A practitioner store knows one
    coordinator; a coordinator knows many practitioners. The same keys again change nothing
    (ALREADY). Other keys for a store already enrolled are refused (KeyChanged) unless the user,
    having seen both fingerprints, asked to `replace_key`: then they replace the old ones, the
    replacement is recorded (re_enrolments), and a practitioner's recovery slot is sealed to
    the coordinator's new key."""
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
        held = enrolled(store, enrolment.store_id)
        if held is not None and same_keys(held, enrolment):
            return Enrolled.ALREADY
        if held is not None and not replace_key:
            raise KeyChanged(held, enrolment)
        store.db.execute(
            "INSERT INTO sync_partners (store_id, enrolment) VALUES (?, ?) "
            "ON CONFLICT(store_id) DO UPDATE SET enrolment = excluded.enrolment",
            [enrolment.store_id, enrolment.to_json().decode("utf-8")],
        )
        if held is not None:
            replaced = ReEnrolment(
                store_id=enrolment.store_id,
                name=enrolment.name or held.name,
                by=store.info.owner_name,
                at=now(),
                old_fingerprint=held.fingerprint,
                new_fingerprint=enrolment.fingerprint,
            )
            store.set_setting(
                RE_ENROLMENTS_SETTING,
                [r.to_plain() for r in (*re_enrolments(store), replaced)],
            )
    if store.info.role is Role.PRACTITIONER:
        seal_recovery_slot(store, enrolment)
    return Enrolled.NEW if held is None else Enrolled.REPLACED


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
