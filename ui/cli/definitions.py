"""`fmdesk templates …` and `fmdesk instruments …`: assessment templates and Star instruments
from the command line, like `fmdesk frameworks …` (ui/cli_outcomes.py).

- `list`: the definitions that come with fmdesk (and, with `--store`, the council's the store
  holds), one a line: id@version, name, where it came from.
- `show ID[@VERSION]`: one in full (the newest version unless one is named).
- `validate FILE`: check a council's file; prints "valid: …" (exit 0) or the error naming the
  file and the field (exit 1), and changes nothing.
- `add FILE`: check a council's file and keep it in the store; the coordinator's next bundles
  carry it to every enrolled practitioner.

Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click

from db.assessments import load_templates
from db.library import DefinitionRow, add_definition_file, load_library
from db.stars import load_catalogue
from db.store import Store
from fmdesk.assessment import Template, TemplateLibrary
from fmdesk.definition import DefinitionKind, read_definition_file
from fmdesk.errors import UserError
from fmdesk.records import to_plain
from fmdesk.stars import Instrument, InstrumentCatalogue, to_plain_instrument
from ui.cli.options import echo_json, json_option, open_store, optional_store_option, store_option


def _store_flag(verb: str) -> Callable[[Any], Any]:
    # Like `frameworks`, these read no store unless asked: the shipped definitions need none.
    return optional_store_option(f"Also {verb} the council's definitions this store holds.")


def _rows(kind: DefinitionKind, store_path: Path | None) -> tuple[list[Any], list[str], tuple]:
    """(definitions, origins, problems) of `kind`: shipped ones, plus the store's if asked."""
    if store_path is None:
        if kind is DefinitionKind.TEMPLATE:
            found: list[Any] = TemplateLibrary.shipped().all()
        else:
            found = list(InstrumentCatalogue())
        return found, ["Comes with fmdesk"] * len(found), ()
    with open_store(store_path) as store:
        library = load_library(store, (kind,))
        parsed = _parsed_of(store, kind)
    rows: list[DefinitionRow] = library.of(kind)
    return [parsed[r.ref] for r in rows], [r.origin for r in rows], library.problems


def _parsed_of(store: Store, kind: DefinitionKind) -> dict[str, Any]:
    if kind is DefinitionKind.TEMPLATE:
        return {t.ref: t for t in load_templates(store).library.all()}
    return {i.ref: i for i in load_catalogue(store).instruments}


def _pick(found: list[Any], ref: str, what: str) -> Any:
    if "@" in ref:
        for item in found:
            if item.ref == ref:
                return item
        raise UserError(f"No {what} {ref} is loaded here. 'list' shows what is.")
    versions = [item for item in found if item.id == ref]
    if not versions:
        raise UserError(f"No {what} called {ref!r} is loaded here. 'list' shows what is.")
    return max(versions, key=lambda item: item.version)


def _list(kind: DefinitionKind, store_path: Path | None, as_json: bool, summary: Any) -> None:
    found, origins, problems = _rows(kind, store_path)
    if as_json:
        echo_json(
            [
                {
                    "ref": item.ref,
                    "id": item.id,
                    "version": item.version,
                    "name": item.name,
                    "from": origin,
                    "summary": summary(item),
                }
                for item, origin in zip(found, origins, strict=True)
            ]
        )
    else:
        width = max((len(item.ref) for item in found), default=0)
        for item, origin in zip(found, origins, strict=True):
            click.echo(f"{item.ref:<{width}}  {item.name} ({summary(item)}) · {origin}")
    for problem in problems:
        click.echo(f"fmdesk: {problem}", err=True)


def _add(kind: DefinitionKind, store_path: Path | None, file: Path, summary: Any) -> None:
    with open_store(store_path) as store:
        added = add_definition_file(store, kind, file)
    click.echo(
        f"Added {added.ref}, {added.name} ({summary(added)}). The store keeps a copy: the file "
        "may move, and the coordinator's bundles carry it to practitioners."
    )


# ---- templates ----------------------------------------------------------------------------------


def _template_summary(template: Template) -> str:
    per_person = sum(1 for s in template.sections if s.scope.per_person)
    return f"{len(template.sections)} sections, {per_person} per person"


@click.group()
def templates() -> None:
    """List, show, check and add whole-family assessment templates."""


@templates.command("list")
@_store_flag("list")
@json_option
def templates_list(store_path: Path | None, as_json: bool) -> None:
    """The templates available, one a line."""
    _list(DefinitionKind.TEMPLATE, store_path, as_json, _template_summary)


@templates.command("show")
@_store_flag("show")
@json_option
@click.argument("ref", metavar="ID[@VERSION]")
def templates_show(store_path: Path | None, as_json: bool, ref: str) -> None:
    """One template's sections and questions (the newest version unless one is named)."""
    found, _, _ = _rows(DefinitionKind.TEMPLATE, store_path)
    template = cast(Template, _pick(found, ref, "assessment template"))
    if as_json:
        echo_json({"ref": template.ref, **to_plain(template)})
        return
    click.echo(f"{template.name} ({template.ref})")
    if template.description:
        click.echo(template.description)
    for section in template.sections:
        scope = "" if section.scope.value == "family" else f" [{section.scope.value}]"
        click.echo(f"  {section.title}{scope}")
        for element in section.elements:
            required = " (required)" if element.required else ""
            click.echo(f"      {element.label}{required}")


@templates.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def templates_validate(file: Path) -> None:
    """Check a template file. Prints "valid" and what it holds, or the error naming the field
    (exit 1)."""
    template = cast(Template, read_definition_file(DefinitionKind.TEMPLATE, file).parsed())
    click.echo(f"valid: {template.ref}, {template.name} ({_template_summary(template)})")


@templates.command("add")
@store_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def templates_add(store_path: Path | None, file: Path) -> None:
    """Check a council's template file and keep it in the store: new assessments start from
    it."""
    _add(DefinitionKind.TEMPLATE, store_path, file, _template_summary)


# ---- instruments --------------------------------------------------------------------------------


def _instrument_summary(instrument: Instrument) -> str:
    return (
        f"{len(instrument.areas)} areas, scored {instrument.scale_min}–{instrument.scale_max}, "
        f"{len(instrument.stages)} stages"
    )


@click.group()
def instruments() -> None:
    """List, show, check and add Star instruments."""


@instruments.command("list")
@_store_flag("list")
@json_option
def instruments_list(store_path: Path | None, as_json: bool) -> None:
    """The Star instruments available, one a line."""
    _list(DefinitionKind.INSTRUMENT, store_path, as_json, _instrument_summary)


@instruments.command("show")
@_store_flag("show")
@json_option
@click.argument("ref", metavar="ID[@VERSION]")
def instruments_show(store_path: Path | None, as_json: bool, ref: str) -> None:
    """One instrument's scale, stages and areas (the newest version unless one is named)."""
    found, _, _ = _rows(DefinitionKind.INSTRUMENT, store_path)
    instrument = cast(Instrument, _pick(found, ref, "Star instrument"))
    if as_json:
        echo_json({"ref": instrument.ref, **to_plain_instrument(instrument)})
        return
    click.echo(f"{instrument.name} ({instrument.ref})")
    click.echo(f"Licence: {instrument.licence}")
    click.echo(f"Scale: {instrument.scale_min} to {instrument.scale_max}")
    for stage in instrument.stages:
        click.echo(f"  {stage.range_text:<6} {stage.name}")
    for area in instrument.areas:
        click.echo(f"  · {area.name}")


@instruments.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def instruments_validate(file: Path) -> None:
    """Check a Star instrument file. Prints "valid" and what it holds, or the error naming the
    field (exit 1)."""
    parsed = read_definition_file(DefinitionKind.INSTRUMENT, file).parsed()
    instrument = cast(Instrument, parsed)
    click.echo(f"valid: {instrument.ref}, {instrument.name} ({_instrument_summary(instrument)})")


@instruments.command("add")
@store_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def instruments_add(store_path: Path | None, file: Path) -> None:
    """Check a council's Star instrument file and keep it in the store: new readings use it
    (unless another is chosen as the default)."""
    _add(DefinitionKind.INSTRUMENT, store_path, file, _instrument_summary)
