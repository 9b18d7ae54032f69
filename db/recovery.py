"""Setting a new passphrase with the coordinator's help, when the old one is forgotten.

docs/recovery.md is the procedure for people; this is how it works.

- At enrolment (db/sync.py: `enrol` → `seal_recovery_slot`) a practitioner's store seals
  its data key to the coordinator's age recipient, as the `recovery` slot of keys.json. This is
  escrow: whoever holds the coordinator store's keys can unlock this laptop's store.
- 1. The practitioner, locked out, makes a request (`make_request`): a fresh one-off age key
  pair; the request file carries its public half, the sealed slot and a short code to read out
  by phone. The one-off secret stays beside the store, wrapped under the new passphrase the
  practitioner chose (Argon2id, as the passphrase slot), so the request file alone, or the
  laptop alone, is not enough.
- 2. The coordinator (`issue_unlock`) checks the code by phone, opens the slot with its store's
  key and seals the data key to the one-off key: the unlock file. The coordinator never sees
  the practitioner's database; only the slot and the request travel.
- 3. The practitioner (`unlock_with_file`) opens the unlock file with the one-off secret and the
  new passphrase, checks the key opens the store, rewraps the passphrase slot under the new
  passphrase and deletes the one-off secret, so the unlock file is useless afterwards.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pyrage

from db import sync
from db.keyslots import KdfParams, KeyFile, SlotDoesNotOpen, write_atomic
from db.store import KEY_NAME, Store
from fmdesk.errors import UserError
from fmdesk.roles import Role

SLOT = sync.RECOVERY_SLOT
KEY_FORMAT = sync.RECOVERY_KEY_FORMAT
REQUEST_FORMAT = "fmdesk-recovery-request/1"
UNLOCK_FORMAT = "fmdesk-recovery-unlock/1"
# Beside fmdesk.db and keys.json while a request is open; removed once it has been used.
PENDING_NAME = "recovery-request.json"
REQUEST_SUFFIX = ".fmrq"
UNLOCK_SUFFIX = ".fmul"


class RecoveryError(UserError):
    """A recovery step cannot go ahead; the message says why and what to do."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Request:
    """A practitioner's request for an unlock file, as the coordinator reads it."""

    request_id: str
    store_id: str
    made: str
    reply_to: str  # the one-off age recipient the unlock file is sealed to
    slot: dict[str, Any]

    @property
    def code(self) -> str:
        """What the practitioner reads out by phone: binds the request to that person."""
        return request_code(self.reply_to)

    def to_json(self) -> bytes:
        data = {
            "format": REQUEST_FORMAT,
            "request_id": self.request_id,
            "store_id": self.store_id,
            "made": self.made,
            "reply_to": self.reply_to,
            "code": self.code,
            "slot": self.slot,
        }
        return (json.dumps(data, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Request:
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != REQUEST_FORMAT:
                raise ValueError("format")
            request = cls(
                request_id=_text(data["request_id"]),
                store_id=_text(data["store_id"]),
                made=_text(data["made"]),
                reply_to=_text(data["reply_to"]),
                slot=dict(data["slot"]),
            )
            pyrage.x25519.Recipient.from_str(request.reply_to)
        except Exception:  # any damage at all reads the same to the user
            raise RecoveryError(
                "This is not an fmdesk recovery request, or it is damaged. Ask the "
                "practitioner to make a new one with 'fmdesk recover request'."
            ) from None
        if data.get("code", request.code) != request.code:
            raise RecoveryError("This recovery request has been altered: its code is wrong.")
        return request


@dataclasses.dataclass(frozen=True, kw_only=True)
class Issued:
    """What the coordinator issued, to confirm with the practitioner."""

    store_id: str
    name: str
    code: str
    fingerprint: str


def request_code(reply_to: str) -> str:
    digest = hashlib.sha256(b"fmdesk recovery request 1\n" + reply_to.encode("ascii")).digest()
    letters = base64.b32encode(digest).decode("ascii")[:12]
    return " ".join(letters[i : i + 4] for i in range(0, 12, 4))


# ---- 1. the practitioner asks ----------------------------------------------------------------


def make_request(store_path: Path, new_passphrase: str, *, kdf: KdfParams | None = None) -> Request:
    """Start a recovery: keep a one-off key beside the store (wrapped under `new_passphrase`)
    and return the request to send to the coordinator. A new request replaces an older one."""
    store_path = Path(store_path)
    keys = Store.read_key_file(store_path)
    slot = keys.slot(SLOT)
    if slot is None:
        raise RecoveryError(
            "This store has no recovery slot (a practitioner's store gets one when it enrols "
            "its coordinator; a coordinator's own store never has one), so nobody else can "
            "unlock it. Without the passphrase its data cannot be read."
        )
    one_off = pyrage.x25519.Identity.generate()
    request = Request(
        request_id=str(uuid.uuid4()),
        store_id=keys.store_id,
        made=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        reply_to=str(one_off.to_public()),
        slot={k: v for k, v in slot.items() if k != "type"},
    )
    pending = KeyFile(store_id=keys.store_id, slots=[])
    secret = json.dumps({"request_id": request.request_id, "identity": str(one_off)})
    pending.set_passphrase(secret.encode("utf-8"), new_passphrase, kdf or KdfParams())
    pending.save(store_path / PENDING_NAME)
    return request


# ---- 2. the coordinator issues ---------------------------------------------------------------


def read_request(store: Store, raw: bytes) -> tuple[Request, sync.Partner]:
    """Check a request against the enrolled practitioners, before anything is opened."""
    if store.info.role is not Role.COORDINATOR:
        raise RecoveryError("Only the coordinator's store can issue an unlock file.")
    request = Request.from_json(raw)
    partner = next(
        (p for p in sync.partners(store) if p.enrolment.store_id == request.store_id), None
    )
    if partner is None:
        raise RecoveryError(
            "This request comes from a store that is not enrolled here, so this store cannot "
            "open its recovery slot."
        )
    return request, partner


def issue_unlock(store: Store, raw: bytes) -> tuple[bytes, Issued]:
    """The unlock file for a request (the caller has had the code confirmed by phone), and
    what to tell the practitioner. Each issue is logged in the coordinator's store."""
    request, partner = read_request(store, raw)
    me = sync.identity(store)
    if request.slot.get("coordinator") != store.info.store_id:
        raise RecoveryError(
            "This store's recovery slot was sealed to another coordinator store "
            f"({request.slot.get('coordinator_name') or 'unknown'}); only that store can open it."
        )
    try:
        sealed = base64.b64decode(request.slot["sealed"], validate=True)
        payload = json.loads(pyrage.decrypt(sealed, [me.age_identity]).decode("utf-8"))
        data_key = base64.b64decode(payload["data_key"], validate=True)
        if payload.get("format") != KEY_FORMAT or len(data_key) != 32:
            raise ValueError("format")
    except (KeyError, TypeError, ValueError, binascii.Error, pyrage.DecryptError):
        raise RecoveryError(
            "The recovery slot in this request does not open with this store's key: it is "
            "damaged, or was sealed before this store's keys changed."
        ) from None
    if payload.get("store_id") != request.store_id:
        raise RecoveryError("The recovery slot in this request belongs to another store.")
    unlock = json.dumps(
        {
            "format": UNLOCK_FORMAT,
            "request_id": request.request_id,
            "store_id": request.store_id,
            "data_key": payload["data_key"],
        }
    ).encode("utf-8")
    sealed_back = pyrage.encrypt(unlock, [pyrage.x25519.Recipient.from_str(request.reply_to)])
    with store.transaction():
        store.db.execute(
            "INSERT INTO recovery_issued (request_id, store_id, store_name, issued_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(request_id) DO UPDATE SET "
            "issued_at = excluded.issued_at",
            [
                request.request_id,
                request.store_id,
                partner.enrolment.name,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            ],
        )
    return sealed_back, Issued(
        store_id=request.store_id,
        name=partner.enrolment.name,
        code=request.code,
        fingerprint=partner.enrolment.fingerprint,
    )


# ---- 3. the practitioner sets the new passphrase ---------------------------------------------


def unlock_with_file(
    store_path: Path, unlock: bytes, new_passphrase: str, *, kdf: KdfParams | None = None
) -> None:
    """Open the unlock file, check its key opens the store, set `new_passphrase` (the one
    chosen for the request) and delete the one-off key. Nothing changes if any step fails."""
    store_path = Path(store_path)
    keys = Store.read_key_file(store_path)
    pending_path = store_path / PENDING_NAME
    if not pending_path.exists():
        raise RecoveryError(
            "This store has no open recovery request (an unlock file works once, for the "
            "request it answers). Make a request with 'fmdesk recover request'."
        )
    try:
        pending = KeyFile.load(pending_path)
        secret = json.loads(pending.open_with_passphrase(new_passphrase))
        one_off = pyrage.x25519.Identity.from_str(secret["identity"])
    except SlotDoesNotOpen:
        raise RecoveryError(
            "That is not the new passphrase chosen when the request was made."
        ) from None
    except Exception:
        raise RecoveryError(
            "The open recovery request beside this store is damaged. Make a new request."
        ) from None
    try:
        payload = json.loads(pyrage.decrypt(unlock, [one_off]).decode("utf-8"))
        data_key = base64.b64decode(payload["data_key"], validate=True)
        if payload.get("format") != UNLOCK_FORMAT:
            raise ValueError("format")
    except Exception:
        raise RecoveryError(
            "This unlock file does not answer this store's open request (it may answer an "
            "older request, or be damaged). Ask the coordinator to issue it again."
        ) from None
    if payload.get("store_id") != keys.store_id or payload.get("request_id") != secret.get(
        "request_id"
    ):
        raise RecoveryError("This unlock file was issued for another store or request.")
    Store.open_with_key(store_path, data_key, keys).close()  # the key really opens the store
    keys.set_passphrase(data_key, new_passphrase, kdf or KdfParams())
    keys.save(store_path / KEY_NAME)
    pending_path.unlink()


def write_file(path: Path, data: bytes) -> None:
    try:
        write_atomic(Path(path), data)
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror}.") from None


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected text")
    return value
