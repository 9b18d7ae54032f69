"""`fmdesk claims …`: payment-by-results claims (ready families, batches through their life,
the schedule for audit).

    fmdesk claims ready [--as-at DATE] | batch REFERENCE --from DATE --to DATE ...
    fmdesk claims submit REFERENCE --approved-by NAME [--on DATE]
    fmdesk claims paid REFERENCE --on DATE [--amount £] | rejected REFERENCE --reason TEXT
    fmdesk claims withdraw REFERENCE [--yes] | schedule REFERENCE ...
    fmdesk claims money [--year 2025] [--as-at DATE] | target [--turned-around N ...]
    fmdesk claims batches [--as-at DATE] | show REFERENCE [--as-at DATE]: each batch's families
"""

from __future__ import annotations

from pathlib import Path

import click

from db import programme
from db.families import find_family
from fmdesk.claims import BatchStatus, ClaimBatch, money_text, parse_amount
from fmdesk.errors import UserError
from fmdesk.outcomes.dates import day_text
from fmdesk.programme import Stage, check_year, year_label
from fmdesk.words import families as count_families
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


def batch_line(batch: ClaimBatch, claimed: int | None = None) -> str:
    """A batch and where it is in its life, in one line; with `claimed`, what it claims (in
    pence, by its families' payment tables)."""
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
    if claimed is not None:
        line += f"; claims {money_text(claimed)}"
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
        amount = view.amount(item)
        worth = money_text(amount.claimed) if amount.claimed is not None else "no amount"
        click.echo(f"    Claim: {worth} ({amount.basis})")
    for batch in view.batches:
        click.echo(batch_line(batch, view.batch_total(batch)))


def _batch_families(view: programme.ClaimsView, batch: ClaimBatch) -> None:
    """The batch's families, one a line: reference, name and what each claims."""
    for family_id in batch.family_ids:
        item = view.outcomes.get(family_id)
        if item is None:
            click.echo(f"    {family_id[:8]} (a family this store no longer holds)")
            continue
        amount = view.amount(item).claimed
        worth = f": {money_text(amount)}" if amount is not None else ""
        click.echo(f"    {item.family.reference:<14} {item.family.name}{worth}")


@claims_group.command("batches")
@store_option
@as_at_option("Show")
def claims_batches(store_path: Path | None, as_at: str | None) -> None:
    """Every claim batch, newest first, with its families."""
    day = parse_as_at(as_at)
    with open_store(store_path) as store:
        view = programme.load_claims(store, as_at=day)
        history_note(store, day)
    if not view.batches:
        click.echo("No claim batch has been made.")
    for batch in view.batches:
        click.echo(batch_line(batch, view.batch_total(batch)))
        _batch_families(view, batch)


@claims_group.command("show")
@store_option
@as_at_option("Show")
@click.argument("reference")
def claims_show(store_path: Path | None, as_at: str | None, reference: str) -> None:
    """One claim batch: where it is in its life, and its families with what each claims."""
    day = parse_as_at(as_at)
    with open_store(store_path) as store:
        wanted = programme.find_batch(store, reference)
        view = programme.load_claims(store, as_at=day)
        history_note(store, day)
    batch = next((b for b in view.batches if b.id == wanted.id), wanted)
    click.echo(batch_line(batch, view.batch_total(batch)))
    _batch_families(view, batch)


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
        f"Wrote the schedule of {batch.reference}: {count_families(len(batch.family_ids))}, "
        f"{len(rows)} pieces of evidence."
    )


@claims_group.command("money")
@store_option
@click.option("--year", type=int, default=None, help="The programme year's first year (2025).")
@as_at_option("Count")
def claims_money(store_path: Path | None, year: int | None, as_at: str | None) -> None:
    """What the programme has claimed and been paid, by quarter (claimed by the day a batch
    was sent, paid by the day the funder paid; each family priced by its framework's payment
    table), and the families claimed to date against the whole programme's target."""
    day = parse_as_at(as_at)
    with open_store(store_path) as store:
        coordinator_only(store)
        money = programme.load_money(store, year=check_year(year) if year else None, as_at=day)
        history_note(store, day)
    when = f" as at {day_text(day)}" if day is not None else ""
    click.echo(f"Claims money, {year_label(money.year)}{when}:")
    click.echo(f"  {'Quarter':<12} {'Families':>8} {'Claimed':>14} {'Paid':>14}")
    for q in money.quarters:
        note = f"  ({q.unpriced} without an amount)" if q.unpriced else ""
        click.echo(
            f"  {q.label:<12} {q.families_claimed:>8} {money_text(q.claimed):>14} "
            f"{money_text(q.paid):>14}{note}"
        )
    click.echo(
        f"  {'Year':<12} {sum(q.families_claimed for q in money.quarters):>8} "
        f"{money_text(money.claimed_in_year):>14} {money_text(money.paid_in_year):>14}"
    )
    click.echo(
        f"To date: claimed {money_text(money.claimed_to_date)}, paid "
        f"{money_text(money.paid_to_date)}."
    )
    if money.paid_unstated:
        click.echo(
            f"  ({money.paid_unstated} paid batch{'' if money.paid_unstated == 1 else 'es'} "
            "without the amount paid: counted as paid what it claimed)"
        )
    if money.target:
        click.echo(
            f"Programme target: {money.families_claimed_to_date} of {money.target} families "
            f"claimed ({money.percent_of_target:.1f}%)."
        )
    else:
        click.echo(
            f"Programme target: not set ({money.families_claimed_to_date} families claimed); "
            "set it with: fmdesk claims target --turned-around N"
        )


@claims_group.command("target")
@store_option
@click.option("--identified", type=click.IntRange(0), default=None)
@click.option("--allocated", type=click.IntRange(0), default=None)
@click.option("--worked-with", type=click.IntRange(0), default=None)
@click.option(
    "--turned-around",
    type=click.IntRange(0),
    default=None,
    help="Families to turn around over the whole programme (e.g. 685).",
)
@click.option("--claimed", type=click.IntRange(0), default=None)
def claims_target(store_path: Path | None, **values: int | None) -> None:
    """Show, or set, the whole programme's targets (over every year of it), beside the yearly
    ones (`fmdesk programme targets`). Progress is counted against turned around."""
    given = {Stage(k): v for k, v in values.items() if v is not None}
    with open_store(store_path) as store:
        coordinator_only(store)
        targets = (
            programme.set_programme_target(store, dict(given))
            if given
            else programme.get_programme_target(store)
        )
    click.echo("Targets for the whole programme:")
    for stage in Stage:
        click.echo(f"  {stage.label:<14} {targets.get(stage, 'not set')}")
