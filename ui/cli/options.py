"""What every command shares: the options (`--store`, `--json`, `--marking`), opening the store,
asking for secrets, printing JSON.

Passphrases come from a hidden prompt, or, for scripts, from the environment:
`FMDESK_PASSPHRASE` (the store's passphrase) and `FMDESK_NEW_PASSPHRASE` (for `init` and
`passwd`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import click

from db.errors import WrongPassphrase
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.roles import Role
from reports.base import DEFAULT_MARKING, checked_marking
from ui.actions import paths
from ui.actions.passphrase import strength

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


def resolve_store_path(store_path: Path | None) -> Path:
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


def ask_passphrase(prompt: str = "Passphrase") -> str:
    return ask_secret(ENV_PASSPHRASE, prompt, what="passphrase")


def ask_new_passphrase(user_inputs: Sequence[str] = ()) -> str:
    """`user_inputs`: the owner's name and the store's words, which a guesser tries first."""
    value = ask_secret(ENV_NEW_PASSPHRASE, "New passphrase", what="new passphrase", twice=True)
    verdict = strength(value, user_inputs)
    if not verdict.acceptable:
        raise UserError(f"That passphrase is too weak: {verdict.reason}")
    return value


@contextmanager
def open_store(store_path: Path | None) -> Iterator[Store]:
    path = resolve_store_path(store_path)
    Store.read_key_file(path)  # say "no store here" before asking for a passphrase
    if os.environ.get(ENV_PASSPHRASE) is not None:
        store = Store.open(path, os.environ[ENV_PASSPHRASE])
    else:
        try:  # "remember on this computer": the keychain slot, without a prompt
            store = Store.open(path, None, use_keychain=True)
        except WrongPassphrase:
            store = Store.open(path, ask_passphrase())
    try:
        yield store
    finally:
        store.close()


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def coordinator_only(store: Store) -> None:
    """Refuse a coordinator's command on a practitioner's store."""
    if store.info.role is not Role.COORDINATOR:
        raise UserError("This is a lead practitioner's store; run this on the coordinator's.")


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not a date (YYYY-MM-DD).") from None


class StartApp(Protocol):
    def __call__(self, *, store_path: Path, demo: bool = False) -> int: ...


@dataclasses.dataclass(frozen=True)
class Hooks:
    """What the program (ui/main.py) hands the command line so that it never imports Qt: how
    to start the desktop app, and the self-test's steps that need a desktop
    (ui/window/selfcheck.py)."""

    start_app: StartApp | None = None
    desktop_steps: Callable[[], list[tuple[str, Callable[[], str]]]] | None = None


def hooks() -> Hooks:
    context = click.get_current_context(silent=True)
    obj = context.find_root().obj if context is not None else None
    return obj if isinstance(obj, Hooks) else Hooks()


def start_app(*, store_path: Path, demo: bool = False) -> int:
    start = hooks().start_app
    if start is None:
        raise UserError("This copy of the fmdesk command has no desktop app; run `fmdesk`.")
    return start(store_path=store_path, demo=demo)
