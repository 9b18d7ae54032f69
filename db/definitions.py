"""A council's definitions held in the store (fmdesk/definition.py): reading, saving, and taking
in the file paths older versions of fmdesk remembered.

db/library.py merges fmdesk's shipped definitions with these into the one library an open store
uses (built once, kept on the Store), and lists and adds them for the app and the command line.

Before definitions were held in the store, a council's framework and instrument files were
remembered by path, in the settings `outcomes.framework_paths` and `star.instrument_paths`. Once
after each unlock (db/library.py, as it first builds the library) each file that still loads is
taken into a record and dropped from the setting (and the setting once it is empty). A file that
cannot be read stays listed and is reported, as before, until it is added from its new place, or
until it appears (or changes) at the place listed, when the next read tries it once more.

Threading: like the Store, call on its thread.
"""

import dataclasses
import datetime as dt
import json
from pathlib import Path

from db.store import Store
from fmdesk.definition import (
    Definition,
    DefinitionKind,
    check_fits,
    read_definition_file,
    same_definition,
)
from fmdesk.errors import UserError

# The settings older versions kept file paths in, and the kind of file each lists.
PATH_SETTINGS = {
    "outcomes.framework_paths": DefinitionKind.FRAMEWORK,
    "star.instrument_paths": DefinitionKind.INSTRUMENT,
}


@dataclasses.dataclass(frozen=True)
class Held:
    """The store's definitions of one kind, oldest first (the order they were added or
    arrived), and a sentence for each old file path that could not be taken in."""

    definitions: tuple[Definition, ...]
    problems: tuple[str, ...] = ()


def held_definitions(store: Store, kind: DefinitionKind) -> Held:
    """The store's council definitions of `kind`, oldest first. The old path settings are not
    looked at here: db/library.py adopts them once per unlock."""
    # Only this kind's are decoded (each decode checks its content).
    rows = store.db.execute(
        "SELECT body FROM records WHERE kind = ? AND deleted = 0 AND body ->> '$.kind' = ? "
        "ORDER BY revision",
        [Definition.KIND, kind.value],
    )
    return Held(tuple(Definition.from_stored(json.loads(body)) for (body,) in rows))


def save_definition(store: Store, definition: Definition) -> Definition:
    """Keep a checked definition in the store (one transaction). The same definition already
    held is not saved twice: the held record is returned. A different one under the same
    id@version is refused (ValidationError naming the file)."""
    with store.transaction():
        held = store.list(Definition)
        for other in held:
            if same_definition(other, definition):
                return other
        check_fits(definition, held)
        (saved,) = store.save(definition)
    return saved


def listed_paths(store: Store, setting: str) -> list[str]:
    """The file paths an old path setting still lists."""
    value = store.get_setting(setting)
    if not isinstance(value, list):
        return []
    return [p for p in value if isinstance(p, str)]


@dataclasses.dataclass(frozen=True)
class NotAdopted:
    """A file an old path setting lists that could not be taken in, and why in words."""

    setting: str
    kind: DefinitionKind
    path: str
    problem: str


def adopt_path_settings(store: Store, kind: DefinitionKind | None = None) -> list[str]:
    """Take the files listed in the old path settings (of `kind`, or all) into records; return
    a sentence for each listed file that cannot be taken in yet."""
    return [n.problem for n in adopt_old_paths(store, kind)]


def adopt_old_paths(store: Store, kind: DefinitionKind | None = None) -> list[NotAdopted]:
    """`adopt_path_settings`, saying which setting and path each sentence is about (so a file
    added again from its new place can stop being reported)."""
    problems: list[NotAdopted] = []
    for setting, setting_kind in PATH_SETTINGS.items():
        if kind is not None and setting_kind is not kind:
            continue
        if store.get_setting(setting) is None:
            continue
        kept: list[str] = []
        with store.transaction():
            for path in listed_paths(store, setting):
                try:
                    definition = read_definition_file(
                        setting_kind, path, on=dt.date.today(), by=store.info.owner_name
                    )
                    save_definition(store, definition)
                except UserError as exc:
                    kept.append(path)
                    problems.append(
                        NotAdopted(
                            setting,
                            setting_kind,
                            path,
                            f"{exc} (This {setting_kind.label} was added by an earlier version "
                            "of fmdesk from that file; add it again from where it is now.)",
                        )
                    )
            if kept:
                store.set_setting(setting, kept)
            else:
                store.db.execute("DELETE FROM settings WHERE key = ?", [setting])
    return problems


def forget_old_path(store: Store, path: str | Path) -> None:
    """A file added again (from the place an old path setting lists, or under the same name
    from somewhere else) is no longer looked for at its old place."""
    wanted = Path(path).resolve()
    for setting in PATH_SETTINGS:
        listed = listed_paths(store, setting)
        kept = [p for p in listed if Path(p).resolve() != wanted and Path(p).name != wanted.name]
        if len(kept) != len(listed):
            if kept:
                store.set_setting(setting, kept)
            else:
                store.db.execute("DELETE FROM settings WHERE key = ?", [setting])
