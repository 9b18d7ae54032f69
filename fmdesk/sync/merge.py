"""Three-way merge of one record: the local copy, an incoming copy, and the last agreed base.

Records are compared as plain dicts (`Record.to_dict()` form), so the rules hold for every
record kind without knowing its fields. Field by field against the base:
- a field changed on one side only takes that side's value;
- a field changed on both sides to the same value takes it;
- a field changed on both sides to different values is a conflict: both values are kept in
  the result for a person to choose, and the record meanwhile shows a provisional winner, the
  value from the side with the later revision (HLC order, so every store picks the same one);
- a deletion on one side against an edit on the other is a conflict too; the record stays
  (undeleted) until someone decides, since hiding it would hide the edit;
- a side that lacks a field (an older fmdesk) has not changed it.
Append-only kinds (notes, visits) are never merged field by field and never conflict: the copy
with the later revision is kept. With no base (a record both sides made or lost track of), every
field on which the two copies differ counts as changed on both sides.

The result is the same whichever copy is called local (see tests/unit/test_merge_property.py),
so two stores that merge the same pair arrive at the same record.
"""

import dataclasses
import enum
import json
from collections.abc import Mapping
from typing import Any

# Bookkeeping keys that are not merged as fields.
META_KEYS = frozenset({"id", "revision", "deleted"})


class _Missing:
    """The value of a field a copy does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Outcome(enum.StrEnum):
    NEW = "new"  # no local copy: the incoming one is taken as it is
    UNCHANGED = "unchanged"  # the incoming copy says nothing the local one does not
    TAKEN = "taken"  # the incoming copy replaces the local one (only it had changes)
    KEPT = "kept"  # the local copy stays as it is (only it had changes)
    MERGED = "merged"  # changes from both sides, to different fields, combined
    CONFLICT = "conflict"  # both sides changed something differently: a person must choose


@dataclasses.dataclass(frozen=True, kw_only=True)
class FieldConflict:
    """A field both sides changed to different values. `field` is "deleted" for edit vs delete."""

    field: str
    local: Any
    incoming: Any
    base: Any = MISSING
    # Which side's value the record shows until a person decides: "local" or "incoming".
    provisional: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MergeResult:
    outcome: Outcome
    # The record to keep, in to_dict form. For MERGED and CONFLICT it matches neither copy, so
    # the store must give it a fresh revision (its revision here is the later of the two).
    record: dict[str, Any]
    conflicts: tuple[FieldConflict, ...] = ()

    @property
    def needs_new_revision(self) -> bool:
        return self.outcome in (Outcome.MERGED, Outcome.CONFLICT)

    @property
    def changes_local(self) -> bool:
        return self.outcome in (Outcome.NEW, Outcome.TAKEN, Outcome.MERGED, Outcome.CONFLICT)


def merge_record(
    *,
    base: Mapping[str, Any] | None,
    local: Mapping[str, Any] | None,
    incoming: Mapping[str, Any],
    append_only: bool = False,
) -> MergeResult:
    """Merge `incoming` into `local` against `base`, all in `Record.to_dict()` form."""
    if local is None:
        return MergeResult(outcome=Outcome.NEW, record=dict(incoming))
    if _content(local) == _content(incoming):
        return MergeResult(outcome=Outcome.UNCHANGED, record=dict(local))
    local_later = _later(local, incoming)
    if append_only:
        if local_later:
            return MergeResult(outcome=Outcome.KEPT, record=dict(local))
        return MergeResult(outcome=Outcome.TAKEN, record=dict(incoming))

    base = base or {}
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for field in sorted((set(local) | set(incoming) | set(base)) - META_KEYS):
        was = base.get(field, MISSING)
        mine = local.get(field, MISSING)
        theirs = incoming.get(field, MISSING)
        mine_changed = mine is not MISSING and mine != was
        theirs_changed = theirs is not MISSING and theirs != was
        if mine_changed and theirs_changed and mine != theirs:
            provisional = "local" if _later_value(local, mine, incoming, theirs) else "incoming"
            conflicts.append(
                FieldConflict(
                    field=field, local=mine, incoming=theirs, base=was, provisional=provisional
                )
            )
            value = mine if provisional == "local" else theirs
        elif theirs_changed:
            value = theirs
        elif mine is not MISSING:
            value = mine
        else:
            value = was
        if value is not MISSING:
            merged[field] = value

    deleted = _merge_deleted(base, local, incoming, conflicts)
    record = {
        **merged,
        "id": local["id"],
        "revision": max(local.get("revision", ""), incoming.get("revision", "")),
        "deleted": deleted,
    }
    if conflicts:
        outcome = Outcome.CONFLICT
    elif _content(record) == _content(local):
        outcome, record = Outcome.KEPT, dict(local)
    elif _content(record) == _content(incoming):
        outcome, record = Outcome.TAKEN, dict(incoming)
    else:
        outcome = Outcome.MERGED
    return MergeResult(outcome=outcome, record=record, conflicts=tuple(conflicts))


def _merge_deleted(
    base: Mapping[str, Any],
    local: Mapping[str, Any],
    incoming: Mapping[str, Any],
    conflicts: list[FieldConflict],
) -> bool:
    mine = bool(local.get("deleted", False))
    theirs = bool(incoming.get("deleted", False))
    if mine == theirs:
        return mine
    if base.get("deleted", False):
        return False  # one side restored a record both had deleted
    # One side deleted the record. That stands unless the side that kept it also edited it:
    # then it is a conflict, and the record stays (with the edit) until a person decides.
    kept = incoming if mine else local
    if not _edited(base, kept):
        return True
    conflicts.append(
        FieldConflict(
            field="deleted",
            local=mine,
            incoming=theirs,
            base=False if base else MISSING,
            provisional="incoming" if mine else "local",
        )
    )
    return False


def _edited(base: Mapping[str, Any], side: Mapping[str, Any]) -> bool:
    """Whether `side` changed any field from `base` (any field counts when there is no base)."""
    if not base:
        return True
    return any(side[field] != base.get(field, MISSING) for field in set(side) - META_KEYS)


def _content(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "revision"}


def _later(local: Mapping[str, Any], incoming: Mapping[str, Any]) -> bool:
    """Whether the local copy is the later one: by revision, then by content, so the answer
    never depends on which copy is called local."""
    return _order_key(local) > _order_key(incoming)


def _order_key(record: Mapping[str, Any]) -> tuple[str, str]:
    return (record.get("revision", ""), _stable(_content(record)))


def _later_value(
    local: Mapping[str, Any], mine: Any, incoming: Mapping[str, Any], theirs: Any
) -> bool:
    return (local.get("revision", ""), _stable(mine)) > (
        incoming.get("revision", ""),
        _stable(theirs),
    )


def _stable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
