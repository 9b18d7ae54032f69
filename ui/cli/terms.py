"""`fmdesk terms …`: the council's school term dates, from the command line.

- `add FILE`: check a council's term dates file (schema: docs/schemas/school-terms.schema.json;
  an example: fmdesk/definitions/school-terms/example-council-terms.json) and keep it in the
  store. Every framework's attendance counted in terms is then judged by these dates where they
  reach, before the framework's own and the usual English pattern; the coordinator's next
  bundles carry them to every enrolled practitioner. A file that does not fit is refused with
  the place in it, and nothing is written.
- `validate FILE`: check a file; prints "valid: …" or the error naming the place (exit 1).
- `show`: the term dates held, and the terms of the school years asked for, each with where
  its dates come from (the council's, a framework's own with `--framework`, or the pattern).

Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import click

from db.library import add_definition_file, definitions, load_library
from fmdesk.definition import DefinitionKind, read_definition_file
from fmdesk.errors import UserError
from fmdesk.outcomes import FrameworkNotFound
from fmdesk.terms import (
    GENERATED,
    SchoolTerm,
    SchoolTermDates,
    from_framework,
    known_terms,
)
from ui.cli.options import echo_json, json_option, open_store, store_option


def _summary(dates: SchoolTermDates) -> str:
    return f"{len(dates.terms)} terms, {dates.covers}"


@click.group("terms")
def terms_group() -> None:
    """The council's school term dates: add, check and show them."""


@terms_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def terms_validate(file: Path) -> None:
    """Check a school term dates file. Prints "valid" and what it holds, or the error naming
    the place (exit 1)."""
    dates = cast(SchoolTermDates, read_definition_file(DefinitionKind.SCHOOL_TERMS, file).parsed())
    click.echo(f"valid: {dates.ref}, {dates.name} ({_summary(dates)})")


@terms_group.command("add")
@store_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def terms_add(store_path: Path | None, file: Path) -> None:
    """Check the council's school term dates file and keep it in the store: attendance is then
    judged by these dates wherever they reach, here and, after the next bundles, on every
    practitioner's laptop."""
    with open_store(store_path) as store:
        added = cast(SchoolTermDates, add_definition_file(store, DefinitionKind.SCHOOL_TERMS, file))
    click.echo(
        f"Added {added.ref}, {added.name} ({_summary(added)}). Attendance is judged by these "
        "dates where they reach, then by each framework's own, then by the usual English "
        "pattern. The coordinator's bundles carry them to practitioners."
    )


def _school_year(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _years(council: tuple[SchoolTerm, ...], year: int | None) -> range:
    """The school years to show: `year`, else this one and the next and any the council's
    dates cover."""
    if year is not None:
        return range(year, year + 1)
    now = _school_year(dt.date.today())
    held = [_school_year(t.start) for t in council]
    return range(min([now, *held]), max([now + 1, *held]) + 1)


@terms_group.command("show")
@store_option
@json_option
@click.option(
    "--year",
    type=click.IntRange(1990, 2100),
    default=None,
    help="Only the school year starting in September of this year (default: the years the "
    "council's dates cover, and this school year and the next).",
)
@click.option(
    "--framework",
    "framework_ref",
    default="",
    help="Show the terms as this framework (id@version) judges attendance by them: the "
    "council's dates, then the framework's own, then the usual pattern.",
)
def terms_show(
    store_path: Path | None, as_json: bool, year: int | None, framework_ref: str
) -> None:
    """The council's term dates held in the store, and each term of the school years shown
    with where its dates come from."""
    with open_store(store_path) as store:
        found = definitions(store)
        rows = load_library(store, (DefinitionKind.SCHOOL_TERMS,)).of(DefinitionKind.SCHOOL_TERMS)
        council = found.school_terms
        if framework_ref:
            try:
                framework = found.frameworks.get(framework_ref)
            except FrameworkNotFound as exc:
                raise UserError(
                    f"{exc} 'fmdesk frameworks list --store' shows those loaded."
                ) from None
            calendar = from_framework(framework.term_calendar)
        else:
            calendar = ()
    years = _years(council, year)
    terms = [
        t
        for t in known_terms(calendar, council, first_year=years.start, last_year=years.stop - 1)
        if _school_year(t.start) in years
    ]
    if as_json:
        echo_json(
            {
                "held": [{"ref": r.ref, "name": r.name, "from": r.origin} for r in rows],
                "framework": framework_ref,
                "terms": [
                    {
                        "name": t.name,
                        "start": t.start.isoformat(),
                        "end": t.end.isoformat(),
                        "source": t.source,
                    }
                    for t in terms
                ],
            }
        )
        return
    if rows:
        click.echo("The council's school term dates:")
        for row in rows:
            click.echo(f"  {row.ref}  {row.name} · {row.origin}")
    else:
        click.echo(
            f"No council term dates are held: terms are {GENERATED} (add the council's with "
            "'fmdesk terms add FILE')."
        )
    if framework_ref:
        click.echo(f"As {framework_ref} judges attendance:")
    for term in terms:
        click.echo(
            f"  {term.name:<12} {term.start.isoformat()} to {term.end.isoformat()}  {term.source}"
        )
