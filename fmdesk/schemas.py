"""The published JSON Schemas of fmdesk's files, and checking data against them.

Each definition kind (outcomes framework, assessment template, Star instrument, school term
dates), the family file, the plan wording and the demo's table of needs has a JSON Schema
(draft 2020-12) in fmdesk/definitions/schemas/, which docs/schemas links to. A council analyst
checks a file against it in their own editor; the loaders check the same file against the same
schema first, and keep code only for what a schema cannot say (codes that refer to one another,
bands that must cover a scale, unique ids).

A failure becomes a `ValidationError` naming the file and the place in it, e.g.
`my-plan.json: problems[2].outcomes[0].period.count: expected a whole number of at least 1`.
Each kind of file keeps the words its users already know, so a `Wording` chooses the words for
each kind of failure; two annotations in the schema, which VS Code shows in the editor too,
override them where a rule needs its own:

- `errorMessage`: the whole message for a failure of any keyword beside it (and for the field
  being missing, when it sits in a `properties` entry);
- `patternErrorMessage`: the message for a failed `pattern`. One that starts "is " follows the
  value ("'What Led' is not a valid id …"), since the editor underlines the value itself.

Every validator is built once, when first needed, and a document that has fitted is not checked
again (`check` knows it by its digest).
"""

import enum
import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import Draft202012Validator, validator_for

from fmdesk.errors import UserError, ValidationError

SCHEMA_FOLDER = ("definitions", "schemas")


class SchemaName(enum.StrEnum):
    OUTCOMES_FRAMEWORK = "outcomes-framework"
    ASSESSMENT_TEMPLATE = "assessment-template"
    STAR_INSTRUMENT = "star-instrument"
    FAMILY_FILE = "family-file"
    DEMO_NEEDS = "demo-needs"
    PLAN_TEXT = "plan-text"
    SCHOOL_TERMS = "school-terms"

    @property
    def file_name(self) -> str:
        """ "outcomes-framework.schema.json" """
        return f"{self.value}.schema.json"

    @property
    def id(self) -> str:
        """The schema's `$id`: a URN, since fmdesk owns no web domain to publish under."""
        return f"urn:fmdesk:schema:{self.value}:1"


def named_by(data: Any) -> SchemaName | None:
    """The schema a file names in its own `"$schema"` (its `$id`, or a path or address ending
    in its file name, as an editor is pointed at it), if any."""
    said = data.get("$schema") if isinstance(data, Mapping) else None
    if not isinstance(said, str):
        return None
    for name in SchemaName:
        if said == name.id or said.replace("\\", "/").endswith("/" + name.file_name):
            return name
        if said == name.file_name:
            return name
    return None


@functools.cache
def schema(name: SchemaName) -> Mapping[str, Any]:
    """The schema's JSON, read from the package once."""
    entry = resources.files("fmdesk").joinpath(*SCHEMA_FOLDER, name.file_name)
    try:
        loaded: Mapping[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # A broken install, not the user's file: say so, as the self-test does for fonts.
        raise UserError(
            f"fmdesk's schema file {name.file_name} is missing or damaged ({exc}). "
            "Reinstall fmdesk."
        ) from None
    return loaded


@functools.cache
def validator(name: SchemaName) -> Validator:
    """A validator for the schema, built on first use and kept. Dates (`"format": "date"`) are
    checked as well as matched, so 2015-02-30 is refused as the loaders always refused it."""
    root = schema(name)
    cls = validator_for(root, default=Draft202012Validator)
    return cls(root, format_checker=cls.FORMAT_CHECKER)


class Wording:
    """How one kind of file words each kind of shape failure. These are the framework file's
    words; the template, instrument and family file readers change a few (subclasses beside
    their loaders) so their messages read as they always have."""

    # What a message calls the whole file when the fault is at the top.
    top_level = "(top level)"
    # True: a missing field is worded as the fault of an empty one (text as "", anything else
    # as null), as readers that took `data.get(key, "")` did; False: it is simply "missing".
    missing_as_empty = False

    def missing(self) -> str:
        return "missing"

    def unknown_field(self, allowed: Sequence[str]) -> str:
        return "unknown field (check the spelling)"

    def choice(self, value: Any, key: str, allowed: Sequence[Any]) -> str:
        return f"{value!r} is not one of {', '.join(map(str, allowed))}"

    def text(self) -> str:
        return "expected text"

    def blank(self) -> str:
        """Text that is empty or only spaces."""
        return "expected text"

    def whole(self, keyword: str, low: int | None) -> str:
        """Not a whole number (`keyword` "type") or below `low` ("minimum")."""
        return f"expected a whole number of at least {low or 0}"

    def number(self, low: float | None, high: float | None) -> str:
        if low is not None and high is not None:
            return f"expected a number from {low:g} to {high:g}"
        return "expected a number"

    def flag(self) -> str:
        return "expected true or false"

    def object(self) -> str:
        return "expected an object"

    def list(self) -> str:
        return "expected a list"

    def too_few(self, least: int) -> str:
        return "expected a list of one or more" if least == 1 else f"expected at least {least}"

    def too_many(self, most: int) -> str:
        return f"expected no more than {most}"

    def const(self, value: Any, wanted: Any) -> str:
        return f"expected {wanted!r}, found {value!r}"


# Digests of documents that have fitted their schema. Checking the Families Matter framework
# takes about a tenth of a second, and the same shipped files are read each time a library is
# built (every unlock, and many times over in the tests); writing a document out to hash it
# costs a twentieth of that. Bounded: the oldest are forgotten first.
_PASSED: dict[tuple[SchemaName, bytes], None] = {}
_PASSED_MOST = 256
_PASSED_LOCK = threading.Lock()  # the store's worker thread and the GUI thread both load files


def _digest(data: Any) -> bytes | None:
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):  # not plain JSON: never remembered
        return None
    return hashlib.sha256(text.encode("utf-8")).digest()


def check(name: SchemaName, data: Any, *, source: str, wording: Wording | None = None) -> None:
    """Refuse `data` (ValidationError "source: place: message") if it breaks the schema. Of
    several faults, jsonschema's best match is named: the one highest up in the file. A
    document that has fitted once is known again by its digest and not checked again."""
    digest = _digest(data)
    if digest is not None and (name, digest) in _PASSED:
        return
    found = first_error(name, data, wording)
    if found is not None:
        place, message = found
        raise ValidationError(f"{source}: {place}: {message}")
    if digest is not None:
        with _PASSED_LOCK:
            if len(_PASSED) >= _PASSED_MOST:
                del _PASSED[next(iter(_PASSED))]
            _PASSED[name, digest] = None


def first_error(
    name: SchemaName, data: Any, wording: Wording | None = None
) -> tuple[str, str] | None:
    """(place, message) of the fault `check` would name, or None if `data` fits the schema."""
    found = best_match(validator(name).iter_errors(data))
    if found is None:
        return None
    return describe(found, name, wording or Wording())


def describe(error: SchemaError, name: SchemaName, wording: Wording) -> tuple[str, str]:
    """(place, message) for one jsonschema error: `problems[2].name`, `missing`."""
    parts, message = _words(error, name, wording, list(error.absolute_path))
    return place_text(parts, wording.top_level), message


def place_text(parts: Iterable[str | int], top_level: str = "(top level)") -> str:
    """A JSON path as the messages write it: `problems[2].outcomes[0].code`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or top_level


def _words(
    error: SchemaError, name: SchemaName, wording: Wording, path: list[str | int]
) -> tuple[list[str | int], str]:
    keyword = str(error.validator)
    node: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    value = error.instance
    if keyword == "required" and isinstance(value, Mapping):
        key = next(k for k in error.validator_value if k not in value)
        return _missing(node, key, name, wording, [*path, key])
    unknown = keyword == "additionalProperties" and "errorMessage" not in node
    if unknown and isinstance(value, Mapping):
        allowed = list(node.get("properties", {}))
        patterns = list(node.get("patternProperties", {}))
        extra = next(
            k for k in value if k not in allowed and not any(re.search(p, k) for p in patterns)
        )
        return [*path, extra], wording.unknown_field(allowed)
    if keyword == "pattern" and "patternErrorMessage" in node:
        said = str(node["patternErrorMessage"])
        return path, f"{value!r} {said}" if said.startswith("is ") else said
    if "errorMessage" in node:
        return path, str(node["errorMessage"])
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    return path, _plain(keyword, value, node, key, error, wording)


def _missing(
    node: Mapping[str, Any],
    key: str,
    name: SchemaName,
    wording: Wording,
    path: list[str | int],
) -> tuple[list[str | int], str]:
    # Only a message written on the property itself speaks for its absence: one inside a
    # shared definition ("expected a date written YYYY-MM-DD") is about a value that is there.
    entry = node.get("properties", {}).get(key, {})
    if isinstance(entry, Mapping) and "errorMessage" in entry:
        return path, str(entry["errorMessage"])
    field = _resolved(entry, name)
    if wording.missing_as_empty:
        stand_in = "" if _type_of(field) == "string" else None
        inner = best_match(validator(name).descend(stand_in, field))
        if inner is not None:
            return _words(inner, name, wording, [*path, *inner.path])
    return path, wording.missing()


def _plain(
    keyword: str,
    value: Any,
    node: Mapping[str, Any],
    key: str,
    error: SchemaError,
    wording: Wording,
) -> str:
    kind = _type_of(node)
    if keyword in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if kind == "integer":
            return wording.whole(keyword, node.get("minimum"))
        if kind == "number":
            return wording.number(node.get("minimum"), node.get("maximum"))
        if kind == "string":
            return wording.text()
        if kind == "boolean":
            return wording.flag()
        if kind == "object":
            return wording.object()
        if kind == "array":
            return wording.list()
    if keyword in ("pattern", "minLength"):
        return wording.blank()
    if keyword == "enum":
        return wording.choice(value, key, node["enum"])
    if keyword == "const":
        return wording.const(value, node["const"])
    if keyword == "minItems":
        return wording.too_few(int(node["minItems"]))
    if keyword == "maxItems":
        return wording.too_many(int(node["maxItems"]))
    return error.message


def _type_of(node: Mapping[str, Any]) -> str:
    """The JSON type a schema node wants ("" if it names none); of ["integer", "null"], the one
    that is not null."""
    wanted = node.get("type", "")
    if isinstance(wanted, list):
        wanted = next((t for t in wanted if t != "null"), "")
    return str(wanted)


def _resolved(node: Any, name: SchemaName) -> Mapping[str, Any]:
    """A node with a local `$ref` ("#/$defs/text") replaced by what it names: our schemas refer
    only within themselves."""
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 10:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            break
        target: Any = schema(name)
        for part in ref[2:].split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}
