"""`fmdesk init`, `passwd`, `rekey`, `check` and `age-identity`: making a store, its
passphrase and key, checking it, and the key that opens the bundles sent to it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from db import sync
from db.rekey import rekey as rekey_store
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
    """Change the store's passphrase (the data is not re-encrypted; only its key is rewrapped).

    A copy of the old keys.json (a backup, a copied folder) still opens the store with the old
    passphrase; after a suspected compromise use 'fmdesk rekey'."""
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


@click.command()
@store_option
@click.option(
    "--new-passphrase",
    "choose_new",
    is_flag=True,
    help="Then set a new passphrase as well (asked twice, or FMDESK_NEW_PASSPHRASE).",
)
def rekey(store_path: Path | None, choose_new: bool) -> None:
    """Give the store a new data key, after a suspected compromise: copies of the old keys.json
    (and of the database) no longer open it. Every key slot is written again; the coordinator's
    recovery slot is sealed to them again. See docs/recovery.md."""
    path = resolve_store_path(store_path)
    Store.read_key_file(path)
    passphrase = ask_passphrase("Current passphrase")
    store = Store.open(path, passphrase)
    try:
        info = store.info
        # Asked before anything changes, so a weak new passphrase changes nothing.
        new = (
            ask_new_passphrase(store_words(info.owner_name, path, info.role)) if choose_new else ""
        )
        done = rekey_store(store, passphrase)
        store = done.store
        if new:
            store.change_passphrase(new)
    finally:
        store.close()
    click.echo("Re-keyed: the database has a new data key, and keys.json holds it.")
    if done.recovery:
        click.echo(f"The recovery slot is sealed again to your coordinator, {done.recovery}.")
    if done.recovery_dropped:
        click.echo("The recovery slot was removed: its coordinator is no longer enrolled.")
    if done.keychain:
        click.echo("This computer still unlocks the store without the passphrase (a new secret).")
    if done.request_removed:
        click.echo("The open recovery request was removed; it answered the old key.")
    click.echo("The passphrase is now the new one." if new else "The passphrase is unchanged.")
    click.echo(
        "Copies of the old keys.json no longer open this store, but an old backup (database and "
        "key file together) still opens with the old passphrase: delete old backups or keep them "
        "as safe as before, and make a new backup now. Tell your coordinator that this store was "
        "re-keyed after a suspected compromise."
    )


AGE_IDENTITY_WARNING = (
    "Warning: this file opens every sync bundle sent to this store, past and future. Keep it as "
    "you keep the store's passphrase, never send it anywhere, and delete it when you are done."
)


@click.command("age-identity")
@store_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The new file to write (never overwritten).",
)
def age_identity(store_path: Path | None, output: Path) -> None:
    """Write this store's age identity (its secret key) to a new file, so that the standard age
    tool opens bundles sent to this store without fmdesk: age -d -i FILE bundle.fmb. The file
    opens every bundle sent here: keep it secret and delete it when done."""
    if output.exists():
        raise UserError(
            f"{output} already exists; fmdesk will not overwrite it. Choose a new name."
        )
    with open_store(store_path) as store:
        me = sync.identity(store)
        info = store.info
        text = (
            f"# fmdesk: the age identity of the {info.role.label.lower()} store "
            f"{info.owner_name or info.store_id} ({info.store_id}).\n"
            "# It opens every bundle sent to this store: keep it secret; delete it after use.\n"
            f"# public key: {me.enrolment.age_recipient}\n"
            f"{me.age_identity_text()}\n"
        )
    _write_secret(output, text.encode("utf-8"))
    click.echo(AGE_IDENTITY_WARNING, err=True)
    click.echo(f"Wrote this store's age identity to {output} (readable by you alone).")


def _write_secret(path: Path, data: bytes) -> None:
    """A new file only its owner may read (mode 0600 where the system has modes)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError(f"{path} already exists; fmdesk will not overwrite it.") from None
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise UserError(f"Could not write {path}: {exc.strerror}.") from None
