"""Bundles lost, repeated and delivered out of order still bring two real stores to the same
records (hypothesis): each bundle carries every change not yet acknowledged, a repeated bundle
is a no-op, and a stale one that arrives after a later one changes nothing."""

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import Family
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

FIELDS = ("postcode", "address", "next_action")
FAMILIES = 3

edit = st.tuples(
    st.integers(0, FAMILIES - 1),
    st.sampled_from(FIELDS),
    st.text(alphabet="ABCŁó 12", min_size=1, max_size=5),
)
# Each round: some edits by the practitioner, some by the coordinator, then each side makes a
# bundle for the other.
rounds = st.lists(
    st.tuples(st.lists(edit, max_size=3), st.lists(edit, max_size=2)), min_size=1, max_size=4
)


def content(store: Store) -> dict[str, Any]:
    """Every record's content (its revision aside), by id."""
    rows = store.db.execute("SELECT id, body FROM records ORDER BY id").fetchall()
    return {i: {k: v for k, v in json.loads(b).items() if k != "revision"} for i, b in rows}


def make_pair(folder: Path) -> tuple[Store, Store, list[str]]:
    practitioner = Store.create(
        folder / "p", TEST_PASSPHRASE, role=Role.PRACTITIONER, name="Zoë", kdf=KdfParams.fast()
    )
    coordinator = Store.create(
        folder / "c", TEST_PASSPHRASE, role=Role.COORDINATOR, name="Central", kdf=KdfParams.fast()
    )
    sync.enrol(practitioner, sync.identity(coordinator).enrolment)
    sync.enrol(coordinator, sync.identity(practitioner).enrolment)
    families = practitioner.save(
        *(
            Family(reference=f"EH-{n}", name=f"Family {n}", allocated_to=practitioner.info.store_id)
            for n in range(FAMILIES)
        )
    )
    return practitioner, coordinator, [f.id for f in families]


def apply_edits(store: Store, ids: list[str], edits: list[tuple[int, str, str]]) -> None:
    for index, field, value in edits:
        family = store.get(Family, ids[index])
        if family is not None:
            store.save(family.replace(**{field: value}))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rounds=rounds, data=st.data())
def test_lost_repeated_and_reordered_bundles_converge(
    rounds: list[tuple[list[Any], list[Any]]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        practitioner, coordinator, ids = make_pair(folder)
        try:
            to_c: list[Path] = []
            to_p: list[Path] = []
            for number, (p_edits, c_edits) in enumerate(rounds):
                apply_edits(practitioner, ids, p_edits)
                apply_edits(coordinator, ids, c_edits)
                to_c.append(folder / f"p{number}.fmb")
                sync.export_bundle(practitioner, coordinator.info.store_id, to_c[-1])
                to_p.append(folder / f"c{number}.fmb")
                sync.export_bundle(coordinator, practitioner.info.store_id, to_p[-1])
            # The post: any of the bundles, any number of times, in any order, some never.
            for path in data.draw(st.lists(st.sampled_from(to_c), max_size=2 * len(to_c))):
                sync.import_bundle(coordinator, path)
            for path in data.draw(st.lists(st.sampled_from(to_p), max_size=2 * len(to_p))):
                sync.import_bundle(practitioner, path)
            # Then fresh bundles go back and forth, delivered in order, until both settle.
            for exchange in range(6):
                back = folder / f"final-p{exchange}.fmb"
                sync.export_bundle(practitioner, coordinator.info.store_id, back)
                sync.import_bundle(coordinator, back)
                forth = folder / f"final-c{exchange}.fmb"
                sync.export_bundle(coordinator, practitioner.info.store_id, forth)
                sync.import_bundle(practitioner, forth)
            assert content(practitioner) == content(coordinator)
            assert sync.pending_count(practitioner, coordinator.info.store_id) == 0
            assert sync.pending_count(coordinator, practitioner.info.store_id) == 0
            # Every field both changed differently is kept as a conflict on some side.
            for conflict in sync.conflicts(practitioner) + sync.conflicts(coordinator):
                assert conflict.local != conflict.incoming
        finally:
            practitioner.close()
            coordinator.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.lists(edit, min_size=1, max_size=3), min_size=2, max_size=5), data=st.data()
)
def test_once_the_latest_bundle_arrives_older_ones_change_nothing(
    edits: list[list[Any]], data: st.DataObject
) -> None:
    """Only the practitioner edits: whatever else arrives, in whatever order, the coordinator
    holds the practitioner's records as soon as the latest bundle has arrived."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        practitioner, coordinator, ids = make_pair(folder)
        try:
            bundles = []
            for number, batch in enumerate(edits):
                apply_edits(practitioner, ids, batch)
                bundles.append(folder / f"{number}.fmb")
                sync.export_bundle(practitioner, coordinator.info.store_id, bundles[-1])
            delivered = data.draw(st.lists(st.sampled_from(bundles), max_size=2 * len(bundles)))
            delivered.insert(data.draw(st.integers(0, len(delivered))), bundles[-1])
            for path in delivered:
                sync.import_bundle(coordinator, path)
            assert content(coordinator) == content(practitioner)
            assert sync.conflicts(coordinator) == []
        finally:
            practitioner.close()
            coordinator.close()
