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
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from fmdesk.errors import ValidationError


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

TEMPLATE_PACKAGE = "fmdesk"
TEMPLATE_FOLDER = "definitions/templates"
DEFAULT_TEMPLATE_ID = "fmdesk.whole-family"

E = TypeVar("E", bound=enum.StrEnum)
_SLUG = re.compile(r"[a-z][a-z0-9_]*\Z")
_TEMPLATE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


class _Problem(Exception):
    """Internal: becomes a ValidationError naming the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


def _fail(path: str, message: str) -> NoReturn:
    raise _Problem(path, message)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: Any, path: str, allowed: Sequence[str], required: Sequence[str]) -> Mapping:
    if not isinstance(value, Mapping):
        _fail(path or "(top level)", "expected an object")
    for key in value:
        if key not in allowed:
            _fail(_join(path, str(key)), f"unknown field (expected one of: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            _fail(_join(path, key), "missing")
    return value


def _text(data: Mapping, key: str, path: str, *, optional: bool = False, slug: bool = False) -> str:
    value = data.get(key, "")
    where = _join(path, key)
    if not isinstance(value, str):
        _fail(where, "expected text")
    value = value.strip()
    if not value and not optional:
        _fail(where, "must not be empty")
    if slug and not _SLUG.match(value):
        _fail(where, f"{value!r} is not a valid id (lower-case letters, digits and _)")
    return value


def _flag(data: Mapping, key: str, path: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        _fail(_join(path, key), "expected true or false")
    return value


def _choice(data: Mapping, key: str, path: str, kind: type[E], default: E) -> E:
    value = data.get(key, default.value)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        what = key.replace("_", " ")
        _fail(_join(path, key), f"{value!r} is not a known {what} (one of: {allowed})")


def _list(data: Mapping, key: str, path: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        _fail(_join(path, key), "expected a list")
    return value


def _unique(ids: Iterable[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            _fail(f"{path}[{index}].id", f"{item_id!r} is used by another {what}")
        seen.add(item_id)


_ELEMENT_FIELDS = ("id", "kind", "label", "help", "required", "options", "own_words")
_SECTION_FIELDS = (
    "id", "title", "kind", "scope", "source", "help", "required", "include_unborn",
    "framework", "elements",
)  # fmt: skip
_TEMPLATE_FIELDS = ("id", "version", "name", "description", "rating_scale", "sections")


def _a(kind: SectionKind) -> str:
    article = "an" if kind.value[0] in "aeiou" else "a"
    return f"{article} {kind.value}"


def _parse_element(raw: Any, path: str) -> Element:
    data = _object(raw, path, _ELEMENT_FIELDS, ("id", "kind", "label"))
    kind = _choice(data, "kind", path, ElementKind, ElementKind.TEXT)
    options: list[Option] = []
    raw_options = _list(data, "options", path)
    if kind is ElementKind.CHOICE and not raw_options:
        _fail(_join(path, "options"), "a choice needs at least one option")
    if kind is not ElementKind.CHOICE and raw_options:
        _fail(_join(path, "options"), "only a choice has options")
    for index, raw_option in enumerate(raw_options):
        where = f"{path}.options[{index}]"
        option = _object(raw_option, where, ("id", "label"), ("id", "label"))
        options.append(
            Option(id=_text(option, "id", where, slug=True), label=_text(option, "label", where))
        )
    _unique((o.id for o in options), _join(path, "options"), "option")
    own_words = _flag(data, "own_words", path)
    if own_words and kind is not ElementKind.LONG_TEXT:
        _fail(_join(path, "own_words"), "only long text can hold someone's own words")
    return Element(
        id=_text(data, "id", path, slug=True),
        kind=kind,
        label=_text(data, "label", path),
        help=_text(data, "help", path, optional=True),
        required=_flag(data, "required", path),
        options=tuple(options),
        own_words=own_words,
    )


def _parse_section(raw: Any, path: str) -> Section:
    data = _object(raw, path, _SECTION_FIELDS, ("id", "title"))
    kind = _choice(data, "kind", path, SectionKind, SectionKind.QUESTIONS)
    scope = _choice(data, "scope", path, Scope, Scope.FAMILY)
    source = _choice(data, "source", path, Source, Source.ASSESSMENT)
    from_record = kind in (SectionKind.CONSENT, SectionKind.HOUSEHOLD)
    if from_record and source is not Source.FAMILY_RECORD:
        _fail(_join(path, "source"), f"{_a(kind)} section must be 'family_record'")
    if not from_record and source is Source.FAMILY_RECORD:
        _fail(_join(path, "source"), "only consent and household sections come from the record")
    if kind is not SectionKind.QUESTIONS and scope is not Scope.FAMILY:
        _fail(_join(path, "scope"), f"{_a(kind)} section is once per family")
    if "include_unborn" in data and scope is not Scope.EACH_CHILD:
        _fail(_join(path, "include_unborn"), "only a per-child section can leave out the unborn")
    if "framework" in data and kind is not SectionKind.INDICATORS:
        _fail(_join(path, "framework"), "only an indicators section names a framework")
    if "required" in data and kind in (SectionKind.QUESTIONS, SectionKind.HOUSEHOLD):
        _fail(_join(path, "required"), "mark the questions (elements) as required instead")
    raw_elements = _list(data, "elements", path)
    if kind is SectionKind.QUESTIONS and not raw_elements:
        _fail(_join(path, "elements"), "a questions section needs at least one element")
    if kind is not SectionKind.QUESTIONS and raw_elements:
        _fail(_join(path, "elements"), f"{_a(kind)} section has no elements of its own")
    elements = tuple(
        _parse_element(item, f"{path}.elements[{i}]") for i, item in enumerate(raw_elements)
    )
    _unique((e.id for e in elements), _join(path, "elements"), "element in this section")
    return Section(
        id=_text(data, "id", path, slug=True),
        title=_text(data, "title", path),
        kind=kind,
        scope=scope,
        source=source,
        help=_text(data, "help", path, optional=True),
        required=_flag(data, "required", path),
        include_unborn=_flag(data, "include_unborn", path, default=True),
        framework=_text(data, "framework", path, optional=True),
        elements=elements,
    )


def _parse_rating_scale(raw: Any, path: str) -> RatingScale:
    data = _object(raw, path, ("labels", "no_issues", "higher_is_better"), ("labels",))
    labels = _list(data, "labels", path)
    if len(labels) != 5 or not all(isinstance(x, str) and x.strip() for x in labels):
        _fail(_join(path, "labels"), "expected five words or phrases, for ratings 1 to 5")
    return RatingScale(
        labels=(labels[0], labels[1], labels[2], labels[3], labels[4]),
        no_issues=_text(data, "no_issues", path, optional=True) or "No issues",
        higher_is_better=_flag(data, "higher_is_better", path, default=True),
    )


def parse_template(data: Any, source: str = "template") -> Template:
    """Check and build a template from parsed JSON. Errors name `source` and the field's path,
    e.g. "mine.json: sections[3].scope: 'each_chlid' is not a known scope (one of: ...)"."""
    try:
        root = _object(data, "", _TEMPLATE_FIELDS, ("id", "version", "name", "sections"))
        template_id = root["id"]
        if not isinstance(template_id, str) or not _TEMPLATE_ID.match(template_id):
            _fail("id", f"{template_id!r} is not a valid id (lower-case letters, digits, . _ -)")
        version = root["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            _fail("version", "expected a whole number, 1 or more")
        raw_sections = _list(root, "sections", "")
        if not raw_sections:
            _fail("sections", "a template needs at least one section")
        sections = tuple(
            _parse_section(item, f"sections[{i}]") for i, item in enumerate(raw_sections)
        )
        _unique((s.id for s in sections), "sections", "section")
        for kind in [k for k in SectionKind if k is not SectionKind.QUESTIONS]:
            indexes = [i for i, s in enumerate(sections) if s.kind is kind]
            if len(indexes) > 1:
                _fail(f"sections[{indexes[1]}].kind", f"only one {kind.value} section is allowed")
        scale = DEFAULT_RATING_SCALE
        if "rating_scale" in root:
            scale = _parse_rating_scale(root["rating_scale"], "rating_scale")
        return Template(
            id=template_id,
            version=version,
            name=_text(root, "name", ""),
            description=_text(root, "description", "", optional=True),
            rating_scale=scale,
            sections=sections,
        )
    except _Problem as problem:
        raise ValidationError(f"{source}: {problem}") from None


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
