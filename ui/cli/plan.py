"""`fmdesk plan …`: the family action plan from the command line.

Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from db.families import find_family
from db.plans import load_plans
from fmdesk.errors import UserError
from fmdesk.plan_text import PLAN_TEXT_SETTING, plan_text_from_setting, read_plan_text
from fmdesk.plans import date_text, plan_differences, plan_warnings
from reports.base import write_pdf
from ui.actions.documents import build_plan_pdf
from ui.cli.options import ask_secret, marking_option, open_store, store_option

# The password of a protected plan PDF, for scripts (a command-line argument is seen by anyone
# who reads the shell history).
ENV_PDF_PASSWORD = "FMDESK_PDF_PASSWORD"


@click.group()
def plan() -> None:
    """Show and print a family's action plan."""


@plan.command("print")
@store_option
@click.argument("reference")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The PDF file to write.",
)
@click.option(
    "--password",
    default=None,
    help="Protect the PDF with this password (it must be typed to open the file). It stays "
    "in your shell history: prefer --ask-password, or FMDESK_PDF_PASSWORD in scripts.",
)
@click.option(
    "--ask-password",
    is_flag=True,
    help=f"Protect the PDF with a password typed at a hidden prompt, twice (or taken from "
    f"{ENV_PDF_PASSWORD}).",
)
@marking_option
def plan_print(
    store_path: Path | None,
    reference: str,
    output: Path,
    password: str | None,
    ask_password: bool,
    marking: str,
) -> None:
    """Print the current version of a family's plan (REFERENCE: its reference or id) to a PDF,
    with the Star chart when the family has readings and a signature line for everyone who
    signs.

    A password protects the PDF: --ask-password asks for it, and scripts set
    FMDESK_PDF_PASSWORD; --password is seen in shell history."""
    password = _pdf_password(password, ask_password)
    with open_store(store_path) as store:
        family = find_family(store, reference)
        pdf = build_plan_pdf(store, family.id, marking=marking, password=password)
    try:
        write_pdf(pdf, output)
    except OSError as exc:
        raise UserError(f"Could not write {output}: {exc.strerror}.") from None
    protected = " (password protected)" if password else ""
    click.echo(f"Wrote the plan for {family.reference} to {output}{protected}.")


def _pdf_password(given: str | None, ask: bool) -> str | None:
    """The password to protect the PDF with: --password, else typed (--ask-password), else
    FMDESK_PDF_PASSWORD when set and not empty; None for no protection. Asked before the store
    is opened, so a refusal costs no unlock."""
    if given is not None and ask:
        raise click.UsageError("Give --password or --ask-password, not both.")
    if ask:
        given = ask_secret(
            ENV_PDF_PASSWORD, "Password for the PDF", what="PDF password", twice=True
        )
    elif given is None:
        return os.environ.get(ENV_PDF_PASSWORD) or None
    if not given.strip():
        raise UserError("The password cannot be blank; leave it out for a PDF without one.")
    return given


@plan.command("show")
@store_option
@click.argument("reference")
def plan_show(store_path: Path | None, reference: str) -> None:
    """The current plan of a family (by its reference or id) in words, and what changed since
    the version before."""
    with open_store(store_path) as store:
        record = load_plans(store, find_family(store, reference).id)
    current = record.current
    if current is None:
        raise UserError(f"There is no plan for {record.family.reference} yet.")
    names = record.names
    click.echo(
        f"{record.family.reference}  {record.family.name}: plan version "
        f"{current.version}, agreed {date_text(current.made_on)} ({current.made_at})"
    )
    for number, goal in enumerate(current.goals, start=1):
        click.echo(f"  Goal {number}: {goal.words}")
        for action in goal.actions:
            click.echo(
                f"    - {action.what} | {action.owner.text(names)} | by "
                f"{date_text(action.by_when)} | {action.status.label}"
            )
    for warning in plan_warnings(current):
        click.echo(f"  ! {warning}")
    if record.previous is not None:
        click.echo(f"  Changes since version {record.previous.version}:")
        for change in plan_differences(record.previous, current, names) or ["None."]:
            click.echo(f"    {change}")


@plan.command("wording")
@store_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--shipped", is_flag=True, help="Go back to fmdesk's own wording.")
def plan_wording(store_path: Path | None, file: Path | None, shipped: bool) -> None:
    """Print plans in the council's own words: FILE is a plan wording file (the schema:
    docs/schemas/plan-text.schema.json; fmdesk's own is fmdesk/definitions/plan-text/
    plan-text.json) with the words for an older child and from what age, who to call in a
    crisis, the consent and privacy statement and what signing means. It is checked first and
    kept in the store. Without FILE, says which wording is in use."""
    if file is not None and shipped:
        raise click.UsageError("Give FILE or --shipped, not both.")
    data = None
    if file is not None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"Could not read {file}: {exc.strerror}.") from None
        except ValueError as exc:
            raise UserError(f"{file.name} is not readable JSON ({exc}).") from None
        read_plan_text(data, source=file.name)  # refused here, naming the place, if it is wrong
    with open_store(store_path) as store:
        if file is not None:
            store.set_setting(PLAN_TEXT_SETTING, data)
            click.echo(f"Plans now print in the wording of {file.name}.")
        elif shipped:
            store.set_setting(PLAN_TEXT_SETTING, None)
            click.echo("Plans now print in fmdesk's own wording.")
        else:
            saved = store.get_setting(PLAN_TEXT_SETTING)
            words = plan_text_from_setting(saved)
            whose = "the council's own" if saved else "fmdesk's own"
            click.echo(
                f"Plans print in {whose} wording: words for children from "
                f"{words.older_child_age}, {len(words.crisis_contacts)} numbers to call in a "
                "crisis."
            )
