"""`fmdesk self-test`: check this copy of fmdesk works (for a support person, and for CI on the
packaged build). Added to the `fmdesk` group in ui/cli/program.py.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
from pathlib import Path

import click

import fmdesk
from fmdesk.errors import UserError
from ui.actions.selftest import StepResult, StepStatus, run_self_test
from ui.cli.options import hooks, json_option

NAME_WIDTH = 17


def _line(step: StepResult) -> str:
    took = f" ({step.seconds:.1f} s)" if step.status is StepStatus.OK else ""
    return f"  {step.status.value:<8}{step.name:<{NAME_WIDTH}}{step.detail}{took}"


def _prepare(folder: Path) -> None:
    """Make the --folder (when new) and check it is empty, before anything is printed: a folder
    that cannot be made or read (no such parent, a system folder, no permission) is refused in
    one line saying what to do."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        empty = not any(folder.iterdir())
    except OSError as exc:
        raise UserError(
            f"The self-test cannot use {folder} ({exc.strerror or exc}): give --folder a folder "
            "you can create and write to, or leave --folder out to use a temporary one."
        ) from None
    if not empty:
        raise UserError(f"{folder} is not empty; give the self-test an empty folder.")


@click.command("self-test")
@click.option(
    "--folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Work in this folder and keep what the test made (default: a temporary folder, "
    "removed afterwards).",
)
@json_option
def self_test(folder: Path | None, as_json: bool) -> None:
    """Check this copy of fmdesk: its fonts and definitions, an encrypted store, a family
    written and read back, a plan PDF, a sync bundle between two stores, and a window.

    Uses test stores of its own; your store is not opened. Exit code 0 when every step passed.
    """
    if folder is not None:
        _prepare(folder)
    frozen = "packaged" if getattr(sys, "frozen", False) else "from source"
    if not as_json:
        click.echo(
            f"fmdesk {fmdesk.__version__} self-test ({frozen}, Python "
            f"{platform.python_version()}, {platform.system()} {platform.machine()})"
        )
    report = None if as_json else (lambda step: click.echo(_line(step)))
    make_steps = hooks().desktop_steps
    desktop = make_steps() if make_steps is not None else []
    if folder is not None:
        result = run_self_test(folder, desktop_steps=desktop, report=report)
    else:
        with tempfile.TemporaryDirectory(prefix="fmdesk-self-test-") as temporary:
            result = run_self_test(Path(temporary), desktop_steps=desktop, report=report)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "version": fmdesk.__version__,
                    "packaged": frozen == "packaged",
                    "passed": result.passed,
                    "steps": [
                        {
                            "name": s.name,
                            "status": s.status.value,
                            "detail": s.detail,
                            "seconds": round(s.seconds, 3),
                        }
                        for s in result.steps
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    failed = len(result.failed)
    if failed:
        names = ", ".join(s.name for s in result.failed)
        raise UserError(f"self-test failed: {failed} of {len(result.steps)} steps ({names}).")
    if not as_json:
        click.echo("Every step passed: this copy of fmdesk works.")
