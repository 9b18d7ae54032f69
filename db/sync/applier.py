"""Applying one bundle's records to the store: each incoming record checked, then merged field
by field with the copy held here against the last version both sides knew (fmdesk.sync.merge).

`Applier.apply` is the one function every incoming record goes through. At its start
(`_checked`) each record meets its kind's own rules and then the rule of what its sender may
send (fmdesk/sync/authority.py decides; `_incoming` finds the facts: who holds the family, what
was known of the record). A refusal is a ValidationError with the reason, and the inbox
quarantines that record and reports it back while the rest of the bundle applies. A bundle from
a store of this store's own role is refused whole, when the Applier is made.

Threading: like the Store, call on its thread, inside the import's transaction.
"""

import dataclasses
import datetime as dt
import json
from typing import Any

from db.store import Store
from db.sync.enrolment import partner
from db.sync.field_conflicts import all_differences, record_conflicts
from db.sync.outbox import local_defaults
from db.sync.tables import dump
from fmdesk.definition import Definition, check_fits
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.hlc import is_revision
from fmdesk.programme import Allocation
from fmdesk.records import Record, kind_class
from fmdesk.roles import Role
from fmdesk.sync import authority
from fmdesk.sync.authority import FamilyHolding, Holding, Incoming, Move
from fmdesk.sync.bundle import Change
from fmdesk.sync.merge import Outcome, merge_record

# {practitioner store id: the latest revision a coordinator took from its bundles}: the
# sender's high-water mark. Its hybrid logical clock had passed it when it made them, and every
# change it makes later is later still (fmdesk/sync/authority.py, `backdated`).
SENT_UP_TO_SETTING = "sync.sent_up_to_revision"


class Applier:
    """Applies one bundle's changes inside the import's transaction.

    Looks up the local copies and bases of all the bundle's records in a few queries, and
    writes records and bases in bulk at the end (`flush`): per-record queries cost more than
    the merging itself. Later changes in the same bundle see earlier ones (`_local`)."""

    CHUNK = 500  # ids per IN (...) query, well under SQLite's limit of bound parameters

    def __init__(self, store: Store, partner_id: str, bundle_id: str, ids: list[str]) -> None:
        self.store = store
        self.partner_id = partner_id
        self.bundle_id = bundle_id
        sender = partner(store, partner_id).enrolment
        self.sender_role = sender.role
        refused = authority.bundle_refusal(
            sender.role, store.info.role, sender.name or sender.store_id
        )
        if refused:
            raise UserError(refused)
        # Every id in the bundle: a family not held here whose own record is among them is
        # one the sender registered (a Family's id is its family_id).
        self._ids = set(ids)
        self._families: dict[str, _Family] = {}
        self._local: dict[str, tuple[str, str | dict[str, Any]]] = {}
        self._base: dict[str, str | dict[str, Any]] = {}
        for start in range(0, len(ids), self.CHUNK):
            chunk = ids[start : start + self.CHUNK]
            marks = ",".join("?" * len(chunk))
            for record_id, kind, body in store.db.execute(
                f"SELECT id, kind, body FROM records WHERE id IN ({marks})", chunk
            ):
                self._local[record_id] = (kind, body)
            for record_id, body in store.db.execute(
                f"SELECT id, body FROM sync_base WHERE partner = ? AND id IN ({marks})",
                [partner_id, *chunk],
            ):
                self._base[record_id] = body
        self._rows: dict[str, tuple[str, str, str, str, bool, str]] = {}
        self._latest = ""
        self._bases: dict[str, tuple[str, str]] = {}
        self._held_definitions: list[Definition] | None = None
        self._sent_before: str | None = None
        self.families: set[str] = set()  # the families whose records this bundle touched
        # Practitioner side: the families whose own record is in this bundle (None: not asked).
        self.arriving_families: set[str] | None = None

    def _stale_withdrawal(self, record: Record) -> bool:
        """A withdrawal (an Allocation moving a family away from this practitioner) for a family
        no longer held here: it was purged, and the coordinator had not yet heard that its
        withdrawal arrived. Keeping it would leave a stray record of a family that is gone."""
        if self.arriving_families is None or not isinstance(record, Allocation):
            return False
        if record.to_store == self.store.info.store_id:
            return False
        if record.family_id in self.arriving_families:
            return False
        return self.store.get(Family, record.family_id) is None

    def _definitions(self) -> list[Definition]:
        if self._held_definitions is None:
            self._held_definitions = self.store.list(Definition, include_deleted=True)
        return self._held_definitions

    def _checked(self, change: Change) -> tuple[type[Record], dict[str, Any], Record]:
        """(its class, its fields as they will be kept, the record) of an incoming change,
        checked against its kind's own rules before anything is written. A rule about what
        this sender may send belongs here: a ValidationError quarantines the record."""
        cls = kind_class(change.kind)  # an unknown kind is a ValidationError: quarantined
        incoming = change.record_dict()
        incoming.update(local_defaults(change.kind))  # another store's own marks are not taken
        record = cls.from_dict(incoming)
        reason = authority.refusal(
            self.sender_role, self.store.info.role, self._incoming(change, record, incoming)
        )
        if reason:
            family = self._families.get(record.family_id)
            if change.kind == Family.KIND and family is not None and family.new:
                # A new family refused: the rest of its records have no family to join.
                self._families[record.family_id] = dataclasses.replace(family, new=False)
            raise ValidationError(reason)
        return cls, incoming, record

    def _incoming(self, change: Change, record: Record, incoming: dict[str, Any]) -> Incoming:
        """The facts the authority rule weighs about one incoming record. From the coordinator
        only its kind and whether it belongs to a family count, so nothing is looked up."""
        family_id = record.family_id
        if self.sender_role is Role.COORDINATOR or not family_id:
            return Incoming(
                kind=change.kind,
                record_id=change.id,
                family=FamilyHolding(holding=Holding.SENDERS, family_id=family_id)
                if family_id
                else None,
            )
        held = self._local.get(change.id)
        local = _parsed(held[1]) if held is not None else None
        held_in = ""
        if local is not None and local.get("family_id", family_id) != family_id:
            held_in = local["family_id"]
        changed: tuple[str, ...] = ()
        if change.kind == Family.KIND:
            base = self._base.get(change.id)
            known = [v for v in (_parsed(base) if base is not None else None, local) if v]
            changed = authority.allocation_changes(incoming, known, sender=self.partner_id)
        holding = self._family(family_id).holding_at(self.partner_id, change.revision)
        unseen, sent_before = False, ""
        if holding.holding is Holding.FORMER and holding.held_then:
            # Dated while the sender held the family: is it later than what it sent before? A
            # version held here, or no later than the one last agreed with the sender (a bundle
            # overtaken by a later one: `apply` takes it as stale), is not new.
            base_body = self._base.get(change.id)
            base = _parsed(base_body) if base_body is not None else None
            unseen = not (local is not None and change.revision == local["revision"]) and not (
                base is not None and change.revision <= base["revision"]
            )
            sent_before = self.sent_before
        return Incoming(
            kind=change.kind,
            record_id=change.id,
            family=holding,
            held_in_family=held_in,
            allocation_changes=changed,
            revision=change.revision,
            unseen=unseen,
            sent_before=sent_before,
        )

    @property
    def sent_before(self) -> str:
        """The sender's high-water mark: the latest revision this store took from its earlier
        bundles ("" before any). Its clock had passed it when it made them (SENT_UP_TO_SETTING)."""
        if self._sent_before is None:
            marks = self.store.get_setting(SENT_UP_TO_SETTING, {})
            mark = marks.get(self.partner_id, "") if isinstance(marks, dict) else ""
            self._sent_before = mark if is_revision(mark) else ""
        return self._sent_before

    def _family(self, family_id: str) -> "_Family":
        """Who holds a family here and has held it, looked up once per bundle. A family this
        bundle brings new stays the sender's for the rest of the bundle."""
        found = self._families.get(family_id)
        if found is not None:
            return found
        row = self.store.db.execute(
            "SELECT body FROM records WHERE id = ? AND kind = ?", [family_id, Family.KIND]
        ).fetchone()
        if row is None:
            new = family_id in self._ids
            found = _Family(family_id=family_id, held=False, new=new)
        else:
            body = json.loads(row[0])
            moves = [
                Move(
                    revision=a["revision"],
                    to_store=a.get("to_store", ""),
                    from_store=a.get("from_store", ""),
                    to_name=a.get("to_name", ""),
                    on=_date(a.get("on")),
                )
                for (text,) in self.store.db.execute(
                    "SELECT body FROM records WHERE kind = ? AND family_id = ? AND deleted = 0",
                    [Allocation.KIND, family_id],
                )
                for a in [json.loads(text)]
            ]
            # A family allocated to nobody is held by the practitioner whose bundle brought it
            # (as db/allocation.py family_holders has it), or by the coordinator alone. Who
            # registered it is the writer of its first version (db/history.py), when that
            # was a partner; a store older than the history knows it only while unallocated.
            first = self.store.db.execute(
                "SELECT written_by_store FROM record_history WHERE id = ? "
                "ORDER BY revision LIMIT 1",
                [family_id],
            ).fetchone()
            brought_by = self.store.db.execute(
                "SELECT partner FROM sync_base WHERE id = ? ORDER BY revision DESC LIMIT 1",
                [family_id],
            ).fetchone()
            registered_by = ""
            if first and first[0] and first[0] != self.store.info.store_id:
                registered_by = first[0]
            elif brought_by and not moves:
                registered_by = brought_by[0]
            found = _Family(
                family_id=family_id,
                held=True,
                reference=body.get("reference", ""),
                holder=body.get("allocated_to", "") or (registered_by if not moves else ""),
                moves=tuple(sorted(moves, key=lambda m: m.revision)),
                first_holder=authority.first_holder(moves, registered_by),
            )
        self._families[family_id] = found
        return found

    def apply(self, change: Change) -> tuple[Outcome, int]:
        """Apply one incoming record: (what became of it, how many of its fields conflict).
        ValidationError when it is refused: the inbox quarantines it with that reason."""
        cls, incoming, record = self._checked(change)
        if self._stale_withdrawal(record):
            return Outcome.UNCHANGED, 0
        if isinstance(record, Definition):
            # An id@version is one definition everywhere: a different one under the same
            # number is refused like any invalid record (quarantined, reported back).
            check_fits(record, self._definitions())
            self._held_definitions = [*self._definitions(), record]
        self.families.add(record.family_id)
        if record.family_id != change.family_id:  # a family's own family_id may come blank
            incoming["family_id"] = record.family_id
        # Compact, unsorted: the fastest form json writes, and this runs for every record.
        incoming_text = json.dumps(incoming, ensure_ascii=False, separators=(",", ":"))
        held = self._local.get(change.id)
        if held is not None and held[0] != change.kind:
            raise ValidationError(f"record {change.id} is a {held[0]} here, not a {change.kind}")
        local = _parsed(held[1]) if held is not None else None
        base_body = self._base.get(change.id)
        base = _parsed(base_body) if base_body is not None else None
        if base is not None and change.revision < base["revision"]:
            # A stale copy: a bundle that arrives after a later one from the same partner (they
            # crossed in the post). Its content is already in the later version; taking it
            # would look like the partner changing fields back.
            return Outcome.UNCHANGED, 0
        if local is not None and change.base_revision and change.base_revision == local["revision"]:
            base = local  # the sender edited exactly the version we hold
        if not is_revision(change.revision):  # exactly the clock's form (fmdesk/hlc.py)
            raise ValidationError(f"revision: {change.revision!r} is not a revision")
        # The clock moves past every incoming revision once, in flush(); a merged copy made
        # here must sort after this one at once.
        self._latest = max(self._latest, change.revision)
        result = merge_record(
            base=base, local=local, incoming=incoming, append_only=cls.APPEND_ONLY
        )
        conflicts = list(result.conflicts)
        taken = result.outcome in (Outcome.NEW, Outcome.TAKEN)
        # The same content under two revisions (both sides merged the same pair): both settle
        # on the later revision, or each would keep sending its copy to the other for ever.
        settled = (
            result.outcome is Outcome.UNCHANGED
            and local is not None
            and incoming["revision"] > local["revision"]
        )
        if taken or settled:
            # Kept as it came (it passed its kind's checks above), not rebuilt from `record`.
            self._write(change.kind, incoming, incoming_text)
        elif result.needs_new_revision:
            try:
                self.store.clock.observe(change.revision)
                merged = cls.from_dict({**result.record, "revision": self.store.clock.now()})
            except ValidationError:
                # Fields merged from both sides break the record's own rules (say, a closed status
                # from one side and no closure reason from the other): keep ours, ask a person.
                merged = None
                conflicts = all_differences(local or {}, incoming)
            if merged is not None:
                merged_dict = merged.to_dict()
                self._write(merged.KIND, merged_dict, dump(merged_dict))
        if conflicts:
            record_conflicts(self.store, self.partner_id, self.bundle_id, change, conflicts)
        self._bases[change.id] = (change.revision, incoming_text)
        self._base[change.id] = incoming
        return (Outcome.CONFLICT if conflicts else result.outcome), len(conflicts)

    def _write(self, kind: str, body: dict[str, Any], text: str) -> None:
        record_id = body["id"]
        self._rows[record_id] = (
            record_id,
            kind,
            body["family_id"],
            body["revision"],
            bool(body["deleted"]),
            text,
        )
        self._local[record_id] = (kind, body)

    def flush(self) -> None:
        if self._latest:
            self.store.clock.observe(self._latest)
            if self.store.info.role is Role.COORDINATOR and self._latest > self.sent_before:
                marks = self.store.get_setting(SENT_UP_TO_SETTING, {})
                marks = marks if isinstance(marks, dict) else {}
                self.store.set_setting(SENT_UP_TO_SETTING, {**marks, self.partner_id: self._latest})
                self._sent_before = self._latest
        self.store.write_bodies(list(self._rows.values()))
        self.store.db.conn.executemany(
            "INSERT INTO sync_base (partner, id, revision, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(partner, id) DO UPDATE SET revision = excluded.revision, "
            "body = excluded.body",
            [(self.partner_id, i, rev, body) for i, (rev, body) in self._bases.items()],
        )
        self._rows.clear()
        self._bases.clear()


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Family:
    """A family as the authority rule asks about it: held here or not, who holds it now, and
    its allocations (who held it when)."""

    family_id: str
    held: bool
    new: bool = False  # not held here, and this bundle brings its own record
    reference: str = ""
    holder: str = ""  # the practitioner store holding it now; "" for the coordinator's own
    moves: tuple[Move, ...] = ()
    first_holder: str = ""

    def holding_at(self, sender: str, revision: str) -> FamilyHolding:
        """How the family stands with `sender`, for a record of this revision."""
        if not self.held:
            holding = Holding.NEW if self.new else Holding.UNKNOWN
            return FamilyHolding(holding=holding, family_id=self.family_id)
        if self.holder == sender:
            return FamilyHolding(
                holding=Holding.SENDERS, family_id=self.family_id, reference=self.reference
            )
        # The allocations that moved the family away from the sender, oldest first.
        holder, away = self.first_holder, []
        for move in self.moves:
            if holder == sender and move.to_store != sender:
                away.append(move)
            holder = move.to_store
        if not away:
            return FamilyHolding(holding=Holding.ELSEWHERE, family_id=self.family_id)
        held_then = (
            authority.holder_at(self.moves, revision, first_holder=self.first_holder) == sender
        )
        return FamilyHolding(
            holding=Holding.FORMER,
            family_id=self.family_id,
            reference=self.reference,
            held_then=held_then,
            moved_to=self.moves[-1].to_name,
            moved_on=away[-1].on,
        )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _parsed(body: str | dict[str, Any]) -> dict[str, Any]:
    """A record's dict from its stored JSON, or a copy this import has just written."""
    return json.loads(body) if isinstance(body, str) else body
