"""Fuzzing the layers of a bundle a stranger can reach: the ZIP inside the age file, and the
manifest, whether unsigned (anyone with this store's public key) or signed by an enrolled
sender whose writer is broken. Whatever the bytes, `read_bundle` either opens the bundle or
refuses it with a BundleError (a plain message); nothing else ever escapes.

Deterministic (derandomize) and modest, so it runs in seconds: on the code before these bounds
the same search found RecursionError, ValueError and NotImplementedError within its examples.
"""

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pyrage
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmdesk.families import CaseNote, Family
from fmdesk.roles import Role
from fmdesk.sync import bundle as fmb
from fmdesk.sync.bundle import BundleError, Change, make_bundle, read_bundle
from fmdesk.sync.identity import StoreIdentity

PRACTITIONER = StoreIdentity.generate(store_id="p1", role=Role.PRACTITIONER, name="Aoife Byrne")
COORDINATOR = StoreIdentity.generate(store_id="c1", role=Role.COORDINATOR, name="Central team")
FAMILY = Family(reference="EH-0009", name="Nowak family", revision="001772446500000-00000-p1")
NOTE = CaseNote(
    family_id=FAMILY.id,
    on=dt.date(2026, 1, 5),
    text="Visit: agreed the plan with Zoë.",
    revision="001772446500001-00000-p1",
)
DATA, _ = make_bundle(
    sender=PRACTITIONER,
    recipient=COORDINATOR.enrolment,
    changes=[Change.from_record(FAMILY), Change.from_record(NOTE)],
    sequence=4,
    previous_sequence=3,
    acknowledged_up_to=2,
)
PLAIN = pyrage.decrypt(DATA, [COORDINATOR.age_identity])
with zipfile.ZipFile(io.BytesIO(PLAIN)) as _zf:
    MEMBERS = {name: _zf.read(name) for name in _zf.namelist()}
MANIFEST = json.loads(MEMBERS["manifest.json"])
TRUSTED = fmb.Manifest.from_dict(MANIFEST).trusted_comment
PUBLIC = pyrage.x25519.Recipient.from_str(COORDINATOR.enrolment.age_recipient)

FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


def judged(plain: bytes) -> None:
    """Encrypt `plain` to the coordinator (its public key only) and read it: it must open or be
    refused with a BundleError that says something."""
    try:
        read_bundle(pyrage.encrypt(plain, [PUBLIC]), COORDINATOR, [PRACTITIONER.enrolment])
    except BundleError as exc:
        message = str(exc)
    else:
        return
    assert message  # every refusal says what is wrong


def zipped(members: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=fmb.ZIP_DATE)
            info.compress_type = (
                zipfile.ZIP_DEFLATED if name == "records.jsonl" else zipfile.ZIP_STORED
            )
            zf.writestr(info, content)
    return archive.getvalue()


# ---- the ZIP layer ---------------------------------------------------------------------------

# The header fields that matter most: versions, flags, methods, sizes, counts, offsets, name
# lengths, in the local headers, the central directory and its end record.
FIELDS = (
    [(b"PK\x03\x04", at) for at in (4, 5, 6, 7, 8, 9, 18, 21, 22, 25, 26, 28)]
    + [(b"PK\x01\x02", at) for at in (4, 6, 7, 8, 10, 11, 20, 23, 24, 27, 28, 30, 42, 45)]
    + [(b"PK\x05\x06", at) for at in (4, 6, 8, 9, 10, 11, 12, 15, 16, 19, 20)]
)
TELLING = [0, 1, 2, 8, 12, 14, 20, 45, 63, 64, 70, 99, 0x7F, 0x80, 0xFF]

mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, len(PLAIN) - 1), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.integers(0, len(PLAIN) - 1), st.integers(1, 64)),
    st.tuples(st.just("insert"), st.integers(0, len(PLAIN)), st.binary(min_size=1, max_size=16)),
    st.tuples(
        st.just("header"),
        st.sampled_from(FIELDS),
        st.sampled_from(TELLING) | st.integers(0, 255),
        st.integers(0, 2),
    ),
)


def mutate(data: bytes, changes: list[tuple[Any, ...]]) -> bytes:
    out = bytearray(data)
    for change in changes:
        if change[0] == "set":
            _, at, value = change
            if at < len(out):
                out[at] = value
        elif change[0] == "cut":
            _, at, length = change
            del out[at : at + length]
        elif change[0] == "insert":
            _, at, extra = change
            out[at:at] = extra
        else:
            _, (signature, offset), value, which = change
            found = -1
            for _ in range(which + 1):  # the first, second or third such header
                found = out.find(signature, found + 1)
            if found >= 0 and found + offset < len(out):
                out[found + offset] = value
    return bytes(out)


def test_every_header_field_set_to_each_telling_value_is_opened_or_refused() -> None:
    # Searched through, not sampled: a ZIP version byte above 6.3 raised NotImplementedError.
    for field in FIELDS:
        for which in range(3):
            for value in TELLING:
                judged(mutate(PLAIN, [("header", field, value, which)]))


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_archive_is_opened_or_refused_never_a_crash(
    changes: list[tuple[Any, ...]],
) -> None:
    judged(mutate(PLAIN, changes))


# ---- the manifest layer ----------------------------------------------------------------------

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**53, 2**53 + 1, 2**63, -1, 0]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["\x00", "\u202e", "x" * 5000, "family", "p1", "c1", "fmdesk-bundle"]),
    # Nested deeper than any manifest or record is.
    st.sampled_from([[[[[[[[1]]]]]]], json.loads("[" * 200 + "]" * 200)]),
)
hostile = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as a path of keys and indexes."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


PATHS = [p for p in paths(MANIFEST) if p]


def replaced(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    copy = json.loads(json.dumps(value))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(PATHS), hostile, st.booleans()), min_size=1, max_size=3),
    st.booleans(),
)
def test_a_mutated_manifest_is_opened_or_refused_never_a_crash(
    edits: list[tuple[tuple[Any, ...], Any, bool]], signed: bool
) -> None:
    manifest: Any = MANIFEST
    for path, new, delete in edits:
        try:
            manifest = replaced(manifest, path, new, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this place
    manifest_bytes = json.dumps(manifest).encode()
    members = dict(MEMBERS, **{"manifest.json": manifest_bytes})
    if signed:  # an enrolled sender's broken writer: it gets past the signature check
        members["manifest.json.minisig"] = PRACTITIONER.sign(
            manifest_bytes, trusted_comment=TRUSTED
        ).encode()
    judged(zipped(members))


@FUZZ
@given(
    st.integers(0, len(MEMBERS["manifest.json"])),
    st.binary(max_size=12)
    | st.sampled_from([b"[" * 2000, b"9" * 5000, b"\\ud800", b"\xff", b'"', b"{", b"NaN"]),
    st.integers(0, 12),
    st.booleans(),
)
def test_manifest_bytes_spliced_are_opened_or_refused_never_a_crash(
    at: int, extra: bytes, cut: int, signed: bool
) -> None:
    raw = MEMBERS["manifest.json"]
    manifest_bytes = raw[:at] + extra + raw[at + cut :]
    members = dict(MEMBERS, **{"manifest.json": manifest_bytes})
    if signed:
        members["manifest.json.minisig"] = PRACTITIONER.sign(
            manifest_bytes, trusted_comment=TRUSTED
        ).encode()
    judged(zipped(members))


def test_the_unmutated_bundle_opens() -> None:
    # The fuzzing starts from a bundle that really opens, so that refusals mean something.
    opened = read_bundle(
        pyrage.encrypt(zipped(MEMBERS), [PUBLIC]), COORDINATOR, [PRACTITIONER.enrolment]
    )
    assert [c.id for c in opened.changes] == [FAMILY.id, NOTE.id]


@pytest.mark.parametrize("member", ["manifest.json", "manifest.json.minisig", "records.jsonl"])
def test_each_member_missing_is_refused(member: str) -> None:
    with pytest.raises(BundleError):
        read_bundle(
            pyrage.encrypt(zipped({k: v for k, v in MEMBERS.items() if k != member}), [PUBLIC]),
            COORDINATOR,
            [PRACTITIONER.enrolment],
        )
