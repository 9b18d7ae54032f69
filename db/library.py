"""The definitions an open store uses, of every kind: fmdesk's shipped outcomes frameworks,
assessment templates and Star instruments with the council's held in the store
(db/definitions.py), and the council's school term dates, which every framework's term calendar
then follows (fmdesk.definition.with_council_terms: the council's dates, then the framework's own,
then the usual English pattern), built once and kept on the Store; what the Definitions dialog
and the `fmdesk frameworks|templates|instruments|terms` commands list; and one way to add a
council's file.

`definitions(store)` is the library every reader takes (printing, the assessment, the
programme, the command line). It is built on first use after the store opens, after adopting
the file paths older versions remembered (once per unlock: a file it could not read is tried
again only when it appears or changes at that place), and kept on the Store
(`Store.kept`) until a write changes what it holds: a council file added here, a definition
arriving through sync, a conflict on one decided, or a change of the default Star instrument
all write a Definition record (or that setting), and the store lets the library go in that
same call, so the next read builds it afresh. It goes when the store closes.

The libraries in it are shared by every reader: treat them as read-only. To add a council's
definition, save it (`add_definition_file`); never `add` to a library taken from here.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from db.definitions import (
    NotAdopted,
    adopt_old_paths,
    forget_old_path,
    listed_paths,
    save_definition,
)
from db.store import Store
from fmdesk.assessment import Template, TemplateLibrary
from fmdesk.definition import (
    Definition,
    DefinitionKind,
    Parsed,
    read_definition_file,
    with_council_terms,
)
from fmdesk.errors import UserError, ValidationError
from fmdesk.outcomes import Framework, FrameworkLibrary, shipped_frameworks
from fmdesk.stars import Instrument, InstrumentCatalogue
from fmdesk.terms import SchoolTerm, SchoolTermDates, council_terms

# Which instrument new readings use: "id" or "id@version"; empty means the last council
# instrument added (db/stars.py set_default_instrument).
DEFAULT_INSTRUMENT_SETTING = "star.default"

# The names the library and the adoption are kept under on the Store.
KEPT = "db.library.definitions"
_ADOPTED = "db.library.adopted"


@dataclasses.dataclass(frozen=True)
class Definitions:
    """Every definition this open store can use, and a sentence for each council definition
    (or old file path) left out, by kind: a missing or clashing file never hides the rest."""

    frameworks: FrameworkLibrary
    templates: TemplateLibrary
    instruments: InstrumentCatalogue
    # The council's definitions held in the store, oldest first, by kind.
    held: Mapping[DefinitionKind, tuple[Definition, ...]]
    problems_by_kind: Mapping[DefinitionKind, tuple[str, ...]]
    # The council's school terms, from every set of dates held (the newest first): already in
    # the term calendar of every framework above.
    school_terms: tuple[SchoolTerm, ...] = ()

    def problems_of(self, kind: DefinitionKind) -> tuple[str, ...]:
        return self.problems_by_kind.get(kind, ())

    @property
    def problems(self) -> tuple[str, ...]:
        """Every kind's, each sentence once."""
        return tuple(dict.fromkeys(p for kind in DefinitionKind for p in self.problems_of(kind)))


@dataclasses.dataclass(frozen=True)
class _Adoption:
    """What the once-per-unlock adoption of old path settings left behind: each file it could
    not take in, with what the file looked like then (None: it was not there)."""

    not_adopted: tuple[NotAdopted, ...]
    looked: tuple[tuple[int, int] | None, ...]

    def file_changed(self) -> bool:
        """A file left behind has appeared or changed since (a shared drive reconnected): worth
        one more try. A stat per such file; nothing at all for a store with none."""
        return any(
            _looks(item.path) != seen
            for item, seen in zip(self.not_adopted, self.looked, strict=True)
        )


def _looks(path: str) -> tuple[int, int] | None:
    try:
        found = Path(path).stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _adopt(store: Store) -> _Adoption:
    not_adopted = tuple(adopt_old_paths(store))
    return _Adoption(not_adopted, tuple(_looks(n.path) for n in not_adopted))


def definitions(store: Store) -> Definitions:
    """The store's definitions library: built on first use after the store opens, then kept
    until a write changes it (see the module's docstring)."""
    # Once per unlock: taking in old path settings writes records and reads files. Only a file
    # it could not read that has since appeared or changed is tried again.
    if store.kept(_ADOPTED, lambda: _adopt(store)).file_changed():
        store.forget_kept(_ADOPTED, KEPT)
    return store.kept(
        KEPT,
        lambda: _build(store),
        kinds=(Definition.KIND,),
        settings=(DEFAULT_INSTRUMENT_SETTING,),
    )


_builds = 0


def build_count() -> int:
    """How many times a library has been built in this process (for tests and benchmarks: a
    count that stays put across reads shows they were served from the kept one)."""
    return _builds


def _build(store: Store) -> Definitions:
    global _builds
    _builds += 1
    not_adopted = store.kept(_ADOPTED, lambda: _adopt(store)).not_adopted
    problems: dict[DefinitionKind, list[str]] = {kind: [] for kind in DefinitionKind}
    still_listed = {
        (setting, path)
        for setting in {n.setting for n in not_adopted}
        for path in listed_paths(store, setting)
    }
    for item in not_adopted:  # one added again from its new place is no longer reported
        if (item.setting, item.path) in still_listed:
            problems[item.kind].append(item.problem)
    held: dict[DefinitionKind, list[Definition]] = {kind: [] for kind in DefinitionKind}
    for definition in sorted(store.list(Definition), key=lambda d: d.revision):
        held[definition.kind].append(definition)
    terms = council_terms(
        [cast(SchoolTermDates, d.parsed()) for d in held[DefinitionKind.SCHOOL_TERMS]]
    )
    frameworks = _frameworks(held[DefinitionKind.FRAMEWORK], problems[DefinitionKind.FRAMEWORK])
    if terms:
        frameworks = FrameworkLibrary(with_council_terms(f, terms) for f in frameworks.all())
    return Definitions(
        frameworks=frameworks,
        templates=_templates(held[DefinitionKind.TEMPLATE], problems[DefinitionKind.TEMPLATE]),
        instruments=_instruments(
            held[DefinitionKind.INSTRUMENT],
            problems[DefinitionKind.INSTRUMENT],
            store.get_setting(DEFAULT_INSTRUMENT_SETTING, "") or "",
        ),
        held={kind: tuple(found) for kind, found in held.items()},
        problems_by_kind={kind: tuple(found) for kind, found in problems.items()},
        school_terms=terms,
    )


def _left_out(definition: Definition, exc: UserError) -> str:
    return f"{definition.file_name or definition.ref}: {exc}"


def _frameworks(held: list[Definition], problems: list[str]) -> FrameworkLibrary:
    """The shipped frameworks plus the council's (oldest first). One whose id@version is
    already loaded with different content is left out, with a sentence why."""
    library = FrameworkLibrary(shipped_frameworks())
    for definition in held:
        try:
            library.add(cast(Framework, definition.parsed()))
        except UserError as exc:
            problems.append(_left_out(definition, exc))
    return library


def _templates(held: list[Definition], problems: list[str]) -> TemplateLibrary:
    """fmdesk's templates plus the council's, oldest first."""
    library = TemplateLibrary.shipped()
    for definition in held:
        try:
            library.add(cast(Template, definition.parsed()), council=True)
        except ValidationError as exc:
            problems.append(_left_out(definition, exc))
    return library


def _instruments(held: list[Definition], problems: list[str], default: str) -> InstrumentCatalogue:
    """Built-ins plus the council's instruments (oldest first), new readings using `default`
    (the setting `star.default`). One whose id@version is already loaded with different content
    is left out, with a sentence why; so is a default that is not loaded."""
    checked = InstrumentCatalogue()
    usable: list[Instrument] = []
    for definition in held:
        instrument = cast(Instrument, definition.parsed())
        try:
            checked.add(instrument)
        except ValidationError as exc:
            problems.append(_left_out(definition, exc))
            continue
        usable.append(instrument)
    try:
        catalogue = InstrumentCatalogue(usable, default=default)
        catalogue.default  # noqa: B018 - refuses a default that is not loaded
    except ValidationError as exc:
        problems.append(f"The chosen default Star instrument is not available: {exc}")
        catalogue = InstrumentCatalogue(usable)
    return catalogue


# ---- the council's current framework -----------------------------------------------------------

# The current national framework, used when the council has added none of its own.
NATIONAL_FRAMEWORK = "supporting-families-2022"


def current_framework(store: Store) -> Framework:
    """The framework new families are attached under when none is chosen: the council's own
    framework added last (the newest held), else the newest version of the national
    Supporting Families framework that comes with fmdesk. From the kept library, so its term
    calendar carries the council's dates."""
    found = definitions(store)
    held = [d.ref for d in found.held.get(DefinitionKind.FRAMEWORK, ()) if not d.deleted]
    loaded = {f.ref for f in found.frameworks.all()}
    for ref in reversed(held):
        if ref in loaded:  # not left out for a clash
            return found.frameworks.get(ref)
    return found.frameworks.latest(NATIONAL_FRAMEWORK)


# ---- adding a council's file -------------------------------------------------------------------


def add_definition_file(store: Store, kind: DefinitionKind | None, path: str | Path) -> Parsed:
    """Check a council's file of `kind` (None: whichever kind its content shows) and keep its
    content in the store (a Definition record, which bundles carry to practitioners); the
    library is built afresh on the next read. Refused (ValidationError naming the file and
    field) when it is malformed, or changes a loaded id@version without a new number."""
    if kind is None:
        kind = read_definition_file(None, path).kind
    definition = read_definition_file(kind, path, on=dt.date.today(), by=store.info.owner_name)
    parsed = definition.parsed()
    with store.transaction():
        _check_fits_library(definitions(store), kind, parsed)
        save_definition(store, definition)
        if kind is not DefinitionKind.TEMPLATE:  # templates were never kept by path
            forget_old_path(store, path)
    return parsed


def _check_fits_library(loaded: Definitions, kind: DefinitionKind, parsed: Parsed) -> None:
    """Refuse a definition the library would refuse, in its words, by adding it to a copy (the
    kept library is shared and stays as it is)."""
    if kind is DefinitionKind.FRAMEWORK:
        # As the files have them: the kept library's calendars carry the council's terms.
        _frameworks(list(loaded.held.get(kind, ())), []).add(cast(Framework, parsed))
    elif kind is DefinitionKind.SCHOOL_TERMS:
        return  # any set of dates fits beside the others (save_definition checks id@version)
    elif kind is DefinitionKind.TEMPLATE:
        TemplateLibrary(loaded.templates.all()).add(cast(Template, parsed), council=True)
    else:
        InstrumentCatalogue(list(loaded.instruments)).add(cast(Instrument, parsed))


# ---- what the Definitions dialog and the commands list -----------------------------------------


@dataclasses.dataclass(frozen=True)
class DefinitionRow:
    kind: DefinitionKind
    ref: str
    name: str
    held: Definition | None  # the council's record; None for one that comes with fmdesk

    @property
    def origin(self) -> str:
        """ "Comes with fmdesk", or where the council's came from, when and by whom."""
        if self.held is None:
            return "Comes with fmdesk"
        parts = [f"Council: {self.held.file_name}" if self.held.file_name else "Council"]
        if self.held.added_on:
            day = self.held.added_on
            parts.append(f"added {day.day} {day:%b %Y}")
        if self.held.added_by:
            parts.append(f"by {self.held.added_by}")
        return ", ".join(parts)


@dataclasses.dataclass(frozen=True)
class Library:
    rows: tuple[DefinitionRow, ...]
    problems: tuple[str, ...] = ()

    def of(self, kind: DefinitionKind) -> list[DefinitionRow]:
        return [r for r in self.rows if r.kind is kind]


def _loaded(found: Definitions, kind: DefinitionKind) -> list[Parsed]:
    if kind is DefinitionKind.FRAMEWORK:
        return list(found.frameworks.all())
    if kind is DefinitionKind.TEMPLATE:
        return list(found.templates.all())
    if kind is DefinitionKind.SCHOOL_TERMS:
        return [d.parsed() for d in found.held.get(kind, ())]
    return list(found.instruments)


def load_library(
    store: Store, kinds: tuple[DefinitionKind, ...] = tuple(DefinitionKind)
) -> Library:
    """The definitions of `kinds` loaded here, by kind then id and version, each marked as
    shipped or the council's; and why any council definition was left out."""
    found = definitions(store)
    rows: list[DefinitionRow] = []
    problems: list[str] = []
    for kind in kinds:
        held = {d.ref: d for d in found.held.get(kind, ())}
        problems.extend(found.problems_of(kind))
        for item in _loaded(found, kind):
            rows.append(DefinitionRow(kind, item.ref, item.name, held.get(item.ref)))
    return Library(tuple(rows), tuple(dict.fromkeys(problems)))
