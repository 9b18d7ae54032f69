"""Reading the store's history: every version of every record it has held (`record_history`,
made by migration m004 and added to by every write in db/store.py, in the same transaction).

- `history(store, record_id)`: one record's versions, oldest first, with who wrote each and when;
  `family_history(store, family_id)`: every version of every record of one family.
- `records_as_at(store, day, kinds)`: the records as they were at the end of `day`, as this
  store saw them: for each record the last version it held whose revision (the hybrid logical
  clock's time of the edit, wherever it was made) falls before midnight at the end of that day,
  in this computer's time zone. A record created later is absent; one deleted later is present,
  as it was before. One marked as recorded in error by then is left out (unless `in_error`).
- `family_chronology(store, family_id)`: the family's whole case history, event by event, with
  who and when (fmdesk/chronology.py), for the Timeline and the printed chronology.
- `record_in_error(store, record_id, reason)`: mark a consent, person, note, Star reading or
  outcome evidence as entered by mistake (fmdesk/records.py mark_in_error): a new version, so
  the history keeps who marked it, when and why, and a bundle carries it. Every figure and claim
  leaves it out: the programme's judgement reads records through `IN_ERROR_FIELD_SQL`, and the
  rules sort a family's records through fmdesk.records.counts.

The history holds every version this store saw: each save here, and each version a bundle
brought (applied, or merged with a change made here). A record edited twice on a laptop between
two bundles reaches the coordinator in its latest version only (docs/bundle-format.md,
"History"). A store upgraded to the history holds each record's version of the day it was
upgraded as its first (`began`): as at an earlier day, a record changed since shows as absent.

Threading: like the Store, call on its thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from db.store import Store
from fmdesk.chronology import ChronologyEvent, Written, chronology
from fmdesk.errors import UserError
from fmdesk.families import Family
from fmdesk.hlc import MILLIS_DIGITS, Timestamp, is_revision
from fmdesk.plans import FamilyPlan, current_plan, mark_action_in_error
from fmdesk.records import CORRECTABLE_KINDS, IN_ERROR_FIELD, Record, kind_class, mark_in_error

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
# A stored record's mark, in SQL: NULL unless it was recorded in error.
IN_ERROR_FIELD_SQL = f"(body ->> '$.{IN_ERROR_FIELD}')"


@dataclasses.dataclass(frozen=True)
class Version:
    """One version of one record, as the history keeps it."""

    seq: int
    id: str
    kind: str
    family_id: str
    revision: str
    deleted: bool
    body: dict[str, Any]
    held: bool  # this store kept it as the record's current version (False: seen, merged)
    written_by: str  # the person ("" when unknown: held before the history began)
    written_by_store: str
    written_at: dt.datetime  # UTC, when this store wrote it
    bundle_id: str | None  # the bundle that brought it, if one did

    @property
    def made_at(self) -> dt.datetime:
        """When the version was made, wherever that was (its revision's clock), in UTC; or,
        for a revision held from before imports checked them strictly (`9-0-zz`), when this
        store wrote it: the history stays readable, and the timeline dated by what is known."""
        if not is_revision(self.revision):
            return self.written_at
        millis = Timestamp.decode(self.revision).millis
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)

    def record(self) -> Record:
        return kind_class(self.kind).from_stored(self.body)


_COLUMNS = (
    "seq, id, kind, family_id, revision, deleted, body, held, written_by, written_by_store, "
    "written_at, bundle_id"
)


def _version(row: Sequence[Any]) -> Version:
    seq, rid, kind, family_id, revision, deleted, body, held, by, by_store, at, bundle = row
    return Version(
        seq=seq,
        id=rid,
        kind=kind,
        family_id=family_id,
        revision=revision,
        deleted=bool(deleted),
        body=json.loads(body),
        held=bool(held),
        written_by=by,
        written_by_store=by_store,
        written_at=dt.datetime.fromisoformat(at),
        bundle_id=bundle,
    )


def history(store: Store, record_id: str) -> list[Version]:
    """Every version of one record this store has seen, oldest first."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM record_history WHERE id = ? ORDER BY revision, seq", [record_id]
    )
    return [_version(r) for r in rows]


def family_history(store: Store, family_id: str) -> list[Version]:
    """Every version of every record of one family (its own record included), oldest first."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM record_history WHERE family_id = ? OR id = ? "
        "ORDER BY revision, seq",
        [family_id, family_id],
    )
    return [_version(r) for r in rows]


def began(store: Store) -> dt.date | None:
    """The day this store began keeping history (None: it always has, from its creation)."""
    row = store.db.execute("SELECT value FROM meta WHERE key = 'history_began'").fetchone()
    began_on = dt.date.fromisoformat(row[0]) if row else None
    return None if began_on is not None and began_on <= store.info.created_on else began_on


def end_of_day(day: dt.date) -> str:
    """The revision bound for the end of `day`: every revision made before midnight at the end
    of that day, in this computer's time zone, sorts before it (revisions are fixed-width
    strings whose order is time order: fmdesk/hlc.py)."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).astimezone()
    return f"{int(midnight.timestamp() * 1000):0{MILLIS_DIGITS}d}"


def records_as_at(
    store: Store,
    day: dt.date,
    kinds: Iterable[type[Record]],
    *,
    family_ids: Iterable[str] | None = None,
    in_error: bool = False,
) -> list[Record]:
    """The records of `kinds` as they were at the end of `day` (the last version this store
    held before then, left out if that version is a deletion or, unless `in_error`, marked as
    recorded in error); only those of `family_ids` when given (a family's own record has its
    id as its family_id)."""
    names = [k.KIND for k in kinds]
    kind_marks = ",".join("?" * len(names))
    base = (
        "SELECT kind, body FROM (SELECT kind, body, deleted, row_number() OVER "
        "(PARTITION BY id ORDER BY revision DESC, seq DESC) AS newest FROM record_history "
        f"WHERE held = 1 AND revision < ? AND kind IN ({kind_marks}){{families}}) "
        "WHERE newest = 1 AND deleted = 0"
        + ("" if in_error else f" AND {IN_ERROR_FIELD_SQL} IS NULL")
    )
    bound = end_of_day(day)
    if family_ids is None:
        rows = list(store.db.execute(base.format(families=""), [bound, *names]))
    else:
        wanted = list(dict.fromkeys(family_ids))
        rows = []
        for first in range(0, len(wanted), _CHUNK):
            chunk = wanted[first : first + _CHUNK]
            sql = base.format(families=f" AND family_id IN ({','.join('?' * len(chunk))})")
            rows.extend(store.db.execute(sql, [bound, *names, *chunk]))
    return [kind_class(kind).from_stored(json.loads(body)) for kind, body in rows]


def record_in_error(
    store: Store,
    record_id: str,
    reason: str,
    *,
    family_id: str | None = None,
    at: dt.datetime | None = None,
) -> Record:
    """Mark the record `record_id` (a consent, person, note or visit, Star reading or outcome
    evidence), or the action `record_id` of a family's current plan, as recorded in error,
    because of `reason`, by this store's owner, in one transaction; returns the record saved
    (for an action, the plan version holding it). Refused in words when there is no such record
    (of family `family_id`, when given), it cannot be marked, its family cannot be changed here
    (closed or reassigned), or it is already marked."""
    with store.transaction():
        row = store.db.execute(
            "SELECT kind, body FROM records WHERE id = ? AND deleted = 0", [record_id]
        ).fetchone()
        if row is None:
            return _plan_action_in_error(store, record_id, reason, family_id, at)
        kind, body = row
        if kind not in CORRECTABLE_KINDS:
            names = ", ".join(CORRECTABLE_KINDS.values())
            raise UserError(f"Only a {names} can be marked as recorded in error.")
        record = kind_class(kind).from_stored(json.loads(body))
        if family_id is not None and record.family_id != family_id:
            raise UserError("That record is not one of this family's.")
        _check_changeable(store, record.family_id)
        marked = mark_in_error(
            record, reason, by=store.info.owner_name, at=at or dt.datetime.now(dt.UTC)
        )
        (saved,) = store.save(marked)
    return saved


def _check_changeable(store: Store, family_id: str) -> None:
    family = store.get(Family, family_id)
    if family is None or family.deleted:
        raise UserError("That record's family is no longer in this store.")
    if family.is_read_only:
        raise UserError(
            f"{family.read_only_reason} ({family.reference}), so nothing in it can be "
            "marked as recorded in error."
        )


def _plan_action_in_error(
    store: Store, action_id: str, reason: str, family_id: str | None, at: dt.datetime | None
) -> Record:
    """Mark the action `action_id` of its family's current plan (the caller's transaction)."""
    sql = "SELECT body FROM records WHERE kind = ? AND deleted = 0 AND instr(body, ?) > 0"
    params = [FamilyPlan.KIND, action_id]
    if family_id is not None:
        sql += " AND family_id = ?"
        params.append(family_id)
    holding = [FamilyPlan.from_stored(json.loads(b)) for (b,) in store.db.execute(sql, params)]
    holding = [p for p in holding if any(a.id == action_id for g in p.goals for a in g.actions)]
    if not holding:
        raise UserError("There is no such record in this store (it may have been deleted).")
    plan = current_plan(store.list(FamilyPlan, family_id=holding[0].family_id))
    if plan is None or plan.id not in {p.id for p in holding}:
        raise UserError(
            "That action is in an earlier version of the plan only: the current version's "
            "actions can be marked as recorded in error."
        )
    _check_changeable(store, plan.family_id)
    marked = mark_action_in_error(
        plan, action_id, reason, by=store.info.owner_name, at=at or dt.datetime.now(dt.UTC)
    )
    (saved,) = store.save(marked)
    return saved


def family_chronology(store: Store, family_id: str) -> list[ChronologyEvent]:
    """The family's whole case history from every version this store kept of its records
    (fmdesk/chronology.py), newest first: who wrote each (the partner, for what a bundle
    brought) and when it was made."""
    versions = [
        Written(record=v.record(), by=v.written_by, at=v.made_at)
        for v in family_history(store, family_id)
        if v.held
    ]
    return chronology(versions)
