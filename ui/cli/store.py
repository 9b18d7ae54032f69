"""`fmdesk init`, `passwd` and `check`: making a store, its passphrase, and checking it."""

from __future__ import annotations

from pathlib import Path

import click

from db.store import Store
from fmdesk.errors import UserError
from fmdesk.roles import Role
from ui.cli.options import (
    ask_new_passphrase,
    ask_passphrase,
    open_store,
    resolve_store_path,
    store_option,
)


@click.command()
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
    path = resolve_store_path(store_path)
    passphrase = ask_new_passphrase(store_words(name, path, Role(role)))
    store = Store.create(path, passphrase, role=Role(role), name=name)
    store.close()
    click.echo(f"Created a {Role(role).label.lower()} store at {path}.")


def store_words(name: str, path: Path, role: Role) -> list[str]:
    """What a guesser knows of this store: its owner's name, its folder, its role."""
    return [name, path.name, path.parent.name, role.value, role.label]


@click.command()
@store_option
def passwd(store_path: Path | None) -> None:
    """Change the store's passphrase (the data is not re-encrypted; only its key is rewrapped)."""
    path = resolve_store_path(store_path)
    Store.read_key_file(path)
    store = Store.open(path, ask_passphrase("Current passphrase"))
    try:
        info = store.info
        store.change_passphrase(ask_new_passphrase(store_words(info.owner_name, path, info.role)))
    finally:
        store.close()
    click.echo("Passphrase changed.")


@click.command()
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
