"""The `fmdesk` program: the command line (ui/cli), and with no command the desktop app
(ui/window). The one place that knows both: the command line gets what it needs of the app as
hooks, so it never imports Qt, and the app never imports the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ui.cli.options import Hooks
from ui.cli.program import cli


# Imported when called, not at the top: `fmdesk --help` and every command start without Qt.
def start_app(*, store_path: Path, demo: bool = False) -> int:
    from ui.window.app import run_app

    return run_app(store_path=store_path, demo=demo)


def desktop_steps() -> list[tuple[str, Callable[[], str]]]:
    from ui.window.selfcheck import desktop_steps as steps

    return steps()


def main() -> None:
    cli(obj=Hooks(start_app=start_app, desktop_steps=desktop_steps))


if __name__ == "__main__":
    main()
