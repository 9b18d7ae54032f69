"""`fmdesk families …` (list, show, add, export, import, collisions, rename-reference, code,
chronology, recorded-in-error, and the coordinator's import-csv), `demo-data` and `demo`.

Every command that names a family takes its reference or its id (db/families.py find_family,
the one place a reference is resolved); a reference two families hold is refused with both."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from db import families as family_store
from db import programme
from db.families import (
    FamilyRecord,
    add_demo_families,
    export_family,
    find_family,
    import_family,
    load_caseload,
    load_family,
)
from db.history import family_chronology, record_in_error
from db.keyslots import write_atomic
from db.library import current_framework
from db.outcomes import family_outcomes_for_json, load_frameworks
from fmdesk import references
from fmdesk.caseload import matches
from fmdesk.chronology import EventKind, event_row
from fmdesk.errors import UserError
from fmdesk.identified_csv import IdentifiedImport
from fmdesk.outcomes import ClaimStatus
from fmdesk.outcomes.dates import day_text
from fmdesk.plans import FamilyPlan
from fmdesk.records import CORRECTABLE_KINDS
from fmdesk.references import reference_key
from fmdesk.words import families as count_families
from reports.base import write_pdf
from ui.actions import paths
from ui.actions.chronology import build_chronology_pdf
from ui.cli.as_at import as_at_option, history_note, parse_as_at
from ui.cli.options import (
    coordinator_only,
    echo_json,
    json_option,
    marking_option,
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
@click.option(
    "--search",
    default="",
    help="Only the families this finds: words of a name, a reference, the case system ID, "
    "a UPN or an NHS number (every word must match).",
)
def families_list(store_path: Path | None, as_json: bool, search: str) -> None:
    """The caseload, one family a line. A reference that more than one family holds is
    flagged with '!' (see 'fmdesk families collisions')."""
    with open_store(store_path) as store:
        rows = load_caseload(store)
    counts = Counter(reference_key(r.reference) for r in rows)
    if search.strip():
        rows = [r for r in rows if matches(r, search)]
    if as_json:
        echo_json(
            [
                {
                    "id": r.family_id,
                    "reference": r.reference,
                    "shared_reference": counts[reference_key(r.reference)] > 1,
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
    width = max((len(r.reference) for r in rows), default=0)
    for r in rows:
        due = f"  next: {r.next_action} {r.next_action_due}" if r.next_action_due else ""
        children = f"{r.children} {'child' if r.children == 1 else 'children'}"
        shared = "!" if counts[reference_key(r.reference)] > 1 else " "
        line = (
            f"{r.reference:<{width}}{shared} {r.name:<28} {r.status.value:<11} {children:<11}{due}"
        )
        click.echo(line.rstrip())
    shared_count = sum(1 for n in counts.values() if n > 1)
    if shared_count:
        click.echo(
            f"Warning: {shared_count} reference{'s are' if shared_count != 1 else ' is'} held "
            "by more than one family (!); 'fmdesk families collisions' lists them.",
            err=True,
        )


@families.command("show")
@store_option
@json_option
@as_at_option("The family")
@click.argument("reference")
def families_show(
    store_path: Path | None, as_json: bool, as_at: str | None, reference: str
) -> None:
    """One family (by its reference or id): household, identifiers, consent, status and
    recent notes; with --as-at, as it was at the end of that day and judged then."""
    day = parse_as_at(as_at)
    record: FamilyRecord | programme.FamilyAsAt
    with open_store(store_path) as store:
        if day is None:
            record = load_family(store, find_family(store, reference).id)
            outcomes = family_outcomes_for_json(store, record.family)
        else:
            record = programme.family_as_at(store, find_family(store, reference).id, day)
            outcomes = record.outcomes
            history_note(store, day)
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
    case_id = f" · case system ID: {family.case_id}" if family.case_id else ""
    click.echo(f"  id: {family.id}{case_id}")
    if family.former_references:
        click.echo(f"  Formerly: {', '.join(family.former_references)}")
    claim = ClaimStatus(outcomes["claim"]["status"]).label
    if day is not None:
        click.echo(f"  As at {day_text(day)}")
    click.echo(f"  Outcomes: {outcomes['eligibility']} · claim: {claim}")
    for missing in outcomes["claim"].get("missing", ()):  # what the claim still needs
        click.echo(f"    Still needed: {missing}")
    for p in record.people:
        ids = [f"UPN {p.upn}"] if p.upn else []
        if p.nhs_number:
            ids.append(f"NHS {references.format_nhs_number(p.nhs_number)}")
        said = f"  ({', '.join(ids)})" if ids else ""
        marked = " (recorded in error)" if p.in_error else ""
        click.echo(f"  {p.role.label:<36} {p.display_name}{said}{marked}")
    for event in record.timeline[:10]:
        click.echo(f"  {event.on}  {event.what}: {event.detail}")


@families.command("add")
@store_option
@click.argument("name")
@click.option(
    "--reference",
    default="",
    help="The case reference (default: this store's next one, e.g. FM-2026-K7QM-0001).",
)
@click.option("--case-id", default="", help="The family's ID in the council's case system.")
@json_option
def families_add(
    store_path: Path | None, name: str, reference: str, case_id: str, as_json: bool
) -> None:
    """Register a family (NAME, e.g. 'Khan family'), with this store's next reference."""
    with open_store(store_path) as store:
        family = family_store.add_family(store, name=name, reference=reference, case_id=case_id)
    if as_json:
        echo_json(family.to_dict())
        return
    click.echo(f"Added {family.reference} ({family.name}), id {family.id}.")


@families.command("export")
@store_option
@click.argument("reference")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def families_export(store_path: Path | None, reference: str, output: Path) -> None:
    """Everything held about one family (by its reference or id), as JSON (a subject access
    request)."""
    with open_store(store_path) as store:
        family = find_family(store, reference)
        data = export_family(store, family)
    try:
        write_atomic(output, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"Could not write {output}: {exc.strerror}.") from None
    click.echo(
        f"Wrote {len(data['records']) + 1} records about {family.reference} ({family.name}) "
        f"to {output}."
    )


@families.command("collisions")
@store_option
@json_option
def families_collisions(store_path: Path | None, as_json: bool) -> None:
    """References that more than one family holds (each family keeps its own id and records;
    nothing is merged), and reference codes two stores share. Give all but one of each
    family a new reference with 'fmdesk families rename-reference ID'."""
    with open_store(store_path) as store:
        shared = family_store.shared_references(store)
        codes = family_store.shared_codes(store)
    if as_json:
        echo_json(
            {
                "references": [
                    {
                        "reference": s.reference,
                        "families": [
                            {
                                "id": f.id,
                                "reference": f.reference,
                                "name": f.name,
                                "practitioner": f.practitioner,
                                "members": list(f.members),
                            }
                            for f in s.families
                        ],
                    }
                    for s in shared
                ],
                "codes": [{"code": c.code, "stores": c.holders} for c in codes],
            }
        )
        return
    if not shared and not codes:
        click.echo("No reference is held by more than one family.")
        return
    for s in shared:
        click.echo(f"{s.reference} is held by {len(s.families)} families:")
        for f in s.families:
            click.echo(f"  {f.line}")
    for c in codes:
        click.echo(
            f"Reference code {c.code} is shared by {' and '.join(c.holders)}: give one of them "
            "another ('fmdesk families code --for NAME --set CODE', then the same on their "
            "laptop with 'fmdesk families code --set CODE')."
        )
    if shared:
        click.echo("Give each family but one a new reference: fmdesk families rename-reference ID")


@families.command("rename-reference")
@store_option
@click.argument("family")
@click.argument("new", required=False, default="")
def families_rename_reference(store_path: Path | None, family: str, new: str) -> None:
    """Give a family (by its id, or a reference only it holds) a new reference: NEW, or
    without it this store's next one. The old reference is kept as a former one, which a
    search still finds, and a case note says what changed. The new reference reaches the
    practitioner the family is allocated to in their next bundle."""
    with open_store(store_path) as store:
        found = find_family(store, family)
        renamed = family_store.rename_reference(store, found.id, new)
    click.echo(
        f"{renamed.name} ({renamed.id}) is now {renamed.reference}; it was {found.reference}."
    )


@families.command("code")
@store_option
@click.option("--set", "new_code", default="", help="Number new families with this code.")
@click.option(
    "--for",
    "practitioner",
    default="",
    help="(Coordinator) record the code given to this enrolled practitioner (name or store id).",
)
def families_code(store_path: Path | None, new_code: str, practitioner: str) -> None:
    """This store's reference code, the part of each new reference that says which store made
    it; on the coordinator's store, every enrolled practitioner's too, with any two that share
    one. With --set, give this store (or, with --for, a practitioner) another code."""
    with open_store(store_path) as store:
        if practitioner:
            if not new_code:
                raise UserError("Say which code they now have: --for NAME --set CODE.")
            given = family_store.set_practitioner_code(store, practitioner, new_code)
            click.echo(
                f"Recorded code {given.code} for {given.name}. On their laptop they run: "
                f"fmdesk families code --set {given.code}"
            )
            return
        if new_code:
            code = family_store.set_reference_code(store, new_code)
            click.echo(f"New families here are numbered with code {code}.")
        codes = family_store.store_codes(store)
        shared = {c.code for c in family_store.shared_codes(store)}
        next_reference = family_store.next_family_reference(store)
    own, others = codes[0], codes[1:]
    click.echo(f"This store's reference code: {own.code} (next reference {next_reference})")
    for c in others:
        flag = "  ! shared with another store" if c.code in shared else ""
        given_note = " (given)" if c.given else ""
        click.echo(f"  {c.name:<28} {c.code}{given_note}{flag}")


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
    for item in checked.families:  # what the data decides, before anything is written
        if item.eligibility is not None:
            click.echo(f"  {item.key}: {item.eligibility.reason}")
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
    "with fmdesk or one added with 'fmdesk frameworks add'. Without it, the council's current "
    "framework (its own added last, else Supporting Families). The indicators its data "
    "thresholds decide are ticked from each family's figures, and eligibility is shown.",
)
@click.option(
    "--no-framework", is_flag=True, help="Attach no framework: tick nothing from the data."
)
@click.option("--check", "check_only", is_flag=True, help="Check the file; import nothing.")
def families_import_csv(
    store_path: Path | None,
    file: Path,
    valid_only: bool,
    framework: str,
    no_framework: bool,
    check_only: bool,
) -> None:
    """Add identified families from the council's data-matching CSV (one row per person; see
    docs/identified-families-csv.md). With any error nothing is imported unless --valid-only."""
    if framework and no_framework:
        raise click.UsageError("Give --framework or --no-framework, not both.")
    data = programme.read_csv_file(file)
    with open_store(store_path) as store:
        coordinator_only(store)
        if not framework and not no_framework:
            framework = current_framework(store).ref
        checked = programme.preview_identified_csv(store, data, framework=framework)
        attached = load_frameworks(store).library.get(framework) if framework else None
        _report_preview(checked)
        if check_only:
            if attached is not None:
                click.echo(f"The families would be attached to {attached.name} ({attached.ref}).")
            if checked.errors:
                raise UserError(f"{len(checked.errors)} problem(s) in {file.name}; see above.")
            return
        done = programme.import_identified(store, checked, valid_only=valid_only)
    left = f"; {done.skipped_with_errors} left out for errors" if done.skipped_with_errors else ""
    ticks = f", {checked.tick_count} indicators from the data" if checked.framework else ""
    under = (
        f" Attached to {attached.name} ({attached.ref})."
        if attached is not None
        else " No framework attached."
    )
    click.echo(
        f"Imported {count_families(done.families)} ({done.people} people, {done.measures} baseline "
        f"measures{ticks}); {done.skipped_duplicates} already held{left}.{under}"
    )


@families.command("chronology")
@store_option
@json_option
@click.argument("reference")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the chronology as a PDF to this file (without it, list it here).",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in EventKind]),
    help="Only events of this kind (give it again for more).",
)
@click.option(
    "--purpose",
    default="",
    help="What the PDF is for, printed at its top (e.g. 'Supervision', 'Subject access request').",
)
@marking_option
def families_chronology(
    store_path: Path | None,
    as_json: bool,
    reference: str,
    output: Path | None,
    kinds: tuple[str, ...],
    purpose: str,
    marking: str,
) -> None:
    """A family's whole case history (REFERENCE: its reference or id), newest first: each
    event with who recorded it and when, a record recorded in error marked so. With -o, as a
    PDF for supervision, a court or a subject access request, oldest first, with the marking
    and page numbers on every page."""
    chosen = tuple(EventKind(k) for k in kinds)
    with open_store(store_path) as store:
        family = find_family(store, reference)
        if output is not None:
            pdf = build_chronology_pdf(
                store, family.id, kinds=chosen, purpose=purpose, marking=marking
            )
        events = [e for e in family_chronology(store, family.id) if not chosen or e.kind in chosen]
    if output is not None:
        try:
            write_pdf(pdf, output)
        except OSError as exc:
            raise UserError(f"Could not write {output}: {exc.strerror}.") from None
        click.echo(
            f"Wrote the chronology of {family.reference} ({len(events)} events) to {output}."
        )
        return
    if as_json:
        echo_json([event_row(e) for e in events])
        return
    for e in events:
        struck = " (recorded in error)" if e.struck else ""
        by = e.by or "not known"
        click.echo(f"{e.on}  {e.what}{struck}: {e.detail}  [{by}, {e.recorded_text}]")
        if e.correctable:
            click.echo(f"            id {e.record_id}")


@families.command("recorded-in-error")
@store_option
@click.argument("reference")
@click.argument("record_id")
@click.option(
    "--reason",
    required=True,
    help="Why it was recorded in error (e.g. 'Entered on the wrong family'); it stays with it.",
)
def families_recorded_in_error(
    store_path: Path | None, reference: str, record_id: str, reason: str
) -> None:
    """Mark one of a family's records (REFERENCE: the family's reference or id; RECORD_ID: a
    consent, person, note or visit, Star reading, outcome evidence or an action of the current
    plan, by the id that
    'fmdesk families chronology REFERENCE' lists) as recorded in error, with the reason. It
    stays in the record and its history, marked, and no longer counts in any figure or claim;
    the mark goes to the coordinator in the next bundle."""
    with open_store(store_path) as store:
        family = find_family(store, reference)
        marked = record_in_error(store, record_id, reason, family_id=family.id)
    what = "plan action" if isinstance(marked, FamilyPlan) else CORRECTABLE_KINDS[marked.KIND]
    click.echo(
        f"Marked the {what} as recorded in error ({reason.strip()}). It stays in "
        f"{family.reference}'s record and history and no longer counts in any figure or claim."
    )
