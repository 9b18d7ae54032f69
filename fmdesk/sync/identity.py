"""A store's sync identity: its signing key, its age encryption identity and their public half.

Each store makes one `StoreIdentity` when it is created. The secret half goes into the store's
encrypted database as bytes (`secret_bytes()`); nothing here writes a file. The public half is
an `Enrolment`, exchanged once between a practitioner and the coordinator as a small JSON file.
Each side then shows the other's `fingerprint`, five groups of four characters, to read out
over the phone: if they match, nobody swapped the file on the way.
"""

import base64
import dataclasses
import hashlib
import json
from typing import Any, Self

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fmdesk.errors import UserError, ValidationError
from fmdesk.roles import Role
from fmdesk.sync import minisig

ENROLMENT_FORMAT = "fmdesk-enrolment/1"
SECRET_FORMAT = "fmdesk-identity-secret/1"


class EnrolmentError(UserError):
    """An enrolment file is damaged, or is not an fmdesk enrolment file."""


def fingerprint(signing_public_key: bytes, age_recipient: str) -> str:
    """Five groups of four characters (A–Z, 2–7) from a hash of both public keys."""
    digest = hashlib.sha256(
        b"fmdesk fingerprint 1\n" + signing_public_key + b"\n" + age_recipient.encode("ascii")
    ).digest()
    letters = base64.b32encode(digest).decode("ascii")[:20]
    return " ".join(letters[i : i + 4] for i in range(0, 20, 4))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Enrolment:
    """The public half of a store's identity: what a partner needs to check and reach it."""

    store_id: str
    role: Role
    name: str
    # The base64 line of a minisign public key ("RWS…"), which carries the key id too.
    signing_key: str
    age_recipient: str

    def __post_init__(self) -> None:
        try:
            minisig.parse_public_key_line(self.signing_key)
        except minisig.MinisignError as exc:
            raise ValidationError(f"signing_key: {exc}") from None
        try:
            pyrage.x25519.Recipient.from_str(self.age_recipient)
        except Exception:  # pyrage raises its own RecipientError, not a ValueError
            raise ValidationError("age_recipient: not an age X25519 recipient (age1…)") from None
        if not self.store_id.strip():
            raise ValidationError("store_id: a store id is needed")

    @property
    def signing_public_key(self) -> bytes:
        return minisig.parse_public_key_line(self.signing_key)[1]

    @property
    def key_id(self) -> bytes:
        return minisig.parse_public_key_line(self.signing_key)[0]

    @property
    def key_id_text(self) -> str:
        """The key id as minisign prints it (16 hex digits)."""
        return minisig.key_id_text(self.key_id)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public_key, self.age_recipient)

    def minisign_public_key_file(self) -> str:
        """The signing key as a minisign `.pub` file, for `minisign -V -p FILE`."""
        return minisig.public_key_file(self.signing_public_key, self.key_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": ENROLMENT_FORMAT,
            "store_id": self.store_id,
            "role": self.role.value,
            "name": self.name,
            "signing_key": self.signing_key,
            "key_id": self.key_id_text,
            "age_recipient": self.age_recipient,
            "fingerprint": self.fingerprint,
        }

    def to_json(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        if not isinstance(data, dict) or data.get("format") != ENROLMENT_FORMAT:
            raise EnrolmentError("This is not an fmdesk enrolment file.")
        try:
            values = {k: data[k] for k in ("store_id", "role", "name", "signing_key")}
            values["age_recipient"] = data["age_recipient"]
        except KeyError as exc:
            raise EnrolmentError(f"The enrolment file has no {exc.args[0]}.") from None
        if not all(isinstance(v, str) for v in values.values()):
            raise EnrolmentError("The enrolment file is damaged: a value is not text.")
        try:
            values["role"] = Role(values["role"])
            enrolment = cls(**values)
        except (ValueError, ValidationError) as exc:
            raise EnrolmentError(f"The enrolment file is damaged ({exc}).") from None
        # The stored key id and fingerprint are conveniences for people reading the file; if
        # they disagree with the keys, the file has been edited and must not be trusted.
        if (
            data.get("key_id", enrolment.key_id_text) != enrolment.key_id_text
            or data.get("fingerprint", enrolment.fingerprint) != enrolment.fingerprint
        ):
            raise EnrolmentError(
                "The enrolment file is damaged: its fingerprint does not match its keys."
            )
        return enrolment

    @classmethod
    def from_json(cls, data: bytes) -> Self:
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise EnrolmentError("This is not an fmdesk enrolment file.") from None
        return cls.from_dict(parsed)


class StoreIdentity:
    """A store's secret keys. Lives in memory while the store is open; never written as a file."""

    def __init__(
        self,
        *,
        store_id: str,
        role: Role,
        name: str,
        signing_key: Ed25519PrivateKey,
        age_identity: pyrage.x25519.Identity,
    ) -> None:
        self.store_id = store_id
        self.role = role
        self.name = name
        self._signing_key = signing_key
        self._age_identity = age_identity
        public = signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._enrolment = Enrolment(
            store_id=store_id,
            role=role,
            name=name,
            signing_key=minisig.public_key_line(public, minisig.key_id_for(public)),
            age_recipient=str(age_identity.to_public()),
        )

    @classmethod
    def generate(cls, *, store_id: str, role: Role, name: str) -> Self:
        return cls(
            store_id=store_id,
            role=role,
            name=name,
            signing_key=Ed25519PrivateKey.generate(),
            age_identity=pyrage.x25519.Identity.generate(),
        )

    def __repr__(self) -> str:  # never show the keys in a log or a traceback
        return f"StoreIdentity(store_id={self.store_id!r}, role={self.role.value!r})"

    @property
    def enrolment(self) -> Enrolment:
        return self._enrolment

    @property
    def fingerprint(self) -> str:
        return self._enrolment.fingerprint

    @property
    def age_identity(self) -> pyrage.x25519.Identity:
        return self._age_identity

    def age_identity_text(self) -> str:
        """The secret in age's key-file form (AGE-SECRET-KEY-1…), for `age -d -i`."""
        return str(self._age_identity)

    def sign(self, message: bytes, *, trusted_comment: str) -> str:
        """A minisign signature (`.minisig` text) of `message` by this store."""
        return minisig.sign(
            self._signing_key,
            self._enrolment.key_id,
            message,
            trusted_comment=trusted_comment,
            untrusted_comment=f"signature from fmdesk store {self.store_id}",
        )

    def secret_bytes(self) -> bytes:
        """Everything needed to rebuild this identity, for the encrypted store to keep."""
        seed = self._signing_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        data = {
            "format": SECRET_FORMAT,
            "store_id": self.store_id,
            "role": self.role.value,
            "name": self.name,
            "signing_seed": base64.b64encode(seed).decode("ascii"),
            "age_identity": str(self._age_identity),
        }
        return json.dumps(data).encode("utf-8")

    @classmethod
    def from_secret_bytes(cls, data: bytes) -> Self:
        try:
            parsed = json.loads(data.decode("utf-8"))
            if parsed["format"] != SECRET_FORMAT:
                raise ValueError("unknown format")
            return cls(
                store_id=parsed["store_id"],
                role=Role(parsed["role"]),
                name=parsed["name"],
                signing_key=Ed25519PrivateKey.from_private_bytes(
                    base64.b64decode(parsed["signing_seed"], validate=True)
                ),
                age_identity=pyrage.x25519.Identity.from_str(parsed["age_identity"]),
            )
        except Exception as exc:  # any damage at all: the store reports it the same way
            raise ValidationError(f"the store's sync keys are damaged ({exc})") from None

    def renamed(self, name: str) -> Self:
        """The same keys under a new display name (the name is not part of the fingerprint)."""
        return type(self)(
            store_id=self.store_id,
            role=self.role,
            name=name,
            signing_key=self._signing_key,
            age_identity=self._age_identity,
        )
