"""The frozen app's entry point: the same `fmdesk` program that pip installs (ui.main:main)."""

from ui.main import main

if __name__ == "__main__":
    main()
