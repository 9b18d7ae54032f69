"""The `fmdesk` command. With no sub-command it starts the desktop app.

Passphrases come from a hidden prompt, or, for scripts, from the environment:
`FMDESK_PASSPHRASE` (the store's passphrase) and `FMDESK_NEW_PASSPHRASE` (for `init` and
`passwd`). Exit codes: 0 ok, 1 a problem the message explains (on stderr, one line), 2 usage.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

import fmdesk
from db.errors import WrongPassphrase
from db.families import (
    add_demo_families,
    export_family,
    find_family,
    import_family,
    load_caseload,
    load_family,
)
from db.keyslots import write_atomic
from db.outcomes import family_outcomes_for_json
from db.store import Store
from fmdesk.demo import DEMO_PASSPHRASE
from fmdesk.errors import UserError
from fmdesk.outcomes import ClaimStatus
from fmdesk.roles import Role
from reports.base import DEFAULT_MARKING, checked_marking
from ui import paths
from ui.passphrase import strength

F = TypeVar("F", bound=Callable[..., Any])
ENV_PASSPHRASE = "FMDESK_PASSPHRASE"
ENV_NEW_PASSPHRASE = "FMDESK_NEW_PASSPHRASE"


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path),
        envvar="FMDESK_STORE",
        default=None,
        help="The store folder (default: this computer's fmdesk data folder).",
    )(func)


def optional_store_option(help_text: str) -> Callable[[F], F]:
    """`--store` for commands that read a store only when given one (no FMDESK_STORE, no
    default): listing and showing definitions, which need none for those fmdesk ships."""

    def option(func: F) -> F:
        return click.option(
            "--store",
            "store_path",
            type=click.Path(path_type=Path),
            default=None,
            help=help_text,
        )(func)

    return option


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def _checked_marking(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    # A UserError (exit 1, one line), as for every other refusal, before any store is opened.
    return checked_marking(value)


def marking_option(func: F) -> F:
    """`--marking`, the protective marking of a PDF the command writes: trimmed, and a blank
    one refused before anything is read or written."""
    return click.option(
        "--marking",
        default=DEFAULT_MARKING,
        show_default=True,
        callback=_checked_marking,
        help="The protective marking printed at the top and bottom of every page of the PDF "
        "(it cannot be blank).",
    )(func)


def _store_path(store_path: Path | None) -> Path:
    """The command's own --store, else one given before the command (`fmdesk --store S init`),
    else this computer's default folder."""
    if store_path is None:
        context = click.get_current_context(silent=True)
        if context is not None:
            store_path = context.find_root().params.get("store_path")
    return store_path or paths.default_store()


def ask_secret(env: str, prompt: str, *, what: str, twice: bool = False) -> str:
    """A secret from the environment variable `env` (scripts), else typed at a hidden prompt
    (`twice` asks again to confirm it); with neither, a UserError naming `what` is missing
    rather than waiting for input that will never come."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"No {what}: set {env} or run in a terminal.")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=twice)


def _ask_passphrase(prompt: str = "Passphrase") -> str:
    return ask_secret(ENV_PASSPHRASE, prompt, what="passphrase")


def _ask_new_passphrase() -> str:
    value = ask_secret(ENV_NEW_PASSPHRASE, "New passphrase", what="new passphrase", twice=True)
    verdict = strength(value)
    if not verdict.acceptable:
        raise UserError(f"That passphrase is too weak: {verdict.reason}")
    return value


@contextmanager
def open_store(store_path: Path | None) -> Iterator[Store]:
    path = _store_path(store_path)
    Store.read_key_file(path)  # say "no store here" before asking for a passphrase
    if os.environ.get(ENV_PASSPHRASE) is not None:
        store = Store.open(path, os.environ[ENV_PASSPHRASE])
    else:
        try:  # "remember on this computer": the keychain slot, without a prompt
            store = Store.open(path, None, use_keychain=True)
        except WrongPassphrase:
            store = Store.open(path, _ask_passphrase())
    try:
        yield store
    finally:
        store.close()


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


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
def main(ctx: click.Context, store_path: Path | None) -> None:
    """fmdesk: an encrypted caseload for family keyworkers.

    With no command, starts the desktop app.
    """
    if ctx.invoked_subcommand is None:
        from ui.app import run_app

        ctx.exit(run_app(store_path=_store_path(store_path)))


@main.command()
# Not store_option: FMDESK_STORE and `fmdesk --store S` name the real store, which the demo
# must never take for its own.
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Keep the demo store in this folder (default: the demo folder in fmdesk's data folder).",
)
def demo(store_path: Path | None) -> None:
    """Open the demo caseload in the app (made on first use; synthetic families only). With
    --store, the demo store is kept in that folder instead of the usual demo folder."""
    from ui.app import run_app

    sys.exit(run_app(store_path=store_path or paths.demo_store(), demo=True))


@main.command()
@store_option
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.PRACTITIONER.value,
    show_default=True,
    help="Whose store this is.",
)
@click.option("--name", default="", help="Your name, as it appears on plans and bundles.")
def init(store_path: Path | None, role: str, name: str) -> None:
    """Create a new encrypted store."""
    path = _store_path(store_path)
    passphrase = _ask_new_passphrase()
    store = Store.create(path, passphrase, role=Role(role), name=name)
    store.close()
    click.echo(f"Created a {Role(role).label.lower()} store at {path}.")


@main.command()
@store_option
def passwd(store_path: Path | None) -> None:
    """Change the store's passphrase (the data is not re-encrypted; only its key is rewrapped)."""
    path = _store_path(store_path)
    Store.read_key_file(path)
    store = Store.open(path, _ask_passphrase("Current passphrase"))
    try:
        store.change_passphrase(_ask_new_passphrase())
    finally:
        store.close()
    click.echo("Passphrase changed.")


@main.command()
@store_option
def check(store_path: Path | None) -> None:
    """Check the key and the integrity of the store."""
    with open_store(store_path) as store:
        problems = store.check()
    if problems:
        for p in problems:
            click.echo(p, err=True)
        raise UserError(
            "The store failed its integrity check. Restore it from a backup, and keep a copy of "
            "this one for your coordinator."
        )
    click.echo("The store is sound: the key opens it and every page checks out.")


@main.command("demo-data")
@store_option
@click.option("--families", "count", type=click.IntRange(1, 100_000), default=30, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo_data(store_path: Path | None, count: int, seed: int) -> None:
    """Fill a store with a synthetic caseload (Faker, en_GB) for demos and benchmarks."""
    with open_store(store_path) as store:
        added = add_demo_families(store, count, seed=seed)
    click.echo(f"Added {added} synthetic families.")


@main.group()
def families() -> None:
    """List, show, export and import families."""


@families.command("list")
@store_option
@json_option
def families_list(store_path: Path | None, as_json: bool) -> None:
    """The caseload, one family a line."""
    with open_store(store_path) as store:
        rows = load_caseload(store)
    if as_json:
        _echo_json(
            [
                {
                    "reference": r.reference,
                    "name": r.name,
                    "status": r.status.value,
                    "intensity": r.intensity.value,
                    "children": r.children,
                    "next_action": r.next_action,
                    "next_action_due": r.next_action_due,
                    "last_contact": r.last_contact,
                }
                for r in rows
            ]
        )
        return
    for r in rows:
        due = f"  next: {r.next_action} {r.next_action_due}" if r.next_action_due else ""
        children = f"{r.children} {'child' if r.children == 1 else 'children'}"
        line = f"{r.reference:<14} {r.name:<28} {r.status.value:<11} {children:<11}{due}"
        click.echo(line.rstrip())


@families.command("show")
@store_option
@json_option
@click.argument("reference")
def families_show(store_path: Path | None, as_json: bool, reference: str) -> None:
    """One family: household, consent, status and recent notes."""
    with open_store(store_path) as store:
        record = load_family(store, find_family(store, reference).id)
        outcomes = family_outcomes_for_json(store, record.family)
    family = record.family
    if as_json:
        _echo_json(
            {
                **family.to_dict(),
                "people": [p.to_dict() for p in record.people],
                "consents": [c.to_dict() for c in record.consents],
                "notes": [n.to_dict() for n in record.notes],
                "status_changes": [c.to_dict() for c in record.changes],
                # eligible, eligibility, problems, outcomes, claim...: see db/outcomes.py
                **{k: v for k, v in outcomes.items() if k != "framework"},
            }
        )
        return
    click.echo(
        f"{family.reference}  {family.name}  ({family.status.label}, "
        f"{family.intensity.label.lower()} intensity)"
    )
    claim = ClaimStatus(outcomes["claim"]["status"]).label
    click.echo(f"  Outcomes: {outcomes['eligibility']} · claim: {claim}")
    for p in record.people:
        click.echo(f"  {p.role.label:<36} {p.display_name}")
    for event in record.timeline[:10]:
        click.echo(f"  {event.on}  {event.what}: {event.detail}")


@families.command("export")
@store_option
@click.argument("reference")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def families_export(store_path: Path | None, reference: str, output: Path) -> None:
    """Everything held about one family, as JSON (a subject access request)."""
    with open_store(store_path) as store:
        data = export_family(store, find_family(store, reference))
    try:
        write_atomic(output, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"Could not write {output}: {exc.strerror}.") from None
    click.echo(f"Wrote {len(data['records']) + 1} records about {reference} to {output}.")


@families.command("import")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def families_import(store_path: Path | None, file: Path) -> None:
    """Add a family from a family file (the format 'families export' writes)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{file} is not a readable family file: {exc}.") from None
    with open_store(store_path) as store:
        family = import_family(store, data)
    click.echo(f"Imported {family.reference} ({family.name}).")


def ensure_demo_store(path: Path, families: int = 30) -> None:
    """Make the demo store on first use (its passphrase is shown on the unlock screen)."""
    if path.exists():
        return
    store = Store.create(path, DEMO_PASSPHRASE, role=Role.PRACTITIONER, name="Demo Practitioner")
    try:
        add_demo_families(store, families)
    finally:
        store.close()


# Command modules register their commands on the group above when imported.
from ui import (  # noqa: E402
    cli_coordinator,  # noqa: F401 - programme, claims, families import-csv
    cli_definitions,  # noqa: F401 - templates, instruments
    cli_outcomes,  # noqa: F401 - frameworks
    cli_plan,  # noqa: F401 - plan
    cli_selftest,  # noqa: F401 - self-test
    cli_sync,  # noqa: F401 - enrol, bundle, sync, conflicts, recover
)

if __name__ == "__main__":
    # As `python -m ui.cli` this file runs as __main__, while the command modules register on
    # the group of the module they import, `ui.cli`: run that one.
    from ui.cli import main as registered_main

    registered_main()
