"""Assessment templates as data: sections, questions and the rating scale, read from JSON files.

A *template* (a JSON file under fmdesk/definitions/templates, or any file a council brings) lists
the assessment's sections in order. Each section has a scope: once for the family, or once for
each child, each parent or carer, each other adult, or each adult in the household. A section is
one of five kinds: questions (elements the practitioner fills in), consent and household (read-only
views of the family record, never typed again), the outcomes framework's indicators, and the
agencies involved.
"""

import dataclasses
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from fmdesk.errors import ValidationError
from fmdesk.schemas import SchemaName, Wording, check


class Scope(enum.StrEnum):
    FAMILY = "family"
    EACH_CHILD = "each_child"
    EACH_PARENT_CARER = "each_parent_carer"
    EACH_OTHER_ADULT = "each_other_adult"
    EACH_ADULT = "each_adult"  # parents, carers and other adults in the home

    @property
    def per_person(self) -> bool:
        return self is not Scope.FAMILY


class SectionKind(enum.StrEnum):
    QUESTIONS = "questions"
    CONSENT = "consent"
    HOUSEHOLD = "household"
    INDICATORS = "indicators"
    AGENCIES = "agencies"


class Source(enum.StrEnum):
    ASSESSMENT = "assessment"
    FAMILY_RECORD = "family_record"  # shown from Person/Consent records, never typed again


class ElementKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    YES_NO = "yes_no"
    CHOICE = "choice"
    DATE = "date"
    STRENGTHS_NEEDS = "strengths_needs"  # strengths, needs, and a 1–5 rating or "no issues"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Option:
    id: str
    label: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Element:
    id: str
    kind: ElementKind
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    # Long text written as the person said it: printed verbatim, as a quotation.
    own_words: bool = False

    def option_label(self, option_id: str) -> str:
        for option in self.options:
            if option.id == option_id:
                return option.label
        return option_id


@dataclasses.dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    title: str
    kind: SectionKind = SectionKind.QUESTIONS
    scope: Scope = Scope.FAMILY
    source: Source = Source.ASSESSMENT
    help: str = ""
    # Consent: consent to assess must be in force. Indicators/agencies: at least one entry.
    required: bool = False
    # Per-child sections only: False leaves out unborn children (they have no views yet).
    include_unborn: bool = True
    # Indicators only: the framework (id) whose indicators are offered; "" = the family's own.
    framework: str = ""
    elements: tuple[Element, ...] = ()

    def element(self, element_id: str) -> Element:
        for element in self.elements:
            if element.id == element_id:
                return element
        raise ValidationError(f"{self.title}: there is no question {element_id!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RatingScale:
    """Words for ratings 1–5 (labels[0] is 1) and for "no issues"; which end is better."""

    labels: tuple[str, str, str, str, str]
    no_issues: str = "No issues"
    higher_is_better: bool = True

    def words(self, rating: int | None, no_issues: bool) -> str:
        if no_issues:
            return self.no_issues
        if rating is None:
            return "Not rated"
        return f"{rating} – {self.labels[rating - 1]}"

    def goodness(self, rating: int | None, no_issues: bool) -> int | None:
        """1 (worst) to 6 ("no issues"), whichever way round the scale runs."""
        if no_issues:
            return 6
        if rating is None:
            return None
        return rating if self.higher_is_better else 6 - rating


DEFAULT_RATING_SCALE = RatingScale(
    labels=(
        "Serious concern",
        "Significant needs",
        "Some needs",
        "Minor needs",
        "Managing well",
    )
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Template:
    id: str
    version: int
    name: str
    description: str = ""
    rating_scale: RatingScale = DEFAULT_RATING_SCALE
    sections: tuple[Section, ...]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise ValidationError(f"the template {self.ref} has no section {section_id!r}")


# ---- loading and validating templates ------------------------------------------------------
#
# The shape of a template (fields, types, choices, ids, and which fields each kind of section
# and question may have) is the schema's, checked first:
# fmdesk/definitions/schemas/assessment-template.schema.json. The code below builds the
# dataclasses from a file that fits it, and checks only what a schema cannot say: ids that must
# be unique, and at most one section of each kind other than questions.

TEMPLATE_PACKAGE = "fmdesk"
TEMPLATE_FOLDER = "definitions/templates"
DEFAULT_TEMPLATE_ID = "fmdesk.whole-family"

# Kept because fmdesk.assessment re-exports it; nothing here needs it since the schema checks
# the choices.
E = TypeVar("E", bound=enum.StrEnum)


class TemplateWording(Wording):
    """A template's shape failures in the words its messages have always used."""

    def unknown_field(self, allowed: Sequence[str]) -> str:
        return f"unknown field (expected one of: {', '.join(allowed)})"

    def choice(self, value: Any, key: str, allowed: Sequence[Any]) -> str:
        what = key.replace("_", " ")
        return f"{value!r} is not a known {what} (one of: {', '.join(map(str, allowed))})"

    def blank(self) -> str:
        return "must not be empty"

    def whole(self, keyword: str, low: int | None) -> str:
        return "expected a whole number, 1 or more"


WORDING = TemplateWording()


class _Problem(Exception):
    """Internal: becomes a ValidationError naming the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


def _fail(path: str, message: str) -> NoReturn:
    raise _Problem(path, message)


def _text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key, "")).strip()


def _unique(ids: Iterable[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            _fail(f"{path}[{index}].id", f"{item_id!r} is used by another {what}")
        seen.add(item_id)


def _parse_element(data: Mapping[str, Any], path: str) -> Element:
    options = tuple(
        Option(id=option["id"], label=_text(option, "label")) for option in data.get("options", ())
    )
    _unique((o.id for o in options), f"{path}.options", "option")
    return Element(
        id=data["id"],
        kind=ElementKind(data["kind"]),
        label=_text(data, "label"),
        help=_text(data, "help"),
        required=data.get("required", False),
        options=options,
        own_words=data.get("own_words", False),
    )


def _parse_section(data: Mapping[str, Any], path: str) -> Section:
    elements = tuple(
        _parse_element(item, f"{path}.elements[{i}]")
        for i, item in enumerate(data.get("elements", ()))
    )
    _unique((e.id for e in elements), f"{path}.elements", "element in this section")
    return Section(
        id=data["id"],
        title=_text(data, "title"),
        kind=SectionKind(data.get("kind", SectionKind.QUESTIONS)),
        scope=Scope(data.get("scope", Scope.FAMILY)),
        source=Source(data.get("source", Source.ASSESSMENT)),
        help=_text(data, "help"),
        required=data.get("required", False),
        include_unborn=data.get("include_unborn", True),
        framework=_text(data, "framework"),
        elements=elements,
    )


def _parse_rating_scale(data: Mapping[str, Any]) -> RatingScale:
    labels = data["labels"]
    return RatingScale(
        labels=(labels[0], labels[1], labels[2], labels[3], labels[4]),
        no_issues=_text(data, "no_issues") or "No issues",
        higher_is_better=data.get("higher_is_better", True),
    )


def parse_template(data: Any, source: str = "template") -> Template:
    """Check and build a template from parsed JSON. Errors name `source` and the field's path,
    e.g. "mine.json: sections[3].scope: 'each_chlid' is not a known scope (one of: ...)"."""
    check(SchemaName.ASSESSMENT_TEMPLATE, data, source=source, wording=WORDING)
    try:
        sections = tuple(
            _parse_section(item, f"sections[{i}]") for i, item in enumerate(data["sections"])
        )
        _unique((s.id for s in sections), "sections", "section")
        for kind in [k for k in SectionKind if k is not SectionKind.QUESTIONS]:
            indexes = [i for i, s in enumerate(sections) if s.kind is kind]
            if len(indexes) > 1:
                _fail(f"sections[{indexes[1]}].kind", f"only one {kind.value} section is allowed")
    except _Problem as problem:
        raise ValidationError(f"{source}: {problem}") from None
    scale = DEFAULT_RATING_SCALE
    if "rating_scale" in data:
        scale = _parse_rating_scale(data["rating_scale"])
    return Template(
        id=data["id"],
        version=data["version"],
        name=_text(data, "name"),
        description=_text(data, "description"),
        rating_scale=scale,
        sections=sections,
    )


def parse_template_text(text: str, source: str = "template") -> Template:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_template(data, source)


def load_template(path: str | Path) -> Template:
    """Load a template a council brings, from any file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{file.name}: cannot be read ({exc})") from None
    return parse_template_text(text, file.name)


def bundled_templates() -> list[Template]:
    """The templates shipped with fmdesk, sorted by id then version."""
    folder = resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER)
    found = [
        parse_template_text(item.read_text(encoding="utf-8"), item.name)
        for item in folder.iterdir()
        if item.name.endswith(".json")
    ]
    return sorted(found, key=lambda t: (t.id, t.version))


def default_template() -> Template:
    """The newest version of fmdesk's own whole-family assessment."""
    ours = [t for t in bundled_templates() if t.id == DEFAULT_TEMPLATE_ID]
    if not ours:
        raise ValidationError(f"the default template {DEFAULT_TEMPLATE_ID} is not installed")
    return ours[-1]


class TemplateLibrary:
    """The templates a store can use: fmdesk's own plus the council's (held in the store, see
    fmdesk/definition.py). A changed template must carry a new version: an id@version already
    loaded with different content is refused. New assessments start from the council template
    added last, or from fmdesk's own when the council has none."""

    def __init__(self, templates: Iterable[Template] = ()) -> None:
        self._by_ref: dict[str, Template] = {}
        self._council: list[str] = []
        for template in templates:
            self.add(template)

    @classmethod
    def shipped(cls) -> "TemplateLibrary":
        return cls(bundled_templates())

    def add(self, template: Template, *, council: bool = False) -> None:
        existing = self._by_ref.get(template.ref)
        if existing is not None and existing != template:
            raise ValidationError(
                f"A different assessment template {template.ref} is already loaded: "
                "give the changed file a new version."
            )
        self._by_ref[template.ref] = template
        if council and template.ref not in self._council:
            self._council.append(template.ref)

    def all(self) -> list[Template]:
        return sorted(self._by_ref.values(), key=lambda t: (t.id, t.version))

    def is_council(self, ref: str) -> bool:
        return ref in self._council

    def get(self, ref: str) -> Template:
        return find_template(ref, self._by_ref.values())

    def choices(self) -> list[Template]:
        """The newest version of each template, for starting a new assessment; the default
        first."""
        newest: dict[str, Template] = {}
        for template in self.all():
            newest[template.id] = template
        first = self.default()
        return [first, *(t for t in newest.values() if t.id != first.id)]

    def default(self) -> Template:
        if self._council:
            chosen = self._by_ref[self._council[-1]]
            return max(
                (t for t in self._by_ref.values() if t.id == chosen.id), key=lambda t: t.version
            )
        ours = [t for t in self.all() if t.id == DEFAULT_TEMPLATE_ID]
        if not ours:
            raise ValidationError(f"the default template {DEFAULT_TEMPLATE_ID} is not installed")
        return ours[-1]


def find_template(ref: str, available: Iterable[Template]) -> Template:
    """The template an assessment follows ("id@version"), out of those loaded."""
    for template in available:
        if template.ref == ref:
            return template
    raise ValidationError(
        f"This assessment uses the template {ref}, which is not loaded on this computer. "
        "Ask your coordinator for it."
    )
