"""fmdesk's domain core: families, people, consent, notes and the rules about them.

Pure Python. Nothing here imports Qt, SQL, PDF or keychain libraries (an import-linter
contract in pyproject.toml enforces it), so every rule can be tested without a disk or a screen.
"""

__version__ = "0.1.0"
