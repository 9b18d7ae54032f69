"""On a real store (issue 18): whom a plan goal is for is kept, travels in the family file, and
decides Families Matter's plan rule; `families show` names the member who has no plan."""

import datetime as dt
from pathlib import Path

from db.families import export_family, import_family
from db.outcomes import attach_family_framework, load_family_outcomes, save_outcome_records
from db.plans import load_plans, save_plan_version
from db.store import Store
from fmdesk.assessment import Assessment, AssessmentState
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import IndicatorTick
from fmdesk.plans import PlanGoal, first_plan, new_version
from fmdesk.roles import Role
from tests.conftest import PRACTITIONER_NAME, StoreTemplates
from tests.integration.test_cli import PASSPHRASE, fmdesk

DAY = dt.date(2015, 9, 10)
TODAY = dt.date(2016, 6, 1)
NO_PLAN = (
    "These family members with a need identified at entry have no goal in the action plan, "
    "for them or for the whole family on that problem: Marta (health, 6)."
)


def test_whom_a_goal_is_for_is_kept_and_decides_the_plan_rule(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    home = tmp_path / "home"
    store_templates.copy(home / "store", Role.PRACTITIONER, name=PRACTITIONER_NAME)
    family = Family(reference="FM-0183", name="Nowak family", lead_practitioner="Siobhán Kelly")
    zoe = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="Nowak",
        date_of_birth=dt.date(2006, 4, 1),
    )
    marta = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Marta",
        family_name="Nowak",
        date_of_birth=dt.date(1984, 2, 1),
    )
    with Store.open(home / "store", PASSPHRASE) as store:
        store.save(family, zoe, marta)
        attach_family_framework(store, family.id, "families-matter@2015.1")
        save_outcome_records(
            store,
            family.id,
            [
                IndicatorTick(family_id=family.id, indicator="2A", person_id=zoe.id, on=DAY),
                IndicatorTick(family_id=family.id, indicator="6A", person_id=marta.id, on=DAY),
            ],
        )
        store.save(
            Assessment(
                family_id=family.id,
                template="whole-family@1",
                started_on=DAY,
                state=AssessmentState.COMPLETED,
                completed_on=DAY,
                completed_by="Siobhán Kelly",
            )
        )
        goals = [
            PlanGoal(words="Zoë at school", problems=("2",), for_people=(zoe.id,)),
            PlanGoal(words="Zoë sleeping better", problems=("6",), for_people=(zoe.id,)),
        ]
        plan = save_plan_version(store, first_plan(family.id, made_on=DAY, goals=goals))
        assert [g.for_people for g in load_plans(store, family.id).current.goals] == [
            (zoe.id,),
            (zoe.id,),
        ]
        readiness = load_family_outcomes(store, family.id, TODAY).readiness
        assert readiness is not None
        assert NO_PLAN in readiness.missing

        # The family file carries it, and a store that imports the file reads it back.
        exported = export_family(store, store.get(Family, family.id))  # type: ignore[arg-type]
        plans = [r["record"] for r in exported["records"] if r["kind"] == "family_plan"]
        assert [g["for_people"] for g in plans[0]["goals"]] == [[zoe.id], [zoe.id]]
    shown = fmdesk(home, "families", "show", "FM-0183")
    assert shown.returncode == 0, shown.stderr
    assert "Marta (health, 6)" in shown.stdout

    with Store.open(home / "store", PASSPHRASE) as store:
        goals = [plan.goals[0], plan.goals[1].replace(for_people=(zoe.id, marta.id))]
        save_plan_version(store, new_version(plan, made_on=dt.date(2015, 12, 1), goals=goals))
        readiness = load_family_outcomes(store, family.id, TODAY).readiness
        assert readiness is not None
        assert not any("action plan" in m for m in readiness.missing)


def test_a_family_file_goal_without_whom_reads_as_the_whole_family(
    store: Store, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    family = Family(reference="FM-0184", name="Ashworth family")
    store.save(family)
    goal = PlanGoal(words="A warm, dry home", problems=("6",))
    save_plan_version(store, first_plan(family.id, made_on=DAY, goals=[goal]))
    exported = export_family(store, store.get(Family, family.id))  # type: ignore[arg-type]
    for item in exported["records"]:
        if item["kind"] == "family_plan":
            for g in item["record"]["goals"]:
                del g["for_people"]  # as a file from an older fmdesk
    other_home = tmp_path / "other"
    store_templates.copy(other_home / "store", Role.PRACTITIONER, name="Another Practitioner")
    with Store.open(other_home / "store", PASSPHRASE) as other:
        imported = import_family(other, exported)
        goals = load_plans(other, imported.id).current.goals
        assert [g.words for g in goals] == ["A warm, dry home"]
        assert goals[0].for_whole_family
