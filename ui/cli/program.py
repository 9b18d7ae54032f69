"""The `fmdesk` command group: its own options, and every command group added to it.

With no command it starts the desktop app, through the hook ui/main.py gives it (the command
line itself never imports Qt). Exit codes: 0 done, 1 a problem the message explains (one line on
stderr), 2 a mistake in the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import fmdesk
from fmdesk.errors import UserError
from ui.cli import (
    caseload,
    claims,
    definitions,
    families,
    frameworks,
    plan,
    programme,
    selftest,
    store,
    sync,
    terms,
)
from ui.cli.options import resolve_store_path, start_app, store_option


class FmdeskGroup(click.Group):
    """Turns a UserError from any command into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"fmdesk: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=FmdeskGroup, invoke_without_command=True)
@click.version_option(fmdesk.__version__, prog_name="fmdesk")
@store_option
@click.pass_context
def cli(ctx: click.Context, store_path: Path | None) -> None:
    """fmdesk: an encrypted caseload for family keyworkers.

    With no command, starts the desktop app.
    """
    if ctx.invoked_subcommand is None:
        ctx.exit(start_app(store_path=resolve_store_path(store_path)))


for command in (
    store.init,
    store.passwd,
    store.rekey,
    store.check,
    store.age_identity,
    families.demo,
    families.demo_data,
    families.families,
    frameworks.frameworks,
    terms.terms_group,
    definitions.templates,
    definitions.instruments,
    plan.plan,
    caseload.caseload_group,
    sync.enrol,
    sync.bundle,
    sync.sync_group,
    sync.conflicts,
    sync.recover,
    programme.programme_group,
    claims.claims_group,
    selftest.self_test,
):
    cli.add_command(command)
