"""The equivalent-progress form asks for the approver's role, offering the one the framework
names, and the claim counts the approval only from that role (issue 18)."""

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox

from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import (
    ClaimStatus,
    FamilyOutcomeData,
    FrameworkLibrary,
    IndicatorTick,
    OutcomeEvidence,
    claim_readiness,
)
from fmdesk.plans import FamilyPlan, PlanGoal
from ui.record.outcomes.evidence import EquivalentProgressDialog

FM = FrameworkLibrary.shipped().get("families-matter@2015.1")
ENTRY = dt.date(2016, 1, 11)


def test_the_form_needs_the_role_and_its_answer_decides_the_claim(qtbot) -> None:
    family = Family(reference="T-0181", name="Kowalczyk", framework=FM.ref, identified_on=ENTRY)
    zoe = Person(
        family_id=family.id,
        role=PersonRole.CHILD,
        given_name="Zoë",
        family_name="Kowalczyk",
        date_of_birth=dt.date(2008, 4, 2),
    )
    records = [
        zoe,
        IndicatorTick(family_id=family.id, indicator="3E", person_id=zoe.id, on=ENTRY),
        IndicatorTick(family_id=family.id, indicator="5A", on=ENTRY),
        OutcomeEvidence(
            family_id=family.id,
            outcome="3.6",
            holds_from=dt.date(2016, 2, 1),
            source="Early help case record",
            description="Case closed with no new referral",
        ),
        FamilyPlan(
            family_id=family.id,
            made_on=ENTRY,
            goals=(PlanGoal(words="Everyone safe", problems=("3", "5")),),
        ),
    ]
    problems = [FM.problem("3"), FM.problem("5")]
    dialog = EquivalentProgressDialog(problems, FM.claim.equivalent_progress_approver)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.role.text() == "Head of Service"  # offered from the framework
    dialog.which_problem.setCurrentIndex(1)
    dialog.approved_by.setText("Anita Sharma")
    dialog.approved_on.setDate(QDate(2016, 5, 1))
    dialog.reason.setPlainText("No incident since the plan began; MARAC has closed the case.")
    assert ok.isEnabled()
    dialog.role.setText("")
    assert not ok.isEnabled()  # a role must be recorded

    def judged(role: str) -> ClaimStatus:
        dialog.role.setText(role)
        approval = dialog.record(family.id, "Siobhán Kelly")
        data = FamilyOutcomeData.from_records(family, [*records, approval])
        met = ("whole_family_assessment", "action_plan", "lead_practitioner")
        return claim_readiness(FM, data, dt.date(2016, 9, 1), requirements_met=met).status

    assert judged("Team Manager") is ClaimStatus.IN_PROGRESS
    assert judged("Head of Service") is ClaimStatus.READY
