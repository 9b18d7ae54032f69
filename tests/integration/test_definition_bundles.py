"""A council's definitions are held in the store and travel from the coordinator to every
enrolled practitioner in real bundles; a bad or clashing one is quarantined and reported."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db import allocation, sync
from db.assessments import add_template_file, load_templates, save_assessment
from db.keyslots import KdfParams
from db.library import add_definition_file, load_library
from db.outcomes import add_framework_file, attach_family_framework, load_frameworks
from db.stars import add_instrument_file, load_catalogue
from db.store import Store
from fmdesk.assessment import new_assessment, steps
from fmdesk.definition import Definition, DefinitionKind
from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person, PersonRole
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE

DEFINITIONS = Path("fmdesk/definitions")
DAY = dt.date(2025, 9, 1)


def council_template(folder: Path, *, version: int = 1, title: str = "Anytown family CAF") -> Path:
    """fmdesk's template made into a council's own: another id, name and a section renamed."""
    data = json.loads((DEFINITIONS / "templates" / "whole-family.json").read_text("utf-8"))
    data["id"], data["version"], data["name"] = "anytown.family-caf", version, title
    data["sections"][2]["title"] = "Why we are meeting (Anytown)"
    path = folder / f"anytown-caf-v{version}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def council_framework(folder: Path) -> Path:
    shipped = DEFINITIONS / "frameworks" / "supporting-families-2022.json"
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown-outcomes", "Anytown outcomes plan 2025"
    path = folder / "anytown-outcomes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def council_instrument(folder: Path) -> Path:
    data = json.loads(
        (DEFINITIONS / "instruments" / "family-progress-star.json").read_text("utf-8")
    )
    data["id"], data["name"] = "anytown-star", "Anytown family star"
    path = folder / "anytown-star.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def practitioner(tmp_path: Path, name: str) -> Store:
    return Store.create(
        tmp_path / name.replace(" ", "-"),
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name=name,
        kdf=KdfParams.fast(),
    )


@pytest.fixture
def enrolled(coordinator_store: Store, tmp_path: Path):
    stores = [practitioner(tmp_path, "Zoë Adebayo"), practitioner(tmp_path, "Łukasz Brown")]
    for store in stores:
        sync.enrol(store, sync.identity(coordinator_store).enrolment)
        sync.enrol(coordinator_store, sync.identity(store).enrolment)
    yield coordinator_store, stores
    for store in stores:
        store.close()


def send(source: Store, target: Store, path: Path) -> sync.ImportResult:
    sync.export_bundle(source, target.info.store_id, path)
    return sync.import_bundle(target, path)


def test_council_definitions_reach_every_practitioner_and_a_council_template_is_used(
    enrolled, tmp_path: Path
) -> None:
    coordinator, (zoe, lukasz) = enrolled
    files = tmp_path / "shared-drive"
    files.mkdir()
    add_template_file(coordinator, council_template(files))
    add_framework_file(coordinator, council_framework(files))
    add_instrument_file(coordinator, council_instrument(files))
    # The coordinator's family for Zoë, so the bundle carries a family and the definitions.
    family = Family(reference="AT-7", name="Okafor family")
    coordinator.save(
        family,
        Person(
            family_id=family.id, role=PersonRole.CHILD, given_name="Chidi", family_name="Okafor"
        ),
    )
    allocation.allocate(coordinator, [family.id], zoe.info.store_id, on=DAY)
    for path in files.iterdir():
        path.unlink()  # the store holds the content: the shared drive can go

    got = send(coordinator, zoe, tmp_path / "to-zoe.fmb")
    assert got.rejected == ()
    assert send(coordinator, lukasz, tmp_path / "to-lukasz.fmb").rejected == ()
    for store in (zoe, lukasz):
        held = sorted(d.ref for d in store.list(Definition))
        assert held == ["anytown-outcomes@1", "anytown-star@1", "anytown.family-caf@1"]
    # Łukasz has no family of Zoë's, only the definitions.
    assert lukasz.list(Family) == []

    templates = load_templates(zoe)
    assert templates.problems == ()
    assert templates.library.default().ref == "anytown.family-caf@1"
    assert [t.ref for t in templates.library.choices()] == [
        "anytown.family-caf@1",
        "fmdesk.whole-family@1",
    ]
    template = templates.library.default()
    draft = save_assessment(
        zoe, new_assessment(family.id, template, practitioner="Zoë Adebayo", on=DAY)
    )
    assert draft.template == "anytown.family-caf@1"
    assert steps(template, zoe.list(Person))[2].section.title == "Why we are meeting (Anytown)"
    assert "anytown-outcomes@1" in [f.ref for f in load_frameworks(zoe).library.all()]
    assert attach_family_framework(zoe, family.id, "anytown-outcomes@1").framework == (
        "anytown-outcomes@1"
    )
    assert load_catalogue(zoe).instruments.default.ref == "anytown-star@1"
    library = load_library(zoe)
    council = [r for r in library.rows if r.held is not None]
    assert [(r.kind, r.ref) for r in council] == [
        (DefinitionKind.FRAMEWORK, "anytown-outcomes@1"),
        (DefinitionKind.TEMPLATE, "anytown.family-caf@1"),
        (DefinitionKind.INSTRUMENT, "anytown-star@1"),
    ]
    assert council[1].origin == "Council: anytown-caf-v1.json, added " + (
        f"{dt.date.today().day} {dt.date.today():%b %Y}, by Central Team"
    )

    # Zoë's assessment comes back to the coordinator, which can open it with the same template.
    back = send(zoe, coordinator, tmp_path / "from-zoe.fmb")
    assert back.rejected == ()
    assert load_templates(coordinator).library.get(draft.template).name == "Anytown family CAF"
    # Nothing travels twice: the definitions were acknowledged.
    assert sync.pending_count(coordinator, zoe.info.store_id) == 0


def test_a_clashing_or_broken_definition_is_quarantined_and_reported_back(
    enrolled, tmp_path: Path
) -> None:
    coordinator, (zoe, _) = enrolled
    # Zoë loaded a draft of the council's template herself, and it differs from the final one.
    draft_folder = tmp_path / "zoe"
    draft_folder.mkdir()
    add_template_file(zoe, council_template(draft_folder, title="Anytown family CAF (draft)"))
    add_template_file(coordinator, council_template(tmp_path))
    # And a definition from a newer fmdesk that this one cannot read (written as it would come).
    newer = json.loads(council_framework(tmp_path).read_text(encoding="utf-8"))
    framework = add_definition_file(
        coordinator, DefinitionKind.FRAMEWORK, council_framework(tmp_path)
    )
    (held,) = [d for d in coordinator.list(Definition) if d.ref == framework.ref]
    body = held.to_dict()
    body["content"] = {**newer, "format": 2}
    coordinator.db.execute(
        "UPDATE records SET body = ?, revision = ? WHERE id = ?",
        [json.dumps(body), coordinator.clock.now(), held.id],
    )

    got = send(coordinator, zoe, tmp_path / "to-zoe.fmb")
    newer_one, clash = sorted(got.rejected, key=lambda r: "newer fmdesk" not in r.reason)
    assert newer_one.reason.startswith("anytown-outcomes.json: format: this app reads")
    assert "a newer fmdesk may be needed" in newer_one.reason
    assert "anytown.family-caf@1 is already loaded" in clash.reason
    assert "give the changed file a new version" in clash.reason
    # Zoë keeps her own, and nothing of the refused ones was written.
    assert [d.name for d in zoe.list(Definition)] == ["Anytown family CAF (draft)"]
    # The coordinator hears about both in Zoë's next bundle.
    back = send(zoe, coordinator, tmp_path / "from-zoe.fmb")
    assert len(back.reported_back) == 2


def test_adding_refuses_a_changed_definition_under_the_same_version(
    store: Store, tmp_path: Path
) -> None:
    add_template_file(store, council_template(tmp_path))
    again = add_template_file(store, council_template(tmp_path))  # the same file: kept once
    assert again.ref == "anytown.family-caf@1"
    assert len(store.list(Definition)) == 1
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(ValidationError, match="new version"):
        add_template_file(store, council_template(other, title="Changed"))
    shipped = json.loads((DEFINITIONS / "templates" / "whole-family.json").read_text("utf-8"))
    shipped["name"] = "Ours, changed"
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps(shipped), encoding="utf-8")
    with pytest.raises(ValidationError, match="new version"):
        add_template_file(store, clash)
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x", "version": 1, "name": "X", "sections": [{}]}', "utf-8")
    with pytest.raises(ValidationError, match=r"broken.json: sections\[0\]"):
        add_template_file(store, broken)
    assert len(store.list(Definition)) == 1
