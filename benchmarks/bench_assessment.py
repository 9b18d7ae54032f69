"""Time the guided assessment: moving between steps, and opening a saved draft.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_assessment.py [--rounds N]

A made-up family of five (two parents, three children) on a real encrypted store, with a draft
that has every question answered at length. The targets in issue 5: moving between steps in
100 ms or less, opening a saved draft in 300 ms or less.

- "move": from asking for a step to its page laid out and painted (the draft saved on the way,
  as leaving a step does: the save itself runs on the store's worker thread).
- "open": from asking for the saved draft to its page shown: the family record and the
  family's assessments read on the worker, the step list and the resumed page built.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from db.assessments import load_assessments, save_assessment
from db.families import FamilyRecord, load_family
from db.keyslots import KdfParams
from db.store import Store
from fmdesk.assessment import (
    AgencyInvolved,
    Answer,
    Assessment,
    ElementKind,
    at_step,
    default_template,
    new_assessment,
    set_agencies,
    set_answer,
    steps,
    tick_indicator,
)
from fmdesk.families import Consent, ConsentKind, Family, FamilyStatus, Person, PersonRole
from fmdesk.roles import Role
from ui.kit.tasks import Task, TaskContext, TaskRunner
from ui.record.assessment.flow import AssessmentFlow

PASSPHRASE = "benchmark only, not a secret"
PARAGRAPH = (
    "Mum says mornings are the hardest: the baby is up in the night and nobody hears the alarm. "
    "Dad works shifts at the depot, so some weeks he can do the school run and some he cannot. "
)


def make_store(folder: Path) -> tuple[Path, Family, Assessment]:
    path = folder / "store"
    store = Store.create(
        path, PASSPHRASE, role=Role.PRACTITIONER, name="Pat Keyworker", kdf=KdfParams.fast()
    )
    family = Family(
        reference="FM-2026-0099",
        name="Nowak family",
        status=FamilyStatus.ACTIVE,
        framework="families-matter@2015.1",
    )
    born = [
        dt.date(1988, 1, 2),
        dt.date(1985, 5, 6),
        dt.date(2014, 3, 3),
        dt.date(2017, 8, 9),
        dt.date(2021, 1, 1),
    ]
    names = ["Siobhán", "Łukasz", "Zoë", "Kacper", "Maja"]
    roles = [PersonRole.PARENT_CARER] * 2 + [PersonRole.CHILD] * 3
    people = [
        Person(family_id=family.id, role=r, given_name=n, family_name="Nowak", date_of_birth=b)
        for r, n, b in zip(roles, names, born, strict=True)
    ]
    consent = Consent(
        family_id=family.id,
        kind=ConsentKind.ASSESS,
        person_id=people[0].id,
        given_on=dt.date(2026, 1, 5),
    )
    store.save(family, *people, consent)

    template = default_template()
    draft = new_assessment(family.id, template, practitioner="Pat", on=dt.date(2026, 1, 12))
    for step in steps(template, people):
        for element in step.section.elements:
            answer = Answer(section=step.section.id, person_id=step.person_id, element=element.id)
            if element.kind is ElementKind.STRENGTHS_NEEDS:
                answer = Answer(
                    section=step.section.id,
                    person_id=step.person_id,
                    element=element.id,
                    strengths=PARAGRAPH,
                    needs=PARAGRAPH * 2,
                    rating=3,
                )
            elif element.kind in (ElementKind.TEXT, ElementKind.LONG_TEXT):
                answer = Answer(
                    section=step.section.id,
                    person_id=step.person_id,
                    element=element.id,
                    text=PARAGRAPH * 3,
                )
            else:
                continue
            draft = set_answer(draft, template, answer)
    for code, person in (("1A", people[3]), ("2A", people[2]), ("6A", people[0])):
        draft = tick_indicator(draft, code, person_id=person.id, evidence="School register")
    draft = set_agencies(draft, [AgencyInvolved(agency="Hillside Primary School", worker="Ng")])
    middle = steps(template, people)[len(steps(template, people)) // 2]
    draft = save_assessment(store, at_step(draft, middle.key))
    store.close()
    return path, family, draft


def wait_for(app: QApplication, done: Callable[[], bool]) -> None:
    while not done():
        app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="walks through every step")
    args = parser.parse_args()
    app = QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path, family, draft = make_store(Path(folder))
        runner = TaskRunner()
        opened: list[bool] = []
        Task(
            runner,
            lambda ctx: ctx.set_store(Store.open(path, PASSPHRASE)),
            lambda _: opened.append(True),
        ).run()
        wait_for(app, lambda: bool(opened))
        template = default_template()
        flow = AssessmentFlow(runner)
        flow.resize(1100, 720)
        flow.show()

        # Opening the saved draft, as the tab does: read on the worker, then build.
        open_times = []
        shown: list[int] = []
        for round_number in range(args.rounds):
            flow.clear()
            app.processEvents()
            started = time.perf_counter()

            def read(ctx: TaskContext) -> tuple[FamilyRecord, list[Assessment]]:
                return load_family(ctx.store, family.id), load_assessments(ctx.store, family.id)

            def show(result: tuple[FamilyRecord, list[Assessment]]) -> None:
                record, assessments = result
                flow.open(assessments[0], template, record, practitioner="Pat")
                shown.append(1)

            Task(runner, read, show).run()
            wait_for(app, lambda: len(shown) == round_number + 1)  # noqa: B023 - used at once
            app.processEvents()
            open_times.append(time.perf_counter() - started)

        # Moving between steps. Each move is timed until its page is laid out and painted; the
        # next step's page, built while the practitioner reads (when the event loop is idle),
        # is timed on its own.
        count = flow.step_model.rowCount()
        next_moves: list[float] = []
        idle_builds: list[float] = []
        cold: dict[str, list[float]] = {}
        move_cpu: list[float] = []  # the GUI thread's own CPU time: steady on a busy machine

        def timed_move(index: int) -> float:
            started, cpu = time.perf_counter(), time.thread_time()
            flow.go_to(index)
            flow._prebuild.stop()  # not part of the move: it runs once the page is shown
            app.processEvents()  # lays the page out and paints it
            move_cpu.append(time.thread_time() - cpu)
            return time.perf_counter() - started

        for _ in range(args.rounds):
            flow.go_to(0)
            for index in range(1, count):
                started = time.perf_counter()
                flow._build_next()
                idle_builds.append(time.perf_counter() - started)
                next_moves.append(timed_move(index))
            # Jumps from the sidebar to a step whose page is not built yet.
            for index in range(count):
                flow._drop_pages(keep=flow.page)
                section = flow.step_model.steps()[index].section.id
                cold.setdefault(section, []).append(timed_move(index))
        flow.flush()
        runner.shutdown()
        flow.close()
        flow.deleteLater()
        app.processEvents()

    def ms(times: list[float]) -> str:
        return f"median {statistics.median(times) * 1000:6.1f} ms, max {max(times) * 1000:6.1f} ms"

    every_cold = [t for times in cold.values() for t in times]
    print(f"Family of five, {count} steps, {len(draft.answers)} answers; {args.rounds} rounds")
    print(f"open a saved draft:           {ms(open_times)}   (target 300 ms)")
    print(f"next step (built while idle): {ms(next_moves)}   (target 100 ms)")
    print(f"jump to a step not yet built: {ms(every_cold)}   (target 100 ms)")
    print(f"building the next page, idle: {ms(idle_builds)}")
    print(f"GUI thread CPU per move:      {ms(move_cpu)}")
    print("jump to a step not yet built, by section:")
    for section, times in cold.items():
        print(f"  {section:<20} {ms(times)}")


if __name__ == "__main__":
    main()
