"""`fmdesk families …` (list, show, export, import, and the coordinator's import-csv), `demo-data`
and `demo`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from db import programme
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
from fmdesk.errors import UserError
from fmdesk.identified_csv import IdentifiedImport
from fmdesk.outcomes import ClaimStatus
from ui.actions import paths
from ui.cli.options import (
    coordinator_only,
    echo_json,
    json_option,
    open_store,
    start_app,
    store_option,
)


@click.command()
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
    raise SystemExit(start_app(store_path=store_path or paths.demo_store(), demo=True))


@click.command("demo-data")
@store_option
@click.option("--families", "count", type=click.IntRange(1, 100_000), default=30, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo_data(store_path: Path | None, count: int, seed: int) -> None:
    """Fill a store with a synthetic caseload (Faker, en_GB) for demos and benchmarks."""
    with open_store(store_path) as store:
        added = add_demo_families(store, count, seed=seed)
    click.echo(f"Added {added} synthetic families.")


@click.group()
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
        echo_json(
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
        echo_json(
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


def _report_preview(checked: IdentifiedImport) -> None:
    click.echo(checked.summary())
    for duplicate in checked.duplicates:
        rows = ", ".join(map(str, duplicate.rows))
        click.echo(f"  already held: {duplicate.key} (rows {rows}): {duplicate.reason}")
    for problem in checked.errors:
        click.echo(f"  {problem}")
    for warning in checked.warnings:
        click.echo(f"  warning: {warning}")


@families.command("import-csv")
@store_option
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--valid-only", is_flag=True, help="Import the families without errors and leave out the rest."
)
@click.option(
    "--framework",
    default="",
    help="Attach the new families to this outcomes framework (id@version): one that comes "
    "with fmdesk or one added with 'fmdesk frameworks add'.",
)
@click.option("--check", "check_only", is_flag=True, help="Check the file; import nothing.")
def families_import_csv(
    store_path: Path | None, file: Path, valid_only: bool, framework: str, check_only: bool
) -> None:
    """Add identified families from the council's data-matching CSV (one row per person; see
    docs/identified-families-csv.md). With any error nothing is imported unless --valid-only."""
    data = programme.read_csv_file(file)
    with open_store(store_path) as store:
        coordinator_only(store)
        checked = programme.preview_identified_csv(store, data, framework=framework)
        _report_preview(checked)
        if check_only:
            if checked.errors:
                raise UserError(f"{len(checked.errors)} problem(s) in {file.name}; see above.")
            return
        done = programme.import_identified(store, checked, valid_only=valid_only)
    left = f"; {done.skipped_with_errors} left out for errors" if done.skipped_with_errors else ""
    click.echo(
        f"Imported {done.families} families ({done.people} people, {done.measures} baseline "
        f"measures); {done.skipped_duplicates} already held{left}."
    )
