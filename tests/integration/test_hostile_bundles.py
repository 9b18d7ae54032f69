"""Hostile files never take good ones down: each bundle is judged alone, between two real
encrypted stores. A file crafted with only the coordinator's public key is refused with a line
naming it, and the genuine bundles beside it still apply; a bad line or a bad revision in a
genuine bundle is quarantined alone; a laptop whose clock says 2099 cannot pin the record."""

import hashlib
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pyrage
import pytest

from db import allocation, sync
from db.store import Store
from fmdesk.families import Family
from fmdesk.sync import bundle as fmb
from fmdesk.sync.bundle import BundleDamaged, Change, make_bundle
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE

FUTURE = "004070908800000-00000-"  # 1 January 2099, in milliseconds


@pytest.fixture
def pair(store: Store, coordinator_store: Store) -> tuple[Store, Store]:
    """A practitioner and a coordinator store, each enrolled with the other."""
    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    return store, coordinator_store


def register(practitioner: Store, name: str) -> Family:
    (family,) = practitioner.save(Family(reference=f"EH-{name[:3].upper()}", name=name))
    return family


def crafted(coordinator: Store, members: dict[str, bytes], tweak: object = None) -> bytes:
    """A bundle made with nothing but the coordinator's public key."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    data = bytearray(archive.getvalue())
    if tweak == "version byte":  # version needed to extract: 7.0, which zipfile does not read
        data[data.find(b"PK\x01\x02") + 6] = 70
    recipient = pyrage.x25519.Recipient.from_str(sync.identity(coordinator).enrolment.age_recipient)
    return pyrage.encrypt(bytes(data), [recipient])


def manifest_with(extra: bytes) -> dict[str, bytes]:
    return {
        "manifest.json": b'{"format": "fmdesk-bundle", "format_version": 1, "sender": '
        + extra
        + b"}",
        "manifest.json.minisig": b"untrusted comment: forged\n",
    }


def signed_bundle(
    practitioner: Store,
    coordinator: Store,
    lines: list[bytes],
    *,
    sequence: int = 1,
    manifest_changes: dict[str, object] | None = None,
) -> bytes:
    """A bundle signed with the practitioner's real enrolled key, holding `lines` exactly as
    given: what a broken (or hostile) writer on an enrolled laptop could send."""
    me = sync.identity(practitioner)
    _, template = make_bundle(
        sender=me,
        recipient=sync.identity(coordinator).enrolment,
        changes=[],
        sequence=sequence,
        previous_sequence=sequence - 1,
        acknowledged_up_to=0,
    )
    records = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    manifest = template.to_dict()
    trusted = template.trusted_comment
    kinds: dict[str, int] = {}
    for line in lines:
        try:
            kind = json.loads(line)["kind"]
        except (ValueError, KeyError, TypeError):
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
    manifest["counts"] = {"records": len(lines), "by_kind": kinds}
    manifest["members"] = {
        "records.jsonl": {"sha256": hashlib.sha256(records).hexdigest(), "size": len(records)}
    }
    manifest.update(manifest_changes or {})
    manifest_bytes = json.dumps(manifest).encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", manifest_bytes)
        zf.writestr("manifest.json.minisig", me.sign(manifest_bytes, trusted_comment=trusted))
        zf.writestr("records.jsonl", records)
    recipient = pyrage.x25519.Recipient.from_str(sync.identity(coordinator).enrolment.age_recipient)
    return pyrage.encrypt(archive.getvalue(), [recipient])


def held(store: Store, family_id: str) -> Family:
    family = store.get(Family, family_id)
    assert family is not None
    return family


def line_of(record: Family, **fields: object) -> bytes:
    change = Change.from_record(record)
    return Change(**{**change.__dict__, "fields": {**change.fields, **fields}}).to_line()


def with_revision(record: Family, revision: str) -> bytes:
    change = Change.from_record(record)
    return Change(**{**change.__dict__, "revision": revision}).to_line()


# ---- every file judged alone -------------------------------------------------------------------


def test_crafted_files_between_genuine_bundles_are_refused_alone(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    first = register(practitioner, "Adebayo family")
    good = tmp_path / "good.fmb"
    sync.export_bundle(practitioner, coordinator.info.store_id, good)
    second = register(practitioner, "Brennan family")
    good2 = tmp_path / "good2.fmb"
    sync.export_bundle(practitioner, coordinator.info.store_id, good2)
    evil = {
        "deep.fmb": crafted(coordinator, manifest_with(b"[" * 100_000 + b"]" * 100_000)),
        "digits.fmb": crafted(coordinator, manifest_with(b"9" * 5000)),
        "version.fmb": crafted(
            coordinator, {"manifest.json": b"{}", "manifest.json.minisig": b""}, "version byte"
        ),
    }
    for name, data in evil.items():
        (tmp_path / name).write_bytes(data)
    order = [good, tmp_path / "deep.fmb", tmp_path / "digits.fmb", tmp_path / "version.fmb", good2]

    results = sync.import_bundles(coordinator, order)

    assert [type(r).__name__ for r in results] == [
        "ImportResult",
        "BundleDamaged",
        "BundleDamaged",
        "BundleDamaged",
        "ImportResult",
    ]
    assert "nested more than 32 levels" in str(results[1])
    assert "a number 5,000 digits long" in str(results[2])
    assert "Ask the sender for a fresh copy" in str(results[3])
    assert coordinator.get(Family, first.id) == first
    assert coordinator.get(Family, second.id) == second


def test_bundle_import_on_the_command_line_refuses_the_crafted_file_and_applies_the_good_ones(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    first = register(practitioner, "Jovanović family")
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "good.fmb")
    second = register(practitioner, "Kowalczyk family")
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "good2.fmb")
    (tmp_path / "evil.fmb").write_bytes(
        crafted(coordinator, manifest_with(b"[" * 100_000 + b"]" * 100_000))
    )

    ran = run_cli(
        "bundle",
        "import",
        tmp_path / "good.fmb",
        tmp_path / "evil.fmb",
        tmp_path / "good2.fmb",
        env={"FMDESK_STORE": str(coordinator.path), "FMDESK_PASSPHRASE": TEST_PASSPHRASE},
    )

    assert ran.returncode == 1
    assert ran.stderr.startswith("fmdesk: evil.fmb: This sync bundle is damaged or incomplete")
    assert "Traceback" not in ran.stderr
    assert ran.stdout.startswith("good.fmb: 1 new record")
    assert "good2.fmb: 1 new record" in ran.stdout
    assert coordinator.get(Family, first.id) == first
    assert coordinator.get(Family, second.id) == second


def test_programme_intake_names_each_crafted_file_and_takes_the_rest(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Chaudhry family")
    folder = tmp_path / "inbox"
    folder.mkdir()
    sync.export_bundle(practitioner, coordinator.info.store_id, folder / "a-good.fmb")
    (folder / "b-evil.fmb").write_bytes(crafted(coordinator, manifest_with(b"[" * 5000)))
    later = register(practitioner, "Dimitrov family")
    sync.export_bundle(practitioner, coordinator.info.store_id, folder / "c-good.fmb")

    summary = allocation.intake_folder(coordinator, folder)

    assert [name for name, _ in summary.refused] == ["b-evil.fmb"]
    assert "damaged or incomplete" in summary.refused[0][1]
    assert coordinator.get(Family, family.id) == family
    assert coordinator.get(Family, later.id) == later


@pytest.mark.parametrize("field", ["sequence", "acknowledged_up_to"])
def test_a_signed_bundle_numbered_2_to_the_63_is_refused_and_the_next_applies(
    pair: tuple[Store, Store], tmp_path: Path, field: str
) -> None:
    # 2^63 overflowed SQLite's integer when the import recorded the sequence.
    practitioner, coordinator = pair
    family = register(practitioner, "Evans family")
    (tmp_path / "huge.fmb").write_bytes(
        signed_bundle(
            practitioner,
            coordinator,
            [Change.from_record(family).to_line()],
            manifest_changes={field: 2**63},
        )
    )
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "good.fmb")

    huge, good = sync.import_bundles(coordinator, [tmp_path / "huge.fmb", tmp_path / "good.fmb"])

    assert isinstance(huge, BundleDamaged)
    assert "out of range" in str(huge)
    assert isinstance(good, sync.ImportResult)
    assert coordinator.get(Family, family.id) == family


# ---- one bad line, one bad record: quarantined alone -------------------------------------------


def test_lines_that_are_not_records_are_quarantined_alone_and_reported_back(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Fitzgerald family")
    lines = [
        b"this is not JSON",
        json.dumps({"kind": "family", "id": "f-2", "fields": {}}).encode(),
        Change.from_record(family).to_line(),
    ]
    (tmp_path / "1.fmb").write_bytes(signed_bundle(practitioner, coordinator, lines))

    result = sync.import_bundle(coordinator, tmp_path / "1.fmb")

    assert result.new == 1
    assert coordinator.get(Family, family.id) == family
    assert [r.id for r in result.rejected] == ["", "f-2"]
    described = result.describe()
    assert "Rejected a record: records.jsonl line 1 cannot be read: it is not JSON" in described[1]
    assert "Rejected family f-2: records.jsonl line 2 lacks its kind" in described[2]
    assert sync.status(coordinator).quarantined == 2
    # The coordinator's next bundle tells the practitioner, who acknowledges it.
    sync.export_bundle(coordinator, practitioner.info.store_id, tmp_path / "2.fmb")
    reply = sync.import_bundle(practitioner, tmp_path / "2.fmb")
    assert len(reply.reported_back) == 2
    assert (
        "The partner could not accept a record of ours: records.jsonl line 1 cannot be read: "
        "it is not JSON"
    ) in "\n".join(reply.describe())


def test_a_revision_that_is_not_one_cannot_freeze_a_record(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Goldberg family")
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "1.fmb")
    sync.import_bundle(coordinator, tmp_path / "1.fmb")
    # "9-0-zz" sorted after every real revision: taken, nothing could ever replace it.
    frozen = with_revision(family.replace(name="Frozen family"), "9-0-zz")
    (tmp_path / "2.fmb").write_bytes(signed_bundle(practitioner, coordinator, [frozen], sequence=2))

    result = sync.import_bundle(coordinator, tmp_path / "2.fmb")

    assert [r.reason for r in result.rejected] == ["revision: '9-0-zz' is not a revision"]
    assert held(coordinator, family.id).name == "Goldberg family"
    practitioner.save(held(practitioner, family.id).replace(name="Goldberg-Ross"))
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "3.fmb")
    sync.import_bundle(coordinator, tmp_path / "3.fmb")
    assert held(coordinator, family.id).name == "Goldberg-Ross"


def test_a_record_from_a_laptop_dated_2099_is_quarantined_and_the_clock_stays(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Hussain family")
    from_2099 = FUTURE + practitioner.info.device_id
    (tmp_path / "1.fmb").write_bytes(
        signed_bundle(practitioner, coordinator, [with_revision(family, from_2099)])
    )

    result = sync.import_bundle(coordinator, tmp_path / "1.fmb")

    (rejected,) = result.rejected
    assert rejected.id == family.id
    assert "its clock is ahead by" in rejected.reason
    assert "check the date on the sending laptop" in rejected.reason
    assert coordinator.get(Family, family.id) is None
    assert coordinator.clock.now() < from_2099
    # Once the laptop's date is put right, its records arrive as usual.
    sync.export_bundle(practitioner, coordinator.info.store_id, tmp_path / "2.fmb")
    sync.import_bundle(coordinator, tmp_path / "2.fmb")
    assert coordinator.get(Family, family.id) == family


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("Ivanova\x00 family", "name holds a control character (U+0000)"),
        ("Ivanova \u202eylimaf", "name holds a text-direction override (U+202E)"),
        ("I" * 1_048_576, "name is too long (1,048,576 characters; it may hold at most 200)"),
        ("Ivanova\nfamily", "name must be on one line"),
    ],
)
def test_text_a_field_may_not_hold_is_quarantined_naming_the_field(
    pair: tuple[Store, Store], tmp_path: Path, value: str, said: str
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Ivanova family")
    (tmp_path / "1.fmb").write_bytes(
        signed_bundle(practitioner, coordinator, [line_of(family, name=value)])
    )
    result = sync.import_bundle(coordinator, tmp_path / "1.fmb")
    (rejected,) = result.rejected
    assert said in rejected.reason
    assert coordinator.get(Family, family.id) is None


def test_a_name_in_a_bundle_arrives_in_normal_form_c(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    practitioner, coordinator = pair
    family = register(practitioner, "Brontë family")
    decomposed = unicodedata.normalize("NFD", "Brontë family")
    (tmp_path / "1.fmb").write_bytes(
        signed_bundle(practitioner, coordinator, [line_of(family, name=decomposed)])
    )
    sync.import_bundle(coordinator, tmp_path / "1.fmb")
    assert held(coordinator, family.id).name == "Brontë family"
    row = coordinator.db.execute("SELECT body FROM records WHERE id = ?", [family.id]).fetchone()
    assert json.loads(row[0])["name"] == "Brontë family"


def test_a_crafted_file_changes_nothing_in_the_store(
    pair: tuple[Store, Store], tmp_path: Path
) -> None:
    _, coordinator = pair
    path = tmp_path / "evil.fmb"
    path.write_bytes(crafted(coordinator, manifest_with(b"9" * 5000)))
    before = coordinator.db.execute("SELECT count(*) FROM records").fetchone()
    (refused,) = sync.import_bundles(coordinator, [path])
    assert isinstance(refused, fmb.BundleError)
    assert coordinator.db.execute("SELECT count(*) FROM records").fetchone() == before
