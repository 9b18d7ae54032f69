"""Re-keying a store after a suspected compromise: a new data key for the database and every key
slot, so that no copy of the old keys.json opens it any more.

Why `passwd` is not enough: it rewraps the passphrase slot, but the data key stays the same, so a
copy of the old keys.json (a backup, a copied folder, a laptop image) still opens the database
with the old passphrase, and whoever once held the data key can read every later copy of the
database. Re-keying gives the database a new random data key (SQLCipher's `PRAGMA rekey`) and
writes every slot again around it: the passphrase slot under the same passphrase (a new one is
set afterwards, as `passwd` does), the coordinator's recovery slot sealed again to the enrolled
coordinator, and the keychain slot with a new secret.

The order, so that a power cut at any moment leaves a store that opens with the passphrase:

1. Check the passphrase opens the current key file; a wrong one changes nothing.
2. Write the new key file beside the old one, as `keys.json.next` (written whole, fsynced).
3. `PRAGMA rekey`: SQLCipher rewrites every page under the new key in one write transaction, so
   after a crash the database is wholly under the old key or wholly under the new.
4. Close the database and open it again with the new key, reading every page: the new key is
   proven before anything depends on it.
5. Write the new key file as keys.json, then remove keys.json.next.

A crash before step 3 commits leaves the database and keys.json as they were (a keys.json.next
that nothing uses is left behind; the next re-key replaces it). A crash between steps 3 and 5
leaves the database under the new key and keys.json under the old: `Store.open` then finds
keys.json.next, opens the database with it and finishes step 5 (db/store.py, `_finish_rekey`).
tests/integration/test_rekey.py kills a re-key at each step and opens the store after it.

Afterwards: an open recovery request (recovery-request.json) is removed, since it carries the
old recovery slot; and the store records when it was re-keyed (`REKEYED_SETTING`), which
`fmdesk sync status` shows with the reminder to tell the coordinator. The recovery slot itself
never travels in a bundle (it lives in keys.json and goes to the coordinator only inside a
recovery request), so the coordinator needs nothing new to help later; but the coordinator should
know that an old copy of this store may be in other hands, and that this store's sync keys
(kept inside the database) were readable to whoever could open it: docs/recovery.md says what to
do about both.

Threading: on the store's thread, like the Store. The Store given is closed; use the one
returned.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import secrets

import pyrage

from db import keychain, sync
from db.errors import StoreError, WrongPassphrase
from db.keyslots import KdfParams, KeyFile, KeyFileError, SlotDoesNotOpen
from db.recovery import PENDING_NAME
from db.store import KEY_NAME, NEXT_KEY_NAME, Store
from db.sync.tables import REKEYED_SETTING, rekeyed_at
from fmdesk.progress import Progress, no_progress

STEPS = 5


class CannotRekey(StoreError):
    """The store cannot be re-keyed as it is; the message says why."""


@dataclasses.dataclass(frozen=True)
class Rekeyed:
    """What a re-key did, for the user to read."""

    store: Store  # the store, open with its new key
    at: str  # when (UTC, ISO 8601)
    recovery: str  # the coordinator the recovery slot is sealed to again, or ""
    recovery_dropped: bool  # a recovery slot whose coordinator is no longer enrolled
    keychain: bool  # "remember on this computer" kept, with a new secret
    request_removed: bool  # an open recovery request, now useless, was removed


def rekey(
    store: Store,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    progress: Progress = no_progress,
) -> Rekeyed:
    """Give `store` a new random data key and write every key slot again around it (see the
    module's note for the order and what a crash leaves). `passphrase` is the store's current
    one; the passphrase slot stays under it. Closes `store`; returns the re-opened store."""
    path = store.path
    try:
        keys, old_key = store.key_file, store.data_key
    except RuntimeError:
        raise CannotRekey("This store is not encrypted, so it has no key to change.") from None
    if store.db.conn.in_transaction:
        raise RuntimeError("rekey() must not run inside a transaction")
    try:
        opened = keys.open_with_passphrase(passphrase)
    except (SlotDoesNotOpen, KeyFileError):
        opened = b""
    if not secrets.compare_digest(opened, old_key):
        raise WrongPassphrase(recoverable=keys.has_slot(sync.RECOVERY_SLOT))
    progress(1, STEPS)

    new_key = secrets.token_bytes(32)
    new_keys = KeyFile(store_id=keys.store_id, slots=[], database_salt=keys.database_salt)
    new_keys.set_passphrase(new_key, passphrase, kdf or KdfParams())
    recovery, dropped = _reseal_recovery(store, keys, new_keys, new_key)
    had_keychain = keys.has_slot("keychain")
    next_path = path / NEXT_KEY_NAME
    new_keys.save(next_path)
    progress(2, STEPS)

    # The hex comes from our own random bytes: PRAGMAs take no bound parameters.
    store.db.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    progress(3, STEPS)

    store.close()
    reopened = Store.open_with_key(path, new_key, new_keys)
    progress(4, STEPS)

    new_keys.save(path / KEY_NAME)
    next_path.unlink(missing_ok=True)
    progress(5, STEPS)

    kept_keychain = False
    if had_keychain:
        kept_keychain = reopened.remember_on_this_computer()
        if not kept_keychain:
            keychain.forget_key(keys.store_id)
    pending = path / PENDING_NAME
    request_removed = pending.exists()
    pending.unlink(missing_ok=True)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    reopened.set_setting(REKEYED_SETTING, {"at": at, "recovery": recovery})
    return Rekeyed(
        store=reopened,
        at=at,
        recovery=recovery,
        recovery_dropped=dropped,
        keychain=kept_keychain,
        request_removed=request_removed,
    )


def last_rekey(store: Store) -> str | None:
    """When this store was last re-keyed (UTC, ISO 8601), or None."""
    return rekeyed_at(store.get_setting(REKEYED_SETTING)) or None


def _reseal_recovery(
    store: Store, keys: KeyFile, new_keys: KeyFile, new_key: bytes
) -> tuple[str, bool]:
    """Seal the new data key to the coordinator the old recovery slot was sealed to, as
    db/sync/enrolment.py seal_recovery_slot does at enrolment; returns the coordinator's name
    (or "") and whether a slot was dropped because that coordinator is no longer enrolled."""
    slot = keys.slot(sync.RECOVERY_SLOT)
    if slot is None:
        return "", False
    coordinator = next(
        (
            p.enrolment
            for p in sync.partners(store)
            if p.enrolment.store_id == slot.get("coordinator")
        ),
        None,
    )
    if coordinator is None:
        return "", True
    payload = json.dumps(
        {
            "format": sync.RECOVERY_KEY_FORMAT,
            "store_id": keys.store_id,
            "data_key": base64.b64encode(new_key).decode("ascii"),
        }
    ).encode("utf-8")
    recipient = pyrage.x25519.Recipient.from_str(coordinator.age_recipient)
    new_keys.set_sealed_slot(
        sync.RECOVERY_SLOT,
        {
            "coordinator": coordinator.store_id,
            "coordinator_name": coordinator.name,
            "coordinator_fingerprint": coordinator.fingerprint,
            "sealed": base64.b64encode(pyrage.encrypt(payload, [recipient])).decode("ascii"),
        },
    )
    return coordinator.name or coordinator.store_id, False
