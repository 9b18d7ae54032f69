"""Running the `fmdesk` command line from a test.

`run_cli` runs it in this process with click's CliRunner: the same click group the program runs
(ui.cli.program.cli), without paying for a new Python and its imports on every command.
`run_program` runs the real program in a child process, for the few tests where the process is
the point: the entry point and its exit codes, start-up without Qt, no terminal, a kill.

Both give the command the environment a script would: FMDESK_HOME and the other FMDESK_
variables the test names, and none it does not (the developer's own never leak in); both keep
stdout and stderr apart, and neither touches a real keychain.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import keyring
from click.testing import CliRunner
from keyring.backends import null

from ui.cli.options import Hooks
from ui.cli.program import cli

REPO = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Ran:
    """What a command did, named as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


def _fmdesk_env(env: Mapping[str, str]) -> dict[str, str | None]:
    # None removes a variable for the run: only the FMDESK_ variables the test gives are set.
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FMDESK_")}
    return {**cleared, **env}


def run_cli(*args: str | Path, env: Mapping[str, str]) -> Ran:
    """`fmdesk ARGS` in this process, with `env` set for the run and put back afterwards.

    stdin is empty and not a terminal, as under a script; a command that needs the desktop app
    says so (no Hooks). An exception that is not a click exit fails the test with its traceback
    rather than turning into exit code 1, so a bug cannot pass for a refusal.
    """
    runner = CliRunner()
    previous = keyring.get_keyring()
    # The null backend, as PYTHON_KEYRING_BACKEND gives the child processes below: "remember on
    # this computer" is off and the developer's own keychain is never read or written.
    keyring.set_keyring(null.Keyring())
    try:
        result = runner.invoke(
            cli,
            [str(a) for a in args],
            # COLUMNS: help is wrapped as for a process whose output is not a terminal.
            env={**_fmdesk_env(env), "COLUMNS": "80"},
            catch_exceptions=False,
            obj=Hooks(),
            prog_name="fmdesk",
        )
    finally:
        keyring.set_keyring(previous)
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_program(
    *args: str | Path,
    env: Mapping[str, str],
    argv: tuple[str, ...] = ("-m", "ui"),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real program (`python -m ui`, or `python ARGV`) in a child process, stdin closed."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("FMDESK_")}
    child_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return subprocess.run(
        [sys.executable, *argv, *map(str, args)],
        cwd=REPO,
        env={**child_env, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
