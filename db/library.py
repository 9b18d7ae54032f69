"""Every definition this store can use, of every kind: what the Definitions dialog and the
`fmdesk frameworks|templates|instruments` commands list, and one way to add a council's file.

Each function is one call from the UI's worker thread or the command line; each write is one
transaction.
"""

import dataclasses
from pathlib import Path

from db.assessments import add_template_file, load_templates
from db.definitions import held_definitions
from db.outcomes import add_framework_file, load_frameworks
from db.stars import add_instrument_file, load_catalogue
from db.store import Store
from fmdesk.definition import Definition, DefinitionKind, Parsed, read_definition_file


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


def _loaded(store: Store, kind: DefinitionKind) -> tuple[list[Parsed], tuple[str, ...]]:
    if kind is DefinitionKind.FRAMEWORK:
        frameworks = load_frameworks(store)
        return list(frameworks.library.all()), frameworks.problems
    if kind is DefinitionKind.TEMPLATE:
        templates = load_templates(store)
        return list(templates.library.all()), templates.problems
    catalogue = load_catalogue(store)
    return list(catalogue.instruments), catalogue.problems


def load_library(
    store: Store, kinds: tuple[DefinitionKind, ...] = tuple(DefinitionKind)
) -> Library:
    """The definitions of `kinds` loaded here, by kind then id and version, each marked as
    shipped or the council's; and why any council definition was left out."""
    rows: list[DefinitionRow] = []
    problems: list[str] = []
    for kind in kinds:
        held = {d.ref: d for d in held_definitions(store, kind).definitions}
        loaded, kind_problems = _loaded(store, kind)
        problems.extend(kind_problems)
        for item in loaded:
            rows.append(DefinitionRow(kind, item.ref, item.name, held.get(item.ref)))
    return Library(tuple(rows), tuple(dict.fromkeys(problems)))


def add_definition_file(store: Store, kind: DefinitionKind | None, path: str | Path) -> Parsed:
    """Check a council's file of `kind` (None: whichever kind its content shows) and keep it in
    the store (ValidationError naming the file and field when it is refused)."""
    if kind is None:
        kind = read_definition_file(None, path).kind
    if kind is DefinitionKind.FRAMEWORK:
        return add_framework_file(store, path)
    if kind is DefinitionKind.TEMPLATE:
        return add_template_file(store, path)
    return add_instrument_file(store, path)
