"""The demo store: made on first use, with a synthetic caseload (Faker, en_GB)."""

from __future__ import annotations

from pathlib import Path

from db.families import add_demo_families
from db.store import Store
from fmdesk.demo import DEMO_PASSPHRASE
from fmdesk.roles import Role


def ensure_demo_store(path: Path, families: int = 30) -> None:
    """Make the demo store on first use (its passphrase is shown on the unlock screen)."""
    if path.exists():
        return
    store = Store.create(path, DEMO_PASSPHRASE, role=Role.PRACTITIONER, name="Demo Practitioner")
    try:
        add_demo_families(store, families)
    finally:
        store.close()
