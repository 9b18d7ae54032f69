"""A council's own definitions, held in the store: the `Definition` record.

Outcomes frameworks, assessment templates, Star instruments and the council's school term dates
are data files. fmdesk ships its
own under fmdesk/definitions/; a council brings its own, and the store keeps each one it adds as
a `Definition` record holding the file's validated JSON (not its path, so nothing breaks when the
file moves, and the definition travels in bundles: a coordinator's definitions go to every
enrolled practitioner). A Definition belongs to no family (`family_id` is "").

A Definition checks its content when it is built, with the same rules as a file (so an invalid
one arriving in a bundle is quarantined like any invalid record), and remembers the parsed
framework, template or instrument (`parsed()`).

An `id@version` is one definition everywhere: one that is already shipped or held with different
content is refused (`check_fits`); a changed definition needs a new version number.
"""

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from fmdesk.assessment.template import Template, bundled_templates, parse_template
from fmdesk.errors import UserError, ValidationError
from fmdesk.outcomes.framework import Framework, Term, parse_framework, shipped_frameworks
from fmdesk.records import Record, record_kind
from fmdesk.schemas import SchemaName, named_by
from fmdesk.stars.instrument import (
    INSTRUMENT_FILE_FORMAT,
    Instrument,
    builtin_instruments,
    parse_instrument,
)
from fmdesk.terms import (
    COUNCIL_SOURCE,
    GENERATED,
    SchoolTerm,
    SchoolTermDates,
    calendar_with_council_terms,
    read_school_terms,
)


class DefinitionKind(enum.StrEnum):
    FRAMEWORK = "framework"
    TEMPLATE = "template"
    INSTRUMENT = "instrument"
    SCHOOL_TERMS = "school-terms"

    @property
    def label(self) -> str:
        """ "outcomes framework", "assessment template", "Star instrument", "school term
        dates"."""
        return _LABELS[self]


_LABELS = {
    DefinitionKind.FRAMEWORK: "outcomes framework",
    DefinitionKind.TEMPLATE: "assessment template",
    DefinitionKind.INSTRUMENT: "Star instrument",
    DefinitionKind.SCHOOL_TERMS: "school term dates",
}

Parsed = Framework | Template | Instrument | SchoolTermDates

# Parsed content by (kind, canonical JSON): a store's definitions are decoded on every library
# load, and parsing a framework costs far more than comparing its text.
_PARSED: dict[tuple[str, str], Parsed] = {}


def canonical(content: Mapping[str, Any]) -> str:
    """The content as one comparable string (keys sorted, no spacing)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def parse_content(kind: DefinitionKind, data: Any, source: str) -> Parsed:
    """Check plain JSON data as a definition of `kind`. A ValidationError names `source` and
    the field, exactly as loading the file would."""
    if kind is DefinitionKind.FRAMEWORK:
        return parse_framework(data, source)
    if kind is DefinitionKind.TEMPLATE:
        return parse_template(data, source)
    if kind is DefinitionKind.SCHOOL_TERMS:
        return read_school_terms(data, source)
    return parse_instrument(data, source=source)


def _parsed(kind: DefinitionKind, content: Mapping[str, Any], source: str) -> Parsed:
    key = (kind.value, canonical(content))
    found = _PARSED.get(key)
    if found is None:
        found = parse_content(kind, content, source)
        _PARSED[key] = found
    return found


def comparable(parsed: Parsed) -> Parsed:
    """What two definitions with the same id@version must agree on: everything but where an
    instrument was read from."""
    if isinstance(parsed, Instrument):
        return dataclasses.replace(parsed, source="")
    return parsed


def shipped(kind: DefinitionKind) -> list[Parsed]:
    """The definitions of `kind` that come with fmdesk."""
    if kind is DefinitionKind.FRAMEWORK:
        return list(shipped_frameworks())
    if kind is DefinitionKind.TEMPLATE:
        return list(bundled_templates())
    if kind is DefinitionKind.SCHOOL_TERMS:
        return []  # the usual English pattern is generated, not a definition
    return list(builtin_instruments())


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Definition(Record):
    """A council's framework, template, instrument or school term dates, as the JSON of its
    file."""

    KIND: ClassVar[str] = "definition"

    kind: DefinitionKind
    definition_id: str
    version: str
    name: str
    content: dict[str, Any]
    file_name: str = ""  # the file it was added from, for messages ("council-star.json")
    added_on: dt.date | None = None
    added_by: str = ""

    def __post_init__(self) -> None:
        if self.family_id:
            raise ValueError("a definition belongs to no family")
        parsed = _parsed(self.kind, self.content, self.file_name or f"{self.kind.label} file")
        if (parsed.id, str(parsed.version)) != (self.definition_id, self.version):
            raise ValidationError(
                f"{self.file_name or self.kind.label}: the record says "
                f"{self.definition_id}@{self.version} but its content is {parsed.ref}"
            )

    @property
    def ref(self) -> str:
        return f"{self.definition_id}@{self.version}"

    def parsed(self) -> Parsed:
        """The framework, template or instrument (an instrument's `source` is the file name)."""
        return _parsed(self.kind, self.content, self.file_name or f"{self.kind.label} file")


def definition_from_data(
    kind: DefinitionKind,
    data: Any,
    *,
    file_name: str,
    on: dt.date | None = None,
    by: str = "",
) -> Definition:
    """Check parsed JSON as a definition of `kind` and wrap it in a (not yet saved) record."""
    parsed = parse_content(kind, data, file_name)
    if not isinstance(data, dict):  # the parser has refused anything else already
        raise ValidationError(f"{file_name}: expected a JSON object")
    return Definition(
        kind=kind,
        definition_id=parsed.id,
        version=str(parsed.version),
        name=parsed.name,
        content=data,
        file_name=file_name,
        added_on=on,
        added_by=by,
    )


_KIND_BY_SCHEMA = {
    SchemaName.OUTCOMES_FRAMEWORK: DefinitionKind.FRAMEWORK,
    SchemaName.ASSESSMENT_TEMPLATE: DefinitionKind.TEMPLATE,
    SchemaName.STAR_INSTRUMENT: DefinitionKind.INSTRUMENT,
    SchemaName.SCHOOL_TERMS: DefinitionKind.SCHOOL_TERMS,
}


def guess_kind(data: Any, file_name: str) -> DefinitionKind:
    """Which kind of definition a file's JSON is: the one whose schema it names in its own
    `"$schema"` (as a file set up for an editor does), else from its shape: a Star instrument
    names its format, a framework has problems, a template sections."""
    named = named_by(data)
    if named is not None and named in _KIND_BY_SCHEMA:
        return _KIND_BY_SCHEMA[named]
    if isinstance(data, dict):
        if data.get("format") == INSTRUMENT_FILE_FORMAT or "areas" in data:
            return DefinitionKind.INSTRUMENT
        if "problems" in data:
            return DefinitionKind.FRAMEWORK
        if "sections" in data:
            return DefinitionKind.TEMPLATE
        if "terms" in data:
            return DefinitionKind.SCHOOL_TERMS
    raise ValidationError(
        f"{file_name}: this is not an outcomes framework, an assessment template, a Star "
        'instrument or school term dates (a framework has "problems", a template "sections", '
        'an instrument "areas", term dates "terms")'
    )


def read_definition_file(
    kind: DefinitionKind | None,
    path: str | Path,
    *,
    on: dt.date | None = None,
    by: str = "",
) -> Definition:
    """Read and check a council's file (of `kind`, or of the kind its content shows when
    `kind` is None). Errors name the file (and the field)."""
    file = Path(path)
    what = kind.label if kind is not None else "definition"
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"Could not read the {what} file {file}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{file.name}: the file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{file.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if kind is None:
        kind = guess_kind(data, file.name)
    return definition_from_data(kind, data, file_name=file.name, on=on, by=by)


def check_fits(definition: Definition, held: Iterable[Definition]) -> None:
    """Refuse a definition whose id@version is shipped, or held in another record, with
    different content: a changed definition needs a new version number."""
    mine = comparable(definition.parsed())
    for other in shipped(definition.kind):
        if other.ref == definition.ref and comparable(other) != mine:
            raise ValidationError(
                f"{definition.file_name or definition.ref}: {definition.ref} is a "
                f"{definition.kind.label} that comes with fmdesk, with different content: "
                "give your file a new id or version."
            )
    for other_record in held:
        if (
            other_record.id != definition.id
            and not other_record.deleted
            and other_record.kind is definition.kind
            and other_record.ref == definition.ref
            and comparable(other_record.parsed()) != mine
        ):
            where = other_record.file_name or "a bundle"
            raise ValidationError(
                f"{definition.file_name or definition.ref}: a different {definition.kind.label} "
                f"{definition.ref} is already loaded (from {where}): "
                "give the changed file a new version."
            )


def same_definition(a: Definition, b: Definition) -> bool:
    """The same kind, id@version and content (however it was written)."""
    return (a.kind, a.ref) == (b.kind, b.ref) and comparable(a.parsed()) == comparable(b.parsed())


def with_council_terms(framework: Framework, council: Sequence[SchoolTerm]) -> Framework:
    """The framework with the council's school term dates in its term calendar (first, then
    the file's own, then the usual English pattern: fmdesk.terms.calendar_with_council_terms),
    each term marked `council` or `generated`, so every outcome and data threshold counted in
    terms is judged by them. A framework with no calendar, or no council dates, is returned as
    it is. The library of an open store does this for every framework (db/library.py)."""
    if not council or not framework.term_calendar:
        return framework
    terms = tuple(
        Term(
            t.name,
            t.start,
            t.end,
            generated=t.source == GENERATED,
            council=t.source == COUNCIL_SOURCE,
        )
        for t in calendar_with_council_terms(framework.term_calendar, council)
    )
    return dataclasses.replace(framework, term_calendar=terms)
