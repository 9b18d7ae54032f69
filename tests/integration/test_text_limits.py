"""The text rule (fmdesk/text.py) on a real store and the command line: refused text never
reaches the store and is reported in plain words; a record saved before the rule still opens."""

import json
import unicodedata
from pathlib import Path

import pytest

from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates


def fmdesk(home: Path, *args: str) -> Ran:
    return run_cli(*args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE})


def test_a_family_named_with_control_or_override_characters_is_refused_on_the_command_line(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name="Zoë Fairweather")
    for name, said in (
        ("Khan\u202e family", "name holds a text-direction override (U+202E)"),
        ("Khan\x07 family", "name holds a control character (U+0007)"),
        ("K" * 201, "name is too long (201 characters; it may hold at most 200)"),
    ):
        refused = fmdesk(tmp_path, "families", "add", name)
        assert refused.returncode == 1, refused.stdout
        assert refused.stderr.startswith("fmdesk: ")
        assert said in refused.stderr
    listed = fmdesk(tmp_path, "families", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_a_name_given_in_decomposed_form_is_kept_in_normal_form_c(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name="Zoë Fairweather")
    added = fmdesk(tmp_path, "families", "add", unicodedata.normalize("NFD", "Brontë family"))
    assert added.returncode == 0, added.stderr
    (family,) = json.loads(fmdesk(tmp_path, "families", "list", "--json").stdout)
    assert family["name"] == "Brontë family"
    assert unicodedata.is_normalized("NFC", family["name"])


def test_a_record_saved_before_the_rule_still_opens_and_its_next_change_says_why_not(
    store: Store,
) -> None:
    family = Family(reference="EH-1", name="Ng family")
    body = {**family.to_dict(), "name": "Ng\x00 family", "revision": store.clock.now()}
    with store.transaction():
        store.write_bodies(
            [(family.id, "family", family.id, body["revision"], False, json.dumps(body))]
        )
    held = store.get(Family, family.id)
    assert held is not None
    assert held.name == "Ng\x00 family"
    assert [f.id for f in store.list(Family)] == [family.id]
    with pytest.raises(ValueError, match=r"name holds a control character \(U\+0000\)"):
        held.replace(postcode="LS1 1AA")
    (fixed,) = store.save(held.replace(name="Ng family", postcode="LS1 1AA"))
    assert store.get(Family, family.id) == fixed
