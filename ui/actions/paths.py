"""Where fmdesk keeps things on this computer (platformdirs): the store, the demo store, logs.

`FMDESK_HOME` moves all of it (tests, a portable install, a council's managed folder).
"""

import os
from pathlib import Path

import platformdirs

APP = "fmdesk"


def _home() -> Path | None:
    value = os.environ.get("FMDESK_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    home = _home()
    return home if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_store() -> Path:
    return data_dir() / "store"


def demo_store() -> Path:
    return data_dir() / "demo"


def log_dir() -> Path:
    home = _home()
    path = home / "logs" if home else Path(platformdirs.user_log_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
