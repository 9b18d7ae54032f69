"""Minisign's public-key and signature formats, written and read with `cryptography`.

We sign each bundle's manifest in minisign's format so that a coordinator can check a bundle
with the standard `minisign -V` tool, without fmdesk. The format is small (see
https://jedisct1.github.io/minisign/): a key is "Ed" + an 8-byte key id + the 32-byte Ed25519
public key; a signature is "ED" + key id + Ed25519(BLAKE2b-512(message)), followed by a trusted
comment and a second signature over (first signature + trusted comment), so the comment cannot
be changed either. We write it by hand because the py-minisign package is not installed in this
environment, and the format needs nothing beyond Ed25519 and BLAKE2b.
"""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_ALGORITHM = b"Ed"
# "ED" marks a signature over the BLAKE2b-512 hash of the message (minisign's default since 0.8).
PREHASHED_ALGORITHM = b"ED"
KEY_ID_BYTES = 8
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


class MinisignError(ValueError):
    """A minisign key or signature is malformed or does not verify."""


class KeyIdMismatch(MinisignError):
    """The signature was made by a different key than the one given."""


def key_id_for(public_key: bytes) -> bytes:
    """A key id derived from the key itself, so the same key always has the same id."""
    return hashlib.blake2b(public_key, digest_size=KEY_ID_BYTES, person=b"fmdesk-keyid").digest()


def key_id_text(key_id: bytes) -> str:
    """The key id as minisign prints it: the 8 bytes read as a little-endian number, in hex."""
    return key_id[::-1].hex().upper()


def public_key_line(public_key: bytes, key_id: bytes) -> str:
    """The base64 line of a minisign public key (what `minisign -P` takes)."""
    return base64.b64encode(KEY_ALGORITHM + key_id + public_key).decode("ascii")


def public_key_file(public_key: bytes, key_id: bytes) -> str:
    """A complete minisign public key file, as `minisign -p FILE` reads it."""
    return (
        f"untrusted comment: minisign public key {key_id_text(key_id)}\n"
        f"{public_key_line(public_key, key_id)}\n"
    )


def parse_public_key_line(line: str) -> tuple[bytes, bytes]:
    """Returns (key id, public key) from a minisign public key's base64 line."""
    raw = _b64(line.strip(), "public key")
    if len(raw) != 2 + KEY_ID_BYTES + PUBLIC_KEY_BYTES or raw[:2] != KEY_ALGORITHM:
        raise MinisignError("not a minisign Ed25519 public key")
    return raw[2 : 2 + KEY_ID_BYTES], raw[2 + KEY_ID_BYTES :]


def sign(
    private_key: Ed25519PrivateKey,
    key_id: bytes,
    message: bytes,
    *,
    trusted_comment: str,
    untrusted_comment: str = "signature from fmdesk",
) -> str:
    """The text of a `.minisig` file for `message`."""
    for comment in (trusted_comment, untrusted_comment):
        if "\n" in comment or "\r" in comment:
            raise ValueError("a minisign comment must be a single line")
    signature = private_key.sign(_prehash(message))
    global_signature = private_key.sign(signature + trusted_comment.encode("utf-8"))
    return (
        f"untrusted comment: {untrusted_comment}\n"
        f"{base64.b64encode(PREHASHED_ALGORITHM + key_id + signature).decode('ascii')}\n"
        f"trusted comment: {trusted_comment}\n"
        f"{base64.b64encode(global_signature).decode('ascii')}\n"
    )


def signature_key_id(signature_text: str) -> bytes:
    """The key id a `.minisig` says it was made with (not yet verified)."""
    return _parse_signature(signature_text)[1]


def verify(public_key: bytes, key_id: bytes, message: bytes, signature_text: str) -> str:
    """Check a `.minisig` against `message`; returns the trusted comment.

    Raises KeyIdMismatch when another key made the signature and MinisignError when it does
    not verify or is malformed."""
    algorithm, signed_key_id, signature, trusted_comment, global_signature = _parse_signature(
        signature_text
    )
    if signed_key_id != key_id:
        raise KeyIdMismatch("signed by a different key")
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    signed = _prehash(message) if algorithm == PREHASHED_ALGORITHM else message
    try:
        verifier.verify(signature, signed)
        verifier.verify(global_signature, signature + trusted_comment.encode("utf-8"))
    except InvalidSignature:
        raise MinisignError("the signature does not match") from None
    return trusted_comment


def _parse_signature(text: str) -> tuple[bytes, bytes, bytes, str, bytes]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != 4:
        raise MinisignError("a minisign signature has four lines")
    untrusted, encoded, trusted, encoded_global = lines
    if not untrusted.startswith("untrusted comment: "):
        raise MinisignError("the first line is not an untrusted comment")
    if not trusted.startswith("trusted comment: "):
        raise MinisignError("the third line is not a trusted comment")
    raw = _b64(encoded, "signature")
    if len(raw) != 2 + KEY_ID_BYTES + SIGNATURE_BYTES:
        raise MinisignError("the signature has the wrong length")
    algorithm = raw[:2]
    if algorithm not in (PREHASHED_ALGORITHM, KEY_ALGORITHM):
        raise MinisignError("unknown signature algorithm")
    global_signature = _b64(encoded_global, "comment signature")
    if len(global_signature) != SIGNATURE_BYTES:
        raise MinisignError("the comment signature has the wrong length")
    return (
        algorithm,
        raw[2 : 2 + KEY_ID_BYTES],
        raw[2 + KEY_ID_BYTES :],
        trusted.removeprefix("trusted comment: "),
        global_signature,
    )


def _prehash(message: bytes) -> bytes:
    return hashlib.blake2b(message, digest_size=64).digest()


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MinisignError(f"the {what} is not valid base64") from None
