"""Judged as at a date, through the whole chain, on a real coordinator's store: a family sees
only the records it had at the end of that day, as they were then. The hand-computed programme
of tests/unit/test_programme.py is saved on 15 August 2025, except FM-001's health evidence
(outcome 6.1, holding from 1 October 2025), which is recorded on 1 October: so FM-001's claim
becomes ready on 1 October, and not the day before."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from db import programme
from db.store import Store
from fmdesk.outcomes import ClaimStatus, OutcomeEvidence
from fmdesk.records import Record
from fmdesk.roles import Role
from tests.conftest import COORDINATOR_NAME, StoreTemplates
from tests.integration.test_cli import PASSPHRASE, assert_one_line_error, fmdesk
from tests.recorded import noon, recorded_on
from tests.unit.test_programme import fixture_programme

D = dt.date.fromisoformat
SAVED, SUSTAINED = D("2025-08-15"), D("2025-10-01")


def save_programme(store: Store) -> dict[str, str]:
    """The programme, saved as the module says; returns family ids by reference."""
    records, refs = fixture_programme()
    f1 = refs["FM-001"].id
    late = [r for r in records if isinstance(r, OutcomeEvidence) and r.family_id == f1]
    late = [e for e in late if e.outcome == "6.1"]
    early: list[Record] = [r for r in records if r not in late]
    with recorded_on(store, SAVED):
        store.save(*early)
    with recorded_on(store, SUSTAINED):
        store.save(*late)
    return {ref: f.id for ref, f in refs.items()}


@pytest.fixture
def held(coordinator_store: Store) -> tuple[Store, dict[str, str]]:
    return coordinator_store, save_programme(coordinator_store)


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name=COORDINATOR_NAME)
    with Store.open(home / "store", PASSPHRASE) as store:
        save_programme(store)
    return home


def status_as_at(store: Store, family_id: str, day: dt.date) -> ClaimStatus | None:
    return programme.load_outcomes(store, dt.date.today(), as_at=day)[family_id].status


def test_the_day_before_a_result_is_sustained_and_the_day_it_is(held) -> None:
    store, ids = held
    f1 = ids["FM-001"]
    assert status_as_at(store, f1, SUSTAINED - dt.timedelta(days=1)) is ClaimStatus.IN_PROGRESS
    assert status_as_at(store, f1, SUSTAINED) is ClaimStatus.READY
    # Each day's judgement is its own (the kept judgement is keyed on the day), and today's
    # is today's.
    assert status_as_at(store, f1, SUSTAINED - dt.timedelta(days=1)) is ClaimStatus.IN_PROGRESS
    assert programme.load_outcomes(store, dt.date.today())[f1].status is ClaimStatus.READY
    # Before anything was saved, the store held no family at all.
    assert programme.load_outcomes(store, dt.date.today(), as_at=SAVED - dt.timedelta(1)) == {}


def test_a_record_written_later_with_an_earlier_revision_is_seen_as_at_its_day(held) -> None:
    """A bundle can bring a version made before the day (its revision says when): the kept
    judgement as at that day is let go and made again."""
    store, ids = held
    day = SUSTAINED - dt.timedelta(days=1)
    assert status_as_at(store, ids["FM-001"], day) is ClaimStatus.IN_PROGRESS
    made_then = OutcomeEvidence(
        family_id=ids["FM-001"],
        outcome="6.1",
        holds_from=D("2025-09-01"),
        source="GP letter",
        description="Registered with the GP and attending appointments",
        recorded_by="Pat Keyworker",
        # Made on the practitioner's laptop on 20 September, arriving only now.
        revision=f"{int(noon(D('2025-09-20')) * 1000):015d}-00000-ab12cd34",
    )
    with store.transaction():
        store.write_rows([made_then])  # as sync's import writes a record: exactly as given
    assert status_as_at(store, ids["FM-001"], day) is ClaimStatus.READY


def test_a_claim_reproduced_after_its_evidence_was_edited_gives_the_original(held) -> None:
    store, ids = held
    batch = programme.create_batch(
        store,
        "2025/26 Q3",
        period_start=D("2025-10-01"),
        period_end=D("2025-12-31"),
        family_ids=[ids["FM-001"]],
    )
    _, made = programme.batch_schedule(store, batch.reference)
    assert [(r.outcome, r.source) for r in made] == [
        ("5.2", "Police domestic abuse unit"),
        ("6.1", "GP letter"),
    ]
    # Today: the police evidence is re-worded and the GP letter deleted.
    for evidence in store.list(OutcomeEvidence, family_id=ids["FM-001"]):
        if evidence.outcome == "5.2":
            store.save(evidence.replace(source="Police (corrected)", holds_from=D("2025-11-01")))
        else:
            store.delete(evidence)
    assert programme.load_outcomes(store, dt.date.today())[ids["FM-001"]].status is not (
        ClaimStatus.READY
    )
    _, again = programme.batch_schedule(store, batch.reference)
    assert again == made


def test_a_batch_is_judged_at_the_end_of_its_period(held) -> None:
    store, ids = held
    with pytest.raises(Exception, match=r"FM-001 is not ready to claim as at 30 Sep 2025, the end"):
        programme.create_batch(
            store,
            "2025/26 Q2",
            period_start=D("2025-07-01"),
            period_end=D("2025-09-30"),
            family_ids=[ids["FM-001"]],
        )
    with pytest.raises(Exception, match="No family is ready to claim as at 2025-09-30"):
        programme.create_ready_batch(
            store, "2025/26 Q2", period_start=D("2025-07-01"), period_end=D("2025-09-30")
        )
    made = programme.create_ready_batch(
        store, "2025/26 Q3", period_start=D("2025-10-01"), period_end=D("2025-12-31")
    )
    assert made.family_ids == (ids["FM-001"],)


def test_the_command_line_judges_as_at_a_date(home: Path, tmp_path: Path) -> None:
    before = fmdesk(home, "claims", "ready", "--as-at", "2025-09-30")
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines()[:2] == ["As at 30 Sep 2025:", "No family is ready to claim."]
    on = fmdesk(home, "claims", "ready", "--as-at", "2025-10-01")
    assert on.stdout.splitlines()[:2] == [
        "As at 1 Oct 2025:",
        "FM-001         FM-001 family: every problem",
    ]

    def turned_around(day: str) -> int:
        shown = fmdesk(home, "programme", "dashboard", "--year", "2025", "--as-at", day, "--json")
        assert shown.returncode == 0, shown.stderr
        data = json.loads(shown.stdout)
        assert data["as_at"] == day
        (to_date,) = [s for s in data["sections"] if s["key"] == "to_date"]
        return next(f["value"] for f in to_date["figures"] if f["key"] == "turned_around")

    assert (turned_around("2025-09-30"), turned_around("2025-10-01")) == (1, 2)
    figures = tmp_path / "figures.csv"
    fmdesk(home, "programme", "dashboard", "--as-at", "2025-09-30", "--csv", str(figures))
    with figures.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["figure"] == "Turned around" and r["value"] == "1" for r in rows)

    shown = fmdesk(home, "families", "show", "FM-001", "--as-at", "2025-09-30")
    assert shown.returncode == 0, shown.stderr
    assert "  As at 30 Sep 2025" in shown.stdout
    assert "claim: In progress" in shown.stdout
    assert "claim: Ready to claim" in fmdesk(home, "families", "show", "FM-001").stdout
    data = json.loads(
        fmdesk(home, "families", "show", "FM-001", "--as-at", "2025-10-01", "--json").stdout
    )
    assert data["claim"]["status"] == "ready"
    early = fmdesk(home, "families", "show", "FM-001", "--as-at", "2025-08-14")
    assert_one_line_error(early, "That family was not in this store at the end of 14 Aug 2025")


@pytest.mark.parametrize(
    "command", [("claims", "ready"), ("programme", "dashboard"), ("families", "show", "FM-001")]
)
def test_a_day_still_to_come_or_not_a_date_is_refused_in_one_line(
    home: Path, command: tuple[str, ...]
) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert_one_line_error(fmdesk(home, *command, "--as-at", tomorrow), "still to come")
    assert_one_line_error(
        fmdesk(home, *command, "--as-at", "31/12/2025"), "not a date (YYYY-MM-DD)"
    )
