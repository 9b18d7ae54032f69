"""The Sync page on a real practitioner store, with a real coordinator store on the other side:
export, import (many files, one refused), a conflict decided side by side, and purging."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from db import sync
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.families import CaseNote, ClosureReason, Family, FamilyStatus
from fmdesk.hlc import Timestamp
from fmdesk.roles import Role
from fmdesk.sync.identity import StoreIdentity
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.models import ROW_ROLE
from ui.kit.tasks import Task, TaskContext, TaskRunner
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
    # A practitioner has one coordinator, and enrols it again only when its key changes.
    assert "again" in page.enrol_button.toolTip()

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
    qtbot.waitUntil(lambda: "Removed 1 closed family (" in page.result.text(), timeout=10_000)
    assert on_store(qtbot, window, lambda s: s.get(Family, closed.id)) is None
    qtbot.waitUntil(lambda: page.purge_box.isHidden())


# ---- the page alone, on a coordinator's store: refused records and replaced keys ---------------


@pytest.fixture
def coordinator_page(qtbot, tmp_path: Path):
    """The Sync page on its own over a coordinator's store (on the runner's worker) that has
    enrolled one practitioner, whose open store comes too."""
    central_path = tmp_path / "central"
    Store.create(
        central_path,
        TEST_PASSPHRASE,
        role=Role.COORDINATOR,
        name="Central Team",
        kdf=KdfParams.fast(),
    ).close()
    zoe = Store.create(
        tmp_path / "zoe",
        TEST_PASSPHRASE,
        role=Role.PRACTITIONER,
        name="Zoë Adebayo",
        kdf=KdfParams.fast(),
    )
    runner = TaskRunner()
    on_worker(qtbot, runner, lambda ctx: ctx.set_store(Store.open(central_path, TEST_PASSPHRASE)))
    central = on_worker(qtbot, runner, lambda ctx: sync.identity(ctx.store).enrolment)
    sync.enrol(zoe, central)
    zoes = sync.identity(zoe).enrolment
    on_worker(qtbot, runner, lambda ctx: sync.enrol(ctx.store, zoes))
    page = SyncPage(runner)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.partners.rowCount() == 1, timeout=10_000)
    yield page, runner, zoe
    runner.shutdown()
    zoe.close()


def on_worker(qtbot, runner: TaskRunner, op: Callable[[TaskContext], Any]) -> Any:
    answer: list[Any] = []
    Task(runner, op, answer.append).failure(answer.append).run()
    qtbot.waitUntil(lambda: bool(answer), timeout=10_000)
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return answer[0]


def test_records_refused_from_a_practitioner_are_listed_with_the_reason(
    qtbot, qtmodeltester, coordinator_page, tmp_path: Path
) -> None:
    page, runner, zoe = coordinator_page
    assert page.refused_box.isHidden()
    # A family of the coordinator's own (allocated to nobody), and Zoë writing into it.
    family = Family(reference="EH-0412", name="Nowak family")
    on_worker(qtbot, runner, lambda ctx: ctx.store.save(family))
    zoe.save(CaseNote(family_id=family.id, on=dt.date(2025, 7, 14), text="Planted"))
    me = on_worker(qtbot, runner, lambda ctx: ctx.store.info.store_id)
    sync.export_bundle(zoe, me, tmp_path / "1.fmb")
    page.import_paths([tmp_path / "1.fmb"])
    qtbot.waitUntil(lambda: page.refused.rowCount() == 1, timeout=10_000)
    assert "1 rejected" in page.result.text()
    assert page.refused_box.isVisible()
    shown = [page.refused.index(0, c).data() for c in range(page.refused.columnCount())]
    received, partner, kind, family_label, reason, reported = shown
    assert received.endswith(" UTC")
    assert (partner, kind, family_label) == ("Zoë Adebayo", "Note", "EH-0412")
    assert reason == (
        f"family {family.id[:8]} is not the sender's: it is not allocated to them, nor did "
        "they register it"
    )
    assert reported == "in the next bundle"
    assert page.refused_count.text() == (
        "1 record refused, 1 to be reported back in the next bundle. Nothing refused was "
        "applied here or passed on to anyone."
    )
    qtmodeltester.check(page.refused)
    # Exporting reports it back; the list says so.
    monkeypatch_path = tmp_path / "2.fmb"
    page.ask_save_path = lambda *a: monkeypatch_path  # type: ignore[method-assign]
    page.export_button.click()
    qtbot.waitUntil(lambda: page.refused.index(0, 5).data() == "in bundle 1", timeout=10_000)


def enrolment_file(tmp_path: Path, identity: StoreIdentity, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(identity.enrolment.to_json())
    return path


def test_a_changed_key_is_replaced_only_after_a_warning_showing_both_fingerprints(
    qtbot, coordinator_page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, runner, zoe = coordinator_page
    real = sync.identity(zoe)
    assert page.enrol_button.isEnabled()
    # Never the question asked of a new partner: a store already enrolled is not one.
    new_partner_questions: list[str] = []
    monkeypatch.setattr(page, "confirm", lambda *a: new_partner_questions.append(a[0]) or False)
    monkeypatch.setattr(page, "ask_open_path", lambda *a: enrolment_file(tmp_path, real, "a.fmid"))
    page.enrol_button.click()
    qtbot.waitUntil(
        lambda: (
            page.result.text()
            == "Zoë Adebayo is already enrolled with these keys: nothing changed."
        ),
        timeout=10_000,
    )

    fake = StoreIdentity.generate(
        store_id=zoe.info.store_id, role=Role.PRACTITIONER, name="Zoë Adebayo"
    )
    monkeypatch.setattr(page, "ask_open_path", lambda *a: enrolment_file(tmp_path, fake, "b.fmid"))
    asked: list[QMessageBox] = []

    def answer(yes: bool) -> Callable[..., bool]:
        def confirm(held: Any, offered: Any) -> bool:
            asked.append(page.key_change_box(held, offered))
            return yes

        return confirm

    monkeypatch.setattr(page, "confirm_key_change", answer(False))
    page.enrol_button.click()
    qtbot.waitUntil(lambda: "key was kept" in page.result.text(), timeout=10_000)
    box = asked[-1]
    assert real.fingerprint in box.text()
    assert fake.enrolment.fingerprint in box.text()
    assert "pretending to be Zoë Adebayo" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert box.icon() is QMessageBox.Icon.Warning
    held = on_worker(qtbot, runner, lambda ctx: sync.enrolled(ctx.store, zoe.info.store_id))
    assert held == real.enrolment
    assert page.key_changes_box.isHidden()

    monkeypatch.setattr(page, "confirm_key_change", answer(True))
    page.enrol_button.click()
    qtbot.waitUntil(lambda: "again, with the new key" in page.result.text(), timeout=10_000)
    assert real.fingerprint in page.result.text()
    qtbot.waitUntil(lambda: page.key_changes.rowCount() == 1, timeout=10_000)
    assert page.key_changes_box.isVisible()
    row = [page.key_changes.index(0, c).data() for c in range(page.key_changes.columnCount())]
    assert row[1:] == ["Zoë Adebayo", "Central Team", real.fingerprint, fake.enrolment.fingerprint]
    assert row[0].endswith(" UTC")
    assert new_partner_questions == []


def test_the_page_says_what_has_not_reached_the_coordinator_and_warns_when_it_is_old(
    qtbot, make_window, coordinator: tuple[Path, Store], tmp_path: Path, monkeypatch
) -> None:
    path, central = coordinator
    window = make_window(path)
    page = open_sync_page(qtbot, window)
    waiting = page.partners.row_at(0).pending
    assert page.unsent.text() == (
        f"No bundle sent yet; none acknowledged yet. {waiting} changes wait to reach the "
        "coordinator."
    )
    assert page.unsent_warning.isHidden()
    assert page.partners.index(0, 5).data() == "never"  # last acknowledged

    # A note written ten days ago on this laptop (its revision says when), never sent.
    def old_note(store: Store) -> None:
        family = store.list(Family)[0]
        ten_days_ago = int((dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).timestamp() * 1000)
        revision = Timestamp(ten_days_ago, 0, "laptop1").encode()
        store.write_rows(
            [
                CaseNote(
                    family_id=family.id, on=dt.date(2026, 11, 27), text="Visit", revision=revision
                )
            ]
        )

    on_store(qtbot, window, old_note)
    page.refresh()
    qtbot.waitUntil(lambda: page.unsent_warning.isVisible(), timeout=10_000)
    assert page.unsent_warning.text().startswith(
        f"{waiting + 1} changes have not reached the coordinator: the oldest was made 10 days ago"
    )
    assert "no bundle has been sent yet" in page.unsent_warning.text()

    # Sent and acknowledged: nothing waits, and the warning goes.
    bundle = tmp_path / "to-central.fmb"
    monkeypatch.setattr(page, "ask_save_path", lambda *a: bundle)
    page.export_button.click()
    qtbot.waitUntil(lambda: "Wrote bundle 1" in page.result.text(), timeout=10_000)
    qtbot.waitUntil(lambda: page.unsent.text().startswith("Last bundle sent "), timeout=10_000)
    sync.import_bundle(central, bundle)
    reply = tmp_path / "reply.fmb"
    sync.export_bundle(central, on_store(qtbot, window, lambda s: s.info.store_id), reply)
    page.import_paths([reply])
    qtbot.waitUntil(lambda: "0 changes wait" in page.unsent.text(), timeout=10_000)
    assert "last acknowledged " in page.unsent.text()
    assert page.unsent_warning.isHidden()
    assert page.partners.index(0, 5).data().startswith("no. 1, ")


def test_a_practitioner_store_re_keyed_is_warned_of_on_the_coordinators_page(
    qtbot, coordinator_page, tmp_path: Path
) -> None:
    from db.rekey import rekey

    page, runner, zoe = coordinator_page
    assert page.unsent_warning.isHidden()
    done = rekey(zoe, TEST_PASSPHRASE, kdf=KdfParams.fast())
    me = on_worker(qtbot, runner, lambda ctx: ctx.store.info.store_id)
    sync.export_bundle(done.store, me, tmp_path / "1.fmb")
    done.store.close()
    page.import_paths([tmp_path / "1.fmb"])
    qtbot.waitUntil(lambda: page.unsent_warning.isVisible(), timeout=10_000)
    assert page.unsent_warning.text() == (
        f"Warning: Zoë Adebayo's store was re-keyed on {done.at[:10]} after a suspected "
        "compromise: its sync keys were not changed, so treat bundles signed by it before then "
        "with care (docs/recovery.md)."
    )
