"""A claim's life on a real coordinator's store and on the command line: a draft claims
nothing; submitted (the day it was sent, who sent and who approved it) its families are claimed
from that day; paid or rejected by the funder (with the reason), a rejection freeing the
families; nothing of a submitted claim can be changed; a draft can be withdrawn, after asking.
Periods that are inverted, not over, or past 2100 are refused in one line."""

import datetime as dt
from pathlib import Path

import pytest

from db import history, outcomes, programme
from db.store import Store
from fmdesk.claims import BatchStatus, ClaimBatch
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.outcomes import ClaimStatus, OutcomeClaim
from fmdesk.programme import quarter_label
from fmdesk.roles import Role
from tests.conftest import COORDINATOR_NAME, StoreTemplates
from tests.integration.test_as_at import save_programme
from tests.integration.test_cli import PASSPHRASE, assert_one_line_error, fmdesk

D = dt.date.fromisoformat
Q3 = {"period_start": D("2025-10-01"), "period_end": D("2025-12-31")}
MADE, SENT = D("2026-01-05"), D("2026-02-10")


@pytest.fixture
def held(coordinator_store: Store) -> tuple[Store, dict[str, str]]:
    return coordinator_store, save_programme(coordinator_store)


def claimed(store: Store, today: dt.date) -> dict[str, int]:
    """The dashboard's claimed families for 2025/26: in the year, and in each quarter."""
    board = programme.load_dashboard(store, today, year=2025)
    quarters = {f.key: f.value for f in board.section("claims").figures if f.value}
    return {"year": board.figure("year.claimed").value, **quarters}


def test_only_a_submitted_claim_claims_and_it_counts_on_the_day_it_was_sent(held) -> None:
    store, ids = held
    f1 = ids["FM-001"]
    # FM-002 was claimed on 1 Aug 2025 (a claim from before, with no batch here).
    assert claimed(store, D("2026-03-01")) == {"year": 1, "2025/26 Q2": 1}
    batch = programme.create_batch(store, "Q3", family_ids=[f1], today=MADE, **Q3)
    assert (batch.made_on, batch.made_by, batch.status) == (
        MADE,
        COORDINATOR_NAME,
        BatchStatus.DRAFT,
    )
    assert claimed(store, D("2026-03-01")) == {"year": 1, "2025/26 Q2": 1}
    assert programme.claim_status_by_family(store, D("2026-03-01"))[f1] == "Ready to claim"
    assert programme.load_claims(store, D("2026-03-01")).ready == []  # held by the draft

    with pytest.raises(UserError, match="Say who approved the claim"):
        programme.submit(store, "Q3", on=SENT, today=SENT)
    sent = programme.submit(store, "Q3", on=SENT, approved_by="Amara Okafor", today=SENT)
    assert (sent.status, sent.submitted_on, sent.submitted_by) == (
        BatchStatus.SUBMITTED,
        SENT,
        COORDINATOR_NAME,
    )
    assert (sent.approved_by, sent.approved_on) == ("Amara Okafor", SENT)
    assert claimed(store, D("2026-03-01")) == {"year": 2, "2025/26 Q2": 1, "2025/26 Q4": 1}
    assert claimed(store, D("2026-02-09")) == {"year": 1, "2025/26 Q2": 1}  # not sent yet then
    assert programme.claim_status_by_family(store, D("2026-03-01"))[f1] == "Claimed"

    paid = programme.record_paid(
        store, "Q3", on=D("2026-03-20"), pence=180_000, today=D("2026-03-21")
    )
    assert (paid.status, paid.paid_on, paid.paid_pence) == (
        BatchStatus.PAID,
        D("2026-03-20"),
        180_000,
    )
    assert claimed(store, D("2026-03-21"))["year"] == 2
    with pytest.raises(ValidationError, match="Batch Q3 is paid \\(on 20 Mar 2026\\) already"):
        programme.record_rejected(store, "Q3", reason="late", today=D("2026-03-22"))


def test_a_rejected_claim_frees_its_families_to_be_claimed_again(held) -> None:
    store, ids = held
    f1 = ids["FM-001"]
    programme.create_batch(store, "Q3", family_ids=[f1], today=MADE, **Q3)
    programme.submit(store, "Q3", on=SENT, approved_by="Amara Okafor", today=SENT)
    with pytest.raises(ValidationError, match="has already been claimed for, in batch Q3"):
        programme.create_batch(store, "Q3 again", family_ids=[f1], today=SENT, **Q3)
    with pytest.raises(ValidationError, match="Say why the funder rejected the claim"):
        programme.record_rejected(store, "Q3", reason=" ", today=D("2026-03-01"))
    rejected = programme.record_rejected(
        store,
        "Q3",
        reason="Attendance evidence not verified",
        on=D("2026-03-01"),
        today=D("2026-03-01"),
    )
    assert (rejected.status, rejected.rejection_reason) == (
        BatchStatus.REJECTED,
        "Attendance evidence not verified",
    )
    assert not [c for c in store.list(OutcomeClaim) if c.family_id == f1]
    status = programme.load_outcomes(store, D("2026-03-02"))[f1].status
    assert status is ClaimStatus.READY
    assert claimed(store, D("2026-03-02")) == {"year": 1, "2025/26 Q2": 1}
    again = programme.create_batch(store, "Q3 again", family_ids=[f1], today=D("2026-03-02"), **Q3)
    assert again.family_ids == (f1,)


def test_a_submitted_batch_cannot_be_changed_or_withdrawn(held) -> None:
    store, ids = held
    programme.create_batch(store, "Q3", family_ids=[ids["FM-001"]], today=MADE, **Q3)
    sent = programme.submit(store, "Q3", on=SENT, approved_by="Amara Okafor", today=SENT)
    versions = len(history.history(store, sent.id))
    for change in (
        {"family_ids": (ids["FM-001"], ids["FM-005"])},
        {"submitted_on": D("2026-02-01")},
        {"approved_by": "Someone Else"},
        {"made_by": "Someone Else"},
        {"status": BatchStatus.DRAFT, "submitted_on": None},
        {"deleted": True},
    ):
        with pytest.raises(ValidationError, match="cannot be changed"):
            store.save(sent.replace(**change))
    assert store.get(ClaimBatch, sent.id) == sent
    assert len(history.history(store, sent.id)) == versions  # nothing was written
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        programme.withdraw(store, "Q3")
    with pytest.raises(ValidationError, match="already submitted"):
        programme.submit(store, "Q3", on=SENT, approved_by="Amara Okafor", today=SENT)


def test_a_draft_made_by_an_older_build_claims_nothing(held) -> None:
    """Before, making a draft wrote each family's claim at once, dated the day it was made."""
    store, ids = held
    f1 = ids["FM-001"]
    draft = ClaimBatch(reference="Old draft", made_on=MADE, family_ids=(f1,), **Q3)
    store.save(draft, OutcomeClaim(family_id=f1, claimed_on=MADE, batch="Old draft"))
    assert claimed(store, D("2026-03-01")) == {"year": 1, "2025/26 Q2": 1}
    assert programme.load_outcomes(store, D("2026-03-01"))[f1].status is ClaimStatus.READY
    programme.withdraw(store, "Old draft")
    assert not [c for c in store.list(OutcomeClaim) if c.family_id == f1]  # its claim went too


def test_a_draft_made_by_an_older_build_claims_nothing_on_the_outcomes_tab(held) -> None:
    """The Outcomes tab and `families show` (without --as-at) read the family's own records:
    the claim an older build's draft wrote must not make it claimed there either."""
    store, ids = held
    f1 = ids["FM-001"]
    draft = ClaimBatch(reference="Old draft", made_on=MADE, family_ids=(f1,), **Q3)
    store.save(draft, OutcomeClaim(family_id=f1, claimed_on=MADE, batch="Old draft"))
    today = D("2026-03-01")
    shown = outcomes.load_family_outcomes(store, f1, today)
    assert shown.readiness is not None
    assert shown.readiness.status is ClaimStatus.READY
    family = store.get(Family, f1)
    assert family is not None
    assert outcomes.family_outcomes_for_json(store, family, today)["claim"]["status"] == "ready"
    programme.submit(store, "Old draft", on=SENT, approved_by="Amara Okafor", today=SENT)
    sent = outcomes.load_family_outcomes(store, f1, today).readiness
    assert sent is not None
    assert sent.status is ClaimStatus.CLAIMED
    assert sent.claim is not None
    assert sent.claim.claimed_on == SENT  # dated the day it was sent, not the day it was made


def test_submitting_a_draft_made_by_an_older_build_leaves_one_claim_dated_when_sent(held) -> None:
    store, ids = held
    f1 = ids["FM-001"]
    draft = ClaimBatch(reference="Old draft", made_on=MADE, family_ids=(f1,), **Q3)
    store.save(draft, OutcomeClaim(family_id=f1, claimed_on=MADE, batch="Old draft"))
    programme.submit(store, "Old draft", on=SENT, approved_by="Amara Okafor", today=SENT)
    live = [c for c in store.list(OutcomeClaim) if c.family_id == f1]
    assert [(c.claimed_on, c.batch) for c in live] == [(SENT, "Old draft")]
    assert claimed(store, D("2026-03-01")) == {"year": 2, "2025/26 Q2": 1, "2025/26 Q4": 1}


# ---- the command line --------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name=COORDINATOR_NAME)
    with Store.open(home / "store", PASSPHRASE) as store:
        save_programme(store)
    return home


def test_claim_periods_are_refused_in_one_line(home: Path) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    cases = [
        (("--from", "2026-12-31", "--to", "2026-10-01"), "ends (1 Oct 2026) before it starts"),
        (("--from", "2025-10-01", "--to", tomorrow.isoformat()), "which is not over yet"),
        (("--from", "2030-01-01", "--to", "2030-03-31"), "which is not over yet"),
        (
            ("--from", "2101-01-01", "--to", "2101-03-31"),
            "must lie between 1 Jan 2000 and 31 Dec 2100",
        ),
        (("--from", "2025-10-01", "--to", "2025-13-01"), "--to: '2025-13-01' is not a date"),
    ]
    for period, words in cases:
        made = fmdesk(home, "claims", "batch", "X", *period, "--family", "FM-001")
        assert_one_line_error(made, words)
        assert_one_line_error(fmdesk(home, "claims", "batch", "X", *period, "--all-ready"), words)
    assert "Batch X" not in fmdesk(home, "claims", "ready").stdout


def test_a_claim_from_draft_to_paid_on_the_command_line(home: Path) -> None:
    today = dt.date.today()
    made = fmdesk(
        home,
        "claims",
        "batch",
        "Q3",
        "--from",
        "2025-10-01",
        "--to",
        "2025-12-31",
        "--family",
        "FM-001",
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "Made draft batch Q3 of 1 family, judged as at 31 Dec 2025."
    listed = fmdesk(home, "claims", "ready").stdout
    assert "No family is ready to claim." in listed  # FM-001 is held by the draft
    assert (
        f"Batch Q3: 1 family, 2025-10-01 to 2025-12-31; made {today} by Central Team; draft"
        in listed
    )

    unapproved = fmdesk(home, "claims", "submit", "Q3")
    assert unapproved.returncode == 2
    assert "--approved-by" in unapproved.stderr
    future = fmdesk(
        home, "claims", "submit", "Q3", "--approved-by", "Amara Okafor", "--on", "2099-01-01"
    )
    assert_one_line_error(future, "The day it was sent (1 Jan 2099) is still to come")
    sent = fmdesk(home, "claims", "submit", "Q3", "--approved-by", "Amara Okafor")
    assert sent.returncode == 0, sent.stderr
    assert (
        sent.stdout.strip() == f"Batch Q3 marked as submitted on {today}, approved by Amara Okafor."
    )
    board = fmdesk(
        home,
        "programme",
        "dashboard",
        "--year",
        str(today.year if today.month >= 4 else today.year - 1),
    ).stdout
    assert f"  {quarter_label(today):<40} 1" in board

    bad = fmdesk(home, "claims", "paid", "Q3", "--on", str(today), "--amount", "12.5")
    assert_one_line_error(bad, "'12.5' is not an amount of money")
    paid = fmdesk(home, "claims", "paid", "Q3", "--on", str(today), "--amount", "£1,800.00")
    assert paid.stdout.strip() == f"Batch Q3 recorded as paid on {today} (£1,800.00)."
    again = fmdesk(home, "claims", "rejected", "Q3", "--reason", "late")
    assert_one_line_error(again, "Batch Q3 is paid")
    shown = fmdesk(home, "claims", "ready").stdout
    said = f"submitted {today} by Central Team, approved by Amara Okafor on {today}; paid {today}"
    assert f"{said} (£1,800.00)" in shown
    assert_one_line_error(fmdesk(home, "claims", "withdraw", "Q3", "--yes"), "cannot be withdrawn")


def test_withdrawing_a_draft_asks_first(home: Path) -> None:
    fmdesk(
        home, "claims", "batch", "Q3", "--from", "2025-10-01", "--to", "2025-12-31", "--all-ready"
    )
    unanswered = fmdesk(home, "claims", "withdraw", "Q3")  # a script: nobody answers
    assert unanswered.returncode == 1
    assert unanswered.stdout == "Withdraw draft batch Q3 of 1 family? [y/N]: "
    assert (
        unanswered.stderr == "fmdesk: Nothing was withdrawn: answer the question, or give --yes.\n"
    )
    assert "Batch Q3" in fmdesk(home, "claims", "ready").stdout
    done = fmdesk(home, "claims", "withdraw", "Q3", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Withdrew draft batch Q3; its families may be claimed again."
    listed = fmdesk(home, "claims", "ready").stdout
    assert "Batch Q3" not in listed
    assert listed.startswith("FM-001 ")


def test_a_rejected_claim_on_the_command_line(home: Path) -> None:
    fmdesk(
        home, "claims", "batch", "Q3", "--from", "2025-10-01", "--to", "2025-12-31", "--all-ready"
    )
    fmdesk(home, "claims", "submit", "Q3", "--approved-by", "Amara Okafor")
    unsaid = fmdesk(home, "claims", "rejected", "Q3")
    assert unsaid.returncode == 2
    assert "--reason" in unsaid.stderr
    rejected = fmdesk(home, "claims", "rejected", "Q3", "--reason", "Evidence not verified")
    assert rejected.returncode == 0, rejected.stderr
    assert "its 1 family may be claimed again" in rejected.stdout
    assert fmdesk(home, "claims", "ready").stdout.startswith("FM-001 ")
