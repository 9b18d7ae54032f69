"""The frozen app's entry point: the same `fmdesk` command that pip installs (ui.cli:main).

PyInstaller runs this file as __main__; importing ui.cli as a module (rather than running it)
keeps one copy of the command group, the one that every ui/cli_*.py module registers on.
"""

from ui.cli import main

if __name__ == "__main__":
    main()
