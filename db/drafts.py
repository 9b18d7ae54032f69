"""Drafts of dialogs not yet saved: what the user had typed into a TAF meeting record, a closing
summary, a consent... when the store locked, kept so the dialog opens with it after unlocking.

One draft per family and dialog kind (the `drafts` table, migration m005), its fields as JSON in
the encrypted store like everything else. A draft is not a record: it is never synced, never
counted, and goes when the dialog is saved or its typing deliberately discarded (and with the
family, when the family leaves the laptop). Same thread as the store.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from db.store import Store


@dataclass(frozen=True)
class Draft:
    state: dict[str, Any]  # the dialog's fields, as the dialog wrote them
    saved_at: dt.datetime  # UTC


def save_draft(store: Store, family_id: str, kind: str, state: dict[str, Any]) -> None:
    """Keep `state` as the draft of the `kind` dialog for `family_id`, replacing any before."""
    saved_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction():
        store.db.execute(
            "INSERT INTO drafts (family_id, kind, state, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(family_id, kind) DO UPDATE SET state = excluded.state, "
            "saved_at = excluded.saved_at",
            [family_id, kind, json.dumps(state, ensure_ascii=False), saved_at],
        )


def load_draft(store: Store, family_id: str, kind: str) -> Draft | None:
    row = store.db.execute(
        "SELECT state, saved_at FROM drafts WHERE family_id = ? AND kind = ?", [family_id, kind]
    ).fetchone()
    if row is None:
        return None
    state = json.loads(row[0])
    if not isinstance(state, dict):
        return None
    return Draft(state, dt.datetime.fromisoformat(row[1]))


def discard_draft(store: Store, family_id: str, kind: str) -> None:
    with store.transaction():
        store.db.execute("DELETE FROM drafts WHERE family_id = ? AND kind = ?", [family_id, kind])


def draft_kinds(store: Store, family_id: str) -> list[str]:
    """The dialogs with a draft kept for `family_id`."""
    return [
        r[0]
        for r in store.db.execute(
            "SELECT kind FROM drafts WHERE family_id = ? ORDER BY kind", [family_id]
        )
    ]
