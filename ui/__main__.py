"""`python -m ui`: the `fmdesk` program (ui/main.py)."""

from ui.main import main

main()
