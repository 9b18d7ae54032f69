"""The coordinator's commands: identified families from a CSV, the programme, allocation, claims.

    fmdesk families import-csv FILE [--valid-only]
    fmdesk programme dashboard [--year 2025] [--json] [--csv FILE] [--pdf FILE]
    fmdesk programme targets [--year 2025] [--identified N --worked-with N ...]
    fmdesk programme practitioners [--limit N]
    fmdesk programme allocate REF... --to PRACTITIONER [--reason TEXT]
    fmdesk programme intake FOLDER
    fmdesk claims ready | batch REFERENCE ... | submit REFERENCE | schedule REFERENCE ...

Registered on the main group by the import at the end of ui/cli.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from db import allocation, programme
from db.families import find_family
from db.keyslots import write_atomic
from db.store import Store
from fmdesk.claims import SCHEDULE_HEADER, schedule_csv_row
from fmdesk.errors import UserError
from fmdesk.identified_csv import IdentifiedImport
from fmdesk.programme import Stage, check_year, csv_bytes, year_label, year_start
from fmdesk.roles import Role
from reports.base import write_pdf
from reports.claims import schedule_pdf
from reports.programme import dashboard_pdf
from ui.cli import (
    _echo_json,
    families,
    json_option,
    main,
    marking_option,
    open_store,
    store_option,
)


def _coordinator(store: Store) -> None:
    if store.info.role is not Role.COORDINATOR:
        raise UserError("This is a lead practitioner's store; run this on the coordinator's.")


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror}.") from None


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not a date (YYYY-MM-DD).") from None


# ---- identified families -------------------------------------------------------------------


def _report_preview(checked: IdentifiedImport) -> None:
    click.echo(checked.summary())
    for duplicate in checked.duplicates:
        rows = ", ".join(map(str, duplicate.rows))
        click.echo(f"  already held: {duplicate.key} (rows {rows}): {duplicate.reason}")
    for problem in checked.errors:
        click.echo(f"  {problem}")


@families.command("import-csv")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--valid-only", is_flag=True, help="Import the families without errors and leave out the rest."
)
@click.option(
    "--framework",
    default="",
    help="Attach the new families to this outcomes framework (id@version): one that comes "
    "with fmdesk or one added with 'fmdesk frameworks add'.",
)
@click.option("--check", "check_only", is_flag=True, help="Check the file; import nothing.")
def families_import_csv(
    store_path: Path | None, file: Path, valid_only: bool, framework: str, check_only: bool
) -> None:
    """Add identified families from the council's data-matching CSV (one row per person; see
    docs/identified-families-csv.md). With any error nothing is imported unless --valid-only."""
    data = programme.read_csv_file(file)
    with open_store(store_path) as store:
        _coordinator(store)
        checked = programme.preview_identified_csv(store, data, framework=framework)
        _report_preview(checked)
        if check_only:
            if checked.errors:
                raise UserError(f"{len(checked.errors)} problem(s) in {file.name}; see above.")
            return
        done = programme.import_identified(store, checked, valid_only=valid_only)
    left = f"; {done.skipped_with_errors} left out for errors" if done.skipped_with_errors else ""
    click.echo(
        f"Imported {done.families} families ({done.people} people, {done.measures} baseline "
        f"measures); {done.skipped_duplicates} already held{left}."
    )


# ---- the programme -------------------------------------------------------------------------


@main.group("programme")
def programme_group() -> None:
    """The coordinator's programme: dashboard, targets, practitioners, allocation, intake."""


@programme_group.command("dashboard")
@store_option
@json_option
@click.option("--year", type=int, default=None, help="The programme year's first year (2025).")
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
    csv_path: Path | None,
    pdf_path: Path | None,
    marking: str,
) -> None:
    """The programme's figures against this year's targets."""
    with open_store(store_path) as store:
        board = programme.load_dashboard(store, year=year)
    if csv_path:
        _write(csv_path, csv_bytes(board.csv_rows()))
    if pdf_path:
        try:
            write_pdf(dashboard_pdf(board, marking=marking), pdf_path)
        except OSError as exc:
            raise UserError(f"Could not write {pdf_path}: {exc.strerror}.") from None
    if as_json:
        _echo_json(
            {
                "year": board.year_label,
                "today": board.today.isoformat(),
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
                            }
                            for f in s.figures
                        ],
                    }
                    for s in board.sections
                ],
            }
        )
        return
    click.echo(f"Programme dashboard {board.year_label} ({board.family_count} families)")
    for section in board.sections:
        click.echo(f"\n{section.title}")
        for f in section.figures:
            average = f", average change {f.average:+.1f}" if f.average is not None else ""
            click.echo(f"  {f.label:<40} {f.value_text}{average}")
    for path in (csv_path, pdf_path):
        if path:
            click.echo(f"\nWrote {path}.")


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
        _coordinator(store)
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
        _coordinator(store)
        if limit is not None:
            allocation.set_caseload_limit(store, limit)
        loads = allocation.practitioners(store)
        limit = allocation.caseload_limit(store)
    click.echo(f"Caseload limit: {limit} families")
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
        _coordinator(store)
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


# ---- claims --------------------------------------------------------------------------------


@main.group("claims")
def claims_group() -> None:
    """Payment-by-results claims: ready families, batches, schedules."""


@claims_group.command("ready")
@store_option
def claims_ready(store_path: Path | None) -> None:
    """Families whose claim is ready, with the route and how each problem was met."""
    with open_store(store_path) as store:
        view = programme.load_claims(store)
    if not view.ready:
        click.echo("No family is ready to claim.")
    for item in view.ready:
        readiness = item.readiness
        assert readiness is not None  # ready families always have one
        click.echo(f"{item.family.reference:<14} {item.family.name}: {readiness.route}")
        for problem in readiness.problems:
            # By an alternative route (continuous employment) a problem may be unmet: no line.
            if problem.required and problem.met_by:
                click.echo(f"    {problem.name}: {problem.met_by}")
    for batch in view.batches:
        click.echo(
            f"Batch {batch.reference}: {len(batch.family_ids)} families, {batch.status.label}"
        )


@claims_group.command("batch")
@store_option
@click.argument("reference")
@click.option("--from", "start", required=True, help="First day of the claim period.")
@click.option("--to", "end", required=True, help="Last day of the claim period.")
@click.option("--family", "families_", multiple=True, help="A family reference (repeatable).")
@click.option("--all-ready", is_flag=True, help="Every family whose claim is ready.")
def claims_batch(
    store_path: Path | None,
    reference: str,
    start: str,
    end: str,
    families_: tuple[str, ...],
    all_ready: bool,
) -> None:
    """Make a draft claim batch. A family already claimed is refused by name."""
    if all_ready and families_:
        raise click.UsageError("Give either --family REF or --all-ready, not both.")
    if not (all_ready or families_):
        raise UserError("Name the families (--family REF) or use --all-ready.")
    period_start, period_end = _date(start, "--from"), _date(end, "--to")
    with open_store(store_path) as store:
        _coordinator(store)
        if all_ready:
            batch = programme.create_ready_batch(
                store, reference, period_start=period_start, period_end=period_end
            )
        else:
            batch = programme.create_batch(
                store,
                reference,
                period_start=period_start,
                period_end=period_end,
                family_ids=[find_family(store, ref).id for ref in families_],
            )
    click.echo(f"Made draft batch {batch.reference} of {len(batch.family_ids)} families.")


@claims_group.command("submit")
@store_option
@click.argument("reference")
def claims_submit(store_path: Path | None, reference: str) -> None:
    """Mark a batch as submitted (it can no longer be withdrawn)."""
    with open_store(store_path) as store:
        batch = programme.submit(store, reference)
    click.echo(f"Batch {batch.reference} marked as submitted on {batch.submitted_on}.")


@claims_group.command("schedule")
@store_option
@click.argument("reference")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schedule to this CSV file, one row per piece of evidence.",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schedule to this PDF file.",
)
@marking_option
def claims_schedule(
    store_path: Path | None,
    reference: str,
    csv_path: Path | None,
    pdf_path: Path | None,
    marking: str,
) -> None:
    """The claim schedule for internal audit: one row per piece of evidence."""
    if not (csv_path or pdf_path):
        raise UserError("Say where to write the schedule: --csv FILE, --pdf FILE or both.")
    with open_store(store_path) as store:
        batch, rows = programme.batch_schedule(store, reference)
    if csv_path:
        _write(csv_path, csv_bytes([SCHEDULE_HEADER, *(schedule_csv_row(r) for r in rows)]))
    if pdf_path:
        try:
            write_pdf(schedule_pdf(batch, rows, marking=marking), pdf_path)
        except OSError as exc:
            raise UserError(f"Could not write {pdf_path}: {exc.strerror}.") from None
    click.echo(
        f"Wrote the schedule of {batch.reference}: {len(batch.family_ids)} families, "
        f"{len(rows)} pieces of evidence."
    )
