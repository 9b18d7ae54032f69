"""Who may send what: the rule every incoming record meets before it is merged.

A practitioner sends the records of the families allocated to it, or that it registered itself,
and nothing only a coordinator makes: allocations, definitions, claim batches, claims, or a
family's allocation fields (`allocated_to`, `lead_practitioner`: db/allocation.py sets both).
A coordinator sends a practitioner allocations (a withdrawal is one), definitions, and the
records of its families. A store takes bundles only from the other role. Targets and the
programme's settings are settings, not records: no bundle can carry them (an unknown record
kind is refused as such before this rule is asked).

A family moved away from a practitioner still takes what the practitioner made while holding it,
by the record's revision: the sender's own claim. So the rule also asks what the coordinator knows
for sure. A laptop's hybrid logical clock only moves forward, and each bundle carries every change
it has not had acknowledged, so a change the coordinator has never seen must be later than every
revision it took from that sender's earlier bundles (its high-water mark). One dated at or before
that mark, in a family the sender no longer holds, was backdated, and is refused (`backdated`).

This module decides; db/sync/applier.py finds the facts (who holds the family, what was known
of the record) and quarantines a refused record with the reason given here, which is also what
its sender is told. docs/bundle-format.md, "What each side may send", lists the reasons.

Reasons name a family by its reference only where it is the sender's (or was): the sender is
told nothing about another practitioner's family but the id it sent itself.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any

from fmdesk.claims import ClaimBatch
from fmdesk.definition import Definition
from fmdesk.outcomes.records import OutcomeClaim
from fmdesk.programme import Allocation
from fmdesk.roles import Role

# What only a coordinator makes, and what its sender is told when a practitioner sends one.
COORDINATOR_KINDS: Mapping[str, str] = {
    Allocation.KIND: "only the coordinator allocates families; an allocation from a "
    "practitioner is not applied",
    Definition.KIND: "only the coordinator sends definitions (outcomes frameworks, assessment "
    "templates, Star instruments)",
    ClaimBatch.KIND: "only the coordinator makes claim batches",
    OutcomeClaim.KIND: "only the coordinator records payment-by-results claims",
}
# The fields of a family that allocating it sets (db/allocation.py allocate).
ALLOCATION_FIELDS = ("allocated_to", "lead_practitioner")


class Holding(enum.Enum):
    """How the family an incoming record belongs to stands with its sender."""

    SENDERS = "allocated to the sender, or registered by it"
    NEW = "not held here, and its own record is in this bundle: the sender registered it"
    FORMER = "the sender held it, and the coordinator has since moved it to another"
    ELSEWHERE = "another practitioner's, or the coordinator's own"
    UNKNOWN = "not held here, and its own record is not in this bundle"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Move:
    """One allocation of a family, as the holder history needs it."""

    revision: str
    to_store: str
    from_store: str = ""
    to_name: str = ""
    on: dt.date | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class FamilyHolding:
    """The family an incoming record belongs to, as the receiver holds it."""

    holding: Holding
    family_id: str
    reference: str = ""
    # FORMER: whether the sender held the family when the record was made (by its revision).
    held_then: bool = False
    # FORMER: who holds it now, and when it was moved away from the sender.
    moved_to: str = ""
    moved_on: dt.date | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Incoming:
    """What the rule needs to know of one incoming record."""

    kind: str
    record_id: str
    # None for a record that belongs to no family (a definition, a claim batch).
    family: FamilyHolding | None
    # The family the copy held here belongs to, when that is another one ("" if not).
    held_in_family: str = ""
    # The allocation fields this record changes (allocation_changes).
    allocation_changes: tuple[str, ...] = ()
    # The record's revision, and whether the receiver has never seen this version of it (not
    # the one held here, nor the one last agreed with the sender).
    revision: str = ""
    unseen: bool = False
    # The latest revision the receiver took from this sender's earlier bundles ("" if none).
    sent_before: str = ""


def bundle_refusal(sender: Role, receiver: Role, sender_name: str) -> str | None:
    """Why a whole bundle is refused by who sent it, or None. A practitioner's store takes
    bundles only from its coordinator, a coordinator's only from practitioners."""
    if sender is not receiver:
        return None
    return (
        f"This bundle comes from {sender_name}, another {sender.label.lower()}'s store: a "
        "practitioner's store takes bundles only from its coordinator, and a coordinator's "
        "only from practitioners. Nothing in it was applied."
    )


def refusal(sender: Role, receiver: Role, incoming: Incoming) -> str | None:
    """Why this store does not take `incoming` from this sender, in plain words; None when
    it may. The reason is kept with the quarantined record and reported back to the sender."""
    if sender is Role.COORDINATOR:
        if incoming.family is None and incoming.kind != Definition.KIND:
            return (
                f"a {incoming.kind.replace('_', ' ')} belongs to no family and stays with the "
                "coordinator; only definitions come to a practitioner without a family"
            )
        return None
    if receiver is not Role.COORDINATOR:  # a practitioner's bundle to a practitioner
        return "only the coordinator sends to a practitioner's store"
    kind_reason = COORDINATOR_KINDS.get(incoming.kind)
    if kind_reason is not None:
        return kind_reason
    family = incoming.family
    if family is None:
        return "a record that belongs to no family comes only from the coordinator"
    if incoming.held_in_family:
        return (
            f"record {incoming.record_id[:8]} belongs to another family here; a practitioner "
            "cannot move a record from one family to another"
        )
    if family.holding is Holding.FORMER and not family.held_then:
        on = f" on {day_text(family.moved_on)}" if family.moved_on else ""
        to = f" to {family.moved_to}" if family.moved_to else ""
        return (
            f"family {family.reference or family.family_id[:8]} was reallocated{to}{on}, and "
            "this change was made after that, so it was not applied; if it matters, give it "
            "to the coordinator"
        )
    if family.holding is Holding.FORMER and backdated(incoming):
        on = f" on {day_text(family.moved_on)}" if family.moved_on else ""
        to = f" to {family.moved_to}" if family.moved_to else ""
        return (
            f"this change to family {family.reference or family.family_id[:8]} was made, by its "
            f"revision, before the family was reallocated{to}{on}, but sent only after the family "
            "was moved: its revision is older than changes this laptop sent earlier (a laptop "
            "sends every change in its next bundle), so it was not applied; if it matters, give "
            "it to the coordinator"
        )
    if family.holding is Holding.ELSEWHERE:
        return (
            f"family {family.family_id[:8]} is not the sender's: it is not allocated to them, "
            "nor did they register it"
        )
    if family.holding is Holding.UNKNOWN:
        return (
            f"family {family.family_id[:8]} is not held here: its own record never arrived, "
            "or was refused"
        )
    if incoming.allocation_changes:
        fields = " and ".join(f.replace("_", " ") for f in incoming.allocation_changes)
        return (
            f"it changes the family's {fields}, which only the coordinator sets by allocating "
            "the family; none of this family record's changes were applied (put it back as "
            "it was, and they will be)"
        )
    return None


def backdated(incoming: Incoming) -> bool:
    """Whether a change the receiver has never seen is dated at or before the sender's
    high-water mark (the latest revision taken from its earlier bundles). An honest laptop
    cannot send one: its clock only moves forward, and each bundle it makes carries every change
    not yet acknowledged, so a change made before an earlier bundle went in that bundle, and one
    made after it is later than all it held. A version already seen (a bundle sent again before
    its acknowledgement came) is not new, and with no earlier bundle there is no mark."""
    return bool(
        incoming.unseen and incoming.sent_before and incoming.revision <= incoming.sent_before
    )


def allocation_changes(
    incoming: Mapping[str, Any], known: Sequence[Mapping[str, Any]], *, sender: str
) -> tuple[str, ...]:
    """The allocation fields an incoming family record changes: those whose value differs from
    every version the receiver knows (`known`: the one both sides last agreed on, the one held
    now). A new family (nothing known) may carry its own lead practitioner, and comes allocated
    to nobody or to its sender (the store `sender`), never to another."""
    if not known:
        return ("allocated_to",) if incoming.get("allocated_to", "") not in ("", sender) else ()
    return tuple(
        name
        for name in ALLOCATION_FIELDS
        if all(incoming.get(name, "") != version.get(name, "") for version in known)
    )


def holder_at(moves: Sequence[Move], revision: str, *, first_holder: str) -> str:
    """Who held the family when a record of this `revision` was made: the store of the latest
    allocation before it, or, before any, `first_holder` (the practitioner that registered it,
    or "" for the coordinator's own). `moves` may come in any order."""
    holder = first_holder
    for move in sorted(moves, key=lambda m: m.revision):
        if move.revision > revision:
            break
        holder = move.to_store
    return holder


def first_holder(moves: Sequence[Move], registered_by: str) -> str:
    """Who held the family before its first allocation: the practitioner that first allocation
    moved it from (allocate() names the holder it moves a family from); else `registered_by`
    (the practitioner that registered it, or "") when there is no allocation or the first one
    went to that practitioner (the coordinator confirming it as theirs); else nobody."""
    ordered = sorted(moves, key=lambda m: m.revision)
    if ordered and ordered[0].from_store:
        return ordered[0].from_store
    if not ordered or ordered[0].to_store == registered_by:
        return registered_by
    return ""


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
