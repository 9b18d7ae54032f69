"""Every document fmdesk writes, put together from the store and saved: the family action plan,
a TAF meeting record and closing summary, the Star progress and assessment summaries, the
programme dashboard and the claim schedule (PDF and CSV). Shared by the app (on the task
runner's worker thread) and the command line.

`save(path, data)` writes atomically (a temporary file beside the target, then a rename), so a
failure never leaves half a file; an operating-system fault (a read-only or full folder, a
folder that has gone) is a `CouldNotSave` the user can act on, not a bug.

The plan PDF and the closing summary name the family's framework problems and outcome measures in
words when the family is attached to a framework the store holds, shipped or the council's
(db/library.py `definitions`; codes print as "Problem 2" otherwise), and the plan shows the Star
chart (first reading against latest) when the family has a completed reading of a loaded instrument.
"""

from __future__ import annotations

import errno
from pathlib import Path

from reportlab.platypus import Flowable

from db.keyslots import write_atomic
from db.library import definitions
from db.plans import PlanRecord, load_plans
from db.store import Store
from fmdesk.claims import SCHEDULE_HEADER, ScheduleRow, schedule_csv_row
from fmdesk.csvcells import csv_bytes
from fmdesk.errors import UserError, ValidationError
from fmdesk.families import Family
from fmdesk.outcomes import FrameworkLibrary
from fmdesk.plan_text import PLAN_TEXT_SETTING, PlanText, plan_text_from_setting
from fmdesk.plans import FamilyPlan, plan_differences
from fmdesk.stars import InstrumentCatalogue, completed_readings
from fmdesk.taf import TafMeeting
from reports.base import DEFAULT_MARKING
from reports.closure import closure_pdf
from reports.plan import StarScores, plan_pdf, star_scores
from reports.star import family_star_chart
from reports.taf import taf_pdf


def framework_names(
    family: Family, frameworks: FrameworkLibrary | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(problem code → name, outcome code → words) of the family's framework among
    `frameworks` (the store's: `definitions(store).frameworks`); empty when the family has none
    or it is not loaded here. Without `frameworks` only the shipped ones are known, so a
    council framework's codes stay bare: pass the store's."""
    if not family.framework:
        return {}, {}
    try:
        framework = (frameworks or FrameworkLibrary.shipped()).for_family(family)
    except UserError:
        return {}, {}
    problems = {p.code: p.name for p in framework.problems}
    measures = {o.code: o.text for p in framework.problems for o in p.outcomes}
    return problems, measures


def star_chart_for(record: PlanRecord, instruments: InstrumentCatalogue) -> Flowable | None:
    """First against latest reading of the instrument the latest completed reading used."""
    done = completed_readings(record.readings)
    if not done:
        return None
    try:
        instrument = instruments.get(done[-1].instrument)
    except ValidationError:  # taken with a licensed Star this computer does not have
        return None
    return family_star_chart(instrument, record.readings)


def star_scores_for(record: PlanRecord, instruments: InstrumentCatalogue) -> StarScores | None:
    """The numbers of the chart `star_chart_for` draws."""
    done = completed_readings(record.readings)
    if not done:
        return None
    try:
        return star_scores(instruments.get(done[-1].instrument), record.readings)
    except ValidationError:
        return None


def plan_pdf_for(
    record: PlanRecord,
    frameworks: FrameworkLibrary,
    instruments: InstrumentCatalogue,
    *,
    wording: PlanText | None = None,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The current plan version as PDF bytes. Pure: safe off the GUI thread."""
    plan = record.current
    if plan is None:
        raise UserError(
            f"There is no plan for {record.family.name} ({record.family.reference}) yet."
        )
    problems, measures = framework_names(record.family, frameworks)
    return plan_pdf(
        record.family,
        record.people,
        plan,
        record.members,
        problem_names=problems,
        measure_names=measures,
        star_chart=star_chart_for(record, instruments),
        star_scores=star_scores_for(record, instruments),
        wording=wording,
        marking=marking,
        password=password or None,
    )


def closure_pdf_for(
    record: PlanRecord,
    frameworks: FrameworkLibrary,
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    summary = record.latest_closure
    if summary is None:
        raise UserError(f"The case for {record.family.name} has no closing summary.")
    problems, measures = framework_names(record.family, frameworks)
    return closure_pdf(
        record.family,
        summary,
        problem_names=problems,
        measure_names=measures,
        marking=marking,
        password=password or None,
    )


def meeting_versions(
    record: PlanRecord, meeting: TafMeeting
) -> tuple[FamilyPlan | None, FamilyPlan | None]:
    """(the version before, the plan at the meeting): the version the meeting made and the one
    it followed, or, when it made none, the version agreed by the meeting's date (and None)."""
    versions = record.versions
    made = next((i for i, v in enumerate(versions) if v.id == meeting.plan_id), None)
    if made is not None:
        return (versions[made - 1] if made else None), versions[made]
    agreed = [v for v in versions if v.made_on <= meeting.held_on]
    return None, (agreed[-1] if agreed else None)


def taf_pdf_for(
    record: PlanRecord,
    meeting_id: str,
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The record of one TAF meeting, with the plan's changes when the meeting made a version."""
    meeting = next((m for m in record.meetings if m.id == meeting_id and not m.deleted), None)
    if meeting is None:
        raise UserError("That meeting is no longer recorded for this family.")
    before, plan = meeting_versions(record, meeting)
    changes = plan_differences(before, plan, record.names) if before and plan else []
    return taf_pdf(
        record.family,
        meeting,
        record.members,
        record.people,
        plan=plan,
        plan_changes=changes,
        marking=marking,
        password=password or None,
    )


def build_plan_pdf(
    store: Store,
    family_id: str,
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """Read the family's plan from the store and print it (worker thread or command line)."""
    record = load_plans(store, family_id)
    found = definitions(store)
    wording = plan_text_from_setting(store.get_setting(PLAN_TEXT_SETTING))  # the council's
    return plan_pdf_for(
        record,
        found.frameworks,
        found.instruments,
        wording=wording,
        marking=marking,
        password=password,
    )


def build_closure_pdf(
    store: Store,
    family_id: str,
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    record = load_plans(store, family_id)
    return closure_pdf_for(
        record, definitions(store).frameworks, marking=marking, password=password
    )


def build_taf_pdf(
    store: Store,
    family_id: str,
    meeting_id: str,
    *,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    return taf_pdf_for(load_plans(store, family_id), meeting_id, marking=marking, password=password)


class CouldNotSave(UserError):
    """A document could not be written where the user asked."""

    def __init__(self, path: Path, exc: OSError) -> None:
        self.path = path
        self.reason = _why(exc)
        super().__init__(f"Could not save {path}: {self.reason}")


def _why(exc: OSError) -> str:
    reasons = {
        errno.EACCES: "fmdesk may not write in that folder. Choose another folder, or ask IT "
        "for access.",
        errno.EPERM: "fmdesk may not write in that folder. Choose another folder, or ask IT "
        "for access.",
        errno.EROFS: "that drive is read-only. Choose a folder on another drive.",
        errno.ENOSPC: "the disk is full. Free some space or choose another drive.",
        errno.ENOENT: "that folder does not exist (a removed USB stick or network drive?). "
        "Choose another folder.",
        errno.ENOTDIR: "part of that path is a file, not a folder. Choose another folder.",
        errno.EISDIR: "that is a folder. Give a file name.",
        errno.EDQUOT: "your disk quota is used up. Free some space or choose another drive.",
    }
    return reasons.get(exc.errno or 0, f"{exc.strerror or exc}. Check the folder and try again.")


def save(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; CouldNotSave (a UserError) when the system refuses."""
    target = Path(path)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise CouldNotSave(target, exc) from None
    return target


def schedule_csv(rows: list[ScheduleRow]) -> bytes:
    """The claim schedule as CSV: a header, then one row per piece of evidence."""
    return csv_bytes([SCHEDULE_HEADER, *(schedule_csv_row(r) for r in rows)])
