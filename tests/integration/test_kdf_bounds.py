"""Argon2id's cost in keys.json is bounded: a damaged or altered key file cannot ask for 4 TiB of
memory, a negative amount or a hundred million passes. Each is refused at once as a damaged key
file, in the store's usual plain words, and nothing is written."""

import json
import time
from pathlib import Path
from typing import Any

import pytest

from db.errors import StoreDamaged
from db.keyslots import KdfParams
from db.store import KEY_NAME, Store
from fmdesk.roles import Role
from tests.conftest import PRACTITIONER_NAME, TEST_PASSPHRASE, StoreTemplates


def with_kdf(folder: Path, **changes: Any) -> bytes:
    keys = json.loads((folder / KEY_NAME).read_text())
    (slot,) = (s for s in keys["slots"] if s["type"] == "passphrase")
    slot["kdf"].update(changes)
    body = json.dumps(keys).encode()
    (folder / KEY_NAME).write_bytes(body)
    return body


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            {"memory_kib": 2**32 - 1},
            "memory_kib, 4294967295, is outside 8192 to 4194304",
        ),  # was a MemoryError
        ({"memory_kib": -5}, "memory_kib, -5, is outside"),  # was an OverflowError
        ({"memory_kib": 1024}, "memory_kib, 1024, is outside"),
        ({"iterations": 21}, "iterations, 21, is outside 1 to 20"),
        ({"iterations": 0}, "iterations, 0, is outside"),
        ({"iterations": 3.0}, "iterations is 3.0, not a whole number"),
        ({"iterations": "3"}, "iterations is '3', not a whole number"),
        ({"lanes": 0}, "lanes, 0, is outside 1 to 16"),
        ({"lanes": 17}, "lanes, 17, is outside"),
        ({"lanes": True}, "lanes is True, not a whole number"),
    ],
)
def test_an_argon2_cost_out_of_bounds_is_a_damaged_key_file(
    tmp_path: Path, store_templates: StoreTemplates, changes: dict[str, Any], said: str
) -> None:
    folder = store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name=PRACTITIONER_NAME)
    body = with_kdf(folder, **changes)
    started = time.monotonic()
    with pytest.raises(StoreDamaged) as caught:
        Store.open(folder, TEST_PASSPHRASE)
    assert time.monotonic() - started < 5  # refused, not derived
    message = str(caught.value)
    assert message.startswith(f"The store at {folder} is damaged and cannot be read")
    assert "the passphrase slot is damaged" in message
    assert said in message
    assert (folder / KEY_NAME).read_bytes() == body


def test_a_hundred_million_passes_are_refused_before_any_is_made(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    # Before, the unlock ran for hours; now it is refused before Argon2id starts. (The lanes of 0
    # make Argon2id itself refuse at once, so that without the bounds this test fails quickly
    # rather than hanging.)
    folder = store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name=PRACTITIONER_NAME)
    with_kdf(folder, iterations=10**8, lanes=0)
    with pytest.raises(StoreDamaged, match="iterations, 100000000, is outside 1 to 20"):
        Store.open(folder, TEST_PASSPHRASE)


def test_a_key_file_nested_too_deeply_is_damaged_not_a_crash(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    folder = store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name=PRACTITIONER_NAME)
    (folder / KEY_NAME).write_text('{"format": "fmdesk-keys", "x": ' + "[" * 100_000 + "}")
    with pytest.raises(StoreDamaged, match="not readable JSON"):
        Store.open(folder, TEST_PASSPHRASE)


def test_the_costs_fmdesk_uses_are_within_bounds() -> None:
    assert KdfParams() == KdfParams(memory_kib=128 * 1024, iterations=3, lanes=4)
    KdfParams.fast()
    with pytest.raises(ValueError, match="outside"):
        KdfParams(memory_kib=8 * 1024, iterations=21, lanes=1)
