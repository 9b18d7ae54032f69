"""Properties of the merge: two stores merging the same pair of copies agree, whichever is local."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fmdesk.sync.merge import Outcome, merge_record

FIELDS = ("a", "b", "c", "d")
values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["x", "y", "Zoë"]))


@st.composite
def copies(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A base and two copies edited from it, each edit touching any of the fields."""
    base = {"id": "r1", "revision": "000000000000001-00000-a", "deleted": draw(st.booleans())}
    for field in FIELDS:
        if draw(st.booleans()):
            base[field] = draw(values)

    def edited(device: str) -> dict[str, Any]:
        copy = dict(base)
        copy["revision"] = f"{draw(st.integers(2, 9)):015d}-00000-{device}"
        for field in FIELDS:
            choice = draw(st.sampled_from(["keep", "change", "drop"]))
            if choice == "change":
                copy[field] = draw(values)
            elif choice == "drop":  # an older version that does not know the field
                copy.pop(field, None)
        copy["deleted"] = draw(st.booleans())
        return copy

    return base, edited("p"), edited("c")


SWAPPED = {Outcome.KEPT: Outcome.TAKEN, Outcome.TAKEN: Outcome.KEPT}


@given(copies(), st.booleans())
def test_the_merged_record_does_not_depend_on_which_copy_is_local(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]], with_base: bool
) -> None:
    base, one, other = case
    forward = merge_record(base=base if with_base else None, local=one, incoming=other)
    backward = merge_record(base=base if with_base else None, local=other, incoming=one)
    assert forward.record == backward.record or (
        # When nothing at all differs but the revision, each side keeps its own copy.
        forward.outcome is backward.outcome is Outcome.UNCHANGED
    )
    assert SWAPPED.get(forward.outcome, forward.outcome) is backward.outcome
    assert [(c.field, c.local, c.incoming) for c in forward.conflicts] == [
        (c.field, c.incoming, c.local) for c in backward.conflicts
    ]


@given(copies())
def test_a_copy_merged_with_itself_is_unchanged(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, one, _ = case
    result = merge_record(base=base, local=one, incoming=dict(one))
    assert result.outcome is Outcome.UNCHANGED
    assert result.record == one


@given(copies())
def test_when_only_one_side_changed_its_copy_wins_whole(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, one, _ = case
    taken = merge_record(base=base, local=base, incoming=one)
    kept = merge_record(base=base, local=one, incoming=base)
    assert taken.conflicts == kept.conflicts == ()
    for result in (taken, kept):
        assert {k: v for k, v in result.record.items() if k != "revision"} == {
            k: v for k, v in {**base, **one}.items() if k != "revision"
        }


@given(copies())
def test_merging_the_result_again_changes_nothing_more(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, one, other = case
    first = merge_record(base=base, local=one, incoming=other).record
    again = merge_record(base=base, local=first, incoming=other)
    assert again.record["deleted"] == first["deleted"]
    assert {k: again.record.get(k) for k in FIELDS} == {k: first.get(k) for k in FIELDS}
