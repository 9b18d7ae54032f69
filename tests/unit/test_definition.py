"""The Definition record: its content is checked like the file it came from, and its kind is
read from its shape."""

import json
from importlib import resources
from typing import Any

import pytest

from fmdesk.assessment import Template
from fmdesk.definition import (
    Definition,
    DefinitionKind,
    check_fits,
    definition_from_data,
    guess_kind,
)
from fmdesk.errors import ValidationError
from fmdesk.records import record_from_dict


def shipped(kind: str, name: str) -> dict[str, Any]:
    folder = resources.files("fmdesk").joinpath("definitions", kind)
    return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))


def council_template(**changes: Any) -> dict[str, Any]:
    data = shipped("templates", "whole-family.json")
    data.update({"id": "anytown.caf", "name": "Anytown CAF", **changes})
    return data


def test_a_definition_round_trips_and_parses_its_content() -> None:
    made = definition_from_data(DefinitionKind.TEMPLATE, council_template(), file_name="caf.json")
    assert (made.ref, made.name, made.family_id) == ("anytown.caf@1", "Anytown CAF", "")
    again = record_from_dict("definition", json.loads(json.dumps(made.to_dict())))
    assert again == made
    parsed = again.parsed()
    assert isinstance(parsed, Template)
    assert parsed.ref == "anytown.caf@1"


def test_content_that_breaks_its_format_is_refused_naming_the_file_and_field() -> None:
    made = definition_from_data(DefinitionKind.TEMPLATE, council_template(), file_name="caf.json")
    body = made.to_dict()
    body["content"]["sections"][0]["scope"] = "each_chlid"
    with pytest.raises(ValidationError, match=r"caf.json: sections\[0\].scope: 'each_chlid'"):
        record_from_dict("definition", body)
    body = made.to_dict()
    body["version"] = "2"  # the record says one version, its content another
    with pytest.raises(ValidationError, match=r"says anytown\.caf@2 but its content is"):
        record_from_dict("definition", body)


def test_an_id_and_version_is_one_content() -> None:
    first = definition_from_data(DefinitionKind.TEMPLATE, council_template(), file_name="a.json")
    same = definition_from_data(DefinitionKind.TEMPLATE, council_template(), file_name="b.json")
    check_fits(same, [first])  # the same content under another record: fine
    changed = definition_from_data(
        DefinitionKind.TEMPLATE, council_template(name="Renamed"), file_name="c.json"
    )
    with pytest.raises(ValidationError, match=r"already loaded \(from a\.json\): give the changed"):
        check_fits(changed, [first])
    ours = shipped("instruments", "family-progress-star.json")
    ours["name"] = "Changed star"
    clash = definition_from_data(DefinitionKind.INSTRUMENT, ours, file_name="star.json")
    with pytest.raises(ValidationError, match="comes with fmdesk, with different content"):
        check_fits(clash, [])


def test_the_kind_is_read_from_the_shape() -> None:
    assert guess_kind(council_template(), "x.json") is DefinitionKind.TEMPLATE
    framework = shipped("frameworks", "supporting-families-2022.json")
    assert guess_kind(framework, "x.json") is DefinitionKind.FRAMEWORK
    star = shipped("instruments", "family-progress-star.json")
    assert guess_kind(star, "x.json") is DefinitionKind.INSTRUMENT
    with pytest.raises(ValidationError, match=r"notes\.json: this is not an outcomes framework"):
        guess_kind({"notes": []}, "notes.json")
    assert Definition.KIND == "definition"
