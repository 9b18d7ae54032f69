"""The programme dashboard against a small programme whose every figure is worked out by hand.

The fixture (`fixture_programme`) is seven families under the Families Matter framework, on
15 January 2026, in programme year 2025/26 (1 April 2025 to 31 March 2026):

family  identified  allocated   worked with  now                    results
FM-001  2025-05-01  2025-05-10  2025-05-20   active, high           ready; results 1 Oct 2025
FM-002  2024-11-01  2024-11-10  2024-12-01   closed, needs met      claimed 1 Aug 2025 (1 Mar 2025)
FM-003  2025-06-01  2025-06-05  -            refused                -
FM-004  2025-07-01  -           -            identified             -
FM-005  2025-04-02  2025-04-10  2025-04-20   closed, stepped up     in progress (DV met)
FM-006  2025-08-01  2025-08-05  2025-08-15   engaged, standard      -
FM-007  2023-01-10  2023-01-15  2023-02-01   closed, stepped down   -
"""

import datetime as dt

import pytest

from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.claims import readiness_by_family
from fmdesk.errors import ValidationError
from fmdesk.families import (
    ClosureReason,
    Family,
    FamilyStatus,
    Intensity,
    Person,
    PersonRole,
    StatusChange,
)
from fmdesk.outcomes import FrameworkLibrary, IndicatorTick, OutcomeClaim, OutcomeEvidence
from fmdesk.plans import FamilyPlan, PlanGoal
from fmdesk.programme import (
    Allocation,
    ProgrammeRecords,
    Stage,
    build_dashboard,
    check_year,
    parse_targets,
    quarter_label,
    targets_to_plain,
    year_start,
)
from fmdesk.records import Record
from fmdesk.stars import AreaScore, InstrumentCatalogue, ReadingStatus, StarReading

TODAY = dt.date(2026, 1, 15)
FM = "families-matter@2015.1"
STAR = "family-progress-star@1"
AREAS = (
    "health",
    "adult-wellbeing",
    "childrens-feelings",
    "safety",
    "support-network",
    "learning",
    "behaviour",
    "routine",
    "home-money",
    "work",
)
D = dt.date.fromisoformat


def _family(ref: str, identified: str, status: FamilyStatus, **extra: object) -> Family:
    fields: dict[str, object] = {"lead_practitioner": "Pat Keyworker", **extra}
    return Family(
        reference=ref,
        name=f"{ref} family",
        identified_on=D(identified),
        status=status,
        **fields,  # type: ignore[arg-type]
    )


def _moves(family: Family, *steps: tuple[str, FamilyStatus]) -> list[StatusChange]:
    changes = []
    current = FamilyStatus.IDENTIFIED
    for on, to in steps:
        closure = family.closure_reason if to is FamilyStatus.CLOSED else None
        changes.append(
            StatusChange(
                family_id=family.id,
                on=D(on),
                from_status=current,
                to_status=to,
                closure_reason=closure,
            )
        )
        current = to
    return changes


def _reading(family: Family, on: str, changes: dict[str, int]) -> StarReading:
    return StarReading(
        family_id=family.id,
        instrument=STAR,
        taken_on=D(on),
        status=ReadingStatus.COMPLETED,
        scores=tuple(AreaScore(area=a, score=changes.get(a, 5)) for a in AREAS),
    )


def _eligible(family: Family, *, evidence: dict[str, str]) -> list[Record]:
    """A child, indicators under domestic abuse (5) and health (6), a completed assessment,
    a plan, and evidence for the outcomes given (code -> holds from)."""
    records: list[Record] = [
        Person(
            family_id=family.id,
            role=PersonRole.CHILD,
            given_name="Zoë",
            family_name="Nowak",
            date_of_birth=D("2015-03-01"),
        ),
        IndicatorTick(family_id=family.id, indicator="5A", on=family.identified_on),
        IndicatorTick(family_id=family.id, indicator="6A", on=family.identified_on),
        Assessment(
            family_id=family.id,
            template="whole-family@1",
            state=AssessmentState.COMPLETED,
            completed_on=family.identified_on,
            completed_by="Pat Keyworker",
        ),
        FamilyPlan(
            family_id=family.id,
            made_on=family.identified_on,
            goals=(PlanGoal(words="Everyone safe at home", problems=("5", "6")),),
        ),
    ]
    for code, since in evidence.items():
        records.append(
            OutcomeEvidence(
                family_id=family.id,
                outcome=code,
                holds_from=D(since),
                source="Police domestic abuse unit" if code.startswith("5") else "GP letter",
                description="No further incident or concern since the plan began.",
                recorded_by="Pat Keyworker",
            )
        )
    return records


def fixture_programme() -> tuple[list[Record], dict[str, Family]]:
    """Every record of the hand-computed programme, and its families by reference."""
    f1 = _family(
        "FM-001", "2025-05-01", FamilyStatus.ACTIVE, intensity=Intensity.HIGH, framework=FM
    )
    f2 = _family(
        "FM-002",
        "2024-11-01",
        FamilyStatus.CLOSED,
        intensity=Intensity.MEDIUM,
        closure_reason=ClosureReason.NEEDS_MET,
        framework=FM,
    )
    f3 = _family("FM-003", "2025-06-01", FamilyStatus.REFUSED)
    f4 = _family("FM-004", "2025-07-01", FamilyStatus.IDENTIFIED, lead_practitioner="")
    f5 = _family(
        "FM-005",
        "2025-04-02",
        FamilyStatus.CLOSED,
        intensity=Intensity.HIGH,
        closure_reason=ClosureReason.STEPPED_UP,
        framework=FM,
    )
    f6 = _family(
        "FM-006",
        "2025-08-01",
        FamilyStatus.ENGAGED,
        intensity=Intensity.STANDARD,
        allocated_to="store-of-pat",
    )
    f7 = _family(
        "FM-007", "2023-01-10", FamilyStatus.CLOSED, closure_reason=ClosureReason.STEPPED_DOWN
    )
    a, e, v, c, r = (
        FamilyStatus.ALLOCATED,
        FamilyStatus.ENGAGED,
        FamilyStatus.ACTIVE,
        FamilyStatus.CLOSED,
        FamilyStatus.REFUSED,
    )
    records: list[Record] = [f1, f2, f3, f4, f5, f6, f7]
    records += _moves(f1, ("2025-05-10", a), ("2025-05-20", e), ("2025-06-01", v))
    records += _moves(
        f2, ("2024-11-10", a), ("2024-12-01", e), ("2025-01-05", v), ("2025-07-01", c)
    )
    records += _moves(f3, ("2025-06-05", a), ("2025-06-20", r))
    records += _moves(f5, ("2025-04-10", a), ("2025-04-20", e), ("2025-09-01", c))
    records += _moves(f6, ("2025-08-05", a), ("2025-08-15", e))
    records += _moves(
        f7, ("2023-01-15", a), ("2023-02-01", e), ("2023-03-01", v), ("2023-10-01", c)
    )
    records.append(
        Allocation(family_id=f6.id, on=D("2025-08-05"), to_store="store-of-pat", to_name="Pat")
    )
    records += _eligible(f1, evidence={"5.2": "2025-09-01", "6.1": "2025-10-01"})
    records += _eligible(f2, evidence={"5.2": "2025-02-01", "6.1": "2025-03-01"})
    records.append(
        OutcomeClaim(
            family_id=f2.id,
            claimed_on=D("2025-08-01"),
            batch="2025/26 Q2",
            framework=FM,
            route="every problem",
        )
    )
    records += _eligible(f5, evidence={"5.2": "2025-06-01"})
    records += [
        _reading(f1, "2025-06-01", {"health": 3, "adult-wellbeing": 5}),
        _reading(f1, "2025-12-01", {"health": 6, "adult-wellbeing": 4}),
        _reading(f6, "2025-08-20", {"health": 4, "adult-wellbeing": 2}),
        _reading(f6, "2025-11-20", {"health": 4, "adult-wellbeing": 5}),
    ]
    return records, {f.reference: f for f in (f1, f2, f3, f4, f5, f6, f7)}


def programme_records(records: list[Record]) -> ProgrammeRecords:
    families = [r for r in records if isinstance(r, Family)]
    return ProgrammeRecords(
        families=families,
        changes=[r for r in records if isinstance(r, StatusChange)],
        allocations=[r for r in records if isinstance(r, Allocation)],
        readings=[r for r in records if isinstance(r, StarReading)],
        outcomes=readiness_by_family(families, records, FrameworkLibrary.shipped(), TODAY),
    )


TARGETS = {2025: {Stage.IDENTIFIED: 10, Stage.WORKED_WITH: 6, Stage.TURNED_AROUND: 4}}


@pytest.fixture
def built():
    records, refs = fixture_programme()
    board = build_dashboard(
        programme_records(records), today=TODAY, targets=TARGETS, instruments=InstrumentCatalogue()
    )
    return board, refs


@pytest.fixture
def dashboard(built):
    return built[0]


@pytest.fixture
def refs(built):
    return built[1]


def names(figure, refs) -> set[str]:
    by_id = {f.id: ref for ref, f in refs.items()}
    return {by_id[fid] for fid in figure.families}


def test_this_years_figures_count_families_whose_day_falls_in_the_year(dashboard, refs):
    assert dashboard.year == 2025
    assert dashboard.year_label == "2025/26"
    figures = {f.key: f for f in dashboard.section("year").figures}
    assert {k: f.value for k, f in figures.items()} == {
        "identified": 5,
        "allocated": 4,
        "worked_with": 3,
        "turned_around": 1,
        "claimed": 1,
    }
    assert names(figures["identified"], refs) == {"FM-001", "FM-003", "FM-004", "FM-005", "FM-006"}
    assert names(figures["allocated"], refs) == {"FM-001", "FM-003", "FM-005", "FM-006"}
    assert names(figures["worked_with"], refs) == {"FM-001", "FM-005", "FM-006"}
    # FM-002's results were in by 1 Mar 2025, the year before; it was claimed this year.
    assert names(figures["turned_around"], refs) == {"FM-001"}
    assert names(figures["claimed"], refs) == {"FM-002"}


def test_targets_are_this_years_and_shares_are_of_the_target(dashboard):
    identified = dashboard.figure("year.identified")
    assert identified.target == 10
    assert identified.percent == pytest.approx(50.0)
    assert identified.value_text == "5 of 10 target (50%)"
    assert dashboard.figure("year.allocated").target is None
    assert dashboard.figure("year.turned_around").percent == pytest.approx(25.0)


def test_programme_to_date_counts_every_family_that_got_there(dashboard, refs):
    figures = {f.key: f.value for f in dashboard.section("to_date").figures}
    assert figures == {
        "identified": 7,
        "allocated": 6,
        "worked_with": 5,
        "turned_around": 2,
        "claimed": 1,
    }
    assert names(dashboard.figure("to_date.turned_around"), refs) == {"FM-001", "FM-002"}


def test_consent_is_a_share_of_the_families_who_answered(dashboard, refs):
    engaged, refused = dashboard.section("consent").figures
    assert (engaged.value, engaged.of) == (5, 6)
    assert (refused.value, refused.of) == (1, 6)
    assert names(refused, refs) == {"FM-003"}
    assert refused.percent == pytest.approx(100 / 6)


def test_intensity_mix_is_of_the_open_cases(dashboard, refs):
    figures = {f.key: (f.value, f.of) for f in dashboard.section("intensity").figures}
    assert figures == {"high": (1, 2), "medium": (0, 2), "standard": (1, 2)}
    assert names(dashboard.figure("intensity.high"), refs) == {"FM-001"}


def test_step_up_and_step_down_are_of_the_families_worked_with(dashboard, refs):
    up, down, _stepped_in = dashboard.section("steps").figures
    assert (up.value, up.of, names(up, refs)) == (1, 5, {"FM-005"})
    assert (down.value, down.of, names(down, refs)) == (1, 5, {"FM-007"})


def test_star_movement_by_area_compares_first_and_latest_reading(dashboard, refs):
    figures = {f.key.split(":")[1]: f for f in dashboard.section("star").figures}
    health = figures["health"]  # FM-001 3 -> 6, FM-006 4 -> 4
    assert (health.value, health.of, health.average) == (1, 2, 1.5)
    assert names(health, refs) == {"FM-001"}
    assert health.label == "Keeping healthy"
    wellbeing = figures["adult-wellbeing"]  # FM-001 5 -> 4, FM-006 2 -> 5
    assert (wellbeing.value, wellbeing.of, wellbeing.average) == (1, 2, 1.0)
    assert names(wellbeing, refs) == {"FM-006"}
    assert (figures["safety"].value, figures["safety"].average) == (0, 0.0)


def test_outcomes_by_problem_are_of_the_families_with_the_problem(dashboard, refs):
    figures = {f.label: f for f in dashboard.section("outcomes").figures}
    abuse, health = figures["Domestic violence and abuse"], figures["Health"]
    assert (abuse.value, abuse.of) == (3, 3)
    assert (health.value, health.of) == (2, 3)
    assert names(health, refs) == {"FM-001", "FM-002"}


def test_claims_by_quarter_show_every_quarter_of_the_year(dashboard, refs):
    figures = {f.label: f.value for f in dashboard.section("claims").figures}
    assert figures == {"2025/26 Q1": 0, "2025/26 Q2": 1, "2025/26 Q3": 0, "2025/26 Q4": 0}
    assert names(dashboard.figure("claims.2025/26 Q2"), refs) == {"FM-002"}


def test_csv_rows_carry_every_figure(dashboard):
    rows = dashboard.csv_rows()
    assert rows[0][:3] == ["section", "figure", "value"]
    count = sum(len(s.figures) for s in dashboard.sections)
    assert len(rows) == count + 1
    identified = next(r for r in rows if r[0] == "2025/26 against target" and r[1] == "Identified")
    assert identified[2:6] == ["5", "", "50.0", "10"]


def test_another_year_uses_its_own_targets_and_dates(refs):
    records, _ = fixture_programme()
    previous = build_dashboard(programme_records(records), today=TODAY, year=2024, targets=TARGETS)
    assert previous.figure("year.identified").value == 1  # FM-002, Nov 2024
    assert previous.figure("year.turned_around").value == 1  # FM-002, Mar 2025
    assert previous.figure("year.identified").target is None


def test_years_and_quarters_start_in_april():
    assert year_start(dt.date(2026, 3, 31)) == 2025
    assert year_start(dt.date(2026, 4, 1)) == 2026
    assert quarter_label(dt.date(2025, 4, 1)) == "2025/26 Q1"
    assert quarter_label(dt.date(2025, 12, 31)) == "2025/26 Q3"
    assert quarter_label(dt.date(2026, 2, 1)) == "2025/26 Q4"


def test_targets_round_trip_and_bad_ones_are_named():
    plain = targets_to_plain(TARGETS)
    assert plain == {"2025": {"identified": 10, "worked_with": 6, "turned_around": 4}}
    assert parse_targets(plain) == TARGETS
    with pytest.raises(ValidationError, match=r"targets\.2025\.found"):
        parse_targets({"2025": {"found": 3}})
    with pytest.raises(ValidationError, match=r"targets\.2025\.claimed"):
        parse_targets({"2025": {"claimed": -1}})


def test_a_move_from_one_practitioner_to_another_needs_a_reason():
    with pytest.raises(ValueError, match="why"):
        Allocation(family_id="f", on=TODAY, to_store="b", from_store="a")
    Allocation(family_id="f", on=TODAY, to_store="b", from_store="a", reason="Moved area")


@pytest.mark.parametrize("year", [2000, 2025, 2100])
def test_a_programme_year_from_2000_to_2100_is_accepted(year):
    assert check_year(year) == year
    assert parse_targets({str(year): {"claimed": 1}}) == {year: {Stage.CLAIMED: 1}}


@pytest.mark.parametrize("year", [1999, 2101, 0, -2025])
def test_a_programme_year_outside_2000_to_2100_is_refused_saying_the_range(year):
    with pytest.raises(ValidationError, match=rf"from 2000 to 2100 .*; {year} is not"):
        check_year(year)
    if year > 0:
        with pytest.raises(ValidationError, match=rf"targets\.{year}: .*from 2000 to 2100"):
            parse_targets({str(year): {"claimed": 1}})
