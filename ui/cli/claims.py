"""`fmdesk claims …`: payment-by-results claims (ready families, batches through their life,
the schedule for audit).

    fmdesk claims ready [--as-at DATE] | batch REFERENCE --from DATE --to DATE ...
    fmdesk claims submit REFERENCE --approved-by NAME [--on DATE]
    fmdesk claims paid REFERENCE --on DATE [--amount £] | rejected REFERENCE --reason TEXT
    fmdesk claims withdraw REFERENCE [--yes] | schedule REFERENCE ...
"""

from __future__ import annotations

from pathlib import Path

import click

from db import programme
from db.families import find_family
from fmdesk.claims import BatchStatus, ClaimBatch, money_text, parse_amount
from fmdesk.errors import UserError
from fmdesk.outcomes.dates import day_text
from reports.claims import schedule_pdf
from ui.actions import documents
from ui.cli.as_at import as_at_option, history_note, parse_as_at
from ui.cli.options import (
    coordinator_only,
    marking_option,
    open_store,
    parse_date,
    store_option,
)


@click.group("claims")
def claims_group() -> None:
    """Payment-by-results claims: ready families, batches (draft, submitted, paid or
    rejected), schedules."""


def batch_line(batch: ClaimBatch) -> str:
    """A batch and where it is in its life, in one line."""
    count = len(batch.family_ids)
    line = (
        f"Batch {batch.reference}: {count} famil{'y' if count == 1 else 'ies'}, "
        f"{batch.period_start} to {batch.period_end}; made {batch.made_on} by {batch.made_by}"
    )
    if batch.status is not BatchStatus.DRAFT:
        line += f"; submitted {batch.submitted_on} by {batch.submitted_by}"
        if batch.approved_by:
            line += f", approved by {batch.approved_by} on {batch.approved_on}"
    if batch.status is BatchStatus.PAID:
        amount = f" ({money_text(batch.paid_pence)})" if batch.paid_pence is not None else ""
        line += f"; paid {batch.paid_on}{amount}"
    elif batch.status is BatchStatus.REJECTED:
        line += f"; rejected {batch.rejected_on}: {batch.rejection_reason}"
    else:
        line += f"; {batch.status.label.lower()}"
    return line


@claims_group.command("ready")
@store_option
@as_at_option("Judge")
def claims_ready(store_path: Path | None, as_at: str | None) -> None:
    """Families whose claim is ready (not claimed, nor held by a draft batch), with the route
    and how each problem was met; then the batches."""
    day = parse_as_at(as_at)
    with open_store(store_path) as store:
        view = programme.load_claims(store, as_at=day)
        history_note(store, day)
    if day is not None:
        click.echo(f"As at {day_text(day)}:")
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
        click.echo(batch_line(batch))


@claims_group.command("batch")
@store_option
@click.argument("reference")
@click.option("--from", "start", required=True, help="First day of the claim period.")
@click.option(
    "--to",
    "end",
    required=True,
    help="Last day of the claim period (over already): the families are judged as at its end.",
)
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
    """Make a draft claim batch for a period that has ended, judging each family as at the end
    of the period. A family already claimed, or in another batch, is refused by name. A draft
    claims nothing until it is submitted."""
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
    count = len(batch.family_ids)
    click.echo(
        f"Made draft batch {batch.reference} of {count} famil{'y' if count == 1 else 'ies'}, "
        f"judged as at {day_text(batch.period_end)}."
    )


@claims_group.command("submit")
@store_option
@click.argument("reference")
@click.option("--on", "on", default=None, help="The day it was sent (default: today).")
@click.option(
    "--approved-by",
    "approved_by",
    required=True,
    help="Who signed the claim off before it was sent (e.g. the Head of Service).",
)
@click.option("--approved-on", default=None, help="The day it was approved (default: --on).")
def claims_submit(
    store_path: Path | None,
    reference: str,
    on: str | None,
    approved_by: str,
    approved_on: str | None,
) -> None:
    """Mark a draft batch as sent to the funder: its families are claimed from that day, and
    it can no longer be withdrawn or changed."""
    sent_on = parse_date(on, "--on") if on else None
    approved = parse_date(approved_on, "--approved-on") if approved_on else None
    with open_store(store_path) as store:
        coordinator_only(store)
        batch = programme.submit(
            store, reference, on=sent_on, approved_by=approved_by, approved_on=approved
        )
    click.echo(
        f"Batch {batch.reference} marked as submitted on {batch.submitted_on}, approved by "
        f"{batch.approved_by}."
    )


@claims_group.command("paid")
@store_option
@click.argument("reference")
@click.option("--on", "on", required=True, help="The day the funder paid.")
@click.option("--amount", default=None, help="The amount paid, in pounds (e.g. 12,800.00).")
def claims_paid(store_path: Path | None, reference: str, on: str, amount: str | None) -> None:
    """Record that the funder paid a submitted batch."""
    paid_on = parse_date(on, "--on")
    pence = parse_amount(amount) if amount is not None else None
    with open_store(store_path) as store:
        coordinator_only(store)
        batch = programme.record_paid(store, reference, on=paid_on, pence=pence)
    said = f" ({money_text(pence)})" if pence is not None else ""
    click.echo(f"Batch {batch.reference} recorded as paid on {batch.paid_on}{said}.")


@claims_group.command("rejected")
@store_option
@click.argument("reference")
@click.option("--reason", required=True, help="Why the funder rejected the claim.")
@click.option("--on", "on", default=None, help="The day it was rejected (default: today).")
def claims_rejected(store_path: Path | None, reference: str, reason: str, on: str | None) -> None:
    """Record that the funder rejected a submitted batch: its families may be claimed again."""
    rejected_on = parse_date(on, "--on") if on else None
    with open_store(store_path) as store:
        coordinator_only(store)
        batch = programme.record_rejected(store, reference, reason=reason, on=rejected_on)
    count = len(batch.family_ids)
    click.echo(
        f"Batch {batch.reference} recorded as rejected on {batch.rejected_on}; its {count} "
        f"famil{'y' if count == 1 else 'ies'} may be claimed again."
    )


@claims_group.command("withdraw")
@store_option
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask first.")
def claims_withdraw(store_path: Path | None, reference: str, yes: bool) -> None:
    """Withdraw a draft batch (not a submitted one), freeing its families. Asks first."""
    with open_store(store_path) as store:
        coordinator_only(store)
        batch = programme.find_batch(store, reference)
        if batch.status is not BatchStatus.DRAFT:
            raise UserError(
                f"Batch {batch.reference} has been submitted, so it cannot be withdrawn."
            )
        if not yes:
            count = len(batch.family_ids)
            try:
                sure = click.confirm(
                    f"Withdraw draft batch {batch.reference} of {count} "
                    f"famil{'y' if count == 1 else 'ies'}?",
                    default=False,
                )
            except click.Abort:
                raise UserError(
                    "Nothing was withdrawn: answer the question, or give --yes."
                ) from None
            if not sure:
                click.echo("Nothing was withdrawn.")
                return
        programme.withdraw(store, batch.reference)
    click.echo(f"Withdrew draft batch {batch.reference}; its families may be claimed again.")


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
    """The claim schedule for internal audit: one row per piece of evidence, judged as at the
    end of the claim period, so it reads the same whenever it is made."""
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
