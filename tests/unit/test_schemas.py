"""The published JSON Schemas: each is a valid draft 2020-12 schema with help on its fields, every
shipped file and every whole example in docs/ fits its schema, a broken file is refused naming
the place, and the loaders agree with the schemas (a file a schema refuses, its loader refuses,
with the same words)."""

import copy
import datetime as dt
import functools
import importlib
import json
import pkgutil
import random
import re
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import Draft202012Validator

import fmdesk
from fmdesk import demo, schemas
from fmdesk.assessment.template import parse_template
from fmdesk.definition import DefinitionKind, guess_kind
from fmdesk.errors import ValidationError
from fmdesk.families import CaseNote, Family, FamilyStatus
from fmdesk.family_file import build_family_file, parse_family_file
from fmdesk.outcomes import Framework, FrameworkLibrary, parse_framework
from fmdesk.plan_text import read_plan_text
from fmdesk.records import RECORD_KINDS
from fmdesk.schemas import SchemaName
from fmdesk.stars import parse_instrument
from fmdesk.terms import read_school_terms

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def package_json(*parts: str) -> Any:
    return json.loads(resources.files("fmdesk").joinpath(*parts).read_text(encoding="utf-8"))


def shipped_files() -> Iterator[tuple[SchemaName, str]]:
    folder = resources.files("fmdesk").joinpath("definitions")
    kinds = {
        "frameworks": SchemaName.OUTCOMES_FRAMEWORK,
        "templates": SchemaName.ASSESSMENT_TEMPLATE,
        "instruments": SchemaName.STAR_INSTRUMENT,
    }
    for kind, name in kinds.items():
        for entry in sorted(folder.joinpath(kind).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                yield name, f"{kind}/{entry.name}"
    for entry in folder.joinpath("frameworks", "demo").iterdir():
        if entry.name.endswith(".needs.json"):
            yield SchemaName.DEMO_NEEDS, f"frameworks/demo/{entry.name}"
    yield SchemaName.PLAN_TEXT, "plan-text/plan-text.json"
    yield SchemaName.SCHOOL_TERMS, "school-terms/example-council-terms.json"


SHIPPED = list(shipped_files())


# ---- the schemas themselves --------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SchemaName))
def test_each_schema_is_a_valid_draft_2020_12_schema_with_its_id(name: SchemaName) -> None:
    root = schemas.schema(name)
    Draft202012Validator.check_schema(root)
    assert root["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert root["$id"] == name.id == f"urn:fmdesk:schema:{name.value}:1"
    assert root["title"]
    assert root["description"]


def described_fields(node: Any, path: str, root: Mapping[str, Any]) -> Iterator[tuple[str, bool]]:
    """(path, has help) for every field a schema declares, following local $refs once; the
    conditional parts (if/then/else, allOf, not) only restate fields declared elsewhere."""
    if not isinstance(node, Mapping):
        return
    for key, field in node.get("properties", {}).items():
        target = field
        if isinstance(field, Mapping) and "$ref" in field:
            target = root
            for part in field["$ref"][2:].split("/"):
                target = target[part]
        helped = any(k in field or k in target for k in ("title", "description"))
        yield f"{path}.{key}", helped
    for key in ("items", "additionalProperties"):
        yield from described_fields(node.get(key), f"{path}[]", root)
    for key, field in node.get("properties", {}).items():
        yield from described_fields(field, f"{path}.{key}", root)
    for key, field in node.get("$defs", {}).items():
        yield from described_fields(field, f"#{key}", root)


@pytest.mark.parametrize("name", list(SchemaName))
def test_every_field_has_help_for_an_editor(name: SchemaName) -> None:
    root = schemas.schema(name)
    found = list(described_fields(root, "", root))
    assert found
    assert [path for path, helped in found if not helped] == []


def test_docs_schemas_is_the_packaged_set() -> None:
    link = DOCS / "schemas"
    assert link.is_symlink()
    assert Path(link.readlink()) == Path("../fmdesk/definitions/schemas")
    published = sorted(p.name for p in link.iterdir())
    assert published == sorted(n.file_name for n in SchemaName)


# ---- files that fit ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "path"), SHIPPED, ids=[p for _, p in SHIPPED])
def test_each_shipped_file_fits_its_schema(name: SchemaName, path: str) -> None:
    data = package_json("definitions", *path.split("/"))
    assert schemas.first_error(name, data) is None


def test_every_kind_of_definition_is_shipped() -> None:
    assert {name for name, _ in SHIPPED} == set(SchemaName) - {SchemaName.FAMILY_FILE}


def doc_examples() -> Iterator[tuple[str, Any]]:
    """Every fenced ```json block in docs/ that is a whole JSON object (not a fragment with
    comments or "…" in place of fields)."""
    for page in sorted(DOCS.glob("*.md")):
        blocks = re.findall(r"```json\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
        for index, block in enumerate(blocks):
            try:
                data = json.loads(block)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                yield f"{page.name}#{index}", data


def schema_of(data: Mapping[str, Any]) -> SchemaName | None:
    named = schemas.named_by(data)
    if named is not None:
        return named
    if data.get("format") == "fmdesk-family":
        return SchemaName.FAMILY_FILE
    if "needs" in data and "framework" in data:
        return SchemaName.DEMO_NEEDS
    if {"problems", "sections", "areas"} & data.keys():
        kind = guess_kind(data, "example")
        return {
            DefinitionKind.FRAMEWORK: SchemaName.OUTCOMES_FRAMEWORK,
            DefinitionKind.TEMPLATE: SchemaName.ASSESSMENT_TEMPLATE,
            DefinitionKind.INSTRUMENT: SchemaName.STAR_INSTRUMENT,
        }[kind]
    return None


def test_the_whole_examples_in_the_docs_fit_their_schemas() -> None:
    checked = []
    for where, data in doc_examples():
        name = schema_of(data)
        if name is None:
            continue
        assert schemas.first_error(name, data) is None, where
        checked.append(where)
    assert any(w.startswith("instruments.md") for w in checked), checked


def test_a_file_naming_its_schema_is_read_as_that_kind() -> None:
    data = package_json("definitions", "templates", "whole-family.json")
    data["$schema"] = "../docs/schemas/assessment-template.schema.json"
    assert schemas.named_by(data) is SchemaName.ASSESSMENT_TEMPLATE
    assert guess_kind(data, "caf.json") is DefinitionKind.TEMPLATE
    assert parse_template(data, "caf.json").ref == "fmdesk.whole-family@1"
    by_id = {"$schema": SchemaName.STAR_INSTRUMENT.id}
    assert guess_kind(by_id, "star.json") is DefinitionKind.INSTRUMENT
    windows = {"$schema": "C:\\Councils\\schemas\\outcomes-framework.schema.json"}
    assert guess_kind(windows, "plan.json") is DefinitionKind.FRAMEWORK


# ---- broken files name the place ---------------------------------------------------------------


def framework() -> dict[str, Any]:
    return package_json("definitions", "frameworks", "families-matter-2015.json")


def template() -> dict[str, Any]:
    return package_json("definitions", "templates", "whole-family.json")


def instrument() -> dict[str, Any]:
    return package_json("definitions", "instruments", "family-progress-star.json")


def needs() -> dict[str, Any]:
    return package_json("definitions", "frameworks", "demo", "families-matter-2015.needs.json")


def plan_text() -> dict[str, Any]:
    return package_json("definitions", "plan-text", "plan-text.json")


def family_file() -> dict[str, Any]:
    family = Family(reference="FM-2025-0001", name="Nowak family", status=FamilyStatus.ACTIVE)
    note = CaseNote(family_id=family.id, on=dt.date(2025, 3, 3), text="First visit.")
    rows = [{"kind": r.KIND, "record": r.to_dict()} for r in (family, note)]
    data = build_family_file(
        family, rows, exported_by="Zoë", on=dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
    )
    return json.loads(json.dumps(data, default=str))


@functools.cache
def families_matter() -> Framework:
    return FrameworkLibrary.shipped().get("families-matter@2015.1")


LOADERS: dict[SchemaName, Callable[[Any], object]] = {
    SchemaName.OUTCOMES_FRAMEWORK: lambda data: parse_framework(data, "my-plan.json"),
    SchemaName.ASSESSMENT_TEMPLATE: lambda data: parse_template(data, "my-plan.json"),
    SchemaName.STAR_INSTRUMENT: lambda data: parse_instrument(data, source="/x/my-plan.json"),
    SchemaName.FAMILY_FILE: parse_family_file,
    SchemaName.DEMO_NEEDS: lambda data: demo.read_needs(
        data, source="my-plan.json", framework=families_matter()
    ),
    SchemaName.PLAN_TEXT: lambda data: read_plan_text(data, source="my-plan.json"),
    SchemaName.SCHOOL_TERMS: lambda data: read_school_terms(data, source="my-plan.json"),
}
FILES: dict[SchemaName, Callable[[], dict[str, Any]]] = {
    SchemaName.OUTCOMES_FRAMEWORK: framework,
    SchemaName.ASSESSMENT_TEMPLATE: template,
    SchemaName.STAR_INSTRUMENT: instrument,
    SchemaName.FAMILY_FILE: family_file,
    SchemaName.DEMO_NEEDS: needs,
    SchemaName.PLAN_TEXT: plan_text,
    SchemaName.SCHOOL_TERMS: lambda: package_json(
        "definitions", "school-terms", "example-council-terms.json"
    ),
}


def refused(name: SchemaName, data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        LOADERS[name](data)
    return str(caught.value)


def change(data: dict[str, Any], path: str, value: Any = ..., *, drop: bool = False) -> None:
    """Set (or drop) the value at a dotted path like `problems.2.outcomes.0.code`."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if drop:
        del node[key]
    else:
        node[key] = value


@pytest.mark.parametrize(
    ("name", "path", "value", "expected"),
    [
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "problems.2.outcomes.0.code",
            "3-1",
            "my-plan.json: problems[2].outcomes[0].code: '3-1' is not an outcome code",
        ),
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "problems.2.outcomes.0.indicators.0",
            "3a",
            "my-plan.json: problems[2].outcomes[0].indicators[0]: '3a' is not an indicator code",
        ),
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "term_calendar.3.end",
            "2015-02-30",
            "my-plan.json: term_calendar[3].end: expected a date written YYYY-MM-DD",
        ),
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "problems.3.outcomes.0.period.unit",
            "months",
            "my-plan.json: problems[3].outcomes[0].period.unit: this test is measured in weeks",
        ),
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "eligibility.kind",
            "national_plus_local",
            "my-plan.json: eligibility.national: missing",
        ),
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "claim.requirements.0.id",
            "Action plan",
            "my-plan.json: claim.requirements[0].id: 'Action plan' is not a code like action_plan",
        ),
        (
            SchemaName.ASSESSMENT_TEMPLATE,
            "sections.11.framework",
            3,
            "my-plan.json: sections[11].framework: expected text",
        ),
        (
            SchemaName.ASSESSMENT_TEMPLATE,
            "sections.2.include_unborn",
            False,
            "my-plan.json: sections[2].include_unborn: only a per-child section can leave out",
        ),
        (
            SchemaName.STAR_INSTRUMENT,
            "stages.2.to",
            "6",
            "my-plan.json: stages[2].to: expected a whole number",
        ),
        (
            SchemaName.STAR_INSTRUMENT,
            "areas.4.scores",
            {"three": "x"},
            "my-plan.json: areas[4].scores: 'three' is not a score",
        ),
        (
            SchemaName.FAMILY_FILE,
            "family.identified_on",
            "3 March",
            "family.identified_on: expected a date written YYYY-MM-DD, or null",
        ),
        (
            SchemaName.FAMILY_FILE,
            "records.0.record.deleted",
            "no",
            "records[0].record.deleted: expected true or false",
        ),
        (
            SchemaName.DEMO_NEEDS,
            "needs.1.goal",
            "We want {name} at school",
            "my-plan.json: needs[1].goal: may use only {child} and {adult} in braces",
        ),
        (
            SchemaName.DEMO_NEEDS,
            "needs.2.about",
            "parent",
            "my-plan.json: needs[2].about: 'parent' is not one of child, adult, household",
        ),
        # What only code can say, in the same form.
        (
            SchemaName.OUTCOMES_FRAMEWORK,
            "problems.2.outcomes.0.code",
            "4.1",
            "my-plan.json: problems[2].outcomes[0].code: '4.1' is not a code like 3.1",
        ),
        (
            SchemaName.DEMO_NEEDS,
            "needs.2.indicator",
            "4A",
            "my-plan.json: needs[2].indicator: '4A' is not an indicator of problem 3",
        ),
        (
            SchemaName.DEMO_NEEDS,
            "needs.2.problem",
            "2",
            "my-plan.json: needs[2].problem: '2' is used twice",
        ),
    ],
)
def test_a_broken_file_names_the_place(
    name: SchemaName, path: str, value: Any, expected: str
) -> None:
    data = FILES[name]()
    change(data, path, value)
    assert refused(name, data).startswith(expected)


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        (SchemaName.OUTCOMES_FRAMEWORK, "problems.2.outcomes.1.period.count", "whole number"),
        (SchemaName.ASSESSMENT_TEMPLATE, "sections.2.elements.1.options", "at least one option"),
        (SchemaName.STAR_INSTRUMENT, "licence", "my-plan.json: licence: missing"),
        (SchemaName.DEMO_NEEDS, "needs.0.goal", "my-plan.json: needs[0].goal: missing"),
    ],
)
def test_a_missing_field_names_the_place(name: SchemaName, path: str, expected: str) -> None:
    data = FILES[name]()
    change(data, path, drop=True)
    assert expected in refused(name, data)


def test_a_newer_format_is_named_before_any_field_it_brings() -> None:
    data = framework()
    data["format"] = 2
    data["problems"][0]["weighting"] = 3  # a field a newer format might have
    assert "a newer fmdesk may be needed" in refused(SchemaName.OUTCOMES_FRAMEWORK, data)
    star = instrument()
    star.update(format="someone-elses-star", areas="elsewhere")
    assert refused(SchemaName.STAR_INSTRUMENT, star) == (
        "my-plan.json: format: expected 'fmdesk-star-instrument', found 'someone-elses-star'"
    )


def test_the_family_file_names_every_kind_of_family_record() -> None:
    # Import every module, so every record kind is registered.
    for module in pkgutil.walk_packages(fmdesk.__path__, "fmdesk."):
        importlib.import_module(module.name)
    programme_level = {"family", "definition", "claim_batch"}
    kinds = schemas.schema(SchemaName.FAMILY_FILE)["properties"]["records"]["items"]
    assert set(kinds["properties"]["kind"]["enum"]) == set(RECORD_KINDS) - programme_level


def test_the_family_schema_names_only_fields_a_family_has() -> None:
    described = schemas.schema(SchemaName.FAMILY_FILE)["$defs"]["family"]["properties"]
    assert set(described) <= set(Family(reference="X", name="Y").to_dict())


# ---- the loaders and the schemas agree ---------------------------------------------------------


def places(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value in `node`: ("problems", 2, "code")."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield (*at, key)
        if isinstance(value, dict | list):
            yield from places(value, (*at, key))


def mutations(data: Any, rng: random.Random, count: int) -> Iterator[Any]:
    """Copies of `data` with one thing changed: a field dropped or misspelt, or a value of
    another type or out of range."""
    paths = list(places(data))
    strange = [None, "", " ", "x", "Bad Id", 0, -1, 1.5, 99, True, [], {}, ["x"], {"a": 1}]
    for _ in range(count):
        copied = copy.deepcopy(data)
        *parents, key = rng.choice(paths)
        parent = copied
        for part in parents:
            parent = parent[part]
        action = rng.random()
        if action < 0.2 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.3 and isinstance(parent, dict):
            parent[f"{key}_typo"] = parent.pop(key)
        else:
            parent[key] = rng.choice(strange)
        yield copied


@pytest.mark.parametrize("name", list(SchemaName))
def test_a_file_the_schema_refuses_the_loader_refuses_in_the_same_words(
    name: SchemaName,
) -> None:
    rng = random.Random(f"schemas-{name.value}")
    # The 2012 framework is the smallest, and has the national-and-local rule.
    base = (
        package_json("definitions", "frameworks", "troubled-families-2012.json")
        if name is SchemaName.OUTCOMES_FRAMEWORK
        else FILES[name]()
    )
    wording = {
        SchemaName.ASSESSMENT_TEMPLATE: "fmdesk.assessment.template",
        SchemaName.STAR_INSTRUMENT: "fmdesk.stars.instrument",
        SchemaName.FAMILY_FILE: "fmdesk.family_file",
    }.get(name)
    words = importlib.import_module(wording).WORDING if wording else None
    refused_by_schema = 0
    for data in mutations(base, rng, 80):
        fault = schemas.first_error(name, data, words)
        try:
            LOADERS[name](data)
        except ValidationError as exc:
            message = str(exc)
        else:
            # The loader takes it: then so does the schema.
            assert fault is None, data
            continue
        if fault is None:
            continue  # refused by a rule only code can say (a code, a band, a reference)
        refused_by_schema += 1
        place, said = fault
        format_first = message.startswith(("my-plan.json: format:", "This ")) and (
            place in ("format", "version")
        )
        assert message.endswith(f"{place}: {said}") or format_first, (message, fault)
    assert refused_by_schema > 20
