"""`fmdesk caseload …`: what is late and due this week, as the app's caseload shows it, and the
council's consent renewal period.

Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import click

from db.caseload import caseload_extras, set_consent_renew_days
from db.families import load_caseload
from ui.cli.options import open_store, store_option


@click.group("caseload")
def caseload_group() -> None:
    """What is late and due on the caseload."""


@caseload_group.command("due")
@store_option
@click.option("--late", "late_only", is_flag=True, help="Only what is past its date.")
@click.option("--json", "as_json", is_flag=True, help="As JSON, one object per family.")
def caseload_due(store_path: Path | None, late_only: bool, as_json: bool) -> None:
    """The families with something late or due this week (the next 7 days): open plan actions,
    the family's next action, plan reviews, Star readings and consent to renew, each with its
    date. On a coordinator's store, with who holds each family."""
    today = dt.date.today()
    with open_store(store_path) as store:
        extras = caseload_extras(store, today)
        rows = [
            replace(
                r,
                due=extras.due.get(r.family_id),
                practitioner=extras.practitioners.get(r.family_id, ""),
            )
            for r in load_caseload(store, claim_status=False)
        ]
    shown = [r for r in rows if (r.is_late() if late_only else r.is_due_this_week())]
    if as_json:
        out = [
            {
                "id": r.family_id,
                "reference": r.reference,
                "name": r.name,
                "practitioner": r.practitioner,
                "due": [
                    {
                        "kind": i.kind.value,
                        "what": i.what,
                        "due_on": i.due_on.isoformat(),
                        "late": i.is_late(today),
                    }
                    for i in (r.due.late + r.due.this_week if r.due else ())
                    if i.is_late(today) or not late_only
                ],
            }
            for r in shown
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not shown:
        click.echo("Nothing is late." if late_only else "Nothing is late or due this week.")
        return
    for r in shown:
        who = f" ({r.practitioner})" if r.practitioner else ""
        click.echo(f"{r.reference}  {r.name}{who}")
        assert r.due is not None  # shown only when something is due
        items = r.due.late if late_only else (*r.due.late, *r.due.this_week)
        for item in items:
            click.echo(f"    {item.sentence(today)}")


@caseload_group.command("consent-renew-after")
@store_option
@click.argument("days", type=int)
def caseload_consent_renew_after(store_path: Path | None, days: int) -> None:
    """Ask for consent again DAYS days after it was given (the council's period; 365 unless
    set). The caseload shows consent to renew from 28 days before."""
    with open_store(store_path) as store:
        set_consent_renew_days(store, days)
    click.echo(f"Consent is due for renewal {days} days after it was given.")
