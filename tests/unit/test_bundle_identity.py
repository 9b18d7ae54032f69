"""Store identities and enrolment files: what a coordinator and a practitioner exchange once."""

import json
import re

import pytest

from fmdesk.errors import ValidationError
from fmdesk.roles import Role
from fmdesk.sync.identity import Enrolment, EnrolmentError, StoreIdentity, fingerprint


@pytest.fixture(scope="module")
def practitioner() -> StoreIdentity:
    return StoreIdentity.generate(store_id="store-zoe", role=Role.PRACTITIONER, name="Zoë Ławson")


def test_enrolment_file_round_trips_with_name_and_role(practitioner: StoreIdentity) -> None:
    data = practitioner.enrolment.to_json()
    again = Enrolment.from_json(data)
    assert again == practitioner.enrolment
    assert again.name == "Zoë Ławson"
    assert again.role is Role.PRACTITIONER
    parsed = json.loads(data)
    assert parsed["age_recipient"].startswith("age1")
    assert parsed["signing_key"].startswith("RW")  # minisign's "Ed" public key prefix
    assert parsed["fingerprint"] == practitioner.fingerprint


def test_fingerprint_is_five_groups_of_four_easy_to_read_aloud(
    practitioner: StoreIdentity,
) -> None:
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){4}", practitioner.fingerprint)


def test_fingerprint_changes_with_either_key(practitioner: StoreIdentity) -> None:
    other = StoreIdentity.generate(store_id="store-zoe", role=Role.PRACTITIONER, name="Zoë")
    mine = practitioner.enrolment
    assert other.fingerprint != practitioner.fingerprint
    assert fingerprint(mine.signing_public_key, other.enrolment.age_recipient) not in (
        mine.fingerprint,
        other.fingerprint,
    )


def test_secret_bytes_rebuild_the_same_identity(practitioner: StoreIdentity) -> None:
    again = StoreIdentity.from_secret_bytes(practitioner.secret_bytes())
    assert again.enrolment == practitioner.enrolment
    assert again.age_identity_text() == practitioner.age_identity_text()
    assert again.sign(b"x", trusted_comment="c") == practitioner.sign(b"x", trusted_comment="c")


def test_damaged_secret_bytes_are_a_validation_error(practitioner: StoreIdentity) -> None:
    damaged = practitioner.secret_bytes().replace(b"AGE-SECRET-KEY-1", b"AGE-SECRET-KEY-2")
    with pytest.raises(ValidationError, match="sync keys are damaged"):
        StoreIdentity.from_secret_bytes(damaged)


def test_repr_never_shows_the_secrets(practitioner: StoreIdentity) -> None:
    assert "AGE-SECRET" not in repr(practitioner)
    assert practitioner.age_identity_text() not in repr(practitioner)


def test_an_edited_enrolment_file_is_refused(practitioner: StoreIdentity) -> None:
    other = StoreIdentity.generate(store_id="x", role=Role.COORDINATOR, name="Central")
    data = practitioner.enrolment.to_dict()
    # Someone swaps in their own encryption key but leaves the fingerprint people compare.
    data["age_recipient"] = other.enrolment.age_recipient
    with pytest.raises(EnrolmentError, match="fingerprint does not match"):
        Enrolment.from_dict(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not an fmdesk enrolment file"),
        (b'{"format": "something-else"}', "not an fmdesk enrolment file"),
        (b'{"format": "fmdesk-enrolment/1", "store_id": "a"}', "has no role"),
    ],
)
def test_files_that_are_not_enrolments_are_refused_plainly(data: bytes, message: str) -> None:
    with pytest.raises(EnrolmentError, match=message):
        Enrolment.from_json(data)


def test_a_bad_signing_key_is_refused(practitioner: StoreIdentity) -> None:
    data = practitioner.enrolment.to_dict()
    data["signing_key"] = "RWQnotakey"
    data.pop("fingerprint")
    data.pop("key_id")
    with pytest.raises(EnrolmentError, match="signing_key"):
        Enrolment.from_dict(data)
