"""The `fmdesk` program as a process: the installed entry point and its exit codes, start-up
without Qt, and secrets asked for with no terminal to type them at. Everything else about the
commands runs in-process (tests/cli.py); these are the things only a real process shows."""

import sys
from pathlib import Path

import pytest

from tests.cli import run_program
from tests.conftest import StoreTemplates

INSTALLED = Path(sys.executable).with_name("fmdesk.exe" if sys.platform == "win32" else "fmdesk")
# Runs the program as the entry point does, then says on stderr whether Qt was imported.
WITHOUT_QT = (
    "-c",
    "import sys\n"
    "from ui.main import main\n"
    "sys.argv[0] = 'fmdesk'\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    print('Qt imported:', 'PySide6' in sys.modules, file=sys.stderr)\n",
)


@pytest.mark.skipif(not INSTALLED.exists(), reason="fmdesk is not installed in this environment")
def test_the_installed_command_exits_0_1_and_2(tmp_path: Path) -> None:
    env = {"FMDESK_HOME": str(tmp_path)}
    version = run_program("--version", env=env, argv=(str(INSTALLED),))
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "fmdesk, version 0.1.0"

    missing = run_program("families", "list", env=env, argv=(str(INSTALLED),))
    assert missing.returncode == 1
    assert missing.stdout == ""
    (line,) = missing.stderr.splitlines()
    assert line.startswith("fmdesk: ")
    assert "no fmdesk store" in line

    usage = run_program("families", "frobnicate", env=env, argv=(str(INSTALLED),))
    assert usage.returncode == 2
    assert "Usage: fmdesk families" in usage.stderr
    assert "Traceback" not in usage.stderr
    assert list(tmp_path.iterdir()) == []  # a refusal writes nothing


@pytest.mark.parametrize("args", [("--help",), ("frameworks", "list")], ids=["help", "a command"])
def test_the_command_line_starts_without_qt(tmp_path: Path, args: tuple[str, ...]) -> None:
    ran = run_program(*args, env={"FMDESK_HOME": str(tmp_path)}, argv=WITHOUT_QT)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout
    assert ran.stderr.splitlines()[-1] == "Qt imported: False"


def test_with_no_terminal_and_no_passphrase_in_the_environment_nothing_waits(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    store_templates.copy(tmp_path / "store", name="Test Practitioner")
    env = {"FMDESK_HOME": str(tmp_path)}
    listed = run_program("families", "list", env=env)
    assert listed.returncode == 1
    assert listed.stdout == ""
    assert listed.stderr == ("fmdesk: No passphrase: set FMDESK_PASSPHRASE or run in a terminal.\n")
    made = run_program("init", "--store", tmp_path / "new", env=env)
    assert made.returncode == 1
    assert made.stderr == (
        "fmdesk: No new passphrase: set FMDESK_NEW_PASSPHRASE or run in a terminal.\n"
    )
    assert not (tmp_path / "new").exists()
