"""Conflicts: a field two stores changed differently since the version both knew. Both values
are kept (`sync_conflicts`), the record shows one of them meanwhile (`provisional`), and a
person decides; the decision is saved as a new revision, so it travels to the partner.

Threading: like the Store, call on its thread.
"""

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from db.store import Store
from db.sync.enrolment import partners
from db.sync.tables import dump, now
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.records import kind_class
from fmdesk.sync.bundle import Change
from fmdesk.sync.merge import META_KEYS, MISSING, FieldConflict


@dataclasses.dataclass(frozen=True, kw_only=True)
class Conflict:
    """A field two stores changed differently, with both values, for a person to decide."""

    conflict_id: int
    partner: str
    partner_name: str
    kind: str
    record_id: str
    family_id: str
    family_label: str  # "EH-0042 Nowak family", or the id of a family no longer held
    field: str
    local: Any
    incoming: Any
    base: Any
    provisional: str  # which value the record shows meanwhile: "local" or "incoming"
    found_at: str
    resolved_at: str | None = None
    choice: str | None = None  # "local" or "incoming", once decided

    @property
    def shown(self) -> Any:
        """The value the record holds now (until decided, the provisional one)."""
        side = self.choice or self.provisional
        return self.local if side == "local" else self.incoming


def record_conflicts(
    store: Store,
    partner_id: str,
    bundle_id: str,
    change: Change,
    conflicts: Iterable[FieldConflict],
) -> None:
    """Keep the conflicts an incoming change met, inside the import's transaction."""
    store.db.conn.executemany(
        "INSERT INTO sync_conflicts (partner, bundle_id, kind, record_id, family_id, field, "
        "local, incoming, base, provisional, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                partner_id,
                bundle_id,
                change.kind,
                change.id,
                change.family_id,
                c.field,
                dump(c.local),
                dump(c.incoming),
                None if c.base is MISSING else dump(c.base),
                c.provisional,
                now(),
            )
            for c in conflicts
        ],
    )


def all_differences(local: dict[str, Any], incoming: dict[str, Any]) -> list[FieldConflict]:
    """Every field the two copies hold differently, as conflicts that keep ours meanwhile: for a
    merge whose result would break the record's own rules."""
    return [
        FieldConflict(
            field=f, local=local.get(f), incoming=incoming.get(f), base=MISSING, provisional="local"
        )
        for f in sorted((set(local) | set(incoming)) - META_KEYS)
        if local.get(f) != incoming.get(f)
    ]


def open_count(store: Store) -> int:
    return store.db.execute(
        "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL"
    ).fetchone()[0]


def open_conflicts(store: Store) -> list[dict[str, Any]]:
    """Unresolved conflicts, oldest first, with both values decoded."""
    with store.transaction():
        rows = store.db.execute(
            "SELECT rowid, partner, kind, record_id, family_id, field, local, incoming, base, "
            "provisional FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY rowid"
        ).fetchall()
    keys = ("conflict_id", "partner", "kind", "record_id", "family_id", "field")
    return [
        {
            **dict(zip(keys, r[:6], strict=True)),
            "local": json.loads(r[6]),
            "incoming": json.loads(r[7]),
            "base": None if r[8] is None else json.loads(r[8]),
            "provisional": r[9],
        }
        for r in rows
    ]


def conflicts(store: Store, *, include_resolved: bool = False) -> list[Conflict]:
    """Conflicts, oldest first; decided ones too (with the choice) when asked."""
    sql = (
        "SELECT rowid, partner, kind, record_id, family_id, field, local, incoming, base, "
        "provisional, found_at, resolved_at, choice FROM sync_conflicts"
    )
    if not include_resolved:
        sql += " WHERE resolved_at IS NULL"
    with store.transaction():
        rows = store.db.execute(sql + " ORDER BY rowid").fetchall()
        names = {p.enrolment.store_id: p.enrolment.name for p in partners(store)}
        families = {f.id: f for f in store.list(Family, include_deleted=True)}
    result = []
    for r in rows:
        family = families.get(r[4])
        result.append(
            Conflict(
                conflict_id=r[0],
                partner=r[1],
                partner_name=names.get(r[1], r[1]),
                kind=r[2],
                record_id=r[3],
                family_id=r[4],
                family_label=f"{family.reference} {family.name}" if family else r[4],
                field=r[5],
                local=json.loads(r[6]),
                incoming=json.loads(r[7]),
                base=None if r[8] is None else json.loads(r[8]),
                provisional=r[9],
                found_at=r[10],
                resolved_at=r[11],
                choice=r[12],
            )
        )
    return result


def resolve_conflict(store: Store, conflict_id: int, choice: str) -> Conflict:
    """Decide a conflict: keep this store's value ("local") or the partner's ("incoming").
    The record is saved with the chosen value under a new revision, so the decision travels
    to the partner in the next bundle, and the choice is recorded with the time. Returns the
    conflict as decided."""
    if choice not in ("local", "incoming"):
        raise UserError("Choose 'local' (this store's value) or 'incoming' (the partner's).")
    with store.transaction():
        found = [c for c in conflicts(store) if c.conflict_id == conflict_id]
        if not found:
            raise UserError(f"There is no open conflict {conflict_id}; it may be decided already.")
        conflict = found[0]
        cls = kind_class(conflict.kind)
        row = store.db.execute(
            "SELECT body FROM records WHERE id = ?", [conflict.record_id]
        ).fetchone()
        if row is None:
            raise UserError("The record in conflict is no longer in this store.")
        body = json.loads(row[0])
        value = conflict.local if choice == "local" else conflict.incoming
        body[conflict.field] = bool(value) if conflict.field == "deleted" else value
        try:
            record = cls.from_dict(body)
        except ValidationError as exc:
            raise UserError(
                f"That value cannot be kept: the record would break its own rules ({exc}). "
                "Decide the record's other conflicts first, or edit it by hand."
            ) from None
        store.save(record)
        decided_at = now()
        # Every open conflict on the same field of the same record is decided by this choice.
        store.db.execute(
            "UPDATE sync_conflicts SET resolved_at = ?, choice = ? WHERE record_id = ? "
            "AND field = ? AND resolved_at IS NULL",
            [decided_at, choice, conflict.record_id, conflict.field],
        )
    return dataclasses.replace(conflict, resolved_at=decided_at, choice=choice)
