"""`fmdesk programme …`: the coordinator's dashboard, targets, practitioners, allocation and
intake of a folder of bundles.

    fmdesk programme dashboard [--year 2025] [--as-at DATE] [--json] [--csv FILE] [--pdf FILE]
    fmdesk programme targets [--year 2025] [--identified N --worked-with N ...]
    fmdesk programme practitioners [--limit N]
    fmdesk programme allocate REF... --to PRACTITIONER [--reason TEXT]
    fmdesk programme intake FOLDER
    fmdesk programme attach-framework FRAMEWORK (REF... | --csv FILE) [--apply]
    fmdesk programme update-csv FILE [--check] [--valid-only]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from db import allocation, programme
from db.families import find_family
from db.programme import identified
from fmdesk.errors import UserError
from fmdesk.outcomes.dates import day_text
from fmdesk.programme import (
    Chart,
    Section,
    Stage,
    check_year,
    csv_bytes,
    year_label,
    year_start,
)
from fmdesk.words import families as count_families
from reports.programme import dashboard_pdf
from ui.actions import documents
from ui.cli.as_at import as_at_option, history_note, parse_as_at
from ui.cli.options import (
    coordinator_only,
    echo_json,
    json_option,
    marking_option,
    open_store,
    store_option,
)


@click.group("programme")
def programme_group() -> None:
    """The coordinator's programme: dashboard, targets, practitioners, allocation, intake."""


@programme_group.command("dashboard")
@store_option
@json_option
@click.option("--year", type=int, default=None, help="The programme year's first year (2025).")
@as_at_option("The figures")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the figures to this CSV file.",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the dashboard to this PDF file.",
)
@marking_option
def programme_dashboard(
    store_path: Path | None,
    as_json: bool,
    year: int | None,
    as_at: str | None,
    csv_path: Path | None,
    pdf_path: Path | None,
    marking: str,
) -> None:
    """The programme's figures against this year's targets, today or as at a day (the year
    holding that day, unless --year names another)."""
    if year is not None:
        check_year(year)
    day = parse_as_at(as_at)
    with open_store(store_path) as store:
        board = programme.load_dashboard(store, year=year, as_at=day)
        history_note(store, day)
    if csv_path:
        documents.save(csv_path, csv_bytes(board.csv_rows()))
    if pdf_path:
        documents.save(pdf_path, dashboard_pdf(board, marking=marking))
    if as_json:
        echo_json(
            {
                "year": board.year_label,
                "today": board.today.isoformat(),
                "as_at": board.today.isoformat(),
                "notices": list(board.notices),
                "sections": [
                    {
                        "key": s.key,
                        "title": s.title,
                        "figures": [
                            {
                                "key": f.key,
                                "label": f.label,
                                "value": f.value,
                                "of": f.of,
                                "target": f.target,
                                "average": f.average,
                                "families": len(f.families),
                                "text": f.value_text,
                                **({"unit": "pence"} if f.money else {}),
                                **({"series": f.series, "period": f.period} if f.series else {}),
                            }
                            for f in s.figures
                        ],
                    }
                    for s in board.sections
                ],
            }
        )
        return
    click.echo(
        f"Programme dashboard {board.year_label} as at {day_text(board.today)} "
        f"({board.family_count} families)"
    )
    for notice in board.notices:
        click.echo(f"Warning: {notice}")
    for section in board.sections:
        click.echo(f"\n{section.title}")
        if section.chart is Chart.TREND:
            _echo_trend(section)
            continue
        for f in section.figures:
            average = f", average change {f.average:+.1f}" if f.average is not None else ""
            click.echo(f"  {f.label:<40} {f.value_text}{average}")
    for path in (csv_path, pdf_path):
        if path:
            click.echo(f"\nWrote {path}.")


def _echo_trend(section: Section) -> None:
    """A trend as a table: a row per headline figure, a column per quarter ("-": to come)."""
    periods = list(dict.fromkeys(f.period for f in section.figures))
    click.echo(f"  {'':<14}" + "".join(f"{p:>12}" for p in periods))
    for series in dict.fromkeys(f.series for f in section.figures):
        cells = {f.period: f for f in section.figures if f.series == series}
        words = ["-" if cells[p].note else cells[p].value_text for p in periods]
        click.echo(f"  {series:<14}" + "".join(f"{w:>12}" for w in words))


@programme_group.command("targets")
@store_option
@click.option("--year", type=int, default=None, help="The programme year's first year (2025).")
@click.option("--identified", type=click.IntRange(0), default=None)
@click.option("--allocated", type=click.IntRange(0), default=None)
@click.option("--worked-with", type=click.IntRange(0), default=None)
@click.option("--turned-around", type=click.IntRange(0), default=None)
@click.option("--claimed", type=click.IntRange(0), default=None)
def programme_targets(store_path: Path | None, year: int | None, **values: int | None) -> None:
    """Show, or set, the year's targets (families identified, allocated, worked with, turned
    around and claimed)."""
    year = check_year(year) if year is not None else year_start(dt.date.today())
    given = {Stage(k): v for k, v in values.items() if v is not None}
    with open_store(store_path) as store:
        coordinator_only(store)
        if given:
            programme.set_targets(store, year, given)  # type: ignore[arg-type]
        targets = programme.get_targets(store).get(year, {})
    click.echo(f"Targets for {year_label(year)}:")
    for stage in Stage:
        click.echo(f"  {stage.label:<14} {targets.get(stage, 'not set')}")


@programme_group.command("practitioners")
@store_option
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="Set the caseload size past which a practitioner is flagged.",
)
def programme_practitioners(store_path: Path | None, limit: int | None) -> None:
    """Enrolled practitioners and the families each holds."""
    with open_store(store_path) as store:
        coordinator_only(store)
        if limit is not None:
            allocation.set_caseload_limit(store, limit)
        loads = allocation.practitioners(store)
        limit = allocation.caseload_limit(store)
    click.echo(f"Caseload limit: {count_families(limit)}")
    if not loads:
        click.echo("No practitioner is enrolled yet.")
    for p in loads:
        flag = "  ! over the limit" if p.over_limit else ""
        click.echo(
            f"  {p.name:<28} {p.held:>3} held (high {p.high}, medium {p.medium}, standard "
            f"{p.standard}); {p.closed} closed{flag}"
        )


@programme_group.command("allocate")
@store_option
@click.argument("references", nargs=-1, required=True)
@click.option(
    "--to",
    "practitioner",
    required=True,
    help="The practitioner's name as enrolled, or their store id.",
)
@click.option("--reason", default="", help="Why (needed when moving from another practitioner).")
def programme_allocate(
    store_path: Path | None, references: tuple[str, ...], practitioner: str, reason: str
) -> None:
    """Allocate families to a practitioner; they travel in the next bundle made for them."""
    with open_store(store_path) as store:
        ids = [find_family(store, ref).id for ref in references]
        result = allocation.allocate(store, ids, practitioner, reason=reason)
    for family in result.families:
        click.echo(f"Allocated {family.reference} to {family.lead_practitioner}.")
    for reference in result.unchanged:
        click.echo(f"{reference} was already allocated to them.")
    if result.warning:
        click.echo(f"Warning: {result.warning}")


@programme_group.command("intake")
@store_option
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
def programme_intake(store_path: Path | None, folder: Path) -> None:
    """Import every sync bundle (*.fmb) in a folder and sum up each practitioner's. A refused
    bundle does not stop the rest; exit code 1 when any was refused."""
    with open_store(store_path) as store:
        coordinator_only(store)
        summary = allocation.intake_folder(store, folder)
    for line in summary.lines():
        click.echo(line)
    if summary.refused:
        # As `bundle import`: the good bundles are kept, and a script still learns of the rest.
        count = len(summary.refused)
        others = summary.imported + sum(s.duplicates for s in summary.senders)
        raise UserError(
            f"{count} bundle{'s were' if count != 1 else ' was'} refused (named above)"
            + ("; the others were imported." if others else ".")
        )


@programme_group.command("attach-framework")
@store_option
@click.argument("framework")
@click.argument("references", nargs=-1)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The families imported from this identified-families CSV (by its family_key column).",
)
@click.option("--apply", "apply_", is_flag=True, help="Attach them; without it, only preview.")
def programme_attach_framework(
    store_path: Path | None,
    framework: str,
    references: tuple[str, ...],
    csv_path: Path | None,
    apply_: bool,
) -> None:
    """Attach many families to an outcomes framework (id@version) at once: each family's
    eligibility before and after, with the indicators its figures tick by the framework's data
    thresholds, is shown first; --apply attaches them and saves those ticks."""
    if not references and csv_path is None:
        raise UserError("Name the families: their references, or --csv FILE for a file's.")
    with open_store(store_path) as store:
        coordinator_only(store)
        ids = [find_family(store, ref).id for ref in references]
        if csv_path is not None:
            ids += identified.families_in_csv(store, identified.read_csv_file(csv_path))
        if not ids:
            raise UserError(f"None of the families in {csv_path} is held here.")
        preview = identified.preview_attach(store, ids, framework)
        click.echo(preview.summary())
        for row in preview.rows:
            before = row.before.reason if row.before else "no framework"
            click.echo(f"  {row.family.reference}: {before} -> {row.after.eligibility.reason}")
        if not apply_:
            click.echo("Nothing was changed: add --apply to attach them.")
            return
        changed = identified.apply_attach(store, preview)
    click.echo(f"Attached {changed} famil{'ies' if changed != 1 else 'y'} to {preview.framework}.")


@programme_group.command("update-csv")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--check", "check_only", is_flag=True, help="Check the file; apply nothing.")
@click.option(
    "--valid-only",
    is_flag=True,
    help="Apply the figures of the families without problems and leave out the rest.",
)
def programme_update_csv(
    store_path: Path | None, file: Path, check_only: bool, valid_only: bool
) -> None:
    """Apply the council's follow-up figures (termly attendance and exclusions, quarterly
    offending, ASB and call-outs, monthly benefits and work) to the families and people held,
    matched by their identifiers (docs/identified-families-csv.md, Updates). With any problem or
    unmatched row nothing is applied unless --valid-only; the same file twice changes nothing."""
    data = identified.read_csv_file(file)
    with open_store(store_path) as store:
        coordinator_only(store)
        checked = identified.preview_update_csv(store, data)
        click.echo(checked.summary())
        for problem in checked.errors:
            click.echo(f"  {problem}")
        for row in checked.unmatched:
            click.echo(f"  unmatched: {row}")
        if check_only:
            if not checked.ok:
                raise UserError(
                    f"{len(checked.errors) + len(checked.unmatched)} row(s) in "
                    f"{file.name} need attention; see above."
                )
            return
        done = identified.apply_update(store, checked, valid_only=valid_only)
    left = (
        f"; {count_families(done.left_out_families)} left out for problems"
        if done.left_out_families
        else ""
    )
    click.echo(
        f"Applied {done.measures} new figures to {count_families(done.families)}; {done.unchanged} "
        f"already held{left}."
    )
