"""The whole-family assessment: templates as data, the Assessment record and its rules.

A *template* (a JSON file under fmdesk/definitions/templates, or any file a council brings) lists
the assessment's sections in order. Each section has a scope: once for the family, or once for
each child, each parent or carer, each other adult, or each adult in the household. A section is
one of five kinds: questions (elements the practitioner fills in), consent and household (read-only
views of the family record, never typed again), the outcomes framework's indicators, and the
agencies involved.

An *Assessment* is a record: the template it follows (`id@version`), the answers (each keyed by
section id, person id or "" and element id), ticked indicators, agencies, and its state:
draft → completed (date, by whom) → shared with the family (date). A completed assessment is
read-only; change is recorded by starting a review (linked with `review_of`) or a copy.

The guided flow calls `steps()` for the step list, `missing_before_completion()` for what still
blocks completion, and `complete()` when the practitioner signs it off.
"""

import dataclasses
import datetime as dt
import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, NoReturn, Self, TypeVar

from fmdesk.errors import ValidationError
from fmdesk.families import Consent, ConsentKind, Person, PersonRole, has_consent
from fmdesk.records import SYNC_FIELDS, Record, record_kind

# ---- the template model --------------------------------------------------------------------


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


# ---- the Assessment record -----------------------------------------------------------------


class AssessmentState(enum.StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"
    SHARED = "shared"  # completed, and a copy given to the family

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "completed": "Completed",
            "shared": "Completed and shared with the family",
        }[self.value]


class AnswerKey(NamedTuple):
    section: str
    person_id: str  # "" in a once-per-family section
    element: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Answer:
    """One element's answer. Only the fields of the element's kind are set:
    text and long text → `text`; choice → `choice` (an option id); yes/no → `yes`;
    date → `date`; strengths and needs → `strengths`, `needs`, and `rating` (1–5) or
    `no_issues`."""

    section: str
    person_id: str = ""
    element: str
    text: str = ""
    choice: str = ""
    yes: bool | None = None
    date: dt.date | None = None
    strengths: str = ""
    needs: str = ""
    rating: int | None = None
    no_issues: bool = False

    def __post_init__(self) -> None:
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise ValueError("a rating is from 1 to 5")
        if self.rating is not None and self.no_issues:
            raise ValueError("choose a rating or 'no issues', not both")

    @property
    def key(self) -> AnswerKey:
        return AnswerKey(self.section, self.person_id, self.element)

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.choice
            or self.yes is not None
            or self.date is not None
            or self.strengths.strip()
            or self.needs.strip()
            or self.rating is not None
            or self.no_issues
        )


# Which Answer fields each element kind may set.
_KIND_FIELDS: dict[ElementKind, frozenset[str]] = {
    ElementKind.TEXT: frozenset({"text"}),
    ElementKind.LONG_TEXT: frozenset({"text"}),
    ElementKind.CHOICE: frozenset({"choice"}),
    ElementKind.YES_NO: frozenset({"yes"}),
    ElementKind.DATE: frozenset({"date"}),
    ElementKind.STRENGTHS_NEEDS: frozenset({"strengths", "needs", "rating", "no_issues"}),
}
_VALUE_FIELDS = frozenset().union(*_KIND_FIELDS.values())
_BLANK = {f.name: f.default for f in dataclasses.fields(Answer) if f.name in _VALUE_FIELDS}


@dataclasses.dataclass(frozen=True, kw_only=True)
class IndicatorTick:
    """An outcomes-framework indicator of need that the assessment found to apply."""

    code: str
    person_id: str = ""  # "" = the family as a whole
    evidence: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgencyInvolved:
    agency: str
    worker: str = ""
    contact: str = ""
    person_id: str = ""  # the family member the agency works with; "" = the whole family


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Assessment(Record):
    KIND: ClassVar[str] = "assessment"

    template: str  # "id@version"
    practitioner: str = ""
    started_on: dt.date | None = None
    state: AssessmentState = AssessmentState.DRAFT
    completed_on: dt.date | None = None
    completed_by: str = ""
    shared_on: dt.date | None = None
    # The key of the step the practitioner was on (Step.key), to resume there.
    current_step: str = ""
    # Sorted by key, so the same answers always give the same record.
    answers: tuple[Answer, ...] = ()
    indicators: tuple[IndicatorTick, ...] = ()
    agencies: tuple[AgencyInvolved, ...] = ()
    review_of: str = ""  # the assessment this one reviews
    copied_from: str = ""  # the assessment this one started from

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("an assessment belongs to a family")
        if "@" not in self.template:
            raise ValueError("the template is named as id@version")
        finished = self.state is not AssessmentState.DRAFT
        if finished != (self.completed_on is not None and bool(self.completed_by.strip())):
            raise ValueError("a completed assessment has a completion date and who completed it")
        if (self.state is AssessmentState.SHARED) != (self.shared_on is not None):
            raise ValueError("a shared assessment has the date it was shared, and only that one")
        if self.id in (self.review_of, self.copied_from):
            raise ValueError("an assessment cannot review or copy itself")
        keys = [a.key for a in self.answers]
        if keys != sorted(set(keys)):
            object.__setattr__(self, "answers", _sorted_answers(self.answers))

    @property
    def is_read_only(self) -> bool:
        return self.state is not AssessmentState.DRAFT

    def replace(self, **changes: Any) -> Self:
        """As Record.replace, but a completed assessment only takes sync bookkeeping."""
        if self.is_read_only and set(changes) - set(SYNC_FIELDS):
            _refuse_edit(self)
        return super().replace(**changes)

    def answer(self, section: str, element: str, person_id: str = "") -> Answer | None:
        key = AnswerKey(section, person_id, element)
        for answer in self.answers:
            if answer.key == key:
                return answer
        return None


def _sorted_answers(answers: Iterable[Answer]) -> tuple[Answer, ...]:
    by_key: dict[AnswerKey, Answer] = {}
    for answer in answers:
        by_key[answer.key] = answer  # the last one given for a key wins
    return tuple(by_key[k] for k in sorted(by_key))


def _refuse_edit(assessment: Assessment) -> NoReturn:
    when = f" on {assessment.completed_on:%d %b %Y}" if assessment.completed_on else ""
    raise ValidationError(
        f"This assessment was completed{when} and can no longer be changed. "
        "Start a review to record what has changed."
    )


def _editable(assessment: Assessment) -> None:
    if assessment.is_read_only:
        _refuse_edit(assessment)


def new_assessment(
    family_id: str, template: Template, *, practitioner: str, on: dt.date
) -> Assessment:
    return Assessment(
        family_id=family_id, template=template.ref, practitioner=practitioner, started_on=on
    )


def set_answer(assessment: Assessment, template: Template, answer: Answer) -> Assessment:
    """Store one answer (an empty answer clears it), checked against the template."""
    _editable(assessment)
    section = template.section(answer.section)
    if section.kind is not SectionKind.QUESTIONS:
        raise ValidationError(f"{section.title}: this section has no questions to answer")
    element = section.element(answer.element)
    if section.scope.per_person and not answer.person_id:
        raise ValidationError(f"{section.title}: say which person this answer is about")
    if not section.scope.per_person and answer.person_id:
        raise ValidationError(f"{section.title}: this section is about the whole family")
    allowed = _KIND_FIELDS[element.kind]
    stray = sorted(f for f in _VALUE_FIELDS - allowed if getattr(answer, f) != _BLANK[f])
    if stray:
        raise ValidationError(
            f"{section.title}, {element.label}: a {element.kind.value} answer has no "
            f"{', '.join(stray)}"
        )
    choices = {o.id for o in element.options}
    if element.kind is ElementKind.CHOICE and answer.choice and answer.choice not in choices:
        raise ValidationError(f"{element.label}: {answer.choice!r} is not one of the choices")
    kept = [a for a in assessment.answers if a.key != answer.key]
    if not answer.is_empty:
        kept.append(answer)
    return dataclasses.replace(assessment, answers=_sorted_answers(kept))


def tick_indicator(
    assessment: Assessment, code: str, *, person_id: str = "", evidence: str = ""
) -> Assessment:
    """Tick an indicator for a person (or the family); ticking again replaces the evidence."""
    _editable(assessment)
    if not code.strip():
        raise ValidationError("Choose an indicator to tick.")
    kept = [t for t in assessment.indicators if (t.code, t.person_id) != (code, person_id)]
    kept.append(IndicatorTick(code=code.strip(), person_id=person_id, evidence=evidence.strip()))
    return dataclasses.replace(assessment, indicators=tuple(kept))


def untick_indicator(assessment: Assessment, code: str, *, person_id: str = "") -> Assessment:
    _editable(assessment)
    kept = tuple(t for t in assessment.indicators if (t.code, t.person_id) != (code, person_id))
    return dataclasses.replace(assessment, indicators=kept)


def set_agencies(assessment: Assessment, agencies: Iterable[AgencyInvolved]) -> Assessment:
    _editable(assessment)
    listed = tuple(agencies)
    for index, entry in enumerate(listed, start=1):
        if not entry.agency.strip():
            raise ValidationError(f"Agencies involved, row {index}: name the agency")
    return dataclasses.replace(assessment, agencies=listed)


def at_step(assessment: Assessment, step_key: str) -> Assessment:
    """Remember the step the practitioner is on, so the flow resumes there."""
    _editable(assessment)
    return dataclasses.replace(assessment, current_step=step_key)


# ---- steps through the household -----------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Step:
    section: Section
    person: Person | None = None
    title: str

    @property
    def key(self) -> str:
        return f"{self.section.id}/{self.person.id}" if self.person else self.section.id

    @property
    def person_id(self) -> str:
        return self.person.id if self.person else ""

    @property
    def read_only(self) -> bool:
        """Filled from the family record: shown, never typed."""
        return self.section.source is Source.FAMILY_RECORD


def household(people: Iterable[Person]) -> list[Person]:
    """The people an assessment walks through, in a steady order: parents and carers, other
    adults, then children oldest first (unborn last); people outside the home are left out."""
    role_order = {PersonRole.PARENT_CARER: 0, PersonRole.OTHER_ADULT: 1, PersonRole.CHILD: 2}
    present = [p for p in people if p.in_household and not p.deleted]

    def order(person: Person) -> tuple[int, int, dt.date, str]:
        born = person.date_of_birth or person.expected_date
        unborn_or_unknown = 2 if person.is_unborn else (1 if born is None else 0)
        return (role_order[person.role], unborn_or_unknown, born or dt.date.max, person.full_name)

    return sorted(present, key=order)


def short_names(people: Iterable[Person]) -> dict[str, str]:
    """What a step calls each person: the name they go by, or the full name if two share it."""
    listed = list(people)
    first = {p.id: (p.known_as or p.given_name).strip() or p.full_name for p in listed}
    clashes = {n for n in first.values() if list(first.values()).count(n) > 1}
    return {p.id: p.full_name if first[p.id] in clashes else first[p.id] for p in listed}


def _people_for(scope: Scope, section: Section, people: Sequence[Person]) -> list[Person]:
    roles = {
        Scope.EACH_CHILD: {PersonRole.CHILD},
        Scope.EACH_PARENT_CARER: {PersonRole.PARENT_CARER},
        Scope.EACH_OTHER_ADULT: {PersonRole.OTHER_ADULT},
        Scope.EACH_ADULT: {PersonRole.PARENT_CARER, PersonRole.OTHER_ADULT},
    }[scope]
    chosen = [p for p in people if p.role in roles]
    if scope is Scope.EACH_CHILD and not section.include_unborn:
        chosen = [p for p in chosen if not p.is_unborn]
    return chosen


def steps(template: Template, people: Iterable[Person]) -> list[Step]:
    """The assessment's steps for this household, in order: a once-per-family section is one
    step; a per-child (per-adult...) section is one step for each such person."""
    members = household(people)
    names = short_names(members)
    result: list[Step] = []
    for section in template.sections:
        if not section.scope.per_person:
            result.append(Step(section=section, title=section.title))
            continue
        for person in _people_for(section.scope, section, members):
            title = f"{section.title} — {names[person.id]}"
            result.append(Step(section=section, person=person, title=title))
    return result


def resume_index(step_list: Sequence[Step], assessment: Assessment) -> int:
    """Where to reopen the flow: the remembered step, or the first if it no longer exists
    (say the person it was about has left the household)."""
    for index, step in enumerate(step_list):
        if step.key == assessment.current_step:
            return index
    return 0


# ---- completion ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Missing:
    """Something that must be filled in before completion, and where."""

    step_key: str
    element_id: str  # "" when the whole step is missing something (consent, indicators)
    message: str

    def __str__(self) -> str:
        return self.message


class AssessmentIncompleteError(ValidationError):
    """Completion refused; `missing` lists what is needed, each naming its field."""

    def __init__(self, missing: Sequence[Missing]) -> None:
        self.missing = tuple(missing)
        lines = "\n".join(f"• {m.message}" for m in self.missing)
        super().__init__(f"The assessment cannot be completed yet. Still needed:\n{lines}")


def _answered(answer: Answer | None) -> bool:
    return answer is not None and not answer.is_empty


def _section_problem(
    section: Section, assessment: Assessment, consents: Sequence[Consent], day: dt.date
) -> str:
    """What a whole section lacks (as opposed to one of its questions), or ""."""
    if not section.required:
        return ""
    if section.kind is SectionKind.CONSENT and not has_consent(consents, ConsentKind.ASSESS, day):
        return "no consent to assess is in force (record it first)"
    if section.kind is SectionKind.INDICATORS and not assessment.indicators:
        return "tick at least one indicator"
    if section.kind is SectionKind.AGENCIES and not assessment.agencies:
        return "list at least one agency"
    return ""


def missing_before_completion(
    assessment: Assessment,
    template: Template,
    people: Iterable[Person],
    consents: Iterable[Consent] = (),
    *,
    on: dt.date | None = None,
) -> list[Missing]:
    """Everything still required, in step order, each named in words, e.g.
    "Child's views — Amelia: required". Consent is checked on `on` (default: today)."""
    day = on or dt.date.today()
    consents = list(consents)
    missing: list[Missing] = []
    for step in steps(template, people):
        section = step.section
        problem = _section_problem(section, assessment, consents, day)
        if problem:
            message = f"{step.title}: {problem}"
            missing.append(Missing(step_key=step.key, element_id="", message=message))
        for element in section.elements:
            if element.required and not _answered(
                assessment.answer(section.id, element.id, step.person_id)
            ):
                where = (
                    step.title
                    if len(section.elements) == 1
                    else (f"{step.title} — {element.label}")
                )
                missing.append(
                    Missing(step_key=step.key, element_id=element.id, message=f"{where}: required")
                )
    return missing


def complete(
    assessment: Assessment,
    template: Template,
    people: Iterable[Person],
    consents: Iterable[Consent] = (),
    *,
    on: dt.date,
    by: str,
) -> Assessment:
    """Sign the assessment off; refuses (AssessmentIncompleteError) while anything required is
    missing. From then on it is read-only."""
    _editable(assessment)
    if assessment.template != template.ref:
        raise ValidationError(f"This assessment follows {assessment.template}, not {template.ref}.")
    if not by.strip():
        raise ValidationError("Say who completed the assessment.")
    if assessment.started_on is not None and on < assessment.started_on:
        raise ValidationError("An assessment cannot be completed before it was started.")
    missing = missing_before_completion(assessment, template, people, consents, on=on)
    if missing:
        raise AssessmentIncompleteError(missing)
    return dataclasses.replace(
        assessment, state=AssessmentState.COMPLETED, completed_on=on, completed_by=by.strip()
    )


def share_with_family(assessment: Assessment, *, on: dt.date) -> Assessment:
    """Record the day a copy was given to the family."""
    if assessment.state is not AssessmentState.COMPLETED or assessment.completed_on is None:
        raise ValidationError("Only a completed assessment that is not yet shared can be shared.")
    if on < assessment.completed_on:
        raise ValidationError("An assessment cannot be shared before it was completed.")
    return dataclasses.replace(assessment, state=AssessmentState.SHARED, shared_on=on)


# ---- copies, reviews and what changed ------------------------------------------------------


def _fits(answer: Answer, template: Template) -> bool:
    try:
        section = template.section(answer.section)
        element = section.element(answer.element)
    except ValidationError:
        return False
    allowed = _KIND_FIELDS[element.kind]
    return all(getattr(answer, f) == _BLANK[f] for f in _VALUE_FIELDS - allowed)


def _start_from(
    source: Assessment, template: Template | None, practitioner: str, on: dt.date
) -> Assessment:
    answers = source.answers
    ref = source.template
    if template is not None and template.ref != source.template:
        # Moving to a newer template keeps what still fits it and drops the rest.
        answers = tuple(a for a in answers if _fits(a, template))
        ref = template.ref
    return Assessment(
        family_id=source.family_id,
        template=ref,
        practitioner=practitioner or source.practitioner,
        started_on=on,
        answers=answers,
        indicators=source.indicators,
        agencies=source.agencies,
    )


def start_copy(
    source: Assessment,
    *,
    on: dt.date,
    practitioner: str = "",
    template: Template | None = None,
) -> Assessment:
    """A new draft that starts with `source`'s answers (e.g. to redo an assessment)."""
    fresh = _start_from(source, template, practitioner, on)
    return dataclasses.replace(fresh, copied_from=source.id)


def start_review(
    source: Assessment,
    *,
    on: dt.date,
    practitioner: str = "",
    template: Template | None = None,
) -> Assessment:
    """A new draft reviewing a completed assessment: it starts from the earlier answers and
    stays linked to it (`review_of`), so `rating_changes` can show what moved."""
    if source.state is AssessmentState.DRAFT:
        raise ValidationError("Complete the assessment before starting a review of it.")
    fresh = _start_from(source, template, practitioner, on)
    return dataclasses.replace(fresh, review_of=source.id, copied_from=source.id)


class Direction(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    FIRST_RATED = "first_rated"
    NO_LONGER_RATED = "no_longer_rated"

    @property
    def label(self) -> str:
        return {
            "better": "Better",
            "worse": "Worse",
            "first_rated": "Rated for the first time",
            "no_longer_rated": "No longer rated",
        }[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RatingChange:
    step_title: str
    element_label: str
    person_id: str
    before: str  # in words, e.g. "2 – Significant needs"
    after: str
    direction: Direction


def rating_changes(
    earlier: Assessment,
    later: Assessment,
    template: Template,
    people: Iterable[Person],
) -> list[RatingChange]:
    """The strengths-and-needs ratings that differ between an assessment and its review,
    in step order, each with the before and after in words."""
    scale = template.rating_scale
    changes: list[RatingChange] = []
    for step in steps(template, people):
        for element in step.section.elements:
            if element.kind is not ElementKind.STRENGTHS_NEEDS:
                continue
            old = earlier.answer(step.section.id, element.id, step.person_id)
            new = later.answer(step.section.id, element.id, step.person_id)
            old_value = (old.rating, old.no_issues) if old else (None, False)
            new_value = (new.rating, new.no_issues) if new else (None, False)
            if old_value == new_value:
                continue
            old_good, new_good = scale.goodness(*old_value), scale.goodness(*new_value)
            if old_good is None:
                direction = Direction.FIRST_RATED
            elif new_good is None:
                direction = Direction.NO_LONGER_RATED
            else:
                direction = Direction.BETTER if new_good > old_good else Direction.WORSE
            changes.append(
                RatingChange(
                    step_title=step.title,
                    element_label=element.label,
                    person_id=step.person_id,
                    before=scale.words(*old_value),
                    after=scale.words(*new_value),
                    direction=direction,
                )
            )
    return changes
