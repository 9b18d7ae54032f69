"""Every figure the councils' papers report, on a real store built for it (issue 17): who works
with the families, the cohort profile, agencies, referral source and closures, casework, plan
actions, work, claims by route and the quarterly trend, today and as at an earlier day.

The programme (Troubled Families 2012: 2 of 3 national criteria plus a local filter), judged on
15 January 2026, programme year 2025/26. Saved in two steps, so that as at 30 September 2025
only the first is seen:

family  entry       criteria  at the end                  team, lead agency; referral
TF-001  2025-04-10  1, 2, 3   active                      core, Children and Family
                                                          Practices; data matching
TF-002  2025-05-02  2, 3, L   engaged                     wider, Children's Social Care;
                                                          social care step-down
TF-003  2025-06-01  -         active                      -, children's  social care; school
TF-004  2025-04-20  2, 3, L   closed 1 Nov, stepped down  core, Youth Offending Team; police
TF-005  2024-10-01  1, 2      closed 1 Dec, needs met;    -
                              claimed 1 Mar 2025
TF-006  2025-10-05  1         identified (step two)       -

TF-001 is claimed on 1 November 2025 by continuous employment (step two), has an adult in work
from 1 September, a progress-to-work result (3.2), a plan of three actions (one overdue) and TAF
meetings in July and (step two) October.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pypdf
import pytest

from db import programme
from db.store import Store
from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.families import (
    ClosureReason,
    DeliveredBy,
    Family,
    FamilyStatus,
    PastOrPresent,
    Person,
    PersonRole,
    ReferralSource,
    StatusChange,
    Tenure,
)
from fmdesk.outcomes import IndicatorTick, Measure, OutcomeClaim, OutcomeEvidence
from fmdesk.outcomes.records import MeasureKind, MeasureStage
from fmdesk.plans import ActionOwner, ActionStatus, FamilyPlan, PlanAction, PlanGoal
from fmdesk.programme import Chart, Stage
from fmdesk.records import Record
from fmdesk.roles import Role
from fmdesk.taf import TafMeeting, TafMember
from reports.programme import dashboard_pdf
from tests.conftest import COORDINATOR_NAME, StoreTemplates
from tests.integration.test_as_at import save_programme
from tests.integration.test_cli import PASSPHRASE, fmdesk
from tests.recorded import recorded_on

TODAY = dt.date(2026, 1, 15)
TF = "troubled-families-2012@1"
STEP_ONE = dt.date(2025, 9, 15)
STEP_TWO = dt.date(2025, 12, 20)
AS_AT = dt.date(2025, 9, 30)
D = dt.date.fromisoformat
A, E, V, C = (
    FamilyStatus.ALLOCATED,
    FamilyStatus.ENGAGED,
    FamilyStatus.ACTIVE,
    FamilyStatus.CLOSED,
)


def _moves(family: Family, *steps: tuple[str, FamilyStatus], reason=None) -> list[StatusChange]:
    changes, current = [], FamilyStatus.IDENTIFIED
    for on, to in steps:
        changes.append(
            StatusChange(
                family_id=family.id,
                on=D(on),
                from_status=current,
                to_status=to,
                closure_reason=reason if to is C else None,
            )
        )
        current = to
    return changes


def _ticks(family: Family, *codes: str) -> list[IndicatorTick]:
    return [IndicatorTick(family_id=family.id, indicator=c, on=family.identified_on) for c in codes]


def _action(what: str, status: ActionStatus, by: str) -> PlanAction:
    return PlanAction(
        what=what,
        owner=ActionOwner.agency_worker("Children and Family Practices", "Sam Okafor"),
        by_when=D(by),
        status=status,
    )


def build() -> tuple[list[Record], list[Record], dict[str, Family]]:
    """The records of step one and of step two, and the families (as they end) by reference."""
    f1 = Family(
        reference="TF-001",
        name="Ahmed",
        identified_on=D("2025-04-10"),
        status=V,
        framework=TF,
        lead_practitioner="Sam Okafor",
        delivered_by=DeliveredBy.CORE_TEAM,
        lead_agency="Children and Family Practices",
        referral_source=ReferralSource.DATA_MATCHING,
        tenure=Tenure.COUNCIL,
        domestic_abuse=PastOrPresent.YES,
        known_to_social_care=PastOrPresent.YES,
    )
    f2 = Family(
        reference="TF-002",
        name="Baker",
        identified_on=D("2025-05-02"),
        status=E,
        framework=TF,
        lead_practitioner="Jo Wright",
        delivered_by=DeliveredBy.WIDER_NETWORK,
        lead_agency="Children's Social Care",
        referral_source=ReferralSource.SOCIAL_CARE_STEP_DOWN,
        tenure=Tenure.HOUSING_ASSOCIATION,
        domestic_abuse=PastOrPresent.NO,
        known_to_social_care=PastOrPresent.YES,
    )
    f3 = Family(
        reference="TF-003",
        name="Carter",
        identified_on=D("2025-06-01"),
        status=V,
        lead_agency="children's  social care",
        referral_source=ReferralSource.SCHOOL,
    )
    f4_open = Family(
        reference="TF-004",
        name="Davies",
        identified_on=D("2025-04-20"),
        status=V,
        framework=TF,
        delivered_by=DeliveredBy.CORE_TEAM,
        lead_agency="Youth Offending Team",
        referral_source=ReferralSource.POLICE,
        tenure=Tenure.COUNCIL,
    )
    f4 = f4_open.replace(status=C, closure_reason=ClosureReason.STEPPED_DOWN)
    f5_open = Family(
        reference="TF-005", name="Evans", identified_on=D("2024-10-01"), status=V, framework=TF
    )
    f5 = f5_open.replace(status=C, closure_reason=ClosureReason.NEEDS_MET)
    f6 = Family(reference="TF-006", name="Fox", identified_on=D("2025-10-05"), framework=TF)
    adult = Person(
        family_id=f1.id, role=PersonRole.PARENT_CARER, given_name="Amira", family_name="Ahmed"
    )
    one: list[Record] = [f1, f2, f3, f4_open, f5_open, adult]
    one += _moves(f1, ("2025-04-15", A), ("2025-05-01", E), ("2025-05-10", V))
    one += _moves(f2, ("2025-05-05", A), ("2025-06-01", E))
    one += _moves(f3, ("2025-06-02", A), ("2025-06-10", E), ("2025-07-01", V))
    one += _moves(f4_open, ("2025-04-22", A), ("2025-05-01", E), ("2025-05-05", V))
    one += _moves(f5_open, ("2024-10-05", A), ("2024-10-10", E), ("2024-11-01", V))
    one += (
        _ticks(f1, "1A", "2A", "3A")
        + _ticks(f2, "2A", "3A", "LA")
        + _ticks(f4_open, "2B", "3A", "LC")
    )
    one += _ticks(f5_open, "1A", "2A")
    one += [
        Assessment(
            family_id=f1.id,
            template="whole-family@1",
            state=AssessmentState.COMPLETED,
            completed_on=D("2025-05-20"),
            completed_by="Sam Okafor",
        ),
        Assessment(family_id=f2.id, template="whole-family@1"),  # a draft: not completed
        Assessment(
            family_id=f5_open.id,
            template="whole-family@1",
            state=AssessmentState.COMPLETED,
            completed_on=D("2024-12-01"),
            completed_by="Jo Wright",
        ),
        FamilyPlan(
            family_id=f1.id,
            made_on=D("2025-06-01"),
            goals=(
                PlanGoal(
                    words="Back to school every day",
                    problems=("2",),
                    actions=(
                        _action("Walk to school together", ActionStatus.DONE, "2025-07-01"),
                        _action("Meet the head of year", ActionStatus.IN_PROGRESS, "2025-12-01"),
                        _action("Join the homework club", ActionStatus.NOT_STARTED, "2026-03-01"),
                    ),
                ),
            ),
        ),
        FamilyPlan(family_id=f5_open.id, made_on=D("2024-12-05"), goals=(PlanGoal(words="Calm"),)),
        TafMember(family_id=f1.id, agency="Youth Offending Team", name="Lee Shah"),
        TafMember(family_id=f1.id, agency="Children and Family Practices", name="Sam Okafor"),
        TafMember(family_id=f2.id, agency="youth offending team", name="Kim Lowe"),
        TafMember(
            family_id=f3.id, agency="Housing", name="Ola Reed", left_on=D("2025-08-01")
        ),  # left: not in the team now
        TafMeeting(family_id=f1.id, number=1, held_on=D("2025-07-01")),
        TafMeeting(family_id=f2.id, number=1, held_on=D("2025-08-01")),
        TafMeeting(family_id=f5_open.id, number=1, held_on=D("2024-12-05")),
        Measure(
            family_id=f1.id,
            kind=MeasureKind.EMPLOYMENT,
            stage=MeasureStage.LATER,
            value=1,
            on=D("2025-09-01"),
            person_id=adult.id,
            source="Jobcentre Plus",
        ),
        OutcomeEvidence(
            family_id=f1.id,
            outcome="3.2",
            holds_from=D("2025-08-01"),
            source="Jobcentre Plus",
            description="Started the Work Programme",
            recorded_by="Sam Okafor",
        ),
        OutcomeClaim(
            family_id=f5_open.id,
            claimed_on=D("2025-03-01"),
            framework=TF,
            route="every problem",
        ),
    ]
    two: list[Record] = [f4, f5, f6]
    two += [
        StatusChange(
            family_id=f4.id,
            on=D("2025-11-01"),
            from_status=V,
            to_status=C,
            closure_reason=ClosureReason.STEPPED_DOWN,
        ),
        StatusChange(
            family_id=f5.id,
            on=D("2025-12-01"),
            from_status=V,
            to_status=C,
            closure_reason=ClosureReason.NEEDS_MET,
        ),
        TafMeeting(family_id=f1.id, number=2, held_on=D("2025-10-01")),
        OutcomeClaim(
            family_id=f1.id,
            claimed_on=D("2025-11-01"),
            framework=TF,
            route="Continuous employment",
        ),
    ]
    two += _ticks(f6, "1A")
    return one, two, {f.reference: f for f in (f1, f2, f3, f4, f5, f6)}


@pytest.fixture
def held(coordinator_store: Store) -> tuple[Store, dict[str, Family]]:
    one, two, refs = build()
    with recorded_on(coordinator_store, STEP_ONE):
        coordinator_store.save(*one)
    with recorded_on(coordinator_store, STEP_TWO):
        coordinator_store.save(*two)
    return coordinator_store, refs


def shown(board, section: str) -> dict[str, tuple[int, int | None]]:
    return {f.label: (f.value, f.of) for f in board.section(section).figures}


def who(board, key: str, refs: dict[str, Family]) -> set[str]:
    by_id = {f.id: ref for ref, f in refs.items()}
    return {by_id[fid] for fid in board.figure(key).families}


def test_core_team_and_wider_network_split_the_open_cases(held) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    assert shown(board, "delivery") == {
        "The core team, intensively": (1, 3),
        "The wider network": (1, 3),
        "Not recorded": (1, 3),
    }
    assert who(board, "delivery.core_team", refs) == {"TF-001"}
    # As at 30 September TF-004 was still open, with the core team.
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    assert shown(before, "delivery")["The core team, intensively"] == (2, 5)


def test_the_cohort_profile_shares_each_criterion_and_three_against_two_plus_a_local_filter(
    held,
) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    # Eligible: TF-001 (1, 2, 3), TF-002 and TF-004 (2, 3 and a local filter). TF-005 (two
    # national criteria, no local filter) and TF-006 (one) are not.
    cohort = shown(board, "cohort")
    assert cohort["Youth crime or anti-social behaviour"] == (1, 3)
    assert cohort["Children not in school"] == (3, 3)
    assert cohort["Adults on out-of-work benefits"] == (3, 3)
    assert cohort["A local filter"] == (2, 3)
    assert cohort["Meeting 3 national criteria"] == (1, 3)
    assert cohort["Meeting 2 plus a local filter"] == (2, 3)
    assert who(board, f"cohort.{TF}:national_with_local", refs) == {"TF-002", "TF-004"}
    # The local filter is not an outcome problem stuck at 0 %.
    assert not any("Local filter" in f.label for f in board.section("outcomes").figures)


def test_tenancy_domestic_abuse_and_social_care_are_shares_of_those_recorded(held) -> None:
    store, _ = held
    board = programme.load_dashboard(store, TODAY)
    figures = shown(board, "characteristics")
    assert figures["Council tenant"] == (2, 3)
    assert figures["Housing association tenant"] == (1, 3)
    assert figures["Domestic abuse a feature, past or present"] == (1, 2)
    assert figures["Known to children's social care, past or present"] == (2, 2)


def test_open_cases_by_lead_agency_and_by_the_agencies_in_their_teams(held) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    # One agency however it is spelt; TF-004 is closed now.
    assert shown(board, "agencies") == {
        "Children's Social Care": (2, 3),
        "Children and Family Practices": (1, 3),
    }
    assert who(board, "agencies.children's social care", refs) == {"TF-002", "TF-003"}
    # Current team members only: Housing left TF-003's team in August.
    assert shown(board, "taf_agencies") == {
        "Youth Offending Team": (2, 3),
        "Children and Family Practices": (1, 3),
    }


def test_referral_source_with_step_down_from_social_care_and_closures_by_reason(held) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    referrals = shown(board, "referrals")
    assert referrals["Identified from the council's data"] == (1, 6)
    assert referrals["Stepped down from children's social care"] == (1, 6)
    assert referrals["Not recorded"] == (2, 6)
    step_in = board.figure("steps.from_social_care")
    assert (step_in.value, step_in.of) == (1, 5)
    assert who(board, "steps.from_social_care", refs) == {"TF-002"}
    closures = shown(board, "closures")
    assert closures["Stepped down to universal services"] == (1, 2)
    assert closures["Needs met"] == (1, 2)
    assert closures["Moved away"] == (0, 2)
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    assert all(value == 0 for value, _ in shown(before, "closures").values())


def test_assessments_plans_and_taf_meetings(held) -> None:
    store, _ = held
    board = programme.load_dashboard(store, TODAY)
    figures = {f.key: (f.value, f.of) for f in board.section("casework").figures}
    assert figures == {
        "assessments_year": (1, None),  # TF-001; TF-002's is a draft
        "assessments": (2, None),  # and TF-005's, in 2024
        "plans": (1, 3),  # of the open cases, TF-001 has a plan
        "plans_year": (1, None),
        "taf_meetings": (3, None),  # TF-001 twice, TF-002 once; TF-005's was in 2024
    }
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    assert before.figure("casework.taf_meetings").value == 2


def test_progress_against_plan_actions(held) -> None:
    store, _ = held
    board = programme.load_dashboard(store, TODAY)
    assert shown(board, "actions") == {
        "Done": (1, 3),
        "In progress": (1, 3),
        "Not started": (1, 3),
        "Dropped": (0, 3),
        "Not done by the date agreed": (1, 3),  # due 1 December
    }
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    assert before.figure("actions.overdue").value == 0


def test_claims_by_route_adults_into_work_and_progress_to_work(held) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    routes = {f.key: f.value for f in board.section("routes").figures}
    assert routes == {
        "every problem:year": 0,  # TF-005 was claimed in March 2025, the year before
        "every problem:to_date": 1,
        "Continuous employment:year": 1,
        "Continuous employment:to_date": 1,
    }
    work = {f.key: f.value for f in board.section("work").figures}
    assert work["adults_year"] == 1
    assert work["adults"] == 1
    assert work[f"extra:{TF}:3.2"] == 1
    assert who(board, f"work.extra:{TF}:3.2", refs) == {"TF-001"}
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    assert {f.key: f.value for f in before.section("routes").figures} == {
        "every problem:year": 0,
        "every problem:to_date": 1,
    }


def test_a_quarterly_trend_of_each_headline_figure(held) -> None:
    store, refs = held
    board = programme.load_dashboard(store, TODAY)
    trend = board.section("trend")
    identified = [f.value for f in trend.figures if f.series == "Identified"]
    assert identified == [4, 0, 1, 0]  # TF-001..004 in Q1; TF-006 on 5 October
    claimed = [f.value for f in trend.figures if f.series == "Claimed"]
    assert claimed == [0, 0, 1, 0]  # TF-001, 1 November
    assert who(board, "trend.identified:Q3", refs) == {"TF-006"}
    before = programme.load_dashboard(store, TODAY, as_at=AS_AT)
    figures = {f.key: f for f in before.section("trend").figures}
    assert figures["identified:Q3"].value == 0
    assert figures["identified:Q3"].note == "still to come"
    assert figures["identified:Q2"].note == ""


def test_the_csv_holds_every_new_figure(held) -> None:
    store, _ = held
    rows = programme.load_dashboard(store, TODAY).csv_rows()
    labels = {(r[0], r[1]) for r in rows[1:]}
    assert ("Who works with the families", "The core team, intensively") in labels
    assert ("Quarterly trend, 2025/26", "Identified, 2025/26 Q1") in labels
    assert ("Families claimed by route", "Continuous employment, to date") in labels


def test_claimed_and_paid_amounts_the_programme_target_and_the_money_trend(
    coordinator_store: Store,
) -> None:
    """Families Matter's payment table (£800 results): FM-001 claimed in a batch sent on 10
    January 2026 and paid £750 on 2 April (the next programme year); FM-002 claimed before the
    store kept batches (counted, not priced). The whole programme's target: 8 turned around."""
    store = coordinator_store
    ids = save_programme(store)
    period = {"period_start": D("2025-10-01"), "period_end": D("2025-12-31")}
    with recorded_on(store, D("2026-01-05")):
        programme.create_batch(
            store, "Q3", family_ids=[ids["FM-001"]], today=D("2026-01-05"), **period
        )
    with recorded_on(store, D("2026-01-10")):
        programme.submit(
            store, "Q3", on=D("2026-01-10"), approved_by="Amara Okafor", today=D("2026-01-10")
        )
    with recorded_on(store, D("2026-04-02")):
        programme.record_paid(store, "Q3", on=D("2026-04-02"), pence=750_00, today=D("2026-04-02"))
    programme.set_programme_target(store, {Stage.TURNED_AROUND: 8})
    board = programme.load_dashboard(store, D("2026-04-30"), 2025)
    money = {f.key: f.value_text for f in board.section("money").figures}
    assert money == {
        "claimed_year": "£800.00",
        "paid_year": "£0.00",  # paid in 2026/27
        "claimed": "£800.00",
        "paid": "£750.00",
    }
    assert "2 families claimed to date: 25% of the programme's target of 8" in (
        board.section("money").note
    )
    # The programme to date beside the whole programme's target.
    assert board.section("to_date").chart is Chart.TARGET
    assert board.figure("to_date.turned_around").target == 8
    assert board.figure("year.turned_around").target is None
    trend = board.section("trend")
    claimed = [f.value_text for f in trend.figures if f.series == "Claimed (£)"]
    assert claimed == ["£0.00", "£0.00", "£0.00", "£800.00"]
    pdf = pypdf.PdfReader(io.BytesIO(dashboard_pdf(board)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Claimed to date (£)\n£800.00" in text  # the table gives the amount, not pence
    assert "80000" not in text
    csv = {(r[1], r[2]) for r in board.csv_rows()[1:]}
    assert ("Claimed to date (£)", "800.00") in csv
    # As at 31 March 2026 nothing had been paid; as at 9 January nothing had been sent.
    before = programme.load_dashboard(store, D("2026-04-30"), 2025, as_at=D("2026-03-31"))
    assert before.figure("money.paid").value == 0
    assert before.figure("money.claimed").value == 800_00
    unsent = programme.load_dashboard(store, D("2026-04-30"), 2025, as_at=D("2026-01-09"))
    assert unsent.figure("money.claimed").value == 0


SF = "supporting-families-2022@1"


def test_the_dashboard_warns_when_a_framework_s_school_terms_do_not_reach_the_day(
    coordinator_store: Store,
) -> None:
    """Supporting Families 2022's own term dates end with Summer 2026 (fmdesk/terms.py): judged
    in December 2026 the dashboard says attendance cannot be judged by its terms; as at a day
    in June 2026 it does not."""
    store = coordinator_store
    family = Family(reference="SF-001", name="Green", identified_on=D("2026-04-20"), framework=SF)
    with recorded_on(store, D("2026-05-01")):
        store.save(family)
    december = programme.load_dashboard(store, D("2026-12-07"))
    (notice,) = december.notices
    assert notice.startswith("Supporting Families")
    assert "Summer 2026" in notice
    june = programme.load_dashboard(store, D("2026-12-07"), as_at=D("2026-06-01"))
    assert june.notices == ()


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.COORDINATOR, name=COORDINATOR_NAME)
    one, two, _ = build()
    with Store.open(home / "store", PASSPHRASE) as store:
        with recorded_on(store, STEP_ONE):
            store.save(*one)
        with recorded_on(store, STEP_TWO):
            store.save(*two)
    return home


def test_the_command_line_gives_every_new_figure_as_at_a_day(home: Path) -> None:
    shown = fmdesk(home, "programme", "dashboard", "--year", "2025", "--json")
    assert shown.returncode == 0, shown.stderr
    sections = {s["key"]: s for s in json.loads(shown.stdout)["sections"]}
    for key in ("delivery", "cohort", "referrals", "closures", "casework", "actions", "work"):
        assert sections[key]["figures"], key
    trend = [f for f in sections["trend"]["figures"] if f.get("series") == "Identified"]
    assert [(f["period"], f["value"]) for f in trend] == [
        ("Q1", 4),
        ("Q2", 0),
        ("Q3", 1),
        ("Q4", 0),
    ]
    before = fmdesk(home, "programme", "dashboard", "--as-at", "2025-09-30", "--json")
    closures = {s["key"]: s for s in json.loads(before.stdout)["sections"]}["closures"]
    assert all(f["value"] == 0 for f in closures["figures"])
    text = fmdesk(home, "programme", "dashboard", "--year", "2025").stdout
    assert "Quarterly trend, 2025/26" in text
    assert "Identified" in text.split("Quarterly trend, 2025/26")[1].splitlines()[2]
