"""`fmdesk frameworks …`: the outcomes frameworks, from the command line.

- `list`: the frameworks that come with fmdesk (and, with `--store`, the council's the store
  holds).
- `show ID[@VERSION]`: one framework in full: eligibility, claim rule, problems, indicators and
  outcomes with their periods. Without a version, the latest.
- `validate FILE`: check a council's framework file; prints "valid: …" (exit 0) or the error
  naming the file and the field (exit 1), and changes nothing.
- `add FILE`: check a council's file and keep it in the store (a copy: the file may move), for
  the store's families; the coordinator's next bundles carry it to every practitioner.

Templates and Star instruments have the same commands (ui/cli_definitions.py).

Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from db.outcomes import add_framework_file, load_frameworks
from fmdesk.outcomes import Framework, FrameworkLibrary, load_framework
from fmdesk.outcomes.framework import (
    AttendanceTest,
    EligibilityKind,
    EmploymentTest,
    FallTest,
    OutcomesRequired,
)
from ui.cli.options import echo_json, json_option, open_store, optional_store_option

TEST_KINDS = {
    AttendanceTest: "attendance",
    FallTest: "fall",
    EmploymentTest: "continuous_employment",
}


def _counts(framework: Framework) -> tuple[int, int, int]:
    problems = framework.problems
    return (
        len(problems),
        sum(len(p.indicators) for p in problems),
        sum(len(p.outcomes) for p in problems),
    )


def _summary(framework: Framework) -> str:
    problems, indicators, outcomes = _counts(framework)
    return f"{problems} problems, {indicators} indicators, {outcomes} outcomes"


def _library(store_path: Path | None) -> tuple[FrameworkLibrary, tuple[str, ...]]:
    if store_path is None:
        return FrameworkLibrary.shipped(), ()
    with open_store(store_path) as store:
        loaded = load_frameworks(store)
    return loaded.library, loaded.problems


def _store_flag(verb: str) -> Callable[[Any], Any]:
    # Unlike other commands, these read no store unless asked: the shipped frameworks need none.
    return optional_store_option(f"Also {verb} the council frameworks this store holds.")


@click.group()
def frameworks() -> None:
    """List, show and check outcomes frameworks."""


@frameworks.command("list")
@_store_flag("list")
@json_option
def frameworks_list(store_path: Path | None, as_json: bool) -> None:
    """The frameworks available, one a line: id@version, name, size."""
    library, problems = _library(store_path)
    found = library.all()
    if as_json:
        echo_json(
            [
                {
                    "ref": f.ref,
                    "id": f.id,
                    "version": f.version,
                    "name": f.name,
                    "problems": _counts(f)[0],
                    "indicators": _counts(f)[1],
                    "outcomes": _counts(f)[2],
                    "eligibility": f.eligibility.description,
                }
                for f in found
            ]
        )
    else:
        width = max((len(f.ref) for f in found), default=0)
        for f in found:
            click.echo(f"{f.ref:<{width}}  {f.name} ({_summary(f)})")
    for problem in problems:
        click.echo(f"fmdesk: {problem}", err=True)


@frameworks.command("show")
@_store_flag("show")
@json_option
@click.argument("ref", metavar="ID[@VERSION]")
def frameworks_show(store_path: Path | None, as_json: bool, ref: str) -> None:
    """One framework in full (the latest version unless one is named)."""
    library, _ = _library(store_path)
    framework = library.get(ref) if "@" in ref else library.latest(ref)
    if as_json:
        echo_json(_framework_json(framework))
        return
    for line in _framework_lines(framework):
        click.echo(line)


@frameworks.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def frameworks_validate(file: Path) -> None:
    """Check a framework file. Prints "valid" and what it holds, or the error naming the field
    (exit 1)."""
    framework = load_framework(file)
    click.echo(f"valid: {framework.ref}, {framework.name} ({_summary(framework)})")


@frameworks.command("add")
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    envvar="FMDESK_STORE",
    default=None,
    help="The store folder (default: this computer's fmdesk data folder).",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def frameworks_add(store_path: Path | None, file: Path) -> None:
    """Check a council's framework file and keep it in the store for this store's families (a
    copy: the file may move; the coordinator's bundles carry it to practitioners)."""
    with open_store(store_path) as store:
        framework = add_framework_file(store, file)
    click.echo(
        f"Added {framework.ref}, {framework.name} ({_summary(framework)}). The store keeps a "
        "copy: the file may move, and the coordinator's bundles carry it to practitioners."
    )


# ---- showing one ------------------------------------------------------------------------------


def _framework_json(framework: Framework) -> dict[str, Any]:
    data = dataclasses.asdict(framework)
    for problem_data, problem in zip(data["problems"], framework.problems, strict=True):
        for outcome_data, outcome in zip(problem_data["outcomes"], problem.outcomes, strict=True):
            outcome_data["test"] = {
                "kind": TEST_KINDS.get(type(outcome.test), "evidence"),
                **outcome_data["test"],
            }
            outcome_data["period_words"] = outcome.period.words
    return {"ref": framework.ref, **data}


def _eligibility_words(framework: Framework) -> str:
    rule = framework.eligibility
    if rule.description:
        return rule.description
    if rule.kind is EligibilityKind.PROBLEMS:
        return f"At least {rule.min} of the {len(framework.problems)} problems."
    if rule.kind is EligibilityKind.NEEDS:
        return f"At least {rule.min} needs."
    return (
        f"{rule.min_national_alone} national criteria, or {rule.min_national_with_local} "
        "with a local filter."
    )


def _claim_words(framework: Framework) -> str:
    rule = framework.claim
    if rule.description:
        return rule.description
    if rule.outcomes_required is OutcomesRequired.ONE:
        return "One sustained outcome under each problem present at entry."
    return "Every applicable outcome of each problem present at entry."


def _framework_lines(framework: Framework) -> list[str]:
    rule = framework.claim
    lines = [f"{framework.name} ({framework.ref})"]
    if framework.description:
        lines.append(framework.description)
    lines.append(f"Eligibility: {_eligibility_words(framework)}")
    lines.append(f"Claim: {_claim_words(framework)}")
    for route in rule.alternative_routes:
        lines.append(f"  Alternative route: {route.name} (outcome {route.outcome})")
    if rule.equivalent_progress:
        approver = rule.equivalent_progress_approver or "a named approver"
        lines.append(f"  Equivalent progress allowed, approved by {approver}.")
    if rule.star_evidence:
        lines.append("  Star readings count as evidence where an outcome says so.")
    for requirement in rule.requirements:
        lines.append(f"  Also needed: {requirement.id.replace('_', ' ')}")
    for item in framework.unverified:
        lines.append(f"  Check before relying on it: {item}")
    for problem in framework.problems:
        lines.append("")
        lines.append(f"{problem.code}  {problem.name}")
        for indicator in problem.indicators:
            lines.append(f"    {indicator.code:<5} {indicator.text}")
        for outcome in problem.outcomes:
            star = f"; Star {outcome.star.min_score}+" if outcome.star else ""
            lines.append(f"    {outcome.code:<5} {outcome.text} [{outcome.period.words}{star}]")
    return lines
