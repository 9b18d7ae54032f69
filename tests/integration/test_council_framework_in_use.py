"""A council's own outcomes framework, held in the store, is the one printing uses: the plan
and the closing summary name its problems in its words, not as bare codes."""

import datetime as dt
import io
import json
from pathlib import Path

from pypdf import PdfReader

from db.library import add_definition_file, build_count, definitions
from db.plans import close_case, save_plan_version
from db.store import Store
from fmdesk.closure import OutcomeAtClosure, OutcomeResult
from fmdesk.definition import DefinitionKind
from fmdesk.families import ClosureReason, Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import PlanGoal, first_plan
from ui.actions.documents import build_closure_pdf, build_plan_pdf

START = dt.date(2025, 2, 3)
COUNCIL_REF = "anytown-outcomes@1"
# Problem 2's name in the council's file: the shipped framework calls it something else.
COUNCIL_NAME = "Ready for school in Anytown"


def council_framework(folder: Path) -> Path:
    shipped = Path("fmdesk/definitions/frameworks/supporting-families-2022.json")
    data = json.loads(shipped.read_text(encoding="utf-8"))
    data["id"], data["name"] = "anytown-outcomes", "Anytown outcomes plan"
    problem = next(p for p in data["problems"] if p["code"] == "2")
    problem["name"] = COUNCIL_NAME
    path = folder / "anytown-outcomes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def pdf_text(data: bytes) -> str:
    """The PDF's words, one space between each (table cells wrap names over lines)."""
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def family_under_council_framework(store: Store, tmp_path: Path) -> Family:
    add_definition_file(store, DefinitionKind.FRAMEWORK, council_framework(tmp_path))
    family = Family(
        reference="FM-2025-0201",
        name="Okafor family",
        status=FamilyStatus.ACTIVE,
        framework=COUNCIL_REF,
    )
    mum = Person(
        family_id=family.id, role=PersonRole.PARENT_CARER, given_name="Adaeze", family_name="Okafor"
    )
    saved, _ = store.save(family, mum)
    goal = PlanGoal(words="Zara starts nursery in September", problems=("2",))
    save_plan_version(store, first_plan(saved.id, made_on=START, goals=[goal]))
    return saved


def test_the_plan_and_closing_summary_name_a_council_frameworks_problems(
    store: Store, tmp_path: Path
) -> None:
    family = family_under_council_framework(store, tmp_path)

    plan = pdf_text(build_plan_pdf(store, family.id))
    assert COUNCIL_NAME in plan

    close_case(
        store,
        family.id,
        on=START + dt.timedelta(weeks=20),
        reason=ClosureReason.NEEDS_MET,
        outcomes=[OutcomeAtClosure(problem="2", result=OutcomeResult.SOME_PROGRESS)],
    )
    closing = pdf_text(build_closure_pdf(store, family.id))
    assert COUNCIL_NAME in closing


def test_the_library_is_built_once_per_unlock_and_again_after_a_definition_arrives(
    store: Store, tmp_path: Path
) -> None:
    first = definitions(store)
    built = build_count()
    assert definitions(store) is first
    assert build_count() == built  # every reader after the first is served the kept one
    add_definition_file(store, DefinitionKind.FRAMEWORK, council_framework(tmp_path))
    fresh = definitions(store)
    assert fresh is not first
    assert fresh.frameworks.get(COUNCIL_REF).name == "Anytown outcomes plan"
    store.close()
    assert not store.is_kept("db.library.definitions")  # nothing stays in memory after a lock
