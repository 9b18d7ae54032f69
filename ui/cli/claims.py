"""`fmdesk claims …`: payment-by-results claims (ready families, batches, submission, the
schedule for audit).

    fmdesk claims ready | batch REFERENCE ... | submit REFERENCE | schedule REFERENCE ...
"""

from __future__ import annotations

from pathlib import Path

import click

from db import programme
from db.families import find_family
from fmdesk.errors import UserError
from reports.claims import schedule_pdf
from ui.actions import documents
from ui.cli.options import (
    coordinator_only,
    marking_option,
    open_store,
    parse_date,
    store_option,
)


@click.group("claims")
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
@click.option(
    "--family",
    "families_",
    multiple=True,
    help="A family's reference or id (repeatable); a reference two families hold is refused.",
)
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
    period_start, period_end = parse_date(start, "--from"), parse_date(end, "--to")
    with open_store(store_path) as store:
        coordinator_only(store)
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
        documents.save(csv_path, documents.schedule_csv(rows))
    if pdf_path:
        documents.save(pdf_path, schedule_pdf(batch, rows, marking=marking))
    click.echo(
        f"Wrote the schedule of {batch.reference}: {len(batch.family_ids)} families, "
        f"{len(rows)} pieces of evidence."
    )
