"""The Sync page on a real practitioner store, with a real coordinator store on the other side:
export, import (many files, one refused), a conflict decided side by side, and purging."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db import sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import ClosureReason, Family, FamilyStatus
from fmdesk.roles import Role
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.window.main_window import MainWindow
from ui.workspace.sync import SyncPage


@pytest.fixture
def coordinator(tmp_path: Path, make_store: Callable[[int], Path]) -> tuple[Path, Store]:
    """The practitioner's store (3 families) and an open coordinator store, enrolled both ways."""
    path = make_store(3)
    central = Store.create(
        tmp_path / "central",
        TEST_PASSPHRASE,
        role=Role.COORDINATOR,
        name="Central Team",
        kdf=KdfParams.fast(),
    )
    with Store.open(path, TEST_PASSPHRASE) as practitioner:
        sync.enrol(practitioner, sync.identity(central).enrolment)
        sync.enrol(central, sync.identity(practitioner).enrolment)
    yield path, central
    central.close()


def open_sync_page(qtbot, window: MainWindow) -> SyncPage:
    unlock(qtbot, window)
    page = next(p for p in window.workspace_pages if isinstance(p, SyncPage))
    window.show_page(page)
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.partners.rowCount() == 1, timeout=10_000)
    return page


def on_store(qtbot, window: MainWindow, fn: Callable[[Store], Any]) -> Any:
    """Run `fn` on the window's own store, on its worker thread, and wait for the answer."""
    from ui.kit.tasks import Task

    box: list[Any] = []
    Task(window.runner, lambda ctx: fn(ctx.store), box.append, parent=window).run()
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return box[0]


def test_the_page_shows_the_partner_and_exports_a_bundle(
    qtbot,
    make_window,
    coordinator: tuple[Path, Store],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, central = coordinator
    window = make_window(path)
    page = open_sync_page(qtbot, window)
    me = on_store(qtbot, window, sync.identity)
    assert me.fingerprint in page.identity.text()
    partner = page.partners.row_at(0)
    assert partner.name == "Central Team"
    assert partner.partner.enrolment.fingerprint == sync.identity(central).fingerprint
    assert partner.pending > 3
    assert not page.enrol_button.isEnabled()  # a practitioner has one coordinator

    bundle = tmp_path / "to-central.fmb"
    monkeypatch.setattr(page, "ask_save_path", lambda *a: bundle)
    page.export_button.click()
    qtbot.waitUntil(lambda: "Wrote bundle 1" in page.result.text(), timeout=10_000)
    result = sync.import_bundle(central, bundle)
    assert result.new == partner.pending
    qtbot.waitUntil(lambda: page.partners.row_at(0).partner.last_sent == 1)


def test_importing_many_bundles_reports_each_and_a_conflict_is_decided_side_by_side(
    qtbot,
    make_window,
    coordinator: tuple[Path, Store],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, central = coordinator
    window = make_window(path)
    page = open_sync_page(qtbot, window)
    first = tmp_path / "1.fmb"
    on_store(qtbot, window, lambda s: sync.export_bundle(s, central.info.store_id, first))
    sync.import_bundle(central, first)
    family = sorted(central.list(Family), key=lambda f: f.reference)[0]
    # The coordinator allocates the family to this practitioner and changes its postcode;
    # the practitioner changes it too, differently.
    me = on_store(qtbot, window, lambda s: s.info.store_id)
    central.save(family.replace(allocated_to=me, postcode="LS9 9ZZ"))
    on_store(qtbot, window, lambda s: s.save(s.get(Family, family.id).replace(postcode="LS2 2BB")))
    reply = tmp_path / "2.fmb"
    sync.export_bundle(central, me, reply)
    junk = tmp_path / "junk.fmb"
    junk.write_text("not a bundle")

    monkeypatch.setattr(page, "ask_open_paths", lambda *a: [reply, junk])
    page.import_button.click()
    qtbot.waitUntil(lambda: "junk.fmb" in page.result.text(), timeout=10_000)
    text = page.result.text()
    assert (
        "2.fmb</b>: 0 new records, 0 updated, 1 merged with changes made here, 1 conflict" in text
    )
    assert "junk.fmb</b>: not imported. This file is not an fmdesk sync bundle" in text
    qtbot.waitUntil(lambda: page.conflicts.rowCount() == 1)
    assert page.conflict_count.text().startswith("1 to decide")

    page.conflict_table.selectRow(0)
    conflict = page.conflict_table.currentIndex().data(ROW_ROLE)
    assert conflict.field == "postcode"
    assert page.local_value.text() == "LS2 2BB"
    assert page.incoming_value.text() == "LS9 9ZZ"
    assert "Central Team" in page.incoming_heading.text()
    page.keep_incoming.click()
    qtbot.waitUntil(lambda: page.conflicts.rowCount() == 0, timeout=10_000)
    assert "Kept LS9 9ZZ for postcode" in page.result.text()
    assert on_store(qtbot, window, lambda s: s.get(Family, family.id).postcode) == "LS9 9ZZ"

    page.show_decided.setChecked(True)
    qtbot.waitUntil(lambda: page.conflicts.rowCount() == 1)
    page.conflict_table.selectRow(0)
    assert not page.keep_local.isEnabled()
    assert "kept Central Team's value" in page.choice_note.text()


def test_a_closed_family_the_coordinator_confirmed_is_offered_for_removal(
    qtbot,
    make_window,
    coordinator: tuple[Path, Store],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, central = coordinator
    window = make_window(path)
    page = open_sync_page(qtbot, window)
    assert page.purge_box.isHidden()

    def close_one(store: Store) -> Family:
        family = sorted(store.list(Family), key=lambda f: f.reference)[0]
        return store.save(
            family.replace(status=FamilyStatus.CLOSED, closure_reason=ClosureReason.NEEDS_MET)
        )[0]

    closed = on_store(qtbot, window, close_one)
    me = on_store(qtbot, window, lambda s: s.info.store_id)
    on_store(
        qtbot, window, lambda s: sync.export_bundle(s, central.info.store_id, tmp_path / "1.fmb")
    )
    sync.import_bundle(central, tmp_path / "1.fmb")
    sync.export_bundle(central, me, tmp_path / "ack.fmb")  # carries the acknowledgement
    page.import_paths([tmp_path / "ack.fmb"])
    qtbot.waitUntil(lambda: page.purge_box.isVisible(), timeout=10_000)
    assert closed.reference in page.purge_text.text()

    monkeypatch.setattr(page, "confirm", lambda *a: True)
    page.purge_button.click()
    qtbot.waitUntil(lambda: "Removed 1 closed families" in page.result.text(), timeout=10_000)
    assert on_store(qtbot, window, lambda s: s.get(Family, closed.id)) is None
    qtbot.waitUntil(lambda: page.purge_box.isHidden())
