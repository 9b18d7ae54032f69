"""The rule of what each side may send (fmdesk/sync/authority.py), decided on plain facts."""

import dataclasses
import datetime as dt

import pytest

from fmdesk.roles import Role
from fmdesk.sync import authority
from fmdesk.sync.authority import FamilyHolding, Holding, Incoming, Move

P, C = Role.PRACTITIONER, Role.COORDINATOR
FAMILY = "0b7f0c52-1f7e-4c1e-9a59-6b1d2b4f1a10"


def held(holding: Holding, **kw: object) -> FamilyHolding:
    return FamilyHolding(holding=holding, family_id=FAMILY, **kw)  # type: ignore[arg-type]


def note(family: FamilyHolding | None, **kw: object) -> Incoming:
    return Incoming(kind="note", record_id="n-1", family=family, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("allocation", "only the coordinator allocates families"),
        ("definition", "only the coordinator sends definitions"),
        ("claim_batch", "only the coordinator makes claim batches"),
        ("outcome_claim", "only the coordinator records payment-by-results claims"),
    ],
)
def test_a_practitioner_never_sends_what_only_a_coordinator_makes(kind: str, words: str) -> None:
    # Not even for a family of its own.
    incoming = Incoming(kind=kind, record_id="x", family=held(Holding.SENDERS))
    assert words in (authority.refusal(P, C, incoming) or "")
    # The coordinator sends all of them.
    assert authority.refusal(C, P, incoming) is None


def test_a_practitioner_sends_its_own_families_and_new_ones() -> None:
    assert authority.refusal(P, C, note(held(Holding.SENDERS))) is None
    assert authority.refusal(P, C, note(held(Holding.NEW))) is None


def test_another_practitioners_family_is_refused_without_naming_it() -> None:
    reason = authority.refusal(P, C, note(held(Holding.ELSEWHERE, reference="FM-2026-K7QM-0031")))
    assert reason == (
        "family 0b7f0c52 is not the sender's: it is not allocated to them, nor did they register it"
    )
    unknown = authority.refusal(P, C, note(held(Holding.UNKNOWN)))
    assert unknown is not None
    assert "0b7f0c52 is not held here" in unknown


def test_a_record_made_before_the_family_moved_is_taken_and_one_made_after_is_not() -> None:
    moved = held(
        Holding.FORMER,
        reference="FM-2026-K7QM-0031",
        moved_to="Łukasz Brown",
        moved_on=dt.date(2025, 7, 14),
    )
    assert authority.refusal(P, C, note(dataclasses.replace(moved, held_then=True))) is None
    assert authority.refusal(P, C, note(moved)) == (
        "family FM-2026-K7QM-0031 was reallocated to Łukasz Brown on 14 July 2025, and this "
        "change was made after that, so it was not applied; if it matters, give it to the "
        "coordinator"
    )


MARK = "001751900000000-00000-zoe1"  # the latest revision taken from the sender before
EARLIER, LATER = "001751800000000-00000-zoe1", "001751950000000-00000-zoe1"


def test_a_change_dated_at_or_before_what_the_sender_sent_earlier_is_backdated() -> None:
    moved = held(
        Holding.FORMER,
        reference="FM-2026-K7QM-0031",
        moved_to="Łukasz Brown",
        moved_on=dt.date(2025, 7, 14),
        held_then=True,
    )
    backdated = note(moved, revision=EARLIER, unseen=True, sent_before=MARK)
    assert authority.refusal(P, C, backdated) == (
        "this change to family FM-2026-K7QM-0031 was made, by its revision, before the family "
        "was reallocated to Łukasz Brown on 14 July 2025, but sent only after the family was "
        "moved: its revision is older than changes this laptop sent earlier (a laptop sends "
        "every change in its next bundle), so it was not applied; if it matters, give it to "
        "the coordinator"
    )
    at_the_mark = note(moved, revision=MARK, unseen=True, sent_before=MARK)
    assert authority.refusal(P, C, at_the_mark) is not None
    # Later than the mark: made after the last bundle, before the move (offline work).
    assert (
        authority.refusal(P, C, note(moved, revision=LATER, unseen=True, sent_before=MARK)) is None
    )
    # A version already seen (a bundle sent again), or no earlier bundle: nothing to weigh.
    assert authority.refusal(P, C, note(moved, revision=EARLIER, sent_before=MARK)) is None
    assert authority.refusal(P, C, note(moved, revision=EARLIER, unseen=True)) is None
    # A family the sender holds is theirs, whatever the date.
    senders = held(Holding.SENDERS)
    assert (
        authority.refusal(P, C, note(senders, revision=EARLIER, unseen=True, sent_before=MARK))
        is None
    )


def test_a_record_without_a_family_comes_only_from_the_coordinator() -> None:
    assert authority.refusal(P, C, note(None)) == (
        "a record that belongs to no family comes only from the coordinator"
    )
    # From the coordinator a definition may; a claim batch stays with the coordinator.
    assert authority.refusal(C, P, Incoming(kind="definition", record_id="d", family=None)) is None
    batch = authority.refusal(C, P, Incoming(kind="claim_batch", record_id="b", family=None))
    assert batch is not None
    assert "stays with the coordinator" in batch


def test_a_record_cannot_move_to_another_family() -> None:
    reason = authority.refusal(P, C, note(held(Holding.SENDERS), held_in_family="other"))
    assert reason is not None
    assert "belongs to another family here" in reason


def test_a_family_record_changing_its_allocation_is_refused() -> None:
    incoming = Incoming(
        kind="family",
        record_id=FAMILY,
        family=held(Holding.SENDERS),
        allocation_changes=("allocated_to", "lead_practitioner"),
    )
    assert authority.refusal(P, C, incoming) == (
        "it changes the family's allocated to and lead practitioner, which only the "
        "coordinator sets by allocating the family; none of this family record's changes "
        "were applied (put it back as it was, and they will be)"
    )


def test_allocation_changes_are_what_differs_from_every_known_version() -> None:
    base = {"allocated_to": "p1", "lead_practitioner": "Zoë"}
    assert authority.allocation_changes(base, [base], sender="p1") == ()
    assert authority.allocation_changes({**base, "allocated_to": "p2"}, [base], sender="p1") == (
        "allocated_to",
    )
    # The value held now (the coordinator's later allocation) is no change by the sender.
    now = {"allocated_to": "p1", "lead_practitioner": "Zoë Adebayo"}
    assert authority.allocation_changes(now, [base, now], sender="p1") == ()
    assert authority.allocation_changes(
        {**base, "lead_practitioner": "Someone"}, [base, now], sender="p1"
    ) == ("lead_practitioner",)
    # A new family: its own lead practitioner, allocated to nobody or to its sender.
    assert authority.allocation_changes({"lead_practitioner": "Anyone"}, [], sender="p1") == ()
    assert authority.allocation_changes({"allocated_to": "p1"}, [], sender="p1") == ()
    assert authority.allocation_changes({"allocated_to": "p2"}, [], sender="p1") == (
        "allocated_to",
    )


def test_who_held_a_family_when() -> None:
    moves = [
        Move(revision="3", to_store="p1", from_store="p2"),
        Move(revision="1", to_store="p2", from_store="p1"),
    ]
    first = authority.first_holder(moves, registered_by="")
    assert first == "p1"  # registered by p1, then moved to p2 and back
    assert authority.holder_at(moves, "0", first_holder=first) == "p1"
    assert authority.holder_at(moves, "2", first_holder=first) == "p2"
    assert authority.holder_at(moves, "4", first_holder=first) == "p1"
    assert authority.first_holder([], registered_by="p3") == "p3"
    assert authority.first_holder([Move(revision="1", to_store="p1")], registered_by="p3") == ""
    # Registered by p3, then allocated to p3 (the coordinator confirming it), then moved on: a
    # record p3 made before either allocation was made while p3 held it.
    confirmed = [Move(revision="2", to_store="p3"), Move(revision="5", to_store="p1")]
    first = authority.first_holder(confirmed, registered_by="p3")
    assert first == "p3"
    assert authority.holder_at(confirmed, "1", first_holder=first) == "p3"
    assert authority.holder_at(confirmed, "6", first_holder=first) == "p1"


def test_a_store_takes_bundles_only_from_the_other_role() -> None:
    assert authority.bundle_refusal(P, C, "Zoë") is None
    assert authority.bundle_refusal(C, P, "Central") is None
    reason = authority.bundle_refusal(P, P, "Zoë Adebayo")
    assert reason is not None
    assert reason.startswith(
        "This bundle comes from Zoë Adebayo, another lead practitioner's store"
    )
    assert authority.bundle_refusal(C, C, "Central") is not None
