"""`fmdesk caseload due` and `caseload consent-renew-after`: what is late and due this week, on
the command line as on the app's caseload (a real store; the commands run in this process)."""

import datetime as dt
import json
from pathlib import Path

from db.store import Store
from fmdesk.families import Consent, ConsentKind, Family, FamilyStatus, StatusChange
from fmdesk.plans import ActionOwner, ActionStatus, PlanAction, PlanGoal, first_plan
from fmdesk.roles import Role
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

TODAY = dt.date.today()


def ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def fill_practitioner_store(store: Store) -> dict[str, Family]:
    late = Family(
        reference="EH-0001",
        name="Ashworth",
        status=FamilyStatus.ACTIVE,
        next_action="Phone the school",
        next_action_due=ago(2),
    )
    engaged = StatusChange(
        family_id=late.id,
        on=ago(100),
        from_status=FamilyStatus.ALLOCATED,
        to_status=FamilyStatus.ENGAGED,
    )
    owner = ActionOwner.agency_worker("Early Help", "Pat Keyworker")
    plan = first_plan(
        late.id,
        made_on=ago(30),
        next_review=ago(-54),
        goals=[
            PlanGoal(
                words="Kai at school every day",
                actions=(
                    PlanAction(what="Set two alarms", owner=owner, by_when=ago(10)),
                    PlanAction(
                        what="Uniform ready",
                        owner=owner,
                        by_when=ago(12),
                        status=ActionStatus.DONE,
                    ),
                ),
            )
        ],
    )
    week = Family(reference="EH-0002", name="Begum", status=FamilyStatus.ALLOCATED)
    consent = Consent(family_id=week.id, kind=ConsentKind.ASSESS, given_on=ago(360))
    quiet = Family(reference="EH-0003", name="Carter")
    store.save(late, engaged, plan, week, consent, quiet)
    return {"late": late, "week": week, "quiet": quiet}


def test_what_is_late_and_due_this_week(tmp_path: Path, store_templates: StoreTemplates) -> None:
    home = tmp_path / "home"
    with store_templates.open(home / "store", Role.PRACTITIONER, name="Pat Keyworker") as store:
        fill_practitioner_store(store)
    env = {"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE}

    week = run_cli("caseload", "due", env=env)
    assert week.returncode == 0, week.stderr
    lines = week.stdout.splitlines()
    assert lines[0] == "EH-0001  Ashworth"
    assert "    Action “Set two alarms” was due " in week.stdout
    assert "    Action “Phone the school” was due " in "\n".join(lines)
    assert "Uniform ready" not in week.stdout  # done
    assert "EH-0002  Begum" in lines
    assert "Consent to assess due for renewal " in week.stdout
    assert "Carter" not in week.stdout

    late = run_cli("caseload", "due", "--late", "--json", env=env)
    (only,) = json.loads(late.stdout)
    assert only["reference"] == "EH-0001"
    assert {i["kind"] for i in only["due"]} == {"action", "star"}
    assert all(i["late"] for i in only["due"])

    # The council renews consent after 380 days: Begum's is not yet due.
    assert run_cli("caseload", "consent-renew-after", "380", env=env).returncode == 0
    assert "Begum" not in run_cli("caseload", "due", env=env).stdout
    refused = run_cli("caseload", "consent-renew-after", "5", env=env)
    assert refused.returncode == 1
    assert "from 30 to 1095" in refused.stderr
