"""What has not reached the coordinator (issue 16): when the last bundle was sent and
acknowledged, how many changes wait, and a warning after the council's number of days."""

import datetime as dt
import json
from pathlib import Path

import pytest

from db import sync
from db.store import Store
from fmdesk.errors import UserError
from fmdesk.families import CaseNote, Family
from fmdesk.roles import Role
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

DAY = dt.date(2026, 11, 2)


def test_a_practitioner_sees_what_waits_and_is_warned_after_seven_days(
    store: Store, coordinator_store: Store, tmp_path: Path
) -> None:
    family = Family(reference="EH-0411", name="Okafor family")
    store.save(family, CaseNote(family_id=family.id, on=DAY, text="First visit"))
    # No coordinator yet: both records have reached nobody.
    assert sync.unsent_summary(store) == (None, None, 2)
    week_on = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert "reached nobody: no coordinator is enrolled" in sync.unsent_warning(store, now=week_on)

    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    last_sent, last_acked, waiting = sync.unsent_summary(store)
    assert (last_sent, last_acked, waiting) == (None, None, 2)
    assert sync.unsent_warning(store) == ""  # made just now
    assert sync.unsent_warning(store, now=week_on - dt.timedelta(days=2)) == ""
    warned = sync.unsent_warning(store, now=week_on)
    assert warned.startswith("2 changes have not reached the coordinator: the oldest was made 8")
    assert "no bundle has been sent yet" in warned

    sent_at = dt.datetime.now(dt.UTC)
    sync.export_bundle(store, coordinator_store.info.store_id, tmp_path / "1.fmb")
    last_sent, last_acked, waiting = sync.unsent_summary(store)
    assert last_sent is not None
    assert abs(last_sent - sent_at) < dt.timedelta(minutes=5)
    assert (last_acked, waiting) == (None, 2)  # sent is not received
    assert "the coordinator has not acknowledged one yet" in sync.unsent_warning(store, now=week_on)

    # The coordinator takes it and answers: the acknowledgement empties the outbox.
    sync.import_bundle(coordinator_store, tmp_path / "1.fmb")
    sync.export_bundle(coordinator_store, store.info.store_id, tmp_path / "2.fmb")
    sync.import_bundle(store, tmp_path / "2.fmb")
    last_sent, last_acked, waiting = sync.unsent_summary(store)
    assert last_acked is not None
    assert last_sent is not None
    assert last_acked >= last_sent
    assert waiting == 0
    assert sync.unsent_warning(store, now=week_on) == ""

    # A later change waits again; the council's own number of days decides when to warn.
    store.save(CaseNote(family_id=family.id, on=DAY, text="Second visit"))
    assert sync.unsent_summary(store).waiting == 1
    assert sync.unsent_warning(store, now=week_on).startswith("1 change has not reached")
    sync.set_unsent_warning_days(store, 10)
    assert sync.unsent_warning_days(store) == 10
    assert sync.unsent_warning(store, now=week_on) == ""
    assert sync.unsent_warning(store, now=week_on + dt.timedelta(days=3)) != ""
    with pytest.raises(UserError, match="from 1 to 365"):
        sync.set_unsent_warning_days(store, 0)


def test_a_coordinator_is_never_warned_but_sees_what_its_practitioners_lack(
    store: Store, coordinator_store: Store, tmp_path: Path
) -> None:
    sync.enrol(store, sync.identity(coordinator_store).enrolment)
    sync.enrol(coordinator_store, sync.identity(store).enrolment)
    assert sync.unsent_summary(coordinator_store) == (None, None, 0)
    assert sync.unsent_warning_days(coordinator_store) == sync.DEFAULT_UNSENT_WARNING_DAYS == 7
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    coordinator_store.save(Family(reference="EH-0001", name="Nowak family"))
    assert sync.unsent_warning(coordinator_store, now=later) == ""


def test_sync_status_says_what_waits_and_the_council_sets_the_days(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = store_templates.copy(tmp_path / "p", Role.PRACTITIONER, name="Zoë Adeyemi")
    env = {
        "FMDESK_HOME": str(tmp_path / "home"),
        "FMDESK_STORE": str(path),
        "FMDESK_PASSPHRASE": TEST_PASSPHRASE,
    }
    opened = Store.open(path, TEST_PASSPHRASE)
    try:
        family = Family(reference="EH-0411", name="Okafor family")
        opened.save(family, CaseNote(family_id=family.id, on=DAY, text="First visit"))
    finally:
        opened.close()
    shown = run_cli("sync", "status", env=env)
    assert shown.returncode == 0, shown.stderr
    assert (
        "Changes not yet acknowledged: 2 (a warning after 7 days: 'fmdesk sync warn-after DAYS')"
        in shown.stdout
    )
    set_days = run_cli("sync", "warn-after", "14", env=env)
    assert set_days.returncode == 0, set_days.stderr
    as_json = json.loads(run_cli("sync", "status", "--json", env=env).stdout)["unsent"]
    assert as_json == {
        "last_sent": None,
        "last_acknowledged": None,
        "waiting": 2,
        "warn_after_days": 14,
        "warning": "",
    }
    refused = run_cli("sync", "warn-after", "0", env=env)
    assert refused.returncode == 1
    assert "from 1 to 365" in refused.stderr
