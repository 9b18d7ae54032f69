"""What a write changed: the kinds of record it touched and the families they belong to.

The store collects them as it writes (db/store.py `take_changes`); the app's task runner hands
them to every screen after the write, and each screen reloads only when a kind it shows changed
for the family it shows. Anki's OpChanges is the model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable

# A record that belongs to no family (a definition, a partner, a setting) is listed under this.
NO_FAMILY = ""
# Kinds that are not records: a store setting (as "setting:<key>") and the sync state tables.
SETTING_PREFIX = "setting:"
SYNC_STATE = "sync-state"


@dataclasses.dataclass(frozen=True)
class Changes:
    """(kind, family id) pairs a write touched; NO_FAMILY for records of no family."""

    touched: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str | None]]) -> Changes:
        return cls(frozenset((kind, family or NO_FAMILY) for kind, family in pairs))

    def __bool__(self) -> bool:
        return bool(self.touched)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for kind, _ in self.touched)

    @property
    def family_ids(self) -> frozenset[str]:
        return frozenset(family for _, family in self.touched if family != NO_FAMILY)

    def touches(self, kinds: Collection[str], family_id: str | None = None) -> bool:
        """Whether a screen showing `kinds` (for `family_id`, or for every family when None)
        has something to reload. A record of no family concerns every family's screens."""
        return any(
            kind in kinds and (family_id is None or family in (family_id, NO_FAMILY))
            for kind, family in self.touched
        )

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.touched | other.touched)
