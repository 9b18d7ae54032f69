"""`fmdesk enrol`, `bundle`, `sync`, `conflicts` and `recover`: sync from the command line.

Added to the `fmdesk` group in ui/cli/program.py. The bundle format is in
docs/bundle-format.md and the recovery procedure in docs/recovery.md.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from db import recovery, sync
from db.rekey import last_rekey
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.roles import Role
from fmdesk.sync.bundle import SUFFIX
from fmdesk.sync.identity import Enrolment
from fmdesk.words import families as count_families
from ui.cli.options import (
    ask_new_passphrase,
    echo_json,
    json_option,
    open_store,
    resolve_store_path,
    store_option,
)


def _confirm(question: str, yes: bool, *, check: str) -> None:
    """Ask a yes/no question at a terminal; scripts must say --yes, having made the check the
    question asks about (`check`, e.g. "Check the fingerprint by phone"), which the refusal
    names when there is no terminal."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError(f"{check}, then run this again with --yes.")
    if not click.confirm(question, default=False):
        raise UserError("Stopped: nothing was changed.")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"Could not read {path}: {exc.strerror}.") from None


def find_partner(store: Store, wanted: str | None) -> sync.Partner:
    """The partner named by store id, name or fingerprint; the only one when none is named."""
    known = sync.partners(store)
    if not known:
        raise sync.NotEnrolled()
    if wanted is None:
        if len(known) == 1:
            return known[0]
        raise UserError(
            "More than one partner is enrolled: say which with --to (a name, store id or "
            "fingerprint; 'fmdesk sync status' lists them)."
        )
    key = wanted.strip().casefold().replace(" ", "")
    matches = [
        p
        for p in known
        if key
        in (
            p.enrolment.store_id.casefold(),
            p.enrolment.name.casefold().replace(" ", ""),
            p.enrolment.fingerprint.casefold().replace(" ", ""),
        )
    ]
    if len(matches) != 1:
        raise UserError(f"No single enrolled partner matches {wanted!r}.")
    return matches[0]


# ---- enrolment ---------------------------------------------------------------------------------


@click.group()
def enrol() -> None:
    """Exchange public keys with the coordinator (or a practitioner), once."""


@enrol.command("export")
@store_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
def enrol_export(store_path: Path | None, output: Path) -> None:
    """Write this store's public keys (an enrolment file, .fmid) for the other side."""
    with open_store(store_path) as store:
        me = sync.identity(store)
    recovery.write_file(output, me.enrolment.to_json())
    click.echo(f"Wrote {output}. Your fingerprint: {me.fingerprint}")
    click.echo("Read it out by phone when the other side enrols this file.")


_REPLACE_KEY_HELP = (
    "Replace the keys of a store already enrolled with this file's, having checked both "
    "fingerprints with them by phone."
)


@enrol.command("import")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Enrol without asking (the fingerprint was checked).")
@click.option("--replace-key", is_flag=True, help=_REPLACE_KEY_HELP)
def enrol_import(store_path: Path | None, file: Path, yes: bool, replace_key: bool) -> None:
    """Enrol the other side's enrolment file, after comparing its fingerprint by phone."""
    enrol_file(store_path, file, yes=yes, replace_key=replace_key)


def enrol_file(store_path: Path | None, file: Path, *, yes: bool, replace_key: bool) -> None:
    """`enrol import` and `sync enrol`: enrol a partner's file. The same keys again change
    nothing; other keys for a store already enrolled are refused, showing both fingerprints,
    unless `replace_key` (the user has checked them by phone): then they replace the old ones,
    and the replacement is recorded."""
    enrolment = Enrolment.from_json(_read(file))
    name = enrolment.name or enrolment.store_id
    click.echo(f"{enrolment.name or 'Unnamed'} ({enrolment.role.label.lower()})")
    click.echo(f"Fingerprint: {enrolment.fingerprint}")
    with open_store(store_path) as store:
        held = sync.enrolled(store, enrolment.store_id)
        if held is not None and sync.same_keys(held, enrolment):
            click.echo(f"{name} is already enrolled with these keys: nothing changed.")
            return
        if held is None:
            _confirm(
                "Is this the fingerprint they read out to you?",
                yes,
                check="Check the fingerprint by phone",
            )
        elif not replace_key:
            raise UserError(
                f"{sync.KeyChanged(held, enrolment)}\nIf {name} reads out this file's "
                "fingerprint, run this again with --replace-key."
            )
        else:
            click.echo(f"Enrolled fingerprint, to be replaced: {held.fingerprint}")
            click.echo(
                f"Warning: a changed key is what someone pretending to be {name} would send. "
                "Replace it only if they have read out this file's fingerprint to you by phone."
            )
            if not yes and sys.stdin.isatty():
                _confirm("Replace the enrolled key with this file's?", False, check="")
        result = sync.enrol(store, enrolment, replace_key=replace_key)
        try:
            sealed = store.key_file.has_slot(recovery.SLOT)
        except RuntimeError:  # a store without encryption (benchmarks) has no key slots
            sealed = False
        role = store.info.role
    if held is not None and result is sync.Enrolled.REPLACED:
        click.echo(
            f"Enrolled {name} again, with the new key (it was {held.fingerprint}); "
            "'fmdesk sync status' lists the change."
        )
    else:
        click.echo(f"Enrolled {name}.")
    if role is Role.PRACTITIONER and sealed:
        click.echo(
            "This store's key is now also sealed to the coordinator, so they can help you set "
            "a new passphrase if you forget yours (see 'fmdesk recover')."
        )


# ---- bundles -----------------------------------------------------------------------------------


@click.group()
def bundle() -> None:
    """Make and import sync bundles."""


@bundle.command("export")
@store_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The bundle file to write (.fmb).",
)
@click.option(
    "--to",
    "to",
    default=None,
    help="Which partner (name, store id or fingerprint); needed when several.",
)
def bundle_export(store_path: Path | None, output: Path, to: str | None) -> None:
    """Write a bundle of every change the partner has not yet acknowledged."""
    if output.is_dir():
        raise UserError(f"{output} is a folder: give the bundle's file name, e.g. mine{SUFFIX}.")
    with open_store(store_path) as store:
        partner = find_partner(store, to)
        try:
            result = sync.export_bundle(store, partner.enrolment.store_id, output)
        except OSError as exc:
            raise UserError(f"Could not write {output}: {exc.strerror}.") from None
    click.echo(
        f"Wrote bundle {result.sequence} for {partner.enrolment.name or partner.enrolment.store_id}"
        f" to {output}: {result.changes} changed records"
        + (
            f", {result.rejected_reported} rejected records reported back."
            if result.rejected_reported
            else "."
        )
    )


@bundle.command("import")
@store_option
@json_option
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
def bundle_import(store_path: Path | None, as_json: bool, files: tuple[Path, ...]) -> None:
    """Import bundles (many at once). Each applies whole or not at all; a refused one does not
    stop the rest. Exit code 1 when any was refused."""
    with open_store(store_path) as store:
        results = sync.import_bundles(store, list(files))
    refused = 0
    report: list[dict[str, Any]] = []
    for path, result in zip(files, results, strict=True):
        if isinstance(result, sync.ImportResult):
            report.append({"file": str(path), "ok": True, **_result_json(result)})
            if not as_json:
                lines = result.describe()
                click.echo(f"{path.name}: {lines[0]}")
                for line in lines[1:]:
                    click.echo(f"  {line}")
        else:
            refused += 1
            report.append({"file": str(path), "ok": False, "error": str(result)})
            if not as_json:
                click.echo(f"fmdesk: {path.name}: {result}", err=True)
    if as_json:
        echo_json(report)
    if refused:
        sys.exit(1)


def _result_json(result: sync.ImportResult) -> dict[str, Any]:
    return {
        "bundle_id": result.bundle_id,
        "sequence": result.sequence,
        "duplicate": result.duplicate,
        "gap": list(result.gap) if result.gap else None,
        "new": result.new,
        "updated": result.updated,
        "merged": result.merged,
        "unchanged": result.unchanged,
        "conflicts": result.conflicts,
        "rejected": [{"kind": r.kind, "id": r.id, "reason": r.reason} for r in result.rejected],
        "summary": result.describe(),
    }


# ---- status and purging ------------------------------------------------------------------------


@click.group("sync")
def sync_group() -> None:
    """Where sync stands, and removing closed or reassigned families the coordinator has seen."""


@sync_group.command("enrol")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Enrol without asking (the fingerprint was checked).")
@click.option("--replace-key", is_flag=True, help=_REPLACE_KEY_HELP)
def sync_enrol(store_path: Path | None, file: Path, yes: bool, replace_key: bool) -> None:
    """Enrol the other side's enrolment file (the same as 'fmdesk enrol import')."""
    enrol_file(store_path, file, yes=yes, replace_key=replace_key)


@sync_group.command("status")
@store_option
@json_option
def sync_status(store_path: Path | None, as_json: bool) -> None:
    """This store's fingerprint, its partners, what is waiting to go, conflicts to decide."""
    with open_store(store_path) as store:
        state = sync.status(store)
        rekeyed = last_rekey(store)
    unsent = state.unsent or sync.UnsentSummary(None, None, 0)
    if as_json:
        echo_json(
            {
                "role": state.role.value,
                "name": state.name,
                "fingerprint": state.fingerprint,
                "partners": [
                    {
                        "store_id": p.partner.enrolment.store_id,
                        "name": p.partner.enrolment.name,
                        "fingerprint": p.partner.enrolment.fingerprint,
                        "last_sent": p.partner.last_sent,
                        "last_sent_at": p.partner.last_sent_at,
                        "received_up_to": p.partner.received_up_to,
                        "last_received_at": p.partner.last_received_at,
                        "acknowledged_by_them": p.partner.acked_by_them,
                        "acknowledged_at": p.acked_at,
                        "pending": p.pending,
                        "rekeyed_at": p.rekeyed_at,
                    }
                    for p in state.partners
                ],
                "open_conflicts": state.open_conflicts,
                "quarantined": state.quarantined,
                "refused": [
                    {
                        "partner": q.partner,
                        "partner_name": q.partner_name,
                        "kind": q.kind,
                        "record_id": q.record_id,
                        "family_id": q.family_id,
                        "family": q.family_label,
                        "reason": q.reason,
                        "received_at": q.received_at,
                        "reported_in": q.reported_in,
                        "acknowledged": q.acknowledged,
                    }
                    for q in state.refused
                ],
                "re_enrolments": [r.to_plain() for r in state.re_enrolments],
                "purgeable": [f.reference for f in state.purgeable],
                "rekeyed_at": rekeyed,
                "unsent": {
                    "last_sent": _iso(unsent.last_sent),
                    "last_acknowledged": _iso(unsent.last_acked),
                    "waiting": unsent.waiting,
                    "warn_after_days": state.warn_after_days,
                    "warning": state.unsent_warning,
                },
            }
        )
        return
    click.echo(f"This store: {state.role.label}, {state.name or 'unnamed'}")
    click.echo(f"Fingerprint: {state.fingerprint}")
    if rekeyed:
        click.echo(
            f"Re-keyed on {rekeyed} (fmdesk rekey): your next bundle will tell your coordinator."
        )
    if not state.partners:
        click.echo("No partner enrolled yet: 'fmdesk enrol import FILE.fmid'.")
    for p in state.partners:
        e = p.partner.enrolment
        click.echo(f"Partner: {e.name or e.store_id} ({e.role.label.lower()}), {e.fingerprint}")
        if p.rekey_warning:
            click.echo(f"  Warning: {p.rekey_warning}.")
        click.echo(f"  last bundle sent: {_when(p.partner.last_sent, p.partner.last_sent_at)}")
        click.echo(
            f"  last bundle received: {_when(p.partner.received_up_to, p.partner.last_received_at)}"
        )
        acked = _when(p.partner.acked_by_them, p.acked_at) if p.acked_at else "none"
        if p.partner.acked_by_them and not p.acked_at:
            acked = f"number {p.partner.acked_by_them}"
        click.echo(f"  last bundle they acknowledged: {acked}")
        click.echo(f"  changes waiting for them: {p.pending}")
    if state.unsent_warning:
        click.echo(f"Warning: {state.unsent_warning}")
    elif state.role is Role.PRACTITIONER:
        click.echo(
            f"Changes not yet acknowledged: {unsent.waiting} (a warning after "
            f"{state.warn_after_days} days: 'fmdesk sync warn-after DAYS')"
        )
    click.echo(f"Conflicts to decide: {state.open_conflicts}")
    if state.quarantined:
        click.echo(f"Records rejected from a partner, not yet reported back: {state.quarantined}")
    if state.refused:
        click.echo(f"Records refused from partners, newest first ({len(state.refused)}):")
        for q in state.refused[:STATUS_REFUSED]:
            family = f" of family {q.family_label}" if q.family_label else ""
            click.echo(
                f"  {_at(q.received_at)}  from {q.partner_name}: {q.kind.replace('_', ' ')} "
                f"{q.record_id[:8]}{family}: {q.reason} (reported back {q.reported_text})"
            )
        if len(state.refused) > STATUS_REFUSED:
            click.echo(f"  and {len(state.refused) - STATUS_REFUSED} more: --json lists them.")
    for r in state.re_enrolments:
        click.echo(
            f"Key replaced: {r.name or r.store_id} ({r.store_id}), {_at(r.at)}, by {r.by}: "
            f"fingerprint {r.old_fingerprint} became {r.new_fingerprint}"
        )
    if state.purgeable:
        refs = ", ".join(f.reference for f in state.purgeable)
        click.echo(f"Closed and confirmed by the coordinator, may be removed: {refs}")


# How many refused records `sync status` prints (--json gives every one it lists).
STATUS_REFUSED = 20


def _when(sequence: int, at: str | None) -> str:
    return f"number {sequence}, {_at(at)}" if sequence and at else "none"


def _at(at: str | None) -> str:
    return f"{at.replace('T', ' ')[:16]} UTC" if at else "(time unknown)"


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


@sync_group.command("warn-after")
@store_option
@click.argument("days", type=int)
def sync_warn_after(store_path: Path | None, days: int) -> None:
    """Warn on this laptop once a change has waited DAYS days to reach the coordinator (the
    council's number; 7 unless set). Shown by 'fmdesk sync status', the Sync page and the
    caseload."""
    with open_store(store_path) as store:
        sync.set_unsent_warning_days(store, days)
    click.echo(f"A change not acknowledged by the coordinator after {days} days is warned about.")


@sync_group.command("purge")
@store_option
@click.option("--yes", is_flag=True, help="Remove without asking.")
def sync_purge(store_path: Path | None, yes: bool) -> None:
    """Remove closed or reassigned families the coordinator has confirmed receiving, from this
    laptop."""
    with open_store(store_path) as store:
        families = sync.purgeable_families(store)
        if not families:
            click.echo("No closed or reassigned family is ready to remove.")
            return
        click.echo("Ready to remove: " + ", ".join(f.reference for f in families))
        if not yes:
            if not sys.stdin.isatty():
                raise UserError("Run again with --yes to remove them.")
            if not click.confirm("Remove them from this laptop?", default=False):
                raise UserError("Stopped: nothing was removed.")
        removed = sum(sync.purge_family(store, f.id) for f in families)
    click.echo(f"Removed {count_families(len(families))} ({removed} records) from this store.")


# ---- conflicts ---------------------------------------------------------------------------------


@click.group()
def conflicts() -> None:
    """Fields both sides changed differently, to decide."""


@conflicts.command("list")
@store_option
@json_option
@click.option("--all", "include_resolved", is_flag=True, help="Include decided conflicts.")
def conflicts_list(store_path: Path | None, as_json: bool, include_resolved: bool) -> None:
    """Each conflict: its number, the family and field, this store's value and the partner's."""
    with open_store(store_path) as store:
        found = sync.conflicts(store, include_resolved=include_resolved)
    if as_json:
        echo_json(
            [
                {
                    "id": c.conflict_id,
                    "family": c.family_label,
                    "kind": c.kind,
                    "record_id": c.record_id,
                    "field": c.field,
                    "local": c.local,
                    "incoming": c.incoming,
                    "partner": c.partner_name,
                    "shown": c.provisional,
                    "choice": c.choice,
                    "decided_at": c.resolved_at,
                }
                for c in found
            ]
        )
        return
    if not found:
        click.echo("No conflicts to decide.")
    for c in found:
        state = f"decided: kept {c.choice}" if c.choice else f"showing {c.provisional} for now"
        click.echo(f"{c.conflict_id}  {c.family_label}  {c.kind}.{c.field}  ({state})")
        click.echo(f"    here: {c.local!r}")
        click.echo(f"    {c.partner_name}: {c.incoming!r}")


@conflicts.command("resolve")
@store_option
@click.argument("conflict_id", type=int)
@click.option(
    "--keep",
    type=click.Choice(["local", "incoming"]),
    required=True,
    help="local: this store's value; incoming: the partner's value.",
)
def conflicts_resolve(store_path: Path | None, conflict_id: int, keep: str) -> None:
    """Decide a conflict. The decision travels to the partner in the next bundle."""
    with open_store(store_path) as store:
        decided = sync.resolve_conflict(store, conflict_id, keep)
    click.echo(
        f"Kept {decided.shown!r} for {decided.kind}.{decided.field} of {decided.family_label}."
    )


# ---- recovery ----------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@store_option
@click.option(
    "--unlock-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The unlock file the coordinator sent (.fmul).",
)
@click.pass_context
def recover(ctx: click.Context, store_path: Path | None, unlock_file: Path | None) -> None:
    """Set a new passphrase with the coordinator's help (docs/recovery.md).

    \b
    1. fmdesk recover request -o REQUEST.fmrq   (you: choose the new passphrase)
    2. fmdesk recover issue REQUEST.fmrq -o UNLOCK.fmul   (the coordinator)
    3. fmdesk recover --unlock-file UNLOCK.fmul   (you: the same new passphrase)
    """
    if ctx.invoked_subcommand is not None:
        return
    if unlock_file is None:
        click.echo(ctx.get_help())
        return
    path = resolve_store_path(store_path)
    new = ask_new_passphrase()
    recovery.unlock_with_file(path, _read(unlock_file), new)
    click.echo("Your new passphrase is set. The old one no longer opens this store.")


@recover.command("request")
@store_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
def recover_request(store_path: Path | None, output: Path) -> None:
    """Ask the coordinator for an unlock file (choose your new passphrase now)."""
    path = resolve_store_path(store_path)
    Store.read_key_file(path)
    new = ask_new_passphrase()
    request = recovery.make_request(path, new)
    recovery.write_file(output, request.to_json())
    click.echo(f"Wrote {output}. Send it to your coordinator, then phone them.")
    click.echo(f"Read them this code: {request.code}")


@recover.command("issue")
@store_option
@click.argument("request_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--yes", is_flag=True, help="Issue without asking (the code was checked by phone).")
def recover_issue(store_path: Path | None, request_file: Path, output: Path, yes: bool) -> None:
    """Coordinator: answer a practitioner's request with a one-off unlock file."""
    raw = _read(request_file)
    with open_store(store_path) as store:
        request, partner = recovery.read_request(store, raw)
        click.echo(f"Request from {partner.enrolment.name or request.store_id}")
        click.echo(f"Code: {request.code}")
        _confirm(
            "Have you checked who is asking, and does the code match the one they read out?",
            yes,
            check=(
                "Check who is asking and that the code they read out by phone matches "
                f"{request.code}"
            ),
        )
        unlock, _ = recovery.issue_unlock(store, raw)
    recovery.write_file(output, unlock)
    click.echo(
        f"Wrote {output}. Only the practitioner's open request can read it; send it to them."
    )
